"""The survival lexicon: `data/survival_terms.json` checked against its schema and compiled.

`load_terms()` reads and validates the data file (unknown keys, bad patterns and duplicate
keys are errors naming the entry); `SurvivalLexicon` compiles it once into one alternation
of cue phrases (endpoints, blockers, boundaries) plus the unit and time-point patterns;
`lexicon()` is the shared instance. `Cue` is one cue phrase found in a text.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections import Counter, OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import regex

from pipeline.components.stat_patterns import NUM, WORD_NUM, _rx
from pipeline.datafiles import DataFileError, check_keys, loads_strict
from pipeline.vocabulary import endpoints

TERMS_FILE = "survival_terms.json"
# The endpoint codes (pipeline/data/vocabulary.json, shared with the gold files).
ENDPOINTS = endpoints()


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    kind: str  # endpoint | blocker | boundary
    endpoint: str | None = None
    scope: str | None = None
    measure: str | None = None
    needs_horizon: bool = False
    category: str | None = None


# ---------------------------------------------------------------------------------------
# strict data file


_check_keys = check_keys


def _check_pattern(pattern: Any, where: str) -> None:
    if not isinstance(pattern, str) or not pattern:
        raise DataFileError(f"{where}: pattern must be a non-empty string")
    try:
        compiled = regex.compile(pattern)
    except regex.error as err:
        raise DataFileError(f"{where}: bad pattern {pattern!r}: {err}") from None
    if compiled.groups:
        raise DataFileError(f"{where}: pattern {pattern!r} must not have capturing groups")


_TOP_KEYS = {"version", "description", "endpoints", "blockers", "boundaries", "scope_modifiers", "hypothesis_markers", "units",
             "hazard_ratio_events", "hazard_ratio_lists", "elliptic_endpoints"}
HR_EVENT_GROUPS = ("death", "cause_specific_death", "composite", "non_survival", "planned")


def validate_terms(data: Any) -> dict[str, Any]:
    """Check a survival_terms dict against the documented schema; return it unchanged."""
    _check_keys(data, _TOP_KEYS, set(), TERMS_FILE)
    if data["version"] != 1:
        raise DataFileError(f"{TERMS_FILE}: unsupported version {data['version']!r}")
    for i, rec in enumerate(data["endpoints"]):
        where = f"{TERMS_FILE} endpoints[{i}]"
        _check_keys(rec, {"pattern", "endpoint"}, {"scope", "case_sensitive", "measure", "rate_needs_horizon", "note"}, where)
        _check_pattern(rec["pattern"], where)
        if rec["endpoint"] not in ENDPOINTS:
            raise DataFileError(f"{where}: endpoint {rec['endpoint']!r} not one of {ENDPOINTS}")
        if rec.get("scope") not in (None, "hepatic"):
            raise DataFileError(f"{where}: scope must be 'hepatic'")
        if rec.get("measure") not in (None, "median", "mean"):
            raise DataFileError(f"{where}: measure must be 'median' or 'mean'")
    for key in ("blockers", "boundaries"):
        for i, rec in enumerate(data[key]):
            where = f"{TERMS_FILE} {key}[{i}]"
            _check_keys(rec, {"pattern", "category"}, {"case_sensitive", "note", "fallback"}, where)
            _check_pattern(rec["pattern"], where)
    for i, rec in enumerate(data["scope_modifiers"]):
        where = f"{TERMS_FILE} scope_modifiers[{i}]"
        _check_keys(rec, {"pattern", "scope"}, set(), where)
        _check_pattern(rec["pattern"], where)
    for i, pattern in enumerate(data["hypothesis_markers"]):
        _check_pattern(pattern, f"{TERMS_FILE} hypothesis_markers[{i}]")
    events = data["hazard_ratio_events"]
    _check_keys(events, set(HR_EVENT_GROUPS), {"note"}, f"{TERMS_FILE} hazard_ratio_events")
    for group in HR_EVENT_GROUPS:
        for i, pattern in enumerate(events[group]):
            _check_pattern(pattern, f"{TERMS_FILE} hazard_ratio_events.{group}[{i}]")
    lists = data["hazard_ratio_lists"]
    _check_keys(lists, {"markers", "events", "item_blockers"}, {"note"}, f"{TERMS_FILE} hazard_ratio_lists")
    for i, pattern in enumerate(lists["markers"]):
        _check_pattern(pattern, f"{TERMS_FILE} hazard_ratio_lists.markers[{i}]")
    categories = {rec["category"] for rec in data["blockers"]}
    for category in lists["item_blockers"]:
        if category not in categories:
            raise DataFileError(f"{TERMS_FILE} hazard_ratio_lists.item_blockers: {category!r} is no blocker category")
    elliptic = data["elliptic_endpoints"]
    _check_keys(elliptic, {"forms"}, {"note"}, f"{TERMS_FILE} elliptic_endpoints")
    for key, records in (("hazard_ratio_lists.events", lists["events"]), ("elliptic_endpoints.forms", elliptic["forms"])):
        for i, rec in enumerate(records):
            where = f"{TERMS_FILE} {key}[{i}]"
            _check_keys(rec, {"pattern", "endpoint"}, {"note"}, where)
            _check_pattern(rec["pattern"], where)
            if rec["endpoint"] is not None and rec["endpoint"] not in ENDPOINTS:
                raise DataFileError(f"{where}: endpoint {rec['endpoint']!r} not one of {ENDPOINTS} (or null)")
    units = data["units"]
    _check_keys(units, {"months", "years", "weeks", "days", "%"}, set(), f"{TERMS_FILE} units")
    seen: set[str] = set()
    for unit, forms in units.items():
        for form in forms:
            if not isinstance(form, str) or form.lower() in seen:
                raise DataFileError(f"{TERMS_FILE} units: bad or repeated form {form!r}")
            seen.add(form.lower())
    return data


def load_terms(text: str | None = None) -> dict[str, Any]:
    if text is None:
        text = resources.files("pipeline").joinpath("data", TERMS_FILE).read_text(encoding="utf-8")
    return validate_terms(loads_strict(text, TERMS_FILE))

# ---------------------------------------------------------------------------------------
# the compiled lexicon


def item_matcher(entries: list[tuple[str, str | None]]) -> tuple[Any, tuple[str | None, ...]]:
    """One case-insensitive alternation of `(pattern, endpoint)` entries, never inside a longer
    word, the longest pattern first at one position; a match `m` names the endpoint
    `endpoints[int(m.lastgroup[1:])]`. -> (compiled pattern, endpoints)"""
    entries = sorted(entries, key=lambda e: -len(e[0]))
    compiled = regex.compile(
        r"(?<![\w‐-])(?:" + "|".join(f"(?P<e{i}>{p})" for i, (p, _) in enumerate(entries)) + r")(?![\w‐-])", regex.IGNORECASE
    )
    return compiled, tuple(e for _, e in entries)


def _edge(pattern: str, case_sensitive: bool) -> str:
    flags = "(?-i:" if case_sensitive else "(?i:"
    return flags + pattern + r")(?![\w‐-])"


_PRINTABLE = frozenset(chr(i) for i in range(0x20, 0x7F))


def _start_table(phrases: tuple[Any, ...]) -> tuple[dict[str, tuple[int, ...]], set[str]]:
    """For every pair of printable ASCII characters, the phrases (indices, in order) that can
    start with it, found by partial matching (`regex`'s `partial=True`: could a match go on
    from this text?); and the characters some phrase can start with."""
    table: dict[str, list[int]] = {}
    first_chars: set[str] = set()
    for i, phrase in enumerate(phrases):
        for c1 in _PRINTABLE:
            if not phrase.match(c1, partial=True):
                continue
            first_chars.add(c1)
            for c2 in _PRINTABLE:
                if phrase.match(c1 + c2, partial=True):
                    table.setdefault(c1 + c2, []).append(i)
    return {pair: tuple(indices) for pair, indices in table.items()}, first_chars


# a cue phrase starts after no word character and no hyphen
_WORD_START_RE = regex.compile(r"(?<![\w‐-])")


def _start_pattern(table: dict[str, tuple[int, ...]], first_chars: set[str]) -> Any:
    r"""The positions `cue_matches` looks at: a word start whose first two characters are a
    pair of `table` with phrases, or are not both printable ASCII (the whole alternation is
    tried there). A word start whose pair has no phrase is left out: only a `cue_wild` phrase
    can start there, and those are searched for on their own.

    Each match is the first character alone (the second is a lookahead), so no position right
    after it is passed over. Compiled with `re`, whose engine scans this plain pattern about
    three times as fast as `regex`; its look-behind names the ASCII word characters only
    (`regex`'s Unicode `\w` has no `re` spelling), so after a non-ASCII character a match is
    a candidate that `cue_matches` checks with `_WORD_START_RE`."""
    seconds: dict[str, list[str]] = {}
    for pair, phrases in table.items():
        if phrases:
            seconds.setdefault(pair[0], []).append(pair[1])
    branches = [re.escape(first) + "(?=[" + "".join(re.escape(c) for c in sorted(chars)) + "])" for first, chars in sorted(seconds.items())]
    branches.append("[" + re.escape("".join(sorted(first_chars))) + r"](?![\x20-\x7e])")  # then one non-printable character, or the end
    branches.append(r"[^\x20-\x7e]")
    return re.compile(r"(?<![A-Za-z0-9_\u2010-])(?:" + "|".join(branches) + ")")


# characters of text whose cue phrases are kept: a batch's worth (the SURVIVAL component runs
# over every Doc of a batch before the HAZARD_RATIO component reads the same cues)
CUE_CACHE_CHARS = 4_000_000


class SurvivalLexicon:
    """The survival_terms.json data compiled once: one alternation for all cue phrases."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self._kept: OrderedDict[str, tuple[Cue, ...]] = OrderedDict()  # text -> its cues, oldest first
        self._kept_chars = 0
        self._kept_lock = threading.Lock()  # Dask workers tag in threads that share the lexicon
        entries: list[tuple[str, Cue, bool]] = []
        for rec in data["endpoints"]:
            cue = Cue(0, 0, "endpoint", rec["endpoint"], rec.get("scope"), rec.get("measure"), bool(rec.get("rate_needs_horizon")))
            entries.append((rec["pattern"], cue, bool(rec.get("case_sensitive"))))
        fallback: set[int] = set()
        for key, kind in (("blockers", "blocker"), ("boundaries", "boundary")):
            for rec in data[key]:
                if rec.get("fallback"):
                    fallback.add(len(entries))
                entries.append((rec["pattern"], Cue(0, 0, kind, category=rec["category"]), bool(rec.get("case_sensitive"))))
        # leftmost-first alternation: at one position try longer pattern text first, fallbacks last
        order = sorted(range(len(entries)), key=lambda i: (i in fallback, -len(entries[i][0])))
        self.templates = [entries[i][1] for i in order]
        # the word edge before is checked once per position, not once per alternative
        edged = [_edge(entries[i][0], entries[i][2]) for i in order]
        self.cue_re = regex.compile(r"(?<![\w‐-])(?:" + "|".join(f"(?P<t{n}>{p})" for n, p in enumerate(edged)) + ")")
        # each phrase alone, and which phrases can start with which two characters (`cue_matches`)
        self.cue_phrases = tuple(regex.compile(p) for p in edged)
        table, first_chars = _start_table(self.cue_phrases)
        # a phrase that can start with most pairs (`[A-Za-z0-9]+[- ]free survival`) would be
        # tried at every word start: it is searched for on its own instead
        uses = Counter(i for phrases in table.values() for i in phrases)
        wild = {i for i, n in uses.items() if n > len(table) // 4}
        self.cue_table = {pair: tuple(i for i in phrases if i not in wild) for pair, phrases in table.items()}
        self.cue_wild = tuple((i, regex.compile(r"(?<![\w‐-])" + edged[i])) for i in sorted(wild))
        self.cue_start_re = _start_pattern(self.cue_table, first_chars)
        self._prefix_res: dict[str, Any] = {}  # first four characters -> their phrases as one alternation, or False (`_prefix_re`)
        # phrases that look behind their start: a prefix alone cannot rule them out
        self._looks_behind = frozenset(i for i, p in enumerate(self.cue_phrases) if "(?<" in p.pattern)
        self._alternations: dict[tuple[int, ...], Any] = {}  # phrase indices -> one alternation
        # `disease-specific` in `disease-specific and overall survival` (see survival_values)
        self.elliptic_re, self.elliptic_endpoints = item_matcher([(r["pattern"], r["endpoint"]) for r in data["elliptic_endpoints"]["forms"]])
        scope = "|".join(f"(?:{rec['pattern']})" for rec in data["scope_modifiers"])
        self.scope_before_re = regex.compile(r"(?i:(?<![\w-])(?:" + scope + r"))[\s,]*$")
        self.hypothesis_re = regex.compile(r"(?i)(?<![\w-])(?:" + "|".join(data["hypothesis_markers"]) + r")(?![\w-])")
        self.unit_of: dict[str, str] = {}
        forms: list[str] = []
        for unit, names in data["units"].items():
            for name in names:
                self.unit_of[name.lower()] = unit
                forms.append(name)
        forms.sort(key=len, reverse=True)
        alternation = "|".join(regex.escape(f).replace(r"\ ", r"\s") for f in forms)
        self.unit_re = regex.compile(r"\s*(?P<unit>(?i:" + alternation + r"))(?![\w‐-])(?!\s*[-‐]\s*(?:old|free)\b)")
        time_forms = "|".join(regex.escape(f) for f in forms if self.unit_of[f.lower()] != "%")
        self.time_unit = r"(?i:" + time_forms + r")"
        # time points: `3-year`, `5 yr`, `two-year`, `1-, 3-, and 5-year`
        self.horizon_pre_re = regex.compile(
            r"(?<![\w.,·])(?P<h>(?:" + NUM + r"|(?i:" + WORD_NUM + r"))\s*[-‐]?\s*" + self.time_unit + r")(?![\w])"
        )
        # `1-, 3- and 5-year`: the run of `n-,` items is read once (atomic: no unit can follow
        # an earlier item, which goes on with `,`, `and` or `or`); when no time unit closes
        # it, the second branch still consumes the run, so no number inside it is tried
        # again as the start of another list (`unit` is then None)
        list_item = r"\d+\s*[-‐]\s*(?:,\s*(?:and\s+|or\s+)?|\s*(?:and|or)\s+)"
        self.horizon_list_re = regex.compile(
            r"(?<![\w.,·])(?:(?P<nums>(?>(?:" + list_item + r")+)\d+)\s*[-‐]\s*(?P<unit>" + self.time_unit + r")(?![\w])"
            r"|(?>(?:" + list_item + r")+))"
        )
        self.horizon_post_re = regex.compile(
            r"(?<![\w-])(?i:at|after|by|within|beyond)\s+(?:the\s+end\s+of\s+)?(?P<h>(?:" + NUM + r"|(?i:" + WORD_NUM + r"))\s*[-‐]?\s*" + self.time_unit + r")(?![\w])"
        )
        self.time_prep_re = regex.compile(
            r"(?<![\w-])(?i:at|after|within|beyond|over|for|every|during|until|before|by|up\s+to|q|per|since|past|last|first|next)\s+$"
        )

    def find_cues(self, text: str) -> list[Cue]:
        """Every cue phrase in `text` (the SURVIVAL and HAZARD_RATIO components share one call:
        the cues of the last texts, up to CUE_CACHE_CHARS characters, are kept)."""
        with self._kept_lock:
            kept = self._kept.get(text)
        if kept is not None:
            return list(kept)
        cues = self._find_cues(text)
        with self._kept_lock:
            if text not in self._kept:
                self._kept[text] = tuple(cues)
                self._kept_chars += len(text)
            while self._kept_chars > CUE_CACHE_CHARS and len(self._kept) > 1:
                old, _ = self._kept.popitem(last=False)
                self._kept_chars -= len(old)
        return cues

    def cue_matches(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, template index) of each cue phrase: what `cue_re.finditer(text)` finds.

        One alternation of every phrase makes the engine try each phrase at every word start.
        Here only the word starts whose first two characters can begin a phrase are visited
        (`cue_start_re`, see `_start_pattern`), and there only the phrases that can begin with
        its first four characters are tried, as one alternation in the order of `cue_re`
        (`_prefix_re`); at a start where a `cue_wild` phrase matches, that phrase is tried in
        its place too, and a start whose characters are not both printable ASCII goes to
        `cue_re` itself. After a match the scan goes on at its end, as `finditer` does. Same
        matches (checked against `finditer` on 3,980 abstracts and in tests), about eight
        times as fast."""
        wild: dict[int, list[int]] = {}  # start -> the searched-for phrases that match there
        for i, pattern in self.cue_wild:
            for m in pattern.finditer(text, overlapped=True):
                wild.setdefault(m.start(), []).append(i)
        starts = [m.start() for m in self.cue_start_re.finditer(text)]
        if wild:  # (each is a word start too)
            starts = sorted(set(starts).union(wild))
        out = []
        resume = 0
        prefix_res, prefix_re = self._prefix_res, self._prefix_re
        for start in starts:
            if start < resume:
                continue
            if start and text[start - 1] > "\x7f" and not _WORD_START_RE.match(text, start):
                continue  # after a non-ASCII word character (see `_start_pattern`)
            prefix = text[start : start + 4]
            pattern = prefix_res.get(prefix)
            if pattern is None:
                pattern = prefix_re(prefix)
            if wild and start in wild:
                pattern = self._with_wild(prefix[:2], wild[start])
            if pattern is False:
                continue  # no phrase starts with these two characters
            found = pattern.match(text, start)
            if found:
                out.append((start, found.end(), int(found.lastgroup[1:])))
                resume = found.end()
        return out

    def _prefix_re(self, prefix: str) -> Any:
        """The phrases that can start with `prefix` (the next four characters) as one
        alternation, in their order in `cue_re` (a match `m` is of phrase
        `int(m.lastgroup[1:])`); False when there are none. The first phrase that matches wins,
        as when each is tried in turn (the phrases have no groups of their own).

        The candidates are the phrases of its first two characters (`cue_table`) that match
        the four as far as they go (`partial=True`: a phrase that matches the text here
        matches its first four characters so far; one that looks behind its start is always
        kept). Kept for a printable ASCII prefix (at most 95**4, and the cache is emptied past
        50,000); a prefix whose first two characters are not printable ASCII gets `cue_re`."""
        pair = prefix[:2]
        if not (len(pair) == 2 and pair[0] in _PRINTABLE and pair[1] in _PRINTABLE):
            return self.cue_re
        phrases = self.cue_table.get(pair, ())
        if len(prefix) == 4:
            phrases = tuple(i for i in phrases if i in self._looks_behind or self.cue_phrases[i].match(prefix, partial=True))
        compiled = self._alternation(phrases) if phrases else False
        if len(prefix) == 4 and prefix[2] in _PRINTABLE and prefix[3] in _PRINTABLE:
            if len(self._prefix_res) >= 50_000:
                self._prefix_res.clear()
            self._prefix_res[prefix] = compiled
        return compiled

    def _with_wild(self, pair: str, wild: list[int]) -> Any:
        """The phrases of `pair` (`cue_table`) and the `cue_wild` phrases `wild`, as `_prefix_re`."""
        if not (len(pair) == 2 and pair[0] in _PRINTABLE and pair[1] in _PRINTABLE):
            return self.cue_re
        return self._alternation(tuple(sorted((*self.cue_table.get(pair, ()), *wild))))

    def _alternation(self, phrases: tuple[int, ...]) -> Any:
        compiled = self._alternations.get(phrases)
        if compiled is None:
            compiled = regex.compile("|".join(f"(?P<t{i}>{self.cue_phrases[i].pattern})" for i in phrases))
            self._alternations[phrases] = compiled
        return compiled

    def _find_cues(self, text: str) -> list[Cue]:
        cues: list[Cue] = []
        for start, end, index in self.cue_matches(text):
            t = self.templates[index]
            scope = t.scope
            if t.kind == "endpoint" and scope is None and t.endpoint not in ("OS", "DSS"):
                if self.scope_before_re.search(text, max(0, start - 25), start):
                    scope = "hepatic"
            cues.append(Cue(start, end, t.kind, t.endpoint, scope, t.measure, t.needs_horizon, t.category))
        cues = _add_defined_abbreviations(text, cues)
        return _merge_abbreviation_definitions(text, cues)


_ABBR_DEF_RE = regex.compile(r"\s*[(\[]\s*(?P<abbr>[A-Za-z][A-Za-z0-9-]{0,8}[A-Za-z0-9]|[A-Za-z]{2})\s*(?:[)\]]|[,;]\s)")


@lru_cache(maxsize=256)
def _abbr_regex(abbrs: tuple[str, ...]) -> Any:
    return regex.compile(r"(?<![\w-])(?:" + "|".join(regex.escape(a) for a in abbrs) + r")(?![\w-])")


def _add_defined_abbreviations(text: str, cues: list[Cue]) -> list[Cue]:
    """`neurological progression-free survival (nPFS)`: later `nPFS` is a PFS cue too."""
    defined: dict[str, Cue] = {}
    for cue in cues:
        m = _ABBR_DEF_RE.match(text, cue.end)
        if not m:
            continue
        abbr = m.group("abbr")
        if not any(c.isupper() for c in abbr) or abbr.lower() in {"median", "range", "mean"}:
            continue
        defined.setdefault(abbr, cue)
    if not defined:
        return cues
    # the cue phrases found so far: in text order and never overlapping, so the only one that
    # can overlap a stretch is the last one starting before its end
    taken_starts = [c.start for c in cues]
    taken_ends = [c.end for c in cues]
    extra = []
    for m in _abbr_regex(tuple(sorted(defined, key=len, reverse=True))).finditer(text):
        i = bisect_left(taken_starts, m.end()) - 1
        if i >= 0 and taken_ends[i] > m.start():
            continue
        src = defined[m.group()]
        extra.append(Cue(m.start(), m.end(), src.kind, src.endpoint, src.scope, src.measure, src.needs_horizon, src.category))
    return sorted(cues + extra, key=lambda c: c.start)


def _merge_abbreviation_definitions(text: str, cues: list[Cue]) -> list[Cue]:
    """`overall survival (OS)` is one cue, so coordinated lists (`DFS (DFS) and OS (OS)`) stay adjacent."""
    out: list[Cue] = []
    for cue in cues:
        if out:
            prev = out[-1]
            gap = text[prev.end : cue.start]
            if _rx(r"\s*[(\[]\s*").fullmatch(gap) and (prev.kind, prev.endpoint, prev.category) == (cue.kind, cue.endpoint, cue.category):
                close = _rx(r"\s*[)\]]").match(text[cue.end : cue.end + 3])
                if close:
                    out[-1] = Cue(prev.start, cue.end + close.end(), prev.kind, prev.endpoint, prev.scope or cue.scope, prev.measure or cue.measure, prev.needs_horizon, prev.category)
                    continue
        out.append(cue)
    return out


_LEXICON: SurvivalLexicon | None = None


def lexicon() -> SurvivalLexicon:
    global _LEXICON
    if _LEXICON is None:
        _LEXICON = SurvivalLexicon(load_terms())
    return _LEXICON
