"""DRUG tagging on sentences written like abstracts: development cases (tuned on).

Each case lists every DRUG mention the guidelines want, in order, as (text, norm).
"""

from __future__ import annotations

import pytest

from pipeline.components.doses import tagging_nlp
from pipeline.components.drugs import drug_mentions


def drugs_in(text: str) -> list[tuple[str, str]]:
    doc = tagging_nlp()(text)
    return [(s.text, s._.attrs["norm"]) for s in drug_mentions(doc)]


DEV_CASES = [
    ("hai-fudr", "Patients received HAI-FUDR after resection.", [("FUDR", "floxuridine")]),
    ("based-suffix", "A melphalan-based regimen was used.", [("melphalan", "melphalan")]),
    ("long-and-abbrev", "fluorodeoxyuridine (FUDR) was infused monthly.", [("fluorodeoxyuridine", "floxuridine"), ("FUDR", "floxuridine")]),
    ("multiword-tnf", "perfusion with 1 mg tumor necrosis factor", [("tumor necrosis factor", "tumor necrosis factor")]),
    ("sodium-thiosulfate", "Sodium thiosulfate reduced hearing loss.", [("Sodium thiosulfate", "sodium thiosulfate")]),
    ("salt-stays", "melphalan hydrochloride was delivered by catheter.", [("melphalan hydrochloride", "melphalan")]),
    ("slash-combo", "Patients were given UFT/LV for 28 days.", [("UFT", "tegafur-uracil"), ("LV", "leucovorin")]),
    ("plus-combo", "They received FU+Cisplatin every 3 weeks.", [("FU", "fluorouracil"), ("Cisplatin", "cisplatin")]),
    ("5fu-norm", "5-FU was given as a bolus.", [("5-FU", "fluorouracil")]),
    ("brand-name", "Sandostatin LAR was given monthly.", [("Sandostatin LAR", "octreotide")]),
    ("brand-plain", "Treatment with Avastin was continued.", [("Avastin", "bevacizumab")]),
    ("octreotide", "consisted of octreotide (n = 7), observation (n = 6)", [("octreotide", "octreotide")]),
    ("lanreotide", "Lanreotide 120 mg was injected every 28 days.", [("Lanreotide", "lanreotide")]),
    ("y90", "Y90 radioembolization was performed in 15 patients.", [("Y90", "yttrium-90")]),
    ("yttrium-90", "resin microspheres loaded with yttrium-90", [("yttrium-90", "yttrium-90")]),
    ("lu-dotatate", "Four cycles of 177Lu-DOTATATE were given.", [("177Lu-DOTATATE", "lutetium lu 177 dotatate")]),
    ("interferon", "interferon alfa was added in the second arm", [("interferon alfa", "interferon alfa")]),
    ("code-name", "The CDK4/6 inhibitor PD-0332991 was tested.", [("PD-0332991", "palbociclib")]),
    ("code-name-generic", "AZD6244 was given twice daily.", [("AZD6244", "azd6244")]),
    ("folfox", "FOLFOX was the control arm.", [("FOLFOX", "folfox")]),
    ("mfolfox6", "mFOLFOX6 plus bevacizumab", [("mFOLFOX6", "mfolfox6"), ("bevacizumab", "bevacizumab")]),
    ("capox-xelox", "CAPOX (also called XELOX) was used.", [("CAPOX", "capox"), ("XELOX", "xelox")]),
    ("folfirinox", "Neoadjuvant FOLFIRINOX was given.", [("FOLFIRINOX", "folfirinox")]),
    ("rchop", "R-CHOP every 21 days", [("R-CHOP", "r-chop")]),
    ("ecf", "Perioperative ECF improved survival.", [("ECF", "ecf")]),
    ("gc-arm-name", "Patients in the RT-GC arm had more toxicity.", [("GC", "gc")]),
    ("da-arm", "Patients in the DA arm relapsed later.", [("DA", "da")]),
    ("defined-letters", "epirubicin (E), cyclophosphamide (C) and docetaxel (T) were given as EC→T.",
     [("epirubicin", "epirubicin"), ("E", "epirubicin"), ("cyclophosphamide", "cyclophosphamide"), ("C", "cyclophosphamide"),
      ("docetaxel", "docetaxel"), ("T", "docetaxel"), ("E", "epirubicin"), ("C", "cyclophosphamide"), ("T", "docetaxel")]),
    ("defined-regimen", "gemcitabine plus cisplatin (GC) was compared with GC plus radiotherapy.",
     [("gemcitabine", "gemcitabine"), ("cisplatin", "cisplatin"), ("GC", "gc"), ("GC", "gc")]),
    ("defined-abbrev-reuse", "temozolomide (TMZ) versus procarbazine (PCB); TMZ was better tolerated than PCB.",
     [("temozolomide", "temozolomide"), ("TMZ", "temozolomide"), ("procarbazine", "procarbazine"), ("PCB", "procarbazine"),
      ("TMZ", "temozolomide"), ("PCB", "procarbazine")]),
    ("sf-before-long", "CPT-11 (irinotecan) was given on day 1.", [("CPT-11", "irinotecan"), ("irinotecan", "irinotecan")]),
    ("leucovorin-folinic", "folinic acid and fluorouracil", [("folinic acid", "leucovorin"), ("fluorouracil", "fluorouracil")]),
    ("capitalised-start", "Cisplatin and Gemcitabine were given on day 1.", [("Cisplatin", "cisplatin"), ("Gemcitabine", "gemcitabine")]),
    ("s1-context", "S-1 plus oxaliplatin was compared with S-1 alone.", [("S-1", "s-1"), ("oxaliplatin", "oxaliplatin"), ("S-1", "s-1")]),
    ("lv-dose", "UFT 300 mg/m2 and LV 90 mg daily", [("UFT", "tegafur-uracil"), ("LV", "leucovorin")]),
    ("sipuleucel", "sipuleucel-T prolonged overall survival", [("sipuleucel-T", "sipuleucel-t")]),
    ("vaccine-product", "the DNA vaccine pTVG-HP was given with GM-CSF", [("pTVG-HP", "ptvg-hp"), ("GM-CSF", "sargramostim")]),
    ("rad-p53", "2 x 10^12 rAd-p53 units were injected", [("rAd-p53", "rad-p53")]),
    ("regimen-one-letter-per-drug", "cisplatin/etoposide (EP) versus carboplatin/paclitaxel (PC); EP was more toxic.",
     [("cisplatin", "cisplatin"), ("etoposide", "etoposide"), ("EP", "ep"), ("carboplatin", "carboplatin"), ("paclitaxel", "paclitaxel"),
      ("PC", "pc"), ("EP", "ep")]),
    ("non-drug-phrase", "Inhibition of the mammalian target of rapamycin (mTOR) by everolimus", [("everolimus", "everolimus")]),
    ("organism-not-drug", "methicillin-resistant Staphylococcus aureus was treated with vancomycin", [("vancomycin", "vancomycin")]),
    ("receptor-phrase", "progesterone receptor-positive tumours received letrozole", [("letrozole", "letrozole")]),
    ("regimen-slash-brand", "TEGAFIRI (UFT 250 mg/m2, LV 90 mg, irinotecan 240 mg/m2)", [("UFT", "tegafur-uracil"), ("LV", "leucovorin"), ("irinotecan", "irinotecan")]),
]

