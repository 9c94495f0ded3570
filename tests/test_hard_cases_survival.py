"""Issue #13, hard cases users hit: SURVIVAL figures (`find_survival_figures`).

Each row is (id, text, expected SURVIVAL spans in order with the attributes that must hold;
`None` = the attribute is absent). Known misses are strict xfails in MISSES.
"""

from __future__ import annotations

import pytest

from pipeline.components.survival import find_survival_figures
from tests.conftest import assert_spans, table_params


def figures(text: str) -> list[tuple[str, dict]]:
    return [(f.text, f.attrs) for f in find_survival_figures(text)]


# a CI with an open bound (not reached / not estimable): the value is still a figure with its
# other attributes; `ci` only when both bounds are numbers
OPEN_CI_CASES = [
    ("not-reached-words", "Median overall survival was 64.3 months (95% CI 52.8-not reached).",
     [("64.3 months", {"endpoint": "OS", "measure": "median", "value": 64.3, "unit": "months", "ci": None})]),
    ("nr-to", "Median PFS was 24.1 months (95% CI, 14.2 to NR) in the combination arm.",
     [("24.1 months", {"endpoint": "PFS", "measure": "median", "value": 24.1, "ci": None, "group": "combination arm"})]),
    ("ne", "Median OS was 14.5 months (95% CI 9.1-NE).",
     [("14.5 months", {"endpoint": "OS", "value": 14.5, "ci": None})]),
    ("not-estimable-group", "The median OS was 31.2 months (95% confidence interval [CI], 25.4 to not estimable) in the pembrolizumab group.",
     [("31.2 months", {"endpoint": "OS", "measure": "median", "value": 31.2, "ci": None, "group": "pembrolizumab group"})]),
    ("open-then-closed", "Median OS was 64.3 months (95% CI 52.8 to not reached) versus 40.1 months (95% CI 30.2-48.0).",
     [("64.3 months", {"value": 64.3, "ci": None}), ("40.1 months", {"value": 40.1, "ci": [30.2, 48.0]})]),
    ("open-then-closed-respectively", "Median OS: 18.9 months (95% CI 14.1–NE) and 11.0 months (95% CI 9.0–13.1), respectively.",
     [("18.9 months", {"value": 18.9, "ci": None}), ("11.0 months", {"value": 11.0, "ci": [9.0, 13.1]})]),
    ("not-reached-value-bound-not-a-figure", "Median PFS was not reached (95% CI, 20.1-NR) versus 12.0 months (95% CI: 9.9–NR).",
     [("12.0 months", {"endpoint": "PFS", "value": 12.0, "ci": None})]),
]

# a p-value after a comparison goes to both figures it compares
P_VALUE_CASES = [
    ("vs-comma-p", "median OS 12.1 vs 9.8 months, p = 0.02",
     [("12.1", {"value": 12.1, "unit": "months", "p": "p = 0.02"}), ("9.8 months", {"value": 9.8, "p": "p = 0.02"})]),
    ("versus-bracket-p", "Median OS was 12.1 versus 9.8 months (p = 0.02).",
     [("12.1", {"p": "p = 0.02"}), ("9.8 months", {"p": "p = 0.02"})]),
    ("own-units-semicolon", "Median OS 12.1 months vs 9.8 months; P=0.02",
     [("12.1 months", {"p": "P=0.02"}), ("9.8 months", {"p": "P=0.02"})]),
    ("with-cis", "Median OS was 12.1 months (95% CI 10.0-14.2) vs 9.8 months (95% CI 8.1-11.5), p = 0.02.",
     [("12.1 months", {"ci": [10.0, 14.2], "p": "p = 0.02"}), ("9.8 months", {"ci": [8.1, 11.5], "p": "p = 0.02"})]),
    ("with-groups", "Median OS was 12.1 months with FOLFOX versus 9.8 months with FOLFIRI (p = 0.02).",
     [("12.1 months", {"group": "FOLFOX", "p": "p = 0.02"}), ("9.8 months", {"group": "FOLFIRI", "p": "p = 0.02"})]),
    ("rates", "The 3-year OS was 68% vs 61% (p=0.04).",
     [("68%", {"horizon": "3-year", "p": "p=0.04"}), ("61%", {"horizon": "3-year", "p": "p=0.04"})]),
    ("two-comparisons", "Median OS was 12.1 months vs. 9.8 months (two-sided P = 0.02) and median PFS was 6.1 vs 4.0 months (P < 0.001).",
     [("12.1 months", {"endpoint": "OS", "p": "two-sided P = 0.02"}), ("9.8 months", {"endpoint": "OS", "p": "two-sided P = 0.02"}),
      ("6.1", {"endpoint": "PFS", "p": "P < 0.001"}), ("4.0 months", {"endpoint": "PFS", "p": "P < 0.001"})]),
]

