"""Hard DRUG cases (issue #13): trial names, targets, whole multi-word names, regimen
acronyms defined from several drugs, and names the lexicon lacks (INN stems, code names).

Each table row is (id, text, expected DRUG mentions in order as (text, norm)); every rule is
tested in several wordings. Sentences were written for these tests, not taken from gold.
"""

from __future__ import annotations

import json

import pytest

from pipeline.components.doses import tagging_nlp
from pipeline.components.drugs import drug_mentions
from pipeline.components.unseen_names import STEMS_FILE, load_stem_rules
from pipeline.datafiles import DATA_DIR, DataFileError
from tests.conftest import table_params


def drugs_in(text: str) -> list[tuple[str, str]]:
    return [(s.text, s._.attrs["norm"]) for s in drug_mentions(tagging_nlp()(text))]


# --- trial names are not drugs -------------------------------------------------------------

TRIAL_NAMES = [
    ("orient-gc-trial", "In the ORIENT-GC trial, sintilimab plus chemotherapy improved overall survival.",
     [("sintilimab", "sintilimab")]),
    ("orient-gc-alone", "ORIENT-GC enrolled 650 patients with gastric cancer.", []),
    ("orient-gc-en-dash", "Results of ORIENT–GC were presented in 2021.", []),
    ("orient-gc-title", "Sintilimab with chemotherapy for gastric cancer (ORIENT-GC): a randomised trial",
     [("Sintilimab", "sintilimab")]),
    ("acts-gc-study", "Long-term results of the ACTS-GC study confirmed the benefit of S-1.", [("S-1", "s-1")]),
    ("ago-etc-trial", "The AGO-ETC trial compared dose-dense ETC with standard chemotherapy.", [("ETC", "etc")]),
    ("keynote-checkmate", "KEYNOTE-189 and CheckMate-227 tested pembrolizumab and nivolumab.",
     [("pembrolizumab", "pembrolizumab"), ("nivolumab", "nivolumab")]),
    ("checkmate-space", "In CheckMate 067, nivolumab plus ipilimumab was compared with ipilimumab.",
     [("nivolumab", "nivolumab"), ("ipilimumab", "ipilimumab"), ("ipilimumab", "ipilimumab")]),
    ("orient-number", "ORIENT-11 and ORIENT-15 enrolled Chinese patients.", []),
    ("impower-glued", "The IMpower150 trial added atezolizumab to bevacizumab.",
     [("atezolizumab", "atezolizumab"), ("bevacizumab", "bevacizumab")]),
    # arm names keep their drugs (guidelines: `RT-GC` -> `GC`)
    ("arm-rt-gc", "Patients in the RT-GC arm had more grade 3 toxicity.", [("GC", "gc")]),
    ("arm-crt-gc-group", "Relapse was later in the CRT-GC group than in the surgery group.", [("GC", "gc")]),
]

# --- targets and antigens are not drugs ----------------------------------------------------

TARGETS = [
    ("anti-pd1-antibody", "Patients had received an anti-PD-1 antibody before enrolment.", []),
    ("anti-pd1-named", "The anti-PD-1 antibody nivolumab was given every 2 weeks.", [("nivolumab", "nivolumab")]),
    ("pd-l1-expression", "Tumours with PD-L1 expression of at least 1% responded to atezolizumab.",
     [("atezolizumab", "atezolizumab")]),
    ("her2-positive", "Women with HER2-positive early breast cancer received trastuzumab.", [("trastuzumab", "trastuzumab")]),
    ("her2-negative-targeted", "HER2-negative disease was excluded; HER2-targeted therapy was continued.", []),
    ("egfr-tki", "EGFR-TKI treatment with gefitinib was given to EGFR-mutant tumours.", [("gefitinib", "gefitinib")]),
    ("anti-egfr-class", "Previous anti-EGFR antibodies were allowed.", []),
    ("cd20", "CD20-positive lymphoma was treated with the anti-CD20 antibody rituximab.", [("rituximab", "rituximab")]),
    ("anti-vegf", "Anti-VEGF therapy and VEGF-targeted agents were not permitted.", []),
    ("anti-tnf", "Patients who had failed anti-TNF therapy were eligible.", []),
    ("anti-tnf-alpha", "Infliximab, an anti-TNF-α monoclonal antibody, was infused.", [("Infliximab", "infliximab")]),
    ("tnf-inhibitors", "Other TNF-α inhibitors and tumour necrosis factor inhibitors were stopped.", []),
    # the same cytokine given as treatment is a drug
    ("tnf-given", "Isolated limb perfusion with TNF-α and melphalan was performed.",
     [("TNF-α", "tumor necrosis factor"), ("melphalan", "melphalan")]),
    ("receptor-hyphen", "Estrogen receptor-positive tumours received letrozole.", [("letrozole", "letrozole")]),
]

