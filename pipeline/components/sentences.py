"""Sentence boundaries for abstracts (component `abstracts_sentences`).

Sets `Token.is_sent_start`. A sentence ends at `.`, `?` or `!` followed by white space and
a token that can open a sentence (capital letter, digit, bracket), unless the word before
the stop is a known abbreviation (`vs.`, `e.g.`, `et al.`, `Fig.`). A line break that
leaves a blank line (a paragraph) or a heading start always opens a sentence.
"""

from __future__ import annotations

import numpy
import regex
from spacy.attrs import IDX, IS_SPACE, LENGTH, ORTH, SENT_START, SPACY
from spacy.language import Language
from spacy.tokens import Doc

import pipeline._extensions  # noqa: F401  (Doc._.paragraphs, Doc._.headings)

# Words that end with a full stop without ending a sentence.
ABBREVIATIONS = frozenset(
    "vs v al e g i approx ca cf resp fig figs ref refs no nos dr drs mr mrs ms prof st inc ltd co jr sr "
    "etc viz incl min max mo mos yr yrs wk wks h hr hrs d sec b.i.d t.i.d q.d p.o i.v i.m s.c".split()
)
TERMINALS = frozenset(".?!")
CLOSERS = frozenset({")", "]", "\"", "'", "\u201d"})


def sentence_starts(doc: Doc) -> list[bool]:
    """Pure function: one flag per token, True where a sentence starts.

    Only the tokens that can open a sentence are looked at (`_candidates`, found with array
    operations); the look-back from a token to the stop before it skips only white space
    tokens and closing brackets after a stop, so the work per token is bounded."""
    n = len(doc)
    starts = [False] * n
    if not n:
        return starts
    starts[0] = True
    forced = set()
    for start, _end in doc._.paragraphs or []:
        forced.add(start)
    for heading in doc._.headings or []:
        forced.add(heading.start)
        forced.add(heading.body_start)
    # token attributes read in one array call (no Token object per token)
    table = doc.to_array([ORTH, IDX, IS_SPACE, SPACY])
    strings = doc.vocab.strings
    orths = table[:, 0]
    space_flags = table[:, 2].astype(bool)
    offsets = table[:, 1].tolist()
    is_space = space_flags.tolist()
    trailing = table[:, 3].astype(bool).tolist()
    words: dict[int, str] = {}  # read from the string store only for the tokens looked at

    def word(i: int) -> str:
        if i not in words:
            words[i] = strings[int(orths[i])]
        return words[i]

    for i in _candidates(orths, space_flags, table[:, 1], forced, strings):
        if offsets[i] in forced:
            starts[i] = True
            continue
        # paragraph break: a whitespace token holding a blank line
        if is_space[i - 1] and word(i - 1).count("\n") >= 2:
            starts[i] = True
            continue
        # find the previous non-space token and whether white space separates them
        j = i - 1
        gap = trailing[j] or is_space[j]
        while j >= 0 and is_space[j]:
            j -= 1
        if j < 0 or not gap:
            continue
        # closing brackets/quotes after the stop: `... (n = 4).` or `."`
        k = j
        while k > 0 and word(k) in CLOSERS and word(k - 1) in TERMINALS:
            k -= 1
        if word(k) not in TERMINALS:
            continue
        before = word(k - 1).lower() if k > 0 else ""
        if word(k) == "." and k > 0 and (before in ABBREVIATIONS or (len(before) == 1 and before.isalpha())):
            continue
        first = word(i)[0]
        if first.isupper() or first.isdigit() or first in "([\"'\u201c":
            starts[i] = True
    return starts


def _stop_hashes(strings) -> numpy.ndarray:
    return numpy.array(sorted(strings[w] for w in TERMINALS | CLOSERS), dtype=numpy.uint64)


def _candidates(orths, space_flags, offsets, forced: set[int], strings) -> list[int]:
    """The tokens (not white space, not the first) that can open a sentence, found with array
    operations: one at a forced offset, one right after a white space token (a paragraph
    break), or one whose previous non-space token is a stop or a closing bracket (the only
    tokens the stop rule looks back to). Every other token keeps False."""
    n = len(orths)
    marks = numpy.zeros(n, dtype=bool)
    if forced:
        sought = numpy.array(sorted(forced), dtype=offsets.dtype)  # a binary search per token: linear in page length
        marks |= sought[numpy.minimum(numpy.searchsorted(sought, offsets), len(sought) - 1)] == offsets
    marks[1:] |= space_flags[:-1]
    solid = numpy.flatnonzero(~space_flags)
    stops = (orths[:, None] == _stop_hashes(strings)).any(axis=1)
    marks[solid[1:][stops[solid[:-1]]]] = True
    marks[0] = False
    marks &= ~space_flags
    return numpy.flatnonzero(marks).tolist()


