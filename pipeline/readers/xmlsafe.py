"""Shared helpers for the PubMed-format readers: safe XML streaming, text flattening, Articles.

Untrusted XML is parsed with lxml configured so that nothing outside the bytes of the file is
ever read and nothing is expanded: no DTD loading, no network, no entity substitution, no
"huge tree" mode. On top of that, a document whose DOCTYPE declares entities in an internal
subset (the billion-laughs and external-entity (XXE) shapes) is refused before parsing starts.

`stream_records` feeds the file to an `lxml.etree.XMLPullParser` in chunks (gzip-aware),
yields each record element once it is complete, and then clears it together with the
siblings before it, so memory stays flat however many records the file holds. File-level
failures (malformed XML, truncated gzip, unsafe DOCTYPE, unreadable file) surface as one
`XMLFileError` raised *after* the records read so far have been yielded.

The module also holds the small builders every reader shares (`make_article`,
`error_article`, `author_initials`, `first_year`) so the four readers lay out text and fill
metadata the same way."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

from pipeline.article import Article
from pipeline.readers.xmltext import error_article, short_message

GZIP_MAGIC = b"\x1f\x8b"
CHUNK_SIZE = 1 << 16
# The prolog (XML declaration, comments, DOCTYPE) must end within this many bytes.
MAX_PROLOG_BYTES = 1 << 20

PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


class XMLFileError(Exception):
    """A failure that stops reading the rest of a file."""

    def __init__(self, type_: str, message: str):
        super().__init__(message)
        self.type = type_
        self.message = message


# --------------------------------------------------------------------------- files


def open_maybe_gzip(path: Path) -> IO[bytes]:
    """Open `path` for binary reading, transparently decompressing gzip (by magic bytes)."""
    with open(path, "rb") as raw:
        magic = raw.read(2)
    return gzip.open(path, "rb") if magic == GZIP_MAGIC else open(path, "rb")


def file_sha256(path: Path) -> str:
    """SHA-256 of the file bytes as stored (compressed bytes for a .gz file)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def iter_chunks(path: Path) -> Iterator[bytes]:
    """Decompressed chunks of a (possibly gzipped, possibly multi-member) file.

    Decompression is incremental, so everything before a truncation point is delivered before
    the failure is raised as `XMLFileError("TruncatedGzip" | "CorruptGzip" | "ReadError")`.
    """
    try:
        with open(path, "rb") as raw:
            first = raw.read(CHUNK_SIZE)
            if not first.startswith(GZIP_MAGIC):
                chunk = first
                while chunk:
                    yield chunk
                    chunk = raw.read(CHUNK_SIZE)
                return
            decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            data = first
            while data:
                try:
                    out = decompressor.decompress(data)
                except zlib.error as exc:
                    raise XMLFileError("CorruptGzip", f"corrupt gzip data: {short_message(str(exc))}") from None
                if out:
                    yield out
                if decompressor.eof and decompressor.unused_data:
                    data = decompressor.unused_data  # another gzip member follows
                    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                    continue
                data = raw.read(CHUNK_SIZE)
            if not decompressor.eof:
                raise XMLFileError(
                    "TruncatedGzip", "compressed stream ended before the end-of-stream marker (truncated .gz file)"
                )
    except OSError as exc:
        raise XMLFileError("ReadError", f"cannot read file: {exc.strerror or type(exc).__name__}") from None


def read_head(path: Path, limit: int = 64 * 1024) -> bytes:
    """The first `limit` decompressed bytes of a file, for `sniff`; a truncated or corrupt
    .gz still gives what decompressed before the damage (the reader then reports it)."""
    head = b""
    try:
        for chunk in iter_chunks(path):
            head += chunk
            if len(head) >= limit:
                break
    except XMLFileError:
        pass
    return head[:limit]


# --------------------------------------------------------------------------- safety


