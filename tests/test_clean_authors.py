"""Author-line tests: the cheap shortcuts answer as the tests as first written."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cleaning import authors
from pipeline.cleaning.lines import SENTENCE_END_RE, affiliation_like, words
from tests.conftest import corpus_lines


def _is_author_line_as_written(core: str) -> bool:
    """is_author_line before its shortcuts: every part split off first, the comma test last."""
    if not authors.AUTHOR_SEPARATOR_RE.search(core):
        return False
    if len(core) > 1500 or SENTENCE_END_RE.search(core.rstrip(".")) and words(core) > 12 and "," not in core:
        return False
    if affiliation_like(core):
        return False
    parts = []
    for part in authors.AUTHOR_SPLIT_RE.split(core):
        part = authors.FOOTNOTE_MARKS_RE.sub("", part.strip()).strip()
        part = authors.TRAILING_DEGREES_RE.sub("", part).strip()
        part = authors.TITLE_RE.sub("", part)
        if part.endswith(".") and not authors.INITIAL_END_RE.search(part):
            part = part[:-1].rstrip()
        if part and not part.isdigit() and not authors.DEGREE_RE.fullmatch(part) and not authors.ROLE_RE.fullmatch(part):
            if len(part.split()) > 6:
                return False
            parts.append(part)
    if len(parts) < 2:
        return False
    hits = sum(1 for p in parts if any(r.fullmatch(p) for r in authors.AUTHOR_SEGMENT_RES))
    return hits >= 2 and hits / len(parts) >= 0.7


def test_clean_author_line_answers_as_written_on_corpus_lines():
    lines = corpus_lines()
    found = 0
    for line in lines:
        assert authors.is_author_line(line) == _is_author_line_as_written(line), line
        assert list(authors.AUTHOR_SPLIT_RE.splititer(line)) == authors.AUTHOR_SPLIT_RE.split(line)
        found += authors.is_author_line(line)
    assert found > 20


_PIECES = ["Smith J", "Jane Doe", "MD", "PhD", "Dr. ", ", ", "; ", " and ", " & ", "1", "*", "†", " a", ".",
           "University", "patients were randomised", " et al", "Study Group", " ", "Océane Marchetti"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=16).map("".join))
def test_clean_author_line_answers_as_written_generated(line):
    assert authors.is_author_line(line) == _is_author_line_as_written(line)
    assert list(authors.AUTHOR_SPLIT_RE.splititer(line)) == authors.AUTHOR_SPLIT_RE.split(line)
