"""Issue #13, hard cases users hit: DOSE spans, units and drugs (the doses component).

Each row is (id, text, expected DOSE spans in order with the attributes that must hold;
`None` = the attribute is absent). Known misses are strict xfails in MISSES.
"""

from __future__ import annotations

import pytest

from pipeline.components.doses import tagging_nlp
from tests.conftest import assert_spans, table_params


def doses(text: str) -> list[tuple[str, dict]]:
    doc = tagging_nlp()(text)
    return [(s.text, dict(s._.attrs)) for s in doc.spans["entities"] if s.label_ == "DOSE"]


MG_M2 = "mg/m2"

# carboplatin `AUC n` is a target exposure, not a dose (docs/annotation-guidelines.md), and it
# must not take the next drug's dose with it
AUC_CASES = [
    ("auc-after-dose", "Patients received paclitaxel 175 mg/m2 and carboplatin AUC 6 every 3 weeks.",
     [("175 mg/m2", {"value": 175, "unit": MG_M2, "drug": "paclitaxel"})]),
    ("auc-before-dose", "Carboplatin AUC 6 and paclitaxel 175 mg/m2 were given on day 1.",
     [("175 mg/m2", {"value": 175, "unit": MG_M2, "drug": "paclitaxel"})]),
    ("auc-bracketed", "carboplatin (AUC 5) plus paclitaxel 200 mg/m2 every 3 weeks",
     [("200 mg/m2", {"value": 200, "unit": MG_M2, "drug": "paclitaxel"})]),
    ("auc-words-with-unit", "carboplatin at an area under the curve of 5 mg/mL/min with pemetrexed 500 mg/m2",
     [("500 mg/m2", {"value": 500, "unit": MG_M2, "drug": "pemetrexed"})]),
    ("auc-equals-then-drug", "carboplatin AUC = 5 plus gemcitabine 1000 mg/m2 on days 1 and 8",
     [("1000 mg/m2", {"value": 1000, "unit": MG_M2, "drug": "gemcitabine"})]),
    ("auc-comma-then-dose", "Carboplatin AUC 5, 500 mg/m2 pemetrexed and vitamin supplementation were given.",
     [("500 mg/m2", {"value": 500, "unit": MG_M2, "drug": "pemetrexed"})]),
    ("auc-alone", "carboplatin AUC 5 every 3 weeks", []),
]

# exponents as journals print them: Unicode minus, superscripts, caret, middle dot, full stop
UNIT_CASES = [
    ("mg-m-minus-hyphen", "docetaxel 75 mg m-2 on day 1", [("75 mg m-2", {"value": 75, "unit": MG_M2})]),
    ("mg-dot-m-superscript", "cisplatin 75 mg·m⁻² on day 1", [("75 mg·m⁻²", {"value": 75, "unit": MG_M2, "drug": "cisplatin"})]),
    ("mg-dot-m-unicode-minus", "doxorubicin 60 mg·m−2 every 3 weeks", [("60 mg·m−2", {"value": 60, "unit": MG_M2})]),
    ("mg-m-caret", "doxorubicin 60 mg m^-2 every 3 weeks", [("60 mg m^-2", {"value": 60, "unit": MG_M2})]),
    ("mg-fullstop-m", "epirubicin 90 mg.m-2 on day 1", [("90 mg.m-2", {"value": 90, "unit": MG_M2})]),
    ("mg-slash-m-superscript", "gemcitabine 1000 mg/m² weekly", [("1000 mg/m²", {"value": 1000, "unit": MG_M2})]),
    ("mg-dot-kg-superscript", "bevacizumab 7.5 mg·kg⁻¹ every 3 weeks",
     [("7.5 mg·kg⁻¹", {"value": 7.5, "unit": "mg/kg", "drug": "bevacizumab"})]),
    ("mg-kg-superscript-space", "bevacizumab 15 mg kg⁻¹ every 3 weeks", [("15 mg kg⁻¹", {"value": 15, "unit": "mg/kg"})]),
    ("ug-kg-unicode-minus", "dexmedetomidine 0.5 µg kg−1 over 10 min", [("0.5 µg kg−1", {"value": 0.5, "unit": "µg/kg"})]),
    ("ug-dot-kg-superscript", "dexmedetomidine 1 µg·kg⁻¹ as a loading dose", [("1 µg·kg⁻¹", {"value": 1, "unit": "µg/kg"})]),
    ("mg-kg-day-caret", "sunitinib 1 mg kg^-1 day^-1 orally", [("1 mg kg^-1 day^-1", {"value": 1, "unit": "mg/kg/day"})]),
    ("mg-kg-day-superscript", "imatinib 10 mg kg⁻¹ day⁻¹ orally", [("10 mg kg⁻¹ day⁻¹", {"value": 10, "unit": "mg/kg/day"})]),
    ("mg-kg-h-superscript", "ketamine 0.5 mg kg⁻¹ h⁻¹ by infusion", [("0.5 mg kg⁻¹ h⁻¹", {"value": 0.5, "unit": "mg/kg/h"})]),
    ("mu-m-superscript", "interleukin-2 at 4.5 MU m⁻² subcutaneously", [("4.5 MU m⁻²", {"value": 4.5, "unit": "MU/m2"})]),
    ("concentration-still-out", "a plasma level of 5 mg L⁻¹ was reached", []),
]

