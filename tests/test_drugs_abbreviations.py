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


SPLIT_TEXTS = [
    "Patients received epirubicin (E) and cyclophosphamide (C), EC every 3 weeks; EC was stopped. "
    "Then FEC. FEC\n\nFEC was given; EC.",
    "Fluorouracil (F), epirubicin (E) and cyclophosphamide (C) as FEC, then docetaxel. " * 5 + "EC. Then FEC",
]


@pytest.mark.parametrize("text", SPLIT_TEXTS)
def test_split_tokens_rebuilt_doc_matches_the_retokenizer(text):
    """Past MAX_RETOKENIZER_SPLITS letter splits the Doc is rebuilt once (spaCy's retokenizer
    moves the whole token array per split: quadratic on megabyte pages): the rebuilt Doc has
    the same tokens, spaces, sentence starts, span groups, extension values and DRUG spans."""
    from spacy.attrs import ORTH, SENT_START, SPACY

    from pipeline.components.drugs import split_tokens

    nlp = tagging_nlp()
    base = nlp.get_pipe("abstracts_sentences")(nlp.make_doc(text))
    base.spans["sections"] = [base.char_span(0, len(text), label="METHODS")]
    base.spans["sections"][0]._.heading = "Methods"
    base._.segment_start = 7
    letters = [t.i for t in base if t.text in {"EC", "FEC"}]
    assert len(letters) >= 4
    in_place = split_tokens(base.copy(), letters, max_in_place=len(letters))
    rebuilt = split_tokens(base.copy(), letters, max_in_place=0)
    assert rebuilt is not in_place
    attrs = [ORTH, SPACY, SENT_START]
    assert rebuilt.to_array(attrs).tolist() == in_place.to_array(attrs).tolist()
    assert rebuilt.text == in_place.text == text
    assert [(s.start_char, s.end_char, s.label_, s._.heading) for s in rebuilt.spans["sections"]] == [
        (s.start_char, s.end_char, s.label_, s._.heading) for s in in_place.spans["sections"]
    ]
    assert rebuilt._.segment_start == in_place._.segment_start == 7
    tagger = nlp.get_pipe("abstracts_drugs")
    few, many = tagger(base.copy()), None
    from pipeline.components import drugs

    saved = drugs.MAX_RETOKENIZER_SPLITS
    try:
        drugs.MAX_RETOKENIZER_SPLITS = 0
        many = tagger(base.copy())
    finally:
        drugs.MAX_RETOKENIZER_SPLITS = saved
    assert [(s.start_char, s.end_char, s._.attrs) for s in drug_mentions(many)] == [
        (s.start_char, s.end_char, s._.attrs) for s in drug_mentions(few)
    ]
    assert sum(1 for s in drug_mentions(few) if len(s.text) == 1) >= 6
