"""Ratio cues for pipeline.components.hazard_ratios: the hazard-ratio cue (`hazard ratio`, `HR`,
`aHR`, `risk ratio for death`), the other ratios (odds, relative risk), a heart rate written
`HR`, and the words every hazard-ratio cue holds, which tell the sentences that cannot have
one without searching them (`cue_words`, `has_cue_word`).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

import regex

_HR_CUE_RE = regex.compile(
    r"(?<![\w-])(?:(?i:(?:(?:un)?adjusted|stratified|pooled|multivariate|univariate|multivariable|univariable|overall)\s+)?(?i:hazard\s+ra(?:ti|di)os?)"
    r"|(?-i:a?HRs?)(?![+])|(?i:(?:(?:risk|rate)\s+ratios?|relative\s+risks?)\s+(?:for|of)\s+(?:the\s+)?(?:death|mortality|dying|(?:disease\s+)?(?:progression|recurrence|relapse)\s+or\s+death)))(?![\w-])"
)
_OTHER_RATIO_RE = regex.compile(
    r"(?<![\w-])(?:(?i:odds\s+ratios?|relative\s+risks?|risk\s+ratios?|rate\s+ratios?|incidence\s+rate\s+ratios?)|(?-i:ORs?|RRs?|IRRs?|aORs?))(?![\w-])"
)
_HEART_RATE_RE = regex.compile(r"(?i:heart\s+rate)\s*[(\[]\s*HR\s*[)\]]|\bHR\b[^.;]{0,30}?\b(?:bpm|beats)\b|\bHR\s*max")

# Every match of `_HR_CUE_RE` holds one of these words: `hazard` (`hazard ratio`), `HR` (`aHRs`),
# `ratio` (`risk ratio for death`) or `relative` (`relative risk of death`), each as the pattern
# writes it (`HR` case-sensitive, the others not). A text, or a sentence, with none of them has
# no ratio cue, and is not searched for one.
_CUE_WORDS_RES = (regex.compile("HR"), regex.compile("(?i:hazard)"), regex.compile("(?i:ratio)"), regex.compile("(?i:relative)"))


def cue_words(text: str) -> tuple[list[int], list[int]]:
    """(starts, ends) of every `_CUE_WORDS_RES` word in `text`, sorted by start."""
    found = sorted((m.start(), m.end()) for rx in _CUE_WORDS_RES for m in rx.finditer(text, overlapped=True))
    return [s for s, _ in found], [e for _, e in found]


def has_cue_word(words: tuple[list[int], list[int]], start: int, end: int) -> bool:
    """Does one of the words lie inside [start, end)?"""
    starts, ends = words
    k = bisect_left(starts, start)
    while k < len(starts) and starts[k] < end:
        if ends[k] <= end:
            return True
        k += 1
    return False


def ends_inside(matches: list[Any], end: int) -> bool:
    """Does one of the matches end before `end` (so it never looked at text past it)?"""
    return any(m.end() < end for m in matches)


def written_hr(matches: list[Any]) -> bool:
    """Is one of the cues written with `HR` (the only ones a heart rate in the text can void)?"""
    return any("HR" in m.group() for m in matches)