def check_prolog(head: bytes, final: bool = False) -> bool:
    """Refuse documents whose DOCTYPE internal subset declares entities.

    `head` is the start of the decompressed document. Scans the prolog (XML declaration,
    comments, processing instructions, DOCTYPE) up to the root element. Raises
    `XMLFileError("UnsafeXML", ...)` when an internal subset contains `<!ENTITY` (general
    or parameter entities: the entity-expansion and external-entity attack shapes), or when
    the prolog does not end within MAX_PROLOG_BYTES. The message never quotes file content.
    Returns True once the prolog has been seen whole (or `final`: no more bytes will come),
    False when more bytes are needed to decide.
    """
    data = _ascii_view(head[:MAX_PROLOG_BYTES])
    pos = 0
    n = len(data)
    while pos < n:
        if data[pos] in b" \t\r\n":
            pos += 1
            continue
        if data.startswith(b"<?", pos):
            end = data.find(b"?>", pos + 2)
            if end < 0:
                break
            pos = end + 2
        elif data.startswith(b"<!--", pos):
            end = data.find(b"-->", pos + 4)
            if end < 0:
                break
            pos = end + 3
        elif data.startswith(b"<!DOCTYPE", pos):
            end, subset = _scan_doctype(data, pos)
            if subset is not None and (b"<!ENTITY" in subset or b"<!entity" in subset.lower()):
                raise XMLFileError(
                    "UnsafeXML",
                    "refused: the DOCTYPE declares entities in an internal subset "
                    "(entity expansion and external entities are not allowed)",
                )
            if end < 0:
                break
            pos = end
        else:
            return True  # the root element (or text the parser will reject) starts here
    if len(head) >= MAX_PROLOG_BYTES:
        raise XMLFileError("UnsafeXML", f"refused: the XML prolog is longer than {MAX_PROLOG_BYTES} bytes")
    # A document that ends inside its prolog: the parser reports it as malformed.
    return final


