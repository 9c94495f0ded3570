"""Inter-annotator agreement between two gold passes."""

from __future__ import annotations

import pytest

from pipeline.evaluation.agreement import agreement
from pipeline.evaluation.formatting import format_agreement

TEXT = "Median progression-free survival was 7.4 months with FOLFOX and 5.9 months with CAPOX (HR 0.81)."


def span(label: str, quote: str, trim: int = 0) -> dict:
    start = TEXT.index(quote)
    return {"label": label, "start": start, "end": start + len(quote) - trim, "text": quote[: len(quote) - trim], "attrs": {}}


PASS1 = [
    {"doc": "pmc:PMC1", "entities": [span("SURVIVAL", "7.4 months"), span("DRUG", "FOLFOX"), span("SURVIVAL", "5.9 months"),
                                     span("DRUG", "CAPOX"), span("HAZARD_RATIO", "0.81")]},
    {"doc": "pmc:PMC2", "entities": [span("DRUG", "FOLFOX")]},
]


@pytest.mark.parametrize(
    "pass2, strict_micro, overlap_micro, survival_f1",
    [
        pytest.param(PASS1, (6, 0, 0), (6, 0, 0), 1.0, id="identical"),
        pytest.param(
            [{"doc": "pmc:PMC1", "entities": [span("SURVIVAL", "7.4 months", trim=7), span("DRUG", "FOLFOX"),
                                              span("SURVIVAL", "5.9 months"), span("DRUG", "CAPOX")]},
             PASS1[1]],
            (4, 1, 2), (5, 0, 1), 0.5, id="boundary-and-missing-hr",
        ),
        pytest.param([PASS1[0]], (5, 0, 0), (5, 0, 0), 1.0, id="doc-only-in-pass1-not-counted"),
    ],
)
def test_evaluate_agreement(pass2, strict_micro, overlap_micro, survival_f1):
    report = agreement(PASS1, pass2)
    s, o = report.strict["micro"], report.overlap["micro"]
    assert (s.tp, s.fp, s.fn) == strict_micro
    assert (o.tp, o.fp, o.fn) == overlap_micro
    assert report.strict["SURVIVAL"].f1 == pytest.approx(survival_f1)
    assert "micro" in format_agreement(report)


def test_evaluate_agreement_lists_unpaired_docs():
    report = agreement(PASS1, [PASS1[0], {"doc": "pmc:PMC3", "entities": []}])
    assert (report.docs, report.only_in_first, report.only_in_second) == (1, ["pmc:PMC2"], ["pmc:PMC3"])


def test_evaluate_agreement_is_symmetric_in_f1():
    other = [{"doc": "pmc:PMC1", "entities": PASS1[0]["entities"][:3]}, PASS1[1]]
    assert agreement(PASS1, other).strict["micro"].f1 == pytest.approx(agreement(other, PASS1).strict["micro"].f1)


def test_evaluate_agreement_counts_attribute_disagreements():
    first = [{"doc": "pmc:PMC1", "entities": [{**span("SURVIVAL", "7.4 months"), "attrs": {"endpoint": "PFS", "value": 7.4}}]}]
    second = [{"doc": "pmc:PMC1", "entities": [{**span("SURVIVAL", "7.4 months"), "attrs": {"endpoint": "OS", "value": 7.4}}]}]
    attrs = agreement(first, second).attributes["SURVIVAL"]
    assert (attrs["endpoint"].correct, attrs["endpoint"].total) == (0, 1)
    assert (attrs["value"].correct, attrs["value"].total) == (1, 1)
