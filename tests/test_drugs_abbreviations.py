"""Abbreviations the abstract defines for a drug (pure functions and their use in tagging)."""

from __future__ import annotations

import pytest

from pipeline.components.doses import tagging_nlp
from pipeline.components.drugs import drug_mentions, schwartz_hearst


@pytest.mark.parametrize(
    "long_form,short,start",
    [
        ("epirubicin", "E", 0),
        ("gemcitabine plus cisplatin", "GC", 0),
        ("isolated hepatic perfusion", "IHP", 0),
        ("the temozolomide", "TMZ", 4),
        ("cyclophosphamide", "CTX", None),
        ("paclitaxel", "P", 0),
        ("oxaliplatin", "TEGAFOX", None),
    ],
)
def test_schwartz_hearst(long_form, short, start):
    assert schwartz_hearst(long_form, short) == start


def tagged(text):
    return [(s.text, s._.attrs["norm"]) for s in drug_mentions(tagging_nlp()(text))]


CASES = [
    ("nickname-ctx", "cyclophosphamide (CTX) was followed by CTX maintenance.",
     [("cyclophosphamide", "cyclophosphamide"), ("CTX", "cyclophosphamide"), ("CTX", "cyclophosphamide")]),
    ("regimen-by-letters", "busulfan plus fludarabine (BuFlu) versus busulfan plus cyclophosphamide (BuCy); BuFlu was safer.",
     [("busulfan", "busulfan"), ("fludarabine", "fludarabine"), ("BuFlu", "buflu"), ("busulfan", "busulfan"),
      ("cyclophosphamide", "cyclophosphamide"), ("BuCy", "bucy"), ("BuFlu", "buflu")]),
    ("regimen-name-not-spelt", "tegafur combined with oxaliplatin (TEGAFOX) or irinotecan (TEGAFIRI); TEGAFOX was better.",
     [("tegafur", "tegafur"), ("oxaliplatin", "oxaliplatin"), ("TEGAFOX", "tegafox"), ("irinotecan", "irinotecan"),
      ("TEGAFIRI", "tegafiri"), ("TEGAFOX", "tegafox")]),
    ("trial-name-not-drug", "Erbitux, radiotherapy and UFT (PERU) trial: PERU enrolled 70 patients.",
     [("Erbitux", "cetuximab"), ("UFT", "tegafur-uracil")]),
    ("glued-bracket-not-definition", "GABA(A) receptor agonists such as zolpidem; A dose was given.",
     [("GABA", "gamma-aminobutyric acid"), ("zolpidem", "zolpidem")]),
    ("procedure-abbrev-not-drug", "isolated hepatic perfusion (IHP) with melphalan; IHP was repeated.", [("melphalan", "melphalan")]),
    ("letter-not-article", "letrozole (L) was given. A total of 40 patients took L daily.",
     [("letrozole", "letrozole"), ("L", "letrozole"), ("L", "letrozole")]),
    ("letter-not-label", "zolmitriptan (Z) in group Z; Z was preferred", [("zolmitriptan", "zolmitriptan"), ("Z", "zolmitriptan"), ("Z", "zolmitriptan")]),
    ("sf-before-long-needs-first-letter", "CPAP (APAP) was compared with standard CPAP.", [("APAP", "acetaminophen")]),
]


@pytest.mark.parametrize("text,expected", [pytest.param(t, e, id=i) for i, t, e in CASES])
def test_defined_abbreviations(text, expected):
    assert tagged(text) == expected


def test_split_letters_keep_other_span_groups():
    """Splitting `EC` into `E` + `C` must not shift spans other components set before."""
    nlp = tagging_nlp()
    text = "Methods: epirubicin (E) and cyclophosphamide (C) as EC every 3 weeks."
    doc = nlp.make_doc(text)
    doc.spans["sections"] = [doc.char_span(9, len(text), label="METHODS")]
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    (section,) = doc.spans["sections"]
    assert (section.start_char, section.end_char) == (9, len(text))
    assert [s.text for s in drug_mentions(doc)][-2:] == ["E", "C"]
