"""HTML nested deeper than libxml2 builds trees (256 levels) keeps its text: the page is read
by the streaming fallback, with a warning, instead of silently coming out empty."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest

from pipeline.readers.decode import decode_bytes, looks_like_html
from pipeline.readers.html import html_to_text, stream_html_to_text
from pipeline.readers.ingest import read_articles

REPO = Path(__file__).resolve().parents[1]
ABSTRACT = (
    "<h2>Abstract</h2><p><b>Background:</b> We treated forty patients with metastatic colorectal cancer with "
    "oxaliplatin 85 mg/m2 every two weeks.</p><p><b>Results:</b> Median overall survival was 21.4 months and "
    "the 3-year survival rate was 30% in the whole cohort.</p>"
)


def _page(depth: int) -> str:
    return ("<html><head><title>A trial</title><meta name='citation_title' content='A trial'>"
            "<script>var x = '<div>';</script></head><body><h1>A trial of something</h1>"
            + "<div>" * depth + ABSTRACT + "</div>" * depth + "<footer>Copyright 2024 Site</footer></body></html>")


@pytest.mark.parametrize("depth", [10, 250, 255, 256, 300, 3000, 50000])
def test_readers_html_deep_nesting_keeps_text(depth):
    shallow = html_to_text(_page(10))
    got = html_to_text(_page(depth))
    assert got.text == shallow.text
    assert got.meta == shallow.meta
    assert "Median overall survival was 21.4 months" in got.text and "Copyright 2024 Site" in got.text
    assert "var x" not in got.text
    assert bool(got.warnings) == (depth >= 254)  # html + body + 254 divs reach libxml2's 256


def test_readers_html_deep_page_record_is_ok_with_warning(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text(_page(1000), encoding="utf-8")
    (article,) = read_articles(path, "deep.html")
    assert article.status == "ok" and article.format == "html"
    assert any("streaming fallback" in w for w in article.warnings)
    assert "21.4 months" in article.source_text[article.abstract_span[0] : article.abstract_span[1]]


def _html_files():
    files = []
    for pattern in ("corpus/**/*", "tests/fixtures/**/*"):
        files += [Path(f) for f in glob.glob(str(REPO / pattern), recursive=True)]
    return sorted(f for f in files if f.is_file() and f.suffix in (".html", ".htm", ".txt"))


def test_readers_html_streaming_fallback_matches_the_tree_reader():
    """On ordinary pages the fallback's text and metadata hints equal the tree reader's."""
    checked = 0
    for path in _html_files():
        text, _ = decode_bytes(path.read_bytes())
        if path.suffix == ".txt" and not looks_like_html(text):
            continue
        tree, stream = html_to_text(text), stream_html_to_text(text)
        assert (stream.text, stream.meta) == (tree.text, tree.meta), path.name
        checked += 1
    assert checked >= 5
