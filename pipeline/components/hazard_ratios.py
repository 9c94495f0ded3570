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
  `(OS, P = 0.029, HR = 4.04; ...)`), else the nearest endpoint phrase before it;
- a list of ratios closed by `respectively` takes a list of as many endpoints (and of
  p-values, intervals) in order, and numbers that go on with such a list are ratios of it
  (`The HRs for OS and PFS were 0.68 and 0.59, respectively`; hazard_ratio_lists.py).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

import regex
from spacy.language import Language
from spacy.tokens import Doc

from pipeline import _extensions  # noqa: F401  (registers the extensions)
from pipeline._extensions import doc_text
from pipeline.components.hazard_ratio_cues import _HEART_RATE_RE, _HR_CUE_RE, _OTHER_RATIO_RE, cue_words, ends_inside, has_cue_word, written_hr
from pipeline.components.hazard_ratio_events import (
    EVENT_LOOKBACK,
    event_verdict,
    hr_events,
)
from pipeline.components.hazard_ratio_lists import RespectivelyLists
from pipeline.components.sentences import (
    bounded_sentences,
    sentence_ranges,
    split_sentences,
)
from pipeline.components.stat_patterns import (
    CI_LABEL,
    CI_RE,
    DASH,
    NUM,
    NUM_RE,
    P_RE,
    Brackets,
    Stretches,
    _rx,
    is_value,
    parse_bounds,
    parse_number,
)
from pipeline.components.survival import add_entity_spans
from pipeline.components.survival_terms import Cue, lexicon


@dataclass(frozen=True)
class HazardRatio:
    """One reported hazard ratio: the number as written beside its attributes."""

    start: int
    end: int
    text: str
    attrs: dict[str, Any]
    label: str = "HAZARD_RATIO"


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
_FOR_WHAT_RE = regex.compile(
    r"\s*(?:\[[^\]]*\]|\([^)]*\))?\s*(?i:for|of)\s+(?:the\s+)?(?:risk\s+of\s+)?(?P<what>death|mortality|dying|(?:disease\s+|cancer\s+|tumou?r\s+)?progression(?:\s+or\s+death)?|(?:disease\s+)?(?:recurrence|relapse)(?:\s+or\s+death)?)",
)
_WHAT_ENDPOINT = {"death": "OS", "mortality": "OS", "dying": "OS", "progression": "PFS", "recurrence": "RFS", "relapse": "RFS"}
_EVENT_WORD_RE = regex.compile(r"(?i:death|mortality|dying|progression|recurrence|relapse)(?![\w-])")
_FOR_EVENT_BEFORE_RE = regex.compile(
    r"(?<![\w-])(?i:for|of)\s+(?:the\s+)?(?:(?i:disease|cancer|tumou?r)\s+)?(?P<what>[A-Za-z][^,;:()\[\]\d]{0,40}?)\s*[,:]?\s*(?:(?i:was|it\s+was)\s+)?$"
)
_FOR_EVENT_AFTER_RE = regex.compile(r"\s*[)\]]?\s*,?\s*(?i:for|of)\s+(?:the\s+)?(?:(?i:disease|cancer|tumou?r)\s+)?")
_INTERVAL_AFTER_RE = regex.compile(
    r"\s*(?:[,;:]\s*|[(\[]\s*)(?:" + CI_LABEL + r"\s*[,:=]?\s*[\[(]?\s*)?"
    r"(?P<lo>" + NUM + r")\s*(?:" + DASH + r"|;|,)\s*(?P<hi>" + NUM + r")"
)
_DASH_DIGIT_RE = regex.compile(r"\s*" + DASH + r"\s*\d")
_UNIT_AFTER_RE = _NOT_RATIO_AFTER_RE


def _interval_after(text: str, pos: int, end: int, value: float) -> Any:
    """The interval written right after a ratio (`_INTERVAL_AFTER_RE`), or None. Bounds joined
    by `,` or `;` must be in a bracket or after a CI label, and hold the ratio: `0.81, 0.72,
    0.69 and 0.60, respectively` are ratios; `0.58 (0.384, 0.876)` is an interval."""
    iv = _INTERVAL_AFTER_RE.match(text, pos, end)
    if iv and _rx(r"\s*[,;]\s*").fullmatch(text, iv.end("lo"), iv.start("hi")):
        bounds = parse_bounds(iv.group("lo"), iv.group("hi"))
        opened = _rx(r"[(\[A-Za-z]").search(text, pos, iv.start("lo"))
        return iv if opened and bounds is not None and bounds[0] <= value <= bounds[1] else None
    return iv


