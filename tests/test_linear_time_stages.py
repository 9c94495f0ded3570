"""Every tagging stage is linear in the length of its text: hypothesis-generated adversarial
texts (repetitions and mixtures of number, unit, CI, HR, p-value, dash, comma and bracket
tokens; tests/adversarial.py) run through each stage function within the time budget, and
4x the text takes well under 16x (quadratic) the time."""

from __future__ import annotations

from functools import lru_cache

import pytest
import spacy
from hypothesis import HealthCheck, given, settings

from pipeline.components.doses import find_doses, tagging_nlp
from pipeline.components.hazard_ratios import find_hazard_ratios
from pipeline.components.sentences import (
    set_sentence_starts,  # noqa: F401  (registers the component)
)
from pipeline.components.survival import find_survival_figures
from pipeline.components.tokenizer import AbstractTokenizer, split_words
from tests.adversarial import (
    TIMING_PHASES,
    assert_scales_linearly,
    assert_within_budget,
    fill,
    mixtures,
)

FAST = settings(max_examples=8, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow], phases=TIMING_PHASES)
SLOW = settings(max_examples=4, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow], phases=TIMING_PHASES)


@lru_cache(maxsize=1)
def sentence_nlp():
    nlp = spacy.blank("en")
    nlp.tokenizer = AbstractTokenizer(nlp.vocab)
    nlp.add_pipe("abstracts_sentences")
    return nlp


STAGES = {
    "tokenizer": split_words,
    "sentences": lambda text: sentence_nlp()(text),
    "doses": find_doses,
    "survival": find_survival_figures,
    "hazard_ratios": find_hazard_ratios,
}


@pytest.mark.parametrize("stage", STAGES)
@FAST
@given(mixture=mixtures)
def test_linear_time_stage_within_budget(stage, mixture):
    assert_within_budget(STAGES[stage], fill(mixture, 20_000), stage)


@pytest.mark.slow
@pytest.mark.parametrize("stage", STAGES)
@SLOW
@given(mixture=mixtures)
def test_linear_time_stage_scales_linearly(stage, mixture):
    assert_scales_linearly(STAGES[stage], lambda n: fill(mixture, n), 25_000, stage)


@pytest.mark.slow
@SLOW
@given(mixture=mixtures)
def test_linear_time_dose_component_with_drugs_scales_linearly(mixture):
    """Drug linking (one binary search per dose) on text that mixes drug names into the run."""
    nlp = tagging_nlp()
    with_drugs = mixture + ["oxaliplatin ", "5-FU/LV ", "epirubicin (E) "]
    assert_scales_linearly(nlp, lambda n: fill(with_drugs, n), 25_000, "drugs + doses")
