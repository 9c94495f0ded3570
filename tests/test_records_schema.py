"""The record models, the committed JSON Schema, and the contract's field rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.article import Article
from pipeline.records import SCHEMA_VERSION, Record, build_record, record_json_schema

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "record.schema.json"


def test_records_committed_schema_matches_models():
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == record_json_schema(), "run `make schema` and commit schemas/record.schema.json"


@pytest.mark.parametrize(
    "metadata, path, index, expected",
    [
        ({"pmid": "15580557", "doi": "10.1/x"}, "a.txt", 0, "15580557"),
        ({"doi": "10.1016/j.surg.2004.06.001"}, "a.txt", 0, "10.1016/j.surg.2004.06.001"),
        ({}, "corpus/x/page.txt", 0, "corpus/x/page.txt#0"),
        ({}, "base.xml.gz", 17, "base.xml.gz#17"),
    ],
)
def test_records_id_is_pmid_then_doi_then_path_index(metadata, path, index, expected):
    article = Article(source_text="", path=path, index=index, metadata=metadata, status="no_abstract")
    assert build_record(article).id == expected


def test_records_error_record_carries_type_and_message():
    article = Article(source_text="", path="x.txt", status="error", error={"type": "BinaryInput", "message": "binary"})
    record = build_record(article)
    dumped = json.loads(record.to_json())
    assert dumped["schema_version"] == SCHEMA_VERSION
    assert dumped["metadata"] == {}  # nothing shown, nothing written (no nulls, no guesses)
    assert dumped["status"] == "error"
    assert dumped["error"] == {"type": "BinaryInput", "message": "binary"}
    assert dumped["source"] == {"path": "x.txt", "sha256": "", "format": "text", "index": 0}


@pytest.mark.parametrize(
    "patch",
    [
        {"status": "maybe"},
        {"entities": [{"label": "GENE", "start": 0, "end": 1, "text": "x"}]},
        {"sections": [{"label": "INTRO", "start": 0, "end": 1}]},
    ],
)
def test_records_reject_values_outside_the_contract(patch):
    base = {"id": "1", "source": {"path": "p", "sha256": "", "format": "text"}, "status": "ok"}
    with pytest.raises(ValidationError):
        Record.model_validate({**base, **patch})


@pytest.mark.parametrize(
    "abstract, kept, copyright",
    [
        ("Median OS was 9 months. Toxicity was mild. © 2000 Cancer Research Campaign",
         "Median OS was 9 months. Toxicity was mild.", "© 2000 Cancer Research Campaign"),
        ("We treated 40 patients. Copyright (c) 2011 Wiley Periodicals, Inc.", "We treated 40 patients.",
         "Copyright (c) 2011 Wiley Periodicals, Inc."),
        ("Survival improved (P = .01) in 2011 and 2012.", "Survival improved (P = .01) in 2011 and 2012.", None),
    ],
)
def test_records_trailing_copyright_leaves_the_abstract(abstract, kept, copyright):
    from pipeline.article import layout_structured, trim_trailing_copyright

    text, title, span, headings, paragraphs = layout_structured("A title", [("Results", abstract)])
    article = Article(source_text=text, path="x", title_span=title, abstract_span=span, paragraphs=paragraphs)
    trim_trailing_copyright(article)
    start, end = article.abstract_span
    assert text[start:end] == "Results: " + kept
    assert article.metadata.get("copyright") == copyright


def test_records_ok_record_leaves_out_absent_metadata_and_error():
    article = Article(source_text="T", path="x.txt", metadata={"journal": "Surgery", "year": 2004, "doi": None})
    dumped = json.loads(build_record(article).to_json())
    assert dumped["metadata"] == {"journal": "Surgery", "year": 2004}
    assert "error" not in dumped
