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
