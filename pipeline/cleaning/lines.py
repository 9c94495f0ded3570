"""Page lines and their kinds: a page's text split into lines, each classified (blank, furniture,
notice, citation, heading, prose, ...) by the site patterns and a few shape tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import regex

from pipeline.cleaning.site_patterns import BULLETS, SPACE_CHARS


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


def is_menu_line(core: str) -> bool:
    """A row of navigation items copied as one line: "Article   Related content   Metrics"."""
    if SENTENCE_END_RE.search(core):
        # the stop is no split point, so one of the parts ends a sentence: no menu (and no
        # need to split a prose line)
        return False
    parts = [p for p in MENU_SPLIT_RE.split(core) if p.strip()]
    return len(parts) >= 3 and all(len(p.split()) <= 4 and not SENTENCE_END_RE.search(p) for p in parts)


def is_second_half(lines: list[Line], line: Line) -> bool:
    prev = prev_nonblank(lines, line.index)
    return prev is not None and prev.citation is not None and line.core.startswith(".")


def next_nonblank(lines: list[Line], index: int) -> Line | None:
    for j in range(index + 1, min(index + 4, len(lines))):
        if not lines[j].blank:
            return lines[j]
    return None


def prev_nonblank(lines: list[Line], index: int) -> Line | None:
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
AFFILIATION_RE = regex.compile(
    r"\b(Department|Dept\.?|University|Universit[àéä]|Institute|Institut|Hospital|Hôpital|Center|Centre|"
    r"School|College|Clinic|Klinik|Division|Faculty|Laboratory|Unit|Cancer Center|Foundation|Research)\b"
)
MIDLINE_HEADING_RE = regex.compile(r"(?<=[.?!)]\s{1,3})(?P<h>[A-Z][A-Za-z][A-Za-z ,&/\-]{1,60}?):\s+(?=\S)")


def words(text: str) -> int:
    return len(WORD_RE.findall(text))


def is_prose(core: str) -> bool:
    # (the whole-line word count last: the tests are and-ed, their order is free)
    return len(core) >= 60 and bool(SENTENCE_END_RE.search(core)) and any(c.islower() for c in core) and words(core) >= 8



CONTENT = {"prose", "heading", "inline_heading"}
STOPPERS = {"end_marker", "copyright", "notice", "citation", "affiliation_header", "mesh_header", "keywords", "no_abstract_marker", "authors"}


def is_content(line: Line) -> bool:
    if "notice" in line.kinds:
        return False
    return bool(line.kinds & CONTENT)


def affiliation_like(core: str) -> bool:
    return bool(AFFILIATION_RE.search(FOOTNOTE_RE.sub("", core)))


def next_meaningful(lines: list[Line], index: int, step: int) -> Line | None:
    """The nearest non-blank, non-furniture line before (step -1) or after (step +1) a line."""
    j = index + step
    while 0 <= j < len(lines):
        line = lines[j]
        if not line.blank and not (line.kinds & {"furniture"} and not line.kinds & {"citation", "authors", "affiliation_header"}):
            return line
        j += step
    return None


FOOTNOTE_RE = regex.compile(r"^(\d{1,2}|[a-z*†‡§])(?=[A-Z])")
