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

# a list of ratios closed by `respectively` (or `in that order`) goes to a list of endpoints
# in the same order, written before the ratios or after them; lists of different lengths,
# and lists of what is not an endpoint (arms, subgroups), leave the endpoints as they were
RESPECTIVELY_CASES = [
    ("words-death-progression",
     "The hazard ratios for death and for disease progression were 0.71 (95% CI, 0.58 to 0.87) and 0.62 (95% CI, 0.50 to 0.77), respectively.",
     [("0.71", {"value": 0.71, "ci": [0.58, 0.87], "p": None, "endpoint": "OS"}),
      ("0.62", {"value": 0.62, "ci": [0.5, 0.77], "p": None, "endpoint": "PFS"})]),
    ("words-endpoint-phrases",
     "Hazard ratios for overall survival and progression-free survival were 0.80 (95% CI 0.68-0.94) and 0.66 (95% CI 0.57-0.77), respectively.",
     [("0.80", {"ci": [0.68, 0.94], "endpoint": "OS"}), ("0.66", {"ci": [0.57, 0.77], "endpoint": "PFS"})]),
    ("defined-abbreviations-with-p",
     "The hazard ratios for overall survival (OS) and progression-free survival (PFS) were 0.80 (0.68-0.94; P = .007) and 0.66 (0.57-0.77; P < .001), respectively.",
     [("0.80", {"ci": [0.68, 0.94], "p": "P = .007", "endpoint": "OS"}), ("0.66", {"ci": [0.57, 0.77], "p": "P < .001", "endpoint": "PFS"})]),
    ("abbreviations-dfs-efs", "HRs for DFS and EFS were 0.74 (95% CI 0.60-0.91) and 0.70 (95% CI 0.57-0.86), respectively.",
     [("0.74", {"endpoint": "DFS"}), ("0.70", {"endpoint": "EFS"})]),
    ("reversed-order", "HRs for PFS and OS were 0.59 (0.48-0.72) and 0.68 (0.55-0.84), respectively.",
     [("0.59", {"endpoint": "PFS"}), ("0.68", {"endpoint": "OS"})]),
    ("relapse-and-for-death", "HRs for relapse and for death were 0.65 (0.52-0.81) and 0.79 (0.62-1.00), respectively.",
     [("0.65", {"endpoint": "RFS"}), ("0.79", {"ci": [0.62, 1.0], "endpoint": "OS"})]),
    ("risk-of-death-and-of-progression",
     "The hazard ratios for the risk of death and of progression were 0.75 (0.60-0.94) and 0.62 (0.50-0.77), respectively.",
     [("0.75", {"endpoint": "OS"}), ("0.62", {"endpoint": "PFS"})]),
    ("elliptic-disease-free-and-overall",
     "The hazard ratios for disease-free and overall survival were 0.77 (0.65-0.91) and 0.83 (0.70-0.98), respectively.",
     [("0.77", {"endpoint": "DFS"}), ("0.83", {"endpoint": "OS"})]),
    ("elliptic-overall-and-progression-free",
     "Compared with placebo, HRs for overall and progression-free survival were 0.81 (0.70-0.94) and 0.62 (0.53-0.73), respectively.",
     [("0.81", {"endpoint": "OS"}), ("0.62", {"endpoint": "PFS"})]),
    ("three-endpoints", "Hazard ratios for OS, PFS, and DFS were 0.81 (0.70-0.94), 0.72 (0.61-0.85), and 0.69 (0.58-0.82), respectively.",
     [("0.81", {"ci": [0.7, 0.94], "endpoint": "OS"}), ("0.72", {"ci": [0.61, 0.85], "endpoint": "PFS"}),
      ("0.69", {"ci": [0.58, 0.82], "endpoint": "DFS"})]),
    ("list-after-ratios", "Nivolumab gave HRs of 0.68 (95% CI 0.55-0.84) and 0.59 (95% CI 0.48-0.72) for OS and PFS, respectively.",
     [("0.68", {"ci": [0.55, 0.84], "endpoint": "OS"}), ("0.59", {"ci": [0.48, 0.72], "endpoint": "PFS"})]),
    ("list-after-marker", "The HRs were 0.68 (0.55-0.84) and 0.59 (0.48-0.72), respectively, for OS and PFS.",
     [("0.68", {"endpoint": "OS"}), ("0.59", {"endpoint": "PFS"})]),
    ("marker-before-ratios", "The HRs for OS and PFS were, respectively, 0.68 (95% CI 0.55-0.84) and 0.59 (95% CI 0.48-0.72).",
     [("0.68", {"ci": [0.55, 0.84], "endpoint": "OS"}), ("0.59", {"ci": [0.48, 0.72], "endpoint": "PFS"})]),
    ("in-that-order", "HRs for PFS and OS were 0.59 (0.48-0.72) and 0.68 (0.55-0.84), in that order.",
     [("0.59", {"endpoint": "PFS"}), ("0.68", {"endpoint": "OS"})]),
    ("inside-bracket", "OS and PFS were longer with nivolumab (HRs 0.68 [95% CI 0.55-0.84] and 0.59 [95% CI 0.48-0.72], respectively).",
     [("0.68", {"ci": [0.55, 0.84], "endpoint": "OS"}), ("0.59", {"ci": [0.48, 0.72], "endpoint": "PFS"})]),
    ("ci-label-before-list", "HRs (95% CI) for OS and PFS were 0.68 (0.55-0.84) and 0.59 (0.48-0.72), respectively.",
     [("0.68", {"endpoint": "OS"}), ("0.59", {"endpoint": "PFS"})]),
    ("comparison-before-ratios",
     "The hazard ratios for OS and PFS with nivolumab versus docetaxel were 0.59 (95% CI 0.44-0.79) and 0.62 (95% CI 0.47-0.81), respectively.",
     [("0.59", {"endpoint": "OS"}), ("0.62", {"endpoint": "PFS"})]),
    ("p-value-in-each-bracket",
     "HRs for OS and PFS were 0.68 (95% CI, 0.55-0.84; P < .001) and 0.59 (95% CI, 0.48-0.72; P = .02), respectively.",
     [("0.68", {"value": 0.68, "ci": [0.55, 0.84], "p": "P < .001", "endpoint": "OS"}),
      ("0.59", {"value": 0.59, "ci": [0.48, 0.72], "p": "P = .02", "endpoint": "PFS"})]),
    ("p-value-of-each-endpoint",
     "Nivolumab improved OS (p=0.01) and PFS (p=0.002); the HRs for OS and PFS were 0.68 (0.55-0.84) and 0.59 (0.48-0.72), respectively.",
     [("0.68", {"p": "p=0.01", "endpoint": "OS"}), ("0.59", {"p": "p=0.002", "endpoint": "PFS"})]),
    ("survival-values-between",
     "Median OS and PFS were 12.1 and 6.3 months (HRs 0.68 [0.55-0.84] and 0.59 [0.48-0.72], respectively).",
     [("0.68", {"endpoint": "OS"}), ("0.59", {"endpoint": "PFS"})]),
    ("second-clause-and-the",
     "Median OS and PFS were 12.1 and 6.3 months, respectively, and the HRs were 0.68 (0.55-0.84) and 0.59 (0.48-0.72), respectively.",
     [("0.68", {"endpoint": "OS"}), ("0.59", {"endpoint": "PFS"})]),
    ("own-endpoint-each", "HRs were 0.68 (0.55-0.84) for OS and 0.59 (0.48-0.72) for PFS, respectively.",
     [("0.68", {"endpoint": "OS"}), ("0.59", {"endpoint": "PFS"})]),
    ("later-list-only", "The HR for OS was 0.90 (0.75-1.08), and the HRs for PFS and DFS were 0.70 (0.58-0.85) and 0.72 (0.60-0.86), respectively.",
     [("0.90", {"endpoint": "OS"}), ("0.70", {"endpoint": "PFS"}), ("0.72", {"endpoint": "DFS"})]),
    # ratios without an interval of their own: the marker makes the list
    ("list-after-no-ci", "HRs of 0.68 and 0.59 for OS and PFS, respectively.",
     [("0.68", {"value": 0.68, "ci": None, "p": None, "endpoint": "OS"}), ("0.59", {"value": 0.59, "ci": None, "p": None, "endpoint": "PFS"})]),
    ("list-before-no-ci", "HRs for OS and PFS were 0.68 and 0.59, respectively.",
     [("0.68", {"value": 0.68, "endpoint": "OS"}), ("0.59", {"value": 0.59, "endpoint": "PFS"})]),
    ("three-no-ci", "The hazard ratios for OS, PFS and DFS were 0.81, 0.72 and 0.69, respectively.",
     [("0.81", {"endpoint": "OS"}), ("0.72", {"value": 0.72, "endpoint": "PFS"}), ("0.69", {"value": 0.69, "endpoint": "DFS"})]),
    ("p-value-no-ci", "The HRs for death and progression were 0.75 (P = .01) and 0.62 (P < .001), respectively.",
     [("0.75", {"ci": None, "p": "P = .01", "endpoint": "OS"}), ("0.62", {"value": 0.62, "ci": None, "p": "P < .001", "endpoint": "PFS"})]),
    ("four-no-ci-commas", "The hazard ratios for OS, PFS, DFS and EFS were 0.81, 0.72, 0.69 and 0.60, respectively.",
     [("0.81", {"ci": None, "endpoint": "OS"}), ("0.72", {"ci": None, "endpoint": "PFS"}), ("0.69", {"ci": None, "endpoint": "DFS"}),
      ("0.60", {"ci": None, "endpoint": "EFS"})]),
    ("bracketed-comma-intervals", "HRs for OS and PFS were 0.68 (0.55, 0.84) and 0.59 (0.48, 0.72), respectively.",
     [("0.68", {"ci": [0.55, 0.84], "endpoint": "OS"}), ("0.59", {"ci": [0.48, 0.72], "endpoint": "PFS"})]),
    # p-values and intervals written as lists after the ratios go to them in order
    ("p-value-list", "HRs for OS and PFS were 0.68 and 0.59 (P = .01 and P < .001, respectively).",
     [("0.68", {"ci": None, "p": "P = .01", "endpoint": "OS"}), ("0.59", {"ci": None, "p": "P < .001", "endpoint": "PFS"})]),
    ("ci-list", "The HRs for OS and PFS were 0.68 and 0.59 (95% CI, 0.55-0.84 and 0.48-0.72, respectively).",
     [("0.68", {"ci": [0.55, 0.84], "p": None, "endpoint": "OS"}), ("0.59", {"ci": [0.48, 0.72], "p": None, "endpoint": "PFS"})]),
    ("ci-and-p-lists",
     "The HRs for OS and PFS were 0.68 and 0.59 (95% CIs 0.55 to 0.84 and 0.48 to 0.72; P < .001 and P = .002, respectively).",
     [("0.68", {"value": 0.68, "ci": [0.55, 0.84], "p": "P < .001", "endpoint": "OS"}),
      ("0.59", {"value": 0.59, "ci": [0.48, 0.72], "p": "P = .002", "endpoint": "PFS"})]),
    ("p-value-list-after-own-cis",
     "HRs for OS and PFS were 0.68 (95% CI 0.55-0.84) and 0.59 (95% CI 0.48-0.72) (P = .01 and P < .001, respectively).",
     [("0.68", {"ci": [0.55, 0.84], "p": "P = .01", "endpoint": "OS"}), ("0.59", {"ci": [0.48, 0.72], "p": "P < .001", "endpoint": "PFS"})]),
    # an item that is no survival endpoint takes the endpoint away from its ratio
    ("non-survival-item", "HRs for OS and time to treatment failure were 0.70 (0.58-0.85) and 0.82 (0.70-0.96), respectively.",
     [("0.70", {"endpoint": "OS"}), ("0.82", {"ci": [0.7, 0.96], "endpoint": None})]),
    ("cause-specific-death-item",
     "The hazard ratios for cardiovascular death and all-cause mortality were 0.86 (0.68-1.09) and 0.90 (0.80-1.02), respectively.",
     [("0.86", {"endpoint": None}), ("0.90", {"endpoint": "OS"})]),
    # --- not distributed: today's endpoints stay ------------------------------------------
    ("count-mismatch", "The hazard ratios for OS and PFS were 0.80 (0.68-0.94), 0.75 (0.64-0.88) and 0.70 (0.60-0.82), respectively.",
     [("0.80", {"ci": [0.68, 0.94], "endpoint": "OS"}), ("0.75", {"ci": [0.64, 0.88], "endpoint": "OS"}),
      ("0.70", {"ci": [0.6, 0.82], "endpoint": "OS"})]),
    ("arms-not-endpoints", "HRs were 0.70 (0.55-0.89) and 0.80 (0.64-1.00) for arm A and arm B, respectively.",
     [("0.70", {"ci": [0.55, 0.89], "endpoint": None}), ("0.80", {"ci": [0.64, 1.0], "endpoint": None})]),
    ("arms-not-endpoints-no-ci", "HRs were 0.7 and 0.8 for arm A and arm B, respectively.",
     [("0.7", {"value": 0.7, "endpoint": None}), ("0.8", {"value": 0.8, "endpoint": None})]),
    ("count-mismatch-no-ci", "The hazard ratios for OS and PFS were 0.80, 0.75 and 0.70, respectively.",
     [("0.80", {"endpoint": "OS"}), ("0.75", {"endpoint": "OS"}), ("0.70", {"endpoint": "OS"})]),
    # numbers after a ratio that are no ratios: not taken into its list
    ("rates-after-ratio", "The HR was 0.70 (95% CI 0.55-0.89), and 3-year OS was 60% and 50%, respectively.",
     [("0.70", {"ci": [0.55, 0.89]})]),
    ("counts-after-ratio", "The HR for death was 0.70 (95% CI 0.55-0.89; P = .003), and 120 and 98 patients died, respectively.",
     [("0.70", {"ci": [0.55, 0.89], "p": "P = .003", "endpoint": "OS"})]),
    ("arms-one-endpoint", "The OS hazard ratios were 0.70 (0.55-0.89) and 0.80 (0.64-1.00) for arm A and arm B, respectively.",
     [("0.70", {"endpoint": "OS"}), ("0.80", {"endpoint": "OS"})]),
    ("groups-one-endpoint",
     "Adjusted hazard ratios for all-cause mortality for the PA−/HE+, PA+/HE− and PA+/HE+ groups were 0.96 (0.76–1.21), 0.61 (0.52–0.71), and 0.62 (0.52–0.75), respectively.",
     [("0.96", {"ci": [0.76, 1.21], "endpoint": "OS"}), ("0.61", {"endpoint": "OS"}), ("0.62", {"endpoint": "OS"})]),
    ("items-not-endpoints",
     "The adjusted hazard ratios for times to PR and PF were 1.32 (95% CI: 1.22–1.44) and 1.27 (95% CI: 1.16–1.39) respectively.",
     [("1.32", {"ci": [1.22, 1.44], "endpoint": None}), ("1.27", {"ci": [1.16, 1.39], "endpoint": None})]),
]

