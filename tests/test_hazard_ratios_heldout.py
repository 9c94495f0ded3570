"""HAZARD_RATIO held-out cases: written after tuning and never used to tune.
Known misses are xfail(strict=True)."""

from __future__ import annotations

import pytest

from pipeline.components.hazard_ratios import find_hazard_ratios
from tests.conftest import assert_spans, table_params


def check(text, expected):
    got = [(h.text, h.attrs) for h in find_hazard_ratios(text)]
    assert_spans(got, expected)


HELD_OUT = [
    ("stratified_hr_p", "Overall survival favoured nivolumab (stratified hazard ratio for death, 0.59; 95% CI, 0.44 to 0.79; P<0.001).",
     [("0.59", {"endpoint": "OS", "ci": [0.44, 0.79], "p": "P<0.001"})]),
    ("hr_progression_or_death", "The hazard ratio for disease progression or death was 0.48 (95% CI, 0.37-0.63).",
     [("0.48", {"endpoint": "PFS", "ci": [0.37, 0.63]})]),
    ("two_subgroups", "The benefit in PFS held in men (HR 0.61; 95% CI 0.47-0.80) and women (HR 0.72; 95% CI 0.51-1.02).",
     [("0.61", {"endpoint": "PFS", "ci": [0.47, 0.8]}), ("0.72", {"endpoint": "PFS", "ci": [0.51, 1.02]})]),
    ("dfs_hr_square_brackets", "Disease-free survival did not differ [HR 1.04, 95% CI 0.88-1.23; p = 0.64].",
     [("1.04", {"endpoint": "DFS", "ci": [0.88, 1.23], "p": "p = 0.64"})]),
    ("or_toxicity_not", "Grade 3 toxicity was more frequent with the triplet (OR 2.3; 95% CI 1.4-3.8).", []),
    ("multivariable_hr", "In multivariable analysis, ECOG 2 predicted shorter OS (HR = 2.15, 95% CI: 1.38-3.36, p = 0.001).",
     [("2.15", {"endpoint": "OS", "ci": [1.38, 3.36], "p": "p = 0.001"})]),
    ("hr_words_equal", "For RFS the hazard ratio was 0.81 (0.66 to 0.99).", [("0.81", {"endpoint": "RFS", "ci": [0.66, 0.99]})]),
    ("heart_rate_not", "Mean HR decreased from 92 to 78 beats per minute after esmolol.", []),
]

KNOWN_MISSES = {}


@pytest.mark.parametrize("text,expected", table_params(HELD_OUT, KNOWN_MISSES))
def test_hazard_ratio_heldout_case(text, expected):
    check(text, expected)