# --- multi-word, hyphenated and Greek-letter names stay whole --------------------------------

WHOLE_NAMES = [
    ("ifn-alfa-2b", "Interferon alfa-2b was given three times weekly.", [("Interferon alfa-2b", "interferon alfa-2b")]),
    ("ifn-greek-alfa", "Interferon-α-2b, interferon α-2b and IFN-α2b were compared.",
     [("Interferon-α-2b", "interferon alfa-2b"), ("interferon α-2b", "interferon alfa-2b"), ("IFN-α2b", "interferon alfa-2b")]),
    ("peginterferon-beta", "Peginterferon beta-1a and peginterferon β-1a were given every 2 weeks.",
     [("Peginterferon beta-1a", "peginterferon beta-1a"), ("peginterferon β-1a", "peginterferon beta-1a")]),
    ("ifn-gamma", "Interferon-γ and interferon γ-1b were injected subcutaneously.",
     [("Interferon-γ", "interferon gamma"), ("interferon γ-1b", "interferon gamma-1b")]),
    ("ifn-beta-hyphens", "Interferon-β-1a was compared with glatiramer acetate.",
     [("Interferon-β-1a", "interferon beta-1a"), ("glatiramer acetate", "glatiramer")]),
    ("adc-deruxtecan", "Trastuzumab deruxtecan (T-DXd) was given; T-DXd caused pneumonitis.",
     [("Trastuzumab deruxtecan", "trastuzumab deruxtecan"), ("T-DXd", "trastuzumab deruxtecan"), ("T-DXd", "trastuzumab deruxtecan")]),
    ("adc-emtansine", "Ado-trastuzumab emtansine (T-DM1) was compared with trastuzumab.",
     [("Ado-trastuzumab emtansine", "ado-trastuzumab emtansine"), ("T-DM1", "ado-trastuzumab emtansine"), ("trastuzumab", "trastuzumab")]),
    # a hyphenated fixed-dose product is one name; a slash or two drugs given together are two
    ("product-hyphen", "Sacubitril-valsartan reduced hospitalisation compared with enalapril.",
     [("Sacubitril-valsartan", "sacubitril/valsartan"), ("enalapril", "enalapril")]),
    ("product-en-dash-reversed", "Valsartan–sacubitril was titrated to 97/103 mg twice daily.",
     [("Valsartan–sacubitril", "sacubitril/valsartan")]),
    ("product-uft", "Uracil-tegafur plus leucovorin was given for 6 months.",
     [("Uracil-tegafur", "tegafur-uracil"), ("leucovorin", "leucovorin")]),
    ("product-antibiotic", "Piperacillin-tazobactam or trimethoprim-sulfamethoxazole was used.",
     [("Piperacillin-tazobactam", "piperacillin and tazobactam"), ("trimethoprim-sulfamethoxazole", "trimethoprim/sulfamethoxazole")]),
    ("product-slash-two", "Sacubitril/valsartan was well tolerated.", [("Sacubitril", "sacubitril"), ("valsartan", "valsartan")]),
    ("regimen-hyphen-two", "Gemcitabine-cisplatin was compared with raltitrexed-oxaliplatin.",
     [("Gemcitabine", "gemcitabine"), ("cisplatin", "cisplatin"), ("raltitrexed", "raltitrexed"), ("oxaliplatin", "oxaliplatin")]),
]

# --- regimen acronyms defined from several drugs are DRUG at every use ------------------------

