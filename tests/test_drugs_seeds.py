"""The five seed pages: every DRUG and DOSE the guidelines define there, with attributes,
and nothing on the procedures, classes and lab values the same pages mention."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.components.doses import tagging_nlp
from pipeline.readers.decode import read_source_text

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

EXPECTED = {
    "000_2388d6691ff22e17": [
        ("DOSE", "1.5 or 2.0 mg/kg", {"values": [1.5, 2.0], "unit": "mg/kg", "drug": "melphalan"}),
        ("DRUG", "melphalan", {"norm": "melphalan"}),
        ("DOSE", "1 mg", {"value": 1, "unit": "mg", "drug": "tumor necrosis factor"}),
        ("DRUG", "tumor necrosis factor", {"norm": "tumor necrosis factor"}),
    ],
    "001_1d0e0a3be61d0160": [("DRUG", "fluorodeoxyuridine", {"norm": "floxuridine"})],
    "002_5925cd04c5fa4a40": [],
    "003_f38cd80341152345": [("DRUG", "octreotide", {"norm": "octreotide"})],
    "004_67a83642c063ffbd": [("DRUG", "melphalan", {"norm": "melphalan"})],
}
FORBIDDEN = {"chemotherapy", "radioembolization", "TACE", "placebo", "CEA", "microspheres", "embolization", "IHP", "HAIP"}


def _entities(name: str):
    path = SEEDS / f"{name}.txt"
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is not beside the checkout)")
    doc = tagging_nlp()(read_source_text(path))
    spans = sorted((s for s in doc.spans["entities"] if s.label_ in {"DRUG", "DOSE"}), key=lambda s: s.start_char)
    return [(s.label_, s.text, s._.attrs) for s in spans]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_drugs_and_doses(name):
    found = _entities(name)
    assert [(label, text) for label, text, _ in found] == [(label, text) for label, text, _ in EXPECTED[name]]
    for (_, _, attrs), (_, _, want) in zip(found, EXPECTED[name]):
        assert {k: attrs.get(k) for k in want} == want


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_no_drug_on_procedures_classes_labs(name):
    assert not [text for label, text, _ in _entities(name) if label == "DRUG" and text in FORBIDDEN]
