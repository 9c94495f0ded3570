"""Finding the abstract among a page's classified lines: where it starts, where it ends, and
the headings and paragraphs inside it.
"""

from __future__ import annotations

import regex

from pipeline.article import Heading
from pipeline.cleaning.authors import AUTHOR_SEGMENT_RES, AUTHOR_SPLIT_RE
from pipeline.cleaning.lines import (
    MIDLINE_HEADING_RE,
    STOPPERS,
    Line,
    affiliation_like,
    is_content,
    words,
)
from pipeline.cleaning.site_patterns import heading_category, site_patterns

NUMBERED_ITEM_RE = regex.compile(r"\d{1,2}[.)]?\s")
SECOND_SENTENCE_RE = regex.compile(r"[.!?]\s+\p{Lu}")


def affiliation_lines(lines: list[Line]) -> set[int]:
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
                        and not affiliation_like(nxt.core):
                    break
                if (nxt.core.isdigit() and len(nxt.core) <= 2) or "authors" in nxt.kinds or "furniture" in nxt.kinds \
                        or _is_name_line(nxt.core):
                    j += 1  # footnote numbers, author names, furniture inside the block
                    continue
                if not (affiliation_like(nxt.core) or NUMBERED_ITEM_RE.match(nxt.core)):
                    break
                out.add(j)
                j += 1
        elif patterns.first_match("affiliation_prefixes", line.core):
            out.add(line.index)
    return out


def _is_name_line(core: str) -> bool:
    """"Nils Oskarsson & Martina Kessler" or a single "Mateo Lombardi" inside an affiliation block."""
    parts = [p for p in AUTHOR_SPLIT_RE.split(core) if p.strip()]
    return 1 <= len(parts) <= 6 and all(AUTHOR_SEGMENT_RES[1].fullmatch(p.strip()) for p in parts) and len(core) < 120


# An abstract without headings longer than this (about 550 words) ends at its next paragraph
# break: what follows is the article body of a saved full-text page.
MAX_UNSTRUCTURED_CHARS = 3500


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
        unstructured = taken and not any("heading" in lines[i].kinds or lines[i].inline_heading for i in taken)
        if unstructured and "heading" in line.kinds and category and category != "CONCLUSIONS":
            break  # an abstract that opened without headings does not grow them: the article body starts
        if unstructured and j > taken[-1] + 1 and lines[taken[-1]].end - lines[taken[0]].start >= MAX_UNSTRUCTURED_CHARS:
            break  # a new paragraph after an abstract's worth of text without headings: body text
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


def mark_space_headings(lines: list[Line], taken: list[int]) -> None:
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
    from pipeline.components.heading_map import is_trailer_heading as trailer

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
        if line.index not in excluded and is_content(line) and (
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
            and not SECOND_SENTENCE_RE.search(first.core):  # a one-sentence line: a title
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
