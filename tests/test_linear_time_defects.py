"""The measured stalls of issue #10, one test each: pages that took 20-95 s or never
finished in one tagging stage, plain prose that grew quadratically, and a run of 4,301+
digits that turned the record into an error. Each input now goes through its stage and
the whole pipeline within the budget of tests/adversarial.py."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline.components.doses import find_doses
from pipeline.components.hazard_ratios import find_hazard_ratios
from pipeline.components.survival import find_survival_figures
from pipeline.extract import iter_articles, process_articles
from tests.adversarial import assert_within_budget, budget, no_gc

HEAD = "Adversarial page\n\nJournal of Tests. 2024;1(1):1-2.\n\nAbstract\n\nBACKGROUND: We studied oxaliplatin 85 mg/m2.\n\nRESULTS: "
TAIL = "\n\nCONCLUSIONS: The end.\n"

# (id, payload in RESULTS, the stage it stalled, time before the fix)
DEFECTS = [
    ("numbers-and-commas", "1," * 1000, find_doses),  # 20-33 s
    ("numbers-and-dashes", "1-" * 5000, find_doses),  # 61 s
    ("horizon-list", "1-, " * 5000, find_survival_figures),  # 45 s
    ("ratio-brackets", "(HR 0.5; 95% CI 0.4 to " * 5000, find_hazard_ratios),  # 95 s
    ("dose-units", "mg/m2, " * 50_000, find_doses),  # never finished (the pipeline: sentences)
]
MORE_RUNS = [
    "at 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1 5 months ",  # time-point list before a value
    "1- and ",  # horizon list joined by `and`
    "OS 5 months, ",  # one cue, many values
    "HR 1.2 (1.0-1.5), ",  # an unlabelled ratio list
    "HRs for OS and PFS were 0.5 and 0.6, respectively, and ",  # ratio and endpoint lists (`respectively`)
    "disease-specific and overall survival were 88% and 74%, respectively, and ",  # shortened endpoint lists
    "disease-free, distant metastasis-free and overall 5%, ",  # shortened endpoints that no phrase closes
    "HR (",  # brackets that never close
    "E 5 mg, C 5 mg; ",  # doses and their drugs
    "5% of patients ",
]


def page(tmp_path: Path, payload: str) -> list:
    path = tmp_path / "page.txt"
    path.write_text(HEAD + payload + TAIL, encoding="utf-8")
    return list(iter_articles([path]))


@pytest.mark.parametrize("payload, stage", [pytest.param(p, s, id=i) for i, p, s in DEFECTS])
def test_linear_time_defect_stage(payload, stage):
    assert_within_budget(stage, payload, stage.__name__)


@pytest.mark.parametrize("unit", MORE_RUNS)
@pytest.mark.parametrize("stage", [find_doses, find_survival_figures, find_hazard_ratios], ids=lambda f: f.__name__)
def test_linear_time_runs_through_every_stage_function(stage, unit):
    assert_within_budget(stage, unit * (20_000 // len(unit)), stage.__name__)


@pytest.mark.slow
@pytest.mark.parametrize("payload", [pytest.param(p, id=i) for i, p, _ in DEFECTS])
def test_linear_time_defect_page_whole_pipeline(nlp, tmp_path, payload):
    """The page as extract processes it (reading and cleaning excluded: not a tagging stage).
    Timed in CPU seconds of this process, without the garbage collector: the wall clock also
    counts the time other processes hold the core."""
    articles = page(tmp_path, payload)
    with no_gc():
        t = time.process_time()
        records = list(process_articles(articles, nlp))
        took = time.process_time() - t
    assert took < budget(len(payload)), f"{took:.2f} s for a page of {len(payload)} characters"
    assert [r.status for r in records] == ["ok"]


LONG = "9" * 5000


@pytest.mark.parametrize(
    "text",
    [
        f"Median overall survival was {LONG} months (95% CI 1-{LONG}); 5-year OS {LONG}%.",
        f"oxaliplatin {LONG} mg/m2 and 2 x 10^400 mg and {LONG},{LONG} mg and 400/{LONG} µg",
        f"HR {LONG} (95% CI {LONG}-{LONG}); HR 0.5 ({LONG}-2), {LONG} ({LONG}-{LONG}), p = 0.{LONG}",
    ],
    ids=["survival", "doses", "hazard-ratios"],
)
def test_long_digit_runs_are_not_values(text):
    """Python refuses to turn 4,301+ digits into an int: such a number is simply no value."""
    for stage in (find_doses, find_survival_figures, find_hazard_ratios):
        for hit in stage(text):
            assert LONG not in hit.text, (stage.__name__, hit)


def test_long_digit_runs_keep_the_record(nlp, tmp_path):
    payload = f"Median overall survival was {LONG} months. Median OS was 12 months (HR 0.5, 95% CI 0.4-0.6). Patients received 5 mg/kg."
    records = list(process_articles(page(tmp_path, payload), nlp))
    assert [r.status for r in records] == ["ok"]
    found = {(e.label, e.text) for e in records[0].entities}
    assert {("SURVIVAL", "12 months"), ("HAZARD_RATIO", "0.5"), ("DOSE", "5 mg/kg")} <= found
    assert not any(LONG in e.text for e in records[0].entities)
