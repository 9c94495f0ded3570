"""The cleaner on page layouts beyond the seeds (pages written for these tests).

Each case: a page, then must-have strings (start and end of the abstract), strings that
must not be in the abstract, and expected metadata.
"""

from __future__ import annotations

import pytest

from pipeline.cleaning.classify import parse_citation
from pipeline.cleaning.clean import clean_page
from pipeline.readers.html import html_to_text

PUBMED_CURRENT = """Skip to main page content
Full text links
Actions
Cite
Clin Oncol Res. 2019 Mar;41(3):211-219. doi: 10.1016/j.cor.2018.11.004. Epub 2018 Dec 2.

Adjuvant capecitabine after resection of biliary tract cancer: a single-centre cohort

Ana Ruiz 1, Tomas Keller 2, Mei Lin 1
Affiliations
1 Department of Oncology, Hospital del Mar, Barcelona, Spain.
2 Institute of Pathology, University of Bern, Bern, Switzerland.
PMID: 30555123 DOI: 10.1016/j.cor.2018.11.004
Abstract
Background
Adjuvant treatment after resection of biliary tract cancer remains debated.
Methods
We reviewed 112 patients treated with capecitabine 1250 mg/m2 twice daily for eight cycles.
Results
Median overall survival was 51.1 months; 5-year overall survival was 47%.
Conclusions
Adjuvant capecitabine was feasible and associated with long survival.
Keywords: biliary tract cancer; capecitabine; adjuvant.
Similar articles
Cited by
MeSH terms
Humans
Aged
"""

PMC_WITH_BODY = """Journal List
Br J Oncol Res. 2016; 12: 88-97.
Published online 2016 Feb 4. doi: 10.1155/2016/771234
PMCID: PMC4744321
PMID: 26901234
Dose-dense gemcitabine and docetaxel in uterine leiomyosarcoma
Hanna Berg, Piotr Nowak, Ilse de Vries
Author information Article notes Copyright and License information
Abstract
Purpose. We assessed a dose-dense schedule of gemcitabine and docetaxel in advanced uterine leiomyosarcoma after failure of first-line anthracyclines.
Methods. Thirty-eight women received gemcitabine 900 mg/m2 on days 1 and 8 and docetaxel 75 mg/m2 on day 8 every 21 days.
Results. Median progression-free survival was 5.6 months and median overall survival 14.2 months.
Conclusion. The schedule was active with manageable toxicity.
1. Introduction
Uterine leiomyosarcoma is a rare and aggressive tumour that accounts for a small share of uterine cancers and has a poor prognosis once it has spread beyond the uterus.
2. Patients and Methods
Eligible women had measurable disease and adequate organ function, and all of them gave written informed consent before any study procedure.
"""

EUROPE_PMC = """Europe PMC
Search life-sciences literature (43,000,000 articles, preprints and more)
Abstract
Free full text
Citations & impact
Interferon alfa maintenance in metastatic renal cell carcinoma: a randomised phase II trial
Okafor C, Lindqvist M, Duarte P
Eur J Urol Oncol, 14 Sep 2017, 3(2):145-152
DOI: 10.1016/j.euo.2017.08.010 PMID: 28912345
Abstract
Background: Maintenance therapy after cytokine induction has not been tested prospectively. Methods: Patients without progression after induction were randomised to interferon alfa 3 MIU three times weekly or observation. Results: Median progression-free survival was 7.9 vs. 4.1 months (HR 0.61, 95% CI 0.40-0.93). Conclusions: Maintenance prolonged progression-free survival.
Funding
Similar Articles
"""

OUTLINE = """1. Top of page
2. Abstract
3. Introduction
4. Methods
Download PDF
Original Article
Open Access
Published: 12 May 2021
Hepatic arterial infusion of oxaliplatin plus systemic FOLFIRI for unresectable liver metastases
Br J Cancer Res 125, 1021-1029 (2021)
Abstract
Background
Hepatic arterial infusion (HAI) can deliver high local drug concentrations to liver metastases.
Methods
Patients received HAI oxaliplatin 100 mg/m2 with systemic FOLFIRI every two weeks.
Results
Median hepatic progression-free survival was 12,5 months (95% CI 9,8 to 15,1).
Conclusions
The combination is active in chemorefractory disease.
Introduction
Liver metastases develop in about half of patients with colorectal cancer, and most of them are not resectable at diagnosis despite modern systemic therapy.
Rights and permissions
"""