def _plausible(raw: str, highest: float) -> bool:
    """A ratio is positive and not huge; a bare integer ratio (`HR 2`) is small."""
    if not is_value(raw):
        return False
    value = parse_number(raw)
    if value <= 0 or value > highest:
        return False
    return not isinstance(value, int) or value <= 10


_STOP_BEFORE_P_RE = regex.compile(r"(?<![\d.,·])\d+(?:[.,·]\d+)?\s*(?:%|months?)")
_ENDPOINT_P_OPEN_RE = regex.compile(r"\s*[(\[]\s*")
_FOR_CUE_RE = regex.compile(r"\s*(?:\[[^\]]*\]|\([^)]*\))?\s*(?i:for|of|in)\s+(?:the\s+)?")
_LEADING_BRACKET_RE = regex.compile(r"\s*(?:\[[^\]]*\]|\([^)]*\))")
_OPEN_AHEAD_RE = regex.compile(r"\s*[(\[]")
_CUE_BEFORE_RE = regex.compile(r"[\s,]*(?:\([^)]{1,10}\)\s*)?")
_CUE_BEFORE_REVERSE_RE = regex.compile(r"(?r)[\s,]*(?:\([^)]{1,10}\)\s*)?")


class _HRSentence:
    """The work on one sentence. What a ratio asks about its sentence (reserved stretches,
    the cue before a position, its bracket, the p-values and endpoints around it) is indexed
    once, so each question is a binary search, not a scan of the sentence."""

    def __init__(self, text: str, start: int, end: int, cues: list[Cue], heart_rate: bool, hr_cues: list[Any]):
        """`hr_cues`: the matches of `_HR_CUE_RE.finditer(text, start, end)`."""
        self.text, self.start, self.end = text, start, end
        self.p_values = [(m.start(), m.end()) for m in P_RE.finditer(text, start, end)]
        self.hr_cues = [(m.start(), m.end()) for m in hr_cues if not (heart_rate and "HR" in m.group())]
        self.other_cues = [(m.start(), m.end()) for m in _OTHER_RATIO_RE.finditer(text, start, end)]
        reserved: list[tuple[int, int]] = list(self.p_values)
        for m in CI_RE.finditer(text, start, end):
            reserved.append((m.start(), m.end()))
        self._reserved = Stretches(reserved)
        self.cues = [c for c in cues if not self.reserved_at(c.start)]  # in text order, never overlapping
        self._p_starts = [ps for ps, _ in self.p_values]
        self._p_ends = [pe for _, pe in self.p_values]
        self._hr_starts = [cs for cs, _ in self.hr_cues]
        self._hr_ends = [ce for _, ce in self.hr_cues]
        self._other_ends = [ce for _, ce in self.other_cues]
        self._cue_starts = [c.start for c in self.cues]
        self._cue_ends = [c.end for c in self.cues]
        self._endpoints_before: list[int] = [0]  # [i]: endpoint cues among cues[:i]
        self._last_endpoint: list[int] = [-1]  # [i]: index of the last endpoint cue among cues[:i]
        p_at = dict(self.p_values)
        self._endpoint_p: dict[str, tuple[int, str]] = {}  # endpoint -> first (cue end, p-value in a bracket right after it)
        for i, c in enumerate(self.cues):
            is_endpoint = c.kind == "endpoint"
            self._endpoints_before.append(self._endpoints_before[-1] + is_endpoint)
            self._last_endpoint.append(i if is_endpoint else self._last_endpoint[-1])
            if is_endpoint and c.endpoint not in self._endpoint_p:
                m = _ENDPOINT_P_OPEN_RE.match(text, c.end, end)
                if m and m.end() in p_at:
                    self._endpoint_p[c.endpoint] = (c.end, text[m.end() : p_at[m.end()]])
        self._semicolons = [m.start() for m in _rx(";").finditer(text, start, end)]
        stops = [(m.start(), m.end()) for m in _STOP_BEFORE_P_RE.finditer(text, start, end)]
        self._stop_starts = [a for a, _ in stops]
        self._stop_ends = [b for _, b in stops]
        self._brackets: Brackets | None = None
        self._planned_ends: list[int] | None = None
        self._found_starts: list[int] = []  # ratios found so far, sorted (number spans never overlap)
        self._found_ends: list[int] = []
        self._p_of_endpoint: set[int] = set()  # ratios whose p-value is their endpoint's (`_endpoint_p_before`)

    def reserved_at(self, pos: int) -> bool:
        return self._reserved.covers(pos)

    def _enclosure(self, pos: int) -> tuple[int, int]:
        """The innermost bracket around `pos` within the sentence, or the whole sentence."""
        if self._brackets is None:
            self._brackets = Brackets(self.text, self.start, self.end)
        return self._brackets.enclosure(pos)

    def _last_semicolon(self, lo: int, hi: int) -> int:
        """`text.rfind(";", lo, hi)` inside the sentence."""
        k = bisect_left(self._semicolons, hi) - 1
        return self._semicolons[k] if k >= 0 and self._semicolons[k] >= lo else -1

    def _inside_later_cue(self, pos: int, cs: int) -> bool:
        """Is `pos` strictly inside a hazard-ratio cue that starts after `cs`?"""
        k = bisect_left(self._hr_starts, pos) - 1
        return k >= 0 and self._hr_starts[k] > cs and pos < self._hr_ends[k]

    def _found_covers(self, pos: int) -> bool:
        k = bisect_right(self._found_starts, pos) - 1
        return k >= 0 and pos < self._found_ends[k]

    def _found_starts_in(self, lo: int, hi: int) -> bool:
        k = bisect_left(self._found_starts, lo)
        return k < len(self._found_starts) and self._found_starts[k] < hi

    def _add_found(self, start: int, end: int) -> None:
        k = bisect_left(self._found_starts, start)
        self._found_starts.insert(k, start)
        self._found_ends.insert(k, end)

    def find(self) -> list[HazardRatio]:
        t = self.text
        found: list[tuple[int, int, dict[str, Any], tuple[int, int]]] = []
        taken: set[int] = set()
        for cs, ce in self.hr_cues:
            if self._planned(cs):
                continue  # `assuming a hazard ratio of 0.70, 420 events were needed`
            for m in NUM_RE.finditer(t, ce, min(self.end, ce + 90)):
                gap = t[ce : m.start()]
                if _rx(r"\d").search(gap) or ";" in gap or _GAP_BAD_RE.search(gap) or _OTHER_RATIO_RE.search(gap):
                    break
                if self.reserved_at(m.start()) or _UNIT_AFTER_RE.match(t, m.end()) or _DASH_DIGIT_RE.match(t, m.end(), min(self.end, m.end() + 6)):
                    break
                if not _plausible(m.group(1), 50) or _COUNT_BEFORE_RE.search(t, max(self.start, m.start() - 6), m.start()):
                    break
                if self._inside_later_cue(m.start(), cs) or m.start() in taken:
                    break
                found.append((m.start(), m.end(), self._attrs(m, (cs, ce)), (cs, ce)))
                self._add_found(m.start(), m.end())
                taken.add(m.start())
                break
        # unlabelled ratios that continue a hazard-ratio list, each with its own interval
        for m in NUM_RE.finditer(t, self.start, self.end):
            if m.start() in taken or self.reserved_at(m.start()):
                continue
            cue = self._nearest_ratio_cue(m.start())
            if cue is None or cue[0] != "hr" or self._planned(cue[1][0]):
                continue
            iv = _INTERVAL_AFTER_RE.match(t, m.end(), self.end)
            if not iv or not is_value(m.group(1)) or parse_bounds(iv.group("lo"), iv.group("hi")) is None:
                continue
            value, lo, hi = parse_number(m.group(1)), parse_number(iv.group("lo")), parse_number(iv.group("hi"))
            if not (lo <= value <= hi) or not _plausible(m.group(1), 20) or _UNIT_AFTER_RE.match(t, m.end()):
                continue
            if _NOT_RATIO_AFTER_RE.match(t, iv.end()) and t[iv.end() : iv.end() + 1] not in ")]":
                continue  # `11 [7-21] vs. 14 [8-36] days`: times with ranges, not ratios
            if self._found_covers(m.start()) or self._found_starts_in(iv.start("lo"), iv.end()):
                continue
            if _rx(r"(?:[-‐–]|\d\s*)$").search(t[max(self.start, m.start() - 2) : m.start()]):
                continue  # the upper bound of an earlier interval
            found.append((m.start(), m.end(), self._attrs(m, cue[1]), cue[1]))
            self._add_found(m.start(), m.end())
            taken.add(m.start())
        found.sort(key=lambda f: f[0])
        # `HRs of 0.68 and 0.59 for OS and PFS, respectively`: 0.59 goes on with the list of 0.68
        lists = RespectivelyLists.of(t, self.start, self.end, self.cues) if found else None
        if lists:
            for m, i in lists.continuations([(f[0], f[1]) for f in found], self._goes_on_with_list):
                found.append((m.start(), m.end(), self._attrs(m, found[i][3]), found[i][3]))
            found.sort(key=lambda f: f[0])
        # interval bounds of one ratio are never ratios themselves
        bounds = set()
        for s, e, attrs, _ in found:
            iv = _interval_after(t, e, self.end, attrs["value"])
            if iv:
                bounds.update({iv.start("lo"), iv.start("hi")})
        kept, kept_cues = [], []
        previous_end = self.start
        for s, e, attrs, cue in found:
            if s in bounds:
                continue
            if "endpoint" in attrs or self._survival_event(cue, previous_end, s, attrs):
                kept.append(HazardRatio(s, e, t[s:e], attrs))
                kept_cues.append(cue)
            previous_end = e
        # `The hazard ratios for OS and PFS were 0.68 (...) and 0.59 (...), respectively`
        spans = [(h.start, h.end) for h in kept]
        for i, endpoint in (lists.endpoints(spans) if lists else {}).items():
            self._set_listed_endpoint(kept[i], endpoint, kept_cues[i][0])
        for i, stats in (lists.statistics(spans) if lists else {}).items():  # `(P = .01 and P < .001, respectively)`
            attrs = kept[i].attrs
            attrs.update(stats)
            for key in ("p", "endpoint"):  # in the usual order: value, ci, p, endpoint
                if key in attrs:
                    attrs[key] = attrs.pop(key)
        return kept

    def _goes_on_with_list(self, m: Any) -> bool:
        """Can this number, without a cue or interval, be a ratio of a `respectively` list?"""
        t = self.text
        if self.reserved_at(m.start()) or not _plausible(m.group(1), 20) or _UNIT_AFTER_RE.match(t, m.end()):
            return False
        return not (_DASH_DIGIT_RE.match(t, m.end(), min(self.end, m.end() + 6)) or _COUNT_BEFORE_RE.search(t, max(self.start, m.start() - 6), m.start()))

    def _set_listed_endpoint(self, ratio: HazardRatio, endpoint: str | None, cue_start: int) -> None:
        """The endpoint a `respectively` list gives a ratio replaces the one read near it, and
        so does the p-value that came with that endpoint (`_endpoint_p_before`)."""
        attrs = ratio.attrs
        if ratio.start in self._p_of_endpoint:
            del attrs["p"]
        attrs.pop("endpoint", None)
        p = self._endpoint_p_before(endpoint, cue_start) if endpoint and "p" not in attrs else None
        if p:
            attrs["p"] = p
        if endpoint:
            attrs["endpoint"] = endpoint

    def _planned(self, cue_start: int) -> bool:
        """Is the ratio of this cue planned or assumed (a sample-size statement)? Its clause, from
        the sentence start or the last `;` to the cue, says so (`with 80% power to detect an HR of`)."""
        if self._planned_ends is None:  # the markers of the sentence, found once
            self._planned_ends = [m.end() for m in hr_events()["planned"].finditer(self.text, self.start, self.end)]
        lo = max(self.start, self._last_semicolon(self.start, cue_start) + 1)
        k = bisect_right(self._planned_ends, cue_start) - 1  # the last marker ending before the cue
        return k >= 0 and self._planned_ends[k] - 1 >= lo

    def _survival_event(self, cue: tuple[int, int], previous_end: int, value_start: int, attrs: dict[str, Any]) -> bool:
        """Is this ratio for death or a survival endpoint? The ratio's own clause decides (from
        the sentence start, a ';' or the previous ratio up to the value); when it names no
        event, the nearest event named before it in the preceding text does ("The hazard
        ratio with estrogen alone was 0.92" after a sentence about myocardial infarction).
        Composites and non-fatal events (stroke, bleeding, admission) are not survival
        comparisons; text that names no event at all keeps the ratio."""
        t = self.text
        lo = max(self.start, self._last_semicolon(self.start, cue[0]) + 1, previous_end if previous_end <= cue[0] else self.start)
        verdict = event_verdict(t[lo:value_start])
        if verdict is None:
            verdict = event_verdict(t[max(0, lo - EVENT_LOOKBACK):lo], nearest_only=True)
        if verdict == "all-cause death":
            attrs["endpoint"] = "OS"
        return verdict != "not survival"

    def _nearest_ratio_cue(self, pos: int) -> tuple[str, tuple[int, int]] | None:
        """The ratio cue ending at or before `pos` that starts last (a hazard-ratio cue on a tie)."""
        best = None
        for kind, spans, ends in (("hr", self.hr_cues, self._hr_ends), ("other", self.other_cues, self._other_ends)):
            k = bisect_right(ends, pos) - 1
            if k >= 0 and (best is None or spans[k][0] > best[1][0]):
                best = (kind, spans[k])
        return best

    def _attrs(self, m: Any, cue: tuple[int, int]) -> dict[str, Any]:
        t = self.text
        attrs: dict[str, Any] = {"value": parse_number(m.group(1))}
        iv = _interval_after(t, m.end(), self.end, attrs["value"])
        after = m.end()
        if iv and iv.start("lo") - m.end() <= 60 and parse_bounds(iv.group("lo"), iv.group("hi")) is not None:
            attrs["ci"] = parse_bounds(iv.group("lo"), iv.group("hi"))
            after = iv.end()
        p = self._p_value(m.start(), after, cue)
        if p:
            attrs["p"] = p
        endpoint = self._endpoint_at_value(m.start(), after, cue) or self._endpoint(cue)
        if endpoint:
            attrs["endpoint"] = endpoint
            if "p" not in attrs:
                p = self._endpoint_p_before(endpoint, cue[0])
                if p:
                    attrs["p"] = p
                    self._p_of_endpoint.add(m.start())
        return attrs

    def _p_value(self, value_start: int, after: int, cue: tuple[int, int]) -> str | None:
        t = self.text
        lo, hi = self._enclosure(value_start)
        # after the ratio: the first p-value after it, inside its bracket, when no other ratio
        # cue, endpoint or `n%` / `n months` (another comparison) stands between
        k = bisect_left(self._p_starts, after)
        if k < len(self._p_starts) and self._p_starts[k] < hi:
            ps, pe = self.p_values[k]
            h = bisect_left(self._hr_starts, after)  # (the ratio's own cue starts before `after`)
            other_ratio = h < len(self._hr_starts) and self._hr_starts[h] < ps
            endpoint_between = self._endpoints_before[bisect_left(self._cue_starts, ps)] > self._endpoints_before[bisect_left(self._cue_starts, after)]
            n = bisect_left(self._stop_starts, after)
            stop_between = n < len(self._stop_starts) and self._stop_ends[n] <= ps
            if not (other_ratio or endpoint_between or stop_between):
                return t[ps:pe]
        # before the ratio inside its own clause: `(PFS, P = 0.006, HR= 0.32)`
        seg_lo = max(lo, self._last_semicolon(lo, cue[0]) + 1)
        k = bisect_right(self._p_ends, cue[0]) - 1
        if k >= 0 and self._p_starts[k] >= seg_lo:
            ps, pe = self.p_values[k]
            return t[ps:pe]
        return None

    def _endpoint_at_value(self, value_start: int, after: int, cue: tuple[int, int]) -> str | None:
        """The endpoint written at the ratio itself: `and for progression 0.62 (...)` before an
        unlabelled ratio, `0.59 (0.48-0.72) for PFS` after any ratio and its interval."""
        t = self.text
        if value_start > cue[1] + 1:  # not the cue's own number: `... and for progression 0.62`
            before = _FOR_EVENT_BEFORE_RE.search(t, max(self.start, value_start - 60), value_start)
            named = self._event_endpoint(before.start("what"), before.end("what")) if before else None
            if named:
                return named
        after_m = _FOR_EVENT_AFTER_RE.match(t, after, self.end)
        return self._event_endpoint(after_m.end()) if after_m else None

    def _event_endpoint(self, pos: int, end: int | None = None) -> str | None:
        """The endpoint of the event or endpoint phrase at [pos, end) (`death`, `OS`); end open when None."""
        word = _EVENT_WORD_RE.match(self.text, pos, self.end)
        if word and (end is None or word.end() == end):
            return _WHAT_ENDPOINT[word.group().lower()]
        i = bisect_left(self._cue_starts, pos)
        ok = i < len(self.cues) and self.cues[i].start == pos and self.cues[i].kind == "endpoint"
        return self.cues[i].endpoint if ok and (end is None or self.cues[i].end == end) else None

    def _endpoint(self, cue: tuple[int, int]) -> str | None:
        t = self.text
        cs, ce = cue
        event = _rx(r"(?i)progression|recurrence|relapse|death|mortality|dying").search(t, cs, ce)
        if event:  # `risk ratio for death`, `relative risk of progression or death`
            return _WHAT_ENDPOINT.get(event.group().lower(), "OS")
        what = _FOR_WHAT_RE.match(t, ce, self.end)
        if what:
            key = what.group("what").lower().split()
            for word in key:
                if word in _WHAT_ENDPOINT:
                    return _WHAT_ENDPOINT[word]
        # `HR for OS`, `HR [95% CI] for overall survival`: only the first cue after a leading
        # bracket can be it (a cue inside the bracket leaves it open, and the text of that
        # first cue would stand in the way of any later one)
        bracket = _LEADING_BRACKET_RE.match(t, ce)
        if bracket or not _OPEN_AHEAD_RE.match(t, ce):
            i = bisect_left(self._cue_starts, bracket.end() if bracket else ce)
            if i < len(self.cues):
                c = self.cues[i]
                if c.kind == "endpoint" and _FOR_CUE_RE.fullmatch(t, ce, c.start):
                    return c.endpoint
        # `nPFS HR`, `progression-free survival hazard ratio`: an endpoint that ends right before
        # the cue (white space, commas and one short bracket between; `reach` is the farthest)
        reach = _CUE_BEFORE_REVERSE_RE.match(t, self.start, cs).start()
        for i in range(bisect_left(self._cue_ends, reach), bisect_right(self._cue_ends, cs)):
            c = self.cues[i]
            if c.kind == "endpoint" and _CUE_BEFORE_RE.fullmatch(t, c.end, cs):
                return c.endpoint
        lo, _ = self._enclosure(cs)
        seg_lo = max(lo, self._last_semicolon(lo, cs) + 1)
        got = self._endpoint_before(cs, seg_lo)
        if got:
            return got
        return self._endpoint_before(cs, self.start)

    def _endpoint_before(self, pos: int, lo: int) -> str | None:
        """The endpoint of the nearest endpoint phrase inside [lo, pos).

        Blockers (follow-up, response, ...) do not stop the search here: a hazard ratio is a
        time-to-event comparison, so the endpoint in front of it is the one it compares."""
        i = self._last_endpoint[bisect_right(self._cue_ends, pos)]
        if i >= 0 and self.cues[i].start >= lo:
            return self.cues[i].endpoint
        return None

    def _endpoint_p_before(self, endpoint: str, before: int) -> str | None:
        """`did not improve OS (p=0.68) or PFS (p=0.65); HR for OS was 0.92` -> p=0.68: the
        p-value in a bracket right after the first phrase of the same endpoint before the cue."""
        first = self._endpoint_p.get(endpoint)
        return first[1] if first is not None and first[0] <= before else None


