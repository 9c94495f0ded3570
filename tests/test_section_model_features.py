"""Pure parts of pipeline.components.section_model: features, aim relabelling, paragraph smoothing, scoring."""

from __future__ import annotations

import pytest

from pipeline.components.section_model import (
    load_section_model,
    sentence_features,
    smoothed_labels,
)
from pipeline.training.section_model import relabel_aims, score


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


def _abstract(labels: list[str]):
    from pipeline.training.section_model import LabelledAbstract

    sentences = [[f"s{i}", "."] for i in range(len(labels))]
    return LabelledAbstract("PMC1", sentences, list(labels), list(range(len(labels))), list(labels))


class _Always:
    """A stand-in for random.Random whose draws always fall under (or over) the share."""

    def __init__(self, value: float):
        self.value = value

    def random(self) -> float:
        return self.value


B, O, M, R, C = "BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"


@pytest.mark.parametrize(
    "labels, expected",
    [
        ([B, O, M, M, R, C], [[M, M, R, C], [B, O, M, M]]),
        ([O, M, R], [[M, R], [O, M]]),
        ([M, M, R, C], [[M, M]]),  # already opens with METHODS: only the end is cut
        ([B, M, C], [[M, C], [B, M]]),
        ([B, O, M], []),  # one METHODS sentence would be left, and nothing follows it: no copy
        ([B, R, C], []),  # no METHODS: nothing to cut at
    ],
    ids=["full", "short", "opens-with-methods", "protocol", "too-short", "no-methods"],
)
def test_cropped_copies(labels, expected):
    from pipeline.training.section_model import cropped_copies

    copies = cropped_copies(_abstract(labels), _Always(0.0), 0.15, 0.15)
    assert [c.labels for c in copies] == expected
    for copy in copies:
        assert len(copy.sentences) == len(copy.labels) == len(copy.paragraphs) == len(copy.heading_labels)
    assert cropped_copies(_abstract(labels), _Always(0.99), 0.15, 0.15) == []


def test_training_set_is_reproducible():
    from pipeline.training.section_model import TrainSettings, training_set

    abstracts = [_abstract([B, O, M, M, R, C]) for _ in range(40)]
    first = training_set(abstracts, TrainSettings(seed=13))
    again = training_set(abstracts, TrainSettings(seed=13))
    assert [a.labels for a in first] == [a.labels for a in again]
    assert 40 < len(first) < 80  # each abstract once, plus some copies


@pytest.mark.parametrize("doc_id", ["PMC101395", "PMC3262135", "12345678", "10.1186/1472-6904-2-2"])
def test_is_test_id_is_a_fixed_hash_rule(doc_id):
    import hashlib

    from pipeline.training.section_model import is_test_id

    assert is_test_id(doc_id) == (int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % 7 == 0)


def test_split_abstracts_keeps_dev_fixed_and_test_by_hash():
    from pipeline.training.section_model import (
        LabelledAbstract,
        is_test_id,
        split_abstracts,
    )

    abstracts = [LabelledAbstract(f"PMC{i}", [["x"]], [M], [0], [M]) for i in range(200)]
    dev_ids = {f"PMC{i}" for i in range(0, 200, 5)}
    train, dev, test = split_abstracts(abstracts, dev_ids)
    assert {a.doc_id for a in dev} == dev_ids
    assert all(is_test_id(a.doc_id) and a.doc_id not in dev_ids for a in test) and test
    assert not {a.doc_id for a in train} & ({a.doc_id for a in test} | dev_ids)
    assert len(train) + len(dev) + len(test) == 200
