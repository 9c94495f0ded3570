"""MEDLINE text reader: tags, continuation lines, repeated tags, record splitting, errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipeline.readers.medline import read_articles, sniff
from pipeline.records import Metadata

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"


@pytest.fixture(scope="module")
def articles():
    return list(read_articles(FIXTURES / "medline_records.nbib", "medline_records.nbib"))


def test_medline_one_article_per_record(articles):
    assert [(a.index, a.status, a.metadata["pmid"]) for a in articles] == [
        (0, "ok", "90000101"),
        (1, "ok", "90000102"),
        (2, "no_abstract", "90000103"),
    ]
    assert {a.format for a in articles} == {"medline"} and len({a.sha256 for a in articles}) == 1


def test_medline_structured_abstract_layout(articles):
    article = articles[0]
    title, *paragraphs = article.source_text.split("\n\n")
    assert title == (
        "Made-up drug Z plus chemotherapy versus chemotherapy alone in advanced gastric cancer: "
        "an open-label randomised phase 3 trial."
    )
    assert [p.split(":")[0] for p in paragraphs] == ["BACKGROUND", "PATIENTS AND METHODS", "RESULTS", "CONCLUSIONS"]
    assert "alone (HR: hazard ratio)." in paragraphs[1]  # a mid-sentence "HR:" is not a label
    for heading in article.headings:
        assert article.source_text[heading.start : heading.end] == heading.text
        assert heading.category is None
    assert article.abstract_span == (len(title) + 2, len(article.source_text))


@pytest.mark.parametrize(
    ("index", "field", "expected"),
    [
        (0, "journal", "Fake Gastric Oncol"),
        (0, "journal_title", "Fake journal of gastric oncology"),
        (0, "year", 2021),
        (0, "volume", "15"),
        (0, "issue", "2"),
        (0, "pages", "210-219"),
        (0, "doi", "10.9999/fake.2021.0101"),
        (0, "pmcid", "PMC9000101"),
        (0, "authors", ["Smith JA", "Øster AM", "Fictional Gastric Trial Investigators"]),
        (0, "affiliations", ["Department of Medicine, Invented University, Faketown, Nowhere.", "Second Fictional Hospital, Imaginary City."]),
        (0, "mesh_terms", ["Antibodies, Monoclonal*", "Stomach Neoplasms*", "Humans"]),
        (0, "keywords", ["gastric cancer", "monoclonal antibody"]),
        (0, "publication_types", ["Clinical Trial, Phase III", "Journal Article", "Randomized Controlled Trial"]),
        (0, "copyright", "Copyright (c) 2021 Invented Press. All rights reserved."),
        (1, "year", 1998),
        (1, "issue", "6"),
        (2, "volume", "1"),  # from the SO citation line when VI is absent
        (2, "pages", "1"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_medline_metadata_mapping(articles, index, field, expected):
    assert articles[index].metadata[field] == expected


def test_medline_mesh_qualifier_stars(articles):
    mesh = articles[0].metadata["mesh"]
    assert [(m["descriptor"], m["qualifiers"], m["major_qualifiers"]) for m in mesh] == [
        ("Antibodies, Monoclonal", ["therapeutic use"], ["therapeutic use"]),
        ("Stomach Neoplasms", ["drug therapy", "mortality"], []),
        ("Humans", [], []),
    ]


def test_medline_metadata_fits_record_model(articles):
    for article in articles:
        Metadata.model_validate(article.metadata)


def test_medline_bad_record_does_not_stop_the_file():
    articles = list(read_articles(FIXTURES / "medline_bad_record.txt", "bad.txt"))
    assert [(a.index, a.status) for a in articles] == [(0, "ok"), (1, "error"), (2, "ok")]
    assert "neither a 'TAG - value' line" in articles[1].error["message"]
    assert articles[2].metadata["pmid"] == "90000203"


def test_medline_crlf_and_continuation():
    (article,) = read_articles(FIXTURES / "medline_crlf.nbib", "crlf.nbib")
    assert article.metadata["title"] == "A record with Windows line ends and a continued title."
    assert [h.text for h in article.headings] == ["AIM", "CONCLUSION"]
    assert "\r" not in article.source_text


def test_medline_truncated_gzip_keeps_complete_records(tmp_path):
    data = (FIXTURES / "medline_records.nbib").read_bytes()
    packed = gzip.compress(data, mtime=0)
    path = tmp_path / "cut.nbib.gz"
    path.write_bytes(packed[: len(packed) - 8])  # drop the trailer: all text, no end marker
    articles = list(read_articles(path, "cut.nbib.gz"))
    assert [a.status for a in articles] == ["ok", "ok", "error"]
    assert articles[-1].error["type"] == "TruncatedGzip" and articles[-1].index == 2


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("pubmed.nbib", b"PMID- 29768149\nOWN - NLM\n", True),
        ("export.txt", b"\n\nPMID- 1\nTI  - x\n", True),
        ("records.nbib", b"TI  - A title first\nAB  - text\n", True),
        ("notes.txt", b"Patients (PMID- see below) were", False),
        ("set.xml", b"<PubmedArticleSet><PMID>1</PMID>", False),
    ],
    ids=["pmid-first", "leading-blank-lines", "nbib-without-pmid", "prose", "xml"],
)
def test_medline_sniff(name, head, expected):
    assert sniff(head, Path(name)) is expected
