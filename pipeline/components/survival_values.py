"""Survival values in one sentence: reserved stretches, value chains, the cues around them.

`_Sentence` does the work on one sentence for pipeline.components.survival: it sets aside
confidence intervals, ranges, p-values, time points and counts, reads the remaining numbers
with a time or % unit as chains that may share one trailing unit (`4.4 and 4.5 months`,
`_Item`), and answers questions about them (the cue that governs a value, the endpoint
written right after it, its measure and horizon). `elliptic_cues` adds the shortened
endpoints of a list (`disease-specific and overall survival`) to the sentence's cues.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import regex

from pipeline.components.stat_patterns import (
    _BARE_RANGE_RE,
    BARE_INTERVAL_RE,
    CI_PREFIX_RE,
    CI_RE,
    NUM,
    NUM_RE,
    OPEN_CI_RE,
    RANGE_RE,
    Stretches,
    _rx,
    find_p_values,
    is_value,
    parse_bounds,
    parse_number,
)
from pipeline.components.survival_terms import Cue, SurvivalLexicon

_PM = r"(?P<pm>\s*(?:±|\+/-|\+-|\+/−)\s*(?P<se>" + NUM + r"))?"
_BRACKET = r"(?P<br>\s*(?:\((?:[^()]|\([^()]*\))*\)|\[[^\[\]]*\]))?"
_SEP_RE = regex.compile(r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+|\s*(?i:vs)\.?\s*|\s+(?:versus|v\.?)\s+)(?=[<>≤≥]?\s*\d)")
_QUALIFIER_RE = regex.compile(
    r"(?P<q>(?<![\w-])(?i:less than|fewer than|shorter than|under|below|more than|greater than|longer than|over|above|exceeding|at least|up to|at most)|<|>|≤|≥|<=|>=)\s*$"
)
_QUALIFIER_MAP = {
    "less than": "<", "fewer than": "<", "shorter than": "<", "under": "<", "below": "<",
    "more than": ">", "greater than": ">", "longer than": ">", "over": ">", "above": ">", "exceeding": ">",
    "at least": "≥", "up to": "≤", "at most": "≤", "<": "<", ">": ">", "≤": "≤", "≥": "≥", "<=": "≤", ">=": "≥",
}
_MEASURE_RE = regex.compile(
    r"(?<![\w-])(?:(?P<median>median|MST|mOS|mPFS)|(?P<mean>mean|average))(?![\w-])(?!\s*(?:,\s*)?(?:follow|duration of follow|time to follow|observation|age|exposure|dose|number))",
    regex.IGNORECASE,
)
# `at 1, 2 and 3 years`. The numbers before `and` take no decimal comma (`1,5` is read as
# two numbers, which covers the same texts) and are possessive (a number given back could
# never be followed by `and`): the same matches as with backtracking, without its
# exponential cases (`at 1,1,1,...`)
_HORIZON_AT_LIST_RE = regex.compile(
    r"(?<![\w-])(?i:at|after)\s+(?P<nums>\d++(?:[.·]\d++)?+(?:\s*,\s*\d++(?:[.·]\d++)?+)*+\s*,?\s*(?:and|or)\s+\d++(?:[.,·]\d++)?+)"
    r"\s*(?P<unit>(?i:years?|months?|weeks?|days?))(?![\w-])"
)
_PERCENT_AFTER_DIGIT_RE = regex.compile(r"\d\s*%")
_CONTRAST_RE = regex.compile(r"(?i:\b(?:though|although|but|however|whereas|except)\b)")
_RATE_WORD_RE = regex.compile(r"\s*(?i:rates?|probabilit)")
_CUE_GAP_RE = regex.compile(r"\s+(?:(?i:median|mean|overall|actuarial|estimated)[\s,]+){0,2}")
_BEFORE_ENDPOINT_RE = regex.compile(
    r"\s+(?:(?:overall|actuarial|estimated|cumulative|hepatic|liver)\s+)?(?:[\w]+[- ‐])?"
    r"(?:surviv|OS\b|[a-z]?PFS|DFS|RFS|EFS|DSS|CSS|progression|disease|recurrence|relapse|event|cancer|tumou?r)"
)
_CONNECT_RE = regex.compile(
    r"\s*\)?\s*(?:\([^()]{1,12}\)\s*)?(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|/\s*|&\s*)(?:the\s+)?(?:(?:median|mean|overall)\s+)?"
)


@dataclass
class _Item:
    start: int  # number start
    end: int  # span end (number, or number + own unit)
    stop: int  # where the item's text (bracket, unit) ends
    value: int | float
    unit: str | None
    attrs: dict[str, Any] = field(default_factory=dict)
    chain: int = 0
    contrast: bool = False  # joined to the previous value by vs/versus
    horizon: str | None = None
    group: str | None = None
    qualifier: str | None = None


class _Sentence:
    """The work on one sentence: reserved stretches, items, cues."""

    def __init__(self, lex: SurvivalLexicon, text: str, start: int, end: int, cues: list[Cue]):
        self.lex, self.text, self.start, self.end = lex, text, start, end
        self.reserved: list[tuple[int, int]] = []
        self.horizons_pre: list[tuple[int, int, str]] = []
        self.horizons_list: list[tuple[int, int, list[str]]] = []
        self.horizons_post: list[tuple[int, int, str]] = []
        self.p_values = find_p_values(text, start, end)
        self._reserve()
        self._reserved = Stretches(self.reserved)
        self.cues = elliptic_cues(lex, text, start, end, [c for c in cues if not self.is_reserved(c.start)])
        self._index_cues()
        # positions read by the per-value questions below, found once per sentence
        self._semicolons = _positions(text, ";", start, end)
        percents = [(m.start(), m.end()) for m in _PERCENT_AFTER_DIGIT_RE.finditer(text, start, end)]
        self._percent_starts = [a for a, _ in percents]
        self._percent_ends = [b for _, b in percents]
        contrasts = [(m.start(), m.end()) for m in _CONTRAST_RE.finditer(text, start, end)]
        self._contrast_starts = [a for a, _ in contrasts]
        self._contrast_ends = [b for _, b in contrasts]
        measures = [(m.start(), m.end(), "median" if m.group("median") else "mean") for m in _MEASURE_RE.finditer(text, start, end)]
        self._measures = measures
        self._measure_starts = [a for a, _, _ in measures]
        self._measure_ends = [b for _, b, _ in measures]
        self._post_starts = [h[0] for h in self.horizons_post]
        self._post_ends = [h[1] for h in self.horizons_post]
        self._pre_starts = [h[0] for h in self.horizons_pre]
        self._pre_ends = [h[1] for h in self.horizons_pre]
        self._lists = (_HorizonLists(self._list_matches), _HorizonLists(self._at_list_matches))

    def is_reserved(self, pos: int) -> bool:
        return self._reserved.covers(pos)

    def _index_cues(self) -> None:
        """Prefix tables over the cues, so that each question about a value is a binary search."""
        cues, text = self.cues, self.text
        self._cue_index: dict[Cue, int] = {}
        self._cue_start_max: list[int] = []  # running maximum: bisect finds the first cue starting at/after x
        self._cue_end_max: list[int] = []  # ... and the first cue ending after x
        self._last_governing: list[Cue | None] = [None]  # [i]: last non-boundary cue among cues[:i]
        self._lead: list[int] = []  # [i]: first cue of the coordinated list ending with cue i
        self._endpoints: list[int] = [0]  # [i]: endpoint cues among cues[:i]
        for i, cue in enumerate(cues):
            self._cue_index.setdefault(cue, i)
            self._cue_start_max.append(max(cue.start, self._cue_start_max[-1]) if i else cue.start)
            self._cue_end_max.append(max(cue.end, self._cue_end_max[-1]) if i else cue.end)
            self._last_governing.append(cue if cue.kind != "boundary" else self._last_governing[-1])
            self._endpoints.append(self._endpoints[-1] + (cue.kind == "endpoint"))
            lead = i
            if i > 0:
                prev = cues[i - 1]
                if prev.kind != "boundary" and _CONNECT_RE.fullmatch(text, prev.end, cue.start):
                    lead = self._lead[i - 1]
            self._lead.append(lead)

    def contrast_between(self, lo: int, hi: int) -> bool:
        """Is a contrast word (`though`, `but`, `whereas` ...) written inside [lo, hi)?"""
        k = bisect_left(self._contrast_starts, lo)
        return k < len(self._contrast_starts) and self._contrast_ends[k] <= hi

    def has_cue(self, cue: Cue) -> bool:
        return cue in self._cue_index

    def coordinated(self, cue: Cue) -> "_CueList":
        """`PFS and OS`, `disease-free survival and overall survival`: the cues written as one
        list, ending with `cue` (a cue of this sentence)."""
        i = self._cue_index[cue]
        lead = self._lead[i]
        return _CueList(self.cues, lead, i + 1, self._endpoints[i + 1] - self._endpoints[lead] > 0)

    def _reserve(self) -> None:
        t, s, e, lex = self.text, self.start, self.end, self.lex
        for rx in (CI_RE, RANGE_RE, OPEN_CI_RE, CI_PREFIX_RE):
            for m in rx.finditer(t, s, e):
                u = lex.unit_re.match(t, m.end(), e)
                self.reserved.append((m.start(), u.end() if u else m.end()))
        self.reserved.extend(self.p_values)
        self._list_matches: list[tuple[int, int, list[str]]] = []
        for m in lex.horizon_list_re.finditer(t, s, e):
            if m.group("unit") is None:
                continue  # a list of `1-, 2-, ...` that no time unit closes
            nums = _rx(r"\d+").findall(m.group("nums"))
            self._list_matches.append((m.start(), m.end(), [f"{n}-{m.group('unit')}" for n in nums]))
            self.reserved.append((m.start(), m.end()))
        self._at_list_matches: list[tuple[int, int, list[str]]] = []
        for m in _HORIZON_AT_LIST_RE.finditer(t, s, e):
            nums = _rx(r"\d+(?:[.,·]\d+)?").findall(m.group("nums"))
            unit = m.group("unit")
            singular = _rx(r"s$").sub("", unit)
            self._at_list_matches.append((m.start(), m.end(), [f"{n} {singular if n == '1' else unit}" for n in nums]))
            self.reserved.append((m.start("nums"), m.end()))
        self.horizons_list = self._list_matches + self._at_list_matches
        for m in lex.horizon_post_re.finditer(t, s, e):
            self.horizons_post.append((m.start(), m.end(), m.group("h")))
            self.reserved.append((m.start("h"), m.end()))
        for m in lex.horizon_pre_re.finditer(t, s, e):
            h = m.group("h")
            if _rx(r"[-‐]").search(h) or not h[0].isdigit():
                self.horizons_pre.append((m.start(), m.end(), h))
                self.reserved.append((m.start(), m.end()))
            elif _BEFORE_ENDPOINT_RE.match(t, m.end(), e):
                # `a 2 year survival rate of 28%`; whether `16 month PFS` is a value is decided later
                self.horizons_pre.append((m.start(), m.end(), h))
        # intervals written outside brackets (`28-39%`, `4-6 cycles`) and counts (`n = 7`)
        for m in _BARE_RANGE_RE.finditer(t, s, e):
            self.reserved.append((m.start(), m.end()))
        for m in _rx(r"(?<![\w-])[nN]\s*[=:]\s*\d+").finditer(t, s, e):
            self.reserved.append((m.start(), m.end()))

    # -- items ---------------------------------------------------------------------------

    def _bracket_attrs(self, content_start: int, content_end: int) -> dict[str, Any] | None:
        """CI / range / IQR read from a bracket after a value; None when it holds none."""
        t = self.text
        # the interval must open the bracket: in `(HR 0.75, 95% CI 0.61-0.92)` it is the ratio's
        lead = _rx(r"\s*").match(t, content_start, content_end).end()
        # (a bound of more than MAX_DIGITS digits is not a value: then the bracket holds none)
        m = CI_RE.match(t, lead, content_end)
        if m:
            bounds = parse_bounds(m.group("lo"), m.group("hi"))
            return {"ci": bounds} if bounds else None
        if OPEN_CI_RE.match(t, lead, content_end):
            return {}  # `(95% CI 52.8-not reached)`: the value's interval, with no `ci`
        m = RANGE_RE.match(t, lead, content_end)
        if m:
            key = "range" if m.group("kind").lower() == "range" else "iqr"
            bounds = parse_bounds(m.group("lo"), m.group("hi"))
            return {key: bounds} if bounds else None
        m = BARE_INTERVAL_RE.match(t, content_start, content_end)
        if m and _rx(r"\s*(?:%|[A-Za-z]+)?\s*(?:[;,]|$)").match(t[m.end() : content_end]):
            bounds = parse_bounds(m.group("lo"), m.group("hi"))
            return {"ci": bounds} if bounds else None
        return None

    def _parse_item(self, m: Any) -> _Item:
        t, e, lex = self.text, self.end, self.lex
        pos = m.end()
        item = _Item(m.start(), m.end(), m.end(), parse_number(m.group(1)), None)
        pm = _rx(_PM).match(t, pos, e)
        if pm and pm.group("pm") and is_value(pm.group("se")):
            item.attrs["se"] = parse_number(pm.group("se"))
            pos = item.stop = pm.end()
        u1 = lex.unit_re.match(t, pos, e)
        if u1:
            item.unit = lex.unit_of[_rx(r"\s+").sub(" ", u1.group("unit").lower())]
            if "se" not in item.attrs:
                item.end = u1.end()
            pos = item.stop = u1.end()
        br = _rx(_BRACKET).match(t, pos, e)
        if br and br.group("br"):
            inner_start = br.start("br") + len(br.group("br")) - len(br.group("br").lstrip())
            got = self._bracket_attrs(inner_start + 1, br.end() - 1)
            if got is not None:
                item.attrs.update(got)
                pos = item.stop = br.end()
                if item.unit is None:
                    u2 = lex.unit_re.match(t, pos, e)
                    if u2:
                        item.unit = lex.unit_of[_rx(r"\s+").sub(" ", u2.group("unit").lower())]
                        pos = item.stop = u2.end()
        # `; range, 6-26 months` / `, 95% CI 3.1-15.3` written after the value
        tail = _rx(r"\s*[;,]\s*").match(t, item.stop, e)
        if tail:
            for rx in (CI_RE, RANGE_RE):
                mm = rx.match(t, tail.end(), e)
                if mm and parse_bounds(mm.group("lo"), mm.group("hi")):
                    if rx is CI_RE:
                        item.attrs.setdefault("ci", parse_bounds(mm.group("lo"), mm.group("hi")))
                    else:
                        key = "range" if mm.group("kind").lower() == "range" else "iqr"
                        item.attrs.setdefault(key, parse_bounds(mm.group("lo"), mm.group("hi")))
        q = _QUALIFIER_RE.search(t, max(self.start, item.start - 14), item.start)
        if q:
            item.qualifier = _QUALIFIER_MAP[q.group("q").lower()]
        return item

    def items(self) -> list[_Item]:
        out: list[_Item] = []
        chains = 0
        consumed = self.start
        t, e = self.text, self.end
        for m in NUM_RE.finditer(t, self.start, e):
            if m.start() < consumed or self.is_reserved(m.start()) or not is_value(m.group(1)):
                continue
            chain = [self._parse_item(m)]
            while True:
                sep = _SEP_RE.match(t, chain[-1].stop, e)
                if not sep:
                    break
                nxt = NUM_RE.match(t, _rx(r"\s*[<>≤≥]?\s*").match(t, sep.end(), e).end(), e)
                if not nxt or self.is_reserved(nxt.start()) or not is_value(nxt.group(1)):
                    break
                chain.append(self._parse_item(nxt))
                chain[-1].contrast = bool(_rx(r"(?i)\bv").search(sep.group()))
            consumed = chain[-1].stop
            # a shared trailing unit: `4.4 and 4.5 months`
            unit = None
            for item in reversed(chain):
                if item.unit is not None:
                    unit = item.unit
                elif unit is not None:
                    item.unit = unit
            chains += 1
            for item in chain:
                item.chain = chains
                if item.unit is not None:
                    out.append(item)
        return out

    # -- context ---------------------------------------------------------------------

    def governing_cue(self, item: _Item) -> Cue | None:
        """The last non-boundary cue among those before the first cue not ending before the value."""
        return self._last_governing[bisect_right(self._cue_end_max, item.start)]

    def cue_after(self, item: _Item) -> Cue | None:
        """`16 month hepatic progression-free survival`: the endpoint right after the value."""
        i = bisect_left(self._cue_start_max, item.stop)
        if i == len(self.cues):
            return None
        cue = self.cues[i]
        if _CUE_GAP_RE.fullmatch(self.text, item.stop, cue.start) and cue.kind == "endpoint":
            return cue
        return None

    def clause_after_has_rate(self, pos: int) -> bool:
        """Does the clause from `pos` to the next `;` open with `rate` or hold a `n%`?"""
        k = bisect_left(self._semicolons, pos)
        clause_end = self._semicolons[k] if k < len(self._semicolons) else self.end
        if pos > clause_end:  # `pos` past the sentence: an empty clause
            return False
        if _RATE_WORD_RE.match(self.text, pos, clause_end):
            return True
        k = bisect_left(self._percent_starts, pos)
        return k < len(self._percent_starts) and self._percent_ends[k] <= clause_end

    def window_start(self, cue: Cue, prev_stop: int) -> int:
        """Where the words about a value may start: `median`, `3-year` before its endpoint
        phrase (the first phrase of a coordinated list: `Median PFS (PFS) and OS were`)."""
        lead = self.coordinated(cue)[0] if self.has_cue(cue) else cue
        k = bisect_left(self._semicolons, lead.start) - 1
        semi = self._semicolons[k] if k >= 0 else -1
        return max(self.start, prev_stop, lead.start - 40, semi + 1)

    def measure(self, cue: Cue, item: _Item, prev_stop: int) -> str:
        if item.unit == "%":
            return "rate"
        if cue.measure:
            return cue.measure
        found = None
        # the last `median` / `mean` between the window start and the value
        first = bisect_left(self._measure_starts, self.window_start(cue, prev_stop))
        last = bisect_right(self._measure_ends, item.start) - 1
        if last >= first:
            found = self._measures[last][2]
        if found is None:
            after = _rx(r"\s*(?:\(\s*)?(?i:median|mean)\b").match(self.text, item.stop, self.end)
            if after:
                found = after.group().strip(" (").lower()
        return found or "unspecified"

    def horizon_for(self, cue: Cue, item: _Item, index: int, prev_stop: int) -> str | None:
        if item.horizon:
            return item.horizon
        # the last `at 5 years` between the cue and the value
        first = bisect_left(self._post_starts, cue.end)
        last = bisect_right(self._post_ends, item.start) - 1
        if last >= first:
            return self.horizons_post[last][2]
        lo = self.window_start(cue, prev_stop)
        hi = max(cue.end, item.start)
        # the last list in [lo, hi): one of `at 1, 2 and 3 years` if any, else one of `1-, 3-year`
        ranges = [lists.within(lo, hi) for lists in self._lists]
        chosen = next((lists.spans[r[1] - 1] for lists, r in zip(reversed(self._lists), reversed(ranges)) if r[1] > r[0]), None)
        # the last `3-year` in [lo, cue.end + 1] that is not part of one of those lists
        pre = None
        k = bisect_right(self._pre_ends, cue.end + 1) - 1
        while k >= 0 and self.horizons_pre[k][0] >= lo:
            h = self.horizons_pre[k]
            inside = [lists.container(h[0], r) for lists, r in zip(self._lists, ranges)]
            inside = [c for c in inside if c is not None]
            if not inside:
                pre = h
                break
            # every `3-year` from the start of the list that holds this one on is inside it too
            k = min(k - 1, bisect_left(self._pre_starts, min(c[0] for c in inside)) - 1)
        if chosen is not None and (pre is None or chosen[0] >= pre[0]):
            names = chosen[2]
            return names[index % len(names)]
        if pre is not None:
            return pre[2]
        return None


def elliptic_cues(lex: SurvivalLexicon, text: str, start: int, end: int, cues: list[Cue]) -> list[Cue]:
    """`cues` (sorted, of the sentence [start, end)) with a cue for each shortened endpoint that
    leads a list closed by an endpoint phrase: `disease-specific and overall survival`,
    `disease-free, distant metastasis-free and overall survival` (`elliptic_endpoints` in the
    data file). Each is an endpoint cue (a blocker of category `other_endpoint` for a form with
    no endpoint), so the list is coordinated like `DSS and OS` and its values are distributed.
    A form not joined (`_CONNECT_RE`) to one more such form or to the endpoint phrase, or inside
    a cue phrase, is no cue. One pass from the right, a binary search per form: linear."""
    forms = list(lex.elliptic_re.finditer(text, start, end))
    if not forms:
        return cues
    starts = [c.start for c in cues]
    ends = [c.end for c in cues]
    kept: list[Cue] = []
    next_start, next_ok = end, False  # where the thing after a form starts; may a form join it?
    for m in reversed(forms):
        k = bisect_left(starts, m.end())  # the first cue after the form
        if bisect_right(ends, m.start()) < k:
            next_start, next_ok = m.start(), False  # inside a cue phrase
            continue
        if k < len(cues) and cues[k].start < next_start:
            next_start, next_ok = cues[k].start, cues[k].kind == "endpoint"
        if next_ok and _CONNECT_RE.fullmatch(text, m.end(), next_start):
            endpoint = lex.elliptic_endpoints[int(m.lastgroup[1:])]
            kind, category = ("endpoint", None) if endpoint else ("blocker", "other_endpoint")
            kept.append(Cue(m.start(), m.end(), kind, endpoint, category=category))
            next_start, next_ok = m.start(), True
        else:
            next_start, next_ok = m.start(), False
    if not kept:
        return cues
    return sorted(cues + kept, key=lambda c: c.start)


def _positions(text: str, char: str, start: int, end: int) -> list[int]:
    """Every index of `char` in text[start:end]."""
    out = []
    i = text.find(char, start, end)
    while i >= 0:
        out.append(i)
        i = text.find(char, i + 1, end)
    return out


class _HorizonLists:
    """One family of time-point lists of a sentence (in text order, never overlapping)."""

    def __init__(self, spans: list[tuple[int, int, list[str]]]):
        self.spans = spans
        self.starts = [h[0] for h in spans]
        self.ends = [h[1] for h in spans]

    def within(self, lo: int, hi: int) -> tuple[int, int]:
        """Index range of the lists with lo <= start and end <= hi."""
        return bisect_left(self.starts, lo), max(bisect_left(self.starts, lo), bisect_right(self.ends, hi))

    def container(self, pos: int, rng: tuple[int, int]) -> tuple[int, int, list[str]] | None:
        """The list of index range `rng` that covers `pos`, if any."""
        i = bisect_right(self.starts, pos, rng[0], rng[1]) - 1
        if i >= rng[0] and pos < self.ends[i]:
            return self.spans[i]
        return None


class _CueList(Sequence):
    """cues[lo:hi] without copying them, and whether any of them is an endpoint."""

    def __init__(self, cues: list[Cue], lo: int, hi: int, has_endpoint: bool):
        self._cues, self._lo, self._hi = cues, lo, hi
        self.has_endpoint = has_endpoint

    def __len__(self) -> int:
        return self._hi - self._lo

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._cues[self._lo + j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._cues[self._lo + i]


def _coordinated(st: _Sentence, cue: Cue) -> _CueList:
    """`PFS and OS`, `disease-free survival and overall survival`: the cues written as one list."""
    return st.coordinated(cue)
