"""The shipped section model on abstracts without headings, one block of text: sentences
that structured training abstracts rarely show in that place (issue #13).

- "We randomly assigned..." (and its variants) is METHODS, also when it opens the abstract
  or follows the aim; it used to come out OBJECTIVE.
- An abstract that ends with methods (a trial protocol) ends with METHODS, not CONCLUSIONS.

Each case: (id, text, {opening words of a sentence: the section it must fall in}). The
abstracts were written for these tests, not taken from any article.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

import pipeline.components.sections  # noqa: F401  (registers abstracts_sections)
import pipeline.components.sentences  # noqa: F401  (registers abstracts_sentences)
from pipeline.components.heading_map import LABELS
from pipeline.components.section_model import model_dir
from pipeline.components.tokenizer import AbstractTokenizer

MODEL = Path(__file__).resolve().parents[1] / "models" / "section_model"

RANDOMLY_ASSIGNED = [
    ("after-background",
     "Persistent pain after total knee replacement is common and hard to treat. "
     "We randomly assigned 240 patients scheduled for knee replacement to a single dose of intravenous ketamine or "
     "saline at induction. "
     "The primary outcome was pain at rest six months after surgery. "
     "Pain at six months was reported by 18% of the ketamine group and 27% of the saline group (P = 0.09). "
     "A single dose of ketamine did not clearly prevent persistent pain.",
     {"Persistent pain": "BACKGROUND", "We randomly assigned": "METHODS", "The primary outcome": "METHODS",
      "A single dose of ketamine": "CONCLUSIONS"}),
    ("after-aim",
     "Whether early mobilisation shortens hospital stay after hip fracture surgery is uncertain. "
     "We aimed to compare mobilisation within 24 hours with usual care. "
     "In this single-centre trial, we randomly assigned 150 patients to early mobilisation or usual care. "
     "Length of stay and falls were recorded by nurses blinded to allocation. "
     "Median length of stay was 8 days with early mobilisation and 11 days with usual care (P = 0.002). "
     "Early mobilisation after hip fracture surgery shortens hospital stay.",
     {"We aimed to compare": "OBJECTIVE", "In this single-centre trial, we randomly assigned": "METHODS",
      "Median length of stay": "RESULTS"}),
    ("opens-the-abstract",
     "We randomly assigned 96 adults with moderate asthma to inhaled budesonide-formoterol as needed or to regular "
     "budesonide plus terbutaline as needed. "
     "Participants were followed for 52 weeks and severe exacerbations were counted. "
     "Severe exacerbations occurred in 9 and 14 participants, respectively (hazard ratio 0.62; 95% CI 0.27-1.43). "
     "As-needed budesonide-formoterol may be an alternative to regular maintenance therapy.",
     {"We randomly assigned 96 adults": "METHODS", "Severe exacerbations occurred": "RESULTS"}),
    ("allocated-double-blind",
     "Nausea after laparoscopic surgery delays discharge. "
     "In a double-blind trial, we randomly allocated 300 women undergoing gynaecological laparoscopy to "
     "dexamethasone 8 mg or placebo. "
     "Nausea and vomiting were assessed for 24 hours after surgery. "
     "Nausea occurred in 22% of women given dexamethasone and in 41% given placebo. "
     "Dexamethasone halves postoperative nausea after gynaecological laparoscopy.",
     {"In a double-blind trial, we randomly allocated": "METHODS", "Nausea and vomiting were assessed": "METHODS"}),
    ("we-randomised",
     "Vitamin D supplementation has been proposed to prevent respiratory infections in older adults. "
     "We randomised 512 care-home residents to monthly vitamin D3 100,000 IU or placebo for one year. "
     "The incidence of acute respiratory infection was 0.42 and 0.58 per person-year (rate ratio 0.72; P = 0.03). "
     "Monthly vitamin D reduced respiratory infections in care-home residents.",
     {"We randomised 512": "METHODS", "The incidence of acute": "RESULTS"}),
]

ENDS_WITH_METHODS = [
    ("protocol-analysis-plan",
     "Low back pain is the leading cause of disability worldwide. "
     "Group exercise programmes are widely offered, but their cost-effectiveness is unknown. "
     "This pragmatic randomised trial will recruit 400 adults with chronic low back pain from 20 general practices. "
     "Participants will be randomly allocated to a 12-week group exercise programme or usual care. "
     "The primary outcome is the Roland-Morris Disability Questionnaire score at 12 months. "
     "Analyses will follow the intention-to-treat principle.",
     {"This pragmatic randomised trial": "METHODS", "Analyses will follow the intention-to-treat": "METHODS"}),
    ("protocol-follow-up",
     "Depression is common after stroke and slows recovery. "
     "We describe a cluster randomised trial of a nurse-led collaborative care model in 30 stroke units. "
     "Patients screening positive for depression will receive collaborative care or enhanced usual care. "
     "Outcomes will be assessed at 3, 6 and 12 months by researchers unaware of allocation.",
     {"Patients screening positive": "METHODS", "Outcomes will be assessed at 3, 6 and 12 months": "METHODS"}),
    ("protocol-recruitment",
     "Children with acute otitis media are often given antibiotics they do not need. "
     "This randomised trial compares immediate antibiotics with a delayed prescription in children aged 1 to 5 years. "
     "The primary outcome is parent-reported symptom burden over 7 days; secondary outcomes include antibiotic use "
     "and costs. "
     "A sample of 600 children gives 90% power to detect a difference of 0.3 standard deviations. "
     "Recruitment began in March 2015 in 40 general practices.",
     {"The primary outcome is parent-reported": "METHODS", "Recruitment began in March 2015": "METHODS"}),
]


@pytest.fixture(scope="module")
def nlp():
    if not (model_dir(MODEL) / "meta.json").exists():
        pytest.skip("no trained section model (run `make model`)")
    nlp = spacy.blank("en")
    nlp.tokenizer = AbstractTokenizer(nlp.vocab)
    nlp.add_pipe("abstracts_sentences")
    nlp.add_pipe("abstracts_sections", config={"model_path": str(MODEL)})
    return nlp


def sections_of(nlp, text: str) -> list:
    doc = nlp.make_doc(text)
    doc._.segment = "abstract"
    doc._.headings = []
    doc._.paragraphs = None
    return list(nlp(doc).spans["sections"])


def check(nlp, text: str, expected: dict[str, str]) -> None:
    spans = sections_of(nlp, text)
    labels = [s.label_ for s in spans]
    assert labels == sorted(labels, key=LABELS.index), labels  # the canonical order holds
    for opening, label in expected.items():
        at = text.index(opening)
        assert [s.label_ for s in spans if s.start_char <= at < s.end_char] == [label], (opening, labels)


@pytest.mark.parametrize("text, expected", [c[1:] for c in RANDOMLY_ASSIGNED], ids=[c[0] for c in RANDOMLY_ASSIGNED])
def test_section_model_randomly_assigned_is_methods(nlp, text, expected):
    check(nlp, text, expected)


@pytest.mark.parametrize("text, expected", [c[1:] for c in ENDS_WITH_METHODS], ids=[c[0] for c in ENDS_WITH_METHODS])
def test_section_model_final_methods_sentence_stays_methods(nlp, text, expected):
    check(nlp, text, expected)
    assert sections_of(nlp, text)[-1].label_ == "METHODS"