REGIMENS = [
    ("mfolfox6-after-list", "Folinic acid, fluorouracil and oxaliplatin (mFOLFOX6) was given; mFOLFOX6 was well tolerated.",
     [("Folinic acid", "leucovorin"), ("fluorouracil", "fluorouracil"), ("oxaliplatin", "oxaliplatin"), ("mFOLFOX6", "mfolfox6"),
      ("mFOLFOX6", "mfolfox6")]),
    ("folfirinox-after-list", "Fluorouracil, leucovorin, irinotecan and oxaliplatin (FOLFIRINOX) versus gemcitabine; FOLFIRINOX was better.",
     [("Fluorouracil", "fluorouracil"), ("leucovorin", "leucovorin"), ("irinotecan", "irinotecan"), ("oxaliplatin", "oxaliplatin"),
      ("FOLFIRINOX", "folfirinox"), ("gemcitabine", "gemcitabine"), ("FOLFIRINOX", "folfirinox")]),
    ("r-chop-after-list", "Rituximab, cyclophosphamide, doxorubicin, vincristine and prednisone (R-CHOP) every 21 days; R-CHOP was repeated.",
     [("Rituximab", "rituximab"), ("cyclophosphamide", "cyclophosphamide"), ("doxorubicin", "doxorubicin"), ("vincristine", "vincristine"),
      ("prednisone", "prednisone"), ("R-CHOP", "r-chop"), ("R-CHOP", "r-chop")]),
    ("nab-p-single", "Nab-paclitaxel (nab-P) plus gemcitabine was compared with gemcitabine; nab-P caused neuropathy.",
     [("Nab-paclitaxel", "nab-paclitaxel"), ("nab-P", "nab-paclitaxel"), ("gemcitabine", "gemcitabine"), ("gemcitabine", "gemcitabine"),
      ("nab-P", "nab-paclitaxel")]),
    ("nab-p-gem-slash", "Nab-paclitaxel plus gemcitabine (nab-P/Gem) improved survival; the nab-P/Gem arm had more neuropathy.",
     [("Nab-paclitaxel", "nab-paclitaxel"), ("gemcitabine", "gemcitabine"), ("nab-P", "nab-paclitaxel"), ("Gem", "gemcitabine"),
      ("nab-P", "nab-paclitaxel"), ("Gem", "gemcitabine")]),
    ("ddac-lowercase-modifier", "Dose-dense doxorubicin and cyclophosphamide (ddAC) followed by paclitaxel; ddAC was given every 2 weeks.",
     [("doxorubicin", "doxorubicin"), ("cyclophosphamide", "cyclophosphamide"), ("ddAC", "ddac"), ("paclitaxel", "paclitaxel"),
      ("ddAC", "ddac")]),
    ("mdcf-lowercase-modifier", "Modified docetaxel, cisplatin and fluorouracil (mDCF) was given; mDCF had fewer adverse events.",
     [("docetaxel", "docetaxel"), ("cisplatin", "cisplatin"), ("fluorouracil", "fluorouracil"), ("mDCF", "mdcf"), ("mDCF", "mdcf")]),
    ("vrd-and-rd", "Bortezomib, lenalidomide and dexamethasone (VRd) versus lenalidomide and dexamethasone (Rd); VRd was better than Rd.",
     [("Bortezomib", "bortezomib"), ("lenalidomide", "lenalidomide"), ("dexamethasone", "dexamethasone"), ("VRd", "vrd"),
      ("lenalidomide", "lenalidomide"), ("dexamethasone", "dexamethasone"), ("Rd", "rd"), ("VRd", "vrd"), ("Rd", "rd")]),
    ("gem-cis-slash", "Gemcitabine and cisplatin (Gem/Cis) were given on day 1; Gem/Cis was well tolerated.",
     [("Gemcitabine", "gemcitabine"), ("cisplatin", "cisplatin"), ("Gem", "gemcitabine"), ("Cis", "cisplatin"), ("Gem", "gemcitabine"),
      ("Cis", "cisplatin")]),
    ("ddi-single", "Didanosine (ddI) was given to patients intolerant of zidovudine; ddI caused pancreatitis.",
     [("Didanosine", "didanosine"), ("ddI", "didanosine"), ("zidovudine", "zidovudine"), ("ddI", "didanosine")]),
    ("nickname-dex", "Rats received saline or dexamethasone (dex); dex-treated rats gained less weight.",
     [("dexamethasone", "dexamethasone"), ("dex", "dexamethasone"), ("dex", "dexamethasone")]),
    ("sf-with-dose", "Rats were implanted with diethylstilbestrol (DES, 8 mg) and DES-treated rats were compared.",
     [("diethylstilbestrol", "diethylstilbestrol"), ("DES", "diethylstilbestrol"), ("DES", "diethylstilbestrol")]),
    ("product-abbreviation", "Artemether-lumefantrine (AL) was given for 3 days; AL cleared parasitaemia.",
     [("Artemether-lumefantrine", "lumefantrine co-artemether"), ("AL", "lumefantrine co-artemether"), ("AL", "lumefantrine co-artemether")]),
    ("code-defined-after-drug", "Dizocilpine maleate (MK-801) was injected; MK-801 blocked the response.",
     [("Dizocilpine maleate", "dizocilpine maleate"), ("MK-801", "dizocilpine maleate"), ("MK-801", "dizocilpine maleate")]),
    ("code-before-drug", "BMS-936558 (nivolumab) was given; BMS-936558 was safe.",
     [("BMS-936558", "nivolumab"), ("nivolumab", "nivolumab"), ("BMS-936558", "nivolumab")]),
    # short forms that would make ordinary words drugs are not defined
    ("english-short-form", "Tolterodine (To, 2 mg) was given. To assess adherence, diaries were kept.", [("Tolterodine", "tolterodine")]),
    ("class-short-form", "Citalopram (SSRI; a serotonin reuptake inhibitor) was given; SSRI users were older.", [("Citalopram", "citalopram")]),
    ("genus-not-letter", "Clarithromycin with rifampin (C+R) was given for R. equi pneumonia; C+R was effective.",
     [("Clarithromycin", "clarithromycin"), ("rifampin", "rifampin"), ("C", "clarithromycin"), ("R", "rifampin"), ("C", "clarithromycin"),
      ("R", "rifampin")]),
]

