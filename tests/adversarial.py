"""Adversarial texts and timing helpers for the linear-time tests (tests/test_linear_time_*.py).

The texts are repetitions and mixtures of the tokens the taggers look for: numbers, dose
units and per-time forms (from data/dose_units.json), survival units and endpoint words
(from data/survival_terms.json), CI, HR and p-value tokens, dashes, commas and brackets.
Backtracking patterns and per-token rescans blow up on exactly such runs (`1,1,1,...`,
`1-, 1-, ...`, `(HR 0.5; 95% CI 0.4 to ...`).

Budget: every stage handles 100 KB in under 1 s on an idle machine. The tests allow
`ABSTRACTS_TIME_SLACK` (default 3) times that, because the suite runs on shared machines;
the evidence that does not depend on the machine is the scaling check: time(4n) / time(n)
stays under 8, where quadratic work would give 16.
"""

from __future__ import annotations

import gc
import json
import os
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from hypothesis import Phase
from hypothesis import strategies as st

from pipeline.datafiles import DATA_DIR

SECONDS_PER_100KB = 1.0
SLACK = float(os.environ.get("ABSTRACTS_TIME_SLACK", "3"))
MAX_SCALING = 8.0  # time(4n) / time(n); linear work gives ~4, quadratic 16
NOISE_FLOOR = 0.02  # seconds: below this a ratio is timer noise
# a timing failure is reported as generated: shrinking it, and explaining it (which re-runs the
# example under a line tracer), would take many minutes of a CI run and tell nothing more
TIMING_PHASES = (Phase.explicit, Phase.reuse, Phase.generate)


def _data_tokens() -> list[str]:
    doses = json.loads((DATA_DIR / "dose_units.json").read_text(encoding="utf-8"))
    terms = json.loads((DATA_DIR / "survival_terms.json").read_text(encoding="utf-8"))
    out = [form for rec in doses["units"] for form in rec["forms"]]
    out += [form for rec in doses["per_time"] for form in rec["forms"]]
    out += [form for forms in terms["units"].values() for form in forms]
    # endpoint and cue patterns that are plain words (`OS`, `PFS|pfs` ...)
    for key in ("endpoints", "blockers", "boundaries"):
        for rec in terms[key]:
            for alt in rec["pattern"].split("|"):
                if alt.replace(" ", "").replace("-", "").isalnum():
                    out.append(alt)
    return out


NUMBERS = ["1", "5", "12", "0.5", "2.4", "1,000", "8,5", "1·2", "10^12", "2 x 10^12", "95", "99999999999999999999999999999999999999"]
STATISTICS = [
    "95% CI", "CI", "95%", "confidence interval", "HR", "hazard ratio", "aHR", "OR", "odds ratio", "p", "P", "p =", "p<",
    "p = 0.05", "P < 0.001", "range", "IQR", "median", "mean", "vs", "versus", "respectively", "n =", "±",
]
WORDS = ["at", "after", "and", "or", "to", "of", "for", "in the", "group", "arm A", "patients", "were alive", "of patients", "year", "3-year", "days"]
PUNCTUATION = ["-", "–", "—", ",", ";", ":", "(", ")", "[", "]", "/", "+", ".", "=", "<", "%", " ", "  ", "\n"]
TOKENS = sorted(set(NUMBERS + STATISTICS + WORDS + PUNCTUATION + _data_tokens()))

_SEPARATORS = ["", " ", ", ", "; ", "-"]
# half the tokens come from the core where backtracking lives: numbers, joiners, brackets
_CORE = NUMBERS[:8] + ["-", "–", ",", ";", "(", ")", "[", "to", "and", "or", "95% CI", "HR", "p =", "%", "mg", "months"]
tokens = st.one_of(st.sampled_from(_CORE), st.sampled_from(TOKENS))

# one repeated unit: a few tokens with what joins them (`1-, `, `(HR 0.5; 95% CI 0.4 to `)
units = st.lists(st.tuples(tokens, st.sampled_from(_SEPARATORS)), min_size=1, max_size=7).map(
    lambda parts: "".join(token + sep for token, sep in parts)
)
# a mixture: one to three units repeated in turn
mixtures = st.lists(units, min_size=1, max_size=3)


def fill(parts: list[str], size: int) -> str:
    """The units of `parts` repeated in turn up to `size` characters."""
    period = "".join(parts) or " "
    return (period * (size // len(period) + 1))[:size]


@contextmanager
def no_gc() -> Iterator[None]:
    """Time without the cyclic garbage collector (as `timeit` does): a full collection costs
    in proportion to everything the test session holds, so on a long run it lands in the
    larger text's timing and looks like superlinear work."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def seconds(f: Callable[[str], Any], text: str, repeat: int = 1, reports_seconds: bool = False) -> float:
    """The best of `repeat` timings of f(text) (or of what f returns, with `reports_seconds`:
    for a function that times only part of its work)."""
    best = float("inf")
    for _ in range(repeat):
        with no_gc():
            t = time.perf_counter()
            got = f(text)
            best = min(best, got if reports_seconds else time.perf_counter() - t)
    return best


def budget(n_chars: int) -> float:
    """Seconds allowed for `n_chars` of text (plus a small constant for the first call)."""
    return SLACK * SECONDS_PER_100KB * (0.05 + n_chars / 100_000)


def assert_within_budget(f: Callable[[str], Any], text: str, what: str = "") -> None:
    took = seconds(f, text)
    assert took < budget(len(text)), f"{what}: {took:.2f} s for {len(text)} characters (budget {budget(len(text)):.2f} s): {text[:80]!r}"


def assert_scales_linearly(
    f: Callable[[str], Any], make: Callable[[int], str], n: int, what: str = "", reports_seconds: bool = False
) -> None:
    """time(4n) / time(n) under MAX_SCALING (best of two runs each; tiny times are noise)."""
    small, large = make(n), make(4 * n)
    t1 = seconds(f, small, repeat=2, reports_seconds=reports_seconds)
    t4 = seconds(f, large, repeat=2, reports_seconds=reports_seconds)
    assert t4 < budget(len(large)), f"{what}: {t4:.2f} s for {len(large)} characters: {large[:80]!r}"
    assert t4 < MAX_SCALING * max(t1, NOISE_FLOOR), f"{what}: {t1:.3f} s -> {t4:.3f} s for 4x the text: {large[:80]!r}"
