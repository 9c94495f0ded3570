"""The article as the pipeline sees it between reading and tagging.

Every reader (text page cleaner, HTML, PubMed XML, MEDLINE, JATS) produces `Article`
objects; the tagging stages and `records.py` consume them. All offsets are indices into
`Article.source_text` (see docs/record-format.md for what the source text is per format).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Heading:
    """A section heading found inside the abstract."""

    text: str  # as written, without the trailing colon / separator
    start: int  # offset of the heading text in the source
    end: int
    body_start: int  # where the section text after the heading begins
    category: str | None = None  # NLM category when the source states it (PubMed XML)


@dataclass
class Article:
    source_text: str
    path: str
    index: int = 0
    format: str = "text"  # text | html | pubmed-xml | medline | jats | pmc-rct
    sha256: str = ""
    status: str = "ok"  # ok | no_abstract | error | deleted
    error: dict[str, str] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    title_span: tuple[int, int] | None = None
    abstract_span: tuple[int, int] | None = None
    headings: list[Heading] = field(default_factory=list)
    # paragraph ranges inside the abstract (blank-line separated blocks), offsets in source
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    id_hint: str | None = None  # e.g. a pmcid when neither PMID nor DOI is known


def sha256_of(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def layout_structured(
    title: str | None, sections: list[tuple[str | None, str]]
) -> tuple[str, tuple[int, int] | None, tuple[int, int] | None, list[Heading], list[tuple[int, int]]]:
    """Lay out a title and (heading, text) sections as the source text of a structured record.

    The layout (fixed, documented in docs/record-format.md) is:

        {title}\\n\\n{heading}: {text}\\n\\n{heading}: {text} ...

    A section without a heading is written as its text alone; a missing title leaves the
    abstract at offset 0. Returns (text, title_span, abstract_span, headings, paragraphs).
    """
    parts: list[str] = []
    pos = 0
    title_span = None
    if title and title.strip():
        t = title.strip()
        parts.append(t)
        title_span = (0, len(t))
        pos = len(t)
    headings: list[Heading] = []
    paragraphs: list[tuple[int, int]] = []
    abstract_start = None
    for heading, text in sections:
        text = (text or "").strip()
        heading = heading.strip() if heading and heading.strip() else None
        if not text and not heading:
            continue
        if parts:
            parts.append("\n\n")
            pos += 2
        para_start = pos
        if abstract_start is None:
            abstract_start = pos
        if heading:
            head = f"{heading}: "
            headings.append(Heading(text=heading, start=pos, end=pos + len(heading), body_start=pos + len(head)))
            parts.append(head)
            pos += len(head)
        parts.append(text)
        pos += len(text)
        paragraphs.append((para_start, pos))
    source = "".join(parts)
    abstract_span = (abstract_start, pos) if abstract_start is not None and pos > abstract_start else None
    return source, title_span, abstract_span, headings, paragraphs


_TRAILING_COPYRIGHT = None


def trim_trailing_copyright(article: Article) -> None:
    """Move a copyright sentence that ends the abstract ("... © 2000 Cancer Research
    Campaign") out of the abstract span and into metadata (older PubMed and PMC records
    keep it inside the abstract text). Offsets are unchanged; only the spans shrink."""
    global _TRAILING_COPYRIGHT
    if article.abstract_span is None:
        return
    if _TRAILING_COPYRIGHT is None:
        import regex

        _TRAILING_COPYRIGHT = regex.compile(
            r"(?:(?<=[.!?)\]]\s{1,3})|(?<=[.!?)\]]<br\s?/?>)|(?<=^))(?:©|\(c\)|Copyright\b)[^\n]{0,200}?\b(?:19|20)\d{2}\b[^\n]{0,200}$",
            regex.IGNORECASE,
        )
    start, end = article.abstract_span
    text = article.source_text[start:end]
    m = _TRAILING_COPYRIGHT.search(text)
    if not m or m.start() == 0:
        return
    new_end = start + m.start()
    while new_end > start and article.source_text[new_end - 1].isspace():
        new_end -= 1
    if article.source_text[start:new_end].endswith(("<br />", "<br/>", "<br>")):  # markup left in a text export
        new_end = start + article.source_text[start:new_end].rfind("<br")
    article.metadata.setdefault("copyright", article.source_text[start + m.start():end].strip())
    article.abstract_span = (start, new_end)
    article.paragraphs = [(a, min(b, new_end)) for a, b in article.paragraphs if a < new_end]
