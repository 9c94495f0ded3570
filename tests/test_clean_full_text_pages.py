"""Saved full-text pages: the abstract ends where the article body begins.

A page saved from a journal site often holds the whole article after the abstract. When the
abstract has headings, the conclusions end it; an abstract without headings ends at the
first body heading, at an "Introduction"/"Main text" line, or (with no headings at all) at
the first paragraph break once it has an abstract's worth of text.
"""

from __future__ import annotations

import pytest

from pipeline.cleaning.abstract import MAX_UNSTRUCTURED_CHARS
from pipeline.cleaning.clean import clean_page

HEAD = ("Skip to main content\nJournal of Clinical Oncology\nOriginal Article\n"
        "Docetaxel after epirubicin in early breast cancer: a randomised trial\nA. Hansen, B. Olsen\n"
        "Department of Oncology, University Hospital, Oslo, Norway\n")
STRUCTURED = ("Abstract\nBackground\nSequential docetaxel after epirubicin may improve outcomes in early breast cancer.\n"
              "Methods\nWe randomly assigned 600 women to epirubicin 90 mg/m2 followed by docetaxel 100 mg/m2 or epirubicin alone.\n"
              "Results\nMedian disease-free survival was 62.1 months versus 51.3 months (HR 0.78; 95% CI 0.64-0.95).\n"
              "Conclusions\nSequential docetaxel improved disease-free survival and toxicity was manageable.\n")
PLAIN = ("Abstract\nSequential docetaxel after epirubicin may improve outcomes in early breast cancer. We randomly "
         "assigned 600 women to epirubicin 90 mg/m2 followed by docetaxel 100 mg/m2 or epirubicin alone. Median "
         "disease-free survival was 62.1 months versus 51.3 months (HR 0.78; 95% CI 0.64-0.95). Febrile neutropenia "
         "occurred in 8% of patients given docetaxel and there were no treatment-related deaths in either arm. "
         "Quality of life was similar between the arms at one year. These results support the sequential schedule "
         "for women with node-positive disease; overall survival is not yet mature.\n")
LAST_WORDS = {"structured": "toxicity was manageable.", "plain": "overall survival is not yet mature."}
PARA = ("The trial enrolled women with operable breast cancer who had completed surgery; treatment was given every "
        "three weeks in both arms with growth factor support when needed. ") * 6
REFS = "References\n" + "".join(f"{i}. Berg A, Dahl B. A trial of adjuvant therapy. J Clin Oncol. 2010;28:{i}00-{i}10.\n"
                                 for i in range(1, 60))
BODIES = {
    "numbered_introduction": f"\n1. Introduction\n{PARA}\n2. Methods\n{PARA}\n3. Results\n{PARA}\n4. Discussion\n{PARA}\n{REFS}",
    "body_with_abstract_headings": f"\nBackground\n{PARA}\nMethods\n{PARA}\nResults\n{PARA}\nDiscussion\n{PARA}\n{REFS}",
    "main_text_heading": f"\nMain text\n{PARA}\nPatients and methods\n{PARA}\nResults\n{PARA}\n{REFS}",
}


@pytest.mark.parametrize("body", sorted(BODIES))
@pytest.mark.parametrize("kind", ["structured", "plain"])
def test_clean_full_text_page_abstract_stops_before_the_body(kind, body):
    text = HEAD + (STRUCTURED if kind == "structured" else PLAIN) + BODIES[body]
    article = clean_page(text, "page.txt")
    start, end = article.abstract_span
    assert text[start:end].endswith(LAST_WORDS[kind])
    assert "The trial enrolled" not in text[start:end]


@pytest.mark.parametrize("kind", ["structured", "plain"])
def test_clean_full_text_page_without_headings_is_cut_at_a_paragraph(kind):
    text = HEAD + (STRUCTURED if kind == "structured" else PLAIN) + "\n" + (PARA + "\n\n") * 40 + REFS
    article = clean_page(text, "page.txt")
    start, end = article.abstract_span
    assert text[start:].startswith(("Background", "Sequential docetaxel"))
    assert end - start < MAX_UNSTRUCTURED_CHARS + len(PARA) + 2
    assert "References" not in text[start:end]
