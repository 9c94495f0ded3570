"""SURVIVAL and HAZARD_RATIO on the five seed pages: every figure the guidelines define is
found with its attributes, and the other numbers (follow-up, operative time, hospital stay,
response shares, toxicity) are not tagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.components.hazard_ratios import find_hazard_ratios
from pipeline.components.survival import find_survival_figures

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def seed_text(name: str) -> str:
    path = SEEDS / f"{name}.txt"
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is not beside the checkout)")
    return path.read_text(encoding="utf-8")


# (seed, context that holds the span once, span, attributes that must match exactly)
SURVIVAL = [
    ("000_2388d6691ff22e17", "(mean duration, 15 months;", "15 months",
     {"endpoint": "DOR", "scope": "hepatic", "measure": "mean", "value": 15, "unit": "months", "range": [6, 26]}),
    ("000_2388d6691ff22e17", "survival was 7 months (range", "7 months",
     {"endpoint": "PFS", "scope": "hepatic", "measure": "median", "value": 7, "unit": "months", "range": [3, 27]}),
    ("000_2388d6691ff22e17", "survival was 48 months", "48 months",
     {"endpoint": "OS", "measure": "median", "value": 48, "unit": "months"}),
    ("001_1d0e0a3be61d0160", "a median 9.2 months (95% CI", "9.2 months",
     {"endpoint": "TTP", "scope": "hepatic", "measure": "median", "value": 9.2, "unit": "months", "ci": [3.1, 15.3],
      "group": "unresectable patients"}),
    ("001_1d0e0a3be61d0160", "a median 24.7 months (2.5", "24.7 months",
     {"endpoint": "TTR", "scope": "hepatic", "measure": "median", "value": 24.7, "unit": "months", "ci": [2.5, 46.9],
      "group": "adjuvant group"}),
    ("001_1d0e0a3be61d0160", "was 64% in the adjuvant", "64%",
     {"endpoint": "OS", "measure": "rate", "horizon": "3-year", "value": 64, "unit": "%", "group": "adjuvant group"}),
    ("001_1d0e0a3be61d0160", "and 37% in the unresectable", "37%",
     {"endpoint": "OS", "measure": "rate", "horizon": "3-year", "value": 37, "unit": "%", "group": "unresectable group"}),
    ("002_5925cd04c5fa4a40", "were 15 and 48 months", "15", {"endpoint": "PFS", "measure": "median", "value": 15, "unit": "months"}),
    ("002_5925cd04c5fa4a40", "and 48 months, respectively", "48 months",
     {"endpoint": "OS", "measure": "median", "value": 48, "unit": "months"}),
    ("003_f38cd80341152345", "survival of 83% for", "83%",
     {"endpoint": "OS", "measure": "rate", "horizon": "3-year", "value": 83, "unit": "%", "p": "P\u00a0=\u00a0.01",
      "group": "patients treated by surgical resection"}),
    ("003_f38cd80341152345", "with 31% in patients", "31%",
     {"endpoint": "OS", "measure": "rate", "horizon": "3-year", "value": 31, "unit": "%", "p": "P\u00a0=\u00a0.01",
      "group": "patients treated with medical therapy or embolization"}),
    ("004_67a83642c063ffbd", "(8.0 months CS-PHP", "8.0 months",
     {"endpoint": "PFS", "scope": "hepatic", "measure": "unspecified", "value": 8.0, "unit": "months", "p": "p < 0.0001",
      "group": "CS-PHP"}),
    ("004_67a83642c063ffbd", "vs. 1.6 months BAC, p < 0.0001) and overall", "1.6 months",
     {"endpoint": "PFS", "scope": "hepatic", "measure": "unspecified", "value": 1.6, "unit": "months", "p": "p < 0.0001",
      "group": "BAC"}),
    ("004_67a83642c063ffbd", "(6.7 months CS-PHP", "6.7 months",
     {"endpoint": "PFS", "measure": "unspecified", "value": 6.7, "unit": "months", "p": "p < 0.0001", "group": "CS-PHP"}),
    ("004_67a83642c063ffbd", "vs. 1.6 months BAC, p < 0.0001), respectively", "1.6 months",
     {"endpoint": "PFS", "measure": "unspecified", "value": 1.6, "unit": "months", "p": "p < 0.0001", "group": "BAC"}),
    ("004_67a83642c063ffbd", "and 16 month hepatic", "16 month",
     {"endpoint": "PFS", "scope": "hepatic", "measure": "unspecified", "value": 16, "unit": "months"}),
]

HAZARD_RATIOS = [
    ("001_1d0e0a3be61d0160", "(HR 2.4, 95% CI", "2.4", {"value": 2.4, "ci": [1.1, 5.0], "endpoint": "OS"}),
    # this page writes thin spaces (U+2009) around `=`; p keeps them (as written)
    ("002_5925cd04c5fa4a40", "HR= 0.32", "0.32", {"value": 0.32, "p": "P\u2009=\u20090.006", "endpoint": "PFS"}),
    ("002_5925cd04c5fa4a40", "HR\u2009=\u20094.04", "4.04", {"value": 4.04, "p": "P\u2009=\u20090.029", "endpoint": "OS"}),
    ("002_5925cd04c5fa4a40", "HR\u2009=\u20094.03", "4.03", {"value": 4.03, "p": "P\u2009=\u20090.004", "endpoint": "PFS"}),
    ("002_5925cd04c5fa4a40", "HR\u2009=\u20094.08", "4.08", {"value": 4.08, "p": "P\u2009=\u20090.006", "endpoint": "PFS"}),
    ("002_5925cd04c5fa4a40", "HR\u2009=\u20090.63", "0.63", {"value": 0.63, "p": "P\u2009=\u20090.024", "endpoint": "PFS"}),
]

# numbers that look like survival figures but are not (context, text)
NOT_SURVIVAL = [
    ("000_2388d6691ff22e17", "(median follow-up, 23 months)", "23 months"),
    ("000_2388d6691ff22e17", "time was 9 hours (8-11 hours)", "9 hours"),
    ("000_2388d6691ff22e17", "stay was 10 days (6-64 days)", "10 days"),
    ("000_2388d6691ff22e17", "(25%-49% reduction", "25%"),
    ("001_1d0e0a3be61d0160", "prevalent (48%)", "48%"),
    ("001_1d0e0a3be61d0160", "in 19 (32%)", "32%"),
    ("002_5925cd04c5fa4a40", "was 29 months (range", "29 months"),
    ("003_f38cd80341152345", "(median follow-up, 20 months)", "20 months"),
    ("004_67a83642c063ffbd", "with a 25 % reduction", "25 %"),
]


def _locate(text: str, context: str, span: str) -> tuple[int, int]:
    at = text.find(context)
    assert at >= 0 and text.find(context, at + 1) < 0, f"context {context!r} must occur once"
    start = at + context.index(span)
    return start, start + len(span)


def _seeds(rows):
    return [pytest.param(*row, id=f"{row[0][:3]}:{row[2]}@{row[1][:18]}".replace("\u2009", " ")) for row in rows]


@pytest.mark.parametrize("seed,context,span,attrs", _seeds(SURVIVAL))
def test_survival_seed_figure(seed, context, span, attrs):
    text = seed_text(seed)
    start, end = _locate(text, context, span)
    hits = {(h.start, h.end): h for h in find_survival_figures(text)}
    assert (start, end) in hits, f"{span!r} not found"
    assert hits[(start, end)].attrs == attrs


@pytest.mark.parametrize("seed,context,span,attrs", _seeds(HAZARD_RATIOS))
def test_hazard_ratio_seed_figure(seed, context, span, attrs):
    text = seed_text(seed)
    start, end = _locate(text, context, span)
    hits = {(h.start, h.end): h for h in find_hazard_ratios(text)}
    assert (start, end) in hits, f"{span!r} not found"
    assert hits[(start, end)].attrs == attrs


@pytest.mark.parametrize("seed,context,span", [pytest.param(*r, id=f"{r[0][:3]}:{r[2]}") for r in NOT_SURVIVAL])
def test_survival_seed_non_figure(seed, context, span):
    text = seed_text(seed)
    start, end = _locate(text, context, span)
    for hit in find_survival_figures(text):
        assert not (hit.start < end and start < hit.end), f"{hit.text!r} overlaps a non-survival number"


@pytest.mark.parametrize("seed", sorted({row[0] for row in SURVIVAL}))
def test_survival_seed_nothing_extra(seed):
    text = seed_text(seed)
    expected = {_locate(text, c, s) for name, c, s, _ in SURVIVAL if name == seed}
    got = {(h.start, h.end) for h in find_survival_figures(text)}
    assert got == expected
    expected_hr = {_locate(text, c, s) for name, c, s, _ in HAZARD_RATIOS if name == seed}
    assert {(h.start, h.end) for h in find_hazard_ratios(text)} == expected_hr
