r"""Reading one input file into Articles: format detection, then the format's reader.

`read_articles(path, display_path)` yields one `Article` per record in a file and never
raises: missing, unreadable, looping (symbolic links), empty, binary or oversized files
yield an `error` Article. `display_path` is what records show as `source.path`: a
`pipeline.readers.discover.InputName` brings discovery's warnings and errors along, and a
name that is not valid UTF-8 is written with `\xNN` escapes and a warning.
Structured formats (PubMed XML, MEDLINE, JATS, pmc-rct JSONL) are detected by content and
handed to their readers; everything else is a page (text or HTML) for `pipeline.cleaning`.
"""

from __future__ import annotations

import errno
import importlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.article import Article, sha256_of, trim_trailing_copyright
from pipeline.readers.decode import decode_bytes, looks_binary, looks_like_html
from pipeline.readers.discover import NOT_UTF8_WARNING, display_text

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


def read_articles(
    path: Path,
    display_path: str,
    max_page_bytes: int = MAX_PAGE_BYTES,
    *,
    warnings: Iterable[str] | None = None,
    error: tuple[str, str] | None = None,
) -> Iterator[Article]:
    """Every article in one input file; never raises.

    `warnings` go on every record of the file and `error` (type, message) replaces reading it;
    both default to what an `InputName` display path carries from discovery."""
    notes = list(getattr(display_path, "warnings", ()) if warnings is None else warnings)
    error = getattr(display_path, "error", None) if error is None else error
    display, escaped = display_text(str(display_path))
    if (escaped or display_text(str(path))[1]) and NOT_UTF8_WARNING not in notes:
        notes.insert(0, NOT_UTF8_WARNING)
    produced = 0
    try:
        if error is not None:
            produced += 1
            yield _with_notes(error_article(display, error[0], error[1]), notes)
            return
        for article in _read_articles(Path(path), display, max_page_bytes):
            produced += 1
            trim_trailing_copyright(article)
            yield _with_notes(article, notes)
    except Exception as exc:  # a reader bug must not stop the batch or lose the file
        yield _with_notes(error_article(display, type(exc).__name__, f"reading failed: {exc}", index=produced), notes)


def _with_notes(article: Article, notes: list[str]) -> Article:
    if notes:
        article.warnings[:0] = [n for n in notes if n not in article.warnings]
    return article


def _missing_message(path: Path, display_path: str, exc: OSError) -> tuple[str, str]:
    """(type, message) for a path that cannot be stat'ed."""
    if exc.errno == errno.ELOOP:
        return "SymlinkLoop", (f"symbolic link loop: {display_path} points (through other links) back at "
                               "itself and never reaches a file")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        if os.path.islink(path):
            try:
                target = display_text(os.readlink(path))[0]
            except OSError:
                target = "?"
            return "FileNotFound", f"broken symbolic link: {display_path} points to {target}, which does not exist"
        return "FileNotFound", f"no such file: {display_path}"
    return "ReadError", f"cannot read the file: {exc.strerror or exc}"


def _folder_problem(path: Path, display_path: str) -> tuple[str, str]:
    """(type, message) for a folder handed to the reader (discovery walks folders itself)."""
    if os.path.islink(path):
        real, parent = os.path.realpath(path), os.path.realpath(path.parent)
        if parent == real or parent.startswith(real.rstrip(os.sep) + os.sep):
            return "SymlinkLoop", (f"symbolic link loop: {display_path} leads back to "
                                   f"{display_text(real)[0]}, a folder it is inside; not followed")
    try:
        with os.scandir(path):
            pass
    except OSError as exc:
        return "UnreadableFolder", f"cannot list the folder {display_path}: {exc.strerror or type(exc).__name__}"
    return "NotAFile", f"not a regular file: {display_path} is a folder"


def _read_articles(path: Path, display_path: str, max_page_bytes: int) -> Iterator[Article]:
    try:
        info = os.stat(path)
    except OSError as exc:
        yield error_article(display_path, *_missing_message(path, display_path, exc))
        return
    if stat.S_ISDIR(info.st_mode):
        yield error_article(display_path, *_folder_problem(path, display_path))
        return
    if not stat.S_ISREG(info.st_mode):
        yield error_article(display_path, "NotAFile", f"not a regular file: {display_path}")
        return
    size = info.st_size
    try:
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
