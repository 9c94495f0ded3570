"""Matching gold documents to prediction records, missing documents, and the error listing."""

from __future__ import annotations

import pytest

from pipeline.evaluation.formatting import format_errors, format_report
from pipeline.evaluation.matching import context_snippet, match_documents
from pipeline.evaluation.scorer import evaluate

TEXT = "Patients received 130 mg/m2 oxaliplatin every two weeks; median overall survival was 19.5 months."


def gold(doc: str, path: str, index: int | None = None, **extra) -> dict:
    source = {"path": path} if index is None else {"path": path, "index": index}
    return {"doc": doc, "source": source, **extra}


def pred(path: str, index: int = 0, pmcid: str | None = None, **extra) -> dict:
    return {"id": path, "source": {"path": path, "index": index}, "status": "ok",
            "metadata": {"pmcid": pmcid} if pmcid else {}, **extra}


@pytest.mark.parametrize(
    "g, preds, expected",
    [
        pytest.param(gold("seed:000_x", "seeds/000_x.txt"), [pred("../shared/seeds/000_x.txt")], 0, id="path-suffix"),
        pytest.param(gold("seed:000_x", "seeds/000_x.txt"), [pred("..\\shared\\seeds\\000_x.txt")], 0, id="windows-separators"),
        pytest.param(gold("seed:000_x", "seeds/000_x.txt"), [pred("./seeds/000_x.txt")], 0, id="dot-prefix"),
        pytest.param(gold("seed:000_x", "seeds/000_x.txt"), [pred("other/000_x.txt")], None, id="different-folder"),
        pytest.param(gold("seed:000_x", "seeds/000_x.txt"), [pred("seeds/1000_x.txt")], None, id="name-is-not-suffix-string"),
        pytest.param(gold("corpus:a/b.xml", "corpus/a/b.xml", 2), [pred("corpus/a/b.xml", 1), pred("corpus/a/b.xml", 2)], 1,
                     id="same-index"),
        pytest.param(gold("corpus:a/b.xml", "corpus/a/b.xml"), [pred("corpus/a/b.xml", 1)], None, id="index-defaults-to-0"),
        pytest.param(gold("pmc:PMC123", "pmc-rct:PMC123"), [pred("x.jsonl", 5, pmcid="PMC999"), pred("x.jsonl", 7, pmcid="PMC123")],
                     1, id="pmcid"),
        pytest.param(gold("pmc:PMC123", "pmc-rct:PMC123"),
                     [pred("corpus/pmc/a.html", pmcid="PMC123"), {**pred("x.jsonl", 3, pmcid="PMC123"),
                      "source": {"path": "x.jsonl", "index": 3, "format": "pmc-rct"}}],
                     1, id="pmcid-prefers-pmc-rct-record"),
        pytest.param(gold("corpus:pmc/a.html", "corpus/pmc/a.html", metadata={"pmcid": "PMC123"}),
                     [pred("x.jsonl", 3, pmcid="PMC123"), pred("corpus/pmc/a.html", pmcid="PMC123")],
                     1, id="corpus-doc-matches-by-path-not-pmcid"),
    ],
)
def test_evaluate_match_documents(g, preds, expected):
    matches, _, _ = match_documents([g], preds)
    assert matches[0] == (preds[expected] if expected is not None else None)


def test_evaluate_unmatched_predictions_are_counted_not_scored():
    _, unmatched, _ = match_documents([gold("seed:a", "seeds/a.txt")], [pred("seeds/a.txt"), pred("seeds/b.txt")])
    assert unmatched == 1


def test_evaluate_missing_document_counts_as_misses_and_is_listed():
    ents = [{"label": "DRUG", "start": 28, "end": 39, "text": "oxaliplatin", "attrs": {}}]
    gold_recs = [gold("seed:a", "seeds/a.txt", entities=ents), gold("seed:b", "seeds/b.txt", entities=ents)]
    report = evaluate(gold_recs, [pred("seeds/a.txt", entities=ents)], source_texts={"seed:a": TEXT, "seed:b": TEXT})
    assert report.docs_missing == ["seed:b"]
    assert (report.docs_gold, report.docs_matched) == (2, 1)
    micro = report.entities.strict["micro"]
    assert (micro.tp, micro.fp, micro.fn) == (1, 0, 1)
    (doc_errors,) = report.errors
    assert doc_errors.doc == "seed:b" and not doc_errors.predicted
    assert "NO PREDICTION" in format_errors(report)


def test_evaluate_gold_without_entities_key_is_not_scored_for_entities():
    ents = [{"label": "DRUG", "start": 28, "end": 39, "text": "oxaliplatin", "attrs": {}}]
    report = evaluate([gold("seed:a", "seeds/a.txt", metadata={})], [pred("seeds/a.txt", entities=ents)], source_texts={"seed:a": TEXT})
    assert report.entities.strict["micro"].fp == 0
    assert report.entities.docs == 0


def span(label: str, quote: str) -> dict:
    start = TEXT.index(quote)
    return {"label": label, "start": start, "end": start + len(quote), "text": quote, "attrs": {}}


def test_evaluate_errors_list_each_kind_with_context():
    gold_ents = [span("DOSE", "130 mg/m2"), span("DRUG", "oxaliplatin"), span("SURVIVAL", "19.5 months")]
    pred_ents = [span("DOSE", "130 mg/m2 oxaliplatin"), span("SURVIVAL", "19.5"), span("DOSE", "two weeks")]
    report = evaluate([gold("seed:a", "seeds/a.txt", entities=gold_ents)], [pred("seeds/a.txt", entities=pred_ents)],
                      source_texts={"seed:a": TEXT})
    items = {(i.kind, i.label, i.text) for i in report.errors[0].items}
    assert items == {
        ("boundary", "DOSE", "130 mg/m2"),
        ("miss", "DRUG", "oxaliplatin"),
        ("boundary", "SURVIVAL", "19.5 months"),
        ("false_hit", "DOSE", "two weeks"),
    }
    listing = format_errors(report, kinds=["miss"])
    assert "received 130 mg/m2 [[oxaliplatin]] every two weeks" in listing
    assert "false_hit" not in listing


def test_evaluate_errors_context_falls_back_to_record_texts():
    ents = [span("DRUG", "oxaliplatin")]
    report = evaluate([gold("corpus:nowhere/none.txt", "corpus/nowhere/none.txt", entities=ents)],
                      [pred("corpus/nowhere/none.txt")])
    (item,) = report.errors[0].items
    assert item.context.endswith("[[oxaliplatin]]")


@pytest.mark.parametrize(
    "start, end, expected",
    [
        pytest.param(0, 8, "[[Patients]] received 130 mg/m2 oxaliplatin every tw...", id="at-start"),
        pytest.param(len(TEXT) - 7, len(TEXT) - 1, "...weeks; median overall survival was 19.5 [[months]].", id="at-end"),
    ],
)
def test_evaluate_context_snippet(start, end, expected):
    assert context_snippet(TEXT, start, end) == expected


def test_evaluate_format_report_shows_tables():
    ents = [span("DRUG", "oxaliplatin")]
    report = evaluate([gold("seed:a", "seeds/a.txt", entities=ents, metadata={"year": 2004})],
                      [pred("seeds/a.txt", entities=ents)], source_texts={"seed:a": TEXT})
    text = format_report(report)
    assert "DRUG" in text and "micro" in text and "1.000" in text
    assert "year" in text and "0/1" in text
    assert report.model_validate_json(report.model_dump_json()) == report
