"""Required literals of a pattern: a line the prefilter turns away could never match."""

from __future__ import annotations

import pytest
import regex

from pipeline.cleaning.site_patterns import site_patterns
from pipeline.literals import (
    prefilter,
    required_literal_sets,
    required_literals,
    union_of,
)
from tests.conftest import corpus_lines


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("we use cookies", {"we use cookies"}),
        ("(we use|accept) cookies", {" cookies"}),  # the longer of the two requirements
        ("(?:overall|progression-free) survival", {" survival"}),
        ("(?:overall|progression-free) (?:OS|survival)", {"overall", "progression-free"}),
        ("foo|bar", {"foo", "bar"}),
        (r"\bcookies?\b", {"cookie"}),
        ("(?:ab)?cd", {"cd"}),
        ("x+y", {"x"}),
        ("(?i)Privacy Policy", {"privacy policy"}),
        ("…\\s?more", {"more"}),  # the non-ASCII run is no requirement
        ("[ab]c", {"c"}),
        ("a|[bc]", None),  # one branch requires no string
        ("x*", None),
        (r"\p{L}+ policy", None),  # regex-module syntax: not read
        ("", None),
    ],
)
def test_required_literals_read_from_the_pattern(pattern, expected):
    got = required_literals(pattern)
    assert (got if got is None else set(got)) == expected


def test_prefilter_passes_non_ascii_and_unknown():
    assert prefilter(None, "anything")
    assert prefilter(frozenset({"cookie"}), "We use COOKIES here")
    assert not prefilter(frozenset({"cookie"}), "Patients were randomised.")
    assert prefilter(frozenset({"cookie"}), "Patients were randomisé.")  # not ASCII: always run
    assert union_of([frozenset({"a"}), frozenset({"b", "c"})]) == ("a", "b", "c")
    assert union_of([frozenset({"a"}), None]) is None


def _lines():
    """The corpus lines in three casings."""
    return sorted({variant for line in corpus_lines() for variant in (line, line.upper(), line.lower())})


def test_prefilter_never_turns_away_a_line_a_site_rule_matches():
    """Every regex of the site patterns, on every corpus line in three casings: where the
    rule finds a match, its required strings are in the line."""
    lines = _lines()
    checked = matched = 0
    for rules in site_patterns().groups.values():
        for rule in rules:
            if rule.pattern is None:
                continue
            needs = required_literals(rule.pattern.pattern)
            if needs is None:
                continue
            for line in lines:
                if rule.pattern.search(line):
                    matched += 1
                    assert prefilter(needs, line), (rule.pattern.pattern, line)
                checked += 1
    for _name, pattern in site_patterns().citations:
        needs = required_literals(pattern.pattern)
        case_blind = regex.compile(pattern.pattern, regex.IGNORECASE)
        for line in lines:
            if needs is not None and case_blind.search(line):
                matched += 1
                assert prefilter(needs, line), (pattern.pattern, line)
    assert checked > 50_000 and matched > 1_000


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("we use cookies", [{"we use cookies"}]),
        (r"(?P<journal>[A-Z][^.;]{1,120}?)\.\s+(?P<year>(19|20)\d{2})\s*;", [{"."}, {"19", "20"}, {";"}]),
        ("(?:ab)?cd(?:ef|gh)+", [{"cd"}, {"ef", "gh"}]),
        ("(we use|accept) cookies", [{"we use", "accept"}, {" cookies"}]),
        ("…\\s?more", [{"more"}]),
        ("a|[bc]", None),
        (r"\p{L}+ policy", None),
    ],
)
def test_required_literal_sets_read_from_the_pattern(pattern, expected):
    got = required_literal_sets(pattern)
    assert (got if got is None else [set(s) for s in got]) == expected
    if got:  # the one `required_literals` chooses is among them
        assert required_literals(pattern) in got


def test_required_literal_sets_hold_in_every_citation_match():
    """Every citation pattern (and each site rule), on every corpus line in three casings:
    where it finds a match, the line holds one string of each of its required sets."""
    lines = _lines()
    matched = 0
    patterns = [pattern for _name, pattern in site_patterns().citations] + [
        rule.pattern for rules in site_patterns().groups.values() for rule in rules if rule.pattern is not None]
    for pattern in patterns:
        need_sets = required_literal_sets(pattern.pattern)
        if need_sets is None:
            continue
        case_blind = regex.compile(pattern.pattern, regex.IGNORECASE)
        for line in lines:
            if case_blind.search(line):
                matched += 1
                for needs in need_sets:
                    assert prefilter(needs, line), (pattern.pattern, needs, line)
    assert matched > 1_000