NEGATIVE_CASES = [
    ("chemotherapy", "cytotoxic chemotherapy in 14 patients"),
    ("class-somatostatin", "treated with somatostatin analogues for symptoms"),
    ("class-fluoropyrimidine", "after a fluoropyrimidine-based first-line treatment"),
    ("procedure-tace", "TACE was performed in 18 patients."),
    ("procedure-radioembolization", "radioembolization in 15 and surgery in 10"),
    ("procedure-ihp", "isolated hepatic perfusion (IHP) with an oxygenated circuit"),
    ("placebo", "Patients were randomised to placebo or observation."),
    ("lab-cea", "CEA > 100 ng/mL was an adverse factor."),
    ("lab-bilirubin", "bilirubin above twice the upper limit"),
    ("microspheres", "glass microspheres were delivered"),
    ("tracer-fdg", "PET with fluorodeoxyglucose showed uptake"),
    ("english-as-it", "AS IT WAS NOT SAFE, IT WAS STOPPED."),
    ("common-words", "At 10 weeks, all patients had an oxygenated circuit and water intake."),
    ("trial-name", "Results of the TCOG0902 trial and the NCT00123456 registry."),
    ("receptor", "estrogen receptor status was not prognostic"),
    ("arm-letter", "Patients in arm A received the standard regimen."),
    ("article-a", "A total of 40 patients were included."),
    ("gc-disease", "GC is common in East Asia and GC incidence is rising."),
    ("glucose-lab", "fasting glucose and serum albumin were measured"),
    ("platinum-class", "platinum-sensitive relapse after platinum+FU"),
]


@pytest.mark.parametrize("text,expected", [pytest.param(t, e, id=i) for i, t, e in DEV_CASES])
def test_drug_mentions_dev(text, expected):
    assert drugs_in(text) == expected


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in NEGATIVE_CASES])
def test_no_drug_on_non_agents(text):
    found = drugs_in(text)
    # `platinum+FU`: FU is a drug, platinum is a class word
    assert [t for t, _ in found if t != "FU"] == []


def test_drug_spans_carry_drugbank_ids():
    doc = tagging_nlp()("oxaliplatin and capecitabine")
    attrs = [s._.attrs for s in drug_mentions(doc)]
    assert attrs[0]["drugbank_id"].startswith("DB")
    assert all("mesh_id" not in a for a in attrs)


def test_drug_tagger_works_on_title_doc():
    nlp = tagging_nlp()
    doc = nlp.make_doc("Gemcitabine versus FOLFIRINOX in pancreatic cancer")
    doc._.segment = "title"
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    assert [s.text for s in drug_mentions(doc)] == ["Gemcitabine", "FOLFIRINOX"]
