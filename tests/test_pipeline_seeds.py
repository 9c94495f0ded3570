"""The whole pipeline on the five real seed pages against their hand-labelled gold.

Every guideline entity must be found with the scored attributes right, sections must match
character for character, and every labelled metadata field must match exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluation.scorer import evaluate
from tests.conftest import shared_path

GOLD = Path(__file__).resolve().parents[1] / "gold" / "seeds.jsonl"
SEED_GOLD = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def seed_records(nlp):
    from pipeline.extract import iter_articles, process_articles

    seeds = shared_path("seeds")
    return [r.to_dict() for r in process_articles(iter_articles([seeds]), nlp)]


@pytest.mark.parametrize("gold", SEED_GOLD, ids=[g["doc"].split(":")[1][:3] for g in SEED_GOLD])
def test_pipeline_seed_matches_gold(gold, seed_records):
    report = evaluate([gold], seed_records)
    assert report.docs_matched == 1
    micro = report.entities.strict["micro"]
    assert (micro.fp, micro.fn) == (0, 0), [(e.kind, e.label, e.context) for d in report.errors for e in d.items]
    for label, attrs in report.entities.attributes.items():
        for name, score in attrs.items():
            assert score.correct == score.total, f"{label}.{name}"
    assert report.sections.char_accuracy == 1.0
    for field, ratio in report.metadata.items():
        assert ratio.correct == ratio.total, field
    assert report.cleaning.exact == 1
