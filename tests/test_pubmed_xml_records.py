"""PubMed XML reader: records, source-text layout, metadata mapping, deleted citations."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.article import Article
from pipeline.readers.pubmed_xml import read_articles, sniff
from pipeline.records import Metadata

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
from tests.conftest import SHARED  # noqa: F401
from tests.conftest import shared_path as shared_file


def assert_layout_consistent(article: Article) -> None:
    """The offsets an Article carries index into its own source text."""
    text = article.source_text
    if article.title_span:
        assert text[slice(*article.title_span)] == article.metadata["title"]
    for heading in article.headings:
        assert text[heading.start : heading.end] == heading.text
        assert text[heading.end : heading.body_start] == ": "
    for start, end in article.paragraphs:
        assert 0 <= start < end <= len(text)
    if article.abstract_span:
        assert article.abstract_span[1] == len(text)


@pytest.fixture(scope="module")
def fixture_articles() -> list[Article]:
    return list(read_articles(FIXTURES / "pubmed_set.xml", "fixtures/pubmed_set.xml"))


def test_pubmed_xml_one_article_per_record_and_deleted_pmid(fixture_articles):
    assert [(a.index, a.status, a.metadata.get("pmid")) for a in fixture_articles] == [
        (0, "ok", "90000001"),
        (1, "ok", "90000002"),
        (2, "no_abstract", "90000003"),
        (3, "deleted", "80000001"),
        (4, "deleted", "80000002"),
    ]
    assert {a.format for a in fixture_articles} == {"pubmed-xml"}
    assert len({a.sha256 for a in fixture_articles}) == 1
    assert {a.path for a in fixture_articles} == {"fixtures/pubmed_set.xml"}


def test_pubmed_xml_structured_abstract_layout(fixture_articles):
    article = fixture_articles[0]
    assert article.source_text.split("\n\n") == [
        "Drug X versus placebo in EGFR-mutant lung cancer: a randomised trial.",
        "BACKGROUND: Drug X blocks a kinase that drives tumour growth.",
        "PATIENTS AND METHODS: Patients received drug X 80 mg/m2 on day 1 or placebo; the primary end point "
        "was progression-free survival (PFS).",
        "FINDINGS: Median PFS was 9.2 months with drug X and 4.1 months with placebo (hazard ratio [HR] 0.48; "
        "95% CI 0.35–0.66). Serum levels of CO2 were stable; the area was x+1 units.",
        "FUNDING: Funded by a made-up foundation.",
    ]
    assert [(h.text, h.category) for h in article.headings] == [
        ("BACKGROUND", "BACKGROUND"),
        ("PATIENTS AND METHODS", "METHODS"),
        ("FINDINGS", "RESULTS"),
        ("FUNDING", None),  # UNASSIGNED is not a category
    ]
    assert_layout_consistent(article)


@pytest.mark.parametrize(
    "needle",
    ["Résumé fictif", "Copyright", "TeX"],
    ids=["other-abstract-ignored", "copyright-not-in-body", "mathml-annotation-dropped"],
)
def test_pubmed_xml_excluded_text_stays_out(fixture_articles, needle):
    assert needle not in fixture_articles[0].source_text


@pytest.mark.parametrize(
    ("index", "field", "expected"),
    [
        (0, "journal", "J Madeup Oncol Trials"),
        (0, "journal_title", "Journal of made-up oncology trials"),
        (0, "year", 2021),
        (0, "volume", "12"),
        (0, "issue", "4"),
        (0, "pages", "101-9"),
        (0, "doi", "10.9999/jmot.2021.001"),
        (0, "pmcid", "PMC9000001"),
        (0, "authors", ["Doe JA", "Müller KH", "Made-Up Trial Group"]),
        (0, "affiliations", ["Department of Oncology, Example University, Exampletown.", "Second Institute, Sampleville."]),
        (0, "mesh_terms", ["Lung Neoplasms*", "Antineoplastic Agents*", "Humans"]),
        (0, "keywords", ["kinase inhibitor", "PFS"]),
        (0, "publication_types", ["Randomized Controlled Trial", "Journal Article"]),
        (0, "copyright", "Copyright © 2021 Made-up Publisher. All rights reserved."),
        (1, "year", 1998),
        (1, "journal", "Revue imaginaire de médecine"),
        (1, "doi", "10.9999/from-article-id-list"),
        (1, "title", "Étude ouverte de l'agent Y chez des patients âgés: résultats à 5 ans."),
        (2, "authors", ["Roe R"]),
    ],
    ids=lambda v: str(v)[:30],
)
def test_pubmed_xml_metadata_mapping(fixture_articles, index, field, expected):
    assert fixture_articles[index].metadata[field] == expected


def test_pubmed_xml_mesh_detail(fixture_articles):
    mesh = fixture_articles[0].metadata["mesh"]
    assert mesh[1] == {
        "descriptor": "Antineoplastic Agents",
        "major": True,
        "qualifiers": ["therapeutic use", "adverse effects"],
        "major_qualifiers": ["therapeutic use"],
        "ui": "D000002",
    }


def test_pubmed_xml_metadata_fits_record_model(fixture_articles):
    for article in fixture_articles:
        Metadata.model_validate(article.metadata)


def test_pubmed_xml_gzip_reads_like_plain(fixture_articles):
    gz = list(read_articles(FIXTURES / "pubmed_set.xml.gz", "x.gz"))
    assert [a.source_text for a in gz] == [a.source_text for a in fixture_articles]
    assert gz[0].sha256 != fixture_articles[0].sha256  # the hash is of the bytes as stored


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("set.xml", b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet>\n<PubmedArticle>', True),
        ("old.xml", b'<?xml version="1.0"?>\n<MedlineCitationSet>\n<MedlineCitation Owner="NLM">', True),
        ("noext", b"<PubmedArticleSet><PubmedArticle><MedlineCitation>", True),
        ("page.html", b"<!doctype html><html><body>PubmedArticle</body></html>", False),
        ("a.nxml", b'<!DOCTYPE article><article><front><article-meta>', False),
        ("r.nbib", b"PMID- 123\nTI  - x", False),
    ],
    ids=["efetch", "medline-citation-set", "no-extension", "html", "jats", "medline-text"],
)
def test_pubmed_xml_sniff(name, head, expected):
    assert sniff(head, Path(name)) is expected


def test_pubmed_xml_efetch_sample():
    path = shared_file("data", "formats", "pubmed-29768149.xml")
    (article,) = read_articles(path, "pubmed-29768149.xml")
    assert article.status == "ok"
    assert "fast-acting β2-agonist" in article.source_text  # pretty-print newline before <sub> dropped
    assert [h.text for h in article.headings] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert article.metadata["doi"] == "10.1056/NEJMoa1715274"
    assert "Asthma*" in article.metadata["mesh_terms"]  # major through its qualifier
    assert_layout_consistent(article)


def test_pubmed_xml_medline_baseline_file():
    path = shared_file("data", "formats", "medline16n0902.xml.gz")
    articles = list(read_articles(path, "medline16n0902.xml.gz"))
    statuses = [a.status for a in articles]
    assert len(articles) == 605 and statuses.count("deleted") == 1 and "error" not in statuses
    assert [a.index for a in articles] == list(range(605))
    with_categories = [h for a in articles for h in a.headings if h.category]
    assert with_categories and all(
        h.category in {"BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"} for h in with_categories
    )
    assert sum(1 for a in articles if a.metadata.get("year")) >= 600
    for article in articles[:50]:
        assert_layout_consistent(article)


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (
            "<PubmedArticle><MedlineCitation><PMID>11</PMID><Article><ArticleTitle>Root record</ArticleTitle>"
            "<Abstract><AbstractText>Body.</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>",
            [("ok", "11", "Root record\n\nBody.")],
        ),
        (
            "<PubmedArticleSet><PubmedBookArticle><BookDocument><PMID>12</PMID><Book><BookTitle>Book</BookTitle>"
            "<PubDate><Year>2001</Year></PubDate></Book><ArticleTitle>Chapter</ArticleTitle><Abstract>"
            '<AbstractText Label="SUMMARY">Text.</AbstractText></Abstract></BookDocument></PubmedBookArticle>'
            "</PubmedArticleSet>",
            [("ok", "12", "Chapter\n\nSUMMARY: Text.")],
        ),
        (
            "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>13</PMID></MedlineCitation></PubmedArticle>"
            "<PubmedArticle><MedlineCitation><PMID>14</PMID><Article><ArticleTitle>Fine</ArticleTitle></Article>"
            "</MedlineCitation></PubmedArticle></PubmedArticleSet>",
            [("error", "13", ""), ("no_abstract", "14", "Fine")],
        ),
    ],
    ids=["single-root-article", "book-article", "record-without-article"],
)
def test_pubmed_xml_record_shapes(tmp_path, xml, expected):
    path = tmp_path / "one.xml"
    path.write_text(xml, encoding="utf-8")
    got = [(a.status, a.metadata.get("pmid"), a.source_text) for a in read_articles(path, "one.xml")]
    assert got == expected
