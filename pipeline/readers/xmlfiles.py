"""Reading XML input files as bytes: gzip-aware chunks, UTF-16/32 transcoded to UTF-8, the
first bytes for format sniffing, and the file-level error the readers report.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pipeline.readers.xmltext import short_message

GZIP_MAGIC = b"\x1f\x8b"
CHUNK_SIZE = 1 << 16


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


# Byte order marks and, for files without one, a "<" as the first wide character (XML 1.0
# appendix F): (signature, codec, bytes of the signature to drop). UTF-32 before UTF-16.
_WIDE_SIGNATURES = (
    (b"\xff\xfe\x00\x00", "utf-32-le", 4), (b"\x00\x00\xfe\xff", "utf-32-be", 4),
    (b"\xff\xfe", "utf-16-le", 2), (b"\xfe\xff", "utf-16-be", 2),
    (b"<\x00\x00\x00", "utf-32-le", 0), (b"\x00\x00\x00<", "utf-32-be", 0),
    (b"<\x00", "utf-16-le", 0), (b"\x00<", "utf-16-be", 0),
)
_ENCODING_DECL = re.compile(r"""^(\s*<\?xml\b[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")


def _wide_signature(head: bytes) -> tuple[str, int] | None:
    for signature, codec, bom in _WIDE_SIGNATURES:
        if head.startswith(signature):
            return codec, bom
    return None


def wide_codec(head: bytes) -> str | None:
    """The codec of a UTF-16 / UTF-32 file (byte order mark, or "<" as a wide character at the
    start), else None: UTF-8, ASCII-compatible encodings and UTF-8 with a BOM are left alone.
    A codec with a byte order mark is returned without endianness ("utf-16"), so that Python's
    decoder drops the mark."""
    found = _wide_signature(head)
    if found is None:
        return None
    codec, bom = found
    return codec[:6] if bom else codec


def iter_utf8_chunks(path: Path) -> Iterator[bytes]:
    """`iter_chunks`, with a UTF-16/32 file transcoded to UTF-8 on the fly (byte order mark
    dropped, an XML declaration's `encoding` rewritten to UTF-8), so that format sniffing,
    the prolog check, record resynchronisation and line numbers see one encoding. Any other
    file passes through unchanged. Text before an invalid code unit is delivered, then
    `XMLFileError("MalformedXML")` is raised."""
    chunks = iter_chunks(path)
    first = b""
    for chunk in chunks:
        first += chunk
        if len(first) >= 4:
            break
    found = _wide_signature(first)
    if found is None:
        if first:
            yield first
        yield from chunks
        return
    codec, bom = found
    unit = 4 if codec.startswith("utf-32") else 2
    pending = first[bom:]
    done = bom  # bytes of the decompressed file consumed before `pending`
    first_text = True
    for chunk in itertools.chain([b""], chunks):
        pending += chunk
        cut = len(pending) - len(pending) % unit
        if unit == 2 and cut >= 2:  # keep a high surrogate for its partner in the next chunk
            last = pending[cut - 2 : cut]
            if 0xD8 <= (last[1] if codec == "utf-16-le" else last[0]) <= 0xDB:
                cut -= 2
        failure = None
        try:
            text = pending[:cut].decode(codec)
        except UnicodeDecodeError as exc:
            text = pending[: exc.start].decode(codec)
            failure = XMLFileError("MalformedXML", f"not valid {codec[:6].upper()}: bad code unit at byte "
                                   f"{done + exc.start} of the decompressed file")
        if first_text and text:
            text = _ENCODING_DECL.sub(r"\1\2UTF-8\2", text, count=1)
            first_text = False
        if text:
            yield text.encode("utf-8")
        if failure is not None:
            raise failure
        done += cut
        pending = pending[cut:]
    if pending:
        raise XMLFileError("MalformedXML", f"not valid {codec[:6].upper()}: the file ends inside a character")


def read_head(path: Path, limit: int = 64 * 1024) -> bytes:
    """The first `limit` decompressed bytes of a file, for `sniff` (UTF-16/32 transcoded to
    UTF-8, see `iter_utf8_chunks`); a truncated or corrupt .gz still gives what decompressed
    before the damage (the reader then reports it)."""
    head = b""
    try:
        for chunk in iter_utf8_chunks(path):
            head += chunk
            if len(head) >= limit:
                break
    except XMLFileError:
        pass
    return head[:limit]
