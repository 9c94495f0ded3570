"""Required literals of a regular expression: strings one of which every match contains.

A pattern searched for in many lines (`.*(we use cookies|privacy policy).*`) costs the
engine a try at every position of every line; a line that contains none of the strings a
match must contain cannot match, and `in` finds that out in one fast pass. So callers test
the literals first and run the pattern only on lines that have one (`prefilter`).

The literals are read from the pattern's syntax tree (Python's own `re` parser): a run of
literal characters is required; a group or a repeat of at least one requires what its body
requires; an alternation requires one of what each branch requires. A pattern the `re`
parser cannot read (`regex`-only syntax) gets None: no prefilter, the pattern always runs.
Comparisons are in lower case on ASCII text only (other text always runs the pattern), which
is a necessary condition for a case-insensitive or case-sensitive match alike.
"""

from __future__ import annotations

from typing import Any

try:  # Python 3.11+
    import re._constants as sre_constants
    import re._parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

_REPEATS = {getattr(sre_constants, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(sre_constants, name)}


def required_literals(pattern: str) -> frozenset[str] | None:
    """Lower-case ASCII strings, one of which every match of `pattern` contains; None when
    no such set can be read (then nothing may be skipped): the most selective of
    `required_literal_sets`."""
    return strongest(required_literal_sets(pattern))


def strongest(sets: list[frozenset[str]] | tuple[frozenset[str], ...] | None) -> frozenset[str] | None:
    """The most selective requirement: the set whose shortest string is longest (None for none)."""
    return max(sets, key=lambda s: min(len(x) for x in s)) if sets else None


def required_literal_sets(pattern: str) -> tuple[frozenset[str], ...] | None:
    """Every requirement `required_literals` chooses among: sets of lower-case ASCII
    strings such that every match of `pattern` holds one string of each set (a year's
    `19`/`20` and the `;` after it). None when no set can be read."""
    try:
        tree = sre_parse.parse(pattern)
    except Exception:  # regex-module syntax, or not a pattern at all
        return None
    found = _requirements(list(tree))
    return tuple(frozenset(s.lower() for s in option) for option in found) or None


def _sequence(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The most selective requirement of a sequence: its longest literal run, or the set
    of a group, repeat or alternation in it whose shortest string is longest."""
    return strongest(_requirements(items))


def _requirements(items: list[tuple[Any, Any]]) -> list[frozenset[str]]:
    """The requirements of a sequence, each met by every match: its literal runs and what
    each group, repeat or alternation in it requires."""
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is sre_constants.LITERAL:
            run.append(chr(av))
            continue
        if run:
            options.append(frozenset(["".join(run)]))
            run = []
        inner = _node(op, av)
        if inner:
            options.append(inner)
    if run:
        options.append(frozenset(["".join(run)]))
    # a non-ASCII pattern character may match an ASCII one without case (KELVIN SIGN, `k`)
    return [option for option in options if all(s.isascii() for s in option)]


def _node(op: Any, av: Any) -> frozenset[str] | None:
    if op is sre_constants.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op in _REPEATS:
        low, _high, body = av
        return _sequence(list(body)) if low >= 1 else None
    if op is sre_constants.BRANCH:
        branches = [_sequence(list(branch)) for branch in av[1]]
        if any(not b for b in branches):
            return None
        return frozenset().union(*branches)
    return None  # classes, anchors, lookarounds, back-references: no literal required


def prefilter(literals: frozenset[str] | tuple[str, ...] | None, text: str, lowered: str | None = None) -> bool:
    """False only when `text` cannot match: it is ASCII and holds none of `literals`."""
    if literals is None or not text.isascii():
        return True
    lowered = text.lower() if lowered is None else lowered
    for literal in literals:  # a plain loop: faster than any() over a generator
        if literal in lowered:
            return True
    return False


def holds_each(sets: tuple[frozenset[str], ...] | None, text: str, lowered: str | None = None) -> bool:
    """False only when `text` cannot match: it is ASCII and lacks every string of one of
    `sets` (`required_literal_sets`: a match holds one string of each)."""
    if sets is None or not text.isascii():
        return True
    lowered = text.lower() if lowered is None else lowered
    return all(prefilter(needs, text, lowered) for needs in sets)


def union_of(sets: list[frozenset[str] | None]) -> tuple[str, ...] | None:
    """One tuple of every string of `sets` (None when one of them is None): a text holding
    none of them passes none of their prefilters."""
    if not sets or any(s is None for s in sets):
        return None
    return tuple(sorted(frozenset().union(*sets)))
