"""The trained sentence classifier behind unlabelled abstracts' sections.

A small spaCy `textcat` (definition: models/section_model/config.cfg) labels one sentence
with an NLM category (BACKGROUND, OBJECTIVE, METHODS, RESULTS, CONCLUSIONS). Its input is
not raw text but a Doc of *feature words* built by `sentence_features`: the sentence's
words (lower-cased, digit runs collapsed to `__num__`) plus tokens for the sentence's
relative position in the abstract (`__pos3__`), first/last sentence, and the first words
of the previous / next sentence (`p:we`, `n:the`). Building the Doc from words avoids any
tokenizer, so the saved pipeline loads with plain spaCy.

`pipeline.components.sections` calls `SectionModel.predict_sentences` and smooths the result; the
training and evaluation code (`prepare_abstracts`, `split_abstracts`, `cropped_copies`,
`train`, `evaluate`, `evaluate_component`) lives here so that
`scripts/train_section_model.py` stays a thin command."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Optional, Sequence

import spacy
from spacy.tokens import Doc, Span

from pipeline.components.heading_map import LABELS

N_POSITION_BUCKETS = 10
CONTEXT_WORDS = 3
_DIGITS_RE = re.compile(r"^\d+(?:[.,]\d+)*$")


# --------------------------------------------------------------------------- features


def _norm(word: str) -> str:
    return "__num__" if _DIGITS_RE.match(word) else word.lower()


def sentence_features(sentences: Sequence[Sequence[str]]) -> list[list[str]]:
    """Feature words for each sentence of one abstract (sentences given as word lists)."""
    n = len(sentences)
    words = [[_norm(w) for w in s if w.strip()] for s in sentences]
    out = []
    for i, sent in enumerate(words):
        feats = [f"__pos{min(int(N_POSITION_BUCKETS * i / n), N_POSITION_BUCKETS - 1)}__"]
        if i == 0:
            feats.append("__first__")
        if i == n - 1:
            feats.append("__last__")
        if i == 1:
            feats.append("__second__")
        if i == n - 2:
            feats.append("__penult__")
        feats.extend(sent)
        if i > 0:
            feats.extend("p:" + w for w in words[i - 1][:CONTEXT_WORDS])
        else:
            feats.append("p:__none__")
        if i + 1 < n:
            feats.extend("n:" + w for w in words[i + 1][:CONTEXT_WORDS])
        else:
            feats.append("n:__none__")
        out.append(feats)
    return out


# --------------------------------------------------------------------------- inference


class SectionModel:
    """A loaded section classifier: sentence word lists in, label probabilities out."""

    def __init__(self, nlp: spacy.Language):
        self.nlp = nlp
        self.textcat = nlp.get_pipe("textcat")
        labels = list(self.textcat.labels)
        if sorted(labels) != sorted(LABELS):
            raise ValueError(f"section model labels {labels} are not {LABELS}")
        self._order = [labels.index(label) for label in LABELS]

    def predict_words(self, sentences: Sequence[Sequence[str]]) -> list[list[float]]:
        """P(label | sentence) for consecutive sentences of ONE abstract, in `LABELS` order."""
        if not sentences:
            return []
        docs = [Doc(self.nlp.vocab, words=f) for f in sentence_features(sentences)]
        scores = self.textcat.model.ops.to_numpy(self.textcat.predict(docs))
        return [[float(row[j]) for j in self._order] for row in scores]

    def predict_sentences(self, sents: Sequence[Span]) -> list[list[float]]:
        """Same, for sentence Spans of one Doc (in order)."""
        return self.predict_words([[t.text for t in s if not t.is_space] for s in sents])

    def label_words(self, sentences: Sequence[Sequence[str]], paragraphs: Optional[Sequence[int]] = None) -> list[str]:
        """Smoothed labels, one per sentence; `paragraphs[i]` = paragraph index of sentence i
        (one label per paragraph then)."""
        return smoothed_labels(self.predict_words(sentences), paragraphs)


def smooth_labels(probabilities: Sequence[Sequence[float]], floor: float = 1e-6) -> list[int]:
    """Most probable label sequence that never goes back in the canonical order.

    `probabilities[i][k]` is P(label k | unit i) with k indexing `LABELS`. A Viterbi pass
    over log-probabilities with the constraint label[i] <= label[i+1]; returns one label
    index per unit.
    """
    n = len(probabilities)
    if n == 0:
        return []
    k = len(probabilities[0])
    logp = [[math.log(max(float(p), floor)) for p in row] for row in probabilities]
    best = [logp[0][:]]
    back: list[list[int]] = [[0] * k]
    for i in range(1, n):
        row, ptr = [], []
        run_best, run_arg = -math.inf, 0
        for j in range(k):
            if best[i - 1][j] > run_best:
                run_best, run_arg = best[i - 1][j], j
            row.append(run_best + logp[i][j])
            ptr.append(run_arg)
        best.append(row)
        back.append(ptr)
    j = max(range(k), key=lambda x: best[-1][x])
    path = [j]
    for i in range(n - 1, 0, -1):
        j = back[i][j]
        path.append(j)
    return path[::-1]


def smoothed_labels(probabilities: Sequence[Sequence[float]], paragraphs: Optional[Sequence[int]] = None) -> list[str]:
    """Monotone labels per sentence; with paragraph ids, sentences of a paragraph share one."""
    if not probabilities:
        return []
    if paragraphs is None:
        return [LABELS[j] for j in smooth_labels(probabilities)]
    groups: dict[int, list[float]] = {}
    order: list[int] = []
    for probs, para in zip(probabilities, paragraphs):
        if para not in groups:
            groups[para] = [0.0] * len(LABELS)
            order.append(para)
        for k, p in enumerate(probs):
            groups[para][k] += math.log(max(p, 1e-6))
    unit_probs = []
    for para in order:
        logs = groups[para]
        top = max(logs)
        exp = [math.exp(v - top) for v in logs]
        unit_probs.append([v / sum(exp) for v in exp])
    unit_labels = dict(zip(order, (LABELS[j] for j in smooth_labels(unit_probs))))
    return [unit_labels[p] for p in paragraphs]


def model_dir(path: str | Path) -> Path:
    """The saved spaCy pipeline inside a model folder (`<path>/model`), or `path` itself."""
    path = Path(path)
    return path / "model" if (path / "model" / "meta.json").exists() else path


def load_section_model(path: str | Path) -> SectionModel:
    """Load the trained classifier from disk (e.g. models/section_model); never downloads."""
    target = model_dir(path)
    if not (target / "meta.json").exists():
        raise FileNotFoundError(f"no trained section model under {path} (run `make model`)")
    return SectionModel(spacy.load(target))
