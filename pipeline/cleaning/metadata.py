"""Title and metadata around the abstract: citation fields, DOI, PMID, authors, affiliations,
MeSH terms, keywords and copyright, from the page lines and from HTML <meta> hints.
"""

from __future__ import annotations

import re
from typing import Any

import regex

from pipeline.cleaning.authors import author_names
from pipeline.cleaning.classify import DOI_RE, PMCID_RE, PMID_RE, clean_doi
from pipeline.cleaning.lines import (
    AFFILIATION_RE,
    FOOTNOTE_RE,
    STOPPERS,
    Line,
    next_meaningful,
    next_nonblank,
    words,
)
from pipeline.cleaning.site_patterns import site_patterns

PUBLISHED_YEAR_RE = regex.compile(r"(?i)(?:published(?: online)?|epub|first published|publication date)\b[^0-9]{0,20}.*?\b((?:19|20)\d{2})\b")
LABELLED_DOI_RE = regex.compile(r"(?i)\bdoi:?\s*(10\.\d{4,9}/[^\s\"<>]+)")
LEADING_NUMBER_RE = regex.compile(r"^\d{1,2}[.)]?\s+")

# --------------------------------------------------------------------------- title & metadata

def _title_candidate(line: Line, excluded: set[int]) -> bool:
    if line.blank or line.index in excluded:
        return False
    bad = {"furniture", "notice", "citation", "date", "abstract_marker", "heading", "end_marker", "copyright",
           "affiliation_header", "mesh_header", "keywords", "no_abstract_marker", "authors"}
    if line.kinds & bad:
        return False
    n = words(line.core)
    if n < 3 or n > 60 or len(line.core) > 400:
        return False
    if DOI_RE.search(line.core) or PMID_RE.search(line.core):
        return False
    if line.core.count(",") >= 3 and n <= 2 * line.core.count(",") + 2:  # an author list
        return False
    return True


def find_title(lines: list[Line], abstract_first: int | None, excluded: set[int], meta_title: str | None, text: str):
    """The title: from <meta> when the page has it, else the best-scoring line before the abstract.

    A title sits next to the citation line or above the author list; nav items are short.
    """
    if meta_title:
        needle = " ".join(meta_title.split())
        pos = text.find(needle)
        if pos >= 0:
            return pos, pos + len(needle)
    limit = abstract_first if abstract_first is not None else len(lines)
    for line in lines[:limit]:
        if "labelled_title" in line.kinds and line.field:
            return line.field[1], line.end
    best, best_score = None, 0.0
    for line in lines[:limit]:
        if line.inline_heading:
            continue
        if not _title_candidate(line, excluded) or "authors" in line.kinds or "prose" in line.kinds and words(line.core) > 45:
            continue
        if AFFILIATION_RE.search(line.core) and words(line.core) > 3 and "," in line.core:
            continue
        n = words(line.core)
        score = min(n, 15) / 5
        if n < 4:
            score -= 2
        nxt = next_meaningful(lines, line.index, +1)
        prv = next_meaningful(lines, line.index, -1)
        if prv is not None and site_patterns().matches("related_article_headers", prv.core):
            continue  # "Linked editorial" / "Related article": another article's title
        if nxt is not None and nxt.kinds & {"authors", "affiliation_header"}:
            score += 3
        if prv is not None and "citation" in prv.kinds:
            score += 3
        if nxt is not None and "citation" in nxt.kinds:
            score += 2
        if nxt is not None and abstract_first is not None and nxt.index >= abstract_first:
            score += 1
        if score > best_score or (score == best_score and best is not None):
            best, best_score = line, score
    if best is None or best_score < 2.5:
        return None
    return best.start, best.end