# per cycle is schedule (like `per session`), glued or not: docs/annotation-guidelines.md
CYCLE_CASES = [
    ("per-cycle-words", "carboplatin 400 mg/m2 per cycle", [("400 mg/m2", {"value": 400, "unit": MG_M2})]),
    ("per-cycle-glued", "doxorubicin 75 mg/m2/cycle for six cycles",
     [("75 mg/m2", {"value": 75, "unit": MG_M2, "drug": "doxorubicin"})]),
    ("per-cycle-glued-radioactivity", "177Lu-DOTATATE 7.4 GBq/cycle for four cycles", [("7.4 GBq", {"value": 7.4, "unit": "GBq"})]),
    ("per-cycle-glued-mg", "oral etoposide 500 mg/cycle", [("500 mg", {"value": 500, "unit": "mg"})]),
    ("per-cycle-words-gbq", "a median activity of 3.2 GBq per cycle", [("3.2 GBq", {"value": 3.2, "unit": "GBq"})]),
]

# one unit for a list of values: one span of alternatives for one drug; with `respectively`
# after a list of drugs, one dose per drug, each number its own span (as `400/12 µg`)
RESPECTIVELY_CASES = [
    ("one-drug-cohorts", "Irinotecan was given at doses of 60, 80 and 100 mg/m2, respectively, in cohorts 1 to 3.",
     [("60, 80 and 100 mg/m2", {"values": [60, 80, 100], "unit": MG_M2, "drug": "Irinotecan"})]),
    ("no-drug-cohorts", "at doses of 60, 80 and 100 mg/m2, respectively",
     [("60, 80 and 100 mg/m2", {"values": [60, 80, 100], "unit": MG_M2, "drug": None})]),
    ("two-drugs", "docetaxel and cisplatin at 75 and 75 mg/m2, respectively",
     [("75", {"value": 75, "unit": MG_M2, "drug": "docetaxel"}), ("75 mg/m2", {"value": 75, "unit": MG_M2, "drug": "cisplatin"})]),
    ("two-drugs-verb", "Docetaxel and cisplatin were given at 75 and 75 mg/m2, respectively, on day 1.",
     [("75", {"value": 75, "drug": "Docetaxel"}), ("75 mg/m2", {"value": 75, "drug": "cisplatin"})]),
    ("three-drugs", "Epirubicin, cisplatin and fluorouracil were given at 50, 60 and 200 mg/m2, respectively.",
     [("50", {"value": 50, "unit": MG_M2, "drug": "Epirubicin"}), ("60", {"value": 60, "drug": "cisplatin"}),
      ("200 mg/m2", {"value": 200, "drug": "fluorouracil"})]),
    ("two-drugs-no-comma", "oxaliplatin and irinotecan at doses of 85 and 180 mg/m2 respectively",
     [("85", {"value": 85, "drug": "oxaliplatin"}), ("180 mg/m2", {"value": 180, "drug": "irinotecan"})]),
    ("own-units-respectively", "gemcitabine and capecitabine at 1000 mg/m2 and 1660 mg/m2/day, respectively",
     [("1000 mg/m2", {"value": 1000, "drug": "gemcitabine"}), ("1660 mg/m2/day", {"value": 1660, "unit": "mg/m2/day", "drug": "capecitabine"})]),
    ("two-drugs-no-respectively", "Docetaxel and cisplatin at 75 and 75 mg/m2 were given.",
     [("75 and 75 mg/m2", {"values": [75, 75], "unit": MG_M2})]),
]

MISSES: dict[str, str] = {}


@pytest.mark.parametrize("text,expected", table_params(AUC_CASES, MISSES))
def test_hard_doses_auc_target(text, expected):
    assert_spans(doses(text), expected)


@pytest.mark.parametrize("text,expected", table_params(UNIT_CASES, MISSES))
def test_hard_doses_unit_spellings(text, expected):
    assert_spans(doses(text), expected)


@pytest.mark.parametrize("text,expected", table_params(CYCLE_CASES, MISSES))
def test_hard_doses_per_cycle(text, expected):
    assert_spans(doses(text), expected)


@pytest.mark.parametrize("text,expected", table_params(RESPECTIVELY_CASES, MISSES))
def test_hard_doses_respectively(text, expected):
    assert_spans(doses(text), expected)
