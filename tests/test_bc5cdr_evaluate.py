"""BC5CDR reader and the DRUG evaluation against its Chemical mentions."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.components.doses import tagging_nlp
from pipeline.evaluation.bc5cdr import evaluate_drugs_on_bc5cdr, read_pubtator

BC5CDR = Path(__file__).resolve().parents[2] / "shared" / "data" / "bc5cdr"

# A tiny PubTator file written for this test (offsets into title + " " + abstract).
SAMPLE = (
    "1|t|Cisplatin ototoxicity in children\n"
    "1|a|Sodium thiosulfate reduced hearing loss after cisplatin. Serum potassium was normal.\n"
    "1\t0\t9\tCisplatin\tChemical\tD002945\n"
    "1\t25\t33\tchildren\tSpecies\t-\n"
    "1\t34\t52\tSodium thiosulfate\tChemical\tC010444\n"
    "1\t80\t89\tcisplatin\tChemical\tD002945\n"
    "1\t97\t106\tpotassium\tChemical\tD011188\n"
    "1\tCID\tD002945\tD034381\n"
    "\n"
)


@pytest.fixture()
def sample_file(tmp_path):
    path = tmp_path / "sample.PubTator.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def test_read_pubtator_offsets_point_at_mentions(sample_file):
    (doc,) = read_pubtator(sample_file)
    assert doc.pmid == "1"
    for start, end, text, _type, _id in doc.mentions:
        assert doc.text[start:end] == text
    assert [m[3] for m in doc.mentions].count("Chemical") == 4


def test_evaluate_counts_on_sample(sample_file):
    result = evaluate_drugs_on_bc5cdr(sample_file, tagging_nlp())
    # three drug mentions found and right; potassium is a chemical we do not tag
    assert result["predicted"] == 3
    assert result["gold_chemicals"] == 4
    assert result["precision_strict"] == 1.0
    assert result["recall_strict"] == 0.75
    assert result["top_misses"] == [("potassium", 1)]


@pytest.mark.slow
def test_development_set_floors():
    path = BC5CDR / "CDR_DevelopmentSet.PubTator.txt"
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is not beside the checkout)")
    result = evaluate_drugs_on_bc5cdr(path, tagging_nlp())
    # measured 2026-12 (INN stems, code names, more defined short forms): P strict 0.950,
    # P overlap 0.966, R strict 0.735, R overlap 0.748 (2026-11: R strict 0.723)
    assert result["documents"] == 500
    assert result["precision_strict"] >= 0.93
    assert result["precision_overlap"] >= 0.95
    assert result["recall_strict"] >= 0.73
    assert result["f1_overlap"] >= result["f1_strict"]


def test_development_set_slice():
    path = BC5CDR / "CDR_DevelopmentSet.PubTator.txt"
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is not beside the checkout)")
    result = evaluate_drugs_on_bc5cdr(path, tagging_nlp(), limit=60)
    assert result["documents"] == 60
    assert result["precision_overlap"] >= 0.9
    assert result["recall_overlap"] >= 0.6
