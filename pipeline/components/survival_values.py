"""Survival values in one sentence: reserved stretches, value chains, the cues around them.

`_Sentence` does the work on one sentence for pipeline.components.survival: it sets aside
confidence intervals, ranges, p-values, time points and counts, reads the remaining numbers
with a time or % unit as chains that may share one trailing unit (`4.4 and 4.5 months`,
`_Item`), and answers questions about them (the cue that governs a value, the endpoint
written right after it, its measure and horizon).
"""

from __future__ import annotations

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
    RANGE_RE,
    _rx,
    find_p_values,
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
_HORIZON_AT_LIST_RE = regex.compile(
    r"(?<![\w-])(?i:at|after)\s+(?P<nums>\d+(?:[.,·]\d+)?(?:\s*,\s*\d+(?:[.,·]\d+)?)*\s*,?\s*(?:and|or)\s+\d+(?:[.,·]\d+)?)"
    r"\s*(?P<unit>(?i:years?|months?|weeks?|days?))(?![\w-])"
)
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
        self.cues = [c for c in cues if not self.is_reserved(c.start)]

    def is_reserved(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.reserved)

    def _reserve(self) -> None:
        t, s, e, lex = self.text, self.start, self.end, self.lex
        for rx in (CI_RE, RANGE_RE, CI_PREFIX_RE):
            for m in rx.finditer(t, s, e):
                u = lex.unit_re.match(t, m.end(), e)
                self.reserved.append((m.start(), u.end() if u else m.end()))
        self.reserved.extend(self.p_values)
        for m in lex.horizon_list_re.finditer(t, s, e):
            nums = _rx(r"\d+").findall(m.group("nums"))
            self.horizons_list.append((m.start(), m.end(), [f"{n}-{m.group('unit')}" for n in nums]))
            self.reserved.append((m.start(), m.end()))
        for m in _HORIZON_AT_LIST_RE.finditer(t, s, e):
            nums = regex.findall(r"\d+(?:[.,·]\d+)?", m.group("nums"))
            unit = m.group("unit")
            singular = regex.sub(r"s$", "", unit)
            self.horizons_list.append((m.start(), m.end(), [f"{n} {singular if n == '1' else unit}" for n in nums]))
            self.reserved.append((m.start("nums"), m.end()))
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
        m = CI_RE.match(t, lead, content_end)
        if m:
            return {"ci": [parse_number(m.group("lo")), parse_number(m.group("hi"))]}
        m = RANGE_RE.match(t, lead, content_end)
        if m:
            key = "range" if m.group("kind").lower() == "range" else "iqr"
            return {key: [parse_number(m.group("lo")), parse_number(m.group("hi"))]}
        m = BARE_INTERVAL_RE.match(t, content_start, content_end)
        if m and _rx(r"\s*(?:%|[A-Za-z]+)?\s*(?:[;,]|$)").match(t[m.end() : content_end]):
            return {"ci": [parse_number(m.group("lo")), parse_number(m.group("hi"))]}
        return None

    def _parse_item(self, m: Any) -> _Item:
        t, e, lex = self.text, self.end, self.lex
        pos = m.end()
        item = _Item(m.start(), m.end(), m.end(), parse_number(m.group(1)), None)
        pm = _rx(_PM).match(t, pos, e)
        if pm and pm.group("pm"):
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
                if mm:
                    if rx is CI_RE:
                        item.attrs.setdefault("ci", [parse_number(mm.group("lo")), parse_number(mm.group("hi"))])
                    else:
                        key = "range" if mm.group("kind").lower() == "range" else "iqr"
                        item.attrs.setdefault(key, [parse_number(mm.group("lo")), parse_number(mm.group("hi"))])
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
            if m.start() < consumed or self.is_reserved(m.start()):
                continue
            chain = [self._parse_item(m)]
            while True:
                sep = _SEP_RE.match(t, chain[-1].stop, e)
                if not sep:
                    break
                nxt = NUM_RE.match(t, _rx(r"\s*[<>≤≥]?\s*").match(t, sep.end(), e).end(), e)
                if not nxt or self.is_reserved(nxt.start()):
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
        before = None
        for cue in self.cues:
            if cue.end <= item.start:
                if cue.kind != "boundary":
                    before = cue
            else:
                break
        return before

    def cue_after(self, item: _Item) -> Cue | None:
        """`16 month hepatic progression-free survival`: the endpoint right after the value."""
        for cue in self.cues:
            if cue.start >= item.stop:
                gap = self.text[item.stop : cue.start]
                if _rx(r"\s+(?:(?i:median|mean|overall|actuarial|estimated)[\s,]+){0,2}").fullmatch(gap) and cue.kind == "endpoint":
                    return cue
                return None
        return None

    def clause_after_has_rate(self, pos: int) -> bool:
        m = _rx(r"[^;]*").match(self.text, pos, self.end)
        clause = m.group() if m else ""
        return bool(_rx(r"\s*(?i:rates?|probabilit)").match(clause) or _rx(r"\d\s*%").search(clause))

    def window_start(self, cue: Cue, prev_stop: int) -> int:
        """Where the words about a value may start: `median`, `3-year` before its endpoint
        phrase (the first phrase of a coordinated list: `Median PFS (PFS) and OS were`)."""
        lead = _coordinated(self, cue)[0] if cue in self.cues else cue
        semi = self.text.rfind(";", self.start, lead.start)
        return max(self.start, prev_stop, lead.start - 40, semi + 1)

    def measure(self, cue: Cue, item: _Item, prev_stop: int) -> str:
        if item.unit == "%":
            return "rate"
        if cue.measure:
            return cue.measure
        found = None
        for m in _MEASURE_RE.finditer(self.text, self.window_start(cue, prev_stop), item.start):
            found = "median" if m.group("median") else "mean"
        if found is None:
            after = _rx(r"\s*(?:\(\s*)?(?i:median|mean)\b").match(self.text, item.stop, self.end)
            if after:
                found = after.group().strip(" (").lower()
        return found or "unspecified"

    def horizon_for(self, cue: Cue, item: _Item, index: int, prev_stop: int) -> str | None:
        if item.horizon:
            return item.horizon
        posts = [h for h in self.horizons_post if cue.end <= h[0] and h[1] <= item.start]
        if posts:
            return posts[-1][2]
        lo = self.window_start(cue, prev_stop)
        lists = [h for h in self.horizons_list if lo <= h[0] and h[1] <= max(cue.end, item.start)]
        pres = [h for h in self.horizons_pre if lo <= h[0] and h[1] <= cue.end + 1 and not any(l[0] <= h[0] < l[1] for l in lists)]
        if lists and (not pres or lists[-1][0] >= pres[-1][0]):
            names = lists[-1][2]
            return names[index % len(names)]
        if pres:
            return pres[-1][2]
        return None



def _coordinated(st: _Sentence, cue: Cue) -> list[Cue]:
    """`PFS and OS`, `disease-free survival and overall survival`: the cues written as one list."""
    chain = [cue]
    idx = st.cues.index(cue)
    while idx > 0:
        prev = st.cues[idx - 1]
        if prev.kind == "boundary":
            break
        gap_m = _CONNECT_RE.fullmatch(st.text, prev.end, chain[0].start)
        if not gap_m:
            break
        chain.insert(0, prev)
        idx -= 1
    return chain

