"""UTF-16 / UTF-32 files and UTF-8 files with a byte order mark are read as what they hold
(PubMed XML, JATS, MEDLINE, pmc-rct JSONL), not as text pages: the same records as the
UTF-8 original."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipeline.readers.ingest import read_articles

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
FILES = ["pubmed_set.xml", "jats_structured.nxml", "jats_articleset.xml", "medline_records.nbib", "pmc_rct_sample.jsonl"]
# (id, codec, with byte order mark)
ENCODINGS = [("utf-8-bom", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-16-be-bom", "utf-16-be-bom"),
             ("utf-16-le-no-bom", "utf-16-le"), ("utf-32", "utf-32")]


def _encode(text: str, codec: str) -> bytes:
    if codec == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(codec)


def _view(articles):
    return [(a.index, a.format, a.status, a.error and a.error["type"], a.source_text, a.metadata, a.headings)
            for a in articles]


@pytest.mark.parametrize("codec", [c for _, c in ENCODINGS], ids=[i for i, _ in ENCODINGS])
@pytest.mark.parametrize("name", FILES)
def test_ingest_wide_and_bom_encodings_read_as_their_format(tmp_path, name, codec):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    if codec == "utf-16-le" and not text.startswith("<"):
        pytest.skip("without a byte order mark only XML (starting with '<') announces UTF-16")
    declared = "UTF-8" if codec == "utf-8-sig" else codec.split("-bom")[0].upper()
    text = text.replace('encoding="UTF-8"', f'encoding="{declared}"', 1)
    path = tmp_path / name
    path.write_bytes(_encode(text, codec))
    expected = _view(read_articles(FIXTURES / name, name))
    got = _view(read_articles(path, name))
    assert got == expected


@pytest.mark.parametrize("name", ["pubmed_set.xml", "jats_articleset.xml"])
def test_ingest_utf16_gzip_xml(tmp_path, name):
    text = (FIXTURES / name).read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    path = tmp_path / f"{name}.gz"
    path.write_bytes(gzip.compress(text.encode("utf-16")))
    assert _view(read_articles(path, name)) == _view(read_articles(FIXTURES / name, name))


def test_ingest_utf16_xml_with_a_bad_code_unit_is_an_error_not_a_page(tmp_path):
    text = (FIXTURES / "pubmed_set.xml").read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    data = text.encode("utf-16")
    mid = len(data) // 2 & ~1
    data = data[:mid] + "\udc00".encode("utf-16-le", "surrogatepass") + data[mid:]
    path = tmp_path / "bad16.xml"
    path.write_bytes(data)
    articles = list(read_articles(path, "bad16.xml"))
    assert {a.format for a in articles} == {"pubmed-xml"}
    assert articles[-1].status == "error" and articles[-1].error["type"] == "MalformedXML"
    assert "UTF-16" in articles[-1].error["message"]
