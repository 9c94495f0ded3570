"""Line classification: each page line gets its kinds (furniture, notice, end marker, citation,
heading, authors, prose, ...) from the site patterns and a few shape tests; citation lines
are parsed into journal/year/volume/issue/pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import regex

from pipeline.cleaning.authors import is_author_line
from pipeline.cleaning.lines import (
    SENTENCE_END_RE,
    Line,
    is_menu_line,
    is_prose,
    is_second_half,
    next_meaningful,
    next_nonblank,
    words,
)
from pipeline.cleaning.site_patterns import (
    PagePatterns,
    SitePatterns,
    heading_category,
    site_patterns,
)
from pipeline.literals import prefilter

DATE_RE = regex.compile(
    r"(?i)((published|online|epub|received|accepted)[: ]*)?(\d{1,2}\s+)?"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*(\d{1,2},?\s*)?((19|20)\d{2})?|"
    r"((19|20)\d{2})([-/ ]\d{1,2}){0,2}"
)
INLINE_HEADING_RE = regex.compile(
    r"(?P<h>[A-Z][A-Za-z][A-Za-z ,&/()\-]{0,70}?)\s*(?P<sep>:|\.(?=\s)|\u00a0|\s{2,}|\s*[—–](?=\s))[\s\u00a0]*(?=\S)"
)

YEAR_AFTER_STOP_RE = regex.compile(r"\.\s*(19|20)\d{2}")  # ". 2017 Nov;66(5):..."
ABBREVIATED_WORD_RE = regex.compile(r"\b\p{L}+\.\s")  # "Front. Oncol."
GLUED_LINK_TEXT_RE = regex.compile(r"(?<=\d)[A-Z][a-z]+$")


DOI_RE = regex.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")
PMID_RE = regex.compile(r"\b(?:PMID|PubMed(?: ID)?):?\s*(\d{1,9})\b")
UI_WORDS_RE = regex.compile(r"\b(?:Search|Menu|Log ?in|Sign ?in|Issues|Advertisement|Subscribe|Register|Home|Submit)\b")
PMCID_RE = regex.compile(r"\bPMCID:?\s*(PMC\d+)\b")


def find_inline_heading(line: Line) -> tuple[int, int, int, str] | None:
    m = INLINE_HEADING_RE.match(line.core)
    if not m:
        return None
    label = m.group("h").strip()
    sep = m.group("sep")
    known = heading_category(label) is not None
    if not known and not (label.isupper() and sep.strip() == ":" and len(label.split()) <= 5):
        return None
    start = line.start
    end = start + len(m.group("h").rstrip())
    body = line.start + m.end()
    return start, end, body, label


# pattern group -> the kind a matching line gets
LINE_KINDS = (
    ("end_markers", "end_marker"),
    ("affiliation_headers", "affiliation_header"),
    ("mesh_headers", "mesh_header"),
    ("publication_type_headers", "publication_type_header"),
    ("keyword_headers", "keywords"),
    ("copyright", "copyright"),
    ("notices", "notice"),
    ("furniture", "furniture"),
)
LINE_GROUPS = tuple(group for group, _kind in LINE_KINDS)


def _mark_label_lines(lines: list[Line], page: PagePatterns) -> None:
    """Database records put the label on one line and the value on the next ("Title" /
    "<the title>"): the value line is read as a labelled field."""
    patterns = page.patterns
    for line in lines:
        if not line.core or len(line.core) > 40 or not page.matches("label_lines", line.index, line.core):
            continue  # (no label_lines rule matches: the loop below would find none)
        for rule in patterns.groups.get("label_lines", ()):
            if rule.match(line.core):
                value = next_nonblank(lines, line.index)
                if value is not None and value.field is None and _plausible_value(rule.field, value.core):
                    value.field = (rule.field, value.start)
                    value.kinds.add("field")
                    if rule.field == "title":
                        value.kinds.add("labelled_title")
                    elif rule.field == "authors":
                        value.kinds.add("authors")
                    elif rule.field == "citation":
                        parsed = parse_citation(value.core, patterns, page.citation_patterns(value.index))
                        if parsed:
                            value.kinds.add("citation")
                            value.citation = parsed
                    if rule.field not in {"title", "citation", "journal"}:
                        value.kinds.add("furniture")
                    line.kinds.add("furniture")
                break


def _plausible_value(field: str, value: str) -> bool:
    """A value line fits its label (a menu "Authors" / "Titles" is not a record field)."""
    if field == "title":
        return words(value) >= 4
    if field == "authors":
        return ";" in value or is_author_line(value)
    if field in {"citation", "journal"}:
        return words(value) >= 2 or parse_citation(value) is not None
    return any(c.isdigit() for c in value)


def classify(lines: list[Line], patterns: SitePatterns) -> None:
    # `page` answers as `patterns` does for a line's core, or a part of it (a line's core is
    # only ever cut short below)
    page = PagePatterns(patterns, [line.core for line in lines])
    _mark_label_lines(lines, page)
    for line in lines:
        i = line.index
        ui = page.first_match("trailing_furniture", i, line.core) if line.core else None
        if ui:  # `... trial populations. Collapse`: the UI word is not part of the line's text
            line.end = line.start + ui.start("ui")
            line.core = line.core[: ui.start("ui")]
        core = line.core
        nxt = next_nonblank(lines, line.index)
        if core and nxt is not None and YEAR_AFTER_STOP_RE.match(nxt.core) and len(core) <= 120:
            # current PubMed puts the journal on its own line: "Hepatology" / ". 2017 Nov;66(5):1512-1524."
            joined = parse_citation(core + nxt.core, patterns)
            if joined:
                line.kinds.add("citation")
                line.citation = joined
                nxt.kinds.add("citation")
        if core and "citation" not in line.kinds:
            volume = page.first_match("volume_lines", i, core)
            prev = next_meaningful(lines, line.index, -1)
            if volume and prev is not None and 1 <= words(prev.core) <= 10 and not SENTENCE_END_RE.search(prev.core) \
                    and not page.matches("furniture", prev.index, prev.core) and not UI_WORDS_RE.search(prev.core):
                # ScienceDirect / Lancet: the journal name stands alone above "Volume 31, Issue 4, ..."
                found = {k: v.strip() for k, v in volume.groupdict().items() if v and v.strip()}
                cite: dict[str, Any] = {"journal": prev.core}
                for key in ("volume", "issue"):
                    if key in found:
                        cite[key] = found[key]
                pages = found.get("pages") or found.get("pages2")
                if pages:
                    cite["pages"] = pages.replace(" ", "")
                if "year" in found:
                    cite["year"] = int(found["year"])
                line.kinds.add("citation")
                line.citation = cite
        if not core:
            line.kinds.add("blank")
            continue
        if page.matches("abstract_markers", i, core):
            line.kinds.add("abstract_marker")
        if page.matches("no_abstract_markers", i, core) and len(core) < 120:
            line.kinds.add("no_abstract_marker")
        own_heading = len(core) <= 70 and heading_category(core.rstrip(":.").strip()) is not None
        if own_heading:
            line.kinds.add("heading")
        else:
            inline = find_inline_heading(line)
            if inline:
                line.inline_heading = inline
                line.kinds.add("inline_heading")
        hit_groups = page.matching(LINE_GROUPS, i, core)
        for group, kind in LINE_KINDS:
            if group in hit_groups:
                line.kinds.add(kind)
        if is_menu_line(core):
            line.kinds.add("furniture")
        if page.first_match("inline_keywords", i, core):
            line.kinds.add("keywords")
        if line.citation is None:
            parsed = parse_citation(core, patterns, page.citation_patterns(i))
            if parsed and not is_second_half(lines, line):
                line.kinds.add("citation")
                line.citation = parsed
        labelled = page.field_match(i, core) if line.field is None else None
        if labelled:
            field_name, m = labelled
            value = m.group("value").strip()
            line.field = (field_name, line.start + m.start("value"))
            line.kinds.add("field")
            if field_name == "title":
                line.kinds.add("labelled_title")
            elif field_name == "authors":
                line.kinds.add("authors")
            else:
                line.kinds.add("furniture")
                if field_name == "citation":
                    parsed = parse_citation(value, patterns, page.citation_patterns(i))
                    if parsed:
                        line.kinds.add("citation")
                        line.citation = parsed
        if "authors" not in line.kinds and "furniture" not in hit_groups and is_author_line(core):
            line.kinds.add("authors")
        if DATE_RE.fullmatch(core):
            line.kinds.add("date")
        if is_prose(core) and "authors" not in line.kinds:
            line.kinds.add("prose")


# --------------------------------------------------------------------------- citation

def parse_citation(
    core: str, patterns: SitePatterns | None = None, tried: tuple[tuple[str, Any], ...] | None = None
) -> dict[str, Any] | None:
    """Parse a citation line ("Surgery. 2004 Dec;136(6):1176-82.") into journal/year/volume/issue/pages.

    `tried`: the (name, pattern) pairs that may match, in order (`PagePatterns.citation_patterns`
    of the line `core` is, or is part of); by default every pattern, each behind its prefilter."""
    patterns = patterns or site_patterns()
    if len(core) > 600:
        return None
    for _name, pattern in tried if tried is not None else _prefiltered_citations(core, patterns):
        m = pattern.fullmatch(core)
        if m:
            found = _citation_fields(core, m)
            if found is not None:
                return found
    return None


def _prefiltered_citations(core: str, patterns: SitePatterns) -> Iterator[tuple[str, Any]]:
    """The citation patterns in order, leaving out those whose required strings `core` lacks."""
    lowered = core.lower() if core.isascii() else None
    verdicts: dict[frozenset[str], bool] = {}  # most patterns share their required strings
    for name, pattern in patterns.citations:
        needs = patterns.citation_needs.get(name)
        if needs is not None and lowered is not None:
            if needs not in verdicts:
                verdicts[needs] = prefilter(needs, core, lowered)
            if not verdicts[needs]:
                continue  # none of the strings (a year's `19`/`20`, `volume`...) its matches hold
        yield name, pattern


def _citation_fields(core: str, m: Any) -> dict[str, Any] | None:
    """The fields of a citation pattern's match, or None when the match is no citation."""
    out: dict[str, Any] = {}
    for key in ("journal", "volume", "issue", "pages"):
        value = m.groupdict().get(key)
        if value and value.strip():
            out[key] = value.strip()
    journal = out.get("journal", "")
    if words(journal) == 0 or words(journal) > 12:
        return None
    if ABBREVIATED_WORD_RE.search(journal) and core[m.end("journal"):m.end("journal") + 1] == ".":
        out["journal"] = journal + "."  # "Front. Oncol." keeps the stop of its last abbreviation
    if m.groupdict().get("year"):
        out["year"] = int(m.group("year"))
    elif "volume" not in out:
        return None
    if "pages" in out:
        out["pages"] = out["pages"].replace(" ", "")
    return out


def clean_doi(doi: str) -> str:
    doi = doi.rstrip(".,;)]")
    # a link text glued on in HTML: "10.1016/j.lungcan.2025.108174Get rights and content"
    return GLUED_LINK_TEXT_RE.sub("", doi)
