"""The site pattern file is validated on load: typos fail loudly, not silently."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from pipeline.cleaning.site_patterns import (
    PatternError,
    parse_site_patterns,
    site_patterns,
)


def _data():
    return json.loads(resources.files("pipeline").joinpath("data/site_patterns.json").read_text(encoding="utf-8"))


def test_site_patterns_shipped_file_loads():
    patterns = site_patterns()
    assert patterns.matches("furniture", "Send to")
    assert patterns.matches("abstract_markers", "2. Abstract")
    assert len(patterns.citations) >= 5


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(version=2), "unsupported version"),
        (lambda d: d.update(furnitur=[]), "unknown group"),
        (lambda d: d["furniture"].append({"regex": "x", "literal": "x"}), "exactly one of"),
        (lambda d: d["furniture"].append({"regex": "(unclosed"}), "bad regex"),
        (lambda d: d["notices"].append({"regex": "x", "site": "typo"}), "unknown keys"),
        (lambda d: d.pop("end_markers"), "missing groups"),
    ],
)
def test_site_patterns_reject_malformed_rules(mutate, message):
    data = _data()
    mutate(data)
    with pytest.raises(PatternError, match=message):
        parse_site_patterns(data)
