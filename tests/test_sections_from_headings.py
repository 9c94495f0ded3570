"""sections_from_headings: one section per heading, on the heading seed pages and small cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.article import Heading, layout_structured
from pipeline.components.heading_map import heading_category
from pipeline.components.sections import sections_from_headings

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
# Where each seed page's abstract starts and ends (the page cleaner finds these in the pipeline).
SEED_ABSTRACTS = {
    "001": ("INTRODUCTION:", "medical oncologists."),
    "003": ("Background", "associated with improved survival."),
    "004": ("Purpose:", "potentially improve survival."),
}
# A heading opens a paragraph and ends with a colon or two spaces (003 writes "Background\xa0 The").
HEADING_RE = re.compile(r"([A-Z][A-Za-z ,/&']{0,60}?)(?::[^\S\n]*|[^\S\n]{2,})(?=\S)")


def seed_abstract(prefix: str) -> tuple[str, list[Heading]]:
    paths = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not paths:
        pytest.skip(f"seed {prefix} not available under {SEEDS}")
    page = paths[0].read_text(encoding="utf-8")
    first, last = SEED_ABSTRACTS[prefix]
    start = page.index(first)
    text = page[start : page.index(last, start) + len(last)]
    headings = []
    for para in re.finditer(r"\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", text):
        match = HEADING_RE.match(text, para.start())
        if match and heading_category(match.group(1)):
            name = match.group(1)
            headings.append(Heading(name, para.start(), para.start() + len(name), match.end()))
    return text, headings


SEED_CASES = [
    ("001", [("BACKGROUND", "INTRODUCTION", "Hepatic arterial infusion pump"),
             ("METHODS", "METHODS", "A surgeon-led team"),
             ("RESULTS", "RESULTS", "Sixty patients were treated"),
             ("CONCLUSIONS", "CONCLUSION", "A surgeon-led HAIP program")]),
    ("003", [("BACKGROUND", "Background", "The optimal treatment"),
             ("METHODS", "Design", "Retrospective study."),
             ("METHODS", "Setting", "Tertiary care center."),
             ("METHODS", "Patients", "Patients with metastatic"),
             ("METHODS", "Interventions", "Patients were subdivided"),
             ("METHODS", "Main Outcome Measures", "Effect of treatment"),
             ("RESULTS", "Results", "From January 1996"),
             ("CONCLUSIONS", "Conclusion", "In patients with liver-only")]),
    ("004", [("OBJECTIVE", "Purpose", "Treatment of patients with unresectable"),
             ("METHODS", "Methods", "We present as an illustration"),
             ("RESULTS", "Results", "A randomized phase III trial"),
             ("CONCLUSIONS", "Conclusion", "CS-PHP offers several advantages")]),
]


@pytest.mark.parametrize("prefix, expected", SEED_CASES, ids=[c[0] for c in SEED_CASES])
def test_sections_from_headings_on_seed_pages(prefix, expected):
    text, headings = seed_abstract(prefix)
    sections = sections_from_headings(text, headings)
    assert [(s.label, s.heading) for s in sections] == [(label, heading) for label, heading, _ in expected]
    for section, (_, _, opening) in zip(sections, expected):
        assert text[section.start : section.end].startswith(opening)
        assert section.source == "heading"
    # sections end where the next heading starts (minus white space) and at the abstract end
    for section, nxt in zip(sections, headings[1:]):
        assert text[section.end : nxt.start].strip() == ""
    assert sections[-1].end == len(text)


def _structured(*sections: tuple[str | None, str]) -> tuple[str, list[Heading]]:
    text, _title, _span, headings, _paras = layout_structured(None, list(sections))
    return text, headings


SMALL_CASES = [
    ("stated-category-wins", [("Aims", "We tested X."), ("Findings", "X worked.")], ["OBJECTIVE", "RESULTS"], ["xml", "heading"]),
    ("unknown-heading-unlabelled", [("Background", "X is common."), ("Pavetta indica Linn", "An extract."), ("Conclusions", "Good.")],
     ["BACKGROUND", None, "CONCLUSIONS"], ["heading", "heading", "heading"]),
    ("trial-registration-trailer", [("Results", "X worked."), ("Trial registration", "NCT00000001.")],
     ["RESULTS", "BACKGROUND"], ["heading", "heading"]),
]


@pytest.mark.parametrize("name, parts, labels, sources", SMALL_CASES, ids=[c[0] for c in SMALL_CASES])
def test_sections_from_headings_labels(name, parts, labels, sources):
    text, headings = _structured(*parts)
    if name == "stated-category-wins":
        headings[0].category = "OBJECTIVE"  # PubMed XML says so
        headings[1].category = "UNASSIGNED"  # falls back to the map
    sections = sections_from_headings(text, headings)
    assert [s.label for s in sections] == labels
    assert [s.source for s in sections] == sources
    assert [s.trailer for s in sections] == [h == "Trial registration" for h, _ in parts]
    assert [text[s.start : s.end] for s in sections] == [body for _, body in parts]


def test_sections_from_headings_keeps_text_before_first_heading():
    text, headings = _structured((None, "An unlabelled opening sentence."), ("Methods", "We did X."))
    sections = sections_from_headings(text, headings)
    assert [(s.label, s.heading, text[s.start : s.end]) for s in sections] == [
        (None, None, "An unlabelled opening sentence."),
        ("METHODS", "Methods", "We did X."),
    ]


def test_sections_from_headings_skips_empty_bodies():
    text = "Methods:\n\nResults: It worked.  \n"
    headings = [Heading("Methods", 0, 7, 9), Heading("Results", 10, 17, 19)]
    sections = sections_from_headings(text, headings)
    assert [(s.label, text[s.start : s.end]) for s in sections] == [("RESULTS", "It worked.")]
