"""Reader for PMC JATS / NLM archiving XML (.nxml, <article>, or a <pmc-articleset> of them).

One `Article` per <article> (root, or child of a <pmc-articleset>-style wrapper), in file
order. Only the front matter (article-meta, journal-meta) and the main <abstract> are read;
the body is ignored. The abstract chosen is the first without an abstract-type, else the
first whose type is not a graphical / teaser / summary-for-lay-readers kind.

Source text: `layout_structured(article-title, sections)` where a section is a <sec> with
its <title> (or <label>) as heading (trailing colon dropped) and its paragraphs as text; an
unstructured abstract gives one unlabelled section per <p>. A <p> that opens with a bold or
italic "Label:" run is treated as a labelled section too (some publishers write structured
abstracts that way).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from pipeline.article import Article
from pipeline.datafiles import (
    DataFileError,
    check_keys,
    loads_strict,
    package_data_text,
    reasoned_entries,
)
from pipeline.readers.xmlstream import is_top_level, read_xml_records
from pipeline.readers.xmltext import (
    author_name,
    error_article,
    first_year,
    flatten,
    local_name,
    make_article,
    record_error,
    unique,
)

FORMAT = "jats"
_ROOT_IN_HEAD = re.compile(rb"<(?:article|pmc-articleset)[\s>]")
_JATS_HINTS = (b"<front>", b"<front ", b"<article-meta", b"<journal-meta", b"JATS", b"Journal Archiving", b"Journal Publishing")
ABSTRACT_TYPES_FILE = "jats_abstract_types.json"
PUB_DATE_PREFERENCE = ("ppub", "epub-ppub", "epub", "collection", "pub", "pmc-release")
# Elements inside titles / paragraphs that are not running text.
_SKIP_IN_TEXT = frozenset({"xref", "fn", "table-wrap", "fig", "disp-formula-group", "alternatives-tex"})
_TRAILING_PUNCT = re.compile(r"[\s:.\-–—]+$")
_INLINE_LABEL = re.compile(r"^\s*([^:]{2,60}?)\s*:\s*$")


def sniff(head: bytes, path: Path) -> bool:
    """JATS by content: an <article> / <pmc-articleset> root with JATS front matter nearby."""
    window = head[:16384]
    if _ROOT_IN_HEAD.search(window) and any(h in head for h in _JATS_HINTS):
        return True
    return path.suffix.lower() == ".nxml" and b"<article" in window


def _is_record(element: etree._Element) -> bool:
    return local_name(element.tag) == "article" and is_top_level(element)


_IDS_IN_BYTES = re.compile(rb"<article-id\b[^>]*pub-id-type=[\"'](pmid|pmc|pmcid|doi)[\"'][^>]*>\s*([^<\s]+)\s*</article-id>")


def _set_records(root: str) -> tuple[str, ...]:
    """Any wrapper of <article>s (pmc-articleset and the like); a lone <article> has no set."""
    return () if root == "article" else ("article",)


def _malformed_metadata(head: bytes) -> dict[str, Any]:
    """pmid / pmcid / doi of an article the parser rejected, when its first bytes show them."""
    found: dict[str, Any] = {}
    for kind, value in _IDS_IN_BYTES.findall(head):
        key = {b"pmid": "pmid", b"doi": "doi"}.get(kind, "pmcid")
        text = value.decode("utf-8", "replace")
        if key == "pmcid" and not text.upper().startswith("PMC"):
            text = f"PMC{text}"
        found.setdefault(key, text)
    return found


def read_articles(path: Path, display_path: str) -> Iterator[Article]:
    """Yield one Article per <article> of a JATS file (plain or gzip); never raises.
    In a set of articles, a malformed one becomes one error Article and reading goes on."""
    return read_xml_records(path, display_path, FORMAT, _is_record, _record_articles,
                            record_starts=_set_records, malformed_metadata=_malformed_metadata)


def _record_articles(element: etree._Element, path: str, index: int, sha: str) -> list[Article]:
    try:
        return [parse_article(element, path, index, sha)]
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop the file
        type_, message = record_error(exc)
        return [error_article(type_=type_, message=message, path=path, index=index, fmt=FORMAT, sha256=sha)]


def _find(element: etree._Element | None, name: str) -> etree._Element | None:
    """First descendant with this local name (JATS may or may not carry a namespace)."""
    if element is None:
        return None
    for node in element.iter():
        if local_name(node.tag) == name and node is not element:
            return node
    return None


def _findall(element: etree._Element | None, name: str) -> list[etree._Element]:
    if element is None:
        return []
    return [node for node in element.iter() if local_name(node.tag) == name and node is not element]


def _children(element: etree._Element, name: str | None = None) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and (name is None or local_name(c.tag) == name)]


def _text(element: etree._Element | None) -> str:
    return flatten(element, _SKIP_IN_TEXT) if element is not None else ""


def parse_article(article: etree._Element, path: str = "", index: int = 0, sha: str = "") -> Article:
    front = next(iter(_children(article, "front")), None)
    meta = _find(front, "article-meta") if front is not None else None
    if meta is None:
        raise ValueError("<article> has no <front>/<article-meta>")
    journal_meta = _find(front, "journal-meta")
    title = _text(_find(_find(meta, "title-group"), "article-title")) or None
    abstract = choose_abstract(meta)
    sections = abstract_sections(abstract) if abstract is not None else []
    metadata = article_metadata(meta, journal_meta)
    metadata["title"] = title
    return make_article(title=title, sections=sections, categories=None, metadata=metadata,
                        path=path, index=index, fmt=FORMAT, sha256=sha)


def parse_abstract_types(data: Any, name: str = ABSTRACT_TYPES_FILE) -> frozenset[str]:
    """Validate the parsed jats_abstract_types.json; the excluded types, lower case."""
    check_keys(data, {"version", "excluded"}, {"description"}, name)
    if data["version"] != 1:
        raise DataFileError(f"{name}: unsupported version {data['version']!r}")
    return reasoned_entries(data["excluded"], "abstract_type", f"{name} excluded", "lower")


@lru_cache(maxsize=1)
def excluded_abstract_types() -> frozenset[str]:
    """Abstract types that are never the article's abstract (shipped data, validated once)."""
    return parse_abstract_types(loads_strict(package_data_text(ABSTRACT_TYPES_FILE), ABSTRACT_TYPES_FILE))


