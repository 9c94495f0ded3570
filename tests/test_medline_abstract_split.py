"""Splitting a MEDLINE AB value at inline structured labels."""

from __future__ import annotations

import pytest

from pipeline.readers.medline import parse_citation_line, split_abstract


@pytest.mark.parametrize(
    ("abstract", "expected"),
    [
        (
            "BACKGROUND: Why. METHODS: How. RESULTS: What. CONCLUSIONS: So.",
            [("BACKGROUND", "Why."), ("METHODS", "How."), ("RESULTS", "What."), ("CONCLUSIONS", "So.")],
        ),
        (
            "MATERIALS AND METHODS: Rats. RESULTS: Fewer tumours (P < .05).",
            [("MATERIALS AND METHODS", "Rats."), ("RESULTS", "Fewer tumours (P < .05).")],
        ),
        ("OBJECTIVE: Only one label here.", [("OBJECTIVE", "Only one label here.")]),
        ("A plain abstract. It has no labels at all.", [(None, "A plain abstract. It has no labels at all.")]),
        ("Survival improved. HR: 0.7 overall.", [(None, "Survival improved. HR: 0.7 overall.")]),
        ("We measured the ratio (OR: 1.2) carefully.", [(None, "We measured the ratio (OR: 1.2) carefully.")]),
        (
            "Intro sentence. AIMS: To test. DESIGN: A trial.",
            [(None, "Intro sentence."), ("AIMS", "To test."), ("DESIGN", "A trial.")],
        ),
        ("Mid-text. RESULTS: lone label later.", [(None, "Mid-text. RESULTS: lone label later.")]),
        ("", []),
    ],
    ids=["four-labels", "multiword-label", "single-leading-label", "unstructured", "stat-abbreviation",
         "parenthesised-abbreviation", "preamble-then-labels", "one-late-label-ignored", "empty"],
)
def test_medline_split_abstract(abstract, expected):
    assert split_abstract(abstract) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "N Engl J Med. 2018 May 17;378(20):1865-1876. doi: 10.1056/NEJMoa1715274.",
            {"journal": "N Engl J Med", "year": 2018, "volume": "378", "issue": "20", "pages": "1865-1876",
             "doi": "10.1056/NEJMoa1715274"},
        ),
        (
            "J Clin Oncol. 1998 Dec-1999 Jan;16(12):3720-30.",
            {"journal": "J Clin Oncol", "year": 1998, "volume": "16", "issue": "12", "pages": "3720-30"},
        ),
        ("Imag Comment. 2003;1:1.", {"journal": "Imag Comment", "year": 2003, "volume": "1", "pages": "1"}),
        (None, {}),
    ],
    ids=["full", "medline-date", "no-issue", "none"],
)
def test_medline_parse_citation_line(source, expected):
    assert parse_citation_line(source) == expected
