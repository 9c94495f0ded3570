"""Reading input files: finding them, decoding, format detection, HTML to text.

`read_source_text(path)` returns the source text that offsets index into: the file decoded
as UTF-8 with a leading BOM dropped and nothing else changed (cp1252/latin-1 with a warning
when the bytes are not UTF-8); for HTML, the text `pipeline.html.html_to_text` extracts.

`read_articles(path, display_path)` yields one `Article` per record in a file and never
raises: unreadable, empty, binary or oversized files yield an `error` Article.
Structured formats (PubMed XML, MEDLINE, JATS, pmc-rct JSONL) are detected by content and
handed to their readers; everything else is a page (text or HTML) for `pipeline.clean`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.article import Article, sha256_of, trim_trailing_copyright

INPUT_SUFFIXES = (".txt", ".html", ".htm", ".xhtml", ".xml", ".gz", ".nbib", ".medline", ".nxml", ".jsonl")
# Readers of structured formats, tried in this order on the first bytes of a file.
STRUCTURED_READERS = ("pipeline.pubmed_xml", "pipeline.jats", "pipeline.medline", "pipeline.pmc_jsonl")
MAX_PAGE_BYTES = 20 * 1024 * 1024  # a scraped page larger than this is not a page
SNIFF_BYTES = 64 * 1024


class InputError(Exception):
    """A file that cannot be turned into an article; the message says why, for the record."""


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """Decode file bytes: UTF-8 (BOM dropped), else cp1252, else latin-1, with a warning."""
    warnings: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # a UTF-16 file ("Save as Unicode" on Windows)
        try:
            return data.decode("utf-16"), ["decoded as UTF-16 (byte order mark)"]
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError as exc:
        where = exc.start
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        warnings.append(f"not valid UTF-8 (first bad byte at offset {where}); decoded as {encoding}")
        return text, warnings
    raise AssertionError("latin-1 decodes every byte string")


def looks_like_html(text: str) -> bool:
    head = text[:4000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head) or (
        head.startswith("<") and "<div" in head and "</div>" in head
    )


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and control / len(sample) > 0.05


def read_source_text(path: str | Path) -> str:
    """The source text of a page file (what offsets in its record index into)."""
    data = Path(path).read_bytes()
    text, _ = decode_bytes(data)
    if looks_like_html(text) or Path(path).suffix.lower() in {".html", ".htm", ".xhtml"}:
        from pipeline.html import html_to_text

        return html_to_text(text).text
    return text


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str]]:
    """Files named on the command line, and the input files below named folders (sorted).

    Yields (path, display_path) where display_path keeps the form the user gave.
    A path that does not exist is yielded too, so that it gets an error record.
    """
    for given in paths:
        p = Path(given)
        if p.is_dir():
            found = []
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    if name.startswith(".") or not name.lower().endswith(INPUT_SUFFIXES):
                        continue
                    found.append(Path(root) / name)
            for f in sorted(found):
                yield f, str(f)
        else:
            yield p, str(given)


def _head_bytes(path: Path) -> bytes:
    """The first bytes of a file, decompressed when it is gzip (a damaged .gz gives what it can)."""
    from pipeline.xmlsafe import read_head

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
    from pipeline.clean import clean_page
    from pipeline.html import html_to_text

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
        if not text.strip():
            return error_article(display_path, "EmptyInput", "the HTML page has no visible text", sha, fmt)
    article = clean_page(text, display_path, hints)
    article.format = fmt
    article.sha256 = sha
    article.warnings[:0] = warnings
    return article
