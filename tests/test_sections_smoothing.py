"""smooth_labels: the monotone Viterbi over sentence label probabilities (fixed tables)."""

from __future__ import annotations

import pytest

from pipeline.components.heading_map import LABELS
from pipeline.components.sections import label_units, merge_runs, smooth_labels

B, O, M, R, C = range(5)


def row(**probs: float) -> list[float]:
    """A probability row; labels not named share what is left."""
    named = {LABELS.index(k): v for k, v in probs.items()}
    rest = (1.0 - sum(named.values())) / (5 - len(named)) if len(named) < 5 else 0.0
    return [named.get(i, rest) for i in range(5)]


CASES = [
    ("empty", [], []),
    ("single", [row(RESULTS=0.7)], [R]),
    ("already-monotone", [row(BACKGROUND=0.8), row(METHODS=0.6), row(RESULTS=0.9), row(CONCLUSIONS=0.7)], [B, M, R, C]),
    ("labels-may-be-skipped", [row(OBJECTIVE=0.9), row(RESULTS=0.9), row(RESULTS=0.8)], [O, R, R]),
    ("backward-blip-absorbed",
     [row(METHODS=0.9), row(METHODS=0.8), row(BACKGROUND=0.5, METHODS=0.4), row(RESULTS=0.9)], [M, M, M, R]),
    ("late-methods-sentence-joins-results",
     [row(METHODS=0.9), row(RESULTS=0.9), row(METHODS=0.55, RESULTS=0.4), row(RESULTS=0.9), row(CONCLUSIONS=0.9)],
     [M, R, R, R, C]),
    # a confident early CONCLUSIONS guess cannot drag the rest of the abstract along
    ("early-conclusion-overruled",
     [row(CONCLUSIONS=0.5, BACKGROUND=0.4), row(BACKGROUND=0.9), row(METHODS=0.9), row(RESULTS=0.9)], [B, B, M, R]),
]


@pytest.mark.parametrize("probabilities, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_smooth_labels(probabilities, expected):
    assert smooth_labels(probabilities) == expected


@pytest.mark.parametrize("n", [1, 2, 5, 12])
def test_smooth_labels_is_monotone_and_optimal(n):
    """Brute force over all monotone sequences agrees with the Viterbi pass."""
    import itertools
    import math
    import random

    rng = random.Random(n)
    probs = []
    for _ in range(min(n, 6)):
        raw = [rng.random() for _ in range(5)]
        probs.append([v / sum(raw) for v in raw])
    best = max(
        (seq for seq in itertools.product(range(5), repeat=len(probs)) if list(seq) == sorted(seq)),
        key=lambda seq: sum(math.log(p[k]) for p, k in zip(probs, seq)),
    )
    assert smooth_labels(probs) == list(best)


HEURISTIC = [
    ("seed-000-like",
     ["We report results of using hepatic perfusion in patients with liver metastases.",
      "Thirteen patients were treated with melphalan. Survival was assessed.",
      "The median survival was 48 months (range, 3-27 months); 50% responded.",
      "In conclusion, perfusion provides a reasonable response rate."],
     ["OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]),
    ("background-then-aim",
     ["The optimal treatment of liver metastases remains controversial.",
      "We sought to determine the effect of resection on survival.",
      "Patients were enrolled retrospectively and followed up.",
      "Survival was 83% vs 31% (P = .01).",
      "Resection may improve survival."],
     ["BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]),
]


@pytest.mark.parametrize("texts, expected", [c[1:] for c in HEURISTIC], ids=[c[0] for c in HEURISTIC])
def test_label_units_cue_word_heuristic(texts, expected):
    assert label_units(texts) == expected


def test_merge_runs_joins_adjacent_same_labels():
    text = "A. B. C. D."
    units = [(0, 2), (3, 5), (6, 8), (9, 11)]
    sections = merge_runs(text, units, ["METHODS", "METHODS", "RESULTS", "RESULTS"], "model")
    assert [(s.label, text[s.start : s.end]) for s in sections] == [("METHODS", "A. B."), ("RESULTS", "C. D.")]
