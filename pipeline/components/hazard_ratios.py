"""HAZARD_RATIO tagging (component `abstracts_hazard_ratios`).

Sets: `doc.spans["entities"]` gets one Span per reported hazard ratio (or risk ratio for
death), label "HAZARD_RATIO", span = the number only, with `Span._.attrs` =
`{"value", "ci": [low, high], "p", "endpoint"}` (each when known).
`doc.user_data["hazard_ratio_misaligned"]` counts hits whose characters missed token edges.

The pure function is `find_hazard_ratios(text, sentences)`:
- a ratio cue (`hazard ratio`, `HR`, `aHR`, `risk ratio for death`; patterns in
  `data/survival_terms.json` "boundaries" plus the death forms below) is followed by its
  number within a short stretch without other digits (`HR= 0.32`, `hazard ratio [HR], 0.68`,
  `HR for OS was 0.93`, `hazard ratio (HR) for bevacizumab versus placebo (0.37, ...`);
- an unlabelled number that continues a hazard-ratio list and carries its own interval
  (`HR 1.2 (...); 1.30, 1.05-1.61`, `(≤ Q1: 0.69, 95% CI: 0.44–1.09`) is a hazard ratio too,
  when the nearest ratio cue before it names a hazard ratio (not an odds ratio);
- the CI is the interval written right after the number; the p-value is the one in the
  ratio's own bracket or clause (after it, else before it: `(PFS, P = 0.006, HR= 0.32)`),
  else a p-value written right after the same endpoint earlier in the sentence;
- the endpoint is the one the text names for the ratio (`HR for death`, `nPFS HR`,
  `(OS, P = 0.029, HR = 4.04; ...)`), else the nearest endpoint phrase before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import regex
from spacy.language import Language
from spacy.tokens import Doc

from pipeline import _extensions  # noqa: F401  (registers the extensions)
from pipeline.components.sentences import split_sentences
from pipeline.components.stat_patterns import CI_LABEL, CI_RE, DASH, NUM, NUM_RE, P_RE, _rx, parse_number
from pipeline.components.survival import add_entity_spans, doc_sentences
from pipeline.components.survival_terms import Cue, lexicon, load_terms


@dataclass(frozen=True)
class HazardRatio:
    """One reported hazard ratio: the number as written beside its attributes."""

    start: int
    end: int
    text: str
    attrs: dict[str, Any]
    label: str = "HAZARD_RATIO"


_HR_CUE_RE = regex.compile(
    r"(?<![\w-])(?:(?i:(?:(?:un)?adjusted|stratified|pooled|multivariate|univariate|multivariable|univariable|overall)\s+)?(?i:hazard\s+ra(?:ti|di)os?)"
    r"|(?-i:a?HRs?)(?![+])|(?i:(?:risk|rate)\s+ratios?\s+(?:for|of)\s+(?:death|mortality|dying))|(?i:relative\s+risks?\s+of\s+(?:death|mortality|dying)))(?![\w-])"
)
_OTHER_RATIO_RE = regex.compile(
    r"(?<![\w-])(?:(?i:odds\s+ratios?|relative\s+risks?|risk\s+ratios?|rate\s+ratios?|incidence\s+rate\s+ratios?)|(?-i:ORs?|RRs?|IRRs?|aORs?))(?![\w-])"
)
# text allowed between a cue and its number: no digits, no `;`, none of these words
_GAP_BAD_RE = regex.compile(
    r"\.\s+[A-Z]|[<>≤≥±]|(?i:\b(?:calculated|estimated|computed|using|used|measured|monitored|recorded|reached|max|maximum|data|at|lower|higher|"
    r"significantly|increased|decreased|reduced|during|before|after|within|every)\b)"
)
# a number that is not a ratio: a count, a unit, an identifier (`503-S`, `41/2013`, `1 log unit`)
_NOT_RATIO_AFTER_RE = regex.compile(
    r"[-‐/]?[A-Za-z/]|\s*(?:%|/|±|\+/-|(?i:log|units?|SD|points?|mg|kg|bpm|beats|min|minutes|mmHg|months?|years?|weeks?|days?|hours?|h|cm|mm|ml|g|patients|times|fold)\b)"
)
_COUNT_BEFORE_RE = regex.compile(r"(?:\b[nN]\s*[=:]|[#№])\s*$")
_HEART_RATE_RE = regex.compile(r"(?i:heart\s+rate)\s*[(\[]\s*HR\s*[)\]]|\bHR\b[^.;]{0,30}?\b(?:bpm|beats)\b|\bHR\s*max")
_FOR_WHAT_RE = regex.compile(
    r"\s*(?:\[[^\]]*\]|\([^)]*\))?\s*(?i:for|of)\s+(?:the\s+)?(?:risk\s+of\s+)?(?P<what>death|mortality|dying|(?:disease\s+|cancer\s+|tumou?r\s+)?progression(?:\s+or\s+death)?|(?:disease\s+)?(?:recurrence|relapse)(?:\s+or\s+death)?)",
)
_WHAT_ENDPOINT = {"death": "OS", "mortality": "OS", "dying": "OS", "progression": "PFS", "recurrence": "RFS", "relapse": "RFS"}
_INTERVAL_AFTER_RE = regex.compile(
    r"\s*(?:[,;:]\s*|[(\[]\s*)(?:" + CI_LABEL + r"\s*[,:=]?\s*[\[(]?\s*)?"
    r"(?P<lo>" + NUM + r")\s*(?:" + DASH + r"|;|,)\s*(?P<hi>" + NUM + r")"
)
_DASH_DIGIT_RE = regex.compile(r"\s*" + DASH + r"\s*\d")
_UNIT_AFTER_RE = _NOT_RATIO_AFTER_RE


def _plausible(raw: str, highest: float) -> bool:
    """A ratio is positive and not huge; a bare integer ratio (`HR 2`) is small."""
    value = parse_number(raw)
    if value <= 0 or value > highest:
        return False
    return not isinstance(value, int) or value <= 10


def _endpoint_before(cues: list[Cue], pos: int, lo: int) -> str | None:
    """The endpoint of the nearest endpoint phrase inside [lo, pos).

    Blockers (follow-up, response, ...) do not stop the search here: a hazard ratio is a
    time-to-event comparison, so the endpoint in front of it is the one it compares."""
    best = None
    for cue in cues:
        if lo <= cue.start and cue.end <= pos and cue.kind == "endpoint":
            best = cue
    return best.endpoint if best is not None else None


def _enclosure(text: str, pos: int, lo: int, hi: int) -> tuple[int, int]:
    """The innermost bracket around `pos` within [lo, hi), or the whole stretch."""
    depth = 0
    start = lo
    for i in range(pos - 1, lo - 1, -1):
        c = text[i]
        if c in ")]":
            depth += 1
        elif c in "([":
            if depth == 0:
                start = i + 1
                break
            depth -= 1
    depth = 0
    end = hi
    for i in range(pos, hi):
        c = text[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            if depth == 0:
                end = i
                break
            depth -= 1
    return start, end


class _HRSentence:
    def __init__(self, text: str, start: int, end: int, cues: list[Cue], heart_rate: bool = False):
        self.text, self.start, self.end = text, start, end
        self.cues = cues
        self.p_values = [(m.start(), m.end()) for m in P_RE.finditer(text, start, end)]
        self.hr_cues = [
            (m.start(), m.end()) for m in _HR_CUE_RE.finditer(text, start, end) if not (heart_rate and "HR" in m.group())
        ]
        self.other_cues = [(m.start(), m.end()) for m in _OTHER_RATIO_RE.finditer(text, start, end)]
        self.reserved: list[tuple[int, int]] = list(self.p_values)
        for m in CI_RE.finditer(text, start, end):
            self.reserved.append((m.start(), m.end()))
        self.cues = [c for c in cues if not self.reserved_at(c.start)]

    def reserved_at(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.reserved)

    def find(self) -> list[HazardRatio]:
        t = self.text
        found: list[tuple[int, int, dict[str, Any], tuple[int, int]]] = []
        taken: set[int] = set()
        for cs, ce in self.hr_cues:
            for m in NUM_RE.finditer(t, ce, min(self.end, ce + 90)):
                gap = t[ce : m.start()]
                if _rx(r"\d").search(gap) or ";" in gap or _GAP_BAD_RE.search(gap) or _OTHER_RATIO_RE.search(gap):
                    break
                if self.reserved_at(m.start()) or _UNIT_AFTER_RE.match(t, m.end()) or _DASH_DIGIT_RE.match(t, m.end(), min(self.end, m.end() + 6)):
                    break
                if not _plausible(m.group(1), 50) or _COUNT_BEFORE_RE.search(t, max(self.start, m.start() - 6), m.start()):
                    break
                if any(hs < m.start() < he for hs, he in self.hr_cues if hs > cs) or m.start() in taken:
                    break
                found.append((m.start(), m.end(), self._attrs(m, (cs, ce)), (cs, ce)))
                taken.add(m.start())
                break
        # unlabelled ratios that continue a hazard-ratio list, each with its own interval
        for m in NUM_RE.finditer(t, self.start, self.end):
            if m.start() in taken or self.reserved_at(m.start()):
                continue
            cue = self._nearest_ratio_cue(m.start())
            if cue is None or cue[0] != "hr":
                continue
            iv = _INTERVAL_AFTER_RE.match(t, m.end(), self.end)
            if not iv:
                continue
            value, lo, hi = parse_number(m.group(1)), parse_number(iv.group("lo")), parse_number(iv.group("hi"))
            if not (lo <= value <= hi) or not _plausible(m.group(1), 20) or _UNIT_AFTER_RE.match(t, m.end()):
                continue
            if _NOT_RATIO_AFTER_RE.match(t, iv.end()) and not t[iv.end() : iv.end() + 1] in ")]":
                continue  # `11 [7-21] vs. 14 [8-36] days`: times with ranges, not ratios
            if any(s <= m.start() < e for s, e, *_ in found) or any(iv.start("lo") <= s < iv.end() for s, *_ in found):
                continue
            if _rx(r"(?:[-‐–]|\d\s*)$").search(t[max(self.start, m.start() - 2) : m.start()]):
                continue  # the upper bound of an earlier interval
            found.append((m.start(), m.end(), self._attrs(m, cue[1]), cue[1]))
            taken.add(m.start())
        found.sort(key=lambda f: f[0])
        # interval bounds of one ratio are never ratios themselves
        bounds = set()
        for s, e, attrs, _ in found:
            iv = _INTERVAL_AFTER_RE.match(t, e, self.end)
            if iv:
                bounds.update({iv.start("lo"), iv.start("hi")})
        kept = []
        previous_end = self.start
        for s, e, attrs, cue in found:
            if s in bounds:
                continue
            if "endpoint" in attrs or self._survival_event(cue, previous_end, s, attrs):
                kept.append(HazardRatio(s, e, t[s:e], attrs))
            previous_end = e
        return kept

    def _survival_event(self, cue: tuple[int, int], previous_end: int, value_start: int, attrs: dict[str, Any]) -> bool:
        """Is this ratio for death or a survival endpoint? The ratio's own clause decides (from
        the sentence start, a ';' or the previous ratio up to the value); when it names no
        event, the nearest event named before it in the preceding text does ("The hazard
        ratio with estrogen alone was 0.92" after a sentence about myocardial infarction).
        Composites and non-fatal events (stroke, bleeding, admission) are not survival
        comparisons; text that names no event at all keeps the ratio."""
        t = self.text
        lo = max(self.start, t.rfind(";", self.start, cue[0]) + 1, previous_end if previous_end <= cue[0] else self.start)
        verdict = _event_verdict(t[lo:value_start])
        if verdict is None:
            verdict = _event_verdict(t[max(0, lo - EVENT_LOOKBACK):lo], nearest_only=True)
        if verdict == "all-cause death":
            attrs["endpoint"] = "OS"
        return verdict != "not survival"

    def _nearest_ratio_cue(self, pos: int) -> tuple[str, tuple[int, int]] | None:
        best = None
        for kind, spans in (("hr", self.hr_cues), ("other", self.other_cues)):
            for s, e in spans:
                if e <= pos and (best is None or s > best[1][0]):
                    best = (kind, (s, e))
        return best

    def _attrs(self, m: Any, cue: tuple[int, int]) -> dict[str, Any]:
        t = self.text
        attrs: dict[str, Any] = {"value": parse_number(m.group(1))}
        iv = _INTERVAL_AFTER_RE.match(t, m.end(), self.end)
        after = m.end()
        if iv and iv.start("lo") - m.end() <= 60:
            attrs["ci"] = [parse_number(iv.group("lo")), parse_number(iv.group("hi"))]
            after = iv.end()
        p = self._p_value(m.start(), after, cue)
        if p:
            attrs["p"] = p
        endpoint = self._endpoint(cue)
        if endpoint:
            attrs["endpoint"] = endpoint
            if "p" not in attrs:
                p = self._endpoint_p(endpoint, cue[0])
                if p:
                    attrs["p"] = p
        return attrs

    def _p_value(self, value_start: int, after: int, cue: tuple[int, int]) -> str | None:
        t = self.text
        lo, hi = _enclosure(t, value_start, self.start, self.end)
        other_hrs = [s for s, e in self.hr_cues if s != cue[0]]
        # after the ratio, before anything that starts another comparison
        for ps, pe in self.p_values:
            if after <= ps < hi:
                stretch = t[after:ps]
                if any(after <= s < ps for s in other_hrs) or any(after <= c.start < ps and c.kind == "endpoint" for c in self.cues):
                    break
                if _rx(r"(?<![\d.,·])\d+(?:[.,·]\d+)?\s*(?:%|months?)").search(stretch):
                    break
                return t[ps:pe]
        # before the ratio inside its own clause: `(PFS, P = 0.006, HR= 0.32)`
        seg_lo = max(lo, t.rfind(";", lo, cue[0]) + 1)
        for ps, pe in reversed(self.p_values):
            if seg_lo <= ps and pe <= cue[0]:
                return t[ps:pe]
        return None

    def _endpoint(self, cue: tuple[int, int]) -> str | None:
        t = self.text
        cs, ce = cue
        if _rx(r"(?i)death|mortality|dying").search(t, cs, ce):
            return "OS"  # `risk ratio for death`
        what = _FOR_WHAT_RE.match(t, ce, self.end)
        if what:
            key = what.group("what").lower().split()
            for word in key:
                if word in _WHAT_ENDPOINT:
                    return _WHAT_ENDPOINT[word]
        for c in self.cues:  # `HR for OS`, `HR for overall survival`
            if c.start >= ce and c.kind == "endpoint" and _rx(r"\s*(?:\[[^\]]*\]|\([^)]*\))?\s*(?i:for|of|in)\s+(?:the\s+)?").fullmatch(t[ce : c.start]):
                return c.endpoint
        for c in self.cues:  # `nPFS HR`, `progression-free survival hazard ratio`
            if c.end <= cs and c.kind == "endpoint" and _rx(r"[\s,]*(?:\([^)]{1,10}\)\s*)?").fullmatch(t[c.end : cs]):
                return c.endpoint
        lo, _ = _enclosure(t, cs, self.start, self.end)
        seg_lo = max(lo, t.rfind(";", lo, cs) + 1)
        got = _endpoint_before(self.cues, cs, seg_lo)
        if got:
            return got
        return _endpoint_before(self.cues, cs, self.start)

    def _endpoint_p(self, endpoint: str, before: int) -> str | None:
        """`did not improve OS (p=0.68) or PFS (p=0.65); HR for OS was 0.92` -> p=0.68."""
        t = self.text
        for c in self.cues:
            if c.kind == "endpoint" and c.endpoint == endpoint and c.end <= before:
                m = _rx(r"\s*[(\[]\s*").match(t, c.end, self.end)
                if m:
                    for ps, pe in self.p_values:
                        if ps == m.end():
                            return t[ps:pe]
        return None


_HR_EVENTS: dict[str, Any] | None = None


def _hr_events() -> dict[str, Any]:
    """The event patterns of survival_terms.json `hazard_ratio_events`, one regex per group."""
    global _HR_EVENTS
    if _HR_EVENTS is None:
        groups = load_terms()["hazard_ratio_events"]
        _HR_EVENTS = {
            name: regex.compile("|".join(f"(?:{p})" for p in groups[name]), regex.IGNORECASE)
            for name in ("death", "cause_specific_death", "composite", "non_survival")
        }
    return _HR_EVENTS


EVENT_LOOKBACK = 400  # characters before a ratio's clause searched for the event it is about


def _event_verdict(text: str, nearest_only: bool = False) -> str | None:
    """"not survival", "death", "all-cause death" or None (no event named) for a stretch of
    text. With `nearest_only`, only the event named last counts."""
    events = _hr_events()
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


def find_hazard_ratios(text: str, sentences: list[tuple[int, int]] | None = None) -> list[HazardRatio]:
    """All HAZARD_RATIO mentions in `text`; offsets are [start, end) into `text`."""
    if not text or not _HR_CUE_RE.search(text):
        return []
    sents = sentences if sentences is not None else split_sentences(text)
    cues = lexicon().find_cues(text)
    heart_rate = bool(_HEART_RATE_RE.search(text))
    out: list[HazardRatio] = []
    for s, e in sents:
        if not _HR_CUE_RE.search(text, s, e):
            continue
        mine = [c for c in cues if s <= c.start and c.end <= e]
        out.extend(_HRSentence(text, s, e, mine, heart_rate).find())
    return out


@Language.component("abstracts_hazard_ratios", assigns=["doc.spans"])
def hazard_ratio_component(doc: Doc) -> Doc:
    hits = find_hazard_ratios(doc.text, doc_sentences(doc))
    return add_entity_spans(doc, hits, "HAZARD_RATIO", "hazard_ratio_misaligned")
