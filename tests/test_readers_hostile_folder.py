"""One folder holding every kind of bad input at once, through the real command line: the run
finishes quickly with exit 0, the output is valid JSON Lines in UTF-8, and every input gets
exactly its records (one per file, one per article of a multi-record file)."""

from __future__ import annotations

import gzip
import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.readers.ingest import MAX_PAGE_BYTES

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
PAGE = (
    "A trial of something useful in patients.\n\nAbstract\n\nWe treated forty patients with metastatic colorectal "
    "cancer with oxaliplatin 85 mg/m2 every two weeks and followed them for five years in two centres.\n\n"
    "Median overall survival was 21.4 months and the 3-year survival rate was 30% in the whole cohort.\n"
)
SET_PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n'


def _article(pmid: int, abstract: str = "") -> str:
    abstract = abstract or f"<AbstractText>Median survival was {pmid % 30 + 2} months with drug X.</AbstractText>"
    return (f"<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><ArticleTitle>Trial {pmid}.</ArticleTitle>"
            f"<Abstract>{abstract}</Abstract></Article></MedlineCitation></PubmedArticle>\n")


def _pubmed_set(n: int, broken: dict[int, str]) -> str:
    return SET_PROLOG + "".join(_article(i, broken.get(i, "")) for i in range(n)) + "</PubmedArticleSet>\n"


def build_hostile_folder(root: Path) -> tuple[dict[str, int], dict[str, str | None]]:
    """Write the folder; returns (records expected per source.path, error type of record 0 or None)."""
    expected: dict[str, int] = {}
    first_error: dict[str, str | None] = {}

    def put(name: str, data: bytes | str, count: int = 1, error: str | None = None) -> Path:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        expected[str(path)] = count
        first_error[str(path)] = error
        return path

    put("good.txt", PAGE)
    put("good.html", "<html><body><h1>A trial</h1><h2>Abstract</h2><p>" + PAGE.split("\n\n")[2] + "</p></body></html>")
    put("empty.txt", b"", error="EmptyInput")
    put("blank.html", "  \n\t\n", error="EmptyInput")
    put("binary.txt", bytes(range(256)) * 64, error="BinaryInput")
    put("cp1252.txt", PAGE.replace("Median", "Médian").encode("cp1252"))
    put("utf16-page.txt", PAGE.encode("utf-16"))
    put("deep.html", "<html><body>" + "<div>" * 3000 + "<p>" + PAGE + "</p>" + "</div>" * 3000 + "</body></html>")
    put("gzip-of-text.gz", gzip.compress(b"hello"), error="UnsupportedInput")
    huge = root / "huge.txt"  # sparse: larger than a page may be, but no disk used
    with open(huge, "wb") as fh:
        fh.truncate(MAX_PAGE_BYTES + 5 * 1024 * 1024)
    expected[str(huge)], first_error[str(huge)] = 1, "TooLarge"
    # broken XML
    put("malformed.xml", _pubmed_set(300, {0: "<AbstractText>x</Abstract>", 150: "<AbstractText>a & b</AbstractText>",
                                           299: "<AbstractText>cut"}), count=300, error="MalformedXML")
    put("malformed_after_two.xml", (FIXTURES / "malformed_after_two.xml").read_bytes(), count=4)
    put("not-xml.xml", "<PubmedArticleSet><<<>>>", error="MalformedXML")
    put("truncated.xml.gz", (FIXTURES / "pubmed_set_truncated.xml.gz").read_bytes(), count=3)
    put("billion_laughs.xml", (FIXTURES / "billion_laughs.xml").read_bytes(), error="UnsafeXML")
    put("xxe.xml", (FIXTURES / "external_entity.xml").read_bytes(), error="UnsafeXML")
    # wrong encodings
    put("latin1-in-utf8.xml", _pubmed_set(5, {2: "<AbstractText>caf\udce9</AbstractText>"}).encode("utf-8", "surrogateescape"),
        count=5)
    put("utf16.xml", _pubmed_set(4, {}).replace("UTF-8", "UTF-16").encode("utf-16"), count=4)
    put("bom.nxml", b"\xef\xbb\xbf" + (FIXTURES / "jats_structured.nxml").read_bytes())
    # names and links
    put(os.fsdecode(b"caf\xe9.txt"), PAGE)
    (root / "loop-a.txt").symlink_to("loop-b.txt")
    (root / "loop-b.txt").symlink_to("loop-a.txt")
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to("..")
    (root / "alias.txt").symlink_to("good.txt")  # the same file as good.txt: read once
    os.mkfifo(root / "fifo.txt")  # would block a naive reader forever
    locked = root / "locked"
    locked.mkdir()
    (locked / "never-seen.txt").write_text(PAGE)
    for name, error in (("loop-a.txt", "SymlinkLoop"), ("loop-b.txt", "SymlinkLoop"), ("sub/up", "SymlinkLoop"),
                        ("fifo.txt", "NotAFile"), ("locked", "UnreadableFolder")):
        expected[str(root / name)], first_error[str(root / name)] = 1, error
    # a file name that is not UTF-8 shows as \xNN in records
    bad_name = str(root / os.fsdecode(b"caf\xe9.txt"))
    expected[str(root / "caf\\xe9.txt")] = expected.pop(bad_name)
    first_error[str(root / "caf\\xe9.txt")] = first_error.pop(bad_name)
    # good.txt and alias.txt are one file: its record comes under the first name, alias.txt
    expected.pop(str(root / "good.txt"))
    first_error.pop(str(root / "good.txt"))
    expected[str(root / "alias.txt")], first_error[str(root / "alias.txt")] = 1, None
    return expected, first_error