def choose_abstract(meta: etree._Element) -> etree._Element | None:
    candidates = _children(meta, "abstract")
    plain = [a for a in candidates if not a.get("abstract-type")]
    if plain:
        return plain[0]
    excluded = excluded_abstract_types()
    typed = [a for a in candidates if (a.get("abstract-type") or "").lower() not in excluded]
    return typed[0] if typed else None


def abstract_sections(abstract: etree._Element) -> list[tuple[str | None, str]]:
    """(heading, text) sections of an <abstract>: one per <sec> (nested ones flattened in
    order), one per loose <p>; the abstract's own <title> ("Abstract", "Summary") is dropped."""
    sections: list[tuple[str | None, str]] = []
    _collect(abstract, sections)
    return [(h, t) for h, t in sections if (t or "").strip() or h]


def _heading_of(sec: etree._Element) -> str | None:
    for name in ("title", "label"):
        node = next(iter(_children(sec, name)), None)
        text = _TRAILING_PUNCT.sub("", _text(node)) if node is not None else ""
        if text:
            return text
    return None


def _collect(container: etree._Element, sections: list[tuple[str | None, str]]) -> None:
    heading = _heading_of(container) if local_name(container.tag) == "sec" else None
    paragraphs: list[str] = []
    for child in _children(container):
        name = local_name(child.tag)
        if name in ("title", "label", "object-id", "fig", "table-wrap"):
            continue
        if name == "sec":
            if heading or paragraphs:
                sections.append((heading, " ".join(paragraphs)))
                heading, paragraphs = None, []
            _collect(child, sections)
        elif name in ("p", "list", "disp-quote", "statement"):
            text = _text(child)
            if not text:
                continue
            if local_name(container.tag) == "sec":
                paragraphs.append(text)
            else:
                sections.append(_split_inline_label(child, text))
    if heading or paragraphs:
        sections.append((heading, " ".join(paragraphs)))


