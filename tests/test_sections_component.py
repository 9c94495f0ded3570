"""The `abstracts_sections` component on Docs (cue-word heuristic, no model)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import spacy

import pipeline.components.sections  # noqa: F401  (registers abstracts_sections)
import pipeline.components.sentences  # noqa: F401  (registers abstracts_sentences)
from pipeline.article import layout_structured
from pipeline.components.heading_map import LABELS
from pipeline.components.tokenizer import AbstractTokenizer

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
# seeds without headings: four paragraphs each
UNLABELLED_SEEDS = {
    "000": ("We report results", "evaluation is important."),
    "002": ("Surgery confers", "disease progression/recurrence."),
}


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.tokenizer = AbstractTokenizer(nlp.vocab)
    nlp.add_pipe("abstracts_sentences")
    nlp.add_pipe("abstracts_sections", config={"model_path": None})
    return nlp


def run(nlp, text, headings=(), paragraphs=None, segment="abstract"):
    doc = nlp.make_doc(text)
    doc._.segment = segment
    doc._.headings = list(headings)
    doc._.paragraphs = paragraphs
    return nlp(doc)


def paragraphs_of(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", text)]


def seed_text(prefix: str) -> str:
    paths = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not paths:
        pytest.skip(f"seed {prefix} not available under {SEEDS}")
    page = paths[0].read_text(encoding="utf-8")
    first, last = UNLABELLED_SEEDS[prefix]
    start = page.index(first)
    return page[start : page.index(last, start) + len(last)]


def assert_well_formed(doc, headings=()):
    """Contiguous, ordered, never on white space, covering the text without headings."""
    spans = list(doc.spans["sections"])
    assert spans, "no sections"
    for span in spans:
        assert span.text == span.text.strip() and span.text
    covered = set()
    for span in spans:
        covered.update(range(span.start_char, span.end_char))
    heading_chars = set()
    for h in headings:
        heading_chars.update(range(h.start, h.body_start))
    uncovered = [i for i in range(len(doc.text)) if i not in covered and i not in heading_chars and not doc.text[i].isspace()]
    assert uncovered == []
    assert all(a.end_char <= b.start_char for a, b in zip(spans, spans[1:]))


def test_title_doc_gets_no_sections(nlp):
    doc = run(nlp, "Isolated hepatic perfusion for liver metastases.", segment="title")
    assert "sections" not in doc.spans


def test_headings_become_sections(nlp):
    text, _t, _a, headings, paras = layout_structured(
        None, [("Purpose", "We tested X in mice."), ("Patients and methods", "Mice got X."), ("Findings", "X worked (P = .01)."),
               ("Interpretation", "X may work.")])
    doc = run(nlp, text, headings, paras)
    got = [(s.label_, s._.heading, s._.section_source, s.text) for s in doc.spans["sections"]]
    assert got == [
        ("OBJECTIVE", "Purpose", "heading", "We tested X in mice."),
        ("METHODS", "Patients and methods", "heading", "Mice got X."),
        ("RESULTS", "Findings", "heading", "X worked (P = .01)."),
        ("CONCLUSIONS", "Interpretation", "heading", "X may work."),
    ]
    assert_well_formed(doc, headings)


def test_stated_category_wins_and_unknown_heading_gets_a_label(nlp):
    text, _t, _a, headings, paras = layout_structured(
        None, [("Context", "X is a common disease."), ("Our approach", "Patients were randomized to X or placebo."),
               ("Outcome", "Survival was 48% vs 31% (P = .01)."), ("Conclusions", "X should be used."),
               ("Trial registration", "NCT00000001.")])
    headings[0].category = "BACKGROUND"
    doc = run(nlp, text, headings, paras)
    got = [(s.label_, s._.section_source) for s in doc.spans["sections"]]
    assert got == [("BACKGROUND", "xml"), ("METHODS", "paragraph"), ("RESULTS", "heading"), ("CONCLUSIONS", "heading"),
                   ("BACKGROUND", "heading")]


@pytest.mark.parametrize("prefix", sorted(UNLABELLED_SEEDS))
def test_unlabelled_seed_sections_by_paragraph(nlp, prefix):
    text = seed_text(prefix)
    doc = run(nlp, text, paragraphs=paragraphs_of(text))
    spans = list(doc.spans["sections"])
    assert [s.text for s in spans] == [text[a:b] for a, b in paragraphs_of(text)]
    assert spans[0].label_ in {"OBJECTIVE", "BACKGROUND"}
    assert [s.label_ for s in spans[1:]] == ["METHODS", "RESULTS", "CONCLUSIONS"]
    assert {s._.section_source for s in spans} == {"paragraph"}
    assert_well_formed(doc)


@pytest.mark.parametrize("prefix", sorted(UNLABELLED_SEEDS))
def test_unlabelled_seed_sections_by_sentence(nlp, prefix):
    """Paragraph breaks lost: runs of sentences, in canonical order."""
    text = re.sub(r"\s*\n\s*", " ", seed_text(prefix))
    doc = run(nlp, text)
    spans = list(doc.spans["sections"])
    labels = [s.label_ for s in spans]
    assert labels == sorted(labels, key=LABELS.index) and len(set(labels)) == len(labels)
    assert labels[-1] == "CONCLUSIONS" and "RESULTS" in labels and "METHODS" in labels
    assert {s._.section_source for s in spans} == {"sentence"}
    assert_well_formed(doc)


def test_blank_abstract_is_left_alone(nlp):
    doc = run(nlp, "   ")
    assert "sections" not in doc.spans
