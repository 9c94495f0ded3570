"""Statistics as abstracts write them: numbers, confidence intervals, ranges, p-values.

Shared by pipeline.components.survival and pipeline.components.hazard_ratios. Every
pattern here is applied at a candidate position or with `finditer`; none can run on past a
bracket or a clause it does not need.
"""

from __future__ import annotations

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
_LEVEL = r"(?:9[059](?:\.\d+)?|80)\s?(?:%|per\s*cent)"
CI_LABEL = (
    r"(?:" + _LEVEL + r"\s*(?:Bayesian\s+)?)?(?i:CIs?|C\.I\.|c\.i\.|CL|Cl|confidence\s+intervals?|confidential\s+intervals?|confidence\s+limits?|credible\s+intervals?)"
    r"(?:\s*[\[(](?:CI|CL)[\])])?(?:\s*" + _LEVEL + r")?"
)
CI_RE = regex.compile(
    r"(?<![\w-])" + CI_LABEL + r"\s*(?:of\s+)?[,:=]?\s*[\[(]?\s*"
    r"(?P<lo>[-−–]?\s?" + NUM + r")\s*%?\s*(?:" + DASH + r"|\band\b|;|,)\s*(?P<hi>[-−]?" + NUM + r")"
)
CI_PREFIX_RE = regex.compile(r"(?<![\w-])" + CI_LABEL)
RANGE_RE = regex.compile(
    r"(?<![\w-])(?P<kind>range|IQR|interquartile\s+range|IQ\s+range)(?:\s*[\[(]IQR?[\])])?\s*[,:=]?\s*(?:of\s+|from\s+)?[\[(]?\s*"
    r"(?P<lo>" + NUM + r")\s*%?\s*" + DASH + r"\s*(?P<hi>" + NUM + r")",
    regex.IGNORECASE,
)
_BARE_RANGE_RE = regex.compile(NUM_START + r"(" + NUM + r")\s*%?\s*(?:-|–|—|‑)\s*(" + NUM + r")")
BARE_INTERVAL_RE = regex.compile(r"\s*(?P<lo>" + NUM + r")\s*%?\s*" + DASH + r"\s*(?P<hi>" + NUM + r")")


def parse_number(raw: str) -> int | float:
    """`8.0` -> 8.0, `8,5` -> 8.5 (European decimal), `0·95` -> 0.95, `48` -> 48, `−3·2` -> -3.2."""
    text = raw.replace("·", ".").replace("−", "-").replace("–", "-").replace(" ", "")
    if "," in text:
        whole, _, frac = text.partition(",")
        # `1,200` is a thousands separator, `8,5` / `0,022` a decimal comma
        text = whole + frac if len(frac) == 3 and whole not in {"0"} and len(whole) <= 3 and not whole.startswith("0") else whole + "." + frac
    if "." in text:
        return float(text)
    return int(text)


def find_p_values(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    end = len(text) if end is None else end
    return [(m.start(), m.end()) for m in P_RE.finditer(text, start, end)]


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ".,;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:"):
        end -= 1
    return start, end