def find_hazard_ratios(text: str, sentences: list[tuple[int, int]] | None = None) -> list[HazardRatio]:
    """All HAZARD_RATIO mentions in `text`; offsets are [start, end) into `text`. A text where
    `_HR_CUE_RE` finds no cue has none; that search is left out when a sentence's cue ends before
    the sentence (the match never read past it, so it matches in the whole text too)."""
    words = cue_words(text)
    if not has_cue_word(words, 0, len(text)):
        return []
    sents = bounded_sentences(text, sentences if sentences is not None else split_sentences(text))
    text_has_cue = None  # unknown until a sentence has one
    cues: list[Cue] | None = None
    starts: list[int] = []
    heart_rate = None  # (only asked about for a cue written `HR`)
    out: list[HazardRatio] = []
    for s, e in sents:
        if not has_cue_word(words, s, e):
            continue
        hr_cues = list(_HR_CUE_RE.finditer(text, s, e))
        if not hr_cues:
            continue
        if text_has_cue is None:
            text_has_cue = ends_inside(hr_cues, e) or bool(_HR_CUE_RE.search(text))
            if not text_has_cue:
                return []
            cues = lexicon().find_cues(text)
            starts = [c.start for c in cues]  # in text order
        if heart_rate is None and written_hr(hr_cues):
            heart_rate = bool(_HEART_RATE_RE.search(text))
        mine = [c for c in cues[bisect_left(starts, s) : bisect_left(starts, e)] if c.end <= e]
        out.extend(_HRSentence(text, s, e, mine, bool(heart_rate), hr_cues).find())
    return out


@Language.component("abstracts_hazard_ratios", assigns=["doc.spans"])
def hazard_ratio_component(doc: Doc) -> Doc:
    hits = find_hazard_ratios(doc_text(doc), sentence_ranges(doc))
    return add_entity_spans(doc, hits, "HAZARD_RATIO", "hazard_ratio_misaligned")
