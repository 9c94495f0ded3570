"""Entity scoring: strict and overlap P/R/F1 and attribute accuracy on hand-made cases."""

from __future__ import annotations

import pytest

from pipeline.evaluation.matching import match_spans, same_value
from pipeline.evaluation.scorer import evaluate

TEXT = (
    "Thirteen patients were treated with 1.5 or 2.0 mg/kg melphalan and/or 1 mg tumor necrosis "
    "factor. Median overall survival was 48 months (HR 0.32, 95% CI 0.1-0.9)."
)
PATH = "seeds/000_x.txt"


def ent(label: str, quote: str, shift: tuple[int, int] = (0, 0), **attrs) -> dict:
    start = TEXT.index(quote) + shift[0]
    end = start + len(quote) + shift[1] - shift[0]
    return {"label": label, "start": start, "end": end, "text": TEXT[start:end], "attrs": attrs}


GOLD = [
    ent("DOSE", "1.5 or 2.0 mg/kg", values=[1.5, 2.0], unit="mg/kg", drug="melphalan"),
    ent("DRUG", "melphalan", norm="melphalan"),
    ent("DOSE", "1 mg", value=1, unit="mg", drug="tumor necrosis factor"),
    ent("DRUG", "tumor necrosis factor", norm="tumor necrosis factor"),
    ent("SURVIVAL", "48 months", endpoint="OS", measure="median", value=48, unit="months"),
    ent("HAZARD_RATIO", "0.32", value=0.32, ci=[0.1, 0.9]),
]


def score(gold_entities, pred_entities):
    gold = [{"doc": "seed:000_x", "source": {"path": PATH}, "entities": gold_entities}]
    pred = [{"id": "x", "source": {"path": "../shared/" + PATH, "index": 0}, "status": "ok", "entities": pred_entities}]
    return evaluate(gold, pred, source_texts={"seed:000_x": TEXT})


# (gold, prediction, expected strict micro (tp, fp, fn), expected overlap micro (tp, fp, fn))
CASES = [
    pytest.param(GOLD, GOLD, (6, 0, 0), (6, 0, 0), id="perfect"),
    pytest.param(GOLD, [], (0, 0, 6), (0, 0, 6), id="empty-prediction"),
    pytest.param([], GOLD, (0, 6, 0), (0, 6, 0), id="empty-gold"),
    pytest.param([GOLD[1]], [ent("DRUG", "melphalan", shift=(1, 1))], (0, 1, 1), (1, 0, 0), id="shifted-by-one"),
    pytest.param([GOLD[1]], [ent("DOSE", "melphalan")], (0, 1, 1), (0, 1, 1), id="wrong-label"),
    pytest.param(
        [ent("DRUG", "tumor necrosis factor")],
        [ent("DRUG", "tumor necrosis"), ent("DRUG", "necrosis factor")],
        (0, 2, 1),
        (1, 1, 0),
        id="two-predictions-overlap-one-gold",
    ),
    pytest.param(
        [ent("DRUG", "tumor necrosis"), ent("DRUG", "necrosis factor")],
        [ent("DRUG", "tumor necrosis factor")],
        (0, 1, 2),
        (1, 0, 1),
        id="one-prediction-overlaps-two-gold",
    ),
    pytest.param(
        [ent("DOSE", "1.5 or 2.0 mg/kg"), ent("DRUG", "melphalan")],
        [ent("DOSE", "2.0 mg/kg melphalan")],
        (0, 1, 2),
        (1, 0, 1),
        id="overlap-needs-same-label",
    ),
]


@pytest.mark.parametrize("gold, pred, strict, overlap", CASES)
def test_evaluate_entity_counts(gold, pred, strict, overlap):
    report = score(gold, pred)
    s, o = report.entities.strict["micro"], report.entities.overlap["micro"]
    assert (s.tp, s.fp, s.fn) == strict
    assert (o.tp, o.fp, o.fn) == overlap


def test_evaluate_perfect_scores_one_and_per_label():
    report = score(GOLD, GOLD)
    assert report.entities.strict["micro"].f1 == 1.0
    assert {lab: report.entities.strict[lab].tp for lab in ("DRUG", "DOSE", "SURVIVAL", "HAZARD_RATIO")} == {
        "DRUG": 2, "DOSE": 2, "SURVIVAL": 1, "HAZARD_RATIO": 1
    }
    assert report.errors == []


@pytest.mark.parametrize(
    "gold, pred, precision, recall, f1",
    [
        pytest.param(GOLD, [], None, 0.0, 0.0, id="empty-prediction-precision-undefined"),
        pytest.param([], GOLD, 0.0, None, 0.0, id="empty-gold-recall-undefined"),
        pytest.param([], [], None, None, None, id="both-empty-undefined"),
        pytest.param(GOLD[:2], GOLD[:1], 1.0, 0.5, 2 / 3, id="half-found"),
    ],
)
def test_evaluate_undefined_ratios_are_none(gold, pred, precision, recall, f1):
    micro = score(gold, pred).entities.strict["micro"]
    assert (micro.precision, micro.recall) == (precision, recall)
    assert micro.f1 == pytest.approx(f1) if f1 is not None else micro.f1 is None


