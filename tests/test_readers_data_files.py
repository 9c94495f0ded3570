"""The readers' rule data (pipeline/data/medline_labels.json, jats_abstract_types.json) is
validated on load: a typo fails loudly instead of silently changing what is a label."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from pipeline.datafiles import DataFileError, loads_strict
from pipeline.readers.jats import excluded_abstract_types, parse_abstract_types
from pipeline.readers.medline import label_rules, parse_label_rules


def _data(name: str):
    return json.loads(resources.files("pipeline").joinpath("data", name).read_text(encoding="utf-8"))


def test_readers_data_shipped_files_load():
    rules = label_rules()
    assert rules.min_letters == 3
    assert {"HR", "IQR", "BMI"} <= rules.not_labels
    assert {"graphical", "teaser", "author-summary"} <= excluded_abstract_types()


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(version=2), "unsupported version"),
        (lambda d: d.update(not_label=[]), "unknown keys"),
        (lambda d: d.pop("min_label_letters"), "missing keys"),
        (lambda d: d.update(min_label_letters=0), "positive integer"),
        (lambda d: d["not_labels"].append({"text": "hr", "reason": "lower case"}), "upper case"),
        (lambda d: d["not_labels"].append({"text": "HR", "reason": "again"}), "listed twice"),
        (lambda d: d["not_labels"].append({"text": "XYZ", "reason": ""}), "reason is required"),
        (lambda d: d["not_labels"].append({"text": "XYZ", "reason": "r", "note": "n"}), "unknown keys"),
    ],
    ids=["version", "unknown-top-key", "missing-key", "zero-letters", "lower-case", "duplicate", "no-reason", "unknown-entry-key"],
)
def test_readers_data_medline_labels_reject_malformed(mutate, message):
    data = _data("medline_labels.json")
    mutate(data)
    with pytest.raises(DataFileError, match=message):
        parse_label_rules(data)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(version=0), "unsupported version"),
        (lambda d: d["excluded"].append({"abstract_type": "Graphical", "reason": "case"}), "lower case"),
        (lambda d: d["excluded"].append({"abstract_type": "teaser", "reason": "again"}), "listed twice"),
        (lambda d: d["excluded"].append({"abstract_type": "x"}), "missing keys"),
    ],
    ids=["version", "upper-case", "duplicate", "no-reason"],
)
def test_readers_data_jats_abstract_types_reject_malformed(mutate, message):
    data = _data("jats_abstract_types.json")
    mutate(data)
    with pytest.raises(DataFileError, match=message):
        parse_abstract_types(data)


def test_readers_data_duplicate_json_keys_rejected():
    with pytest.raises(DataFileError, match="duplicate key"):
        loads_strict('{"version": 1, "version": 1, "excluded": []}', "jats_abstract_types.json")
