"""Site patterns (pipeline/data/site_patterns.json): the line rules that say what a page line is
(menu, notice, end marker, citation, ...), loaded and checked once.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import regex

from pipeline.components import heading_map
from pipeline.datafiles import DataFileError, loads_strict, package_data_text
from pipeline.literals import (
    holds_each,
    prefilter,
    required_literal_sets,
    required_literals,
    strongest,
    union_of,
)

BULLETS = "•·▪◦‣●○■□–—-*>"
SPACE_CHARS = " \t\r\f\v\u00a0\u2002\u2003\u2009\u200a\u202f\u205f\u3000\ufeff"
MAX_PREFILTER_LITERALS = 16
RULE_KEYS = frozenset({"literal", "regex", "sites", "note", "name", "field"})
GROUPS = frozenset({
    "furniture", "notices", "abstract_markers", "no_abstract_markers", "end_markers", "affiliation_headers",
    "affiliation_prefixes", "mesh_headers", "keyword_headers", "publication_type_headers", "inline_keywords",
    "inline_mesh", "copyright", "citation_patterns", "volume_lines", "field_labels", "trailing_furniture",
    "gap_fillers", "related_article_headers", "label_lines",
})


class PatternError(DataFileError):
    """The site pattern file is malformed."""


@dataclass(frozen=True)
class LineRule:
    literal: str | None
    pattern: Any  # compiled regex (full match), or None
    field: str | None = None  # for field_labels: the metadata field the value fills

    def match(self, text: str):
        if self.literal is not None:
            return text.casefold() == self.literal.casefold()
        return self.pattern.fullmatch(text)


def _structure(pattern: str) -> Iterator[tuple[int, str, int]]:
    """(position, character, depth) of each `(`, `)` and `|` of `pattern` that is syntax (not
    escaped, not inside a character class); depth counts the groups open before it."""
    depth, in_class, i = 0, False, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":  # `[]...]`: a leading `]` is literal
                i += 1
        elif ch in "()|":
            yield i, ch, depth
            depth += (ch == "(") - (ch == ")")
        i += 1


def _top_level_alternation(pattern: str) -> bool:
    """True when `pattern` has a `|` outside every group and character class."""
    return any(ch == "|" and depth == 0 for _, ch, depth in _structure(pattern))


def contained_part(pattern: str) -> str | None:
    """The X of a rule `.*X.*` ("the line contains X"), else None.

    Matching the whole line against `.*X.*` makes the engine try X at every position after
    every backtrack of the leading `.*`; searching for X gives the same answer on a line
    (no line break inside) in one left-to-right scan."""
    if len(pattern) < 5 or not pattern.startswith(".*") or not pattern.endswith(".*"):
        return None
    inner = pattern[2:-2]
    # `...\.*` ends with a literal dot repeated, and `.*a|b.*` is not `.*(?:a|b).*`
    escaped_end = (len(inner) - len(inner.rstrip("\\"))) % 2 == 1
    if not inner or escaped_end or _top_level_alternation(inner):
        return None
    return inner


def _first_group_end(pattern: str) -> int | None:
    """Where the group `pattern` opens with closes."""
    return next((i for i, ch, depth in _structure(pattern) if ch == ")" and depth == 1), None)


_GROUP_OPENERS = regex.compile(r"\((?:\?:|\?P<\w+>)?")
_BACK_REFERENCE = regex.compile(r"\\[1-9]|\(\?P=|\(\?\(")


def alternation_branches(inner: str) -> list[str] | None:
    """The branches of an X that is one group holding an alternation (`(a|b c|d)`), else None.

    A line contains a match of `(a|b)` exactly when it contains a match of `a` or one of `b`,
    and each branch alone needs more of the line (all of `by`, `using`, ` this `, `site` for
    `by (using|continuing to use) this (service|site|website)`), so its strings rule out far
    more lines than the one string the whole alternation is sure to hold."""
    opener = _GROUP_OPENERS.match(inner)
    if opener is None or _first_group_end(inner) != len(inner) - 1 or _BACK_REFERENCE.search(inner):
        return None
    body = inner[opener.end() : -1]
    bars = [i for i, ch, depth in _structure(body) if ch == "|" and depth == 0]
    if not bars:
        return None
    branches = [body[a + 1 : b] for a, b in zip([-1, *bars], [*bars, len(body)])]
    return branches if all(branches) else None  # an empty branch matches everywhere


# what makes a match depend on the direction it is read in: atomic groups, possessive
# quantifiers, back-references, conditionals, lookarounds, \G
_DIRECTED = regex.compile(r"\(\?>|[*+?}]\+|\\[1-9G]|\(\?P=|\(\?\(|\(\?<?[=!]")


def _reversible(pattern: str) -> bool:
    """A whole-line match of `pattern` exists read right to left exactly when one exists read
    left to right: true of a pattern made of plain characters, classes, groups, alternations
    and greedy or lazy repeats (it says whether the line is in the pattern's language)."""
    return _DIRECTED.search(pattern) is None


@dataclass(frozen=True)
class GroupIndex:
    """One group's rules folded for a fast first test (the same answer as trying each rule):
    - the literals, as a set of case-folded lines;
    - the whole-line regexes that start at a fixed text, as one alternation (`anchored`);
    - those that start with a wildcard (`.*?X`), which the engine tries at every position, as
      one alternation (`scanning`) run only on a line holding one of the strings every match
      contains (`pipeline.literals`), and read from the line's end when the rules allow it
      (`_reversible`): a rule for what ends a line (`... Read more`) then fails at once on a
      line that ends otherwise, instead of after a try at every position;
    - the X of each `.*X.*` rule, searched for one by one (a single pattern lets the engine
      skip to where its first characters occur, an alternation does not: twice as fast on
      page lines), each only in a line holding one of its required strings."""

    literals: frozenset[str]
    anchored: Any = None
    scanning: tuple[frozenset[str] | None, Any] | None = None  # (required literals, pattern)
    contains: tuple[tuple[tuple[frozenset[str], ...] | None, Any], ...] = ()  # (required literal sets, X or a branch of X)
    contains_whole: Any = None  # the `.*X.*` rules as written, for a text with a line break
    contains_any: tuple[str, ...] | None = None  # every required string of `contains`
    line_needs: tuple[str, ...] | None = None  # strings one of which every ASCII line the group hits holds


    @classmethod
    def of(cls, rules: tuple[LineRule, ...]) -> GroupIndex:
        anchored, scanning, contained, contained_whole = [], [], [], []
        for rule in rules:
            if rule.pattern is None:
                continue
            inner = contained_part(rule.pattern.pattern)
            if inner is not None:
                contained.append(inner)
                contained_whole.append(rule.pattern.pattern)
            elif rule.pattern.pattern.startswith("."):
                scanning.append(rule.pattern.pattern)
            else:
                anchored.append(rule.pattern.pattern)

        def alternation(patterns: list[str], reverse: bool = False) -> Any:
            flags = regex.IGNORECASE | (regex.REVERSE if reverse else 0)
            return regex.compile("|".join(f"(?:{p})" for p in patterns), flags) if patterns else None

        literals = frozenset(rule.literal.casefold() for rule in rules if rule.literal is not None)
        scan = None
        if scanning:
            needs = [required_literals(p) for p in scanning]
            union = frozenset().union(*needs) if all(n is not None for n in needs) else None
            if union is not None and len(union) > MAX_PREFILTER_LITERALS:
                union = None  # testing that many strings costs more than the match
            scan = (union, alternation(scanning, reverse=all(_reversible(p) for p in scanning)))
        parts = [part for inner in contained for part in (alternation_branches(inner) or [inner])]
        searched = tuple((required_literal_sets(p), regex.compile(p, regex.IGNORECASE)) for p in parts)
        searched_needs = [strongest(sets) for sets, _ in searched]
        union = union_of(searched_needs)
        # A literal rule hits an ASCII line whose lower case is the case-folded literal; every
        # other rule needs one of its required strings (`pipeline.literals`).
        line_needs = union_of(
            [frozenset(literals)] * bool(literals)
            + [required_literals(p) for p in anchored + scanning]
            + searched_needs
        )
        if line_needs is not None and len(line_needs) > MAX_PREFILTER_LITERALS and not (scan or searched):
            line_needs = None  # a look for each string in the page costs more than a match per line
        # (a group with wildcard rules is dearer: each line costs it a search per rule)
        return cls(literals, alternation(anchored), scan, searched, alternation(contained_whole), union, line_needs)

    def hit(self, text: str) -> bool:
        """True when some rule of the group matches the whole line (the same as trying each)."""
        if self.literals and text.casefold() in self.literals:
            return True
        if self.anchored is not None and self.anchored.fullmatch(text):
            return True
        if self.scanning is None and not self.contains:
            return False
        lowered = text.lower() if text.isascii() else None
        if self.scanning is not None:
            needs, pattern = self.scanning
            if prefilter(needs, text, lowered) and pattern.fullmatch(text):
                return True
        if not self.contains:
            return False
        if "\n" in text:  # `.` does not cross a line break: keep the whole-line semantics
            return bool(self.contains_whole.fullmatch(text))
        if not prefilter(self.contains_any, text, lowered):
            return False  # none of the strings any X needs
        return any(holds_each(sets, text, lowered) and pattern.search(text) for sets, pattern in self.contains)


@dataclass(frozen=True)
class SitePatterns:
    groups: dict[str, tuple[LineRule, ...]]
    citations: tuple[tuple[str, Any], ...]
    index: dict[str, GroupIndex] = field(default_factory=dict)
    citation_needs: dict[str, frozenset[str] | None] = field(default_factory=dict)  # name -> required strings
    # name -> every set of strings a match holds one of (`required_literal_sets`)
    citation_need_sets: dict[str, tuple[frozenset[str], ...] | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index.update({group: GroupIndex.of(rules) for group, rules in self.groups.items()})
        self.citation_need_sets.update({name: required_literal_sets(p.pattern) for name, p in self.citations})
        self.citation_needs.update({name: strongest(sets) for name, sets in self.citation_need_sets.items()})

    def matches(self, group: str, text: str) -> bool:
        index = self.index.get(group)
        return bool(index and index.hit(text))

    def first_match(self, group: str, text: str):
        if not self.matches(group, text):
            return None
        for rule in self.groups.get(group, ()):
            m = rule.match(text)
            if m:
                return m
        return None

    def field_match(self, text: str):
        """(field, match) of the first field_labels rule matching a labelled line, else None."""
        if not self.matches("field_labels", text):
            return None
        for rule in self.groups.get("field_labels", ()):
            m = rule.match(text)
            if m:
                return rule.field, m
        return None


_UNSEEN = object()


class PagePatterns:
    """The site patterns asked about the lines of one page.

    Asking each group about each line costs a regex call per line and group; most lines can
    be turned away for a whole group at once: a group whose rules all need one of a few
    strings (`GroupIndex.line_needs`) can hit only the lines that hold one of them, or are
    not ASCII (where `pipeline.literals` skips nothing). Those strings are looked for once in
    the page's lower-cased text, each occurrence naming its line; the group's rules run only
    on the lines so named. A part of a line (a line cut short by `trailing_furniture`) holds
    no string its line does not, so the lines named for the uncut page stay a superset."""

    def __init__(self, patterns: SitePatterns, cores: list[str]) -> None:
        self.patterns = patterns
        pieces = [core.lower() for core in cores]
        self._lowered = "\n".join(pieces)
        self._starts: list[int] = []
        pos = 0
        for piece in pieces:  # offsets in the lowered text (lower() may change a length)
            self._starts.append(pos)
            pos += len(piece) + 1
        self._non_ascii = [i for i, core in enumerate(cores) if not core.isascii()]
        self._candidates: dict[str, set[int] | None] = {}
        self._holding: dict[frozenset[str] | tuple[str, ...], set[int]] = {}
        self._citations: list[tuple[tuple[str, Any], ...]] | None = None

    def lines_holding(self, strings: frozenset[str] | tuple[str, ...]) -> set[int]:
        """Indexes of the lines that hold one of `strings` (lower case) or are not ASCII."""
        if strings in self._holding:
            return self._holding[strings]
        found = set(self._non_ascii)
        lowered, starts = self._lowered, self._starts
        last = len(starts) - 1
        for needed in strings:
            pos = lowered.find(needed)
            while pos != -1:
                line = bisect_right(starts, pos) - 1
                found.add(line)
                if line >= last:
                    break
                pos = lowered.find(needed, starts[line + 1])  # the next line that holds it
        self._holding[strings] = found
        return found

    def candidates(self, group: str) -> set[int] | None:
        """Indexes of the lines `group` may hit (None: any line may)."""
        if group not in self._candidates:
            index = self.patterns.index.get(group)
            needs = index.line_needs if index is not None else None
            self._candidates[group] = None if needs is None else self.lines_holding(needs)
        return self._candidates[group]

    def citation_patterns(self, line: int) -> tuple[tuple[str, Any], ...]:
        """The citation patterns (name, pattern), in order, that may match line `line` or a
        part of it: those whose every required set of strings the line holds one of."""
        if self._citations is None:
            per_line: list[list[tuple[str, Any]]] = [[] for _ in self._starts]
            for name, pattern in self.patterns.citations:
                # a single character (`.`, `(`) is in nearly every line: looking for it costs
                # more than it turns away, and the other requirements stay necessary without it
                need_sets = [needs for needs in self.patterns.citation_need_sets.get(name) or () if min(map(len, needs)) > 1]
                if not need_sets:
                    possible: Any = range(len(per_line))
                else:
                    possible = set.intersection(*(self.lines_holding(needs) for needs in need_sets))
                for i in sorted(possible):
                    per_line[i].append((name, pattern))
            self._citations = [tuple(found) for found in per_line]
        return self._citations[line]

    def _may_hit(self, group: str, line: int) -> bool:
        found = self._candidates.get(group, _UNSEEN)
        if found is _UNSEEN:
            found = self.candidates(group)
        return found is None or line in found

    def matches(self, group: str, line: int, text: str) -> bool:
        """`SitePatterns.matches(group, text)` for `text`, line `line` of the page or a part of it."""
        if not self._may_hit(group, line):
            return False
        index = self.patterns.index.get(group)
        return index is not None and index.hit(text)

    def matching(self, groups: tuple[str, ...], line: int, text: str) -> set[str]:
        """The groups of `groups` that `matches`, asked in one call."""
        found = set()
        index = self.patterns.index
        for group in groups:
            if self._may_hit(group, line) and group in index and index[group].hit(text):
                found.add(group)
        return found

    def first_match(self, group: str, line: int, text: str):
        return self.patterns.first_match(group, text) if self._may_hit(group, line) else None

    def field_match(self, line: int, text: str):
        return self.patterns.field_match(text) if self._may_hit("field_labels", line) else None


def parse_site_patterns(data: dict[str, Any]) -> SitePatterns:
    """Validate and compile the site pattern file (unknown keys are rejected)."""
    if data.get("version") != 1:
        raise PatternError("site_patterns.json: unsupported version")
    groups: dict[str, tuple[LineRule, ...]] = {}
    citations = []
    for group, rules in data.items():
        if group in {"version", "description"}:
            continue
        if group not in GROUPS:
            raise PatternError(f"site_patterns.json: unknown group {group!r}")
        if not isinstance(rules, list):
            raise PatternError(f"site_patterns.json: {group} must be a list")
        compiled = []
        for i, rule in enumerate(rules):
            unknown = set(rule) - RULE_KEYS
            if unknown:
                raise PatternError(f"site_patterns.json: {group}[{i}] has unknown keys {sorted(unknown)}")
            if ("literal" in rule) == ("regex" in rule):
                raise PatternError(f"site_patterns.json: {group}[{i}] needs exactly one of literal/regex")
            if "regex" in rule:
                try:
                    pattern = regex.compile(rule["regex"], regex.IGNORECASE if group != "citation_patterns" else 0)
                except regex.error as exc:
                    raise PatternError(f"site_patterns.json: {group}[{i}] bad regex: {exc}") from None
                if group == "citation_patterns":
                    citations.append((rule.get("name", f"citation{i}"), pattern))
                    continue
                compiled.append(LineRule(None, pattern, rule.get("field")))
            else:
                compiled.append(LineRule(rule["literal"], None))
        groups[group] = tuple(compiled)
    missing = GROUPS - set(groups) - {"citation_patterns"}
    if missing:
        raise PatternError(f"site_patterns.json: missing groups {sorted(missing)}")
    return SitePatterns(groups, tuple(citations))


@lru_cache(maxsize=1)
def site_patterns() -> SitePatterns:
    try:
        data = loads_strict(package_data_text("site_patterns.json"), "site_patterns.json")
    except DataFileError as err:
        raise PatternError(str(err)) from None
    return parse_site_patterns(data)


# the heading lookup the cleaner uses, imported once (an import statement in a function runs on every call)
heading_category = heading_map.heading_category
