"""pmc-rct JSONL reader: one Article per line, the gold source-text layout, bad lines isolated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluation.gold import pmc_source_text
from pipeline.readers.pmc_jsonl import read_articles, sniff
from pipeline.records import Metadata

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="module")
def articles():
    return list(read_articles(FIXTURES / "pmc_rct_sample.jsonl", "pmc_rct_sample.jsonl"))


def test_pmc_jsonl_one_article_per_nonblank_line(articles):
    assert [(a.index, a.status, a.error and a.error["type"]) for a in articles] == [
        (0, "ok", None),
        (1, "error", "InvalidJSON"),
        (2, "ok", None),
        (3, "error", "RecordError"),
    ]
    assert articles[3].metadata == {"pmcid": "PMC9000603"}
    assert {a.format for a in articles} == {"pmc-rct"}


def test_pmc_jsonl_layout_matches_gold(articles):
    lines = [json.loads(x) for x in (FIXTURES / "pmc_rct_sample.jsonl").read_text(encoding="utf-8").splitlines()
             if x.strip() and not x.startswith('{"pmcid": "PMC9000699"')]
    assert articles[0].source_text == pmc_source_text(lines[0])
    assert articles[2].source_text == pmc_source_text(lines[1])
    assert [h.text for h in articles[0].headings] == ["Background", "Methods:", "Results"]


@pytest.mark.parametrize(
    ("index", "field", "expected"),
    [
        (0, "pmcid", "PMC9000601"),
        (0, "pmid", "90000601"),
        (0, "journal", "Imag Rheum"),
        (0, "journal_title", "Imaginary Rheumatology"),
        (0, "year", 2016),
        (0, "authors", ["Kowalski JP", "Ndlovu T"]),
        (0, "copyright", "© 2016 The Authors"),
        (2, "journal", "Imaginary Journal"),
        (2, "pmid", None),
    ],
)
def test_pmc_jsonl_metadata(articles, index, field, expected):
    assert articles[index].metadata[field] == expected
    Metadata.model_validate(articles[index].metadata)


def test_pmc_jsonl_id_hint_when_no_pmid_or_doi(articles):
    assert articles[2].id_hint == "PMC9000602"


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.jsonl", b'{"pmcid": "PMC1", "title": "t", "sections": []}\n{"pmcid"', True),
        ("a.jsonl", b'{"pmcid": "PMC1", "title": "a very long first line cut by the head wind', True),
        ("a.jsonl", b'{"id": "x", "text": "y"}\n', False),
        ("a.txt", b"PMID- 1\n", False),
    ],
    ids=["full-line", "cut-line-jsonl", "other-jsonl", "medline"],
)
def test_pmc_jsonl_sniff(name, head, expected):
    assert sniff(head, Path(name)) is expected


def test_pmc_jsonl_shared_file_matches_gold_layout():
    path = SHARED / "data" / "pmc-rct" / "abstracts.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    articles = list(read_articles(path, "abstracts.jsonl"))
    records = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    assert len(articles) == len(records)
    assert all(a.status == "ok" for a in articles)
    assert all(a.source_text == pmc_source_text(r) for a, r in zip(articles, records))
    assert all(a.metadata["pmcid"] == r["pmcid"] for a, r in zip(articles, records))
