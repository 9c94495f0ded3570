"""SURVIVAL / HAZARD_RATIO over real abstracts (pmc-rct, ../shared): span invariants,
token alignment, and numbers that must never be tagged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.components.hazard_ratios import find_hazard_ratios
from pipeline.components.survival import find_survival_figures
from pipeline.components.tokenizer import split_words
from pipeline.evaluation.gold import pmc_source_text

ABSTRACTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "pmc-rct" / "abstracts.jsonl"


def records(survival_rich_only: bool = True) -> list[dict]:
    if not ABSTRACTS.exists():
        pytest.skip(f"{ABSTRACTS} is not available (../shared is not beside the checkout)")
    with open(ABSTRACTS, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return [r for r in rows if r["survival_rich"] or not survival_rich_only]


def _token_edges(text: str) -> tuple[set[int], set[int]]:
    words, spaces = split_words(text)
    starts, ends, pos = set(), set(), 0
    for word, space in zip(words, spaces):
        starts.add(pos)
        ends.add(pos + len(word))
        pos += len(word) + (1 if space else 0)
    return starts, ends


def _check_hits(text: str, hits) -> None:
    starts, ends = _token_edges(text)
    for hit in hits:
        assert text[hit.start : hit.end] == hit.text
        assert not hit.text[0].isspace() and not hit.text[-1].isspace()
        assert hit.text[-1] not in ".,;:" and hit.text[0] not in ".,;:("
        assert hit.start in starts and hit.end in ends, hit


def test_survival_corpus_spans_are_exact_and_token_aligned():
    total = 0
    for rec in records():
        text = pmc_source_text(rec)
        hits = find_survival_figures(text) + find_hazard_ratios(text)
        _check_hits(text, hits)
        total += len(hits)
    assert total > 100


# (pmcid, span text, context holding it once): numbers that are not survival figures
MUST_NOT = [
    ("PMC2361515", "14 months", "median follow-up of 14 months"),
    ("PMC2361515", "69%", "69% of patients included in arm A were still alive"),
    ("PMC2360030", "17 months", "follow-up of 17 months"),
    ("PMC3278202", "1.39 years", "life expectancy of 1.39 years"),
    ("PMC3342924", "70%", "up to 70%"),
    ("PMC3456942", "61.7 %", "RR of 61.7 %"),
    ("PMC3571894", "18.8", "TRM were 18.8"),
    ("PMC4112798", "37.5%", "(37.5%)"),
    ("PMC5844373", "88.8%", "88.8% of patients had progressive disease"),
    ("PMC5844373", "42 months", "OS benefit of 42 months"),
    ("PMC1968304", "5.1 years", "(to 5.1 years)"),
    ("PMC3503684", "9 months", "rate at 9 months"),
]


@pytest.mark.parametrize("pmcid,span,context", MUST_NOT, ids=[f"{m[0]}:{m[1]}" for m in MUST_NOT])
def test_survival_corpus_must_not_tag(pmcid, span, context):
    rec = next(r for r in records() if r["pmcid"] == pmcid)
    text = pmc_source_text(rec)
    at = text.find(context)
    assert at >= 0 and text.find(context, at + 1) < 0
    start = at + context.index(span)
    for hit in find_survival_figures(text):
        assert not (hit.start < start + len(span) and start < hit.end), hit


@pytest.mark.slow
def test_survival_corpus_all_abstracts_run_clean():
    for rec in records(survival_rich_only=False):
        text = pmc_source_text(rec)
        _check_hits(text, find_survival_figures(text) + find_hazard_ratios(text))
