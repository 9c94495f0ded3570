"""Section character accuracy, metadata exact match, abstract-span (cleaning) and status scores."""

from __future__ import annotations

import pytest

from pipeline.evaluation.scorer import evaluate

TITLE = "Isolated hepatic perfusion for liver metastases from neuroendocrine neoplasms."
BODY = (
    "Purpose: We report results of isolated hepatic perfusion in thirteen patients.\n"
    "Methods: Patients were treated with melphalan.\n"
    "Results: Median overall survival was 48 months."
)
TEXT = TITLE + "\n\n" + BODY


def sec(label: str, first: str, last: str, heading: str | None = None) -> dict:
    start = TEXT.index(first)
    return {"label": label, "heading": heading, "start": start, "end": TEXT.index(last, start) + len(last)}


GOLD_SECTIONS = [
    sec("OBJECTIVE", "We report", "thirteen patients.", "Purpose"),
    sec("METHODS", "Patients were", "with melphalan.", "Methods"),
    sec("RESULTS", "Median overall", "48 months.", "Results"),
]
SIZES = [s["end"] - s["start"] for s in GOLD_SECTIONS]


def run(gold_extra: dict, pred_extra: dict, doc: str = "seed:a"):
    gold = [{"doc": doc, "source": {"path": f"seeds/{doc[5:]}.txt"}, **gold_extra}]
    pred = [{"id": "1", "source": {"path": f"seeds/{doc[5:]}.txt"}, "status": "ok", **pred_extra}]
    return evaluate(gold, pred, source_texts={doc: TEXT})


@pytest.mark.parametrize(
    "pred_sections, correct_chars",
    [
        pytest.param(GOLD_SECTIONS, sum(SIZES), id="perfect"),
        pytest.param([], 0, id="no-sections"),
        pytest.param([{**GOLD_SECTIONS[0], "label": "BACKGROUND"}, *GOLD_SECTIONS[1:]], SIZES[1] + SIZES[2], id="one-mislabelled"),
        pytest.param(
            # the predicted METHODS section swallows the RESULTS text
            [GOLD_SECTIONS[0], {**GOLD_SECTIONS[1], "end": GOLD_SECTIONS[2]["end"]}],
            SIZES[0] + SIZES[1],
            id="merged-sections",
        ),
        pytest.param(
            # one predicted section over the whole body, labelled METHODS
            [{"label": "METHODS", "start": GOLD_SECTIONS[0]["start"], "end": GOLD_SECTIONS[2]["end"]}],
            SIZES[1],
            id="single-section",
        ),
        pytest.param(
            # boundary 10 characters late: the first 10 RESULTS characters are labelled METHODS
            [GOLD_SECTIONS[0], {**GOLD_SECTIONS[1], "end": GOLD_SECTIONS[2]["start"] + 10},
             {**GOLD_SECTIONS[2], "start": GOLD_SECTIONS[2]["start"] + 10}],
            sum(SIZES) - 10,
            id="boundary-late",
        ),
    ],
)
def test_evaluate_section_char_accuracy(pred_sections, correct_chars):
    report = run({"sections": GOLD_SECTIONS}, {"sections": pred_sections})
    assert report.sections.chars == sum(SIZES)
    assert report.sections.correct == correct_chars
    assert report.sections.char_accuracy == pytest.approx(correct_chars / sum(SIZES))


def test_evaluate_sections_split_by_headings():
    no_heading = [{**s, "heading": None} for s in GOLD_SECTIONS]
    gold = [
        {"doc": "seed:a", "source": {"path": "seeds/a.txt"}, "sections": GOLD_SECTIONS},
        {"doc": "seed:b", "source": {"path": "seeds/b.txt"}, "sections": no_heading},
    ]
    pred = [
        {"id": "a", "source": {"path": "x/seeds/a.txt"}, "status": "ok", "sections": GOLD_SECTIONS},
        {"id": "b", "source": {"path": "x/seeds/b.txt"}, "status": "ok",
         "sections": [{"label": "RESULTS", "start": s["start"], "end": s["end"]} for s in GOLD_SECTIONS]},
    ]
    report = evaluate(gold, pred, source_texts={"seed:a": TEXT, "seed:b": TEXT})
    assert report.sections.with_headings.char_accuracy == 1.0
    assert report.sections.without_headings.char_accuracy == pytest.approx(SIZES[2] / sum(SIZES))
    assert report.sections.confusion["OBJECTIVE"] == {"OBJECTIVE": SIZES[0], "RESULTS": SIZES[0]}
    assert report.sections.per_label["RESULTS"].accuracy == 1.0


