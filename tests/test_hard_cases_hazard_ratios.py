"""Issue #13, hard cases users hit: HAZARD_RATIO mentions (`find_hazard_ratios`).

Each row is (id, text, expected HAZARD_RATIO spans in order with the attributes that must
hold; `None` = the attribute is absent). Known misses are strict xfails in MISSES.
"""

from __future__ import annotations

import pytest

from pipeline.components.hazard_ratios import find_hazard_ratios
from tests.conftest import assert_spans, table_params


def ratios(text: str) -> list[tuple[str, dict]]:
    return [(h.text, h.attrs) for h in find_hazard_ratios(text)]


# an unlabelled ratio with its interval that continues a hazard-ratio statement, and the
# endpoint written at each ratio
TUPLE_CASES = [
    ("and-for-progression", "Compared with placebo, the HR for death was 0.71 (95% CI 0.58-0.87) and for progression 0.62 (0.50-0.77).",
     [("0.71", {"value": 0.71, "ci": [0.58, 0.87], "endpoint": "OS"}), ("0.62", {"value": 0.62, "ci": [0.5, 0.77], "endpoint": "PFS"})]),
    ("endpoint-after-each", "HRs were 0.68 (95% CI 0.55-0.84) for OS and 0.59 (0.48-0.72) for PFS.",
     [("0.68", {"ci": [0.55, 0.84], "endpoint": "OS"}), ("0.59", {"ci": [0.48, 0.72], "endpoint": "PFS"})]),
    ("events-after-each", "Hazard ratios were 0.80 (0.70-0.92) for death and 0.75 (0.66-0.85) for progression.",
     [("0.80", {"endpoint": "OS"}), ("0.75", {"endpoint": "PFS"})]),
    ("semicolon-for-progression", "The HR for death was 0.71; for progression, 0.62 (0.50-0.77).",
     [("0.71", {"endpoint": "OS"}), ("0.62", {"ci": [0.5, 0.77], "endpoint": "PFS"})]),
    ("endpoint-phrases", "The HR for overall survival was 0.71 (0.58-0.87) and for progression-free survival 0.62 (0.50-0.77).",
     [("0.71", {"endpoint": "OS"}), ("0.62", {"endpoint": "PFS"})]),
    ("subgroup-after-is-not-endpoint", "The hazard ratio was 0.74 (95% CI 0.61-0.90) for patients older than 65 years.",
     [("0.74", {"ci": [0.61, 0.9], "endpoint": None})]),
    ("respectively-list", "The hazard ratios for OS and PFS were 0.68 (95% CI, 0.55 to 0.84) and 0.59 (95% CI, 0.48 to 0.72), respectively.",
     [("0.68", {"endpoint": "OS"}), ("0.59", {"endpoint": "PFS"})]),
]

# a risk ratio for death, or for progression (recurrence, relapse) or death, is the ratio of a
# survival comparison (contract: "a hazard ratio (or a risk ratio for death)")
RISK_RATIO_CASES = [
    ("rr-progression-or-death", "relative risk of progression or death 0.64 (95% CI 0.51-0.80)",
     [("0.64", {"value": 0.64, "ci": [0.51, 0.8], "endpoint": "PFS"})]),
    ("rr-progression-or-death-was", "The relative risk of progression or death was 0.64 (95% CI 0.51-0.80).",
     [("0.64", {"endpoint": "PFS"})]),
    ("risk-ratio-for-progression-or-death-p", "The risk ratio for progression or death was 0.72 (95% CI 0.60-0.86; P<0.001).",
     [("0.72", {"ci": [0.6, 0.86], "p": "P<0.001", "endpoint": "PFS"})]),
    ("rr-recurrence-or-death", "The relative risk of recurrence or death was 0.77 (95% CI 0.65-0.91).",
     [("0.77", {"endpoint": "RFS"})]),
    ("rr-death", "The relative risk of death was 0.85 (95% CI 0.74-0.97).", [("0.85", {"endpoint": "OS"})]),
    ("rr-response-not", "The relative risk of response was 1.45 (95% CI 1.10-1.91).", []),
    ("or-toxicity-not", "The odds ratio for grade 3 neutropenia was 2.1 (95% CI 1.3-3.4).", []),
]

# a sample-size statement's planned or assumed ratio is not a reported one
PLANNED_CASES = [
    ("assuming", "Assuming a hazard ratio of 0.70, 420 events were needed.", []),
    ("to-detect", "The trial was designed to detect an HR of 0.75 with 80% power.", []),
    ("power-to-detect-for-os", "A sample size of 600 patients provides 90% power to detect a hazard ratio of 0.75 for OS.", []),
    ("power-bracket", "With 80% power to detect a HR of 0.67 (two-sided alpha 0.05), 250 events were required.", []),
    ("expected", "The sample size was based on an expected HR of 0.72 for death.", []),
    ("proportional-hazards-assumption-kept", "Assuming proportional hazards, the HR for OS was 0.81 (95% CI 0.70-0.94).",
     [("0.81", {"ci": [0.7, 0.94], "endpoint": "OS"})]),
    ("reported-after-planned-clause", "The study was powered for an HR of 0.75; the observed HR for death was 0.79 (95% CI 0.66-0.95).",
     [("0.79", {"ci": [0.66, 0.95], "endpoint": "OS"})]),
]

MISSES: dict[str, str] = {
    "respectively-list": "a `respectively` list of endpoints before the ratios is not distributed: both ratios get the "
    "endpoint of the cue's first `for` phrase (OS)",
}


@pytest.mark.parametrize("text,expected", table_params(TUPLE_CASES, MISSES))
def test_hard_hazard_ratios_tuples(text, expected):
    assert_spans(ratios(text), expected)


@pytest.mark.parametrize("text,expected", table_params(RISK_RATIO_CASES, MISSES))
def test_hard_hazard_ratios_risk_ratio_of_progression_or_death(text, expected):
    assert_spans(ratios(text), expected)


@pytest.mark.parametrize("text,expected", table_params(PLANNED_CASES, MISSES))
def test_hard_hazard_ratios_planned_not_reported(text, expected):
    assert_spans(ratios(text), expected)
