"""SURVIVAL tagger: development cases (table of sentence -> expected figures).

Each case lists every figure the tagger must return, in order, as (span text, attributes).
Attributes given must match exactly; an attribute given as None must be absent.
Cases with an empty list are numbers the tagger must not tag.
The held-out list lives in test_survival_heldout.py and was not used for tuning.
"""

from __future__ import annotations

import pytest

from pipeline.components.survival import find_survival_figures
from tests.conftest import assert_spans

M, Y, W, D, P = "months", "years", "weeks", "days", "%"


def run(text: str) -> list[tuple[str, dict]]:
    hits = find_survival_figures(text)
    for hit in hits:
        assert text[hit.start : hit.end] == hit.text
        assert hit.text == hit.text.strip() and hit.text[-1] not in ".,;:"
    return [(h.text, h.attrs) for h in hits]


def check(text: str, expected: list[tuple[str, dict]]) -> None:
    got = run(text)
    assert_spans(got, expected)


CASES = [
    # --- shared trailing units, vs pairs, respectively ------------------------------------
    ("shared_unit_respectively", "Median PFS and OS were 4.4 and 4.5 months, respectively.",
     [("4.4", {"endpoint": "PFS", "measure": "median", "value": 4.4, "unit": M}),
      ("4.5 months", {"endpoint": "OS", "measure": "median", "value": 4.5, "unit": M})]),
    ("vs_dot_no_space", "Median overall survival was 18.5 vs.13 months (P = 0.04).",
     [("18.5", {"endpoint": "OS", "value": 18.5, "unit": M, "p": "P = 0.04"}),
      ("13 months", {"endpoint": "OS", "value": 13, "unit": M, "p": "P = 0.04"})]),
    ("long_forms_respectively", "Median disease-free survival and overall survival were 22 and 41 months, respectively.",
     [("22", {"endpoint": "DFS", "measure": "median", "unit": M}), ("41 months", {"endpoint": "OS", "measure": "median"})]),
    ("respectively_groups", "Median OS was 12.3 and 9.1 months in the gemcitabine and observation groups, respectively.",
     [("12.3", {"group": "gemcitabine"}), ("9.1 months", {"group": "observation"})]),
    ("list_three_values", "Re-irradiation leads to survival times of 22, 16 and 8 months.",
     [("22", {"endpoint": "OS", "unit": M, "measure": "unspecified"}), ("16", {"unit": M}), ("8 months", {"value": 8})]),
    ("versus_word", "Overall survival was 24.1 versus 18.6 months.",
     [("24.1", {"endpoint": "OS", "unit": M}), ("18.6 months", {"endpoint": "OS"})]),
    ("pairs_cycle_endpoints", "The median PFS and OS were 2.8 and 13.2 months in gefitinib and 2.0 and 14.0 months in the combination arm.",
     [("2.8", {"endpoint": "PFS", "group": "gefitinib"}), ("13.2 months", {"endpoint": "OS", "group": "gefitinib"}),
      ("2.0", {"endpoint": "PFS", "group": "combination arm"}), ("14.0 months", {"endpoint": "OS", "group": "combination arm"})]),
    # --- n-year rates and horizons ------------------------------------------------------
    ("rate_groups", "The 3-year overall survival was 64% in the adjuvant group and 37% in the unresectable group.",
     [("64%", {"endpoint": "OS", "measure": "rate", "horizon": "3-year", "value": 64, "unit": P, "group": "adjuvant group"}),
      ("37%", {"endpoint": "OS", "measure": "rate", "horizon": "3-year", "group": "unresectable group"})]),
    ("rates_two_values", "5-year OS rates were 45% and 30%.",
     [("45%", {"endpoint": "OS", "horizon": "5-year", "measure": "rate"}), ("30%", {"horizon": "5-year"})]),
    ("horizon_list", "The 1-, 3- and 5-year survival rates were 90%, 60% and 40%.",
     [("90%", {"horizon": "1-year"}), ("60%", {"horizon": "3-year"}), ("40%", {"horizon": "5-year", "endpoint": "OS"})]),
    ("horizon_after_value", "Survival was 98 vs 81% after 1 year.",
     [("98", {"horizon": "1 year", "unit": P, "measure": "rate"}), ("81%", {"horizon": "1 year"})]),
    ("rate_at_months", "The PFS rate at 6 months was 40%.", [("40%", {"endpoint": "PFS", "horizon": "6 months"})]),
    ("word_horizon", "Two-year overall survival was 75%.", [("75%", {"horizon": "Two-year", "endpoint": "OS"})]),
    ("spaced_horizon_rate", "Patients had a 5 year survival rate of 45%.", [("45%", {"horizon": "5 year", "endpoint": "OS"})]),
    ("rate_no_horizon", "The survival rate was 52% in the whole cohort.", [("52%", {"measure": "rate", "horizon": None})]),
    ("alive_at_horizon", "Overall, 62% of patients were alive at 2 years.",
     [("62%", {"endpoint": "OS", "measure": "rate", "horizon": "2 years"})]),
    ("alive_disease_free", "In all, 71% (95% CI 65-77) of patients were alive and disease-free at 5 years.",
     [("71%", {"endpoint": "DFS", "horizon": "5 years", "ci": [65, 77]})]),
    ("plus_minus", "The 5-year overall survival was 67.4 ± 7.6% and 75.3 ± 7.2% in the two arms.",
     [("67.4", {"value": 67.4, "unit": P, "se": 7.6}), ("75.3", {"value": 75.3, "se": 7.2})]),
    # --- intervals, ranges, decimals ------------------------------------------------------
    ("ci_comma_units", "Median OS was 9.2 months (95% CI, 3.1-15.3 months).",
     [("9.2 months", {"ci": [3.1, 15.3], "measure": "median"})]),
    ("ci_to", "Median progression-free survival was 6.1 months (95% CI 3.1 to 15.3).", [("6.1 months", {"ci": [3.1, 15.3]})]),
    ("ci_en_dash", "Median OS reached 12.4 months (95% CI 10.1–14.7).", [("12.4 months", {"ci": [10.1, 14.7]})]),
    ("ci_percent_rate", "The 2-year event-free survival was 54% (95% CI, 45%-63%).",
     [("54%", {"endpoint": "EFS", "ci": [45, 63], "horizon": "2-year"})]),
    ("european_decimal", "Median PFS was 8,5 months in the experimental arm.",
     [("8,5 months", {"value": 8.5, "group": "experimental arm"})]),
    ("middle_dot_decimal", "Estimated 3-year progression-free survival was 35·9% (95% CI 25·9–45·9).",
     [("35·9%", {"value": 35.9, "ci": [25.9, 45.9], "endpoint": "PFS"})]),
    ("range_attr", "The median survival was 20 months (range, 3-27 months).", [("20 months", {"range": [3, 27], "endpoint": "OS"})]),
    ("range_after_semicolon", "Median PFS was 11 months; range, 4-30 months.", [("11 months", {"range": [4, 30]})]),
    ("ci_between_number_unit", "The median OS was 5.5 (3.8-14.0) months.", [("5.5", {"ci": [3.8, 14.0], "unit": M})]),
    ("unlabelled_interval_after_unit", "Median TTP was 24.7 months (2.5-46.9 months) in the adjuvant group.",
     [("24.7 months", {"ci": [2.5, 46.9], "endpoint": "TTP", "group": "adjuvant group"})]),
    ("iqr_extra", "Median OS was 30 months (IQR 20-41).", [("30 months", {"iqr": [20, 41], "range": None})]),
    # --- qualifiers, measures, units -----------------------------------------------------
    ("qualifier_less_than", "Overall survival was less than 6 months in every patient with ascites.",
     [("6 months", {"qualifier": "<", "endpoint": "OS"})]),
    ("qualifier_greater", "Median PFS was greater than 24 months.", [("24 months", {"qualifier": ">", "measure": "median"})]),
    ("measure_unspecified", "Survival was 48 months.", [("48 months", {"measure": "unspecified", "endpoint": "OS"})]),
    ("measure_median_survival", "The median survival was 26.5 months.", [("26.5 months", {"measure": "median"})]),
    ("measure_mean", "Mean survival time was 24.6 months.", [("24.6 months", {"measure": "mean"})]),
    ("mst_is_median", "Survival favoured surgery (MST, 45.4 vs 57.6 months).",
     [("45.4", {"measure": "median", "endpoint": "OS"}), ("57.6 months", {"measure": "median"})]),
    ("unit_mo", "Median OS was 11.2 mo vs 9.8 mo.", [("11.2 mo", {"unit": M}), ("9.8 mo", {"unit": M})]),
    ("unit_yr", "Median survival was 3.4 yr.", [("3.4 yr", {"unit": Y, "value": 3.4})]),
    ("unit_wk", "Median TTP was 12 wk.", [("12 wk", {"unit": W, "endpoint": "TTP"})]),
    ("unit_days", "Median overall survival was 240 days.", [("240 days", {"unit": D})]),
    ("colon", "Median OS: 10.2 months.", [("10.2 months", {"endpoint": "OS", "measure": "median"})]),
    ("value_before_endpoint", "The patient achieved an 11 month progression-free survival.",
     [("11 month", {"endpoint": "PFS", "unit": M})]),
    # --- endpoints -------------------------------------------------------------------
    ("dor", "The median duration of response was 8.3 months.", [("8.3 months", {"endpoint": "DOR", "measure": "median"})]),
    ("hepatic_pfs", "Median hepatic progression-free survival was 7.2 months.",
     [("7.2 months", {"endpoint": "PFS", "scope": "hepatic"})]),
    ("liver_pfs", "Liver PFS was 9 months.", [("9 months", {"endpoint": "PFS", "scope": "hepatic"})]),
    ("time_to_liver_recurrence", "Median time to liver recurrence was 18 months.",
     [("18 months", {"endpoint": "TTR", "scope": "hepatic"})]),
    ("cumulative_incidence_relapse", "The 3-year cumulative incidence of relapse was 22%.",
     [("22%", {"endpoint": "TTR", "horizon": "3-year", "measure": "rate"})]),
    ("cancer_specific", "The 5-year cancer-specific survival was 71%.", [("71%", {"endpoint": "DSS"})]),
    ("disease_specific_at", "Disease-specific survival at 5 years was 80%.", [("80%", {"endpoint": "DSS", "horizon": "5 years"})]),
    ("actuarial", "Actuarial survival at 2 years was 58%.", [("58%", {"endpoint": "OS", "horizon": "2 years"})]),
    ("rfs_groups_p", "Median recurrence-free survival was 14.1 months in the sorafenib arm versus 10.2 months in the placebo arm (P = .02).",
     [("14.1 months", {"endpoint": "RFS", "group": "sorafenib arm", "p": "P = .02"}),
      ("10.2 months", {"group": "placebo arm", "p": "P = .02"})]),
    ("dfs_rate_hr_p_not_shared", "The 3-year disease-free survival was 67% versus 58% (HR 0.75, 95% CI 0.61 to 0.92; P = .01).",
     [("67%", {"endpoint": "DFS", "p": None}), ("58%", {"endpoint": "DFS", "p": None})]),
    ("defined_abbreviation", "Hepatic progression-free survival (HPFS) was the endpoint. Median HPFS was 11 months.",
     [("11 months", {"endpoint": "PFS", "scope": "hepatic"})]),
    ("p_shared_with_groups", "Median OS was 14.2 months with FOLFOX and 10.1 months with FOLFIRI (p < 0.0001).",
     [("14.2 months", {"group": "FOLFOX", "p": "p < 0.0001"}), ("10.1 months", {"group": "FOLFIRI", "p": "p < 0.0001"})]),
    ("european_p", "DFS was 59% in the RT group vs. 75.1% in the CRT group (P = 0,022).",
     [("59%", {"p": "P = 0,022", "group": "RT group"}), ("75.1%", {"p": "P = 0,022", "group": "CRT group"})]),
    ("horizon_at_list", "Overall survival at 1 and 2 years was 80% and 60%, respectively.",
     [("80%", {"horizon": "1 year"}), ("60%", {"horizon": "2 years"})]),
    ("group_before_value", "The 6-month overall survival rate for TMZ patients was 60% vs. 44% for PCB patients.",
     [("60%", {"group": "TMZ patients"}), ("44%", {"group": "PCB patients"})]),
    ("plural_and_abbreviation_list", "Finally, 4-year overall (OS) and progression-free survivals (PFS) were 53% and 54%, respectively.",
     [("53%", {"endpoint": "OS", "horizon": "4-year"}), ("54%", {"endpoint": "PFS", "horizon": "4-year"})]),
    ("median_before_list", "Median progression-free survival (PFS) and OS were 2.7 and 5.3 months, respectively, for arm A.",
     [("2.7", {"endpoint": "PFS", "measure": "median", "group": "arm A"}), ("5.3 months", {"endpoint": "OS", "measure": "median", "group": "arm A"})]),
    ("vs_group_last_only", "PFS was longer in mutants (13.5 vs. 10.2 months in gefitinib alone, P=NS).",
     [("13.5", {"group": None, "p": "P=NS"}), ("10.2 months", {"group": "gefitinib alone", "p": "P=NS"})]),
    # --- must not tag ---------------------------------------------------------------------
    ("follow_up", "After a median follow-up of 23 months, median OS was not reached.", []),
    ("follow_up_parenthesis", "The median actuarial survival was 48 months (median follow-up, 23 months).",
     [("48 months", {"endpoint": "OS", "measure": "median"})]),
    ("operative_stay", "Median operative time was 240 minutes and median hospital stay was 10 days.", []),
    ("response_rate", "The objective response rate was 45% and median PFS was 7.2 months.", [("7.2 months", {"endpoint": "PFS"})]),
    ("toxicity_rate", "Grade 3 neutropenia occurred in 35% of patients, and median OS was 15 months.", [("15 months", {"endpoint": "OS"})]),
    ("age", "Patients aged 45 to 80 years (median 62 years) had a median OS of 20 months.", [("20 months", {"endpoint": "OS"})]),
    ("accrual", "Accrual took place over 48 months; median PFS was 6 months.", [("6 months", {"endpoint": "PFS"})]),
    ("sample_size", "The study was powered to detect an improvement in 6-month PFS from 25% to 45%.", []),
    ("hypothesis", "To demonstrate a 6-month PFS of 45%, 60 patients were needed.", []),
    ("assumption", "We assumed a median OS of 12 months in the control arm.", []),
    ("benefit", "The regimen offered a survival benefit of 3.2 months.", []),
    ("still_alive", "After a median follow-up of 14 months, 69% of patients were still alive.", []),
    ("count_share", "Overall survival was poor, and 26 (43%) patients died within a year.", []),
    ("ttf_not_labelled", "Median time to treatment failure was 5.1 months.", []),
    ("dmfs_not_labelled", "The 5-year distant metastasis-free survival was 80%.", []),
    ("trm_not_labelled", "The 1-year transplant-related mortality was 12%.", []),
    ("life_expectancy", "The model gave a mean life expectancy of 1.39 years.", []),
    ("recurrence_share", "The 5-year survival was 28-39%, but recurrence occurs in up to 70%.", []),
    ("time_point_list", "Survival was assessed at baseline, 3 months, and 6 months.", []),
    ("survival_to_day", "The primary measure was survival to 30 days.", []),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_survival_development_case(text, expected):
    check(text, expected)


def test_survival_development_list_is_large():
    assert len(CASES) >= 60


def test_survival_sentence_longer_than_the_piece_limit():
    """A 'sentence' over sentences.MAX_SENTENCE_CHARS is read in pieces; figures and ratios
    inside each piece are found as usual."""
    from pipeline.components.hazard_ratios import find_hazard_ratios

    text = "Median OS was 12 months" + ", and then some words" * 200 + ", median PFS was 5 months (HR 0.5, 95% CI 0.3-0.8)."
    assert [(f.text, f.attrs["endpoint"]) for f in find_survival_figures(text)] == [("12 months", "OS"), ("5 months", "PFS")]
    assert [(h.text, h.attrs) for h in find_hazard_ratios(text)] == [("0.5", {"value": 0.5, "ci": [0.3, 0.8], "endpoint": "PFS"})]
