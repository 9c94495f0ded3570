"""The token-index DrugMatcher finds exactly what the two PhraseMatchers it replaced found.

Two references over the same lexicon, on the real pages of corpus/ (and the seed pages):
a straightforward one (every start, every length, a dict of token tuples built with the
pipeline's own tokenizer) and spaCy's PhraseMatcher on LOWER and on ORTH, as the tagger
used until the lexicon was compiled (slow: ~4 s and ~260 MB to build).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.matcher import PhraseMatcher

from pipeline.components.drug_cache import compile_lexicon
from pipeline.components.drug_lexicon import load_lexicon
from pipeline.components.drug_matching import DrugMatcher
from pipeline.components.tokenizer import AbstractTokenizer
from pipeline.readers.decode import read_source_text

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.tokenizer = AbstractTokenizer(nlp.vocab)
    return nlp


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.fixture(scope="module")
def matcher(lexicon):
    return DrugMatcher(compile_lexicon(lexicon))


@pytest.fixture(scope="module")
def docs(nlp):
    paths = sorted(p for p in (REPO / "corpus").rglob("*") if p.is_file() and p.name != "README.md")
    paths += sorted(SEEDS.glob("*.txt")) if SEEDS.exists() else []
    assert len(paths) >= 30
    texts = [read_source_text(p) for p in paths]
    texts.append("5 - FU and 5-FU, HAI-FUDR, FUDR (floxuridine), tumor  necrosis factor, Tumor Necrosis Factor.")
    return [nlp(t) for t in texts]


def _key(tokens, lower: bool) -> tuple[str, ...]:
    return tuple(t.lower_ if lower else t.text for t in tokens if not t.is_space)


def found(matches) -> list[tuple[int, int, object]]:
    return [(m.start, m.end, m.entry) for m in matches]


class SimpleReference:
    """Every start, every length: the plainest way to find every name."""

    def __init__(self, nlp, lexicon):
        self.tables = []
        for names, lower in ((lexicon.by_lower, True), (lexicon.by_exact, False)):
            sequences, by_key = set(), {}
            for name, entry in names.items():
                doc = nlp.tokenizer(name)
                sequences.add(tuple(t.lower_ if lower else t.text for t in doc))
                by_key[_key(doc, lower)] = entry
            self.tables.append((sequences, by_key, lower, max(map(len, sequences))))

    def __call__(self, doc):
        out = []
        for sequences, by_key, lower, longest in self.tables:
            words = [t.lower_ if lower else t.text for t in doc]
            for i in range(len(doc)):
                for n in range(1, min(longest, len(doc) - i) + 1):
                    if tuple(words[i : i + n]) in sequences:
                        out.append((i, i + n, by_key[_key(doc[i : i + n], lower)]))
        return out


class PhraseMatcherReference:
    """The matcher the tagger used before the lexicon was compiled (two PhraseMatchers)."""

    def __init__(self, nlp, lexicon):
        self.parts = []
        for names, attr in ((lexicon.by_lower, "LOWER"), (lexicon.by_exact, "ORTH")):
            matcher = PhraseMatcher(nlp.vocab, attr=attr)
            patterns = list(nlp.tokenizer.pipe(names.keys()))
            matcher.add("DRUG", patterns)
            index = {_key(d, attr == "LOWER"): e for d, e in zip(patterns, names.values())}
            self.parts.append((matcher, index, attr == "LOWER"))

    def __call__(self, doc):
        out = []
        for matcher, index, lower in self.parts:
            for _id, start, end in matcher(doc):
                entry = index.get(_key(doc[start:end], lower))
                if entry is not None:
                    out.append((start, end, entry))
        return out


def test_same_matches_as_simple_reference(nlp, lexicon, matcher, docs):
    reference = SimpleReference(nlp, lexicon)
    total = 0
    for doc in docs:
        assert found(matcher(doc)) == reference(doc), doc.text[:80]
        total += len(reference(doc))
    assert total > 300


@pytest.mark.slow
def test_same_matches_as_phrase_matchers(nlp, lexicon, matcher, docs):
    reference = PhraseMatcherReference(nlp, lexicon)
    for doc in docs:
        assert found(matcher(doc)) == reference(doc), doc.text[:80]


def test_overlapping_names_are_all_reported(nlp, matcher):
    doc = nlp("tumor necrosis factor and 5 - FU")
    spans = [doc[m.start : m.end].text for m in matcher(doc)]
    assert "tumor necrosis factor" in spans and "5 - FU" in spans
