"""The gold validator: good records pass, each deliberately broken one is reported."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from pipeline.evaluation.gold import check_gold, load_source_text, resolve_authoring

TEXT = (
    "Hepatic arterial infusion of floxuridine after resection of colorectal liver metastases.\n\n"
    "Background: Adjuvant hepatic arterial infusion (HAI) may lower hepatic recurrence.\n"
    "Methods: Patients received 0.12 mg/kg/day FUDR plus 325 mg/m2 fluorouracil.\n"
    "Results: The 2-year survival rate was 86% and median overall survival was 72.2 months "
    "(HR 0.62, 95% CI 0.4-0.9)."
)
DOC = "seed:900_test"


def at(quote: str) -> tuple[int, int]:
    start = TEXT.index(quote)
    return start, start + len(quote)


def ent(label: str, quote: str, **attrs) -> dict:
    start, end = at(quote)
    return {"label": label, "start": start, "end": end, "text": quote, "attrs": attrs}


def section(label: str, heading: str, first: str, last: str) -> dict:
    start = TEXT.index(first)
    return {"label": label, "heading": heading, "start": start, "end": TEXT.index(last, start) + len(last)}


GOOD = {
    "schema_version": "1.0",
    "doc": DOC,
    "source": {"path": "seeds/900_test.txt"},
    "metadata": {"title": TEXT.split("\n")[0], "year": 2005},
    "abstract": {"start": TEXT.index("Background"), "end": len(TEXT), "text": TEXT[TEXT.index("Background"):]},
    "sections": [
        section("BACKGROUND", "Background", "Adjuvant", "recurrence."),
        section("METHODS", "Methods", "Patients received", "fluorouracil."),
        section("RESULTS", "Results", "The 2-year", "0.4-0.9)."),
    ],
    "entities": [
        ent("DRUG", "floxuridine", norm="floxuridine"),
        ent("DOSE", "0.12 mg/kg/day", value=0.12, unit="mg/kg/day", drug="FUDR"),
        ent("DRUG", "FUDR", norm="floxuridine"),
        ent("DOSE", "325 mg/m2", value=325, unit="mg/m2", drug="fluorouracil"),
        ent("DRUG", "fluorouracil", norm="fluorouracil", drugbank_id="DB00544"),
        ent("SURVIVAL", "86%", endpoint="OS", measure="rate", horizon="2-year", value=86, unit="%"),
        ent("SURVIVAL", "72.2 months", endpoint="OS", measure="median", value=72.2, unit="months"),
        ent("HAZARD_RATIO", "0.62", value=0.62, ci=[0.4, 0.9]),
    ],
}


def check(record: dict) -> list[str]:
    return check_gold([record], source_texts={DOC: TEXT})


def test_gold_check_good_record_passes():
    assert check(GOOD) == []


def broken(path: tuple, value) -> dict:
    rec = copy.deepcopy(GOOD)
    node = rec
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return rec


def shifted(i: int, ds: int, de: int) -> dict:
    rec = copy.deepcopy(GOOD)
    e = rec["entities"][i]
    e["start"] += ds
    e["end"] += de
    e["text"] = TEXT[e["start"] : e["end"]]
    return rec


def with_entity(extra: dict) -> dict:
    rec = copy.deepcopy(GOOD)
    rec["entities"].append(extra)
    return rec


@pytest.mark.parametrize(
    "record, expected",
    [
        pytest.param(broken(("entities", 0, "text"), "floxuridin"), "!= source slice", id="text-not-slice"),
        pytest.param(broken(("entities", 0, "end"), GOOD["entities"][0]["start"]), "start < end", id="empty-span"),
        pytest.param(shifted(0, -1, 0), "starts on white space", id="starts-on-space"),
        pytest.param(shifted(2, 0, 1), "ends on white space", id="ends-on-space"),
        pytest.param(shifted(6, 0, 2), "unbalanced ()", id="unbalanced-bracket"),
        pytest.param(with_entity({**ent("DRUG", "fluorouracil"), "end": at("fluorouracil")[1] + 1,
                                  "text": TEXT[at("fluorouracil")[0]:at("fluorouracil")[1] + 1]}),
                     "ends on sentence punctuation '.'", id="ends-on-period"),
        pytest.param(broken(("entities", 0, "label"), "CHEMICAL"), "label is not one of", id="unknown-label"),
        pytest.param(broken(("entities", 0, "attrs"), {"normal": "floxuridine"}), "unknown attribute 'normal'", id="attr-typo"),
        pytest.param(broken(("entities", 0, "attrs"), {"norm": "Floxuridine"}), "lower-case", id="norm-case"),
        pytest.param(broken(("entities", 5, "attrs", "endpoint"), "OVERALL"), "endpoint 'OVERALL'", id="bad-endpoint"),
        pytest.param(broken(("entities", 6, "attrs", "measure"), "average"), "measure 'average'", id="bad-measure"),
        pytest.param(broken(("entities", 6, "attrs", "unit"), "month"), "unit 'month'", id="bad-survival-unit"),
        pytest.param(broken(("entities", 6, "attrs", "value"), "72.2"), "value must be a number", id="value-string"),
        pytest.param(broken(("entities", 6, "attrs", "value"), 72.0), "value 72.0 is not written", id="value-not-in-text"),
        pytest.param(broken(("entities", 5, "attrs", "unit"), "months"), "a rate has unit '%'", id="rate-unit"),
        pytest.param(broken(("entities", 6, "attrs", "horizon"), "5-year"), "horizon belongs to a rate", id="median-horizon"),
        pytest.param(broken(("entities", 7, "attrs", "ci"), [0.9, 0.4]), "low <= high", id="ci-reversed"),
        pytest.param(broken(("entities", 7, "attrs", "ci"), [0.4]), "[low, high]", id="ci-one-number"),
        pytest.param(broken(("entities", 1, "attrs", "drug"), "floxuridin"), "not the text of a DRUG", id="dose-drug-unknown"),
        pytest.param(broken(("entities", 1, "attrs", "values"), [0.12, 0.2]), "use one of value", id="dose-two-forms"),
        pytest.param(broken(("entities", 3, "attrs", "value"), 235), "number 235 is not written", id="dose-value-typo"),
        pytest.param(with_entity(ent("DRUG", "FUDR")), "duplicate DRUG", id="duplicate-span"),
        pytest.param(with_entity(ent("DOSE", "325 mg")), "overlapping DOSE", id="overlapping-span"),
        pytest.param(broken(("sections", 1, "label"), "MATERIALS"), "section 1 (MATERIALS): label", id="section-label"),
        pytest.param(broken(("sections",), list(reversed(GOOD["sections"]))), "before the previous section", id="sections-unordered"),
        pytest.param(broken(("sections", 1, "heading"), "Design"), "heading 'Design' not found", id="heading-not-there"),
        pytest.param(broken(("sections", 2, "start"), TEXT.index("survival rate")), "not only white space", id="section-gap"),
        pytest.param(broken(("abstract", "text"), "Background"), "abstract: text", id="abstract-text"),
        pytest.param(broken(("metadata", "yeer"), 2005), "unknown field 'yeer'", id="metadata-typo"),
        pytest.param(broken(("metadata", "year"), "two thousand"), "metadata: ", id="metadata-type"),
        pytest.param(broken(("source", "path"), "seeds/901.txt"), "source.path", id="source-path"),
        pytest.param(broken(("status",), "fine"), "status 'fine'", id="status"),
    ],
)
def test_gold_check_reports_broken_records(record, expected):
    problems = check(record)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(DOC + ": ") for p in problems)


def test_gold_check_duplicate_docs_and_missing_source():
    problems = check_gold([GOOD, GOOD, {"doc": "seed:nope"}], source_texts={DOC: TEXT})
    assert any("appears more than once" in p for p in problems)
    assert any(p.startswith("seed:nope: source text not available") for p in problems)


SHARED = Path(__file__).resolve().parents[2] / "shared"


def test_gold_check_resolved_authoring_on_a_real_seed():
    if not (SHARED / "seeds" / "000_2388d6691ff22e17.txt").exists():
        pytest.skip("shared seeds not available")
    doc = "seed:000_2388d6691ff22e17"
    text = load_source_text(doc, SHARED)
    authoring = {
        "doc": doc,
        "entities": [
            {"label": "DOSE", "text": "1.5 or 2.0 mg/kg", "attrs": {"values": [1.5, 2.0], "unit": "mg/kg", "drug": "melphalan"}},
            {"label": "DRUG", "text": "melphalan", "context": "mg/kg melphalan and/or", "attrs": {"norm": "melphalan"}},
            {"label": "DRUG", "text": "tumor necrosis factor", "context": "1 mg tumor necrosis factor",
             "attrs": {"norm": "tumor necrosis factor"}},
        ],
    }
    record = resolve_authoring(authoring, text)
    record["source"] = {"path": "seeds/000_2388d6691ff22e17.txt"}
    assert check_gold([record], shared=SHARED) == []
    record["entities"][0]["attrs"]["drug"] = "Melphalan"
    assert [p for p in check_gold([record], shared=SHARED) if "not the text of a DRUG" in p]


@pytest.mark.parametrize("start, end", [(3, 9), (0, 6)], ids=["end-of-word", "start-of-word"])
def test_gold_check_rejects_entities_inside_words(start, end):
    from pipeline.evaluation.gold import check_gold

    text = "cisplatin given"
    record = {"doc": "seed:x", "entities": [{"label": "DRUG", "start": start, "end": end, "text": text[start:end], "attrs": {}}]}
    problems = check_gold([record], source_texts={"seed:x": text})
    assert any("inside the word" in p for p in problems), problems
