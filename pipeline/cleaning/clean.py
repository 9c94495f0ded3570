"""The cleaning stage: find the article in a scraped page's text and drop the furniture.

Input is the page's source text (a text copy of a page, or what `pipeline.readers.html` extracted
from HTML). Output is an `Article`: title span, abstract span, headings and paragraphs inside
the abstract, and metadata (citation parsed into journal/year/volume/issue/pages, DOI, PMID,
affiliations, MeSH terms, keywords, article copyright line). Nothing is rewritten: every
span is an offset range into the source text.

How the abstract is found (site patterns live in data/site_patterns.json):
1. Each line is classified (blank, furniture, notice, citation, heading, prose, ...).
2. When the page announces the abstract ("Abstract", "2. Abstract", "Summary"), it starts at
   the next content line; otherwise the longest run of prose paragraphs wins.
3. The abstract runs over prose paragraphs and heading lines until an end marker
   ("Keywords", "MeSH terms", "Copyright ...", "Introduction" of a full-text body, ...), or
   any other non-prose line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import regex

from pipeline.article import Article, Heading
from pipeline.datafiles import DataFileError, loads_strict, package_data_text

BULLETS = "•·▪◦‣●○■□–—-*>"
SPACE_CHARS = " \t\r\f\v\u00a0\u2002\u2003\u2009\u200a\u202f\u205f\u3000\ufeff"
RULE_KEYS = frozenset({"literal", "regex", "sites", "note", "name", "field"})
GROUPS = frozenset({
    "furniture", "notices", "abstract_markers", "no_abstract_markers", "end_markers", "affiliation_headers",
    "affiliation_prefixes", "mesh_headers", "keyword_headers", "publication_type_headers", "inline_keywords",
    "inline_mesh", "copyright", "citation_patterns", "volume_lines", "field_labels", "trailing_furniture",
    "gap_fillers", "related_article_headers", "label_lines",
})


class PatternError(DataFileError):
    """The site pattern file is malformed."""


@dataclass(frozen=True)
class LineRule:
    literal: str | None
    pattern: Any  # compiled regex (full match), or None
    field: str | None = None  # for field_labels: the metadata field the value fills

    def match(self, text: str):
        if self.literal is not None:
            return text.casefold() == self.literal.casefold()
        return self.pattern.fullmatch(text)


@dataclass(frozen=True)
class SitePatterns:
    groups: dict[str, tuple[LineRule, ...]]
    citations: tuple[tuple[str, Any], ...]

    def matches(self, group: str, text: str) -> bool:
        return any(rule.match(text) for rule in self.groups.get(group, ()))

    def first_match(self, group: str, text: str):
        for rule in self.groups.get(group, ()):
            m = rule.match(text)
            if m:
                return m
        return None

    def field_match(self, text: str):
        """(field, match) of the first field_labels rule matching a labelled line, else None."""
        for rule in self.groups.get("field_labels", ()):
            m = rule.match(text)
            if m:
                return rule.field, m
        return None


def parse_site_patterns(data: dict[str, Any]) -> SitePatterns:
    """Validate and compile the site pattern file (unknown keys are rejected)."""
    if data.get("version") != 1:
        raise PatternError("site_patterns.json: unsupported version")
    groups: dict[str, tuple[LineRule, ...]] = {}
    citations = []
    for group, rules in data.items():
        if group in {"version", "description"}:
            continue
        if group not in GROUPS:
            raise PatternError(f"site_patterns.json: unknown group {group!r}")
        if not isinstance(rules, list):
            raise PatternError(f"site_patterns.json: {group} must be a list")
        compiled = []
        for i, rule in enumerate(rules):
            unknown = set(rule) - RULE_KEYS
            if unknown:
                raise PatternError(f"site_patterns.json: {group}[{i}] has unknown keys {sorted(unknown)}")
            if ("literal" in rule) == ("regex" in rule):
                raise PatternError(f"site_patterns.json: {group}[{i}] needs exactly one of literal/regex")
            if "regex" in rule:
                try:
                    pattern = regex.compile(rule["regex"], regex.IGNORECASE if group != "citation_patterns" else 0)
                except regex.error as exc:
                    raise PatternError(f"site_patterns.json: {group}[{i}] bad regex: {exc}") from None
                if group == "citation_patterns":
                    citations.append((rule.get("name", f"citation{i}"), pattern))
                    continue
                compiled.append(LineRule(None, pattern, rule.get("field")))
            else:
                compiled.append(LineRule(rule["literal"], None))
        groups[group] = tuple(compiled)
    missing = GROUPS - set(groups) - {"citation_patterns"}
    if missing:
        raise PatternError(f"site_patterns.json: missing groups {sorted(missing)}")
    return SitePatterns(groups, tuple(citations))


@lru_cache(maxsize=1)
def site_patterns() -> SitePatterns:
    try:
        data = loads_strict(package_data_text("site_patterns.json"), "site_patterns.json")
    except DataFileError as err:
        raise PatternError(str(err)) from None
    return parse_site_patterns(data)


def heading_category(text: str) -> str | None:
    from pipeline.components.sections import heading_category as lookup

    return lookup(text)


# --------------------------------------------------------------------------- lines

@dataclass
class Line:
    index: int
    start: int  # offset of the stripped core in the source
    end: int
    core: str  # the line without surrounding white space and list bullets
    kinds: set[str] = field(default_factory=set)
    inline_heading: tuple[int, int, int, str] | None = None  # (start, end, body_start, label)
    citation: dict[str, Any] | None = None  # the parsed citation this line carries
    field: tuple[str, int] | None = None  # (metadata field, offset of the value) for "Title: ..." lines


    @property
    def blank(self) -> bool:
        return not self.core


MENU_SPLIT_RE = regex.compile(r"\s{2,}|\t|\s[|•·]\s")


def _is_menu_line(core: str) -> bool:
    """A row of navigation items copied as one line: "Article   Related content   Metrics"."""
    parts = [p for p in MENU_SPLIT_RE.split(core) if p.strip()]
    return len(parts) >= 3 and all(len(p.split()) <= 4 and not SENTENCE_END_RE.search(p) for p in parts)


def _is_second_half(lines: list[Line], line: Line) -> bool:
    prev = _prev_nonblank(lines, line.index)
    return prev is not None and prev.citation is not None and line.core.startswith(".")


def _next_nonblank(lines: list[Line], index: int) -> Line | None:
    for j in range(index + 1, min(index + 4, len(lines))):
        if not lines[j].blank:
            return lines[j]
    return None


def _prev_nonblank(lines: list[Line], index: int) -> Line | None:
    for j in range(index - 1, max(index - 4, -1), -1):
        if not lines[j].blank:
            return lines[j]
    return None


def split_lines(text: str) -> list[Line]:
    lines = []
    pos = 0
    for i, raw in enumerate(text.split("\n")):
        start, end = pos, pos + len(raw)
        pos = end + 1
        s, e = start, end
        while s < e and (text[s] in SPACE_CHARS or text[s] in BULLETS):
            # a bullet only counts when followed by white space (keep "-" of "-0.5", "5-FU")
            if text[s] in BULLETS and not (s + 1 < e and text[s + 1] in SPACE_CHARS):
                break
            s += 1
        while e > s and text[e - 1] in SPACE_CHARS:
            e -= 1
        lines.append(Line(i, s, e, text[s:e]))
    return lines


WORD_RE = re.compile(r"[^\W\d_]{2,}")
SENTENCE_END_RE = re.compile(r"[.!?)\]](\s|$)")
DATE_RE = regex.compile(
    r"(?i)((published|online|epub|received|accepted)[: ]*)?(\d{1,2}\s+)?"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*(\d{1,2},?\s*)?((19|20)\d{2})?|"
    r"((19|20)\d{2})([-/ ]\d{1,2}){0,2}"
)
AFFILIATION_RE = regex.compile(
    r"\b(Department|Dept\.?|University|Universit[àéä]|Institute|Institut|Hospital|Hôpital|Center|Centre|"
    r"School|College|Clinic|Klinik|Division|Faculty|Laboratory|Unit|Cancer Center|Foundation|Research)\b"
)
INLINE_HEADING_RE = regex.compile(
    r"(?P<h>[A-Z][A-Za-z][A-Za-z ,&/()\-]{0,70}?)\s*(?P<sep>:|\.(?=\s)|\u00a0|\s{2,}|\s*[—–](?=\s))[\s\u00a0]*(?=\S)"
)
MIDLINE_HEADING_RE = regex.compile(r"(?<=[.?!)]\s{1,3})(?P<h>[A-Z][A-Za-z][A-Za-z ,&/\-]{1,60}?):\s+(?=\S)")
AUTHOR_SEGMENT_RES = (
    # Surname Initials, PubMed style: "Sørlie IH1", "Castellanos-Bravo M2", "de Waal R 3"
    regex.compile(r"(?:(?:van|von|de|del|der|da|di|le|la)\s+)*\p{Lu}[\p{L}'’\-]+(?:[ \-](?:\p{Lu}[\p{L}'’\-]+))*\s+\p{Lu}{1,3}\s*[\d,*†‡§]*"),
    # Given (Middle) Surname, optional footnote digits/letters and degrees: "Daniel R Ashcombe 1", "Océane Marchetti a"
    regex.compile(
        r"(?:Prof\.?\s+|Dr\.?\s+)?\p{Lu}[\p{L}'’.\-]*(?:\s+(?:(?:van|von|de|del|der|da|di|le|la|dos)\s+)*\p{Lu}[\p{L}'’.\-]*){1,3}"
        r"(?:\s*[\d,*†‡§]+|\s+[a-z](?:\s*,\s*[a-z])*)?(?:,?\s+(?:MD|PhD|MSc|MPH|MBBS|FRCS|DrPH|BSc|RN))*"
    ),
    regex.compile(r"(?i)(?:et al\.?\s*)?(?:show all authors)?|.{0,60}\b(?:study group|investigators|collaborators|consortium|group)\.?|(?:\p{L}[\p{L}. -]{1,40}\s)?\+\s?\d+\s+(?:more\s+)?authors?(?:\s\p{L}[\p{L}. -]{1,40})?"),
)
DEGREE_RE = regex.compile(r"(?:MD|PhD|MSc|MPH|MBBS|DM|RN|BSc|FRCS|FRCPC|DrPH|MBChB|MS|MA|PharmD|DO|MHS)\s*[\d,*†‡§]*|et al\.?")
AUTHOR_SPLIT_RE = regex.compile(r"\s*(?:[;,•·]|\band\b|&)\s*")


FOOTNOTE_MARKS_RE = regex.compile(r"^[\d*∗†‡§#\s]+|(?<=\p{L}\.?)(?:\s*[\d*∗†‡§#]+(?:,\d+)*)+$|(?:\s+[a-z](?=\s|$))+$")
TRAILING_DEGREES_RE = regex.compile(r"(?:,?\s+(?:MD|PhD|MSc|MPH|MBBS|DM|RN|BSc|FRCS|FRCPC|DrPH|MBChB|PharmD|MHS)\b\.?)+$")
ROLE_RE = regex.compile(r"[a-z][a-z -]{2,60}")  # BMJ style "clinical research fellow" after a name
GROUP_AUTHOR_RE = regex.compile(r"(?i).{0,60}\b(?:study group|investigators|collaborators|consortium|collaborative group|trial group|group)\.?")


def _author_parts(core: str) -> list[str]:
    """Author-line segments with footnote marks, degrees and titles removed."""
    out = []
    for part in AUTHOR_SPLIT_RE.split(core):
        part = part.strip()
        part = FOOTNOTE_MARKS_RE.sub("", part).strip()
        part = TRAILING_DEGREES_RE.sub("", part).strip()
        part = regex.sub(r"^(?:Prof|Dr)\.?\s+", "", part)
        # a trailing full stop belongs to an initial ("Pieter J."), not to a name
        if part.endswith(".") and not regex.search(r"(?:^|\s)\p{Lu}\.$", part):
            part = part[:-1].rstrip()
        if part and not part.isdigit() and not DEGREE_RE.fullmatch(part) and not ROLE_RE.fullmatch(part):
            out.append(part)
    return out


def is_author_line(core: str) -> bool:
    """A line that lists author names (two or more), as publisher and PubMed pages show them."""
    if len(core) > 1500 or SENTENCE_END_RE.search(core.rstrip(".")) and words(core) > 12 and "," not in core:
        return False
    if _affiliation_like(core):
        return False
    parts = _author_parts(core)
    if len(parts) < 2 or any(len(p.split()) > 6 for p in parts):
        return False
    hits = sum(1 for p in parts if any(r.fullmatch(p) for r in AUTHOR_SEGMENT_RES))
    return hits >= 2 and hits / len(parts) >= 0.7


def author_names(core: str) -> list[str]:
    """Names from an author line as shown, without footnote marks, degrees or "et al";
    group authors ("TACSO Investigators") are kept."""
    semicolon_parts = [p.strip() for p in core.split(";") if p.strip()]
    if len(semicolon_parts) >= 2 and all(p.count(",") == 1 for p in semicolon_parts):
        return [_author_parts(p.replace(",", "\x00"))[0].replace("\x00", ",") for p in semicolon_parts]
    core = core.rstrip().removesuffix(".")  # the full stop that ends a PubMed author line
    names = []
    for part in _author_parts(core):
        if regex.fullmatch(r"(?i)(?:et al\.?\s*)?(?:show all authors)?", part):
            continue
        if AUTHOR_SEGMENT_RES[2].fullmatch(part) and not GROUP_AUTHOR_RE.fullmatch(part):
            continue
        names.append(part)
    return names


DOI_RE = regex.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")
PMID_RE = regex.compile(r"\b(?:PMID|PubMed(?: ID)?):?\s*(\d{1,9})\b")
UI_WORDS_RE = regex.compile(r"\b(?:Search|Menu|Log ?in|Sign ?in|Issues|Advertisement|Subscribe|Register|Home|Submit)\b")
PMCID_RE = regex.compile(r"\bPMCID:?\s*(PMC\d+)\b")


def words(text: str) -> int:
    return len(WORD_RE.findall(text))


def is_prose(core: str) -> bool:
    return len(core) >= 60 and words(core) >= 8 and bool(SENTENCE_END_RE.search(core)) and any(c.islower() for c in core)


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


def _mark_label_lines(lines: list[Line], patterns: SitePatterns) -> None:
    """Database records put the label on one line and the value on the next ("Title" /
    "<the title>"): the value line is read as a labelled field."""
    for line in lines:
        if not line.core or len(line.core) > 40:
            continue
        for rule in patterns.groups.get("label_lines", ()):
            if rule.match(line.core):
                value = _next_nonblank(lines, line.index)
                if value is not None and value.field is None and _plausible_value(rule.field, value.core):
                    value.field = (rule.field, value.start)
                    value.kinds.add("field")
                    if rule.field == "title":
                        value.kinds.add("labelled_title")
                    elif rule.field == "authors":
                        value.kinds.add("authors")
                    elif rule.field == "citation":
                        parsed = parse_citation(value.core, patterns)
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
    _mark_label_lines(lines, patterns)
    for line in lines:
        ui = patterns.first_match("trailing_furniture", line.core) if line.core else None
        if ui:  # `... trial populations. Collapse`: the UI word is not part of the line's text
            line.end = line.start + ui.start("ui")
            line.core = line.core[: ui.start("ui")]
        core = line.core
        nxt = _next_nonblank(lines, line.index)
        if core and nxt is not None and regex.match(r"\.\s*(19|20)\d{2}", nxt.core) and len(core) <= 120:
            # current PubMed puts the journal on its own line: "Hepatology" / ". 2017 Nov;66(5):1512-1524."
            joined = parse_citation(core + nxt.core, patterns)
            if joined:
                line.kinds.add("citation")
                line.citation = joined
                nxt.kinds.add("citation")
        if core and "citation" not in line.kinds:
            volume = patterns.first_match("volume_lines", core)
            prev = _next_meaningful(lines, line.index, -1)
            if volume and prev is not None and 1 <= words(prev.core) <= 10 and not SENTENCE_END_RE.search(prev.core) \
                    and not patterns.matches("furniture", prev.core) and not UI_WORDS_RE.search(prev.core):
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
        if patterns.matches("abstract_markers", core):
            line.kinds.add("abstract_marker")
        if patterns.matches("no_abstract_markers", core) and len(core) < 120:
            line.kinds.add("no_abstract_marker")
        own_heading = len(core) <= 70 and heading_category(core.rstrip(":.").strip()) is not None
        if own_heading:
            line.kinds.add("heading")
        else:
            inline = find_inline_heading(line)
            if inline:
                line.inline_heading = inline
                line.kinds.add("inline_heading")
        for group, kind in LINE_KINDS:
            if patterns.matches(group, core):
                line.kinds.add(kind)
        if _is_menu_line(core):
            line.kinds.add("furniture")
        if patterns.first_match("inline_keywords", core):
            line.kinds.add("keywords")
        if line.citation is None:
            parsed = parse_citation(core, patterns)
            if parsed and not _is_second_half(lines, line):
                line.kinds.add("citation")
                line.citation = parsed
        labelled = patterns.field_match(core) if line.field is None else None
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
                    parsed = parse_citation(value, patterns)
                    if parsed:
                        line.kinds.add("citation")
                        line.citation = parsed
        if "authors" not in line.kinds and not patterns.matches("furniture", core) and is_author_line(core):
            line.kinds.add("authors")
        if DATE_RE.fullmatch(core):
            line.kinds.add("date")
        if is_prose(core) and "authors" not in line.kinds:
            line.kinds.add("prose")


# --------------------------------------------------------------------------- citation

def parse_citation(core: str, patterns: SitePatterns | None = None) -> dict[str, Any] | None:
    """Parse a citation line ("Surgery. 2004 Dec;136(6):1176-82.") into journal/year/volume/issue/pages."""
    patterns = patterns or site_patterns()
    if len(core) > 600:
        return None
    for _name, pattern in patterns.citations:
        m = pattern.fullmatch(core)
        if not m:
            continue
        out: dict[str, Any] = {}
        for key in ("journal", "volume", "issue", "pages"):
            value = m.groupdict().get(key)
            if value and value.strip():
                out[key] = value.strip()
        journal = out.get("journal", "")
        if words(journal) == 0 or words(journal) > 12:
            continue
        if regex.search(r"\b\p{L}+\.\s", journal) and core[m.end("journal"):m.end("journal") + 1] == ".":
            out["journal"] = journal + "."  # "Front. Oncol." keeps the stop of its last abbreviation
        if m.groupdict().get("year"):
            out["year"] = int(m.group("year"))
        elif "volume" not in out:
            continue
        if "pages" in out:
            out["pages"] = out["pages"].replace(" ", "")
        return out
    return None


def _clean_doi(doi: str) -> str:
    doi = doi.rstrip(".,;)]")
    # a link text glued on in HTML: "10.1016/j.lungcan.2025.108174Get rights and content"
    return regex.sub(r"(?<=\d)[A-Z][a-z]+$", "", doi)


# --------------------------------------------------------------------------- abstract

CONTENT = {"prose", "heading", "inline_heading"}
STOPPERS = {"end_marker", "copyright", "notice", "citation", "affiliation_header", "mesh_header", "keywords", "no_abstract_marker", "authors"}


def _is_content(line: Line) -> bool:
    if "notice" in line.kinds:
        return False
    return bool(line.kinds & CONTENT)


def _affiliation_lines(lines: list[Line]) -> set[int]:
    """Indices of lines that hold author affiliations: the block after an affiliation header
    or right after the author list (name lines inside the block are skipped)."""
    out: set[int] = set()
    patterns = site_patterns()
    for line in lines:
        if "affiliation_header" in line.kinds or "authors" in line.kinds:
            j = line.index + 1
            blanks = 0
            while j < len(lines) and blanks < 2:
                nxt = lines[j]
                if nxt.blank:
                    blanks += 1
                    j += 1
                    continue
                blanks = 0
                if nxt.kinds & (STOPPERS - {"copyright", "authors"}) or nxt.kinds & {"abstract_marker", "heading", "prose"} \
                        and not _affiliation_like(nxt.core):
                    break
                if (nxt.core.isdigit() and len(nxt.core) <= 2) or "authors" in nxt.kinds or "furniture" in nxt.kinds \
                        or _is_name_line(nxt.core):
                    j += 1  # footnote numbers, author names, furniture inside the block
                    continue
                if not (_affiliation_like(nxt.core) or regex.match(r"\d{1,2}[.)]?\s", nxt.core)):
                    break
                out.add(j)
                j += 1
        elif patterns.first_match("affiliation_prefixes", line.core):
            out.add(line.index)
    return out


def _affiliation_like(core: str) -> bool:
    return bool(AFFILIATION_RE.search(FOOTNOTE_RE.sub("", core)))


def _is_name_line(core: str) -> bool:
    """"Nils Oskarsson & Martina Kessler" or a single "Mateo Lombardi" inside an affiliation block."""
    parts = [p for p in AUTHOR_SPLIT_RE.split(core) if p.strip()]
    return 1 <= len(parts) <= 6 and all(AUTHOR_SEGMENT_RES[1].fullmatch(p.strip()) for p in parts) and len(core) < 120


def _walk_abstract(lines: list[Line], first: int, excluded: set[int]) -> list[int]:
    """Content line indices of the abstract starting at `first`."""
    taken: list[int] = []
    after_heading = False
    concluded = False  # a CONCLUSIONS heading was passed: what follows may be page matter
    closing = False  # the conclusions' text was taken: only a trailer section may follow
    for j in range(first, len(lines)):
        line = lines[j]
        if line.blank:
            continue
        if j in excluded:
            break
        label = line.inline_heading[3] if line.inline_heading else (
            line.core.rstrip(":.").strip() if "heading" in line.kinds or _heading_like(line.core) else None)
        category = heading_category(label) if label else None
        if closing and not (label and is_trailer_heading(label)) and not after_heading:
            break  # after the conclusions: a plain-language summary, key messages, page matter
        if "end_marker" in line.kinds and taken and (concluded or category is None):
            break
        concluded = concluded or category == "CONCLUSIONS"
        if "heading" in line.kinds and not ("end_marker" in line.kinds and taken):
            taken.append(j)
            after_heading = True
            continue
        if "end_marker" in line.kinds and taken and not line.inline_heading:
            break
        if line.kinds & STOPPERS and not line.inline_heading:
            if taken:
                break
            continue
        if after_heading or "prose" in line.kinds or line.inline_heading:
            taken.append(j)
            after_heading = False
            closing = concluded or _ends_with_conclusions(line)
            continue
        if "furniture" in line.kinds and not taken:
            continue
        structured = any("heading" in lines[i].kinds or lines[i].inline_heading for i in taken)
        heading_like = structured and _heading_like(line.core)
        if taken and words(line.core) >= 2 and not (line.kinds & {"furniture", "date", "notice"}) and (
            line.core[-1] in ".!?)" or lines[taken[-1]].core[-1] not in ".!?)" or heading_like
        ):
            # a short line inside an abstract: a sentence of its own, a wrapped line, or (in an
            # abstract with headings) a heading the map does not know
            taken.append(j)
            after_heading = heading_like
            continue
        if taken:
            break
    # trailing own-line headings with no text after them are not part of the abstract
    while taken and not lines[taken[-1]].inline_heading and (
        "heading" in lines[taken[-1]].kinds or lines[taken[-1]].core.endswith(":") or _heading_like(lines[taken[-1]].core)
    ):
        taken.pop()
    return taken


def _mark_space_headings(lines: list[Line], taken: list[int]) -> None:
    """Headings set off by nothing but a space ("Background Options for ...", medRxiv, BMJ).
    In an abstract that has no other headings they count only when two or more paragraphs
    open with known headings of different categories ("Background radiation was ..." alone
    stays text); next to other headings one is enough."""
    structured = any("heading" in lines[i].kinds or lines[i].inline_heading for i in taken)
    found = []
    for i in taken:
        if "heading" in lines[i].kinds or lines[i].inline_heading:
            continue
        words_ = lines[i].core.split(" ")
        for n in (4, 3, 2, 1):
            label = " ".join(words_[:n])
            rest = words_[n] if len(words_) > n else ""
            if (rest[:1].isupper() or rest[:1].isdigit()) and heading_category(label):
                found.append((i, label))
                break
    enough = len(found) >= 1 if structured else (
        len(found) >= 2 and len({heading_category(label) for _, label in found}) >= 2)
    if enough:
        for i, label in found:
            line = lines[i]
            line.inline_heading = (line.start, line.start + len(label), line.start + len(label) + 1, label)


def _ends_with_conclusions(line: Line) -> bool:
    """A one-block abstract whose last inline heading is CONCLUSIONS ("... CONCLUSIONS: ...")."""
    labels = [m.group("h").strip() for m in MIDLINE_HEADING_RE.finditer(line.core)]
    return bool(labels) and heading_category(labels[-1]) == "CONCLUSIONS"


def is_trailer_heading(text: str) -> bool:
    from pipeline.components.sections import is_trailer_heading as trailer

    return trailer(text)


def _heading_like(core: str) -> bool:
    """A short title-like line without a full stop: an author heading the map may not know."""
    core = core.rstrip(":").strip()
    n = len(core.split())
    return 1 <= n <= 6 and core[:1].isupper() and core[-1:] not in ".!?,;" and len(core) <= 60 and not any(c.isdigit() for c in core)


def _prose_runs(lines: list[Line], excluded: set[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    current: list[int] = []
    for line in lines:
        if line.blank:
            continue
        if line.index not in excluded and _is_content(line) and (
            not (line.kinds & (STOPPERS - {"inline_heading"})) or "heading" in line.kinds) or (
            line.inline_heading and line.index not in excluded and "notice" not in line.kinds
        ):
            current.append(line.index)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _run_size(lines: list[Line], run: list[int]) -> int:
    return sum(len(lines[i].core) for i in run if "heading" not in lines[i].kinds or lines[i].inline_heading)


def locate_abstract(lines: list[Line], excluded: set[int]) -> tuple[list[int], int | None]:
    """Returns (content line indices, index of the abstract marker line or None).

    Pages often show "Abstract" in menus and outlines as well as above the abstract, so
    every marker is tried and the longest walk wins; without a usable marker the longest run
    of prose paragraphs does, when it is long enough to be an abstract and not a notice.
    """
    best: list[int] = []
    best_marker = None
    for line in lines:
        if "abstract_marker" in line.kinds and line.index not in excluded:
            taken = _walk_abstract(lines, line.index + 1, excluded)
            if taken and _run_size(lines, taken) > _run_size(lines, best):
                best, best_marker = taken, line.index
    runs = [
        r for r in _prose_runs(lines, excluded)
        if _run_size(lines, r) >= 250 and max(len(lines[i].core) for i in r) >= 120
    ]
    prose_best = max(runs, key=lambda r: _run_size(lines, r)) if runs else []
    marker_size, prose_size = _run_size(lines, best), _run_size(lines, prose_best)
    if marker_size >= 150 and (len(best) >= 2 or marker_size >= 400 or marker_size >= 0.5 * prose_size):
        return best, best_marker
    if not prose_best:
        return (best, best_marker) if marker_size >= 100 else ([], None)
    run = prose_best
    # The run may have swallowed the title: a lone line before the first heading.
    heads = [k for k, i in enumerate(run) if "heading" in lines[i].kinds or lines[i].inline_heading]
    first = lines[run[0]]
    if heads and heads[0] == 1 and not first.inline_heading and words(first.core) <= 40 \
            and not regex.search(r"[.!?]\s+\p{Lu}", first.core):  # a one-sentence line: a title
        run = run[1:]
    return _walk_abstract(lines, run[0], excluded) or run, None


# --------------------------------------------------------------------------- headings

def headings_and_paragraphs(text: str, lines: list[Line], taken: list[int]) -> tuple[list[Heading], list[tuple[int, int]]]:
    headings: list[Heading] = []
    paragraphs: list[tuple[int, int]] = []
    pending: Line | None = None
    structured = any("heading" in lines[i].kinds or lines[i].inline_heading for i in taken)
    for k, i in enumerate(taken):
        line = lines[i]
        own_line = "heading" in line.kinds or (structured and _heading_like(line.core) and k + 1 < len(taken))
        if own_line and not line.inline_heading and len(line.core) <= 70:
            pending = line
            continue
        body_start = line.start
        if pending is not None:
            label = pending.core.rstrip(":.").strip()
            headings.append(Heading(text=label, start=pending.start, end=pending.start + len(label), body_start=line.start))
            pending = None
        elif line.inline_heading:
            h_start, h_end, body_start, label = line.inline_heading
            headings.append(Heading(text=text[h_start:h_end], start=h_start, end=h_end, body_start=body_start))
        # inline headings later in the same paragraph ("... study. METHODS: We ...")
        para_start = line.start
        for m in MIDLINE_HEADING_RE.finditer(text, body_start, line.end):
            label = m.group("h").strip()
            if heading_category(label) is None:
                continue
            if m.start() - para_start > 0:
                paragraphs.append((para_start, _rstrip(text, para_start, m.start())))
            headings.append(Heading(text=label, start=m.start(), end=m.start() + len(label), body_start=m.end()))
            para_start = m.start()
        paragraphs.append((para_start, line.end))
    return headings, paragraphs


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


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
        nxt = _next_meaningful(lines, line.index, +1)
        prv = _next_meaningful(lines, line.index, -1)
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


def _next_meaningful(lines: list[Line], index: int, step: int) -> Line | None:
    """The nearest non-blank, non-furniture line before (step -1) or after (step +1) a line."""
    j = index + step
    while 0 <= j < len(lines):
        line = lines[j]
        if not line.blank and not (line.kinds & {"furniture"} and not line.kinds & {"citation", "authors", "affiliation_header"}):
            return line
        j += step
    return None


FOOTNOTE_RE = regex.compile(r"^(\d{1,2}|[a-z*†‡§])(?=[A-Z])")


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
            m = regex.match(r"(?i)(?:published(?: online)?|epub|first published|publication date)\b[^0-9]{0,20}.*?\b((?:19|20)\d{2})\b", line.core)
            if m:
                meta["year"] = int(m.group(1))
                break
    labelled = _labelled_fields(outside, text)
    for key in ("journal", "volume", "issue", "pages", "year"):
        if key in labelled and key not in meta:
            meta[key] = labelled[key]
    doi = None
    for line in sorted(outside, key=lambda l: (l.index > first_abstract, l.index)):
        m = regex.search(r"(?i)\bdoi:?\s*(10\.\d{4,9}/[^\s\"<>]+)", line.core) or DOI_RE.search(line.core)
        if m and "notice" not in line.kinds:
            doi = _clean_doi(m.group(1))
            break
    if doi:
        meta["doi"] = doi
    for line in outside:  # a table row copied as "PMID" / "36198544" on two lines
        nxt = _next_nonblank(lines, line.index)
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
            part = regex.sub(r"^\d{1,2}[.)]?\s+", "", part)
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


# --------------------------------------------------------------------------- entry point

def clean_page(text: str, path: str, meta_hints: dict[str, list[str]] | None = None) -> Article:
    """Find title, abstract, headings, paragraphs and metadata in a page's source text."""
    article = Article(source_text=text, path=path, format="text")
    patterns = site_patterns()
    lines = split_lines(text)
    classify(lines, patterns)
    affiliation_idx = _affiliation_lines(lines)
    for i in affiliation_idx:
        lines[i].kinds.add("affiliation")
    taken, _marker = locate_abstract(lines, affiliation_idx)
    hints = meta_hints or {}
    meta_title = (hints.get("citation_title") or hints.get("dc.title") or hints.get("og:title") or [None])[0]
    if meta_title is None and hints.get("html_h1") and words(hints["html_h1"][0]) >= 4:
        meta_title = hints["html_h1"][0]
    title = find_title(lines, taken[0] if taken else None, affiliation_idx, meta_title, text)
    if title and taken:
        # a title never lies inside the abstract
        a_start = lines[taken[0]].start
        a_end = lines[taken[-1]].end
        if a_start <= title[0] < a_end:
            title = None
    article.title_span = title
    metadata = collect_metadata(text, lines, set(taken), affiliation_idx)
    metadata.update(metadata_from_hints(hints, metadata))
    if title:
        metadata["title"] = text[title[0]:title[1]]
    article.metadata = metadata
    if not taken:
        article.status = "no_abstract"
        if any("no_abstract_marker" in l.kinds for l in lines):
            article.warnings.append("the page says it has no abstract")
        else:
            article.warnings.append("no abstract found on the page")
        return article
    _mark_space_headings(lines, taken)
    if taken and any("no_abstract_marker" in l.kinds for l in lines[: taken[0]]):
        # "Abstract not available" stands before whatever prose was found: snippets of other
        # articles ("Cited by ... Abstract: ...") are not this article's abstract
        taken = []
    if not taken:
        article.status = "no_abstract"
        article.warnings.append("the page says it has no abstract")
        return article
    headings, paragraphs = headings_and_paragraphs(text, lines, taken)
    start = min([lines[taken[0]].start] + [h.start for h in headings])
    end = lines[taken[-1]].end
    article.abstract_span = (start, end)
    article.headings = headings
    article.paragraphs = paragraphs
    return article


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
            out["doi"] = _clean_doi(m.group(1))
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