def test_evaluate_labels_argument_restricts_scoring():
    gold = [{"doc": "seed:000_x", "source": {"path": PATH}, "entities": GOLD}]
    pred = [{"id": "x", "source": {"path": PATH}, "status": "ok", "entities": GOLD[:2]}]
    report = evaluate(gold, pred, labels=["DRUG"], source_texts={"seed:000_x": TEXT})
    assert set(report.entities.strict) == {"DRUG", "micro"}
    assert report.entities.strict["micro"].f1 == pytest.approx(2 / 3)


def with_attrs(e: dict, **attrs) -> dict:
    return {**e, "attrs": {**e["attrs"], **attrs}}


@pytest.mark.parametrize(
    "pred_entity, label, attribute, correct",
    [
        pytest.param(GOLD[0], "DOSE", "values", True, id="values-equal"),
        pytest.param(with_attrs(GOLD[0], values=[1.5, 2.0000001]), "DOSE", "values", True, id="values-within-tolerance"),
        pytest.param(with_attrs(GOLD[0], values=[1.5]), "DOSE", "values", False, id="values-length-differs"),
        pytest.param(with_attrs(GOLD[0], unit="mg/m2"), "DOSE", "unit", False, id="unit-differs"),
        pytest.param({**GOLD[0], "attrs": {"values": [1.5, 2.0], "unit": "mg/kg"}}, "DOSE", "drug", False, id="drug-absent"),
        pytest.param(with_attrs(GOLD[4], value=48.0), "SURVIVAL", "value", True, id="int-vs-float"),
        pytest.param(with_attrs(GOLD[4], endpoint="PFS"), "SURVIVAL", "endpoint", False, id="endpoint-differs"),
        pytest.param(with_attrs(GOLD[5], ci=[0.1, 0.8]), "HAZARD_RATIO", "ci", False, id="ci-differs"),
        pytest.param(with_attrs(GOLD[1], norm="melphalan "), "DRUG", "norm", True, id="norm-whitespace"),
    ],
)
def test_evaluate_attribute_accuracy(pred_entity, label, attribute, correct):
    gold = [e for e in GOLD if e["start"] == pred_entity["start"]]
    report = score(gold, [pred_entity])
    a = report.entities.attributes[label][attribute]
    assert (a.correct, a.total) == (int(correct), 1)
    attribute_errors = [i for d in report.errors for i in d.items if i.kind == "attribute"]
    assert len(attribute_errors) == (0 if correct else 1)


def test_evaluate_attribute_only_in_prediction_is_spurious_not_wrong():
    pred = with_attrs(GOLD[4], horizon="3-year")
    report = score([GOLD[4]], [pred])
    horizon = report.entities.attributes["SURVIVAL"]["horizon"]
    assert (horizon.total, horizon.spurious, horizon.accuracy) == (0, 1, None)


def test_evaluate_attributes_ignored_on_overlap_only_matches():
    report = score([GOLD[4]], [ent("SURVIVAL", "48 months", shift=(0, -7), endpoint="PFS")])
    assert report.entities.attributes["SURVIVAL"]["endpoint"].total == 0


@pytest.mark.parametrize(
    "gold, pred, same",
    [
        pytest.param(2, 2.0, True, id="int-float"),
        pytest.param(0.32, "0.32", True, id="number-string"),
        pytest.param([1, 2], [1, 2, 3], False, id="list-length"),
        pytest.param("mg/kg", "mg/kg/day", False, id="strings"),
        pytest.param("3-year", "3-year", True, id="same-string"),
        pytest.param("\u00b5g/kg", "\u03bcg/kg", True, id="micro-sign-vs-greek-mu"),
        pytest.param("Mg/kg", "mg/kg", False, id="case-matters"),
        pytest.param(None, 0, False, id="none-vs-zero"),
        pytest.param(True, 1, False, id="bool-not-number"),
    ],
)
def test_evaluate_same_value(gold, pred, same):
    assert same_value(gold, pred) is same


def test_evaluate_match_spans_is_one_to_one_and_maximal():
    # gold A overlaps preds X and Y; gold B overlaps only X: a greedy choice A-X would leave B unmatched.
    gold = [{"label": "DRUG", "start": 0, "end": 10}, {"label": "DRUG", "start": 8, "end": 12}]
    pred = [{"label": "DRUG", "start": 5, "end": 11}, {"label": "DRUG", "start": 0, "end": 4}]
    strict, overlap = match_spans(gold, pred)
    assert strict == []
    assert sorted(overlap) == [(0, 1), (1, 0)]
