"""Safe XML parsing: the parser settings and the prolog check every XML reader relies on.

Untrusted XML is parsed with lxml configured so that nothing outside the bytes of the file is
ever read and nothing is expanded: no DTD loading, no network, no entity substitution, no
"huge tree" mode. On top of that, a document whose DOCTYPE declares entities in an internal
subset (the billion-laughs and external-entity (XXE) shapes) is refused before parsing starts
(`check_prolog`). Streaming and recovery are in `xmlstream`, file bytes in `xmlfiles`, the
record builders in `xmltext`.
"""

from __future__ import annotations

from typing import Any

from pipeline.readers.xmlfiles import XMLFileError

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
    if root_position(_ascii_view(head[:MAX_PROLOG_BYTES])) is not None:
        return True  # the root element (or text the parser will reject) starts there
    if len(head) >= MAX_PROLOG_BYTES:
        raise XMLFileError("UnsafeXML", f"refused: the XML prolog is longer than {MAX_PROLOG_BYTES} bytes")
    # A document that ends inside its prolog: the parser reports it as malformed.
    return final


def root_position(data: bytes) -> int | None:
    """Where the prolog of `data` ends (the root element starts), or None when it does not end
    within `data`. Raises `XMLFileError("UnsafeXML")` for a DOCTYPE that declares entities."""
    pos = 0
    n = len(data)
    while pos < n:
        if data[pos] in b" \t\r\n":
            pos += 1
            continue
        if data.startswith(b"<?", pos):
            end = data.find(b"?>", pos + 2)
            if end < 0:
                return None
            pos = end + 2
        elif data.startswith(b"<!--", pos):
            end = data.find(b"-->", pos + 4)
            if end < 0:
                return None
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
                return None
            pos = end
        else:
            return pos
    return None


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
