"""The evaluation gate: gold checksum, floors, and baseline updates (on synthetic reports)."""

from __future__ import annotations

import json

import pytest

from pipeline.evaluation.gate import (
    BaselineError,
    check_floors,
    gate_metrics,
    load_baseline,
    report_metrics,
    update_baseline,
)
from pipeline.evaluation.matching import gold_checksum
from pipeline.evaluation.report import PRF, EvaluationReport, Ratio, SectionScores


def synthetic_report(drug_f1_counts=(8, 2, 2), micro=(18, 2, 2), char=(90, 100), checksum="abc") -> EvaluationReport:
    report = EvaluationReport(labels=["DRUG"], gold_checksum=checksum)
    report.entities.strict = {"DRUG": PRF.of(*drug_f1_counts), "micro": PRF.of(*micro)}
    report.entities.overlap = {"DRUG": PRF.of(*drug_f1_counts), "micro": PRF.of(*micro)}
    report.sections = SectionScores(chars=char[1], correct=char[0], char_accuracy=char[0] / char[1])
    report.metadata = {"title": Ratio.of(3, 4), "doi": Ratio.of(0, 0)}
    return report


def test_evaluate_report_metrics_flat_keys():
    metrics = report_metrics(synthetic_report())
    assert metrics["entities.strict.micro.f1"] == pytest.approx(0.9)
    assert metrics["entities.strict.DRUG.f1"] == pytest.approx(0.8)
    assert metrics["sections.char_accuracy"] == pytest.approx(0.9)
    assert metrics["metadata.title.accuracy"] == pytest.approx(0.75)
    assert "metadata.doi.accuracy" not in metrics  # no support: undefined, not 0
    assert all(k.rsplit(".", 1)[-1] in ("f1", "accuracy", "char_accuracy") for k in gate_metrics(synthetic_report()))


@pytest.mark.parametrize(
    "floors, checksum, failing",
    [
        pytest.param({"entities.strict.micro.f1": 0.8}, "abc", [], id="above-floor"),
        pytest.param({"entities.strict.micro.f1": 0.9}, "abc", [], id="exactly-at-floor"),
        pytest.param({"entities.strict.micro.f1": 0.95}, "abc", ["entities.strict.micro.f1"], id="below-floor"),
        pytest.param({"entities.strict.DRUG.f1": 0.85, "sections.char_accuracy": 0.95}, "abc",
                     ["entities.strict.DRUG.f1", "sections.char_accuracy"], id="two-below"),
        pytest.param({"metadata.doi.accuracy": 0.5}, "abc", ["metadata.doi.accuracy"], id="not-measured"),
        pytest.param({"entities.strict.micro.f1": 0.8}, "old", ["gold checksum"], id="gold-changed"),
        pytest.param({}, None, [], id="no-checksum-pinned"),
    ],
)
def test_evaluate_check_floors(floors, checksum, failing):
    failures = check_floors(synthetic_report(), {"gold_checksum": checksum, "floors": floors})
    assert len(failures) == len(failing)
    for failure, key in zip(sorted(failures), sorted(failing)):
        assert failure.startswith(key)


def test_evaluate_update_baseline_sets_floors_below_measured(tmp_path):
    path = tmp_path / "baseline.json"
    new = update_baseline(synthetic_report(), path)
    assert new.gold_checksum == "abc"
    assert new.floors["entities.strict.micro.f1"] == pytest.approx(0.89)
    assert new.floors["sections.char_accuracy"] == pytest.approx(0.89)
    assert load_baseline(path) == new
    assert check_floors(synthetic_report(), path) == []


def test_evaluate_update_baseline_raises_freely_and_keeps_higher_floors(tmp_path):
    path = tmp_path / "baseline.json"
    update_baseline(synthetic_report(), path)
    better = update_baseline(synthetic_report(micro=(19, 1, 1)), path)
    assert better.floors["entities.strict.micro.f1"] == pytest.approx(0.94)
    # measured 0.9 is above the old floor 0.89 but "value - margin" would be lower: floor stays
    path2 = tmp_path / "b2.json"
    path2.write_text(json.dumps({"gold_checksum": "abc", "floors": {"entities.strict.micro.f1": 0.895}}))
    same = update_baseline(synthetic_report(), path2)
    assert same.floors["entities.strict.micro.f1"] == pytest.approx(0.895)


def test_evaluate_update_baseline_refuses_to_lower(tmp_path):
    path = tmp_path / "baseline.json"
    update_baseline(synthetic_report(micro=(19, 1, 1)), path)
    before = path.read_text()
    with pytest.raises(BaselineError, match="entities.strict.micro.f1"):
        update_baseline(synthetic_report(), path)
    assert path.read_text() == before
    lowered = update_baseline(synthetic_report(), path, allow_lower=True)
    assert lowered.floors["entities.strict.micro.f1"] == pytest.approx(0.89)


def test_evaluate_update_baseline_refuses_to_drop_unmeasured_floor(tmp_path):
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"gold_checksum": "abc", "floors": {"metadata.doi.accuracy": 0.5}}))
    with pytest.raises(BaselineError, match="metadata.doi.accuracy"):
        update_baseline(synthetic_report(), path)
    assert "metadata.doi.accuracy" not in update_baseline(synthetic_report(), path, allow_lower=True).floors


def test_evaluate_update_baseline_refreshes_checksum(tmp_path):
    path = tmp_path / "baseline.json"
    update_baseline(synthetic_report(checksum="old"), path)
    assert check_floors(synthetic_report(checksum="new"), path)
    update_baseline(synthetic_report(checksum="new"), path)
    assert check_floors(synthetic_report(checksum="new"), path) == []


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param('{"gold_checksum": "a", "floors": {}, "floor": {}}', "floor", id="unknown-key"),
        pytest.param('{"gold_checksum": "a", "floors": {"x.f1": 0.5, "x.f1": 0.6}}', "duplicate", id="duplicate-key"),
        pytest.param('{"gold_checksum": "a", "floors": {"x.f1": 1.5}}', "outside", id="floor-above-one"),
    ],
)
def test_evaluate_load_baseline_rejects_bad_files(tmp_path, content, message):
    path = tmp_path / "baseline.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        load_baseline(path)


def test_evaluate_gold_checksum_order_and_content(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text('{"doc": "seed:1"}\n')
    b.write_text('{"doc": "seed:2"}\n')
    first = gold_checksum([b, a])
    assert first == gold_checksum([a, b]) == gold_checksum([tmp_path])
    assert len(first) == 64
    b.write_text('{"doc": "seed:3"}\n')
    assert gold_checksum([a, b]) != first
    # moving a line between files changes the checksum even though the bytes concatenate alike
    a.write_text('{"doc": "seed:1"}\n{"doc": "seed:3"}\n')
    b.write_text("")
    c = gold_checksum([a, b])
    a.write_text('{"doc": "seed:1"}\n')
    b.write_text('{"doc": "seed:3"}\n')
    assert gold_checksum([a, b]) != c
