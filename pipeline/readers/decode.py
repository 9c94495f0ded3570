"""Decoding page bytes and telling text, HTML and binary apart.

`read_source_text(path)` returns the source text that offsets index into: the file decoded
as UTF-8 with a leading BOM dropped and nothing else changed (cp1252/latin-1 with a warning
when the bytes are not UTF-8); for HTML, the text `pipeline.readers.html.html_to_text` extracts.
"""

from __future__ import annotations

from pathlib import Path


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
        from pipeline.readers.html import html_to_text

        return html_to_text(text).text
    return text
