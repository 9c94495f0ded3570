"""The site pattern file is validated on load: typos fail loudly, not silently."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cleaning.site_patterns import (
    GroupIndex,
    LineRule,
    PagePatterns,
    PatternError,
    _reversible,
    alternation_branches,
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


@pytest.mark.parametrize(
    "inner, branches",
    [
        ("(we use cookies|by (using|continuing to use) this (site|website))",
         ["we use cookies", "by (using|continuing to use) this (site|website)"]),
        ("(?:a|b[|]c|\\(d\\|)", ["a", "b[|]c", "\\(d\\|"]),
        ("(?P<x>a|b)", ["a", "b"]),
        ("(a|b)c", None),  # the group is not the whole X
        ("\\b(a|b)\\b", None),
        ("(a)|(b)", None),
        ("(a|)", None),  # an empty branch matches everywhere
        ("((a)|\\2)", None),  # a back-reference would lose its group
        ("(abc)", None),
    ],
)
def test_alternation_branches_split_only_one_whole_group(inner, branches):
    assert alternation_branches(inner) == branches


@pytest.mark.parametrize(
    "pattern, reversible",
    [(".*?\\S(?P<ui>\\s+(?:Collapse|\\(more\\)))", True), ("a(?>b+)b", False), ("a*+b", False), ("(a)\\1", False),
     ("(?<!x)a.*", False), ("a(?=b)", False), ("\\Ga", False), ("(?(1)a|b)", False)],
)
def test_only_direction_free_rules_are_read_from_the_end(pattern, reversible):
    assert _reversible(pattern) == reversible


# phrases of the `.*(a|b ...).*` and `... Read more` rules, cut and whole, with the words around them
_RULE_PIECES = ["by using this site", "by continuing to use this website", " this ", "using", "site", "by ",
                "we use cookies", "privacy policy", "page not found", "Read more", "Show less", "(more)", "… more",
                "[more]", "more", "Collapse", "Expand", " ", ".", "x", "the patients", "\n"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_RULE_PIECES), max_size=10).map("".join))
def test_group_index_answers_as_trying_every_rule_generated(text):
    """Split alternations and rules read from the line's end give each group's answer as
    trying its rules one by one."""
    patterns = site_patterns()
    for group, rules in patterns.groups.items():
        assert patterns.matches(group, text) == any(rule.match(text) for rule in rules), (group, text)


def test_a_rule_read_from_the_end_keeps_its_answer():
    import regex

    rule = LineRule(None, regex.compile(r".*?\S(?P<ui>\s+(?:Read more|\(more\)))", regex.IGNORECASE))
    index = GroupIndex.of((rule,))
    assert index.scanning[1].flags & regex.REVERSE
    for text in ["Results were good. Read more", "more and more (more)", "Read more", "x Read more.", " Read more"]:
        assert index.hit(text) == bool(rule.match(text)), text


def _page_answers_agree(page_lines: list[str]) -> int:
    """Every group's page-level answer for every line (and for the line cut short, as
    `trailing_furniture` cuts it) is the one `SitePatterns` gives for the line alone."""
    patterns = site_patterns()
    page = PagePatterns(patterns, page_lines)
    hits = 0
    groups = tuple(patterns.groups)
    for i, text in enumerate(page_lines):
        assert page.matching(groups, i, text) == {g for g in groups if patterns.matches(g, text)}, text
    for group in patterns.groups:
        for i, text in enumerate(page_lines):
            for part in {text, text[: len(text) // 2], text[: text.rfind(" ")] if " " in text else text}:
                expected = patterns.matches(group, part)
                assert page.matches(group, i, part) == expected, (group, part)
                assert bool(page.first_match(group, i, part)) == bool(patterns.first_match(group, part))
                hits += expected
            if group == "field_labels":
                found, expected_field = page.field_match(i, text), patterns.field_match(text)
                assert (found and (found[0], found[1].span())) == (expected_field and (expected_field[0], expected_field[1].span()))
    return hits


def test_page_patterns_answer_as_each_line_alone():
    """On the corpus lines as one page (and in upper case, where lower() changes nothing but
    the needed strings must still be found; and with non-ASCII lines among them)."""
    lines = corpus_lines()
    assert _page_answers_agree(lines) > 100
    assert _page_answers_agree([line.upper() for line in lines[::3]]) > 10
    assert _page_answers_agree(["", "İstanbul Keywords", "Keywords", "", "ſubscribe to view", "MeSH terms", "K"]) > 0


_PIECES = list("abeklmorstuwyKMS İſ:.,\u212a()-0129") + [
    "keywords", "mesh", "volume", "cookies", "abstract", "author", "title", "show more", "copyright", "page"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join), max_size=12))
def test_page_patterns_answer_as_each_line_alone_generated(page_lines):
    _page_answers_agree([line.strip() for line in page_lines])


def _citations_agree(page_lines: list[str]) -> int:
    """Each line's citation read with the page's candidate patterns is the one read with all."""
    from pipeline.cleaning.classify import parse_citation

    patterns = site_patterns()
    page = PagePatterns(patterns, page_lines)
    found = 0
    for i, text in enumerate(page_lines):
        for part in {text, text[: len(text) // 2], text[text.find(" ") + 1:]}:
            expected = parse_citation(part, patterns)
            assert parse_citation(part, patterns, page.citation_patterns(i)) == expected, part
            found += expected is not None
    return found


def test_page_citation_patterns_read_as_every_pattern():
    lines = corpus_lines()
    assert _citations_agree(lines) > 20
    assert _citations_agree(["Surgery. 2004 Dec;136(6):1176-82.", "", "Lancet Oncol. 2019;20(3):e1", "Ann Oncol ١٩٩٩;3:1",
                             "Hepatology", ". 2017 Nov;66(5):1512-1524.", "J Clin Oncol, Volume 31, Issue 4, 2013"]) > 1


_CITATION_PIECES = list("ADJSaelno ,.;:()-–·\"0129٣") + ["2004", "1999", "Dec", "Volume", "Vol.", "no.", "Issue",
                                                      "Published in", "pp. ", "(pp. 1-2)", "Lancet", "J Clin Oncol"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(_CITATION_PIECES), max_size=14).map("".join), max_size=8))
def test_page_citation_patterns_read_as_every_pattern_generated(page_lines):
    _citations_agree([line.strip() for line in page_lines])
