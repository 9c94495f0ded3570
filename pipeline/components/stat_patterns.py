"""Statistics as abstracts write them: numbers, confidence intervals, ranges, p-values.

Shared by pipeline.components.survival and pipeline.components.hazard_ratios. Every
pattern here is applied at a candidate position or with `finditer`; none can run on past a
bracket or a clause it does not need.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import Any

import regex


@lru_cache(maxsize=None)
def _rx(pattern: str) -> Any:
    """A compiled helper pattern (compiled once, looked up without regex's own cache work)."""
    return regex.compile(pattern)


NUM = r"\d+(?:[.,·]\d+)?"
# a number that starts a token: not inside a word (`R0`, `IL-2`, `NCT0123`) or a decimal
NUM_START = r"(?<![\w·,])(?<!\d[.])(?<![A-Za-z][-‐])"
NUM_RE = regex.compile(NUM_START + r"(" + NUM + r")(?![.,·]?\d)")
DASH = r"(?:-|–|—|‑|‐|\bto\b|to(?=\d))"
WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "twelve": 12, "fifteen": 15, "eighteen": 18, "twenty": 20, "twenty-four": 24, "thirty-six": 36,
}
WORD_NUM = r"(?:" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + r")"

P_RE = regex.compile(
    r"(?<![\w-])(?:two[- ]sided\s+|log[- ]rank\s+)?[Pp](?:\s*[- ]?values?)?\s*(?:=|<|>|≤|≥|<=|>=|:|&lt;|&gt;)\s*"
    r"(?:\d*[.,·]\d+(?:\s*[x×]\s*10\s*[-−]\s*\d+)?|\d+(?:\s*[x×]\s*10\s*[-−]\s*\d+)?|NS\b|N\.S\.|not significant|n\.s\.)"
)
# a confidence level (`95%`, `90%`, `97.5%`, `99.4%`, `80%`): never a value of its own
_LEVEL = r"(?:[89]\d(?:\.\d+)?)\s?(?:%|per\s*cent)-?"
CI_LABEL = (
    r"(?:(?i:two|one|2|1)[- ]sided\s+)?(?:" + _LEVEL + r"\s*(?:Bayesian\s+)?)?(?i:CIs?|C\.I\.|c\.i\.|CL|Cl|confidence\s+intervals?|confidential\s+intervals?|confidence\s+limits?|credible\s+intervals?)"
    r"(?:\s*[\[(](?:CI|CL)[\])])?(?:\s*" + _LEVEL + r")?"
)
CI_RE = regex.compile(
    r"(?<![\w-])" + CI_LABEL + r"\s*(?:of\s+)?[,:=]?\s*[\[(]?\s*"
    r"(?P<lo>[-−–]?\s?" + NUM + r")\s*%?\s*(?:" + DASH + r"|\band\b|;|,)\s*(?P<hi>[-−]?" + NUM + r")"
)
# an interval with an open bound (`95% CI 52.8-not reached`, `14.2 to NR`, `9.1-NE`): it has
# no `ci` (both bounds must be numbers), but it is the value's interval all the same
_OPEN_BOUND = r"(?:(?-i:NR|NE|NA|NC|NEst)|(?i:not\s+(?:yet\s+)?(?:reached|estimable|evaluable|estimated|calculable|assessable|available))|∞|infinity)(?![\w-])"
OPEN_CI_RE = regex.compile(
    r"(?<![\w-])" + CI_LABEL + r"\s*(?:of\s+)?[,:=]?\s*[\[(]?\s*"
    r"(?:(?P<lo>[-−–]?\s?" + NUM + r")\s*%?|" + _OPEN_BOUND + r")\s*(?:" + DASH + r"|,|;)\s*(?:" + _OPEN_BOUND + r"|[-−]?" + NUM + r")"
)
CI_PREFIX_RE = regex.compile(r"(?<![\w-])" + CI_LABEL)
RANGE_RE = regex.compile(
    r"(?<![\w-])(?P<kind>range|IQR|interquartile\s+range|IQ\s+range)(?:\s*[\[(]IQR?[\])])?\s*[,:=]?\s*(?:of\s+|from\s+)?[\[(]?\s*"
    r"(?P<lo>" + NUM + r")\s*%?\s*" + DASH + r"\s*(?P<hi>" + NUM + r")",
    regex.IGNORECASE,
)
_BARE_RANGE_RE = regex.compile(NUM_START + r"(" + NUM + r")\s*%?\s*(?:-|–|—|‑)\s*(" + NUM + r")")
BARE_INTERVAL_RE = regex.compile(r"\s*(?P<lo>" + NUM + r")\s*%?\s*" + DASH + r"\s*(?P<hi>" + NUM + r")")


