"""Line shape tests: the shortcuts answer as the tests as first written."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cleaning.lines import (
    MENU_SPLIT_RE,
    SENTENCE_END_RE,
    is_menu_line,
    is_prose,
    words,
)
from tests.conftest import corpus_lines


def _is_menu_line_as_written(core: str) -> bool:
    parts = [p for p in MENU_SPLIT_RE.split(core) if p.strip()]
    return len(parts) >= 3 and all(len(p.split()) <= 4 and not SENTENCE_END_RE.search(p) for p in parts)


def _is_prose_as_written(core: str) -> bool:
    return len(core) >= 60 and words(core) >= 8 and bool(SENTENCE_END_RE.search(core)) and any(c.islower() for c in core)


def test_clean_line_shapes_answer_as_written_on_corpus_lines():
    menus = 0
    for line in corpus_lines():
        assert is_menu_line(line) == _is_menu_line_as_written(line), line
        assert is_prose(line) == _is_prose_as_written(line), line
        menus += is_menu_line(line)
    assert menus >= 1


_PIECES = ["Article", "Metrics", "Related content", "  ", "   ", "\t", " | ", " • ", " · ", ".", "!", "?", ")", "]",
           " ", "\u00a0", "\u2003", "end.", "a b c d e", "x", "Patients were randomised", "\u00a0|\u00a0"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=16).map("".join))
def test_clean_line_shapes_answer_as_written_generated(line):
    assert is_menu_line(line) == _is_menu_line_as_written(line)
    assert is_prose(line) == _is_prose_as_written(line)
