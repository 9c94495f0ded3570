"""Every input gets a record; bad input never stops a batch or loses other records."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipeline.readers.decode import decode_bytes
from pipeline.readers.discover import iter_input_files
from pipeline.readers.ingest import read_articles

GOOD_PAGE = (
    "Send to\n\nAnn Test Oncol. 2010 Jan;1(1):1-9.\n\nA trial of something useful in patients.\n\n"
    "Author information\n\nDepartment of Oncology, Test University, Testville.\n\n\n"
    "We treated forty patients with metastatic colorectal cancer with oxaliplatin 85 mg/m2 every two weeks and "
    "followed them closely for five years after the end of treatment in two referral centres.\n\n"
    "Median overall survival was 21.4 months and the 3-year survival rate was 30% in the whole cohort; grade 3 "
    "neuropathy occurred in six patients and no treatment-related deaths were recorded during the study.\n"
)


def _one(path: Path):
    articles = list(read_articles(path, str(path)))
    assert len(articles) == 1
    return articles[0]


@pytest.mark.parametrize(
    "name, data, status, error_type",
    [
        pytest.param("empty.txt", b"", "error", "EmptyInput", id="empty"),
        pytest.param("blank.txt", b"  \n\n\t \n", "error", "EmptyInput", id="white-space-only"),
        pytest.param("binary.txt", bytes(range(256)) * 40, "error", "BinaryInput", id="binary"),
        pytest.param("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, "error", "BinaryInput", id="png-named-html"),
        pytest.param("nav.txt", b"Home\nSearch\nPage not found\nContact us\n", "no_abstract", None, id="error-page"),
        pytest.param("gz.gz", gzip.compress(b"just some text"), "error", "UnsupportedInput", id="gzip-of-text"),
    ],
)
def test_ingest_bad_file_gives_one_clear_record(tmp_path, name, data, status, error_type):
    path = tmp_path / name
    path.write_bytes(data)
    article = _one(path)
    assert article.status == status
    if error_type:
        assert article.error["type"] == error_type
        assert article.error["message"]


def test_ingest_missing_file_is_an_error_record(tmp_path):
    article = _one(tmp_path / "nope.txt")
    assert article.status == "error" and article.error["type"] == "FileNotFound"


def test_ingest_oversized_page_is_refused_without_reading(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"a" * 5000)
    article = list(read_articles(path, "huge.txt", max_page_bytes=1000))[0]
    assert article.status == "error" and article.error["type"] == "TooLarge"


def test_ingest_cp1252_page_decodes_with_warning(tmp_path):
    text = GOOD_PAGE.replace("85 mg/m2", "85 mg/m²").replace("Median", "Médian")
    path = tmp_path / "cp.txt"
    path.write_bytes(text.encode("cp1252"))
    article = _one(path)
    assert article.status == "ok"
    assert any("decoded as cp1252" in w for w in article.warnings)
    assert "mg/m²" in article.source_text


@pytest.mark.parametrize(
    "data, text, warned",
    [
        (b"\xef\xbb\xbfabc", "abc", False),
        ("µg ±".encode("utf-8"), "µg ±", False),
        ("µg ± – ≥".encode("cp1252", errors="replace"), "µg ± – ?", True),
        (b"\x81\x8d", "\x81\x8d", True),  # bytes cp1252 leaves undefined fall back to latin-1
    ],
)
def test_ingest_decode_bytes(data, text, warned):
    decoded, warnings = decode_bytes(data)
    assert decoded == text
    assert bool(warnings) == warned


def test_ingest_folder_walk_is_recursive_sorted_and_filtered(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.html").write_text("<p>x</p>")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    (tmp_path / ".hidden.txt").write_text("h")
    found = [p.relative_to(tmp_path).as_posix() for p, _ in iter_input_files([tmp_path])]
    assert found == ["a.txt", "b/x.html"]


def test_ingest_batch_survives_bad_files(tmp_path, nlp):
    """A batch with bad files in the middle writes a record for every file, good ones intact."""
    import io
    import json

    from pipeline.extract import extract

    (tmp_path / "1_good.txt").write_text(GOOD_PAGE, encoding="utf-8")
    (tmp_path / "2_empty.txt").write_bytes(b"")
    (tmp_path / "3_binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "4_good.html").write_text("<html><body><h1>T</h1><h2>Abstract</h2><p>" + GOOD_PAGE.split("\n\n\n")[1] + "</p></body></html>")
    out = io.StringIO()
    summary = extract([tmp_path], out, nlp=nlp, progress=False)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["status"] for r in records] == ["ok", "error", "error", "ok"]
    assert summary.by_status == {"ok": 2, "error": 2}
    good = records[0]
    assert any(e["label"] == "DRUG" and e["text"] == "oxaliplatin" for e in good["entities"])


def test_ingest_utf16_page_decodes_with_warning(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes(GOOD_PAGE.encode("utf-16"))
    article = _one(path)
    assert article.status == "ok"
    assert any("UTF-16" in w for w in article.warnings)
    assert "oxaliplatin 85 mg/m2" in article.source_text
