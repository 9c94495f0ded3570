"""A malformed record in a PubMed XML (or JATS set) file costs that record only: it becomes one
MalformedXML error Article at its position, and reading goes on at the next record."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipeline.readers.jats import read_articles as read_jats
from pipeline.readers.pubmed_xml import read_articles

PROLOG = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
          '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n')
EPILOG = "</PubmedArticleSet>\n"


def article(pmid: int, abstract: str | None = None) -> str:
    abstract = abstract if abstract is not None else (
        f'<AbstractText Label="RESULTS">Median survival was {pmid % 40 + 1} months in arm &#946;'
        f"<sub>2</sub> (n = {pmid % 300}).</AbstractText>")
    return (
        f'  <PubmedArticle>\n    <MedlineCitation Status="MEDLINE" Owner="NLM">\n      <PMID Version="1">{pmid}</PMID>\n'
        f'      <Article PubModel="Print">\n        <ArticleTitle>Trial number {pmid}.</ArticleTitle>\n'
        f"        <Abstract>{abstract}</Abstract>\n      </Article>\n    </MedlineCitation>\n  </PubmedArticle>\n"
    )


# Ways to break one record, each (name, function of the record's PMID -> its broken XML)
BREAKS = {
    "tag-mismatch": lambda pmid: article(pmid, "<AbstractText>Broken text</Abstract><AbstractText>x"),
    "missing-end-tag": lambda pmid: article(pmid).replace("  </PubmedArticle>\n", ""),
    "damaged-start-tag": lambda pmid: article(pmid).replace("<PubmedArticle>", "<PubmedArticl>", 1),
    "bad-utf8": lambda pmid: article(pmid, "<AbstractText>caf\udce9 au lait</AbstractText>"),
    "stray-ampersand": lambda pmid: article(pmid, "<AbstractText>A & B</AbstractText>"),
    "unclosed-attribute": lambda pmid: article(pmid).replace('Status="MEDLINE"', 'Status="MEDLINE', 1),
}
N = 2000
BROKEN_AT = (0, N // 2)


def _file(tmp_path: Path, break_name: str, broken=BROKEN_AT, n: int = N, gz: bool = False, name: str = "set.xml") -> Path:
    make = BREAKS[break_name]
    body = "".join(make(i) if i in broken else article(i) for i in range(n))
    data = (PROLOG + body + EPILOG).encode("utf-8", errors="surrogateescape")
    path = tmp_path / (name + (".gz" if gz else ""))
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.mark.parametrize("break_name", list(BREAKS))
def test_pubmed_xml_recovery_loses_only_the_broken_records(tmp_path, break_name):
    path = _file(tmp_path, break_name)
    articles = list(read_articles(path, path.name))
    assert len(articles) == N
    assert [a.index for a in articles] == list(range(N))
    for i, a in enumerate(articles):
        if i in BROKEN_AT:
            assert a.status == "error" and a.error["type"] == "MalformedXML", (i, a.error)
            assert "line" in a.error["message"]
        else:
            assert a.status == "ok", (i, a.error)
            assert a.metadata["pmid"] == str(i)  # records after a broken one keep their index
            assert a.source_text.startswith(f"Trial number {i}.")


def test_pubmed_xml_recovery_message_says_what_and_where(tmp_path):
    path = _file(tmp_path, "tag-mismatch", broken=(1000,))
    bad = list(read_articles(path, path.name))[1000]
    start_line = 3 + 9 * 1000 + 1  # prolog lines, then 9 lines per record
    assert bad.error["message"].startswith(f"malformed XML in the record starting at line {start_line}: ")
    assert "Opening and ending tag mismatch" in bad.error["message"]
    assert f"line {start_line + 5}" in bad.error["message"]  # lxml's line, counted in the whole file
    assert f"reading went on at the next record (line {start_line + 9})" in bad.error["message"]
    assert bad.metadata.get("pmid") == "1000"  # the id survives when the record's start is readable


def test_pubmed_xml_recovery_broken_last_record_ends_the_file(tmp_path):
    """Damage with no record start after it ends the file as before: one error at its position."""
    path = _file(tmp_path, "tag-mismatch", broken=(0, N // 2, N - 1))
    articles = list(read_articles(path, path.name))
    assert len(articles) == N
    assert [a.index for a in articles if a.status == "error"] == [0, N // 2, N - 1]
    assert articles[-1].error["type"] == "MalformedXML"
    assert f"{N - 1} record(s) were read before the failure" in articles[-1].error["message"]


def test_pubmed_xml_recovery_in_gzip_and_utf16(tmp_path):
    gz = _file(tmp_path, "missing-end-tag", gz=True, n=300, broken=(0, 150))
    text = PROLOG.replace("UTF-8", "UTF-16") + "".join(
        BREAKS["tag-mismatch"](i) if i == 150 else article(i) for i in range(300)) + EPILOG
    wide = tmp_path / "wide.xml"
    wide.write_bytes(text.encode("utf-16"))
    for path, broken in ((gz, {0, 150}), (wide, {150})):
        articles = list(read_articles(path, path.name))
        assert [a.index for a in articles] == list(range(300))
        assert {a.index for a in articles if a.status == "error"} == broken, path.name
        assert all(a.metadata["pmid"] == str(a.index) for a in articles if a.status == "ok")


def test_pubmed_xml_recovery_after_a_long_broken_record(tmp_path, monkeypatch):
    """A broken record longer than the kept window is re-read from the file, not held in memory."""
    import pipeline.readers.xmlsafe as xmlsafe

    monkeypatch.setattr(xmlsafe, "RETAIN_LIMIT", 1 << 16)
    reopened = []
    reopen = xmlsafe._RecordStream._reopen_at
    monkeypatch.setattr(xmlsafe._RecordStream, "_reopen_at", lambda self, pos: (reopened.append(pos), reopen(self, pos)))
    filler = "<AbstractText>" + "words and more words. " * 20000 + "</AbstractText>"
    # record 3 lacks its end tag; that shows only when the long record 4 ends inside it
    body = "".join(BREAKS["missing-end-tag"](i) if i == 3 else article(i, filler) if i == 4 else article(i)
                   for i in range(200))
    path = tmp_path / "long.xml"
    path.write_text(PROLOG + body + EPILOG)
    articles = list(read_articles(path, path.name))
    assert [a.index for a in articles] == list(range(200))
    assert [a.index for a in articles if a.status == "error"] == [3]
    assert reopened  # the window was exceeded and the file read again up to record 4
    assert all(a.metadata["pmid"] == str(a.index) for a in articles if a.status == "ok")


def test_pubmed_xml_recovery_keeps_the_safety_checks(tmp_path):
    """Restarted parsers replay the checked prolog: entities stay unexpanded, nothing is fetched."""
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY title "INJECTED">')
    prolog = PROLOG.replace('"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd"', f'"{dtd.as_uri()}"')
    body = "".join(BREAKS["tag-mismatch"](i) if i == 1 else article(i, "<AbstractText>&title; text</AbstractText>")
                   for i in range(4))
    path = tmp_path / "dtd.xml"
    path.write_text(prolog + body + EPILOG)
    articles = list(read_articles(path, path.name))
    assert [a.status for a in articles] == ["ok", "error", "ok", "ok"]
    assert all("INJECTED" not in a.source_text for a in articles)


def test_jats_set_recovery(tmp_path):
    def one(i: int, broken: bool = False) -> str:
        p = "<p>Broken <italic>text</p>" if broken else f"<p>Abstract {i}.</p>"
        return (f'<article article-type="research-article"><front><article-meta>'
                f'<article-id pub-id-type="pmid">{9000 + i}</article-id>'
                f"<title-group><article-title>Title {i}</article-title></title-group>"
                f"<abstract>{p}</abstract></article-meta></front></article>\n")

    path = tmp_path / "set.xml"
    path.write_text('<?xml version="1.0"?>\n<pmc-articleset>\n' + "".join(one(i, i == 2) for i in range(5))
                    + "</pmc-articleset>\n")
    articles = list(read_jats(path, path.name))
    assert [(a.index, a.status) for a in articles] == [(0, "ok"), (1, "ok"), (2, "error"), (3, "ok"), (4, "ok")]
    assert articles[2].error["type"] == "MalformedXML" and articles[2].metadata == {"pmid": "9002"}
    assert articles[3].metadata["pmid"] == "9003"


def test_pubmed_xml_recovery_needs_a_set(tmp_path):
    """A one-record file has nothing to resynchronise on: the failure is the file's."""
    path = tmp_path / "one.xml"
    path.write_text('<?xml version="1.0"?>\n' + BREAKS["tag-mismatch"](7))
    (only,) = read_articles(path, path.name)
    assert only.error["type"] == "MalformedXML" and "0 record(s) were read" in only.error["message"]


