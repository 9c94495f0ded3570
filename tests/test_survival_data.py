"""survival_terms.json: the shipped file loads, and a broken file is rejected on load."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from pipeline.components.survival import (
    TERMS_FILE,
    DataFileError,
    SurvivalLexicon,
    load_terms,
)


def shipped_text() -> str:
    return resources.files("pipeline").joinpath("data", TERMS_FILE).read_text(encoding="utf-8")


def test_survival_data_shipped_file_loads():
    data = load_terms()
    lexicon = SurvivalLexicon(data)
    cues = lexicon.find_cues("Median progression-free survival was 7 months (median follow-up, 23 months).")
    assert [(c.kind, c.endpoint or c.category) for c in cues] == [("endpoint", "PFS"), ("blocker", "follow_up")]


def _mutate(edit) -> str:
    data = json.loads(shipped_text())
    edit(data)
    return json.dumps(data)


BROKEN = [
    ("unknown_top_key", lambda d: d.update({"extra": 1}), "unknown keys"),
    ("unknown_entry_key", lambda d: d["endpoints"][0].update({"colour": "red"}), "unknown keys"),
    ("bad_endpoint", lambda d: d["endpoints"][0].update({"endpoint": "TTF"}), "not one of"),
    ("bad_scope", lambda d: d["endpoints"][0].update({"scope": "lung"}), "scope"),
    ("bad_regex", lambda d: d["blockers"][0].update({"pattern": "follow(up"}), "bad pattern"),
    ("capturing_group", lambda d: d["blockers"][0].update({"pattern": "(follow) up"}), "capturing"),
    ("missing_pattern", lambda d: d["boundaries"][0].pop("pattern"), "missing"),
    ("repeated_unit_form", lambda d: d["units"]["days"].append("months"), "repeated"),
    ("wrong_version", lambda d: d.update({"version": 2}), "version"),
    ("list_event_bad_endpoint", lambda d: d["hazard_ratio_lists"]["events"][0].update({"endpoint": "TTF"}), "not one of"),
    ("list_marker_capturing", lambda d: d["hazard_ratio_lists"]["markers"].append("(resp)"), "capturing"),
    ("elliptic_bad_endpoint", lambda d: d["elliptic_endpoints"]["forms"][0].update({"endpoint": "MFS"}), "not one of"),
    ("elliptic_unknown_key", lambda d: d["elliptic_endpoints"].update({"heads": []}), "unknown keys"),
    ("list_unknown_blocker_category", lambda d: d["hazard_ratio_lists"]["item_blockers"].append("colour"), "no blocker category"),
]


@pytest.mark.parametrize("edit,message", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_survival_data_rejects_broken_file(edit, message):
    with pytest.raises(DataFileError, match=message):
        load_terms(_mutate(edit))


def test_survival_data_rejects_duplicate_keys():
    text = shipped_text().replace('"version": 1,', '"version": 1, "version": 1,', 1)
    with pytest.raises(DataFileError, match="duplicate key"):
        load_terms(text)


CUE_TEXTS = [
    "Median progression-free survival (PFS) and overall survival (OS) were 7.1 and 14.2 months.",
    "non-progression rates; event-free survival; disease-free survival; 3-year OS/PFS 45%/30%",
    "time to treatment failure, time to progression and time to response were recorded",
    "treatment-related mortality, TRM, NRM and non-relapse mortality; adverse events (AEs)",
    "progression free survival progression-free survivalprogression-free survival",  # glued copies
    "Overall survival overall survival OVERALL SURVIVAL os OS",
    "complete responses in the liver (median duration 12 months); responses (mean duration, 8 months)",  # phrases that look behind
    "OS", "OS,", "Over", "PFS:", "dura", "",  # shorter than the four characters a start is looked up by
]


def _abstract_texts(limit: int) -> list[str]:
    from tests.conftest import shared_path

    path = shared_path("data", "pmc-rct", "abstracts.jsonl")
    out = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            out.append(" ".join(s["text"] for s in json.loads(line)["sections"]))
            if len(out) == limit:
                break
    return out


@pytest.mark.parametrize("source", ["written", "pmc-rct"])
def test_cue_scan_finds_what_one_alternation_finds(source):
    """`cue_matches` (each phrase finds where a cue may start, the alternation is tried only
    there) gives exactly `cue_re.finditer`'s matches: same spans, same phrase chosen."""
    lexicon = SurvivalLexicon(load_terms())
    texts = CUE_TEXTS if source == "written" else _abstract_texts(600)
    found = 0
    for text in texts:
        fast = [((s, e), f"t{i}") for s, e, i in lexicon.cue_matches(text)]
        assert fast == [(m.span(), m.lastgroup) for m in lexicon.cue_re.finditer(text)], text
        found += len(fast)
    assert found > (10 if source == "written" else 2000)


def test_cue_scan_matches_the_alternation_on_generated_text():
    """Texts glued from the phrases' own words, digits, non-ASCII letters and every kind of
    joiner (hyphens, slashes, brackets, nothing): the cue scan still agrees with `finditer`."""
    import random

    import regex

    lexicon = SurvivalLexicon(load_terms())
    words = sorted(set(regex.findall(r"[A-Za-z]{2,}", lexicon.cue_re.pattern)))
    words += ["3", "12", "5-year", "é", "αβ", "Über", "OS", "os", "PFS", "nPFS", "\u017furvival", "\u212a", "½"]
    # non-ASCII joiners: a word character (`é`, a combining accent) or not (no-break space, `½`)
    joiners = [" ", " ", " ", "-", "\u2010", "/", "(", ") ", ", ", "", "\u00e9", "\n", "\u0301", "\u00a0", "½", "\u2013"]
    rng = random.Random(7)
    found = 0
    for _ in range(600):
        text = "".join(rng.choice(words) + rng.choice(joiners) for _ in range(rng.randint(1, 60)))
        fast = [((s, e), f"t{i}") for s, e, i in lexicon.cue_matches(text)]
        assert fast == [(m.span(), m.lastgroup) for m in lexicon.cue_re.finditer(text)], text
        found += len(fast)
    assert found > 1000