ONE_BLOCK = """Add to library
Share
Ann Hepatol Surg. 2014;9(2):55-61.
Sorafenib after transarterial chemoembolization for intermediate hepatocellular carcinoma.
BACKGROUND: The benefit of adding sorafenib after chemoembolization is uncertain. METHODS: We randomly assigned 160 patients to sorafenib 400 mg twice daily or placebo. RESULTS: Time to progression was 5.4 vs. 3.7 months (P = .02). CONCLUSIONS: Sorafenib prolonged time to progression.
Privacy policy
"""

PAYWALL = """Skip to Content
Sign in
Register
Research Article
Ovarian suppression with goserelin in premenopausal breast cancer
J Breast Oncol. 2011;7(1):19-27. doi:10.1000/jbo.2011.0031
Access to the full text of this article requires a subscription. Purchase this article or log in through your institution to view it.
Privacy policy
"""

ERROR_PAGE = """Home
Search
Page not found
The page you requested could not be found. It may have been moved or deleted.
Contact us
"""

CASES = [
    pytest.param(
        PUBMED_CURRENT, "Background\nAdjuvant treatment", "associated with long survival.",
        ["Keywords", "Similar articles", "Humans", "Barcelona"],
        {"journal": "Clin Oncol Res", "year": 2019, "volume": "41", "issue": "3", "pages": "211-219",
         "doi": "10.1016/j.cor.2018.11.004", "pmid": "30555123",
         "title": "Adjuvant capecitabine after resection of biliary tract cancer: a single-centre cohort",
         "keywords": ["biliary tract cancer", "capecitabine", "adjuvant"],
         "authors": ["Ana Ruiz", "Tomas Keller", "Mei Lin"],
         "affiliations": ["Department of Oncology, Hospital del Mar, Barcelona, Spain.",
                          "Institute of Pathology, University of Bern, Bern, Switzerland."]},
        ["Background", "Methods", "Results", "Conclusions"],
        id="pubmed-current-own-line-headings",
    ),
    pytest.param(
        PMC_WITH_BODY, "Purpose. We assessed", "manageable toxicity.",
        ["Introduction", "Uterine leiomyosarcoma is a rare", "Eligible women"],
        {"pmid": "26901234", "pmcid": "PMC4744321", "doi": "10.1155/2016/771234",
         "title": "Dose-dense gemcitabine and docetaxel in uterine leiomyosarcoma"},
        ["Purpose", "Methods", "Results", "Conclusion"],
        id="pmc-abstract-then-body",
    ),
    pytest.param(
        EUROPE_PMC, "Background: Maintenance therapy", "prolonged progression-free survival.",
        ["Funding", "Similar Articles", "Okafor"],
        {"doi": "10.1016/j.euo.2017.08.010", "pmid": "28912345", "authors": ["Okafor C", "Lindqvist M", "Duarte P"],
         "journal": "Eur J Urol Oncol", "year": 2017, "volume": "3", "issue": "2", "pages": "145-152",
         "title": "Interferon alfa maintenance in metastatic renal cell carcinoma: a randomised phase II trial"},
        ["Background", "Methods", "Results", "Conclusions"],
        id="europepmc-one-paragraph-inline",
    ),
    pytest.param(
        OUTLINE, "Background\nHepatic arterial", "active in chemorefractory disease.",
        ["Liver metastases develop", "Rights and permissions", "Top of page"],
        {"title": "Hepatic arterial infusion of oxaliplatin plus systemic FOLFIRI for unresectable liver metastases",
         "journal": "Br J Cancer Res", "volume": "125", "pages": "1021-1029", "year": 2021},
        ["Background", "Methods", "Results", "Conclusions"],
        id="publisher-numbered-outline",
    ),
    pytest.param(
        ONE_BLOCK, "BACKGROUND: The benefit", "prolonged time to progression.",
        ["Privacy", "Add to library"],
        {"journal": "Ann Hepatol Surg", "year": 2014, "volume": "9", "issue": "2", "pages": "55-61",
         "title": "Sorafenib after transarterial chemoembolization for intermediate hepatocellular carcinoma."},
        ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"],
        id="one-block-uppercase-inline",
    ),
]


