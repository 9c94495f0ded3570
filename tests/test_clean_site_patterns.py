"""The site pattern file is validated on load: typos fail loudly, not silently."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from pipeline.cleaning.site_patterns import (
    PatternError,
    contained_part,
    parse_site_patterns,
    site_patterns,
)
from tests.conftest import corpus_lines


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


@pytest.mark.parametrize(
    "pattern, inner",
    [
        (".*(we use cookies|accept cookies).*", "(we use cookies|accept cookies)"),
        (r".*\bcookies?\b.*", r"\bcookies?\b"),
        (".*a|b.*", None),  # `(.*a)|(b.*)`, not "contains a or b"
        (r".*sorry\.*", None),  # ends with a literal dot repeated
        (r".*sorry\\.*", r"sorry\\"),  # an escaped backslash, then `.*`
        (".*", None),
        ("Sorry,.*", None),
        (".*[|].*", "[|]"),  # `|` inside a class is not an alternation
        (".*(?:a|b)c.*", "(?:a|b)c"),
    ],
)
def test_contained_part_reads_only_whole_line_contains_rules(pattern, inner):
    assert contained_part(pattern) == inner


def test_group_index_answers_as_trying_every_rule():
    """The folded index (literal set, one search for the `.*X.*` rules, one whole-line match
    for the rest) says the same as trying each rule in turn, on every line of the corpus and
    on lines made to hit each rule: also across a line break, where `.` stops."""
    patterns = site_patterns()
    lines = corpus_lines()
    assert len(lines) > 500
    extra = ["We use cookies to improve your experience", "x\nwe use cookies", "we use cookies\nx",
             "Privacy policy", "Error 404", "cookie\nsettings", "THIS PAGE DOES NOT EXIST.", ""]
    checked = hits = 0
    for group, rules in patterns.groups.items():
        for text in lines + extra:
            expected = any(rule.match(text) for rule in rules)
            assert patterns.matches(group, text) == expected, (group, text)
            checked += 1
            hits += expected
    assert hits > 100 and checked > 10_000
