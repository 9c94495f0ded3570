"""The assembled pipeline: component order, declared attributes, the shipped section model."""

from __future__ import annotations

from pathlib import Path

from pipeline.nlp import PIPE_NAMES, default_section_model

REPO = Path(__file__).resolve().parents[1]


def test_nlp_pipeline_order_and_analysis(nlp):
    assert tuple(nlp.pipe_names) == PIPE_NAMES
    analysis = nlp.analyze_pipes()
    assert analysis["problems"] == {name: [] for name in PIPE_NAMES}


def test_nlp_loads_the_shipped_section_model_from_models(nlp):
    # in a checkout the model comes from the top-level models/ folder
    assert default_section_model() == REPO / "models" / "section_model"
    assert (default_section_model() / "model" / "meta.json").exists()
    tagger = nlp.get_pipe("abstracts_sections")
    text = (
        "Liver metastases are common in colorectal cancer and few patients can be resected. "
        "We treated 40 patients with hepatic arterial infusion of floxuridine. "
        "Median overall survival was 31 months and the 3-year survival rate was 42%. "
        "Hepatic arterial infusion is feasible and should be tested in a randomized trial."
    )
    doc = nlp.make_doc(text)
    doc._.segment, doc._.headings, doc._.paragraphs = "abstract", [], []
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    labels = [s.label_ for s in doc.spans["sections"]]
    assert labels[0] in {"BACKGROUND", "OBJECTIVE"} and labels[-1] == "CONCLUSIONS"
    assert "RESULTS" in labels
    assert all(s._.section_source == "model" for s in doc.spans["sections"])
    assert tagger is not None


def test_nlp_tags_an_abstract_longer_than_spacys_default_limit(nlp):
    # spaCy refuses texts over 1,000,000 characters by default; an abstract that long (a
    # saved full-text page run together) must be tagged, not turned into an error record
    from pipeline.readers.ingest import MAX_PAGE_BYTES

    assert nlp.max_length >= MAX_PAGE_BYTES
    doc = nlp("Median overall survival was 20.1 months. " * 26_000, disable=list(nlp.pipe_names))
    assert len(doc.text) > 1_000_000
