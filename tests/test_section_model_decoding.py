"""Decoding the section model's sentence probabilities (hand-made tables): the Viterbi
pass keeps the canonical order BACKGROUND <= OBJECTIVE <= METHODS <= RESULTS <=
CONCLUSIONS, per sentence or with one label per paragraph (`smoothed_labels`)."""

from __future__ import annotations

import itertools
import math

import pytest

from pipeline.components.heading_map import LABELS
from pipeline.components.section_model import smoothed_labels

B, O, M, R, C = LABELS


def row(**probs: float) -> list[float]:
    """A probability row; labels not named share what is left."""
    rest = (1.0 - sum(probs.values())) / (5 - len(probs)) if len(probs) < 5 else 0.0
    return [probs.get(label, rest) for label in LABELS]


CASES = [
    # (id, probabilities, paragraph ids or None, expected labels)
    ("argmax-already-in-order", [row(BACKGROUND=0.8), row(METHODS=0.7), row(RESULTS=0.9)], None, [B, M, R]),
    # "We randomly assigned..." scored OBJECTIVE after METHODS sentences cannot go back
    ("no-going-back", [row(METHODS=0.9), row(OBJECTIVE=0.5, METHODS=0.4), row(RESULTS=0.9)], None, [M, M, R]),
    # a CONCLUSIONS guess in the middle cannot drag the next results along
    ("early-conclusion-overruled", [row(METHODS=0.9), row(CONCLUSIONS=0.5, RESULTS=0.4), row(RESULTS=0.9),
                                    row(RESULTS=0.8), row(CONCLUSIONS=0.9)], None, [M, R, R, R, C]),
    # a final sentence that is METHODS stays METHODS: nothing forces a CONCLUSIONS at the end
    ("may-end-with-methods", [row(BACKGROUND=0.9), row(METHODS=0.8), row(METHODS=0.7)], None, [B, M, M]),
    ("may-open-with-methods", [row(METHODS=0.8), row(RESULTS=0.8), row(CONCLUSIONS=0.8)], None, [M, R, C]),
    ("labels-may-be-skipped", [row(OBJECTIVE=0.9), row(RESULTS=0.9), row(CONCLUSIONS=0.9)], None, [O, R, C]),
    # by paragraph: one label per paragraph, still in order
    ("one-label-per-paragraph", [row(BACKGROUND=0.7), row(OBJECTIVE=0.6), row(METHODS=0.9), row(RESULTS=0.9)],
     [0, 0, 1, 2], [B, B, M, R]),
    ("paragraph-majority-in-order", [row(METHODS=0.9), row(RESULTS=0.55), row(METHODS=0.6), row(RESULTS=0.9)],
     [0, 1, 1, 2], [M, M, M, R]),
]


@pytest.mark.parametrize("probabilities, paragraphs, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_smoothed_labels_tables(probabilities, paragraphs, expected):
    assert smoothed_labels(probabilities, paragraphs) == expected


@pytest.mark.parametrize("seed", range(6))
def test_smoothed_labels_is_the_best_ordered_sequence(seed):
    """Brute force over every ordered label sequence agrees with the decoder."""
    import random

    rng = random.Random(seed)
    probs = []
    for _ in range(5):
        raw = [rng.random() for _ in LABELS]
        probs.append([v / sum(raw) for v in raw])
    best = max((seq for seq in itertools.product(range(5), repeat=5) if list(seq) == sorted(seq)),
               key=lambda seq: sum(math.log(p[k]) for p, k in zip(probs, seq)))
    assert smoothed_labels(probs) == [LABELS[k] for k in best]
