"""The scorer on the real gold authoring files: gold scored against itself is perfect, and a
known damage shows up exactly where it was made."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from pipeline.evaluation.formatting import format_errors
from pipeline.evaluation.gold import (
    doc_source_path,
    load_source_text,
    resolve_authoring,
)
from pipeline.evaluation.scorer import evaluate

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _authoring_dir() -> Path | None:
    for name in ("final", "pass1"):
        folder = REPO / "gold" / "authoring" / name
        if any(folder.glob("*.json")):
            return folder
    return None


@pytest.fixture(scope="module")
def gold_records():
    folder = _authoring_dir()
    if not SHARED.is_dir() or folder is None:
        pytest.skip("needs ../shared and gold authoring files")
    records = []
    for path in sorted(folder.glob("*.json")):
        authoring = json.loads(path.read_text(encoding="utf-8"))
        rec = resolve_authoring(authoring, load_source_text(authoring["doc"], SHARED))
        rec["source"] = {"path": doc_source_path(authoring["doc"], SHARED)}
        records.append(rec)
    return records


def as_predictions(gold_records):
    preds = []
    for g in gold_records:
        p = copy.deepcopy(g)
        p["status"] = g.get("status", "ok")
        if g["doc"].startswith("pmc:"):
            p["source"] = {"path": "../shared/data/pmc-rct/abstracts.jsonl", "index": 0, "format": "pmc-rct"}
            p.setdefault("metadata", {})["pmcid"] = g["doc"][4:]
        else:
            p["source"] = {"path": "../shared/" + g["source"]["path"], "index": 0}
        preds.append(p)
    return preds


def test_evaluate_gold_against_itself_is_perfect(gold_records):
    report = evaluate(gold_records, as_predictions(gold_records), shared=SHARED)
    assert report.docs_missing == []
    assert report.entities.strict["micro"].f1 == 1.0
    assert report.sections.char_accuracy in (None, 1.0)
    assert report.errors == []


def test_evaluate_gold_with_drugs_removed_loses_only_drug_recall(gold_records):
    preds = as_predictions(gold_records)
    for p in preds:
        p["entities"] = [e for e in p.get("entities", []) if e["label"] != "DRUG"]
    report = evaluate(gold_records, preds, shared=SHARED)
    n_drugs = sum(1 for g in gold_records for e in g.get("entities", []) if e["label"] == "DRUG")
    if not n_drugs:
        pytest.skip("no DRUG in the gold set")
    assert report.entities.strict["DRUG"].fn == n_drugs
    assert report.entities.strict["DRUG"].recall == 0.0
    assert all(report.entities.strict[lab].f1 in (None, 1.0) for lab in ("DOSE", "SURVIVAL", "HAZARD_RATIO"))
    listing = format_errors(report)
    assert listing.count("  miss ") == n_drugs
    assert "[[" in listing


def test_evaluate_gold_input_paths_cover_every_gold_document(gold_records, tmp_path):
    from pipeline.evaluation.matching import match_documents
    from pipeline.evaluation.scorer import gold_input_paths

    paths = gold_input_paths(gold_records, tmp_path, shared=SHARED)
    assert all(p.exists() for p in paths)
    # stand-in predictions carrying what a reader would: the input path, and the pmcid per pmc-rct line
    preds = []
    for p in paths:
        if p.name == "pmc-rct-gold.jsonl":
            lines = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
            preds += [{"source": {"path": str(p), "index": i, "format": "pmc-rct"}, "metadata": {"pmcid": r["pmcid"]}}
                      for i, r in enumerate(lines)]
        else:
            preds.append({"source": {"path": str(p), "index": 0}, "metadata": {}})
    matches, unmatched, _ = match_documents(gold_records, preds)
    assert None not in matches
    assert unmatched == 0
