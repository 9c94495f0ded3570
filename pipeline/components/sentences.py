"""Sentence boundaries for abstracts (component `abstracts_sentences`).

Sets `Token.is_sent_start`. A sentence ends at `.`, `?` or `!` followed by white space and
a token that can open a sentence (capital letter, digit, bracket), unless the word before
the stop is a known abbreviation (`vs.`, `e.g.`, `et al.`, `Fig.`). A line break that
leaves a blank line (a paragraph) or a heading start always opens a sentence.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

import pipeline._extensions  # noqa: F401  (Doc._.paragraphs, Doc._.headings)

# Words that end with a full stop without ending a sentence.
ABBREVIATIONS = frozenset(
    "vs v al e g i approx ca cf resp fig figs ref refs no nos dr drs mr mrs ms prof st inc ltd co jr sr "
    "etc viz incl min max mo mos yr yrs wk wks h hr hrs d sec b.i.d t.i.d q.d p.o i.v i.m s.c".split()
)
TERMINALS = frozenset(".?!")


def sentence_starts(doc: Doc) -> list[bool]:
    """Pure function: one flag per token, True where a sentence starts."""
    starts = [False] * len(doc)
    if not len(doc):
        return starts
    starts[0] = True
    forced = set()
    for start, _end in doc._.paragraphs or []:
        forced.add(start)
    for heading in doc._.headings or []:
        forced.add(heading.start)
        forced.add(heading.body_start)
    for i in range(1, len(doc)):
        tok = doc[i]
        prev = doc[i - 1]
        if tok.is_space:
            continue
        if tok.idx in forced:
            starts[i] = True
            continue
        # paragraph break: a whitespace token holding a blank line
        if prev.is_space and prev.text.count("\n") >= 2:
            starts[i] = True
            continue
        # find the previous non-space token and whether white space separates them
        j = i - 1
        gap = bool(doc[j].whitespace_) or doc[j].is_space
        while j >= 0 and doc[j].is_space:
            j -= 1
        if j < 0 or not gap:
            continue
        # closing brackets/quotes after the stop: `... (n = 4).` or `."`
        k = j
        while k > 0 and doc[k].text in {")", "]", "\"", "'", "\u201d"} and doc[k - 1].text in TERMINALS:
            k -= 1
        if doc[k].text not in TERMINALS:
            continue
        before = doc[k - 1].text.lower() if k > 0 else ""
        if doc[k].text == "." and k > 0 and (before in ABBREVIATIONS or (len(before) == 1 and before.isalpha())):
            continue
        first = tok.text[0]
        if first.isupper() or first.isdigit() or first in "([\"'\u201c":
            starts[i] = True
    return starts


@Language.component("abstracts_sentences", assigns=["token.is_sent_start"])
def set_sentence_starts(doc: Doc) -> Doc:
    for token, start in zip(doc, sentence_starts(doc)):
        token.is_sent_start = start
    return doc
