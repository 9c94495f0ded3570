"""The shortcuts of the SURVIVAL and HAZARD_RATIO taggers change no output.

Each shortcut skips work that a necessary condition shows cannot find anything (a sentence
with no endpoint cue holds no survival figure, ...). Here every one is switched off (its
test always says "go on") and the output compared with the tagger's own, on real abstracts
and on text glued at random from the phrases those conditions are about.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.components import hazard_ratios, survival
from pipeline.components.hazard_ratios import find_hazard_ratios
from pipeline.components.survival import find_survival_figures
from tests.conftest import shared_path

# (module, name, answer) of each shortcut's test; switched off, it always gives `answer` (go on)
SHORTCUTS = [
    (survival, "_could_hold_figure", True),
    (hazard_ratios, "has_cue_word", True),
    (hazard_ratios, "ends_inside", False),  # then the whole text is searched for a cue
    (hazard_ratios, "written_hr", True),
]


def _slow(monkeypatch: pytest.MonkeyPatch) -> None:
    for module, name, answer in SHORTCUTS:
        monkeypatch.setattr(module, name, lambda *args, answer=answer: answer)


def _run(text: str) -> tuple[list, list]:
    return find_survival_figures(text), find_hazard_ratios(text)


def _abstract_texts(limit: int) -> list[str]:
    """The pmc-rct abstracts that report survival, then others up to `limit` in all."""
    path = shared_path("data", "pmc-rct", "abstracts.jsonl")
    with path.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    records.sort(key=lambda r: not r["survival_rich"])
    return [" ".join(s["text"] for s in r["sections"]) for r in records[:limit]]


def test_survival_fast_paths_same_output_on_abstracts(monkeypatch):
    texts = _abstract_texts(1500)
    fast = [_run(text) for text in texts]
    _slow(monkeypatch)
    slow = [_run(text) for text in texts]
    assert fast == slow
    assert sum(len(s) + len(h) for s, h in fast) > 200


FRAGMENTS = [
    "overall survival", "OS", "(OS)", "progression-free", "progression-free survival", "PFS", "nPFS", "DFS",
    "disease-specific", "and", "or", ",", ";", ".", "respectively", "median", "mean", "the", "was", "were",
    "12.5 months", "3-year", "5 years", "at 2 years", "45%", "30 %", "1-, 3- and 5-year", "at 1, 2 and 3 years",
    "(95% CI 1.2-3.4)", "95% CI,", "(range, 2-40 months)", "P = .03", "p<0.001", "HR 0.71", "hazard ratio",
    "HR for death", "0.62 (0.50-0.77)", "odds ratio", "follow-up", "median follow-up of 24 months", "response rate",
    "were alive at 5 years", "of patients", "remained alive and disease-free at 3 years", "n = 40", "vs", "versus",
    "sample size", "to detect", "heart rate (HR)", "death", "mortality", "stroke", "for arms A and B", "in the",
    "groups", "4.4 and 4.5 months", "16 month", "(", ")", "[", "]", "14", "0.8", "alive", "Alive",
    "aHR", "HRs", "HRx", "HR 80 bpm", "HRmax", "relative risk of death", "risk ratio for death", "Hazard Ratio",
]


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from([" ", " ", ", ", "; ", ". ", "", "-"])), min_size=1, max_size=40))
def test_survival_fast_paths_same_output_on_generated_text(parts):
    text = "".join(word + joiner for word, joiner in parts)
    fast = _run(text)
    with pytest.MonkeyPatch.context() as monkeypatch:
        _slow(monkeypatch)
        slow = _run(text)
    assert fast == slow, text


def _glued_piece_text(tail: str) -> str:
    # a run of more than MAX_SENTENCE_CHARS characters with no break is cut hard: the first
    # piece ends inside `/HRx`, where a cue `HR` fits the piece but not the text
    from pipeline.components.sentences import MAX_SENTENCE_CHARS

    return "y" * (MAX_SENTENCE_CHARS - 3) + "/HRx 0.71 (95% CI 0.60-0.84) for death" + tail


EDGE_TEXTS = [_glued_piece_text(""), _glued_piece_text("; HR 0.5 (0.4-0.6)"), "OS HR 0.7 (0.6-0.8)", "HR"]


@pytest.mark.parametrize("text", EDGE_TEXTS, ids=["cut_cue", "cut_cue_and_cue", "short", "cue_only"])
def test_survival_fast_paths_same_output_at_text_edges(monkeypatch, text):
    fast = _run(text)
    _slow(monkeypatch)
    assert _run(text) == fast


def _bracket_table(text: str, lo: int, hi: int) -> tuple[list[int], list[int]]:
    """The per-position table `Brackets` replaced: one pass each way over every character."""
    opens: list[int] = []
    starts = [lo] * (hi - lo + 1)
    for i in range(lo, hi):
        starts[i - lo] = opens[-1] + 1 if opens else lo
        if text[i] in "([":
            opens.append(i)
        elif text[i] in ")]" and opens:
            opens.pop()
    starts[hi - lo] = opens[-1] + 1 if opens else lo
    closes: list[int] = []
    ends = [hi] * (hi - lo + 1)
    for i in range(hi - 1, lo - 1, -1):
        if text[i] in ")]":
            closes.append(i)
        elif text[i] in "([" and closes:
            closes.pop()
        ends[i - lo] = closes[-1] if closes else hi
    return starts, ends


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet="()[]x ;", max_size=40), st.integers(0, 40), st.integers(0, 40))
def test_survival_fast_paths_brackets_as_the_table(text, a, b):
    from pipeline.components.stat_patterns import Brackets

    lo, hi = sorted((min(a, len(text)), min(b, len(text))))
    starts, ends = _bracket_table(text, lo, hi)
    brackets = Brackets(text, lo, hi)
    assert [brackets.enclosure(p) for p in range(lo, hi + 1)] == list(zip(starts, ends))


def test_cues_of_a_batch_are_found_once_and_the_kept_text_is_bounded(monkeypatch):
    """`tag_articles` runs SURVIVAL over a whole batch before HAZARD_RATIO: the second reading
    of each text's cues comes from what was kept, and no more than CUE_CACHE_CHARS is kept."""
    from pipeline.components import survival_terms
    from pipeline.components.survival_terms import SurvivalLexicon, load_terms

    lex = SurvivalLexicon(load_terms())
    calls = []
    real = lex._find_cues
    monkeypatch.setattr(lex, "_find_cues", lambda text: calls.append(text) or real(text))
    texts = [f"Median overall survival was {n}.5 months and progression-free survival {n} months." for n in range(40)]
    first = [lex.find_cues(t) for t in texts]
    again = [lex.find_cues("".join(t)) for t in texts]  # equal texts, other objects
    assert first == again and len(calls) == 40
    assert {c.endpoint for c in first[0]} >= {"OS", "PFS"}
    monkeypatch.setattr(survival_terms, "CUE_CACHE_CHARS", 10 * len(texts[0]))
    lex.find_cues("Overall survival was 3 months.")
    assert sum(len(t) for t in lex._kept) <= 10 * len(texts[0]) and len(lex._kept) <= 10
