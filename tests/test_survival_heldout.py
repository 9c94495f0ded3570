"""SURVIVAL held-out cases: written after the tagger was tuned and never used to tune it.

Expected values follow the annotation guidelines; known misses are xfail(strict=True), so a
fix that makes one pass is noticed. Attributes given must match; None means absent."""

from __future__ import annotations

import pytest

from pipeline.components.survival import find_survival_figures
from tests.conftest import assert_spans, table_params

M = "months"


def check(text, expected):
    got = [(h.text, h.attrs) for h in find_survival_figures(text)]
    assert_spans(got, expected)


HELD_OUT = [
    ("os_ci_semicolon_p", "Median overall survival was 19.6 months (95% CI, 17.2-22.1) with nivolumab and 13.1 months (95% CI, 10.9-15.4) with docetaxel; P = .002.",
     [("19.6 months", {"endpoint": "OS", "measure": "median", "ci": [17.2, 22.1], "group": "nivolumab", "p": "P = .002"}),
      ("13.1 months", {"endpoint": "OS", "ci": [10.9, 15.4], "group": "docetaxel", "p": "P = .002"})]),
    ("pfs_weeks_vs", "Median PFS was 16 weeks versus 9 weeks for placebo (P < .001).",
     [("16 weeks", {"endpoint": "PFS", "unit": "weeks", "p": "P < .001"}), ("9 weeks", {"group": "placebo", "p": "P < .001"})]),
    ("two_year_rates_arms", "Two-year progression-free survival rates were 41% in arm A and 28% in arm B.",
     [("41%", {"endpoint": "PFS", "horizon": "Two-year", "group": "arm A"}), ("28%", {"horizon": "Two-year", "group": "arm B"})]),
    ("efs_at_years", "Event-free survival at 4 years was 72% (95% CI, 66%-78%).",
     [("72%", {"endpoint": "EFS", "horizon": "4 years", "ci": [66, 78]})]),
    ("ttp_range", "The median time to progression was 5.3 months (range, 1.2-19.8 months).",
     [("5.3 months", {"endpoint": "TTP", "measure": "median", "range": [1.2, 19.8]})]),
    ("dss_respectively", "Ten-year disease-specific and overall survival were 88% and 74%, respectively.",
     [("88%", {"endpoint": "DSS", "horizon": "Ten-year"}), ("74%", {"endpoint": "OS", "horizon": "Ten-year"})]),
    ("dor_abbrev", "Among responders, the median DOR was 11.1 months.", [("11.1 months", {"endpoint": "DOR", "measure": "median"})]),
    ("rfs_three_groups", "Median RFS was 20.3, 14.8 and 9.5 months in the low-, intermediate- and high-risk groups.",
     [("20.3", {"endpoint": "RFS", "unit": M}), ("14.8", {"unit": M}), ("9.5 months", {"unit": M})]),
    ("shared_unit_years_dfs", "Median disease-free survival reached 4.2 and 3.1 years in the two arms.",
     [("4.2", {"endpoint": "DFS", "unit": "years"}), ("3.1 years", {"endpoint": "DFS"})]),
    ("follow_up_years_not", "With a median follow-up of 6.2 years, the 5-year overall survival was 81%.",
     [("81%", {"endpoint": "OS", "horizon": "5-year"})]),
    ("treatment_duration_not", "Patients received sunitinib for a median of 7 months, and median OS was 26.4 months.",
     [("26.4 months", {"endpoint": "OS", "measure": "median"})]),
    ("response_rate_not", "The overall response rate was 31% (95% CI, 22%-41%), with a median PFS of 5.6 months.",
     [("5.6 months", {"endpoint": "PFS"})]),
    ("powered_not", "Assuming a median PFS of 6 months in the control arm, 300 patients provide 80% power.", []),
    ("crude_death_share_not", "By the data cutoff, 58% of patients had died.", []),
    ("mean_survival_days", "Mean survival was 412 days in the treated group and 280 days in controls.",
     [("412 days", {"endpoint": "OS", "measure": "mean", "group": "treated group"}), ("280 days", {"group": "controls"})]),
    ("local_recurrence_rate_not", "The 3-year local recurrence rate was 8%.", []),
]

KNOWN_MISSES: dict[str, str] = {}


@pytest.mark.parametrize("text,expected", table_params(HELD_OUT, KNOWN_MISSES))
def test_survival_heldout_case(text, expected):
    check(text, expected)
