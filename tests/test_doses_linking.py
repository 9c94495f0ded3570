"""The DOSE component: spans in the Doc and the `drug` each dose is given of."""

from __future__ import annotations

import pytest

from pipeline.components.doses import tagging_nlp


def doses_in(text: str) -> list[tuple[str, str | None]]:
    doc = tagging_nlp()(text)
    return [(s.text, s._.attrs.get("drug")) for s in doc.spans["entities"] if s.label_ == "DOSE"]


DEV_CASES = [
    ("dose-before-drug", "treated with 1.5 or 2.0 mg/kg melphalan and/or 1 mg tumor necrosis factor.",
     [("1.5 or 2.0 mg/kg", "melphalan"), ("1 mg", "tumor necrosis factor")]),
    ("x-mg-of-y", "Patients received 400 mg of imatinib daily.", [("400 mg", "imatinib")]),
    ("y-x-mg", "Oxaliplatin 130 mg/m2 was given every 3 weeks.", [("130 mg/m2", "Oxaliplatin")]),
    ("y-bracket-dose", "gemcitabine (1000 mg/m2) for 6 months", [("1000 mg/m2", "gemcitabine")]),
    ("each-its-own", "oxaliplatin 85 mg/m2 and leucovorin 400 mg/m2 followed by 5-FU 2400 mg/m2 over 46 h.",
     [("85 mg/m2", "oxaliplatin"), ("400 mg/m2", "leucovorin"), ("2400 mg/m2", "5-FU")]),
    ("at-a-dose-of", "Octreotide LAR was administered at a dose of 30 mg every 28 days.", [("30 mg", "Octreotide LAR")]),
    ("bracketed-dose-before-drug", "high-dose (1800 mg/day) pirfenidone or low-dose (1200 mg/day) pirfenidone",
     [("1800 mg/day", "pirfenidone"), ("1200 mg/day", "pirfenidone")]),
    ("same-drug-second-dose", "TMZ was given at 200 mg/m2/day for 5 days, or 150 mg/m2/day in pretreated patients.",
     [("200 mg/m2/day", "TMZ"), ("150 mg/m2/day", "TMZ")]),
    ("radiation-no-drug", "Radiotherapy to 50 Gy was given with capecitabine 825 mg/m2.", [("50 Gy", None), ("825 mg/m2", "capecitabine")]),
    ("no-drug-in-sentence", "The maximum tolerated dose was 60 mg/m2.", [("60 mg/m2", None)]),
    ("other-sentence", "Gemcitabine was given. The dose was 1000 mg/m2.", [("1000 mg/m2", None)]),
    ("regimen-acronym", "FOLFOX with oxaliplatin 85 mg/m2 on day 1", [("85 mg/m2", "oxaliplatin")]),
    ("defined-letter", "epirubicin (E) and cyclophosphamide (C); E 90 mg/m2 and C 600 mg/m2 were given.",
     [("90 mg/m2", "E"), ("600 mg/m2", "C")]),
    ("product-units", "2 x 10^12 rAd-p53 units were injected intratumorally.", [("2 x 10^12", "rAd-p53")]),
]


@pytest.mark.parametrize("text,expected", [pytest.param(t, e, id=i) for i, t, e in DEV_CASES])
def test_dose_linking_dev(text, expected):
    assert doses_in(text) == expected


def test_dose_never_overlaps_drug():
    doc = tagging_nlp()("5-FU 400 mg/m2 bolus")
    spans = sorted(doc.spans["entities"], key=lambda s: s.start)
    assert [(s.label_, s.text) for s in spans] == [("DRUG", "5-FU"), ("DOSE", "400 mg/m2")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Patients inhaled aclidinium/formoterol 400/12 µg twice daily.",
         [("400", "aclidinium", "µg"), ("12 µg", "formoterol", "µg")]),
        ("Budesonide/formoterol 160/4.5 µg was given twice daily.",
         [("160", "Budesonide", "µg"), ("4.5 µg", "formoterol", "µg")]),
        ("Enrolment ran in 2012/13 mg doses were not recorded.", []),
    ],
    ids=["inhaler", "sentence-start", "years-are-not-a-combination"],
)
def test_doses_fixed_combination_gives_each_drug_its_dose(text, expected):
    from pipeline.components.doses import tagging_nlp

    doc = tagging_nlp()(text)
    got = [(s.text, s._.attrs.get("drug"), s._.attrs["unit"]) for s in doc.spans["entities"] if s.label_ == "DOSE"]
    assert got == expected


@pytest.mark.parametrize(
    "text, drugs, doses",
    [
        ("Patients inhaled aclidinium bromide (AB) 400 µg; AB was well tolerated.",
         ["aclidinium bromide", "AB", "AB"], [("400 µg", "aclidinium bromide")]),
        ("Imatinib mesylate 400 mg daily was continued.", ["Imatinib mesylate"], [("400 mg", "Imatinib mesylate")]),
        ("aclidinium bromide 400 µg/formoterol fumarate 12 µg twice daily",
         ["aclidinium bromide", "formoterol fumarate"], [("400 µg", "aclidinium bromide"), ("12 µg", "formoterol fumarate")]),
    ],
    ids=["salt-then-defined-abbreviation", "salt-word", "dose-then-slash-then-drug"],
)
def test_doses_salt_names_and_slash_separated_products(text, drugs, doses):
    from pipeline.components.doses import tagging_nlp

    doc = tagging_nlp()(text)
    spans = doc.spans["entities"]
    assert [s.text for s in spans if s.label_ == "DRUG"] == drugs
    assert [(s.text, s._.attrs.get("drug")) for s in spans if s.label_ == "DOSE"] == doses