# an absolute difference between rates (or times) is the size of a change, not a figure
DIFFERENCE_CASES = [
    ("difference-of-before-endpoint", "There was an absolute difference of 7.2% in 5-year overall survival.", []),
    ("difference-after-rates", "5-year OS was 72% versus 65%, an absolute difference of 7.2%.",
     [("72%", {"value": 72}), ("65%", {"value": 65})]),
    ("percentage-points", "The addition of docetaxel improved 3-year OS by 8 percentage points.", []),
    ("absolute-gain-before", "Adjuvant therapy gave a 5% absolute gain in 5-year survival.", []),
    ("difference-comma-bracket", "5-year OS improved from 65% to 72% (absolute difference, 7%).",
     [("65%", {"value": 65, "horizon": "5-year"}), ("72%", {"value": 72, "horizon": "5-year"})]),
    ("benefit-in-endpoint-was", "The absolute benefit in 5-year survival was 5.3%.", []),
    ("improvement-in-endpoint-of", "An absolute improvement in 3-year OS of 8% was observed.", []),
    ("gain-at-horizon", "The absolute gain in overall survival at 5 years was 4.0%.", []),
    ("increased-by", "Radiotherapy increased 10-year survival by 5.4% (absolute).", []),
    ("prolonged-by-months", "Treatment prolonged median OS by 2.8 months.", []),
    ("improvement-with-from-to", "Chemotherapy gave a 4% absolute improvement in 5-year overall survival (from 40% to 44%).",
     [("40%", {"value": 40}), ("44%", {"value": 44})]),
    ("difference-with-figures-in-bracket", "The difference in 5-year OS (72% vs 65%) was significant.",
     [("72%", {"value": 72}), ("65%", {"value": 65})]),
    ("benefit-then-median-kept", "A benefit in overall survival was seen: median 14.2 months.",
     [("14.2 months", {"endpoint": "OS", "measure": "median", "value": 14.2})]),
]

# a confidence level other than 95% is never a rate; the interval is still the figure's ci
CI_LEVEL_CASES = [
    ("ci-90", "Median OS was 15.2 months (90% CI 12.1-18.0).", [("15.2 months", {"value": 15.2, "ci": [12.1, 18.0]})]),
    ("ci-99-4", "The 2-year PFS rate was 45% (99.4% CI 0.55-0.90).", [("45%", {"value": 45, "ci": [0.55, 0.9]})]),
    ("ci-97-5", "Median DFS was 48 months (97.5% CI 40-56).", [("48 months", {"endpoint": "DFS", "value": 48, "ci": [40, 56]})]),
    ("ci-97-5-comma-to", "Median OS was 16.0 months (97.5% CI, 13.1 to 19.4) in the experimental arm.",
     [("16.0 months", {"value": 16.0, "ci": [13.1, 19.4], "group": "experimental arm"})]),
    ("ci-98-words", "The 5-year survival rate was 61% (98% confidence interval, 55 to 67).", [("61%", {"value": 61, "ci": [55, 67]})]),
    ("ci-hyphenated-level", "Median OS was 15.2 months (90%-CI 12.1-18.0).", [("15.2 months", {"ci": [12.1, 18.0]})]),
    ("ci-two-sided-level", "The 3-year OS was 71% (two-sided 90% CI, 64% to 77%).", [("71%", {"value": 71, "ci": [64, 77]})]),
    ("ci-85", "5-year OS was 45% (85% CI 40-50).", [("45%", {"value": 45, "ci": [40, 50]})]),
]

