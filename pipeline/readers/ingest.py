"""Reading one input file into Articles: format detection, then the format's reader.

`read_articles(path, display_path)` yields one `Article` per record in a file and never
raises: unreadable, empty, binary or oversized files yield an `error` Article.
Structured formats (PubMed XML, MEDLINE, JATS, pmc-rct JSONL) are detected by content and
handed to their readers; everything else is a page (text or HTML) for `pipeline.cleaning`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

from pipeline.article import Article, sha256_of, trim_trailing_copyright
from pipeline.readers.decode import decode_bytes, looks_binary, looks_like_html

# Readers of structured formats, tried in this order on the first bytes of a file.
STRUCTURED_READERS = ("pipeline.readers.pubmed_xml", "pipeline.readers.jats", "pipeline.readers.medline", "pipeline.readers.pmc_jsonl")
MAX_PAGE_BYTES = 20 * 1024 * 1024  # a scraped page larger than this is not a page
SNIFF_BYTES = 64 * 1024


class InputError(Exception):
    """A file that cannot be turned into an article; the message says why, for the record."""


def _head_bytes(path: Path) -> bytes:
    """The first bytes of a file, decompressed when it is gzip (a damaged .gz gives what it can)."""
    from pipeline.readers.xmlsafe import read_head

    return read_head(path, SNIFF_BYTES)


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _structured_reader(head: bytes, path: Path):
    for name in STRUCTURED_READERS:
        module = importlib.import_module(name)
        if module.sniff(head, path):
            return module
    return None


def error_article(display_path: str, kind: str, message: str, sha: str = "", fmt: str = "unknown", index: int = 0) -> Article:
    return Article(
        source_text="", path=display_path, index=index, format=fmt, sha256=sha, status="error",
        error={"type": kind, "message": message},
    )


def read_articles(path: Path, display_path: str, max_page_bytes: int = MAX_PAGE_BYTES) -> Iterator[Article]:
    """Every article in one input file; never raises."""
    produced = 0
    try:
        for article in _read_articles(path, display_path, max_page_bytes):
            produced += 1
            trim_trailing_copyright(article)
            yield article
    except Exception as exc:  # a reader bug must not stop the batch or lose the file
        yield error_article(display_path, type(exc).__name__, f"reading failed: {exc}", index=produced)


def _read_articles(path: Path, display_path: str, max_page_bytes: int) -> Iterator[Article]:
    try:
        if not path.exists():
            yield error_article(display_path, "FileNotFound", f"no such file: {display_path}")
            return
        if not path.is_file():
            yield error_article(display_path, "NotAFile", f"not a regular file: {display_path}")
            return
        size = path.stat().st_size
        if size == 0:
            yield error_article(display_path, "EmptyInput", "the file is empty (0 bytes)", sha256_of(b""))
            return
        head = _head_bytes(path)
    except OSError as exc:
        yield error_article(display_path, "ReadError", f"cannot read the file: {exc.strerror or exc}")
        return
    reader = _structured_reader(head, path)
    if reader is not None:
        yield from reader.read_articles(path, display_path)
        return
    if _is_gzip(path):
        yield error_article(display_path, "UnsupportedInput", "a gzip file that holds no PubMed/MEDLINE XML")
        return
    if size > max_page_bytes:
        yield error_article(
            display_path, "TooLarge", f"{size} bytes is larger than a page can be ({max_page_bytes} bytes); not read"
        )
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield error_article(display_path, "ReadError", f"cannot read the file: {exc.strerror or exc}")
        return
    yield page_article(data, display_path, path.suffix.lower())


def page_article(data: bytes, display_path: str, suffix: str = ".txt") -> Article:
    """A scraped page (text copy or HTML) as an Article, via the cleaning stage."""
    from pipeline.cleaning.clean import clean_page
    from pipeline.readers.html import html_to_text

    sha = sha256_of(data)
    if looks_binary(data) and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return error_article(display_path, "BinaryInput", "the file is binary, not a text or HTML page", sha)
    text, warnings = decode_bytes(data)
    if not text.strip():
        return error_article(display_path, "EmptyInput", "the file holds only white space", sha)
    fmt = "text"
    hints: dict[str, list[str]] = {}
    if suffix in {".html", ".htm", ".xhtml"} or looks_like_html(text):
        extracted = html_to_text(text)
        text, hints, fmt = extracted.text, extracted.meta, "html"
        warnings += extracted.warnings
        if not text.strip():
            return error_article(display_path, "EmptyInput", "the HTML page has no visible text", sha, fmt)
    article = clean_page(text, display_path, hints)
    article.format = fmt
    article.sha256 = sha
    article.warnings[:0] = warnings
    return article