def sentence_tokens(doc: Doc) -> list[tuple[int, int]] | None:
    """(start, end) token range of each sentence, as `doc.sents` gives them, read in one array
    call (`doc.sents` makes a Span, and `has_annotation` a Token, per sentence and token);
    None when no sentence boundaries are set."""
    if "sents" in doc.user_hooks:
        return [(s.start, s.end) for s in doc.sents]
    n = len(doc)
    if n < 2:
        return [(0, n)] if n else []
    flags = doc.to_array([SENT_START]).view(numpy.int64)
    if not flags[1:].any():
        return None
    starts = [0, *(numpy.flatnonzero(flags[1:] == 1) + 1).tolist()]
    return list(zip(starts, starts[1:] + [n]))


def sentence_ranges(doc: Doc) -> list[tuple[int, int]] | None:
    """(start_char, end_char) of each sentence, as `doc.sents` gives them; None when no
    sentence boundaries are set."""
    bounds = sentence_tokens(doc)
    if not bounds:
        return bounds
    table = doc.to_array([IDX, LENGTH]).tolist()
    return [(table[a][0], table[b - 1][0] + table[b - 1][1]) for a, b in bounds]


@Language.component("abstracts_sentences", assigns=["token.is_sent_start"])
def set_sentence_starts(doc: Doc) -> Doc:
    """Writes all flags in one `Doc.from_array` call: setting `Token.is_sent_start` token by
    token makes spaCy check the whole Doc for a parse each time (quadratic in page length)."""
    if len(doc):
        flags = numpy.array([1 if s else -1 for s in sentence_starts(doc)], dtype=numpy.int64)
        doc.from_array([SENT_START], flags.view(numpy.uint64))
    return doc


# ---------------------------------------------------------------------------------------
# a plain splitter for callers without a spaCy Doc

_PLAIN_ABBREVIATIONS = frozenset(
    "vs v al e g i approx ca cf resp fig figs ref refs no nos dr drs mr mrs ms prof st inc ltd co jr sr etc viz incl "
    "min max mo mos yr yrs wk wks h hr hrs d sec".split()
)
_SENT_END_RE = regex.compile(r"[.?!][)\]\"'”]*(\s+)(?=[(\[\"“]?[A-Z0-9])")
_LAST_WORD_RE = regex.compile(r"([A-Za-z]+)\.?$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """A plain sentence splitter for callers without a spaCy Doc (same idea as pipeline.components.sentences)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENT_END_RE.finditer(text):
        stop = match.start()
        word = _LAST_WORD_RE.search(text[max(start, stop - 12) : stop + 1])
        if text[stop] == "." and word and (word.group(1).lower() in _PLAIN_ABBREVIATIONS or len(word.group(1)) == 1):
            continue
        spans.append((start, match.start(1)))
        start = match.end(1)
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]



# ---------------------------------------------------------------------------------------
# a bound on the work per sentence

# Sentences of real abstracts stay under ~1,400 characters (56k sentences of pmc-rct and
# BC5CDR); a "sentence" longer than this is a page that lost its punctuation or a run of
# figures, and the taggers read it in pieces of at most this length, so the work on any
# one stretch of text stays bounded.
MAX_SENTENCE_CHARS = 2000
_PIECE_BREAKS = (";", ",", " ")


def bounded_sentences(text: str, sentences: list[tuple[int, int]], limit: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """`sentences` with every one longer than `limit` cut into pieces of at most `limit`
    characters, each cut after the last `;`, else `,`, else space in the second half
    of the piece (a hard cut only in text with none of them). Shorter sentences pass unchanged."""
    out: list[tuple[int, int]] = []
    for start, end in sentences:
        while end - start > limit:
            cut = -1
            for mark in _PIECE_BREAKS:
                cut = text.rfind(mark, start + limit // 2, start + limit)
                if cut >= 0:
                    break
            cut = cut + 1 if cut >= 0 else start + limit
            out.append((start, cut))
            start = cut
        out.append((start, end))
    return out
