"""Author lines: telling a byline from prose, and splitting it into names."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from pipeline.cleaning.lines import SENTENCE_END_RE, affiliation_like, words

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

TITLE_RE = regex.compile(r"^(?:Prof|Dr)\.?\s+")
INITIAL_END_RE = regex.compile(r"(?:^|\s)\p{Lu}\.$")
ET_AL_RE = regex.compile(r"(?i)(?:et al\.?\s*)?(?:show all authors)?")
DEGREE_RE = regex.compile(r"(?:MD|PhD|MSc|MPH|MBBS|DM|RN|BSc|FRCS|FRCPC|DrPH|MBChB|MS|MA|PharmD|DO|MHS)\s*[\d,*†‡§]*|et al\.?")
AUTHOR_SPLIT_RE = regex.compile(r"\s*(?:[;,•·]|\band\b|&)\s*")
AUTHOR_SEPARATOR_RE = regex.compile(r"[;,•·&]|\band\b")  # where AUTHOR_SPLIT_RE can cut


FOOTNOTE_MARKS_RE = regex.compile(r"^[\d*∗†‡§#\s]+|(?<=\p{L}\.?)(?:\s*[\d*∗†‡§#]+(?:,\d+)*)+$|(?:\s+[a-z](?=\s|$))+$")
TRAILING_DEGREES_RE = regex.compile(r"(?:,?\s+(?:MD|PhD|MSc|MPH|MBBS|DM|RN|BSc|FRCS|FRCPC|DrPH|MBChB|PharmD|MHS)\b\.?)+$")
ROLE_RE = regex.compile(r"[a-z][a-z -]{2,60}")  # BMJ style "clinical research fellow" after a name
GROUP_AUTHOR_RE = regex.compile(r"(?i).{0,60}\b(?:study group|investigators|collaborators|consortium|collaborative group|trial group|group)\.?")


def _author_parts(core: str) -> list[str]:
    """Author-line segments with footnote marks, degrees and titles removed."""
    return list(_iter_author_parts(core))


def _iter_author_parts(core: str) -> Iterator[str]:
    for part in AUTHOR_SPLIT_RE.splititer(core):  # lazily: a caller may stop at the first part
        part = part.strip()
        part = FOOTNOTE_MARKS_RE.sub("", part).strip()
        part = TRAILING_DEGREES_RE.sub("", part).strip()
        part = TITLE_RE.sub("", part)
        # a trailing full stop belongs to an initial ("Pieter J."), not to a name
        if part.endswith(".") and not INITIAL_END_RE.search(part):
            part = part[:-1].rstrip()
        if part and not part.isdigit() and not DEGREE_RE.fullmatch(part) and not ROLE_RE.fullmatch(part):
            yield part


def is_author_line(core: str) -> bool:
    """A line that lists author names (two or more), as publisher and PubMed pages show them."""
    if not AUTHOR_SEPARATOR_RE.search(core):
        return False  # one segment at most: `_author_parts` splits only at these
    if len(core) > 1500 or "," not in core and SENTENCE_END_RE.search(core.rstrip(".")) and words(core) > 12:
        return False  # (the cheapest test first: a line with a comma needs none of the others)
    if affiliation_like(core):
        return False
    parts = []
    for part in _iter_author_parts(core):
        if len(part.split()) > 6:
            return False  # a name is not that long: prose (the rest of the line is not read)
        parts.append(part)
    if len(parts) < 2:
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
        if ET_AL_RE.fullmatch(part):
            continue
        if AUTHOR_SEGMENT_RES[2].fullmatch(part) and not GROUP_AUTHOR_RE.fullmatch(part):
            continue
        names.append(part)
    return names