# --- names the lexicon lacks: INN stems and code names ---------------------------------------

UNSEEN = [
    ("stem-tinib", "Zorvatinib 150 mg was given once daily.", [("Zorvatinib", "zorvatinib")]),
    ("stem-zumab", "Patients received newlizumab or placebo every 4 weeks.", [("newlizumab", "newlizumab")]),
    ("stem-ciclib-parib", "Lerociclib plus fulvestrant, and zedoparib maintenance.", [("Lerociclib", "lerociclib"), ("fulvestrant", "fulvestrant"),
                                                                                       ("zedoparib", "zedoparib")]),
    ("stem-olol-misspelt", "The ultrashort-acting beta blocker flestolol was infused.", [("flestolol", "flestolol")]),
    ("stem-salt", "Zorvatinib mesylate was well tolerated.", [("Zorvatinib mesylate", "zorvatinib")]),
    ("stem-english-words", "The concept was accepted, except in intercept models.", []),
    ("stem-class-word", "A triptan or a statin was allowed.", []),
    ("stem-negated", "Anticocaine effects were seen with nonstatin therapy.", []),
    ("code-azd", "AZD9291 80 mg daily was compared with gefitinib.", [("AZD9291", "azd9291"), ("gefitinib", "gefitinib")]),
    ("code-three-digits", "ABT-199 induced remission; MK-801 blocked NMDA currents.", [("ABT-199", "abt-199"), ("MK-801", "mk-801")]),
    ("code-mk-bms", "MK-3475 and BMS-936558 were given every 2 weeks.", [("MK-3475", "mk-3475"), ("BMS-936558", "bms-936558")]),
    ("code-spaced", "The D1 antagonist SCH 23390 and the agonist SKF 38393 were injected.", [("SCH 23390", "sch 23390"), ("SKF 38393", "skf 38393")]),
    ("code-two-numbers", "Ro 40-5967 lowered blood pressure.", [("Ro 40-5967", "ro 40-5967")]),
    ("code-not-year-or-count", "GR-2009 was a trial; PD 100 patients; CA 19-9 and CALGB 9741; NCT01234567.", []),
    ("code-not-interval", "The number needed to harm was 170 (95% CI 100-582); costs were 95% CI 1200-2400.", []),
    ("code-not-cell-line", "HCT-116 and SW-480 cells were exposed to COVID-19 sera; SF-36 and ICD-10 codes.", []),
]


@pytest.mark.parametrize("text,expected", table_params(TRIAL_NAMES, {}))
def test_trial_names_are_not_drugs(text, expected):
    assert drugs_in(text) == expected


@pytest.mark.parametrize("text,expected", table_params(TARGETS, {}))
def test_targets_are_not_drugs(text, expected):
    assert drugs_in(text) == expected


@pytest.mark.parametrize("text,expected", table_params(WHOLE_NAMES, {}))
def test_multiword_and_hyphenated_names_stay_whole(text, expected):
    assert drugs_in(text) == expected


@pytest.mark.parametrize("text,expected", table_params(REGIMENS, {}))
def test_defined_regimens_and_short_forms_at_every_use(text, expected):
    assert drugs_in(text) == expected


@pytest.mark.parametrize("text,expected", table_params(UNSEEN, {}))
def test_unseen_names_from_stems_and_code_names(text, expected):
    assert drugs_in(text) == expected


def test_stems_file_loads_and_names_its_classes():
    rules = load_stem_rules()
    assert {"mab", "nib", "platin", "taxel", "ciclib", "lisib", "parib", "tinib", "zumab", "ximab"} <= set(rules.stems)
    assert rules.stems == tuple(sorted(rules.stems, key=len, reverse=True))
    assert "except" in rules.not_drugs and "AZD" in rules.company_code_prefixes


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["stems"].append({"stem": "mab", "class": "twice"}),
        lambda d: d["stems"].append({"stem": "Mab", "class": "capitals"}),
        lambda d: d["not_drugs"].append({"text": "except"}),
        lambda d: d.update(colour="red"),
        lambda d: d["company_code_prefixes"].append("AZD"),
    ],
    ids=["repeated-stem", "capital-stem", "no-reason", "unknown-key", "repeated-prefix"],
)
def test_stems_file_is_checked(tmp_path, change):
    data = json.loads((DATA_DIR / STEMS_FILE).read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / STEMS_FILE
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DataFileError):
        load_stem_rules(str(path))