def collect_metadata(text: str, lines: list[Line], taken: set[int], affiliation_idx: set[int]) -> dict[str, Any]:
    patterns = site_patterns()
    meta: dict[str, Any] = {}
    first_abstract = min(taken) if taken else len(lines)
    outside = [l for l in lines if l.index not in taken and not l.blank]
    # The page's own citation stands before the abstract; later ones cite other articles.
    cited = [l for l in outside if l.citation] 
    cited.sort(key=lambda l: (l.index > first_abstract, -_completeness(l.citation), l.index))
    if cited:
        meta.update(cited[0].citation)
        journal = (meta.get("journal") or "").casefold()
        for other in cited[1:]:  # the same journal cited again (a "Cite" box) may give more fields
            if journal and (other.citation.get("journal") or "").casefold() == journal:
                for key, value in other.citation.items():
                    meta.setdefault(key, value)
    if meta.get("volume") or meta.get("journal"):
        for line in (l for l in outside if l.index < first_abstract):
            m = patterns.first_match("gap_fillers", line.core)
            if not m:
                continue
            found = {k: v for k, v in m.groupdict().items() if v}
            if "volume" in found and meta.get("volume") not in (None, found["volume"]):
                continue  # another article's volume
            for key, value in found.items():
                meta.setdefault(key, value.replace(" ", "") if key == "pages" else value)
    if "year" not in meta and (meta.get("journal") or meta.get("volume")):
        for line in sorted(outside, key=lambda l: (l.index > first_abstract, l.index)):
            m = PUBLISHED_YEAR_RE.match(line.core)
            if m:
                meta["year"] = int(m.group(1))
                break
    labelled = _labelled_fields(outside, text)
    for key in ("journal", "volume", "issue", "pages", "year"):
        if key in labelled and key not in meta:
            meta[key] = labelled[key]
    doi = None
    for line in sorted(outside, key=lambda l: (l.index > first_abstract, l.index)):
        m = LABELLED_DOI_RE.search(line.core) or DOI_RE.search(line.core)
        if m and "notice" not in line.kinds:
            doi = clean_doi(m.group(1))
            break
    if doi:
        meta["doi"] = doi
    for line in outside:  # a table row copied as "PMID" / "36198544" on two lines
        nxt = next_nonblank(lines, line.index)
        if "pmid" not in meta and line.core.rstrip(":").strip().upper() in {"PMID", "PUBMED ID"} and nxt is not None and regex.fullmatch(r"\d{1,9}", nxt.core):
            meta["pmid"] = nxt.core
    for key, pattern in (("pmid", PMID_RE), ("pmcid", PMCID_RE)):
        # before the abstract any mention is the page's own; after it, only a line that starts
        # with the label (lists of similar articles carry other articles' PMIDs)
        for line in sorted(outside, key=lambda l: (l.index > first_abstract, l.index)):
            m = pattern.search(line.core)
            if m and (line.index < first_abstract or m.start() == 0) and key not in meta:
                meta[key] = m.group(1)
                break
    for line in outside:
        if "authors" in line.kinds and line.index < first_abstract:
            authors = author_names(line.core[line.field[1] - line.start:] if line.field else line.core)
            if authors:
                meta["authors"] = authors
            break
    affiliations: list[str] = []
    for i in sorted(affiliation_idx):
        core = lines[i].core
        prefix = patterns.first_match("affiliation_prefixes", core)
        if prefix:
            core = core[prefix.end("prefix"):]
        for part in _split_affiliations(core):
            part = FOOTNOTE_RE.sub("", part).strip()
            part = LEADING_NUMBER_RE.sub("", part)
            if part and part not in affiliations:
                affiliations.append(part)
    if affiliations:
        meta["affiliations"] = affiliations
    mesh = _list_after(lines, "mesh_header", taken)
    if not mesh:
        mesh = _inline_list(outside, "inline_mesh")
    if mesh:
        meta["mesh_terms"] = mesh
    keywords = _inline_list(outside, "inline_keywords")
    if not keywords:
        keywords = _list_after(lines, "keywords", taken)
        if len(keywords) == 1 and regex.search(r"[;,]", keywords[0]):
            keywords = _split_items(keywords[0])
    if keywords:
        meta["keywords"] = keywords
    types = _list_after(lines, "publication_type_header", taken, allow_furniture=True)
    if not types and "publication_types" in labelled:
        types = [labelled["publication_types"]]
    if "keywords" not in meta and "keywords" in labelled:
        meta["keywords"] = _split_items(labelled["keywords"])
    if types:
        meta["publication_types"] = types
    if taken or meta.get("journal"):  # a page without an article has no article copyright
        for line in sorted(outside, key=lambda l: (l.index < first_abstract, l.index)):
            if "copyright" in line.kinds and "notice" not in line.kinds and "furniture" not in line.kinds \
                    and regex.search(r"©|\(c\)|\b(19|20)\d{2}\b", line.core):
                meta["copyright"] = line.core
                break
    return meta


def _completeness(citation: dict[str, Any]) -> int:
    return sum(1 for key in ("journal", "year", "volume", "issue", "pages") if citation.get(key))


def _split_affiliations(core: str) -> list[str]:
    """One line may list several affiliations separated by semicolons (JAMA, JVIR)."""
    parts = [p.strip() for p in core.split(";") if p.strip()]
    if len(parts) >= 2 and all(AFFILIATION_RE.search(p) for p in parts):
        return parts
    return [core]


