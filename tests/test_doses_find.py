"""`find_doses` (pure function): span text and parsed attributes, development cases."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.components.doses import DoseMention, find_doses, load_units, parse_number
from pipeline.components.drugs import DataFileError

DEV_CASES = [
    ("alternatives", "with the use of 1.5 or 2.0 mg/kg melphalan", [("1.5 or 2.0 mg/kg", {"values": [1.5, 2.0], "unit": "mg/kg"})]),
    ("three-alternatives", "doses of 1.5, 2.0, or 2.5 mg/kg were tested", [("1.5, 2.0, or 2.5 mg/kg", {"values": [1.5, 2.0, 2.5], "unit": "mg/kg"})]),
    ("plain-mg", "and/or 1 mg tumor necrosis factor", [("1 mg", {"value": 1, "unit": "mg"})]),
    ("range-to", "escalated from 100 to 200 mg", [("100 to 200 mg", {"low": 100, "high": 200, "unit": "mg"})]),
    ("range-glued-per-day", "prednisone 12-15mg/kg/d for a week", [("12-15mg/kg/d", {"low": 12, "high": 15, "unit": "mg/kg/day"})]),
    ("mg-m2-schedule-out", "oxaliplatin 130 mg/m2 every 3 weeks", [("130 mg/m2", {"value": 130, "unit": "mg/m2"})]),
    ("mg-m2-superscript", "docetaxel 75 mg/m² on day 1", [("75 mg/m²", {"value": 75, "unit": "mg/m2"})]),
    ("mg-m2-caret", "gemcitabine 1000 mg/m^2 weekly", [("1000 mg/m^2", {"value": 1000, "unit": "mg/m2"})]),
    ("mg-m-minus-2", "raltitrexed 3 mg m−2 followed by", [("3 mg m−2", {"value": 3, "unit": "mg/m2"})]),
    ("mg-kg-day", "2 mg/kg/day orally", [("2 mg/kg/day", {"value": 2, "unit": "mg/kg/day"})]),
    ("per-day-words", "cisplatin 350 mg/m2 per day for 5 days", [("350 mg/m2 per day", {"value": 350, "unit": "mg/m2/day"})]),
    ("day-number-is-schedule", "irinotecan 240 mg m−2 day 1; q21", [("240 mg m−2", {"value": 240, "unit": "mg/m2"})]),
    ("gbq", "a median activity of 3.2 GBq per cycle", [("3.2 GBq", {"value": 3.2, "unit": "GBq"})]),
    ("gy", "whole-liver dose of 50 Gy", [("50 Gy", {"value": 50, "unit": "Gy"})]),
    ("gy-range", "stereotactic doses of 8-30 Gy", [("8-30 Gy", {"low": 8, "high": 30, "unit": "Gy"})]),
    ("gy-fractions", "randomly assigned to 20 Gy/5 fractions", [("20 Gy", {"value": 20, "unit": "Gy"})]),
    ("count-units-name-inside", "2 x 10^12 rAd-p53 units were injected", [("2 x 10^12", {"value": 2e12, "unit": "units"})]),
    ("iu-lost-superscript", "four doses of 10 × 106 IU m−2 interleukin-2", [("10 × 106 IU m−2", {"value": 1e7, "unit": "IU/m2"})]),
    ("european-decimal", "eine Dosis von 8,5 mg", [("8,5 mg", {"value": 8.5, "unit": "mg"})]),
    ("thousands", "5-FU 2,400 mg/m2 over 46 h", [("2,400 mg/m2", {"value": 2400, "unit": "mg/m2"})]),
    ("microgram", "tecemotide 930 μg subcutaneously", [("930 μg", {"value": 930, "unit": "µg"})]),
    ("mcg", "fentanyl 50 mcg", [("50 mcg", {"value": 50, "unit": "µg"})]),
    ("iu-day", "vitamin D 4000 IU/day", [("4000 IU/day", {"value": 4000, "unit": "IU/day"})]),
    ("rate-per-min", "dobutamine 5 μg/kg/min", [("5 μg/kg/min", {"value": 5, "unit": "µg/kg/min"})]),
    ("mbq", "177Lu 7400 MBq per cycle", [("7400 MBq", {"value": 7400, "unit": "MBq"})]),
    ("mci", "131I 200 mCi", [("200 mCi", {"value": 200, "unit": "mCi"})]),
    ("bracketed", "docetaxel (100 mg/m2 at 3-weekly intervals)", [("100 mg/m2", {"value": 100, "unit": "mg/m2"})]),
    ("dot-d", "cyclophosphamide 60 mg/kg.d, -3 ~ -2d", [("60 mg/kg.d", {"value": 60, "unit": "mg/kg/day"})]),
    ("schedule-days-not-dose", "1.5 mU daily on days 6-12 and 3 mU thereafter", [("1.5 mU", {"value": 1.5, "unit": "mU"}), ("3 mU", {"value": 3, "unit": "mU"})]),
    ("two-doses-one-sentence", "oxaliplatin 85 mg/m2 and leucovorin 400 mg/m2",
     [("85 mg/m2", {"value": 85, "unit": "mg/m2"}), ("400 mg/m2", {"value": 400, "unit": "mg/m2"})]),
]

NOT_DOSES = [
    ("cea-concentration", "CEA > 100 ng/mL at baseline"),
    ("age", "patients aged 65 years or older"),
    ("count", "Thirteen patients (n = 13) and 24 lesions"),
    ("time", "operative time was 9 hours (8-11 hours)"),
    ("frequency", "a 5 MHz probe was used"),
    ("lab-mg-dl", "bilirubin 2.0 mg/dL or higher"),
    ("lab-mmol-l", "glucose 7.0 mmol/L"),
    ("serum-level", "serum levels of 25 mg were reached"),
    ("range-statistic", "activity varied (range, 7.3–31.0 GBq)"),
    ("year-comma-list", "In 2012, 2013 and 2014 patients"),
    ("syrup-concentration", "250 mg/5 mL suspension"),
    ("percent", "a 25% reduction in size"),
    ("auc-target", "carboplatin AUC 5 every 3 weeks"),
    ("weight", "body weight 70 kg"),
    ("birth-weight", "birth weight 3200 g"),
]


@pytest.mark.parametrize("text,expected", [pytest.param(t, e, id=i) for i, t, e in DEV_CASES])
def test_find_doses_dev(text, expected):
    found = find_doses(text)
    assert [(d.text, d.attrs()) for d in found] == expected
    for d in found:
        assert text[d.start : d.end] == d.text


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in NOT_DOSES])
def test_not_a_dose(text):
    assert find_doses(text) == []


@pytest.mark.parametrize(
    "text,value",
    [("1,000", 1000), ("8,5", 8.5), ("2.5", 2.5), ("2 x 10^12", 2e12), ("2 × 10(12)", 2e12), ("3 × 10⁶", 3e6), ("10 × 106", 1e7)],
)
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


def test_dose_mention_keeps_surface_beside_values():
    (d,) = find_doses("350 mg/m2 per day")
    assert isinstance(d, DoseMention)
    assert (d.unit_text, d.unit, d.kind) == ("mg/m2 per day", "mg/m2/day", "drug")


def test_units_table_rejects_duplicates_and_unknown_keys(tmp_path):
    dup = tmp_path / "dup.json"
    dup.write_text('{"units": [], "units": [], "per_time": [], "count_units": [], "not_dose_before": [], "not_dose_right_after": []}', encoding="utf-8")
    with pytest.raises(DataFileError):
        load_units(str(dup))
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({"units": [{"unit": "mg", "kind": "drug", "forms": ["mg"], "colour": "red"}], "per_time": [], "count_units": [], "not_dose_before": [], "not_dose_right_after": []}), encoding="utf-8")
    with pytest.raises(DataFileError):
        load_units(str(unknown))
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps({"units": [{"unit": "mg", "kind": "drug", "forms": ["mg", "mg"]}], "per_time": [], "count_units": [], "not_dose_before": [], "not_dose_right_after": []}), encoding="utf-8")
    with pytest.raises(DataFileError):
        load_units(str(twice))


@pytest.mark.parametrize("form", ["tons", "5mg", " mg", "-mg", "xU", "ounce", "amp"])
def test_units_table_rejects_forms_that_begin_like_a_run_of_numbers(tmp_path, form):
    """The tagger looks for a unit only where a run of numbers ends; a form beginning with a
    digit, space, dash, `to`, `or`, `and` or `x` could also start inside a run."""
    path = tmp_path / "units.json"
    path.write_text(json.dumps({"units": [{"unit": "u", "kind": "drug", "forms": [form]}], "per_time": [], "count_units": [], "not_dose_before": [], "not_dose_right_after": []}), encoding="utf-8")
    with pytest.raises(DataFileError, match="must not begin"):
        load_units(str(path))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 to5a units", [("1", {"value": 1, "unit": "units"})]),  # `to5a` read as a product name, as before
        ("2 x 10^400 mg", []),  # out of range: not a value (was an OverflowError)
        ("9" * 40 + " mg", []),  # more than 30 digits: not a value
    ],
    ids=["product-name-after-to", "exponent-out-of-range", "too-many-digits"],
)
def test_find_doses_odd_runs(text, expected):
    assert [(d.text, d.attrs()) for d in find_doses(text)] == expected


# text after a run of numbers: unit forms of the table, cut or whole, names, spaces, per-time words
_TAIL_PIECES = sorted({f[:k] for f in load_units().forms for k in (1, 2, len(f))}) + [
    " ", "  ", "\u00a0", "rAd-p53", "x", "-", "/", "per day", "/d", "patients", "%", ".",
]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_TAIL_PIECES), max_size=6))
def test_unit_gate_matches_wherever_the_tail_does(pieces):
    """`find_doses` tries the unit tail only where the gate matches: the gate must never
    turn away a tail match."""
    table, text = load_units(), "".join(pieces)
    if table.tail.match(text):
        assert table.gate.match(text)


def test_unit_gate_turns_away_plain_words():
    table = load_units()
    assert table.gate.match(" patients were") is None and table.gate.match(", and") is None
    assert table.gate.match(" mg/m2") and table.gate.match(" rAd-p53 units")