def test_pubmed_xml_recovery_with_a_long_prolog(tmp_path):
    """The root start tag may end beyond the first read chunk; recovery still knows it."""
    prolog = PROLOG.replace("<PubmedArticleSet>", "<!-- " + "p" * 70000 + " -->\n<PubmedArticleSet\n"
                            + " " * 70000 + ">")
    body = "".join(BREAKS["tag-mismatch"](i) if i == 1 else article(i) for i in range(3))
    path = tmp_path / "long_prolog.xml"
    path.write_text(prolog + body + EPILOG)
    assert [a.status for a in read_articles(path, path.name)] == ["ok", "error", "ok"]


@pytest.mark.parametrize("quoted", ["<!-- <PubmedArticle> -->", "<![CDATA[<PubmedArticle>]]>"])
def test_pubmed_xml_recovery_not_fooled_by_quoted_start_tags(tmp_path, quoted):
    """A record start tag quoted in a comment or CDATA does not shift where reading resumes."""
    body = "".join(
        article(i, f"<AbstractText>Text {quoted}\nmore.</AbstractText>") if i == 1
        else BREAKS["tag-mismatch"](i) if i == 3 else article(i) for i in range(6))
    path = tmp_path / "quoted.xml"
    path.write_text(PROLOG + body + EPILOG)
    articles = list(read_articles(path, path.name))
    assert [(a.index, a.status) for a in articles] == [(i, "error" if i == 3 else "ok") for i in range(6)]
    assert [a.metadata.get("pmid") for a in articles] == [str(i) for i in range(6)]