def test_readers_hostile_folder_every_input_gets_its_records(tmp_path, monkeypatch):
    from pipeline.cli import main

    root = tmp_path / "hostile"
    root.mkdir()
    expected, first_error = build_hostile_folder(root)
    real_scandir = os.scandir
    denied = str(root / "locked")

    def scandir(path="."):  # tests run as root, where chmod 000 does not stop listing
        if os.fsdecode(path) == denied:
            raise PermissionError(13, "Permission denied", denied)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "records.jsonl"
    started = time.monotonic()
    result = CliRunner().invoke(main, ["extract", str(root), "-o", str(out), "--no-progress"], catch_exceptions=False)
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert elapsed < 60, f"took {elapsed:.0f}s"
    records = [json.loads(line) for line in out.read_bytes().decode("utf-8").splitlines()]

    by_path: dict[str, list[dict]] = {}
    for record in records:
        by_path.setdefault(record["source"]["path"], []).append(record)
    assert {p: len(rs) for p, rs in by_path.items()} == expected
    for path, recs in by_path.items():
        assert [r["source"]["index"] for r in recs] == list(range(len(recs))), path
        first = recs[0]
        got_error = first["error"]["type"] if first["status"] == "error" else None
        assert got_error == first_error[path], (path, first.get("error"))
        for r in recs:
            if r["status"] == "error":
                assert r["error"]["message"], path
    assert [r["status"] for r in by_path[str(root / "malformed.xml")]].count("error") == 3
    assert any("same file was also named" in w for w in by_path[str(root / "alias.txt")][0]["warnings"])
    assert any("not valid UTF-8" in w for w in by_path[str(root / "caf\\xe9.txt")][0]["warnings"])
    assert by_path[str(root / "deep.html")][0]["status"] == "ok"
    assert {r["source"]["format"] for r in by_path[str(root / "utf16.xml")]} == {"pubmed-xml"}
    assert by_path[str(root / "bom.nxml")][0]["source"]["format"] == "jats"


@pytest.mark.parametrize("name", ["fifo.txt"])
def test_readers_hostile_fifo_is_not_opened(tmp_path, name):
    from pipeline.readers.ingest import read_articles

    os.mkfifo(tmp_path / name)
    (article,) = read_articles(tmp_path / name, name)
    assert article.error["type"] == "NotAFile"
