"""The cleaner on the five real scraped seed pages: article kept, furniture dropped."""

from __future__ import annotations

import pytest

from pipeline.cleaning.clean import clean_page
from pipeline.readers.decode import read_source_text
from tests.conftest import shared_path

SEED_CASES = [
    pytest.param(
        "000_2388d6691ff22e17",
        {"journal": "Surgery", "year": 2004, "volume": "136", "issue": "6", "pages": "1176-82"},
        "Isolated hepatic perfusion for the treatment",
        ("We report results of using isolated hepatic perfusion", "continued clinical evaluation is important."),
        ["Send to", "PubMed Commons", "Full text links", "Loading", "Author information", "Indexed for MEDLINE"],
        id="legacy-pubmed-no-headings",
    ),
    pytest.param(
        "001_1d0e0a3be61d0160",
        {},
        "Implementation and early outcomes for a surgeon-directed",
        ("INTRODUCTION: Hepatic arterial infusion pump", "between surgical and medical oncologists."),
        ["Add like", "Full text links", "WebMD", "mobile app", "Implementation and early outcomes"],
        id="reader-app-uppercase-inline",
    ),
    pytest.param(
        "002_5925cd04c5fa4a40",
        {"journal": "J Surg Oncol", "year": 2012, "volume": "105", "issue": "4", "pages": "342-50",
         "doi": "10.1002/jso.22114", "copyright": "Copyright © 2011 Wiley Periodicals, Inc."},
        "Liver-directed therapy for neuroendocrine neoplasm",
        ("Surgery confers the best chance", "in the setting of disease progression/recurrence."),
        ["Copyright", "Wiley", "St George Hospital", "Send to"],
        id="legacy-pubmed-doi-copyright",
    ),
    pytest.param(
        "003_f38cd80341152345",
        {"journal": "Arch Surg", "year": 2006, "volume": "141", "issue": "10", "pages": "1000-1004",
         "doi": "10.1001/archsurg.141.10.1000"},
        "Metastatic Neuroendocrine Hepatic Tumors: Resection Improves Survival",
        ("Background\u00a0 The optimal treatment", "is associated with improved survival."),
        ["Skip to Content", "IP address", "Author Affiliations", "University of Wisconsin"],
        id="journal-paywall-nbsp-headings",
    ),
    pytest.param(
        "004_67a83642c063ffbd",
        {"journal": "Cardiovasc Intervent Radiol", "year": 2012, "volume": "35", "issue": "6", "pages": "1480-7",
         "doi": "10.1007/s00270-012-0425-x"},
        "Chemosaturation with percutaneous hepatic perfusion",
        ("Purpose: Treatment of patients", "could potentially improve survival."),
        ["MeSH terms", "Humans", "Abstract\n"],
        id="publisher-mesh-list",
    ),
]


@pytest.mark.parametrize("stem, citation, title, bounds, dropped", SEED_CASES)
def test_clean_seed_keeps_article_and_drops_furniture(stem, citation, title, bounds, dropped):
    text = read_source_text(shared_path("seeds", f"{stem}.txt"))
    article = clean_page(text, f"seeds/{stem}.txt")
    assert article.status == "ok"
    start, end = article.abstract_span
    abstract = text[start:end]
    assert abstract.startswith(bounds[0])
    assert abstract.endswith(bounds[1])
    for furniture in dropped:
        assert furniture not in abstract
    assert article.metadata["title"].startswith(title)
    for key, value in citation.items():
        assert article.metadata.get(key) == value, key


def test_clean_seed_affiliations_and_mesh_are_metadata():
    text = read_source_text(shared_path("seeds", "000_2388d6691ff22e17.txt"))
    meta = clean_page(text, "x").metadata
    assert meta["affiliations"] == [
        "Surgical Metabolism Section, Surgery Branch, National Cancer Institute/NIH, 10 Center Drive, "
        "Building 10, Room 2B07, Bethesda, MD 20892, USA."
    ]
    text = read_source_text(shared_path("seeds", "004_67a83642c063ffbd.txt"))
    meta = clean_page(text, "x").metadata
    assert len(meta["mesh_terms"]) == 15
    assert "Leiomyosarcoma / drug therapy*" in meta["mesh_terms"]
    text = read_source_text(shared_path("seeds", "003_f38cd80341152345.txt"))
    meta = clean_page(text, "x").metadata
    assert meta["affiliations"][0].startswith("Departments of Surgery (Drs Musunuru")


@pytest.mark.parametrize(
    "stem, headings",
    [
        ("001_1d0e0a3be61d0160", ["INTRODUCTION", "METHODS", "RESULTS", "CONCLUSION"]),
        ("003_f38cd80341152345", ["Background", "Design", "Setting", "Patients", "Interventions",
                                  "Main Outcome Measures", "Results", "Conclusion"]),
        ("004_67a83642c063ffbd", ["Purpose", "Methods", "Results", "Conclusion"]),
        ("000_2388d6691ff22e17", []),
        ("002_5925cd04c5fa4a40", []),
    ],
)
def test_clean_seed_headings_found_with_offsets(stem, headings):
    text = read_source_text(shared_path("seeds", f"{stem}.txt"))
    article = clean_page(text, "x")
    assert [h.text for h in article.headings] == headings
    for h in article.headings:
        assert text[h.start:h.end] == h.text
        assert not text[h.body_start].isspace()
    if not headings:
        assert len(article.paragraphs) == 4