@pytest.mark.parametrize("page, first, last, dropped, metadata, headings", CASES)
def test_clean_layout(page, first, last, dropped, metadata, headings):
    article = clean_page(page, "page.txt")
    assert article.status == "ok"
    start, end = article.abstract_span
    abstract = page[start:end]
    assert abstract.startswith(first)
    assert abstract.endswith(last)
    for text in dropped:
        assert text not in abstract
    for key, value in metadata.items():
        assert article.metadata.get(key) == value, key
    assert [h.text for h in article.headings] == headings
    for h in article.headings:
        assert page[h.start:h.end] == h.text


@pytest.mark.parametrize("page", [pytest.param(PAYWALL, id="paywall"), pytest.param(ERROR_PAGE, id="error-page")])
def test_clean_page_without_abstract(page):
    article = clean_page(page, "page.txt")
    assert article.status == "no_abstract"
    assert article.abstract_span is None
    assert article.warnings


def test_clean_paywall_keeps_citation_metadata():
    meta = clean_page(PAYWALL, "p").metadata
    assert meta["title"] == "Ovarian suppression with goserelin in premenopausal breast cancer"
    assert (meta["journal"], meta["year"], meta["doi"]) == ("J Breast Oncol", 2011, "10.1000/jbo.2011.0031")


HTML_PAGE = """<!DOCTYPE html><html><head><title>Trial | Journal</title>
<meta name="citation_title" content="Lanreotide in progressive midgut neuroendocrine tumours">
<meta name="citation_journal_abbrev" content="Neuroendocr Oncol">
<meta name="citation_publication_date" content="2020/06/01">
<meta name="citation_volume" content="18"><meta name="citation_issue" content="2">
<meta name="citation_firstpage" content="140"><meta name="citation_lastpage" content="149">
<meta name="citation_doi" content="10.1000/neo.2020.140"><meta name="citation_pmid" content="32000111">
<script>window.dataLayer=[];</script><style>.x{color:red}</style></head>
<body><div class="cookie">We use cookies to improve your experience. <button>Accept all</button></div>
<nav><a>Home</a><a>Journals</a></nav>
<main><h1>Lanreotide in progressive midgut neuroendocrine tumours</h1>
<section id="abstract"><h2>Abstract</h2>
<p><strong>Background</strong> Somatostatin analogues control symptoms of neuroendocrine tumours.</p>
<p><strong>Methods</strong> Patients received lanreotide 120&nbsp;mg every 28 days.</p>
<p><strong>Results</strong> Median progression-free survival was 32.8 months (95% CI 24.1&ndash;40.0).</p>
<p><strong>Conclusions</strong> Lanreotide prolonged progression-free survival.</p></section>
<section><h2>Introduction</h2><p>Neuroendocrine tumours of the midgut are rare and often diagnosed late, when liver metastases are already present.</p></section>
</main><footer>&copy; 2024 Example Publishing. All rights reserved.</footer></body></html>"""


