"""Which hazard ratios are for a survival comparison: the event patterns of
`data/survival_terms.json` `hazard_ratio_events` compiled once (`hr_events()`), and
`event_verdict(text)`, what a stretch of text says the ratio is about (death, all-cause
death, a non-survival event, or nothing). Used by pipeline.components.hazard_ratios.
"""

from __future__ import annotations

from typing import Any

import regex

from pipeline.components.stat_patterns import _rx
from pipeline.components.survival_terms import load_terms

_EVENTS: dict[str, Any] | None = None


def hr_events() -> dict[str, Any]:
    """The event patterns of survival_terms.json `hazard_ratio_events`, one regex per group."""
    global _EVENTS
    if _EVENTS is None:
        groups = load_terms()["hazard_ratio_events"]
        _EVENTS = {
            name: regex.compile("|".join(f"(?:{p})" for p in groups[name]), regex.IGNORECASE)
            for name in ("death", "cause_specific_death", "composite", "non_survival")
        }
        _EVENTS["planned"] = regex.compile(
            r"(?<![\w-])(?:" + "|".join(f"(?:{p})" for p in groups["planned"]) + r")(?![\w-])", regex.IGNORECASE
        )
    return _EVENTS


EVENT_LOOKBACK = 400  # characters before a ratio's clause searched for the event it is about


def event_verdict(text: str, nearest_only: bool = False) -> str | None:
    """"not survival", "death", "all-cause death" or None (no event named) for a stretch of
    text. With `nearest_only`, only the event named last counts."""
    events = hr_events()
    found = []
    for name in ("composite", "death", "non_survival"):
        for m in events[name].finditer(text):
            found.append((m.end(), name))
    if not found:
        return None
    if nearest_only:
        name = max(found)[1]
        found = [f for f in found if f[1] == name]
    names = {name for _, name in found}
    if "composite" in names:
        return "not survival"
    if "death" in names:
        if not events["cause_specific_death"].search(text) and _rx(r"(?i)\b(?:all-cause|any cause|overall mortality|death from any)").search(text):
            return "all-cause death"
        return "death"
    return "not survival"