# `respectively` is about another list (subgroups) or the endpoints are in another clause:
# the endpoints are not distributed (which one the ratios get is not what these test)
NOT_DISTRIBUTED_CASES = [
    ("subgroups-between", "For OS and PFS, HRs in men and women were 0.70 (0.55-0.89) and 0.80 (0.64-1.00), respectively.", ["0.70", "0.80"]),
    ("list-in-other-clause", "OS and PFS were improved; the HRs were 0.68 (0.55-0.84) and 0.59 (0.48-0.72) in men and women, respectively.",
     ["0.68", "0.59"]),
]

MISSES: dict[str, str] = {}


@pytest.mark.parametrize("text,expected", table_params(TUPLE_CASES, MISSES))
def test_hard_hazard_ratios_tuples(text, expected):
    assert_spans(ratios(text), expected)


@pytest.mark.parametrize("text,expected", table_params(RISK_RATIO_CASES, MISSES))
def test_hard_hazard_ratios_risk_ratio_of_progression_or_death(text, expected):
    assert_spans(ratios(text), expected)


@pytest.mark.parametrize("text,expected", table_params(PLANNED_CASES, MISSES))
def test_hard_hazard_ratios_planned_not_reported(text, expected):
    assert_spans(ratios(text), expected)


@pytest.mark.parametrize("text,expected", table_params(RESPECTIVELY_CASES, MISSES))
def test_hard_hazard_ratios_respectively_lists(text, expected):
    assert_spans(ratios(text), expected)


@pytest.mark.parametrize("text,spans", table_params(NOT_DISTRIBUTED_CASES, MISSES))
def test_hard_hazard_ratios_respectively_about_other_list(text, spans):
    got = ratios(text)
    assert [span for span, _ in got] == spans, got
    assert len({attrs.get("endpoint") for _, attrs in got}) == 1, got
