"""What the PubMed-format readers share once a record is parsed: running text of an element
(`flatten`), the Article builders (`make_article`, `error_article`) and small metadata helpers
(`author_name`, `first_year`, `unique`), so the four readers lay out text and fill metadata the
same way.
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Iterable
from typing import Any

from lxml import etree

from pipeline.article import Article, layout_structured

MAX_MESSAGE_CHARS = 200

# Inline elements whose surrounding line-break indentation is a pretty-printing artefact
# (efetch writes "&#946;\n\t\t<sub>2</sub>" for "β2"): the newline run before them is dropped.
_ATTACHED_INLINE = frozenset({"sub", "sup", "inf"})
# Elements never part of running text: MathML annotations (TeX copies), JATS cross-references
# to footnotes are kept as text by default (they are usually numbers), so only these are skipped.
_DEFAULT_SKIP = frozenset({"annotation", "annotation-xml"})
# Empty elements that stand for a line break inside a title or paragraph.
_BREAKS = frozenset({"break", "br"})
# Any run of Unicode whitespace (layout newlines/tabs, NBSP, thin and narrow spaces) becomes
# one ASCII space: the tagging stages see "75 mg" however the publisher spaced it.
_LAYOUT_WS = re.compile(r"\s+")
_TRAILING_NL_WS = re.compile(r"[ \t\r]*\n[ \t\r\n]*$")
_LEADING_NL_WS = re.compile(r"^[ \t\r]*\n[ \t\r\n]*")




def local_name(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def short_message(text: str) -> str:
    text = _LAYOUT_WS.sub(" ", text).strip()
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


# --------------------------------------------------------------------------- text


def flatten(element: etree._Element | None, skip: frozenset[str] = frozenset()) -> str:
    """The running text of an element: inline markup dropped, tails kept, every whitespace
    run (including NBSP and thin spaces) collapsed to one space, ends stripped."""
    if element is None:
        return ""
    parts: list[str] = []
    _walk(element, parts, _DEFAULT_SKIP | skip)
    return _LAYOUT_WS.sub(" ", "".join(parts)).strip()


def _walk(element: etree._Element, parts: list[str], skip: frozenset[str]) -> None:
    if element.text:
        text = element.text
        if local_name(element.tag) in _ATTACHED_INLINE:
            text = _LEADING_NL_WS.sub("", text)
        parts.append(text)
    for child in element:
        if isinstance(child, etree._Entity):
            parts.append(_entity_text(child))
        elif isinstance(child.tag, str):
            name = local_name(child.tag)
            if name in _BREAKS:
                parts.append(" ")
            elif name not in skip:
                if name in _ATTACHED_INLINE and parts:
                    parts[-1] = _TRAILING_NL_WS.sub("", parts[-1])
                _walk(child, parts, skip)
        if child.tail:
            parts.append(child.tail)


def _entity_text(entity: etree._Entity) -> str:
    """Text for an entity reference left unexpanded (declared only in an unloaded DTD)."""
    name = entity.name
    code = html.entities.name2codepoint.get(name)
    if code is not None:
        return chr(code)
    return " "


def child_text(element: etree._Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path)
    if found is None:
        return None
    text = flatten(found)
    return text or None


# --------------------------------------------------------------------------- articles


def make_article(
    *,
    title: str | None,
    sections: list[tuple[str | None, str]],
    categories: list[str | None] | None,
    metadata: dict[str, Any],
    path: str,
    index: int,
    fmt: str,
    sha256: str,
    status: str | None = None,
    warnings: list[str] | None = None,
) -> Article:
    """Lay out title + sections with `layout_structured` and wrap them in an Article.

    `categories[i]` is the NLM category of `sections[i]` (None when unknown); it is copied
    onto the Heading of that section. Status is "no_abstract" when no section has text.
    """
    text, title_span, abstract_span, headings, paragraphs = layout_structured(title, sections)
    if categories:
        # layout_structured writes a Heading for exactly the sections with a non-blank heading
        heading_categories = [cat for (head, _body), cat in zip(sections, categories) if head and head.strip()]
        for heading, cat in zip(headings, heading_categories):
            heading.category = cat
    has_text = any((body or "").strip() for _, body in sections)
    metadata = dict(metadata)
    if title and title.strip() and not metadata.get("title"):
        metadata["title"] = title.strip()
    return Article(
        source_text=text,
        path=path,
        index=index,
        format=fmt,
        sha256=sha256,
        status=status or ("ok" if has_text else "no_abstract"),
        metadata=metadata,
        title_span=title_span,
        abstract_span=abstract_span if has_text else None,
        headings=headings,
        paragraphs=paragraphs,
        warnings=list(warnings or []),
        id_hint=metadata.get("pmcid") if not metadata.get("pmid") and not metadata.get("doi") else None,
    )


def error_article(
    *, type_: str, message: str, path: str, index: int, fmt: str, sha256: str, metadata: dict[str, Any] | None = None
) -> Article:
    return Article(
        source_text="",
        path=path,
        index=index,
        format=fmt,
        sha256=sha256,
        status="error",
        error={"type": type_, "message": message},
        metadata=dict(metadata or {}),
    )


def read_error(exc: OSError, path: str, fmt: str) -> Article:
    """The error Article for a file that cannot be opened or read at all."""
    return error_article(type_="ReadError", message=f"cannot read file: {exc.strerror or type(exc).__name__}",
                         path=path, index=0, fmt=fmt, sha256="")


def record_error(exc: Exception) -> tuple[str, str]:
    """(type, message) for an unexpected exception while converting one record."""
    return "RecordError", f"could not read this record: {type(exc).__name__}: {short_message(str(exc))}"


_INITIAL_SPLIT = re.compile(r"[\s.\-‐‑]+")


def author_initials(given: str | None) -> str:
    """MEDLINE-style initials of given names: "Paul M" -> "PM", "Ernst-Ulrich" -> "EU",
    "W K A" -> "WKA", "J. Mark" -> "JM". A token already written as initials ("PM") is kept."""
    if not given:
        return ""
    out = []
    for part in _INITIAL_SPLIT.split(given.strip()):
        if not part:
            continue
        if len(part) <= 3 and part.isupper() and part.isalpha():
            out.append(part)
        elif part[0].isalpha():
            out.append(part[0].upper())
    return "".join(out)


def author_name(surname: str | None, given: str | None) -> str | None:
    surname = (surname or "").strip()
    initials = author_initials(given)
    if not surname:
        return (given or "").strip() or None
    return f"{surname} {initials}" if initials else surname


_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)")


def first_year(text: str | None) -> int | None:
    """The first plausible 4-digit year in a date string ("1998 Dec-1999 Jan" -> 1998)."""
    if not text:
        return None
    match = _YEAR.search(text)
    return int(match.group(1)) if match else None


def unique(items: Iterable[str | None]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out
