"""The shipped section model (models/section_model) on abstracts without headings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import spacy

import pipeline.components.sections  # noqa: F401  (registers abstracts_sections)
import pipeline.components.sentences  # noqa: F401  (registers abstracts_sentences)
from pipeline.components.heading_map import LABELS
from pipeline.components.section_model import load_section_model, model_dir
from pipeline.components.tokenizer import AbstractTokenizer

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "section_model"
SEEDS = ROOT.parent / "shared" / "seeds"

# Written for these tests (not taken from any article): sentence -> the section it must fall in.
ABSTRACTS = {
    "trial": (
        "Gemcitabine is widely used for advanced pancreatic cancer, but responses are short. "
        "Whether adding a second cytotoxic agent improves survival is unclear. "
        "We aimed to compare gemcitabine plus oxaliplatin with gemcitabine alone in patients with metastatic disease. "
        "In this multicentre phase III trial, 312 patients were randomly assigned to receive gemcitabine 1000 mg/m2 "
        "weekly with or without oxaliplatin 100 mg/m2 every two weeks. "
        "The primary end point was overall survival, analysed by intention to treat. "
        "Median overall survival was 9.1 months with the combination and 7.4 months with gemcitabine alone "
        "(hazard ratio 0.81, 95% CI 0.66-0.99; P = 0.04). "
        "Grade 3 or 4 neutropenia occurred in 28% and 14% of patients, respectively. "
        "Adding oxaliplatin to gemcitabine modestly prolongs survival at the cost of more haematological toxicity. "
        "These findings support the combination for fit patients.",
        {
            "Gemcitabine is widely used": "BACKGROUND",
            "We aimed to compare": "OBJECTIVE",
            "In this multicentre phase III trial": "METHODS",
            "Median overall survival was 9.1 months": "RESULTS",
            "Grade 3 or 4 neutropenia": "RESULTS",
            "These findings support": "CONCLUSIONS",
        },
    ),
    "cohort": (
        "Chronic kidney disease is common among older adults and is associated with cardiovascular events. "
        "We conducted a retrospective cohort study of 4,210 adults aged 65 years or older who attended two "
        "outpatient clinics between 2008 and 2015. "
        "Kidney function was estimated from serum creatinine, and patients were followed up for hospital admission and death. "
        "During a median follow-up of 5.2 years, 612 patients died. "
        "Lower estimated glomerular filtration rate was associated with higher mortality "
        "(adjusted hazard ratio 1.45; 95% CI 1.21-1.74). "
        "Reduced kidney function predicts death in older outpatients and should prompt closer monitoring.",
        {
            "Chronic kidney disease is common": "BACKGROUND",
            "Kidney function was estimated": "METHODS",
            "Lower estimated glomerular": "RESULTS",
            "Reduced kidney function predicts": "CONCLUSIONS",
        },
    ),
    "surgery": (
        "The aim of this study was to evaluate laparoscopic versus open appendectomy in children. "
        "Eighty children with acute appendicitis were randomized to either procedure. "
        "Operating time, pain scores and length of stay were recorded. "
        "Operating time was similar in both groups, but children in the laparoscopic group had lower pain scores "
        "on day 1 (P < 0.01) and a shorter hospital stay (2.1 vs 3.4 days). "
        "Laparoscopic appendectomy is safe in children and may shorten recovery.",
        {
            "The aim of this study": "OBJECTIVE",
            "Eighty children with acute appendicitis": "METHODS",
            "Operating time was similar": "RESULTS",
            "Laparoscopic appendectomy is safe": "CONCLUSIONS",
        },
    ),
}


@pytest.fixture(scope="module")
def nlp():
    if not (model_dir(MODEL) / "meta.json").exists():
        pytest.skip("no trained section model (run scripts/train_section_model.py)")
    nlp = spacy.blank("en")
    nlp.tokenizer = AbstractTokenizer(nlp.vocab)
    nlp.add_pipe("abstracts_sentences")
    nlp.add_pipe("abstracts_sections", config={"model_path": str(MODEL)})
    return nlp


def run(nlp, text, paragraphs=None):
    doc = nlp.make_doc(text)
    doc._.segment = "abstract"
    doc._.headings = []
    doc._.paragraphs = paragraphs
    return nlp(doc)


def test_shipped_model_loads_with_five_labels():
    if not (model_dir(MODEL) / "meta.json").exists():
        pytest.skip("no trained section model")
    model = load_section_model(MODEL)
    probs = model.predict_words([["We", "aimed", "to", "test", "X", "."], ["X", "reduced", "mortality", "by", "12", "%", "."]])
    assert len(probs) == 2 and all(len(p) == len(LABELS) and abs(sum(p) - 1) < 1e-4 for p in probs)


def test_shipped_model_size_at_most_10_mb():
    if not (model_dir(MODEL) / "meta.json").exists():
        pytest.skip("no trained section model")
    size = sum(p.stat().st_size for p in MODEL.rglob("*") if p.is_file())
    assert size <= 10 * 1024 * 1024, size


def test_shipped_model_loads_from_models_folder_without_downloads(monkeypatch):
    """The real loading code on the shipped folder, with network access cut off."""
    if not (model_dir(MODEL) / "meta.json").exists():
        pytest.skip("no trained section model")
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the section model tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    model = load_section_model(MODEL)
    labels = model.label_words([["Heart", "failure", "is", "common", "."], ["We", "enrolled", "40", "patients", "."],
                                ["Mortality", "fell", "by", "12", "%", "(", "P", "=", "0.03", ")", "."]])
    assert labels == sorted(labels, key=LABELS.index) and len(labels) == 3


@pytest.mark.parametrize("name", sorted(ABSTRACTS))
def test_shipped_model_sections_own_abstracts(nlp, name):
    text, expected = ABSTRACTS[name]
    doc = run(nlp, text)
    spans = list(doc.spans["sections"])
    labels = [s.label_ for s in spans]
    assert labels == sorted(labels, key=LABELS.index) and len(set(labels)) == len(labels)
    assert {s._.section_source for s in spans} == {"model"}
    assert spans[0].start_char == 0 and spans[-1].end_char == len(text)
    for opening, label in expected.items():
        at = text.index(opening)
        assert [s.label_ for s in spans if s.start_char <= at < s.end_char] == [label], opening


@pytest.mark.parametrize("prefix, first, last", [("000", "We report results", "evaluation is important."),
                                                 ("002", "Surgery confers", "disease progression/recurrence.")])
def test_shipped_model_unlabelled_seeds_by_paragraph(nlp, prefix, first, last):
    paths = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not paths:
        pytest.skip(f"seed {prefix} not available")
    page = paths[0].read_text(encoding="utf-8")
    start = page.index(first)
    text = page[start : page.index(last, start) + len(last)]
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", text)]
    doc = run(nlp, text, paragraphs)
    spans = list(doc.spans["sections"])
    assert [(s.start_char, s.end_char) for s in spans] == paragraphs
    assert spans[0].label_ in {"OBJECTIVE", "BACKGROUND"}
    assert [s.label_ for s in spans[1:]] == ["METHODS", "RESULTS", "CONCLUSIONS"]


def test_shipped_model_labels_unknown_heading_between_known_ones(nlp):
    from pipeline.article import layout_structured

    text, _t, _a, headings, paras = layout_structured(None, [
        ("Background", "Chronic kidney disease is common among older adults."),
        ("Our approach", "We enrolled 210 adults in a randomised trial; kidney function was measured every 6 months."),
        ("Results", "Mortality was 12% vs 18% (P = 0.03)."),
        ("Conclusions", "Closer monitoring may reduce mortality."),
    ])
    doc = nlp.make_doc(text)
    doc._.segment = "abstract"
    doc._.headings = headings
    doc._.paragraphs = paras
    doc = nlp(doc)
    got = [(s.label_, s._.heading, s._.section_source) for s in doc.spans["sections"]]
    assert got == [("BACKGROUND", "Background", "heading"), ("METHODS", "Our approach", "model"),
                   ("RESULTS", "Results", "heading"), ("CONCLUSIONS", "Conclusions", "heading")]
