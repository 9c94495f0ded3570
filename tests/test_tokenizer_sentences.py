"""Tokenizer and sentence boundaries: token edges where the guidelines cut spans."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.components.sentences import (
    set_sentence_starts,  # noqa: F401  (registers the component)
)
from pipeline.components.tokenizer import (
    AbstractTokenizer,
    _split_words_loop,
    split_words,
)


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("HAI-FUDR", ["HAI", "-", "FUDR"]),
        ("melphalan-based", ["melphalan", "-", "based"]),
        ("12-15mg/kg/d", ["12", "-", "15", "mg", "/", "kg", "/", "d"]),
        ("8.0 months", ["8.0", "months"]),
        ("8,5 months", ["8,5", "months"]),
        ("HR= 0.32", ["HR", "=", "0.32"]),
        ("(95% CI, 3.1-15.3 months)", ["(", "95", "%", "CI", ",", "3.1", "-", "15.3", "months", ")"]),
        ("p<0.0001", ["p", "<", "0.0001"]),
        ("UFT/LV", ["UFT", "/", "LV"]),
        ("P\u2009=\u20090.006", ["P", "\u2009", "=", "\u2009", "0.006"]),
        ("177Lu-DOTATATE", ["177", "Lu", "-", "DOTATATE"]),
    ],
)
def test_tokenizer_splits_where_spans_can_start(text, tokens):
    words, _ = split_words(text)
    assert [w for w in words if w != " "] == [t for t in tokens if t != " "] or words == tokens


@pytest.mark.parametrize("text", ["a  b\n\nc", " lead", "trail \n", "x\u00a0y", "tab\tsep", ""])
def test_tokenizer_round_trips_text_exactly(text):
    nlp = spacy.blank("en")
    doc = AbstractTokenizer(nlp.vocab)(text)
    assert doc.text == text


# spaces, line breaks, the separators Python calls whitespace but `\s` does not (\x1c-\x1f),
# digits with their inner marks, letters, underscores and other symbols
_TOKENIZER_TEXT = st.text(st.sampled_from(list("  \n\t\u00a0\x1c\x1f\u2009a1.,\u00b7_-%(Bé")), max_size=40)


@settings(max_examples=500, deadline=None)
@given(_TOKENIZER_TEXT)
def test_one_call_tokenizer_equals_the_token_loop(text):
    assert split_words(text) == _split_words_loop(text)


@pytest.mark.parametrize("text", ["a  b", "a \n b", " a", "a\x1c b", "8.0 months", "a\u00a0 b", "x \t", ""])
def test_one_call_tokenizer_equals_the_token_loop_on_edges(text):
    assert split_words(text) == _split_words_loop(text)


def _sentences(text: str) -> list[str]:
    nlp = spacy.blank("en")
    nlp.tokenizer = AbstractTokenizer(nlp.vocab)
    nlp.add_pipe("abstracts_sentences")
    return [s.text.strip() for s in nlp(text).sents]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("PFS was 8.0 months vs. 1.6 months. OS was longer.", ["PFS was 8.0 months vs. 1.6 months.", "OS was longer."]),
        ("As shown by Smith et al. the drug works. It does.", ["As shown by Smith et al. the drug works.", "It does."]),
        ("Doses (e.g. 5 mg) were used. Then 10 patients died.", ["Doses (e.g. 5 mg) were used.", "Then 10 patients died."]),
        ("First paragraph without stop\n\nSecond one.", ["First paragraph without stop", "Second one."]),
        ("It was significant (P = .01). Fine.", ["It was significant (P = .01).", "Fine."]),
        ("Ended with a bracket (n = 4). Next.", ["Ended with a bracket (n = 4).", "Next."]),
    ],
)
def test_sentences_split_abstract_text(text, expected):
    assert _sentences(text) == expected


@pytest.mark.parametrize(
    "text, limit, pieces",
    [
        ("short sentence.", 20, ["short sentence."]),
        ("aaaa bbbb; cccc dddd eeee", 12, ["aaaa bbbb;", " cccc dddd ", "eeee"]),
        ("aaaa, bbbb cccc, dddd", 12, ["aaaa, bbbb ", "cccc, dddd"]),
        ("x" * 25, 10, ["x" * 10, "x" * 10, "x" * 5]),
    ],
    ids=["short-unchanged", "cut-after-semicolon", "cut-after-space", "hard-cut"],
)
def test_bounded_sentences_cut_long_ones_into_pieces(text, limit, pieces):
    from pipeline.components.sentences import bounded_sentences

    got = bounded_sentences(text, [(0, len(text))], limit)
    assert [text[s:e] for s, e in got] == pieces
    assert all(e - s <= limit for s, e in got)


def test_sentence_starts_set_in_one_call_match_token_by_token():
    """`set_sentence_starts` writes the same flags Token.is_sent_start reports."""
    from pipeline.components.sentences import sentence_starts

    nlp = spacy.blank("en")
    nlp.tokenizer = AbstractTokenizer(nlp.vocab)
    nlp.add_pipe("abstracts_sentences")
    doc = nlp("PFS was 8.0 months vs. 1.6 months. OS was longer (n = 4). Then\n\nnext one")
    assert [t.is_sent_start for t in doc] == sentence_starts(doc)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x",
        "  ",
        "A.",
        "A. B",
        "One. Two.  Three",
        "PFS was 8.0 months vs. 1.6 months. OS was longer (n = 4). Then\n\nnext one",
        "BACKGROUND: Something. METHODS: We did it.\n\nRESULTS: OS 12 months (95% CI 10-14). ",
    ],
)
@pytest.mark.parametrize("split", [False, True])
def test_sentence_ranges_read_in_one_call_match_doc_sents(text, split):
    """`sentence_tokens` / `sentence_ranges` (one array call) give what `doc.sents` gives,
    and None where spaCy has no sentence boundaries."""
    from pipeline.components.sentences import sentence_ranges, sentence_tokens

    nlp = spacy.blank("en")
    nlp.tokenizer = AbstractTokenizer(nlp.vocab)
    nlp.add_pipe("abstracts_sentences")
    doc = nlp(text) if split else nlp.make_doc(text)
    if doc.has_annotation("SENT_START"):
        assert sentence_tokens(doc) == [(s.start, s.end) for s in doc.sents]
        assert sentence_ranges(doc) == [(s.start_char, s.end_char) for s in doc.sents]
    else:
        assert sentence_tokens(doc) is None and sentence_ranges(doc) is None


def _starts_checking_every_token(doc) -> list[bool]:
    """Reference: the stop rule applied at every token, as `sentence_starts` does for its candidates."""
    from pipeline.components.sentences import ABBREVIATIONS, CLOSERS, TERMINALS

    words = [t.text for t in doc]
    forced = {a for a, _ in doc._.paragraphs or []} | {x for h in doc._.headings or [] for x in (h.start, h.body_start)}
    starts = [i == 0 for i in range(len(doc))]
    for i in range(1, len(doc)):
        if doc[i].is_space:
            continue
        if doc[i].idx in forced or (doc[i - 1].is_space and words[i - 1].count("\n") >= 2):
            starts[i] = True
            continue
        j = i - 1
        gap = bool(doc[j].whitespace_) or doc[j].is_space
        while j >= 0 and doc[j].is_space:
            j -= 1
        if j < 0 or not gap:
            continue
        k = j
        while k > 0 and words[k] in CLOSERS and words[k - 1] in TERMINALS:
            k -= 1
        before = words[k - 1].lower() if k > 0 else ""
        if words[k] not in TERMINALS or (words[k] == "." and k > 0 and (before in ABBREVIATIONS or (len(before) == 1 and before.isalpha()))):
            continue
        starts[i] = words[i][0].isupper() or words[i][0].isdigit() or words[i][0] in "([\"'\u201c"
    return starts


_SENTENCE_PIECES = ["Patients", "were", "vs", "e", "g", "al", "x", "8.0", ".", "?", "!", ")", "(", "]", '"', "\u201d",
                    "\u201c", " ", "  ", "\n", "\n\n", "\n \n", ",", "OS", "a"]


_TOKENIZE = AbstractTokenizer(spacy.blank("en").vocab)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_SENTENCE_PIECES), max_size=30), st.lists(st.integers(0, 200), max_size=3))
def test_sentence_starts_equal_checking_every_token(pieces, forced):
    from pipeline.components.sentences import sentence_starts

    doc = _TOKENIZE("".join(pieces))
    doc._.paragraphs = [(x, x + 1) for x in forced]
    doc._.headings = []
    assert sentence_starts(doc) == _starts_checking_every_token(doc)
