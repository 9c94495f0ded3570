"""Pure parts of pipeline.components.section_model: features, aim relabelling, paragraph smoothing, scoring."""

from __future__ import annotations

import pytest

from pipeline.components.section_model import (
    load_section_model,
    relabel_aims,
    score,
    sentence_features,
    smoothed_labels,
)


def test_sentence_features_position_and_context():
    sents = [["Background", "is", "here", "."], ["We", "enrolled", "12", "patients", "."], ["It", "worked", "."]]
    feats = sentence_features(sents)
    assert feats[0][:2] == ["__pos0__", "__first__"]
    assert "p:__none__" in feats[0] and "n:we" in feats[0] and "n:enrolled" in feats[0] and "n:__num__" in feats[0]
    assert "__num__" in feats[1] and "12" not in feats[1]
    assert "p:background" in feats[1] and "n:it" in feats[1]
    assert feats[2][0] == "__pos6__" and "__last__" in feats[2] and "n:__none__" in feats[2]


@pytest.mark.parametrize(
    "sentences, labels, expected",
    [
        (["X is common.", "We aimed to test Y.", "Mice got Y."], ["BACKGROUND", "BACKGROUND", "METHODS"],
         ["BACKGROUND", "OBJECTIVE", "METHODS"]),
        (["X is common.", "The aim of this study was to test Y.", "This study therefore examined Z.", "Mice got Y."],
         ["BACKGROUND"] * 3 + ["METHODS"], ["BACKGROUND", "OBJECTIVE", "OBJECTIVE", "METHODS"]),
        # a sentence presenting the study counts as an aim statement
        (["X is common.", "A randomized , open - label phase II study compared X and Y .", "Mice got Y."],
         ["BACKGROUND", "BACKGROUND", "METHODS"], ["BACKGROUND", "OBJECTIVE", "METHODS"]),
        (["X is common.", "We conducted a phase II trial to investigate X .", "Mice got Y."],
         ["BACKGROUND", "BACKGROUND", "METHODS"], ["BACKGROUND", "OBJECTIVE", "METHODS"]),
        # an aim statement not at the end of the Background stays
        (["We aimed to test Y.", "X is common.", "Mice got Y."], ["BACKGROUND", "BACKGROUND", "METHODS"],
         ["BACKGROUND", "BACKGROUND", "METHODS"]),
        # the abstract already has an Objective section: nothing changes
        (["X is common.", "We aimed to test Y.", "To test Z."], ["BACKGROUND", "BACKGROUND", "OBJECTIVE"],
         ["BACKGROUND", "BACKGROUND", "OBJECTIVE"]),
    ],
    ids=["closing-aim", "two-closing-aims", "study-presented", "we-conducted-to", "aim-not-last", "has-objective"],
)
def test_relabel_aims(sentences, labels, expected):
    assert relabel_aims([s.split() for s in sentences], labels) == expected


def test_smoothed_labels_one_label_per_paragraph():
    probs = [
        [0.7, 0.2, 0.05, 0.03, 0.02],  # paragraph 0: mostly background...
        [0.2, 0.6, 0.1, 0.05, 0.05],   # ...with an aim sentence
        [0.1, 0.1, 0.6, 0.1, 0.1],
        [0.02, 0.02, 0.06, 0.8, 0.1],
    ]
    assert smoothed_labels(probs) == ["BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS"]
    assert smoothed_labels(probs, [0, 0, 1, 2]) == ["BACKGROUND", "BACKGROUND", "METHODS", "RESULTS"]


def test_score_counts_and_f1():
    gold = ["METHODS", "METHODS", "RESULTS", "RESULTS"]
    pred = ["METHODS", "RESULTS", "RESULTS", "RESULTS"]
    result = score(gold, pred)
    assert result["accuracy"] == 0.75
    assert result["per_label"]["METHODS"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert result["per_label"]["RESULTS"]["precision"] == pytest.approx(2 / 3)
    assert result["weighted_f1"] == pytest.approx((2 / 3 * 2 + 0.8 * 2) / 4)
    assert result["confusions"] == {"METHODS->RESULTS": 1}


def test_load_section_model_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no trained section model"):
        load_section_model(tmp_path)
