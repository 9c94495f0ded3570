"""PMC JATS reader: abstract choice, sections, inline labels, front-matter metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.readers.jats import read_articles, sniff
from pipeline.records import Metadata

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
from tests.conftest import SHARED  # noqa: F401
from tests.conftest import shared_path as shared_file


@pytest.fixture(scope="module")
def structured():
    (article,) = read_articles(FIXTURES / "jats_structured.nxml", "jats_structured.nxml")
    return article


@pytest.fixture(scope="module")
def articleset():
    return list(read_articles(FIXTURES / "jats_articleset.xml", "jats_articleset.xml"))


def test_jats_structured_abstract_sections(structured):
    assert structured.status == "ok" and structured.format == "jats"
    assert structured.source_text.split("\n\n") == [
        "Agent W in relapsed lymphoma: a randomised phase II study",
        "Background: Agent W is an invented oral inhibitor.",
        "Methods: Patients received agent W 200 mg/m2 daily. The primary end point was event-free survival.",
        "RESULTS: Median survival was 14.2 months (HR 0.61).",
        "Conclusions: Agent W was active.",
    ]
    for heading in structured.headings:
        assert structured.source_text[heading.start : heading.end] == heading.text


@pytest.mark.parametrize(
    "needle",
    ["graphical abstract", "Body text", "Abstract\n", "*"],
    ids=["graphical-abstract-skipped", "body-ignored", "abstract-title-dropped", "footnote-xref-dropped"],
)
def test_jats_excluded_text_stays_out(structured, needle):
    assert needle not in structured.source_text


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("journal", "Imag Trials J"),
        ("journal_title", "Imaginary Trials Journal"),
        ("year", 2019),
        ("volume", "8"),
        ("issue", "2"),
        ("pages", "55-63"),
        ("doi", "10.9999/itj.2019.401"),
        ("pmid", "90000401"),
        ("pmcid", "PMC9000401"),
        ("authors", ["García-López MJ", "Chen WK", "Imaginary Lymphoma Consortium"]),
        ("affiliations", ["Department of Haematology, Invented Hospital, Faketown", "Institute of Imaginary Medicine, Nowhere City"]),
        ("keywords", ["lymphoma", "targeted therapy"]),
        ("copyright", "© 2019 The Authors. Published by Invented Press."),
    ],
)
def test_jats_metadata_mapping(structured, field, expected):
    assert structured.metadata[field] == expected


def test_jats_articleset_one_article_each(articleset):
    assert [(a.index, a.status) for a in articleset] == [(0, "ok"), (1, "no_abstract"), (2, "ok")]
    for article in articleset:
        Metadata.model_validate(article.metadata)


def test_jats_inline_bold_labels_and_non_ascii_title(articleset):
    article = articleset[0]
    assert article.metadata["title"] == "Ünïcödé title: effect of agent V on β-cell function"
    assert [h.text for h in article.headings] == ["Objective", "Results"]
    assert article.source_text.endswith("Objective: To test agent V 5 mg daily.\n\nResults: The response rate was "
                                        "40%.\n\nA plain closing paragraph without a label.")
    assert article.metadata["pages"] == "e1234" and article.id_hint == "PMC9000501"


def test_jats_unstructured_paragraphs(articleset):
    article = articleset[2]
    assert article.headings == []
    assert [article.source_text[s:e] for s, e in article.paragraphs] == [
        "First paragraph of an unstructured abstract.",
        "Second paragraph with <5% loss.",
    ]


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.nxml", b'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96)//EN" "x.dtd">\n<article><front>', True),
        ("set.xml", b"<pmc-articleset><article><front><journal-meta>", True),
        ("x.xml", b"<PubmedArticleSet><PubmedArticle>", False),
        ("page.html", b"<html><body><article><p>news</p></article></body></html>", False),
    ],
    ids=["nxml", "articleset", "pubmed-xml", "html-article"],
)
def test_jats_sniff(name, head, expected):
    assert sniff(head, Path(name)) is expected


def test_jats_shared_pmc_files_agree_with_jsonl():
    folder = shared_file("data", "pmc-rct", "xml")
    records = {}
    with shared_file("data", "pmc-rct", "abstracts.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            records[record["file"]] = record
    files = sorted(folder.glob("*.nxml"))
    assert files
    for path in files:
        (article,) = read_articles(path, path.name)
        assert article.status == "ok", path.name
        expected = records.get(path.name)
        if expected is None:
            continue
        for field in ("pmid", "doi", "pmcid", "year", "volume", "issue", "copyright"):
            assert article.metadata[field] == expected[field], (path.name, field)
        assert article.metadata["title"] == expected["title"]
        # same section texts up to the spacing the corpus normalised
        ours = [" ".join(article.source_text[h.body_start :].split("\n\n")[0].split()) for h in article.headings]
        theirs = [" ".join(s["text"].split()) for s in expected["sections"] if s["heading"]]
        assert ours[: len(theirs)] == theirs[: len(ours)] or not article.headings, path.name
