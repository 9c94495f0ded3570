"""The whole pipeline (tokenizer, sentences, sections, drugs, doses, survival, hazard ratios)
is linear in page length on hypothesis-generated adversarial text (tests/adversarial.py) and
on plain prose. (The sections stage used to read `doc.text`, a join over every token, once
per sentence on pages without headings, and the dose stage once per dose: both quadratic.)"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.adversarial import (
    MAX_SCALING,
    NOISE_FLOOR,
    TIMING_PHASES,
    assert_scales_linearly,
    budget,
    fill,
    mixtures,
    no_gc,
)

REPO = Path(__file__).resolve().parents[1]

SETTINGS = settings(max_examples=6, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow], phases=TIMING_PHASES)


def tagging_seconds(nlp, text: str) -> float:
    """Seconds for every stage."""
    return sum(stage_seconds(nlp, text).values())


def stage_seconds(nlp, text: str) -> dict[str, float]:
    """Run `text` as an abstract through every stage; seconds per stage."""
    times = {}
    with no_gc():
        t = time.perf_counter()
        doc = nlp.make_doc(text)
        times["tokenizer"] = time.perf_counter() - t
        doc._.segment, doc._.headings, doc._.paragraphs = "abstract", [], []
        for name, proc in nlp.pipeline:
            t = time.perf_counter()
            doc = proc(doc)
            times[name] = time.perf_counter() - t
    return times


@SETTINGS
@given(mixture=mixtures)
def test_linear_time_whole_pipeline_within_budget(nlp, mixture):
    text = fill(mixture, 20_000)
    times = stage_seconds(nlp, text)
    took = sum(times.values())
    assert took < budget(len(text)), (text[:80], times)


@pytest.mark.slow
@SETTINGS
@given(mixture=mixtures)
def test_linear_time_whole_pipeline_scales_linearly(nlp, mixture):
    assert_scales_linearly(lambda text: tagging_seconds(nlp, text), lambda n: fill(mixture, n), 25_000, "whole pipeline", reports_seconds=True)


def corpus_prose(size: int) -> str:
    """The bundled corpus pages run together as one paragraph of plain prose (no headings)."""
    pages = sorted((REPO / "corpus").rglob("*.txt"))
    text = " ".join(" ".join(p.read_text(encoding="utf-8", errors="replace").split()) for p in pages)
    return (text * (size // len(text) + 1))[:size]


@pytest.mark.slow
def test_linear_time_prose_whole_pipeline(nlp):
    """Plain prose used to grow quadratically (sentence starts set token by token: one
    rescan of the Doc each): 250 KB took 95-177 s."""
    assert_scales_linearly(lambda text: tagging_seconds(nlp, text), corpus_prose, 25_000, "whole pipeline on prose", reports_seconds=True)


@pytest.mark.slow
def test_linear_time_sections_on_prose(nlp):
    small, large = corpus_prose(25_000), corpus_prose(100_000)
    # the best of two runs each: the first call on a text pays one-off costs
    t1 = min(stage_seconds(nlp, small)["abstracts_sections"] for _ in range(2))
    t4 = min(stage_seconds(nlp, large)["abstracts_sections"] for _ in range(2))
    assert t4 < budget(len(large)) and t4 < MAX_SCALING * max(t1, NOISE_FLOOR), (t1, t4)


@pytest.mark.parametrize("stage", ["abstracts_sections", "abstracts_doses"])
def test_linear_time_stage_reads_the_text_once(nlp, stage):
    """A page of many short sentences, each with a dose, and no headings: the stage's time
    grows with the page, not with the page times its sentences (doc.text per sentence/dose)."""
    sentence = "Patients received 5 mg of drug A and the median survival was 12 months in the treated group. "
    small, large = sentence * 300, sentence * 1200
    t1 = min(stage_seconds(nlp, small)[stage] for _ in range(2))
    t4 = min(stage_seconds(nlp, large)[stage] for _ in range(2))
    assert t4 < MAX_SCALING * max(t1, NOISE_FLOOR), (t1, t4)
