"""`TokenTable` reads what spaCy's Token and Span objects give, for every token and range."""

from __future__ import annotations

import pytest
import spacy

from pipeline.components.token_table import TokenTable
from pipeline.components.tokenizer import AbstractTokenizer

TEXTS = [
    "",
    "Cisplatin (CDDP) 75 mg/m2 plus AZD9291; HER2-positive.",
    "  Leading  spaces,\n\nblank lines\tand tabs ",
    "İstanbul ÉTUDE Ro 40-5967 and 5-FU/LV (FOLFOX-6)",
]


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.tokenizer = AbstractTokenizer(nlp.vocab)
    return nlp


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_token_table_matches_token_attributes(nlp, text):
    doc = nlp.make_doc(text)
    table = TokenTable.of(doc)
    assert len(table) == len(doc)
    assert table.texts == [t.text for t in doc]
    for i, tok in enumerate(doc):
        assert (table.text(i), table.lower(i)) == (tok.text, tok.lower_)
        assert (bool(table.is_alpha[i]), bool(table.is_space[i]), bool(table.is_upper[i])) == (tok.is_alpha, tok.is_space, tok.is_upper)
        assert bool(table.spaced[i]) == bool(tok.whitespace_)
    for start in range(len(doc) + 1):
        for end in range(start, len(doc) + 1):
            assert table.span_text(start, end) == doc[start:end].text
    assert table.positions("(") == [t.i for t in doc if t.text == "("]
    assert table.positions_of(table.is_upper, 1) == [t.i for t in doc if t.is_upper]
