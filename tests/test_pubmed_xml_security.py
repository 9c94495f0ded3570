"""PubMed XML reader on hostile or broken files: one clear error Article, nothing leaked."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipeline.readers.jats import read_articles as read_jats
from pipeline.readers.pubmed_xml import read_articles

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"


@pytest.mark.parametrize(
    ("fixture", "good_before", "error_type", "message_part"),
    [
        ("billion_laughs.xml", 0, "UnsafeXML", "declares entities"),
        ("external_entity.xml", 0, "UnsafeXML", "declares entities"),
        ("pubmed_set_truncated.xml.gz", 2, "TruncatedGzip", "truncated .gz"),
    ],
    ids=["billion-laughs", "external-entity", "truncated-gzip"],
)
def test_pubmed_xml_file_failure_yields_records_then_one_error(fixture, good_before, error_type, message_part):
    articles = list(read_articles(FIXTURES / fixture, fixture))
    assert [a.status for a in articles[:-1]] == ["ok"] * good_before
    error = articles[-1]
    assert error.status == "error" and error.index == good_before
    assert error.error["type"] == error_type
    assert message_part in error.error["message"]
    assert f"{good_before} record(s) were read" in error.error["message"]


def test_pubmed_xml_malformed_record_part_way_costs_that_record_only():
    """Record 3 of 4 is malformed: it becomes one error at its index and record 4 is still read
    (see tests/test_pubmed_xml_recovery.py); before, every record after it was lost."""
    articles = list(read_articles(FIXTURES / "malformed_after_two.xml", "malformed_after_two.xml"))
    assert [(a.index, a.status) for a in articles] == [(0, "ok"), (1, "ok"), (2, "error"), (3, "error")]
    assert articles[2].error["type"] == "MalformedXML" and "malformed XML" in articles[2].error["message"]
    assert articles[2].metadata["pmid"] == "90000023"
    assert articles[3].error["type"] == "RecordError"  # record 4 parses; it just has no <Article>
    assert articles[3].metadata["pmid"] == "90000024"


@pytest.mark.parametrize("fixture", ["external_entity.xml", "billion_laughs.xml"])
def test_pubmed_xml_never_leaks_or_expands(fixture):
    passwd = Path("/etc/passwd")
    secret_lines = passwd.read_text().splitlines()[:3] if passwd.exists() else []
    for article in read_articles(FIXTURES / fixture, fixture):
        dumped = repr(article)
        assert "lollol" not in dumped
        for line in secret_lines:
            assert line not in dumped


def test_jats_parameter_entity_refused():
    (article,) = read_jats(FIXTURES / "jats_xxe.nxml", "jats_xxe.nxml")
    assert article.status == "error" and article.error["type"] == "UnsafeXML"


def test_pubmed_xml_entity_declared_after_first_chunk_is_refused(tmp_path):
    """The prolog check does not stop at the first read chunk."""
    padding = "<!-- " + "x" * 200_000 + " -->"
    doc = f'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [\n{padding}\n<!ENTITY e "boom">\n]>\n<PubmedArticleSet/>'
    path = tmp_path / "late_entity.xml"
    path.write_text(doc)
    (article,) = read_articles(path, "late_entity.xml")
    assert article.error["type"] == "UnsafeXML"


def test_pubmed_xml_external_dtd_is_not_fetched(tmp_path):
    """A DOCTYPE pointing at a DTD (local or remote) is neither loaded nor an error."""
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY title "INJECTED">')
    doc = (
        f'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet SYSTEM "{dtd.as_uri()}">\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>Plain title</ArticleTitle><Abstract><AbstractText>Text.</AbstractText></Abstract>"
        "</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )
    path = tmp_path / "dtd.xml"
    path.write_text(doc)
    (article,) = read_articles(path, "dtd.xml")
    assert article.status == "ok" and "INJECTED" not in article.source_text


@pytest.mark.parametrize(
    ("content", "error_type"),
    [(b"", "MalformedXML"), (b"not xml at all", "MalformedXML"), (gzip.compress(b"<PubmedArticleSet>")[:-6], "TruncatedGzip")],
    ids=["empty", "not-xml", "tiny-truncated-gzip"],
)
def test_pubmed_xml_garbage_is_one_error(tmp_path, content, error_type):
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    articles = list(read_articles(path, "bad.xml"))
    assert [(a.status, a.error["type"]) for a in articles] == [("error", error_type)]


def test_pubmed_xml_missing_file_is_an_error(tmp_path):
    (article,) = read_articles(tmp_path / "absent.xml", "absent.xml")
    assert article.status == "error" and article.error["type"] == "ReadError"


def test_pubmed_xml_hostile_file_does_not_stop_a_batch():
    batch = ["billion_laughs.xml", "external_entity.xml", "pubmed_set.xml"]
    results = [(name, a.status) for name in batch for a in read_articles(FIXTURES / name, name)]
    assert results == [
        ("billion_laughs.xml", "error"),
        ("external_entity.xml", "error"),
        ("pubmed_set.xml", "ok"),
        ("pubmed_set.xml", "ok"),
        ("pubmed_set.xml", "no_abstract"),
        ("pubmed_set.xml", "deleted"),
        ("pubmed_set.xml", "deleted"),
    ]


@pytest.mark.parametrize(
    ("fixture", "starts_with"),
    [("pubmed_set.xml.gz", b"<?xml"), ("pubmed_set_truncated.xml.gz", b"<?xml"), ("pubmed_set.xml", b"<?xml")],
    ids=["gzip", "truncated-gzip", "plain"],
)
def test_read_head_decompresses_even_when_truncated(fixture, starts_with):
    from pipeline.readers.pubmed_xml import sniff
    from pipeline.readers.xmlsafe import read_head

    head = read_head(FIXTURES / fixture, 4096)
    assert head.startswith(starts_with) and len(head) == 4096
    assert sniff(head, FIXTURES / fixture)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_pubmed_xml_entity_declaration_refused_in_wide_encodings(tmp_path, codec):
    text = (FIXTURES / "external_entity.xml").read_text(encoding="utf-8")
    text = text.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{codec.upper()}"?>')
    path = tmp_path / f"xxe-{codec}.xml"
    path.write_bytes(text.encode(codec))
    articles = list(read_articles(path, path.name))
    assert articles[-1].status == "error"
    assert articles[-1].error["type"] == "UnsafeXML"


@pytest.mark.parametrize(
    ("module", "name", "content"),
    [
        ("pipeline.readers.pubmed_xml", "empty-set.xml", b'<?xml version="1.0"?>\n<PubmedArticleSet>\n</PubmedArticleSet>\n'),
        ("pipeline.readers.jats", "empty-set.xml", b"<pmc-articleset></pmc-articleset>"),
        ("pipeline.readers.medline", "blank.nbib", b"\n\n   \n"),
        ("pipeline.readers.pmc_jsonl", "blank.jsonl", b"\n \n"),
    ],
    ids=["pubmed-xml", "jats", "medline", "pmc-rct"],
)
def test_reader_without_records_yields_one_error(tmp_path, module, name, content):
    import importlib

    path = tmp_path / name
    path.write_bytes(content)
    articles = list(importlib.import_module(module).read_articles(path, name))
    assert [(a.status, a.error["type"]) for a in articles] == [("error", "EmptyInput")]


DAMAGE_CASES = [
    (module, fixture, fraction)
    for module, fixture in [
        ("pipeline.readers.pubmed_xml", "pubmed_set.xml"),
        ("pipeline.readers.pubmed_xml", "pubmed_set.xml.gz"),
        ("pipeline.readers.jats", "jats_articleset.xml"),
        ("pipeline.readers.medline", "medline_records.nbib"),
        ("pipeline.readers.pmc_jsonl", "pmc_rct_sample.jsonl"),
    ]
    for fraction in (0.05, 0.3, 0.55, 0.8, 0.97)
]


@pytest.mark.parametrize(("module", "fixture", "fraction"), DAMAGE_CASES,
                         ids=[f"{f}-{int(x * 100)}" for _, f, x in DAMAGE_CASES])
def test_readers_survive_cut_and_corrupted_files(tmp_path, module, fixture, fraction):
    """Cut a fixture, or overwrite a byte run inside it: the reader still never raises, indexes
    stay consecutive, and every error Article says what went wrong."""
    import importlib

    reader = importlib.import_module(module)
    data = (FIXTURES / fixture).read_bytes()
    at = int(len(data) * fraction)
    suffix = "".join(Path(fixture).suffixes)
    for variant, content in (("cut", data[:at]), ("garbled", data[:at] + b"\x00<\xff&;]]>" + data[at + 7 :])):
        path = tmp_path / f"{variant}{suffix}"
        path.write_bytes(content)
        articles = list(reader.read_articles(path, path.name))
        assert articles, variant
        assert [a.index for a in articles] == list(range(len(articles)))
        for article in articles:
            if article.status == "error":
                assert article.error["type"] and article.error["message"]
            for heading in article.headings:
                assert article.source_text[heading.start : heading.end] == heading.text