def test_clean_html_page_uses_meta_tags_and_visible_text():
    extracted = html_to_text(HTML_PAGE)
    article = clean_page(extracted.text, "page.html", extracted.meta)
    text = extracted.text
    assert "dataLayer" not in text and "color:red" not in text
    start, end = article.abstract_span
    abstract = text[start:end]
    assert abstract.startswith("Background\nSomatostatin analogues")
    assert abstract.endswith("Lanreotide prolonged progression-free survival.")
    assert "Neuroendocrine tumours of the midgut" not in abstract
    assert [h.text for h in article.headings] == ["Background", "Methods", "Results", "Conclusions"]
    meta = article.metadata
    assert meta["title"] == "Lanreotide in progressive midgut neuroendocrine tumours"
    assert text[article.title_span[0]:article.title_span[1]] == meta["title"]
    assert (meta["journal"], meta["year"], meta["volume"], meta["issue"], meta["pages"]) == (
        "Neuroendocr Oncol", 2020, "18", "2", "140-149")
    assert (meta["doi"], meta["pmid"]) == ("10.1000/neo.2020.140", "32000111")


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Surgery. 2004 Dec;136(6):1176-82.", {"journal": "Surgery", "year": 2004, "volume": "136", "issue": "6", "pages": "1176-82"}),
        ("J Surg Oncol. 2012 Mar 15;105(4):342-50. doi: 10.1002/jso.22114. Epub 2011 Oct 17.",
         {"journal": "J Surg Oncol", "year": 2012, "volume": "105", "issue": "4", "pages": "342-50"}),
        ("Arch Surg. 2006;141(10):1000-1004. doi:10.1001/archsurg.141.10.1000",
         {"journal": "Arch Surg", "year": 2006, "volume": "141", "issue": "10", "pages": "1000-1004"}),
        ("Cancer. 2015 Jul 1;121(13):2186-94.", {"journal": "Cancer", "year": 2015, "volume": "121", "issue": "13", "pages": "2186-94"}),
        ("Lancet Oncol 2019; 20: 1234-45", {"journal": "Lancet Oncol", "year": 2019, "volume": "20", "pages": "1234-45"}),
        ("European Journal of Cancer, Volume 120, Issue 4, October 2019, Pages 101-110",
         {"journal": "European Journal of Cancer", "year": 2019, "volume": "120", "issue": "4", "pages": "101-110"}),
        ("Br J Cancer Res 125, 1021-1029 (2021)", {"journal": "Br J Cancer Res", "year": 2021, "volume": "125", "pages": "1021-1029"}),
        ("Ann Oncol. 2020 Jan;31(1):e12.", {"journal": "Ann Oncol", "year": 2020, "volume": "31", "issue": "1", "pages": "e12"}),
    ],
)
def test_clean_parse_citation_line(line, expected):
    assert parse_citation(line) == expected


@pytest.mark.parametrize(
    "line",
    ["Median overall survival was 51.1 months; 5-year overall survival was 47%.",
     "We reviewed 112 patients treated in 2012; 40 of them (36%) relapsed.",
     "October 1, 2006"],
)
def test_clean_prose_is_not_a_citation(line):
    assert parse_citation(line) is None


@pytest.mark.parametrize(
    "line, names",
    [
        ("Sørlie IH1, Castellanos-Bravo M2, Lindqvist E1; NORDIC-NET Study Group.", ["Sørlie IH", "Castellanos-Bravo M", "Lindqvist E", "NORDIC-NET Study Group"]),
        ("Daniel R Ashcombe 1 , Giulia Marchetti 2 ; TACSO Investigators", ["Daniel R Ashcombe", "Giulia Marchetti", "TACSO Investigators"]),
        ("Marguerite Delacroix, MD1; Samuel A. Whitford, MD, PhD2; et al", ["Marguerite Delacroix", "Samuel A. Whitford"]),
        ("Océane Marchetti a, Bram Verhoeven b, Rosa Iglesias-Montero a", ["Océane Marchetti", "Bram Verhoeven", "Rosa Iglesias-Montero"]),
        ("Prof Hiroshi Ueda, MD • Emma R Hartley, MSc • et al. Show all authors", ["Hiroshi Ueda", "Emma R Hartley"]),
        ("Anja Vukovic,1 Martin Leitner,2 and Reinhard Lutz2,*", ["Anja Vukovic", "Martin Leitner", "Reinhard Lutz"]),
        ("Mikkel Thorsager a b, Hanne Sølvsten a, Ville-Pekka Koskinen c", ["Mikkel Thorsager", "Hanne Sølvsten", "Ville-Pekka Koskinen"]),
        ("Gabriel Nwachukwu MD, Sanna Heikkinen MD", ["Gabriel Nwachukwu", "Sanna Heikkinen"]),
    ],
)
def test_clean_author_line_names(line, names):
    from pipeline.cleaning.authors import author_names, is_author_line

    assert is_author_line(line)
    assert author_names(line) == names


@pytest.mark.parametrize(
    "line",
    [
        "Patients with metastatic liver-only neuroendocrine tumors were identified from hospital records.",
        "Adjuvant Capecitabine, Oxaliplatin, and Radiotherapy in Rectal Cancer",
        "Background, Methods, Results",
    ],
)
def test_clean_prose_and_titles_are_not_author_lines(line):
    from pipeline.cleaning.authors import is_author_line

    assert not is_author_line(line)
