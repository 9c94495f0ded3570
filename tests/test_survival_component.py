"""The spaCy components: token-aligned spans in doc.spans["entities"] with attributes."""

from __future__ import annotations

import pytest
import spacy

import pipeline.components.hazard_ratios  # noqa: F401  (registers the component)
import pipeline.components.sentences  # noqa: F401
import pipeline.components.survival  # noqa: F401
from pipeline.components.tokenizer import AbstractTokenizer

TEXT = (
    "Median PFS and OS were 4.4 and 4.5 months, respectively (median follow-up, 23 months). "
    "Survival was longer with the combination (HR 0.75, 95% CI 0.61 to 0.92; P = .004)."
)


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.tokenizer = AbstractTokenizer(nlp.vocab)
    nlp.add_pipe("abstracts_sentences")
    nlp.add_pipe("abstracts_survival")
    nlp.add_pipe("abstracts_hazard_ratios")
    return nlp


def test_survival_component_adds_aligned_spans(nlp):
    doc = nlp(TEXT)
    spans = [(s.label_, s.text, s._.attrs) for s in doc.spans["entities"]]
    assert [(label, text) for label, text, _ in spans] == [
        ("SURVIVAL", "4.4"), ("SURVIVAL", "4.5 months"), ("HAZARD_RATIO", "0.75")
    ]
    assert spans[0][2]["endpoint"] == "PFS" and spans[1][2]["endpoint"] == "OS"
    assert spans[2][2] == {"value": 0.75, "ci": [0.61, 0.92], "p": "P = .004", "endpoint": "OS"}
    assert doc.user_data["survival_misaligned"] == 0 and doc.user_data["hazard_ratio_misaligned"] == 0


def test_survival_component_keeps_existing_entities(nlp):
    doc = nlp.make_doc(TEXT)
    doc.spans["entities"] = [doc[0:1]]
    for name in ("abstracts_sentences", "abstracts_survival"):
        doc = nlp.get_pipe(name)(doc)
    assert len(doc.spans["entities"]) == 3 and doc.spans["entities"][0].text == "Median"


def test_survival_component_title_doc_without_sentences(nlp):
    doc = nlp.make_doc("Three-year overall survival of 64% after hepatic arterial infusion")
    doc._.segment = "title"
    doc = nlp.get_pipe("abstracts_survival")(doc)
    doc = nlp.get_pipe("abstracts_hazard_ratios")(doc)
    assert [(s.text, s._.attrs["horizon"]) for s in doc.spans["entities"]] == [("64%", "Three-year")]


def test_survival_component_counts_misaligned_hits():
    """A hit whose characters do not fall on token edges is skipped and counted, not raised."""
    from pipeline.components.survival import SurvivalFigure, add_entity_spans

    nlp = spacy.blank("en")
    doc = nlp.make_doc("Median survival was 48 months.")
    inside_a_word = SurvivalFigure(2, 9, doc.text[2:9], {"endpoint": "OS"})
    add_entity_spans(doc, [inside_a_word], "SURVIVAL", "survival_misaligned")
    assert len(doc.spans["entities"]) == 0 and doc.user_data["survival_misaligned"] == 1
