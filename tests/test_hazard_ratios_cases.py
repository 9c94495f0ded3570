"""HAZARD_RATIO tagger: development cases (sentence -> expected ratios with attributes).

Attributes given must match exactly; an attribute given as None must be absent.
Held-out cases are in test_hazard_ratios_heldout.py (not used for tuning)."""

from __future__ import annotations

import pytest

from pipeline.components.hazard_ratios import find_hazard_ratios
from tests.conftest import assert_spans


def check(text: str, expected: list[tuple[str, dict]]) -> None:
    hits = find_hazard_ratios(text)
    for hit in hits:
        assert text[hit.start : hit.end] == hit.text
    got = [(h.text, h.attrs) for h in hits]
    assert_spans(got, expected)


CASES = [
    ("hr_ci_comma", "Sarcopenia was associated with worse survival (HR 2.4, 95% CI, 1.1-5.0).",
     [("2.4", {"value": 2.4, "ci": [1.1, 5.0], "endpoint": "OS", "p": None})]),
    ("hr_equals_glued", "Initial progression-free survival (PFS, P = 0.006, HR= 0.32) was a factor.",
     [("0.32", {"value": 0.32, "p": "P = 0.006", "endpoint": "PFS"})]),
    ("hazard_ratio_bracket_abbrev", "Overall survival improved (hazard ratio [HR], 0.68; 95% CI, 0.52-0.89; P = .004).",
     [("0.68", {"ci": [0.52, 0.89], "p": "P = .004", "endpoint": "OS"})]),
    ("hr_ci_to", "Disease-free survival was longer (HR 0.75, 95% CI 0.61 to 0.92).",
     [("0.75", {"ci": [0.61, 0.92], "endpoint": "DFS"})]),
    ("hr_for_death", "The HR for death 0.8 favoured the combination.", [("0.8", {"value": 0.8, "endpoint": "OS"})]),
    ("continuing_list", "Risk rose with age (HR 1.2 (95% CI 1.0-1.5); 1.30, 1.05-1.61).",
     [("1.2", {"ci": [1.0, 1.5]}), ("1.30", {"value": 1.3, "ci": [1.05, 1.61]})]),
    ("risk_ratio_for_death", "The risk ratio for death was 0.71 (95% CI 0.55-0.92).", [("0.71", {"endpoint": "OS", "ci": [0.55, 0.92]})]),
    ("endpoint_per_segment", "Extra-hepatic disease (OS, P = 0.029, HR = 4.04; PFS, P = 0.004, HR = 4.03) mattered.",
     [("4.04", {"endpoint": "OS", "p": "P = 0.029"}), ("4.03", {"endpoint": "PFS", "p": "P = 0.004"})]),
    ("hr_for_os_was", "Hazard ratio (HR) for OS was 0.93 (95% CI 0.71-1.21).", [("0.93", {"endpoint": "OS", "ci": [0.71, 1.21]})]),
    ("endpoint_p_earlier", "Fotemustine did not improve overall survival (OS) (p=0.28); HR for OS was 0.93 (95% CI 0.71-1.21).",
     [("0.93", {"p": "p=0.28", "endpoint": "OS"})]),
    ("abbreviation_before_hr", "Neurological progression-free survival (nPFS) was similar; nPFS HR 0.95 (95% CI = 0.59 to1.54; P = .84).",
     [("0.95", {"endpoint": "PFS", "ci": [0.59, 1.54], "p": "P = .84"})]),
    ("endpoint_hazard_ratio_phrase", "The progression-free survival hazard ratio was 0.37 (95% CI 0.25–0.55).",
     [("0.37", {"endpoint": "PFS", "ci": [0.25, 0.55]})]),
    ("middle_dot_unlabelled_ci", "Events fell (HR 0·56, 0·34–0·92, p=0·007).", [("0·56", {"value": 0.56, "ci": [0.34, 0.92], "p": "p=0·007"})]),
    ("adjusted_hr", "The adjusted HR was 1.45 (95% CI 1.13–1.85).", [("1.45", {"ci": [1.13, 1.85]})]),
    ("ahr_unlabelled_ci", "Resolution was quicker (aHR 0.62 (0.45-0.85)).", [("0.62", {"ci": [0.45, 0.85]})]),
    ("hazard_ratio_of", "The hazard ratio of 0.42 (95% confidence interval, 0.29–0.60; P < 0.0001) favoured everolimus.",
     [("0.42", {"ci": [0.29, 0.6], "p": "P < 0.0001"})]),
    ("hr_colon", "Overall survival was longer (median time: 12.1 vs 5.9 months; HR: 0.376; P = 0.004).",
     [("0.376", {"p": "P = 0.004", "endpoint": "OS"})]),
    ("subgroup_values", "Overall survival HRs were comparable (≤ Q1: 0.69, 95% CI: 0.44–1.09; > Q1: 0.88, 95% CI: 0.68–1.13).",
     [("0.69", {"endpoint": "OS", "ci": [0.44, 1.09]}), ("0.88", {"endpoint": "OS", "ci": [0.68, 1.13]})]),
    ("ci_comma_bounds", "Onset was delayed [HR (95% CI): 0.58 (0.384, 0.876), P = 0.010].", [("0.58", {"ci": [0.384, 0.876], "p": "P = 0.010"})]),
    ("ci_level_after", "Mortality fell (HR 0.75, CI 95 % 0.60–0.94; p = 0.012).", [("0.75", {"ci": [0.6, 0.94], "p": "p = 0.012"})]),
    ("hr_with_chi2", "Survival was longer (hazard ratio = 0.75, chi 2 = 7.36, d.f. = 1, P = 0.007).",
     [("0.75", {"p": "P = 0.007", "endpoint": "OS"})]),
    ("survival_p_goes_to_hr", "Median OS 10 vs 8 months; HR 0.7, 95% CI 0.5-0.9, P = 0.01.", [("0.7", {"p": "P = 0.01", "endpoint": "OS"})]),
    # --- must not tag -----------------------------------------------------------------------
    ("odds_ratio", "Response was more likely (odds ratio 2.1, 95% CI 1.2-3.5).", []),
    ("or_abbreviation", "Disease control favoured the combination (OR = 4.72, 95% CI 1.92–11.58).", []),
    ("relative_risk_response", "The relative risk of response was 1.5 (1.1-2.0).", []),
    ("heart_rate_defined", "Heart rate (HR) and blood pressure were measured; HR rose to 110 bpm.", []),
    ("heart_rate_bpm", "An increase in HR ≥ 20 bpm defined a response.", []),
    ("ethics_number", "Approval was granted (approval number HR 41/2013).", []),
    ("hr_method_sentence", "Hazard ratios (HRs) were calculated using Cox regression.", []),
    ("ci_bounds_are_not_ratios", "Risk fell (HR 0.80; 95% CI 0.73 to 0.89; P<0.001).", [("0.80", {"ci": [0.73, 0.89], "p": "P<0.001"})]),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hazard_ratio_development_case(text, expected):
    check(text, expected)