def _ascii_view(data: bytes) -> bytes:
    """The prolog bytes in an ASCII-compatible encoding, so the scan also sees UTF-16/32 files."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:]
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                       (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace").encode("utf-8")
    if data[:4] in (b"<\x00?\x00", b"<\x00!\x00"):
        return data.decode("utf-16-le", errors="replace").encode("utf-8")
    if data[:4] in (b"\x00<\x00?", b"\x00<\x00!"):
        return data.decode("utf-16-be", errors="replace").encode("utf-8")
    return data


def _scan_doctype(data: bytes, pos: int) -> tuple[int, bytes | None]:
    """Return (offset after the DOCTYPE or -1 if unterminated, internal subset bytes or None)."""
    i = pos + len(b"<!DOCTYPE")
    quote = None
    subset_start = None
    while i < len(data):
        c = data[i : i + 1]
        if quote:
            if c == quote:
                quote = None
        elif c in (b'"', b"'"):
            quote = c
        elif c == b"[" and subset_start is None:
            subset_start = i + 1
            close = _find_subset_end(data, subset_start)
            if close < 0:
                return -1, data[subset_start:]
            subset = data[subset_start:close]
            end = data.find(b">", close)
            return (end + 1 if end >= 0 else -1), subset
        elif c == b">":
            return i + 1, None
        i += 1
    return -1, None


def _find_subset_end(data: bytes, start: int) -> int:
    i = start
    quote = None
    while i < len(data):
        c = data[i : i + 1]
        if quote:
            if c == quote:
                quote = None
        elif c in (b'"', b"'"):
            quote = c
        elif data.startswith(b"<!--", i):
            end = data.find(b"-->", i + 4)
            if end < 0:
                return -1
            i = end + 3
            continue
        elif c == b"]":
            return i
        i += 1
    return -1


def stream_records(
    path: Path, is_record: Callable[[etree._Element], bool], tags: Iterable[str] | None = None
) -> Iterator[etree._Element]:
    """Yield complete record elements of an XML file, clearing each after use.

    `is_record(element)` decides, at each element's end event (restricted to `tags` when
    given), whether it is a record. The yielded element is valid only until the generator
    resumes. Raises `XMLFileError` after the last good record on a file-level failure.
    """
    parser = etree.XMLPullParser(events=("end",), tag=list(tags) if tags else None, **PARSER_OPTIONS)
    head = b""
    checked = False
    try:
        for chunk in iter_chunks(path):
            if not checked:
                head += chunk
                if not check_prolog(head):
                    continue
                checked = True
                chunk, head = head, b""
            parser.feed(chunk)
            yield from _drain(parser, is_record)
        if not checked:
            check_prolog(head, final=True)
            if head:
                parser.feed(head)
        parser.close()
        yield from _drain(parser, is_record)
    except etree.XMLSyntaxError as exc:
        yield from _drain_quietly(parser, is_record)
        raise XMLFileError("MalformedXML", f"malformed XML: {_syntax_message(exc)}") from None


def _drain(parser: etree.XMLPullParser, is_record: Callable[[etree._Element], bool]) -> Iterator[etree._Element]:
    for _event, element in parser.read_events():
        if not is_record(element):
            continue
        yield element
        parent = element.getparent()
        element.clear(keep_tail=False)
        if parent is not None:
            while element.getprevious() is not None:
                del parent[0]


def _drain_quietly(parser: etree.XMLPullParser, is_record: Callable[[etree._Element], bool]) -> Iterator[etree._Element]:
    """Records completed before a syntax error are still delivered."""
    try:
        yield from _drain(parser, is_record)
    except etree.XMLSyntaxError:
        return


def _syntax_message(exc: etree.XMLSyntaxError) -> str:
    msg = short_message(getattr(exc, "msg", None) or str(exc))
    line = getattr(exc, "lineno", None) or (exc.position[0] if getattr(exc, "position", None) else None)
    return f"{msg} (line {line})" if line and f"line {line}" not in msg else msg


def is_top_level(element: etree._Element) -> bool:
    """True for the root element and its direct children (record elements of a *Set file)."""
    parent = element.getparent()
    return parent is None or parent.getparent() is None


def guarded(articles: Iterable[Article], display_path: str, fmt: str, sha: str) -> Iterator[Article]:
    """Pass a reader's Articles through; never raises. A file that breaks part-way ends with
    one error Article after the records already read; a file with no records gets one too."""
    index = 0
    try:
        for article in articles:
            yield article
            index += 1
    except XMLFileError as exc:
        yield error_article(type_=exc.type, message=f"{exc.message}; {index} record(s) were read before the failure",
                            path=display_path, index=index, fmt=fmt, sha256=sha)
    except EOFError:
        yield error_article(type_="TruncatedGzip",
                            message="compressed stream ended before the end-of-stream marker (truncated .gz file); "
                                    f"{index} record(s) were read before the failure",
                            path=display_path, index=index, fmt=fmt, sha256=sha)
    except Exception as exc:  # noqa: BLE001 - the reader must never raise
        yield error_article(type_=type(exc).__name__, message=f"reading stopped: {type(exc).__name__}: {exc}",
                            path=display_path, index=index, fmt=fmt, sha256=sha)
    else:
        if index == 0:
            yield error_article(type_="EmptyInput", message="the file holds no records", path=display_path,
                                index=0, fmt=fmt, sha256=sha)


def read_xml_records(
    path: Path,
    display_path: str,
    fmt: str,
    is_record: Callable[[etree._Element], bool],
    record_articles: Callable[[etree._Element, str, int, str], list[Article]],
    tags: Any = None,
) -> Iterator[Article]:
    """The file loop every XML reader shares; never raises.

    Streams the records (`is_record` picks them, `tags` narrows iterparse) and turns each
    into Articles with `record_articles(element, display_path, index, sha)`; `guarded`
    closes a broken or empty file with one error Article."""
    path = Path(path)
    try:
        sha = file_sha256(path)
    except OSError as exc:
        yield error_article(type_="ReadError", message=f"cannot read file: {exc.strerror or type(exc).__name__}",
                            path=display_path, index=0, fmt=fmt, sha256="")
        return

    def articles() -> Iterator[Article]:
        index = 0
        records = stream_records(path, is_record, tags) if tags is not None else stream_records(path, is_record)
        for element in records:
            for article in record_articles(element, display_path, index, sha):
                yield article
                index += 1

    yield from guarded(articles(), display_path, fmt, sha)