def test_evaluate_section_errors_name_the_wrong_run():
    pred = [{**GOLD_SECTIONS[0], "label": "BACKGROUND"}, *GOLD_SECTIONS[1:]]
    report = run({"sections": GOLD_SECTIONS}, {"sections": pred})
    (item,) = [i for i in report.errors[0].items if i.kind == "section"]
    assert (item.start, item.end) == (GOLD_SECTIONS[0]["start"], GOLD_SECTIONS[0]["end"])
    assert "predicted BACKGROUND" in item.detail
    assert "[[We report results" in item.context


@pytest.mark.parametrize(
    "gold_meta, pred_meta, expected",
    [
        pytest.param({"journal": "Surgery"}, {"journal": "Surgery"}, {"journal": (1, 1)}, id="equal"),
        pytest.param({"title": "A  study\nof X"}, {"title": "A study of X"}, {"title": (1, 1)}, id="whitespace-normalised"),
        pytest.param({"title": "A study"}, {"title": "a study"}, {"title": (0, 1)}, id="case-matters"),
        pytest.param({"year": 2004}, {"year": "2004"}, {"year": (1, 1)}, id="year-int-vs-string"),
        pytest.param({"authors": ["A B", "C D"]}, {"authors": ["C D", "A B"]}, {"authors": (1, 1)}, id="list-as-set"),
        pytest.param({"authors": ["A B", "C D"]}, {"authors": ["A B"]}, {"authors": (0, 1)}, id="list-missing-one"),
        pytest.param({"doi": None}, {"doi": None}, {"doi": (1, 1)}, id="absent-on-both"),
        pytest.param({"doi": None}, {"doi": "10.1/x"}, {"doi": (0, 1)}, id="guessed-field"),
        pytest.param({"volume": "136"}, {}, {"volume": (0, 1)}, id="missing-in-prediction"),
        pytest.param({"issue": "6"}, {"issue": "6", "pages": "1-2"}, {"issue": (1, 1)}, id="unlabelled-field-ignored"),
    ],
)
def test_evaluate_metadata_exact_match(gold_meta, pred_meta, expected):
    report = run({"metadata": gold_meta}, {"metadata": pred_meta})
    assert {k: (r.correct, r.total) for k, r in report.metadata.items()} == expected


ABSTRACT = {"start": TEXT.index("Purpose"), "end": len(TEXT)}


@pytest.mark.parametrize(
    "pred_abstract, precision, recall, exact",
    [
        pytest.param(ABSTRACT, 1.0, 1.0, 1, id="exact"),
        pytest.param({"start": 0, "end": len(TEXT)}, len(BODY) / len(TEXT), 1.0, 0, id="title-included"),
        pytest.param({"start": ABSTRACT["start"], "end": ABSTRACT["start"] + 50}, 1.0, 50 / len(BODY), 0, id="cut-short"),
        pytest.param(None, None, 0.0, 0, id="no-abstract-predicted"),
    ],
)
def test_evaluate_cleaning_char_precision_recall(pred_abstract, precision, recall, exact):
    pred = {"abstract": {**pred_abstract, "text": TEXT[pred_abstract["start"]:pred_abstract["end"]]}} if pred_abstract else {}
    report = run({"abstract": {**ABSTRACT, "text": BODY}}, pred)
    c = report.cleaning
    assert c.precision == (pytest.approx(precision) if precision is not None else None)
    assert c.recall == pytest.approx(recall)
    assert c.exact == exact


def test_evaluate_no_abstract_gold_counts_predicted_abstract_as_false_chars():
    report = run({"status": "no_abstract"}, {"status": "ok", "abstract": {"start": 0, "end": 10, "text": TEXT[:10]}})
    assert (report.cleaning.pred_chars, report.cleaning.precision) == (10, 0.0)
    assert (report.status.correct, report.status.total) == (0, 1)
