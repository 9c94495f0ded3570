"""Hazard ratios written as one list for a list of endpoints, matched by `respectively`.

The pure function is `listed_endpoints(text, start, end, ratios, cues)` on one sentence:
`The hazard ratios for OS and PFS were 0.68 (95% CI, 0.55 to 0.84) and 0.59 (...),
respectively` -> `{0: "OS", 1: "PFS"}` (index into `ratios` -> endpoint, None for a listed
item that is no survival endpoint). pipeline.components.hazard_ratios gives each ratio of
such a list that endpoint in place of the one it read near the ratio.

- A list of ratios is a run of ratios with nothing between them but their intervals,
  p-values, ratio cues (`HR`), `and` and punctuation.
- A list of endpoints is a run of endpoint phrases (`OS`, `overall survival (OS)`), event
  words (`death`, `disease progression`) and elliptic forms (`progression-free and overall
  survival`), joined by `,`, `and`, `and for`, `as well as`. Its items come from
  `data/survival_terms.json`: the `endpoints`, blocker phrases of the categories in
  `hazard_ratio_lists.item_blockers` (items without an endpoint: `time to treatment
  failure`), `hazard_ratio_events.cause_specific_death` (also without one) and
  `hazard_ratio_lists.events`.
- The endpoints are written after the ratios (`HRs of 0.68 and 0.59 for OS and PFS,
  respectively`), or before them in the same clause, with no `;` and no `and` / `or`
  joining other words between (`HRs for OS and PFS were ...`, `OS and PFS were longer
  with X (HRs ...`, but not `HRs in men and women were ...`); the marker
  (`respectively`, `in that order`) closes the ratios or stands between the endpoints and
  the ratios (`were, respectively, 0.68 and 0.59`).
- The two lists must be the same length; otherwise nothing is distributed.
- p-values and intervals written as a list after the ratios and closed by the marker go to
  the ratios in order (`statistics`: `0.68 and 0.59 (P = .01 and P < .001, respectively)`).
- A number with no cue or interval of its own that goes on with a list of ratios closed by
  a marker is a ratio of the list (`continuations`: `HRs of 0.68 and 0.59 for OS and PFS,
  respectively`, `HRs were 0.7 and 0.8 for arm A and arm B, respectively`).

Every question is a binary search or a look-up in tables built once per sentence, so the
work is linear in the length of the sentence.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Sequence

import regex

from pipeline.components.stat_patterns import (
    CI_PREFIX_RE,
    CI_RE,
    DASH,
    NUM,
    NUM_RE,
    NUM_START,
    OPEN_CI_RE,
    P_RE,
    Stretches,
    _rx,
    is_value,
    parse_bounds,
    parse_number,
)
from pipeline.components.survival_terms import Cue, item_matcher, load_terms

MAX_BEFORE = 150  # characters between a list of endpoints and the first of its ratios
MAX_JOIN = 40  # characters between two items of a list of endpoints
MAX_AFTER = 80  # characters between a list of ratios and the marker after the words it is for

# what joins two items of a list of endpoints (`OS and PFS`, `death and for progression`,
# `OS, PFS, and DFS`, `overall survival (OS) as well as ...`)
_JOIN_RE = regex.compile(
    r"\s*(?:\([^()]{0,15}\)\s*)?(?:,\s*(?:and\s+)?|and\s+|as\s+well\s+as\s+)(?:(?:for|of|in|with)\s+)?(?:the\s+)?(?:(?:risk|hazard)\s+of\s+)?",
    regex.IGNORECASE,
)
# what introduces a list of endpoints written after the ratios
_INTRO_RE = regex.compile(r"(?:for|in|of|with\s+respect\s+to)\s+(?:the\s+)?(?:(?:risk|hazard)\s+of\s+)?", regex.IGNORECASE)
_AFTER_MARKER_RE = regex.compile(r"\s*,?\s*")
_LIST_TO_MARKER_RE = regex.compile(r"[\s,]*")
_CLAUSE_END_RE = regex.compile(r"\s*(?:[.;,:)\]]|$)")
# stretches a list of ratios may have between its numbers (besides punctuation)
_INTERVAL_RE = regex.compile(NUM_START + r"(?P<lo>" + NUM + r")\s*%?\s*" + DASH + r"\s*(?P<hi>[-−]?" + NUM + ")")
_BRACKET_PAIR_RE = regex.compile(r"[(\[]\s*" + NUM + r"\s*[,;]\s*" + NUM + r"\s*[)\]]")  # `0.58 (0.384, 0.876)`
_AND_RE = regex.compile(r"(?<![\w-])(?i:and)(?![\w-])")
_AND_OR_RE = regex.compile(r"(?<![\w-])(?i:and|or)(?![\w-])")
_DIRTY_RE = regex.compile(r"[^\s,;:=()\[\]]+")
_NUMBER_BEFORE_RE = regex.compile(r"\d\s*(?:%|[A-Za-z]{1,8})?\s*,?\s*$")
_MARKER_BEFORE_RE = regex.compile(r"(?i:respectively|resp\.)\s*,?\s*$")
_COMMA_BEFORE_RE = regex.compile(r",\s*$")
_NUMBER_AFTER_RE = regex.compile(r"\s*[<>≤≥]?\d")
_CLAUSE_AFTER_RE = regex.compile(r"\s+(?i:the|its|their|this|these|a|an)(?![\w-])")
_SEMICOLON_RE = regex.compile(";")
_JOINED_RE = regex.compile(r",|(?<![\w-])(?i:and)(?![\w-])")


@dataclass(frozen=True)
class _Item:
    start: int
    end: int
    endpoint: str | None


@dataclass(frozen=True)
class _ListData:
    markers: Any
    events: Any
    endpoints: tuple[str | None, ...]  # of the named groups e0, e1, ... of `events`
    item_blockers: frozenset[str]


@lru_cache(maxsize=1)
def _data() -> _ListData:
    terms = load_terms()
    lists = terms["hazard_ratio_lists"]
    entries = [(rec["pattern"], rec["endpoint"]) for rec in lists["events"] + terms["elliptic_endpoints"]["forms"]]
    entries += [(p, None) for p in terms["hazard_ratio_events"]["cause_specific_death"]]
    events, endpoints = item_matcher(entries)
    markers = regex.compile(r"(?<![\w-])(?:" + "|".join(f"(?:{p})" for p in lists["markers"]) + r")(?![\w-])", regex.IGNORECASE)
    return _ListData(markers, events, endpoints, frozenset(lists["item_blockers"]))


def _items(text: str, start: int, end: int, cues: Sequence[Cue], data: _ListData) -> list[_Item]:
    """The list items of a sentence in text order. An endpoint phrase wins over an event word
    inside it (`time to progression`); an event word over a blocker it contains
    (`recurrence` in `disease recurrence`) or that is the same words (`mortality`); a
    blocker over an event word inside it (`non-relapse mortality`, `local recurrence`)."""
    phrases = [c for c in cues if c.kind == "endpoint" or (c.kind == "blocker" and c.category in data.item_blockers)]
    starts = [c.start for c in phrases]
    ends = [c.end for c in phrases]
    dropped: set[int] = set()
    out: list[_Item] = []
    for m in data.events.finditer(text, start, end):
        lo, hi = bisect_right(ends, m.start()), bisect_left(starts, m.end())  # the phrases it overlaps
        inside = range(lo, hi)
        if any(phrases[i].kind == "endpoint" for i in inside):
            continue
        if any(phrases[i].start < m.start() or phrases[i].end > m.end() for i in inside):
            continue
        dropped.update(inside)
        out.append(_Item(m.start(), m.end(), data.endpoints[int(m.lastgroup[1:])]))
    out += [_Item(c.start, c.end, c.endpoint if c.kind == "endpoint" else None) for i, c in enumerate(phrases) if i not in dropped]
    out.sort(key=lambda it: it.start)
    return out


class RespectivelyLists:
    """The tables one sentence needs: its items and their lists, its markers, and where the
    text stops being what a list of ratios may have between its numbers. `of()` gives None
    for a sentence without a marker."""

    @classmethod
    def of(cls, text: str, start: int, end: int, cues: Sequence[Cue]) -> RespectivelyLists | None:
        data = _data()
        return cls(text, start, end, cues, data) if data.markers.search(text, start, end) else None

    def __init__(self, text: str, start: int, end: int, cues: Sequence[Cue], data: _ListData):
        self.text, self.start, self.end = text, start, end
        self.items = _items(text, start, end, cues, data)
        self.item_starts = [it.start for it in self.items]
        self.item_ends = [it.end for it in self.items]
        n = len(self.items)
        self.first = list(range(n))  # [i]: the first item of the list item i is in
        for i in range(1, n):
            gap = self.items[i].start - self.items[i - 1].end
            if gap <= MAX_JOIN and _JOIN_RE.fullmatch(text, self.items[i - 1].end, self.items[i].start):
                self.first[i] = self.first[i - 1]
        self.last = list(range(n))  # [i]: the last item of the list item i is in
        for i in range(n - 2, -1, -1):
            if self.first[i + 1] == self.first[i]:
                self.last[i] = self.last[i + 1]
        self.markers = [(m.start(), m.end()) for m in data.markers.finditer(text, start, end)]
        self.marker_starts = [s for s, _ in self.markers]
        spans = [(c.start, c.end) for c in cues if c.kind == "boundary" and c.category == "hazard_ratio"]
        for rx in (CI_RE, OPEN_CI_RE, CI_PREFIX_RE, P_RE, _INTERVAL_RE, _BRACKET_PAIR_RE, _AND_RE):
            spans += [(m.start(), m.end()) for m in rx.finditer(text, start, end)]
        # the sentence with those stretches blanked: what is left besides punctuation (`dirty`
        # runs) may not stand between the ratios of one list
        self._masked = masked = Stretches(spans)
        parts, prev = [], start
        for s, e in zip(masked.starts, masked.ends):
            parts += [text[prev:s], " " * (e - s)]
            prev = e
        parts.append(text[prev:end])
        plain = "".join(parts)  # plain[i] stands for text[start + i]
        self._dirty = [(start + m.start(), start + m.end()) for m in _DIRTY_RE.finditer(plain)]
        self._dirty_ends = [e for _, e in self._dirty]
        self.semicolons = [m.start() for m in _SEMICOLON_RE.finditer(text, start, end)]
        self.and_or = [m.start() for m in _AND_OR_RE.finditer(text, start, end) if _joins_words(text, m.start(), m.end(), end)]

    def next_dirty(self, pos: int) -> int:
        """The first position at or after `pos` that is neither blanked nor punctuation (or the end)."""
        return _next_in(self._dirty, self._dirty_ends, pos, self.end)

    def continuations(self, ratios: Sequence[tuple[int, int]], accept: Callable[[Any], bool]) -> list[tuple[Any, int]]:
        """Numbers without a cue or an interval of their own that go on with a list of ratios
        closed by a marker (`HRs of 0.68 and 0.59 for OS and PFS, respectively` -> 0.59;
        `HRs were 0.7 and 0.8 for arm A and arm B, respectively` -> 0.8): `(NUM_RE match,
        index of the ratio whose list it goes on)`. Each must be joined by `,` or `and`, with
        nothing between but what may stand between ratios, and be one `accept` takes."""
        out: list[tuple[Any, int]] = []
        for i, (_, end) in enumerate(ratios):
            stop = ratios[i + 1][0] if i + 1 < len(ratios) else self.end
            chain, pos = [], end
            for m in NUM_RE.finditer(self.text, end, stop):
                if self._masked.covers(m.start()):
                    continue  # a bound of an interval, a p-value, a CI level
                if not (self.clean(pos, m.start()) and _JOINED_RE.search(self.text, pos, m.start()) and accept(m)):
                    break
                chain.append(m)
                pos = m.end()
            if chain and self.closed(pos):
                out += [(m, i) for m in chain]
        return out

    def closed(self, pos: int) -> bool:
        """Does a marker close the list of ratios that ends at `pos`: right after it (past the
        intervals and p-values), or after a short list with no number (`for arm A and arm B,
        respectively`)?"""
        tail = self.next_dirty(pos)
        if self.marker_at(tail):
            return True
        k = bisect_left(self.marker_starts, tail)
        if k == len(self.markers) or self.markers[k][0] - tail > MAX_AFTER or not _INTRO_RE.match(self.text, tail, self.end):
            return False
        return not (_between(self.semicolons, tail, self.markers[k][0]) or _rx(r"\d").search(self.text, tail, self.markers[k][0]))

    def runs(self, ratios: Sequence[tuple[int, int]]) -> list[list[int]]:
        """The lists of two or more ratios (indices into the sorted `ratios`)."""
        out, run = [], [0]
        for i in range(1, len(ratios) + 1):
            if i < len(ratios) and self.clean(ratios[i - 1][1], ratios[i][0]):
                run.append(i)
                continue
            if len(run) >= 2:
                out.append(run)
            run = [i]
        return out

    def endpoints(self, ratios: Sequence[tuple[int, int]]) -> dict[int, str | None]:
        """Index of a ratio in a list matched to a list of endpoints -> its endpoint."""
        out: dict[int, str | None] = {}
        if len(self.items) < 2:
            return out
        for run in self.runs(ratios):
            tail = self.next_dirty(ratios[run[-1]][1])
            items = self.list_after(tail)
            marker_after = self.marker_at(tail) is not None
            if items is None and (marker_after or not _INTRO_RE.match(self.text, tail, self.end)):
                items = self.list_before(ratios[run[0]][0], marker_after)
            if items is not None and len(items) == len(run):
                out.update((r, item.endpoint) for r, item in zip(run, items))
        return out

    def statistics(self, ratios: Sequence[tuple[int, int]]) -> dict[int, dict[str, Any]]:
        """Index of a ratio -> its `p` and `ci` from lists written after the ratios and closed
        by the marker: `0.68 and 0.59 (P = .01 and P < .001, respectively)`, `0.68 and 0.59
        (95% CI, 0.55-0.84 and 0.48-0.72, respectively)`. A list of another length, or an
        interval that does not hold its ratio, gives nothing."""
        out: dict[int, dict[str, Any]] = {}
        t = self.text
        for run in self.runs(ratios):
            lo = ratios[run[-1]][1]
            hi = self.next_dirty(lo)
            if not self.marker_at(hi):
                continue
            p_values = [m.group() for m in P_RE.finditer(t, lo, hi)]
            intervals = [parse_bounds(m.group("lo"), m.group("hi")) for m in _INTERVAL_RE.finditer(t, lo, hi)]
            if len(p_values) == len(run):
                for r, p in zip(run, p_values):
                    out.setdefault(r, {})["p"] = p
            if len(intervals) == len(run) and all(ci and ci[0] <= _value(t, *ratios[r]) <= ci[1] for r, ci in zip(run, intervals)):
                for r, ci in zip(run, intervals):
                    out.setdefault(r, {})["ci"] = ci
        return out

    def clean(self, lo: int, hi: int) -> bool:
        return self.next_dirty(lo) >= hi

    def marker_at(self, pos: int) -> tuple[int, int] | None:
        k = bisect_left(self.marker_starts, pos)
        return self.markers[k] if k < len(self.markers) and self.markers[k][0] == pos else None

    def marker_in(self, lo: int, hi: int) -> bool:
        k = bisect_left(self.marker_starts, lo)
        return k < len(self.markers) and self.markers[k][1] <= hi

    def list_at(self, pos: int) -> list[_Item] | None:
        """The list of endpoints that starts at `pos`."""
        k = bisect_left(self.item_starts, pos)
        if k < len(self.items) and self.items[k].start == pos:
            return self.items[k : self.last[k] + 1]
        return None

    def list_after(self, tail: int) -> list[_Item] | None:
        """The endpoints written after the ratios (the first text that is not their intervals
        and p-values is at `tail`): `0.59 for OS and PFS, respectively`, `... respectively,
        for OS and PFS.`"""
        t, end = self.text, self.end
        marker = self.marker_at(tail)
        if marker:
            intro = _INTRO_RE.match(t, _AFTER_MARKER_RE.match(t, marker[1], end).end(), end)
            items = self.list_at(intro.end()) if intro else None
            return items if items and _CLAUSE_END_RE.match(t, items[-1].end, end) else None
        intro = _INTRO_RE.match(t, tail, end)
        items = self.list_at(intro.end()) if intro else None
        if items and self.marker_at(_LIST_TO_MARKER_RE.match(t, items[-1].end, end).end()):
            return items
        return None

    def list_before(self, first: int, marker_after: bool) -> list[_Item] | None:
        """The endpoints written before the ratios, in the same clause: the last list ending
        before `first`, with no `;` and no `and` or `or` joining words between (`HRs in men
        and women were`: those would be what `respectively` is about; `12.1 and 6.3 months`
        and `..., and the HRs were` join no such list). The marker closes the ratios
        (`marker_after`) or stands between."""
        k = bisect_right(self.item_ends, first) - 1
        if k < 0:
            return None
        lo = self.items[k].end
        if first - lo > MAX_BEFORE:
            return None
        if _between(self.semicolons, lo, first) or _between(self.and_or, lo, first):
            return None
        if not (marker_after or self.marker_in(lo, first)):
            return None
        return self.items[self.first[k] : k + 1]


def _next_in(runs: list[tuple[int, int]], ends: list[int], pos: int, default: int) -> int:
    """The first position at or after `pos` inside one of the sorted, disjoint `runs`."""
    k = bisect_right(ends, pos)
    return max(pos, runs[k][0]) if k < len(runs) else default


def _value(text: str, start: int, end: int) -> float:
    raw = text[start:end]
    return parse_number(raw) if is_value(raw) else float("nan")


def _joins_words(text: str, lo: int, hi: int, end: int) -> bool:
    """Does the `and` / `or` at [lo, hi) join words (not numbers: `12.1 and 6.3 months`; not
    clauses: `..., and the HRs were`, `respectively and`)?"""
    window = max(0, lo - 16)
    if _NUMBER_BEFORE_RE.search(text, window, lo) and _NUMBER_AFTER_RE.match(text, hi, end):
        return False
    if _MARKER_BEFORE_RE.search(text, window, lo):
        return False
    return not (_COMMA_BEFORE_RE.search(text, window, lo) and _CLAUSE_AFTER_RE.match(text, hi, end))


def _between(positions: list[int], lo: int, hi: int) -> bool:
    k = bisect_left(positions, lo)
    return k < len(positions) and positions[k] < hi


def listed_endpoints(text: str, start: int, end: int, ratios: Sequence[tuple[int, int]], cues: Sequence[Cue]) -> dict[int, str | None]:
    """For the ratios (sorted `(start, end)` of their numbers) of the sentence [start, end)
    that a `respectively` list matches to endpoints: index -> endpoint (None: the listed item
    is no survival endpoint). `cues` are the survival cue phrases of the sentence."""
    lists = RespectivelyLists.of(text, start, end, cues)
    return lists.endpoints(ratios) if lists else {}