# a number with more digits than this is not a measurement (Python also refuses to turn
# 4,301+ digits into an int): it is simply not a value
MAX_DIGITS = 30


class NotAValue(ValueError):
    """A number too long to be a measurement."""


def parse_number(raw: str) -> int | float:
    """`8.0` -> 8.0, `8,5` -> 8.5 (European decimal), `0·95` -> 0.95, `48` -> 48, `−3·2` -> -3.2.
    NotAValue for a number of more than MAX_DIGITS digits."""
    if len(raw) > MAX_DIGITS and sum(c.isdigit() for c in raw) > MAX_DIGITS:
        raise NotAValue(f"a number of {len(raw)} characters is not a value")
    text = raw.replace("·", ".").replace("−", "-").replace("–", "-").replace(" ", "")
    if "," in text:
        whole, _, frac = text.partition(",")
        # `1,200` is a thousands separator, `8,5` / `0,022` a decimal comma
        text = whole + frac if len(frac) == 3 and whole not in {"0"} and len(whole) <= 3 and not whole.startswith("0") else whole + "." + frac
    if "." in text:
        return float(text)
    return int(text)


def is_value(raw: str) -> bool:
    """Can `raw` (a number as a pattern here matched it) be read as a value?"""
    return len(raw) <= MAX_DIGITS or sum(c.isdigit() for c in raw) <= MAX_DIGITS


def parse_bounds(lo: str, hi: str) -> list[int | float] | None:
    """`[low, high]` of an interval, or None when a bound is not a value."""
    if not (is_value(lo) and is_value(hi)):
        return None
    return [parse_number(lo), parse_number(hi)]


def find_p_values(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    end = len(text) if end is None else end
    return [(m.start(), m.end()) for m in P_RE.finditer(text, start, end)]


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ".,;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:"):
        end -= 1
    return start, end


class Stretches:
    """A union of [start, end) stretches of text; `covers(pos)` by binary search."""

    def __init__(self, spans: list[tuple[int, int]]):
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if s >= e:
                continue
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def covers(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.ends[i]


_BRACKET_RE = regex.compile(r"[()\[\]]")


class Brackets:
    """The brackets of text[lo:hi], for `enclosure(p)`: where the innermost bracket open at p
    starts (after the last `(` or `[` not closed in [lo, p), else lo) and where it ends (the
    first `)` or `]` in [p, hi) not closed by an opener after p, else hi). What the
    hazard-ratio tagger's `_enclosure` reads. One pass each way over the bracket characters
    only, then a binary search per question (it used to be a table of every position)."""

    def __init__(self, text: str, lo: int, hi: int):
        self.lo, self.hi = lo, hi
        self.positions = [m.start() for m in _BRACKET_RE.finditer(text, lo, hi)]
        opens: list[int] = []
        self._start_after: list[int] = []  # [k]: the answer for a position just after bracket k
        for i in self.positions:
            if text[i] in "([":
                opens.append(i)
            elif opens:
                opens.pop()
            self._start_after.append(opens[-1] + 1 if opens else lo)
        closes: list[int] = []
        self._end_from = [hi] * len(self.positions)  # [k]: the answer for a position at bracket k
        for k in range(len(self.positions) - 1, -1, -1):
            i = self.positions[k]
            if text[i] in ")]":
                closes.append(i)
            elif closes:
                closes.pop()
            self._end_from[k] = closes[-1] if closes else hi

    def enclosure(self, pos: int) -> tuple[int, int]:
        """(start, end) of the innermost bracket around `pos` (lo <= pos <= hi), or (lo, hi)."""
        k = bisect_left(self.positions, pos)  # the brackets before pos
        start = self._start_after[k - 1] if k else self.lo
        end = self._end_from[k] if k < len(self.positions) else self.hi
        return start, end