# shortened endpoints in one list (`disease-free and overall survival`): each value takes the
# endpoint of its place in the list; a list of another length than its values keeps the
# endpoint phrase's for all; a shortened word before something that is no survival
# endpoint phrase names no endpoint
ELLIPTIC_LIST_CASES = [
    ("two-rates-horizon", "Ten-year disease-specific and overall survival were 88% and 74%, respectively.",
     [("88%", {"endpoint": "DSS", "horizon": "Ten-year", "value": 88, "unit": "%", "ci": None}),
      ("74%", {"endpoint": "OS", "horizon": "Ten-year", "value": 74, "unit": "%", "ci": None})]),
    ("pfs-and-os-rates", "Progression-free and overall survival at 2 years were 41% and 67%, respectively.",
     [("41%", {"endpoint": "PFS", "horizon": "2 years", "value": 41}), ("67%", {"endpoint": "OS", "horizon": "2 years", "value": 67})]),
    ("overall-first", "Median overall and progression-free survival were 20.1 and 9.8 months, respectively.",
     [("20.1", {"endpoint": "OS", "measure": "median", "value": 20.1, "unit": "months", "horizon": None}),
      ("9.8 months", {"endpoint": "PFS", "measure": "median", "value": 9.8, "unit": "months"})]),
    ("three-with-no-endpoint-item",
     "The 5-year disease-free, distant metastasis-free and overall survival rates were 70%, 80% and 85%, respectively.",
     [("70%", {"endpoint": "DFS", "horizon": "5-year", "value": 70}), ("85%", {"endpoint": "OS", "horizon": "5-year", "value": 85})]),
    ("three-endpoints", "The 2-year progression-free, disease-specific and overall survival rates were 45%, 80%, and 75%, respectively.",
     [("45%", {"endpoint": "PFS", "horizon": "2-year", "value": 45}), ("80%", {"endpoint": "DSS", "horizon": "2-year", "value": 80}),
      ("75%", {"endpoint": "OS", "horizon": "2-year", "value": 75})]),
    ("medians-shared-unit", "Median progression-free and overall survival were 5.1 and 11.3 months, respectively.",
     [("5.1", {"endpoint": "PFS", "measure": "median", "value": 5.1, "unit": "months"}),
      ("11.3 months", {"endpoint": "OS", "measure": "median", "value": 11.3, "unit": "months"})]),
    ("horizon-rates", "3-year event-free and overall survival rates were 61% and 78%, respectively.",
     [("61%", {"endpoint": "EFS", "measure": "rate", "horizon": "3-year", "value": 61, "unit": "%"}),
      ("78%", {"endpoint": "OS", "measure": "rate", "horizon": "3-year", "value": 78, "unit": "%"})]),
    ("ci-after-each",
     "Median progression-free and overall survival were 5.1 months (95% CI, 4.2-6.0) and 11.3 months (95% CI, 9.8-12.9), respectively.",
     [("5.1 months", {"endpoint": "PFS", "value": 5.1, "unit": "months", "ci": [4.2, 6.0]}),
      ("11.3 months", {"endpoint": "OS", "value": 11.3, "unit": "months", "ci": [9.8, 12.9]})]),
    ("ci-after-each-rate", "Five-year relapse-free and overall survival were 62% (95% CI 55-69) and 81% (95% CI 75-86), respectively.",
     [("62%", {"endpoint": "RFS", "horizon": "Five-year", "ci": [55, 69]}), ("81%", {"endpoint": "OS", "horizon": "Five-year", "ci": [75, 86]})]),
    ("respectively-before-values", "Median progression-free and overall survival were, respectively, 5.1 and 11.3 months.",
     [("5.1", {"endpoint": "PFS", "value": 5.1, "unit": "months"}), ("11.3 months", {"endpoint": "OS", "value": 11.3, "unit": "months"})]),
    ("two-arms", "Median event-free and overall survival were 26.0 and 42.5 months for arm A and 22.0 and 38.1 months for arm B.",
     [("26.0", {"endpoint": "EFS", "group": "arm A"}), ("42.5 months", {"endpoint": "OS", "group": "arm A"}),
      ("22.0", {"endpoint": "EFS", "group": "arm B"}), ("38.1 months", {"endpoint": "OS", "group": "arm B"})]),
    ("count-mismatch-keeps-phrase", "Median disease-free and overall survival were 20.1, 30.2 and 40.3 months, respectively.",
     [("20.1", {"endpoint": "OS", "value": 20.1, "unit": "months"}), ("30.2", {"endpoint": "OS", "value": 30.2}),
      ("40.3 months", {"endpoint": "OS", "value": 40.3})]),
    ("not-list-survival-and-response", "Median disease-free survival and overall response were 20.1 months and 40%, respectively.",
     [("20.1 months", {"endpoint": "DFS", "measure": "median", "value": 20.1, "unit": "months"})]),
    ("not-list-toxicity", "Overall and grade 3 toxicity were 40% and 12%, respectively.", []),
    ("not-list-response-rates", "Progression-free and overall response rates were 40% and 60%, respectively.", []),
    ("not-list-alive", "Patients were disease-free and alive at 5 years in 60% of cases.", []),
]

MISSES: dict[str, str] = {}


@pytest.mark.parametrize("text,expected", table_params(OPEN_CI_CASES, MISSES))
def test_hard_survival_open_ci(text, expected):
    assert_spans(figures(text), expected)


@pytest.mark.parametrize("text,expected", table_params(P_VALUE_CASES, MISSES))
def test_hard_survival_p_value_to_both(text, expected):
    assert_spans(figures(text), expected)


@pytest.mark.parametrize("text,expected", table_params(DIFFERENCE_CASES, MISSES))
def test_hard_survival_absolute_difference(text, expected):
    assert_spans(figures(text), expected)


@pytest.mark.parametrize("text,expected", table_params(CI_LEVEL_CASES, MISSES))
def test_hard_survival_ci_level(text, expected):
    assert_spans(figures(text), expected)


@pytest.mark.parametrize("text,expected", table_params(ELLIPTIC_LIST_CASES, MISSES))
def test_hard_survival_elliptic_endpoint_list(text, expected):
    assert_spans(figures(text), expected)