def _split_inline_label(p: etree._Element, text: str) -> tuple[str | None, str]:
    """A loose <p> opening with <bold>Methods:</bold> (or <bold>Methods</bold>: ...) is labelled."""
    if (p.text or "").strip():
        return None, text
    first = next(iter(_children(p)), None)
    if first is None or local_name(first.tag) not in ("bold", "italic", "b", "sc"):
        return None, text
    run = _text(first)
    tail = first.tail or ""
    candidate = run + (":" if tail.lstrip().startswith(":") and not run.endswith(":") else "")
    match = _INLINE_LABEL.match(candidate)
    if not match or not text.startswith(run):
        return None, text
    rest = text[len(run):].lstrip()
    if rest.startswith(":"):
        rest = rest[1:].lstrip()
    label = _TRAILING_PUNCT.sub("", match.group(1))
    return (label, rest) if label and rest else (None, text)


def article_metadata(meta: etree._Element, journal_meta: etree._Element | None) -> dict[str, Any]:
    ids = {}
    for node in _children(meta, "article-id"):
        ids.setdefault((node.get("pub-id-type") or "").lower(), (node.text or "").strip())
    pmcid = ids.get("pmc") or ids.get("pmcid")
    if pmcid and not pmcid.upper().startswith("PMC"):
        pmcid = f"PMC{pmcid}"
    journal_ids = {}
    for node in _findall(journal_meta, "journal-id"):
        journal_ids.setdefault((node.get("journal-id-type") or "").lower(), (node.text or "").strip())
    journal_title = _text(_find(journal_meta, "journal-title")) or None
    fpage, lpage = _text(_find_child(meta, "fpage")), _text(_find_child(meta, "lpage"))
    pages = (f"{fpage}-{lpage}" if lpage and lpage != fpage else fpage) if fpage else (_text(_find_child(meta, "elocation-id")) or None)
    copyright_node = _find(_find_child(meta, "permissions"), "copyright-statement")
    if copyright_node is None:
        copyright_node = _find_child(meta, "copyright-statement")
    return {
        "journal": journal_ids.get("nlm-ta") or journal_ids.get("iso-abbrev") or journal_title,
        "journal_title": journal_title,
        "year": _year(meta),
        "volume": _text(_find_child(meta, "volume")) or None,
        "issue": _text(_find_child(meta, "issue")) or None,
        "pages": pages,
        "doi": ids.get("doi") or None,
        "pmid": ids.get("pmid") or None,
        "pmcid": pmcid or None,
        "authors": _authors(meta),
        "affiliations": unique(_affiliation_text(a) for a in _findall(meta, "aff")),
        "mesh_terms": [],
        "mesh": [],
        "keywords": unique(_TRAILING_PUNCT.sub("", _text(k)) for k in _findall(meta, "kwd")),
        "publication_types": [],
        "copyright": _text(copyright_node) or None,
    }


def _find_child(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    return next(iter(_children(element, name)), None)


def _year(meta: etree._Element) -> int | None:
    dates = {}
    for node in _children(meta, "pub-date"):
        kind = (node.get("pub-type") or node.get("date-type") or "").lower()
        year = first_year(_text(_find_child(node, "year"))) or first_year(node.get("iso-8601-date")) or first_year(_text(node))
        if year:
            dates.setdefault(kind, year)
    for kind in PUB_DATE_PREFERENCE:
        if kind in dates:
            return dates[kind]
    return next(iter(dates.values()), None)


def _authors(meta: etree._Element) -> list[str]:
    names = []
    for contrib in _findall(meta, "contrib"):
        if (contrib.get("contrib-type") or "author").lower() != "author":
            continue
        name = _find_child(contrib, "name")
        if name is None and _find_child(contrib, "name-alternatives") is not None:
            name = _find_child(_find_child(contrib, "name-alternatives"), "name")
        if name is not None:
            full = author_name(_text(_find_child(name, "surname")), _text(_find_child(name, "given-names")))
            if full:
                names.append(full)
            continue
        collab = _find_child(contrib, "collab")
        string_name = _find_child(contrib, "string-name")
        text = _text(collab) or _text(string_name)
        if text:
            names.append(text)
    return names


def _affiliation_text(aff: etree._Element) -> str:
    """Affiliation text without its leading <label> or <sup> marker ("1", "a", "*")."""
    first = next(iter(_children(aff)), None)
    if first is not None and local_name(first.tag) == "sup" and not (aff.text or "").strip():
        aff = copy.deepcopy(aff)
        marker = next(iter(_children(aff)))
        aff.text = (aff.text or "") + (marker.tail or "")
        aff.remove(marker)
    return flatten(aff, _SKIP_IN_TEXT | {"label"})