def _inline_list(lines: list[Line], group: str) -> list[str]:
    patterns = site_patterns()
    for line in lines:
        m = patterns.first_match(group, line.core)
        if m:
            return _split_items(m.group("items"))
    return []


def _split_items(items: str) -> list[str]:
    """"a; b; c" or "a, b, c": semicolons win, so MeSH-like "infusions, intra-arterial" stays whole."""
    sep = r";" if ";" in items else r","
    return [k.strip(" .") for k in regex.split(sep, items) if k.strip(" .")]


def _labelled_fields(lines: list[Line], text: str) -> dict[str, Any]:
    """Catalogue-style "Volume: 44", "Pages: 1-9", "Date issued: 2018-12" lines."""
    out: dict[str, Any] = {}
    for line in lines:
        if not line.field:
            continue
        name, value_start = line.field
        value = text[value_start:line.end].strip()
        if name == "volume_issue":
            m = regex.match(r"(\w+)\s*\((\w+)\)", value)
            if m:
                out.setdefault("volume", m.group(1))
                out.setdefault("issue", m.group(2))
        elif name == "year":
            m = regex.search(r"\b(19|20)\d{2}\b", value)
            if m:
                out.setdefault("year", int(m.group()))
        elif name == "pages":
            out.setdefault("pages", value.replace(" ", ""))
        elif name in {"journal", "volume", "issue", "publication_types", "keywords"}:
            out.setdefault(name, value)
    return out


def _list_after(lines: list[Line], kind: str, taken: set[int], allow_furniture: bool = False) -> list[str]:
    """Items listed one per line under a header line (MeSH terms, Keywords, Publication types)."""
    for line in lines:
        if kind not in line.kinds or len(line.core) > 40:
            continue
        out = []
        j = line.index + 1
        blanks = 0
        while j < len(lines):
            nxt = lines[j]
            if nxt.blank:
                blanks += 1
                if blanks >= 2 and out:
                    break
                j += 1
                continue
            blanks = 0
            stop = STOPPERS | {"prose", "abstract_marker"} | (set() if allow_furniture else {"furniture"})
            heading = "heading" in nxt.kinds and not (allow_furniture and "furniture" in nxt.kinds)
            if j in taken or heading or nxt.kinds & stop:
                if out or nxt.kinds & (STOPPERS | {"abstract_marker"}) or heading:
                    break
            out.append(nxt.core)
            j += 1
        if out:
            return out
    return []


def metadata_from_hints(hints: dict[str, list[str]], found: dict[str, Any]) -> dict[str, Any]:
    """Metadata from HTML <meta> tags, for the fields the page text did not give."""

    def first(*names):
        for name in names:
            if hints.get(name):
                return hints[name][0]
        return None

    out: dict[str, Any] = {}
    journal = first("citation_journal_abbrev", "citation_journal_title", "prism.publicationname", "dc.source")
    if journal and not found.get("journal"):
        out["journal"] = journal
    date = first("citation_publication_date", "citation_date", "citation_online_date", "dc.date", "prism.publicationdate")
    if date and not found.get("year"):
        m = re.search(r"(19|20)\d{2}", date)
        if m:
            out["year"] = int(m.group())
    for key, names in (("volume", ("citation_volume", "prism.volume")), ("issue", ("citation_issue", "prism.number"))):
        value = first(*names)
        if value and not found.get(key):
            out[key] = value
    fp, lp = first("citation_firstpage", "prism.startingpage"), first("citation_lastpage", "prism.endingpage")
    if fp and not found.get("pages"):
        out["pages"] = f"{fp}-{lp}" if lp else fp
    doi = first("citation_doi", "dc.identifier", "prism.doi")
    if doi and not found.get("doi"):
        m = DOI_RE.search(doi)
        if m:
            out["doi"] = clean_doi(m.group(1))
    pmid = first("citation_pmid")
    if pmid and not found.get("pmid"):
        out["pmid"] = pmid.strip()
    authors = hints.get("citation_author") or hints.get("dc.creator")
    if authors and not found.get("authors"):
        out["authors"] = list(authors)
    institutions = hints.get("citation_author_institution")
    if institutions and not found.get("affiliations"):
        out["affiliations"] = list(dict.fromkeys(institutions))
    keywords = hints.get("citation_keywords")
    if keywords and not found.get("keywords"):
        items = [k.strip() for kw in keywords for k in re.split(r"[;,]", kw) if k.strip()]
        out["keywords"] = items
    return out
