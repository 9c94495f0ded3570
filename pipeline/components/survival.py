"""SURVIVAL tagging (component `abstracts_survival`).

Sets: `doc.spans["entities"]` gets one Span per reported survival figure, label "SURVIVAL",
with `Span._.attrs` holding the guideline attributes (`endpoint`, `scope`, `measure`,
`horizon`, `value`, `unit`, `ci`, `range`, `p`, `group`, `qualifier`; extras `se`, `iqr`).
`doc.user_data["survival_misaligned"]` counts figures dropped because their characters did
not fall on token edges (should stay 0 with pipeline.components.tokenizer).

The algorithm is the pure function `find_survival_figures(text, sentences)`:
1. cue phrases come from `data/survival_terms.json`: endpoint phrases (OS, PFS, ...),
   blockers (follow-up, hospital stay, response rate, toxicity, age, ...) and boundaries
   (hazard / odds ratios); abbreviations the text defines for a cue (`(nPFS)`) count too;
2. in each sentence, confidence intervals, ranges, p-values, time points (`3-year`,
   `at 12 months`) and counts are set aside, then numbers with a time or % unit are read
   as chains that may share one trailing unit (`4.4 and 4.5 months`);
3. a value belongs to the nearest cue before it; it is SURVIVAL when that cue is an
   endpoint (coordinated endpoints and "respectively" distribute the values), never when
   it is a blocker, and never in a sentence that states a hypothesis (sample size, power).
The helpers for numbers, p-values, intervals and sentences are shared with
pipeline.components.hazard_ratios.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

import regex
from spacy.language import Language
from spacy.tokens import Doc

from pipeline import _extensions  # noqa: F401  (registers the extensions)
from pipeline._extensions import ENTITIES_KEY
from pipeline.datafiles import DataFileError, check_keys, loads_strict  # noqa: F401

TERMS_FILE = "survival_terms.json"


@lru_cache(maxsize=None)
def _rx(pattern: str) -> Any:
    """A compiled helper pattern (compiled once, looked up without regex's own cache work)."""
    return regex.compile(pattern)


ENDPOINTS = ("OS", "PFS", "DFS", "RFS", "EFS", "DSS", "TTP", "TTR", "DOR")
ATTR_ORDER = ("endpoint", "scope", "measure", "horizon", "value", "unit", "ci", "range", "iqr", "se", "p", "group", "qualifier")


# ---------------------------------------------------------------------------------------
# records


@dataclass(frozen=True)
class SurvivalFigure:
    """One reported survival value: surface text beside the normalised attributes."""

    start: int
    end: int
    text: str
    attrs: dict[str, Any]
    label: str = "SURVIVAL"


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
             "hazard_ratio_events"}
HR_EVENT_GROUPS = ("death", "cause_specific_death", "composite", "non_survival")


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
# shared lexical patterns (numbers, units, p-values, intervals)

NUM = r"\d+(?:[.,·]\d+)?"
# a number that starts a token: not inside a word (`R0`, `IL-2`, `NCT0123`) or a decimal
NUM_START = r"(?<![\w·,])(?<!\d[.])(?<![A-Za-z][-‐])"
NUM_RE = regex.compile(NUM_START + r"(" + NUM + r")(?![.,·]?\d)")
DASH = r"(?:-|–|—|‑|‐|\bto\b|to(?=\d))"
WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "twelve": 12, "fifteen": 15, "eighteen": 18, "twenty": 20, "twenty-four": 24, "thirty-six": 36,
}
WORD_NUM = r"(?:" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + r")"

P_RE = regex.compile(
    r"(?<![\w-])(?:two[- ]sided\s+|log[- ]rank\s+)?[Pp](?:\s*[- ]?values?)?\s*(?:=|<|>|≤|≥|<=|>=|:|&lt;|&gt;)\s*"
    r"(?:\d*[.,·]\d+(?:\s*[x×]\s*10\s*[-−]\s*\d+)?|\d+(?:\s*[x×]\s*10\s*[-−]\s*\d+)?|NS\b|N\.S\.|not significant|n\.s\.)"
)
_LEVEL = r"(?:9[059](?:\.\d+)?|80)\s?(?:%|per\s*cent)"
CI_LABEL = (
    r"(?:" + _LEVEL + r"\s*(?:Bayesian\s+)?)?(?i:CIs?|C\.I\.|c\.i\.|CL|Cl|confidence\s+intervals?|confidential\s+intervals?|confidence\s+limits?|credible\s+intervals?)"
    r"(?:\s*[\[(](?:CI|CL)[\])])?(?:\s*" + _LEVEL + r")?"
)
CI_RE = regex.compile(
    r"(?<![\w-])" + CI_LABEL + r"\s*(?:of\s+)?[,:=]?\s*[\[(]?\s*"
    r"(?P<lo>[-−–]?\s?" + NUM + r")\s*%?\s*(?:" + DASH + r"|\band\b|;|,)\s*(?P<hi>[-−]?" + NUM + r")"
)
CI_PREFIX_RE = regex.compile(r"(?<![\w-])" + CI_LABEL)
RANGE_RE = regex.compile(
    r"(?<![\w-])(?P<kind>range|IQR|interquartile\s+range|IQ\s+range)(?:\s*[\[(]IQR?[\])])?\s*[,:=]?\s*(?:of\s+|from\s+)?[\[(]?\s*"
    r"(?P<lo>" + NUM + r")\s*%?\s*" + DASH + r"\s*(?P<hi>" + NUM + r")",
    regex.IGNORECASE,
)
_BARE_RANGE_RE = regex.compile(NUM_START + r"(" + NUM + r")\s*%?\s*(?:-|–|—|‑)\s*(" + NUM + r")")
BARE_INTERVAL_RE = regex.compile(r"\s*(?P<lo>" + NUM + r")\s*%?\s*" + DASH + r"\s*(?P<hi>" + NUM + r")")


def parse_number(raw: str) -> int | float:
    """`8.0` -> 8.0, `8,5` -> 8.5 (European decimal), `0·95` -> 0.95, `48` -> 48, `−3·2` -> -3.2."""
    text = raw.replace("·", ".").replace("−", "-").replace("–", "-").replace(" ", "")
    if "," in text:
        whole, _, frac = text.partition(",")
        # `1,200` is a thousands separator, `8,5` / `0,022` a decimal comma
        text = whole + frac if len(frac) == 3 and whole not in {"0"} and len(whole) <= 3 and not whole.startswith("0") else whole + "." + frac
    if "." in text:
        return float(text)
    return int(text)


def find_p_values(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    end = len(text) if end is None else end
    return [(m.start(), m.end()) for m in P_RE.finditer(text, start, end)]


_ABBREVIATIONS = frozenset(
    "vs v al e g i approx ca cf resp fig figs ref refs no nos dr drs mr mrs ms prof st inc ltd co jr sr etc viz incl "
    "min max mo mos yr yrs wk wks h hr hrs d sec".split()
)
_SENT_END_RE = regex.compile(r"[.?!][)\]\"'”]*(\s+)(?=[(\[\"“]?[A-Z0-9])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """A plain sentence splitter for callers without a spaCy Doc (same idea as pipeline.components.sentences)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENT_END_RE.finditer(text):
        stop = match.start()
        word = _rx(r"([A-Za-z]+)\.?$").search(text[max(start, stop - 12) : stop + 1])
        if text[stop] == "." and word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
            continue
        spans.append((start, match.start(1)))
        start = match.end(1)
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ".,;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:"):
        end -= 1
    return start, end


# ---------------------------------------------------------------------------------------
# the compiled lexicon


def _edge(pattern: str, case_sensitive: bool) -> str:
    flags = "(?-i:" if case_sensitive else "(?i:"
    return flags + pattern + r")(?![\w‐-])"


class SurvivalLexicon:
    """The survival_terms.json data compiled once: one alternation for all cue phrases."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self._last: tuple[str | None, tuple[Cue, ...]] = (None, ())
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
        self.cue_re = regex.compile(
            r"(?<![\w‐-])(?:" + "|".join(f"(?P<t{n}>{_edge(entries[i][0], entries[i][2])})" for n, i in enumerate(order)) + ")"
        )
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
        self.horizon_list_re = regex.compile(
            r"(?<![\w.,·])(?P<nums>\d+\s*[-‐]\s*(?:,\s*(?:and\s+|or\s+)?|\s*(?:and|or)\s+)(?:\d+\s*[-‐]\s*(?:,\s*(?:and\s+|or\s+)?|\s*(?:and|or)\s+))*\d+)\s*[-‐]\s*(?P<unit>"
            + self.time_unit
            + r")(?![\w])"
        )
        self.horizon_post_re = regex.compile(
            r"(?<![\w-])(?i:at|after|by|within|beyond)\s+(?:the\s+end\s+of\s+)?(?P<h>(?:" + NUM + r"|(?i:" + WORD_NUM + r"))\s*[-‐]?\s*" + self.time_unit + r")(?![\w])"
        )
        self.time_prep_re = regex.compile(
            r"(?<![\w-])(?i:at|after|within|beyond|over|for|every|during|until|before|by|up\s+to|q|per|since|past|last|first|next)\s+$"
        )

    def find_cues(self, text: str) -> list[Cue]:
        """Every cue phrase in `text` (the SURVIVAL and HAZARD_RATIO components share one call)."""
        last_text, last_cues = self._last
        if last_text is not None and (last_text is text or last_text == text):
            return list(last_cues)
        cues = self._find_cues(text)
        self._last = (text, tuple(cues))
        return cues

    def _find_cues(self, text: str) -> list[Cue]:
        cues: list[Cue] = []
        for m in self.cue_re.finditer(text):
            t = self.templates[int(m.lastgroup[1:])]
            scope = t.scope
            if t.kind == "endpoint" and scope is None and t.endpoint not in ("OS", "DSS"):
                if self.scope_before_re.search(text, max(0, m.start() - 25), m.start()):
                    scope = "hepatic"
            cues.append(Cue(m.start(), m.end(), t.kind, t.endpoint, scope, t.measure, t.needs_horizon, t.category))
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
    taken = [(c.start, c.end) for c in cues]
    extra = []
    for m in _abbr_regex(tuple(sorted(defined, key=len, reverse=True))).finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
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


# ---------------------------------------------------------------------------------------
# value chains

_PM = r"(?P<pm>\s*(?:±|\+/-|\+-|\+/−)\s*(?P<se>" + NUM + r"))?"
_BRACKET = r"(?P<br>\s*(?:\((?:[^()]|\([^()]*\))*\)|\[[^\[\]]*\]))?"
_SEP_RE = regex.compile(r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+|\s*(?i:vs)\.?\s*|\s+(?:versus|v\.?)\s+)(?=[<>≤≥]?\s*\d)")
_QUALIFIER_RE = regex.compile(
    r"(?P<q>(?<![\w-])(?i:less than|fewer than|shorter than|under|below|more than|greater than|longer than|over|above|exceeding|at least|up to|at most)|<|>|≤|≥|<=|>=)\s*$"
)
_QUALIFIER_MAP = {
    "less than": "<", "fewer than": "<", "shorter than": "<", "under": "<", "below": "<",
    "more than": ">", "greater than": ">", "longer than": ">", "over": ">", "above": ">", "exceeding": ">",
    "at least": "≥", "up to": "≤", "at most": "≤", "<": "<", ">": ">", "≤": "≤", "≥": "≥", "<=": "≤", ">=": "≥",
}
_MEASURE_RE = regex.compile(
    r"(?<![\w-])(?:(?P<median>median|MST|mOS|mPFS)|(?P<mean>mean|average))(?![\w-])(?!\s*(?:,\s*)?(?:follow|duration of follow|time to follow|observation|age|exposure|dose|number))",
    regex.IGNORECASE,
)
_OF_PATIENTS_RE = regex.compile(
    r"\s*(?:\((?:[^()]|\([^()]*\))*\)\s*)?of\s+(?:the\s+|all\s+|these\s+|those\s+|our\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:patients|cases|subjects|participants|tumou?rs|lesions|men|women|children|population|total|cohort|controls|group|arm|evaluable|individuals|deaths|events|responses|responders|recipients|eyes|procedures)\b",
    regex.IGNORECASE,
)
_POST_NONRATE_RE = regex.compile(
    r"\s*(?:\([^()]*\)\s*)?(?i:reduction|decrease|decline|increase|improvement|lower|higher|more|less|likely|fold|times|risk|chance|probability of (?:response|toxicity)|had|experienced|developed|achieved|showed|responded|of\s+the)\b"
)
_PRE_DIFFERENCE_RE = regex.compile(
    r"(?i:benefit|gain|improvement|difference|prolongation|extension|increase|reduction|advantage|delay|prolonged|extended|improved|increased|reduced)"
    r"\s+(?:(?:of|by|was|was only|in \w+ of)\s+)?(?:about\s+|approximately\s+|nearly\s+)?$"
    r"|(?i:occur(?:s|red)?|observed|seen|found|noted|reported|detected|developed)\s+in\s+(?:up to\s+|about\s+|only\s+)?$"
    r"|(?i:difference|benefit|gain|improvement)\s+(?:between\s+(?:the\s+)?(?:[\w-]+\s+){0,2}(?:groups|arms|cohorts)\s+)?(?:(?:of|was|by)\s+|=\s*|:\s*)?(?:about\s+|approximately\s+)?$"
)
_TIME_LIST_PRE_RE = regex.compile(
    r"(?<![\w-])(?i:at|after|before|until|by|from|between)\s+(?:(?i:baseline|randomi[sz]ation|discharge|enrol(?:l)?ment|diagnosis|surgery)|\d+(?:[.,·]\d+)?(?:\s*[A-Za-z]+)?)"
    r"(?:\s*,\s*(?:and\s+)?\d+(?:[.,·]\d+)?(?:\s*[A-Za-z]+)?)*\s*(?:,\s*)?(?:(?i:and|or|to|until)\s+|,\s*)$"
)
_TIME_POINT_POST_RE = regex.compile(
    r"\s+(?i:after|post|following|since|before|prior\s+to|from\s+(?:the\s+)?(?:start|randomi[sz]ation|diagnosis|enrol)|to\s+\d+(?:[.,·]\d+)?\s*(?:years?|months?|weeks?|days?))\b"
)
_CUE_TIME_POINT_RE = regex.compile(r"(?:\s*\([^()]{1,12}\))?\s+(?i:to|until|at|beyond|up\s+to|through)\s+")
_CONTRAST_RE = regex.compile(r"(?i:\b(?:though|although|but|however|whereas|except)\b)")
_HORIZON_AT_LIST_RE = regex.compile(
    r"(?<![\w-])(?i:at|after)\s+(?P<nums>\d+(?:[.,·]\d+)?(?:\s*,\s*\d+(?:[.,·]\d+)?)*\s*,?\s*(?:and|or)\s+\d+(?:[.,·]\d+)?)"
    r"\s*(?P<unit>(?i:years?|months?|weeks?|days?))(?![\w-])"
)
_GROUP_BEFORE_RE = regex.compile(
    r"(?<![\w-])(?i:for|in|among)\s+(?:the\s+)?(?P<g>[^,;:()\[\]\d][^,;:()\[\]]{1,50}?)\s+(?i:was|were|is|are)\s*(?:(?i:about|approximately|only)\s+)?$"
)
_ALIVE_RE = regex.compile(
    r"(?<![\w-])(?:were|was|are|is|remained|remain)\s+(?:still\s+)?alive"
    r"(?:\s+and\s+(?P<free>disease|progression|relapse|recurrence|event)[- ‐]free|\s+without\s+(?:[\w-]+\s+)?(?P<without>progression|recurrence|relapse))?"
    r"\s+(?:at|after)\s+(?P<h>(?:" + NUM + r"|(?i:" + WORD_NUM + r"))\s*[-‐]?\s*(?i:years?|months?|yrs?))",
)
_ALIVE_ENDPOINT = {None: "OS", "disease": "DFS", "progression": "PFS", "relapse": "RFS", "recurrence": "RFS", "event": "EFS"}
_GROUP_STOP = (
    r"(?=\s*(?:[,;:()\[\]]|\.(?:\s|$)|$|(?<![\w-])(?:and|vs\.?|versus|v\.|compared|whereas|while|but|respectively|than|as\s+compared|p\s*[=<>])(?![\w-])|(?<![\w-])to\s+[<>≤≥]?\d|\d+(?:[.,·]\d+)?\s*(?:%|months?|years?|weeks?|days?)(?!\w)))"
)
_GROUP_AFTER_RE = regex.compile(
    r"\s*(?:,\s*)?(?:respectively\s*,?\s*)?(?i:in|for|among|with|on)\s+(?!(?:\d|both\b|all\b|each\b|this\b|these\b|our\b|a\s+(?:recent|previous|prior)\b))(?:(?i:the)\s+)?(?P<g>[^,;:()\[\].]{2,70}?)" + _GROUP_STOP
)
_GROUP_ACRONYM_RE = regex.compile(
    r"\s*(?P<g>(?:arm\s+[A-Z0-9]|[A-Z][A-Za-z0-9]*[A-Z0-9+][A-Za-z0-9+/-]*(?:\s+[A-Z][A-Za-z0-9+/-]*){0,2}))(?=\s*(?:[,;)]|vs\b|versus\b|and\b|\.(?:\s|$)|$))"
)
_GROUP_BRACKET_RE = regex.compile(r"\s*\((?P<g>[A-Za-z][^()\d;,=<>%]{1,40})\)")
_GROUP_BAD_RE = regex.compile(r"(?i)\b(?:trial|study|analysis|setting|population|total|period|patients with no|CI|range|IQR|median|mean|respectively|vs|versus|p)\b|^\d+\s*(?:years?|months?|weeks?|days?|%)")
_LIST_ITEM = r"(?:the\s+)?(?P<{n}>[^,;:()\[\].\d][^,;:()\[\].]{{0,40}}?)"
_GROUP_LIST_AFTER_RE = regex.compile(
    r"(?i:in|for|among)\s+" + _LIST_ITEM.format(n="a") + r"\s+and\s+" + _LIST_ITEM.format(n="b")
    + r"(?:\s+(?i:groups?|arms?|cohorts?|patients|subgroups?))?(?=\s*(?:,|\.|;|\)|$|respectively)|\s+(?:was|were|is|are|had)\b)"
)
_ARMS_LIST_RE = regex.compile(r"(?i:in|for)\s+(?:the\s+)?(?P<noun>(?i:arm|group|cohort))s?\s+(?P<a>[A-Z]|\d{1,2})\s+and\s+(?P<b>[A-Z]|\d{1,2})(?!\w|[.,]\d)(?!\s*(?:%|months?|years?|weeks?|days?))")


def _arms(m: Any) -> list[str]:
    noun = m.group("noun").lower()
    return [f"{noun} {m.group('a')}", f"{noun} {m.group('b')}"]
_BEFORE_ENDPOINT_RE = regex.compile(
    r"\s+(?:(?:overall|actuarial|estimated|cumulative|hepatic|liver)\s+)?(?:[\w]+[- ‐])?"
    r"(?:surviv|OS\b|[a-z]?PFS|DFS|RFS|EFS|DSS|CSS|progression|disease|recurrence|relapse|event|cancer|tumou?r)"
)
_CONNECT_RE = regex.compile(
    r"\s*\)?\s*(?:\([^()]{1,12}\)\s*)?(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|/\s*|&\s*)(?:the\s+)?(?:(?:median|mean|overall)\s+)?"
)


@dataclass
class _Item:
    start: int  # number start
    end: int  # span end (number, or number + own unit)
    stop: int  # where the item's text (bracket, unit) ends
    value: int | float
    unit: str | None
    attrs: dict[str, Any] = field(default_factory=dict)
    chain: int = 0
    contrast: bool = False  # joined to the previous value by vs/versus
    horizon: str | None = None
    group: str | None = None
    qualifier: str | None = None


class _Sentence:
    """The work on one sentence: reserved stretches, items, cues."""

    def __init__(self, lex: SurvivalLexicon, text: str, start: int, end: int, cues: list[Cue]):
        self.lex, self.text, self.start, self.end = lex, text, start, end
        self.reserved: list[tuple[int, int]] = []
        self.horizons_pre: list[tuple[int, int, str]] = []
        self.horizons_list: list[tuple[int, int, list[str]]] = []
        self.horizons_post: list[tuple[int, int, str]] = []
        self.p_values = find_p_values(text, start, end)
        self._reserve()
        self.cues = [c for c in cues if not self.is_reserved(c.start)]

    def is_reserved(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.reserved)

    def _reserve(self) -> None:
        t, s, e, lex = self.text, self.start, self.end, self.lex
        for rx in (CI_RE, RANGE_RE, CI_PREFIX_RE):
            for m in rx.finditer(t, s, e):
                u = lex.unit_re.match(t, m.end(), e)
                self.reserved.append((m.start(), u.end() if u else m.end()))
        self.reserved.extend(self.p_values)
        for m in lex.horizon_list_re.finditer(t, s, e):
            nums = _rx(r"\d+").findall(m.group("nums"))
            self.horizons_list.append((m.start(), m.end(), [f"{n}-{m.group('unit')}" for n in nums]))
            self.reserved.append((m.start(), m.end()))
        for m in _HORIZON_AT_LIST_RE.finditer(t, s, e):
            nums = regex.findall(r"\d+(?:[.,·]\d+)?", m.group("nums"))
            unit = m.group("unit")
            singular = regex.sub(r"s$", "", unit)
            self.horizons_list.append((m.start(), m.end(), [f"{n} {singular if n == '1' else unit}" for n in nums]))
            self.reserved.append((m.start("nums"), m.end()))
        for m in lex.horizon_post_re.finditer(t, s, e):
            self.horizons_post.append((m.start(), m.end(), m.group("h")))
            self.reserved.append((m.start("h"), m.end()))
        for m in lex.horizon_pre_re.finditer(t, s, e):
            h = m.group("h")
            if _rx(r"[-‐]").search(h) or not h[0].isdigit():
                self.horizons_pre.append((m.start(), m.end(), h))
                self.reserved.append((m.start(), m.end()))
            elif _BEFORE_ENDPOINT_RE.match(t, m.end(), e):
                # `a 2 year survival rate of 28%`; whether `16 month PFS` is a value is decided later
                self.horizons_pre.append((m.start(), m.end(), h))
        # intervals written outside brackets (`28-39%`, `4-6 cycles`) and counts (`n = 7`)
        for m in _BARE_RANGE_RE.finditer(t, s, e):
            self.reserved.append((m.start(), m.end()))
        for m in _rx(r"(?<![\w-])[nN]\s*[=:]\s*\d+").finditer(t, s, e):
            self.reserved.append((m.start(), m.end()))

    # -- items ---------------------------------------------------------------------------

    def _bracket_attrs(self, content_start: int, content_end: int) -> dict[str, Any] | None:
        """CI / range / IQR read from a bracket after a value; None when it holds none."""
        t = self.text
        # the interval must open the bracket: in `(HR 0.75, 95% CI 0.61-0.92)` it is the ratio's
        lead = _rx(r"\s*").match(t, content_start, content_end).end()
        m = CI_RE.match(t, lead, content_end)
        if m:
            return {"ci": [parse_number(m.group("lo")), parse_number(m.group("hi"))]}
        m = RANGE_RE.match(t, lead, content_end)
        if m:
            key = "range" if m.group("kind").lower() == "range" else "iqr"
            return {key: [parse_number(m.group("lo")), parse_number(m.group("hi"))]}
        m = BARE_INTERVAL_RE.match(t, content_start, content_end)
        if m and _rx(r"\s*(?:%|[A-Za-z]+)?\s*(?:[;,]|$)").match(t[m.end() : content_end]):
            return {"ci": [parse_number(m.group("lo")), parse_number(m.group("hi"))]}
        return None

    def _parse_item(self, m: Any) -> _Item:
        t, e, lex = self.text, self.end, self.lex
        pos = m.end()
        item = _Item(m.start(), m.end(), m.end(), parse_number(m.group(1)), None)
        pm = _rx(_PM).match(t, pos, e)
        if pm and pm.group("pm"):
            item.attrs["se"] = parse_number(pm.group("se"))
            pos = item.stop = pm.end()
        u1 = lex.unit_re.match(t, pos, e)
        if u1:
            item.unit = lex.unit_of[_rx(r"\s+").sub(" ", u1.group("unit").lower())]
            if "se" not in item.attrs:
                item.end = u1.end()
            pos = item.stop = u1.end()
        br = _rx(_BRACKET).match(t, pos, e)
        if br and br.group("br"):
            inner_start = br.start("br") + len(br.group("br")) - len(br.group("br").lstrip())
            got = self._bracket_attrs(inner_start + 1, br.end() - 1)
            if got is not None:
                item.attrs.update(got)
                pos = item.stop = br.end()
                if item.unit is None:
                    u2 = lex.unit_re.match(t, pos, e)
                    if u2:
                        item.unit = lex.unit_of[_rx(r"\s+").sub(" ", u2.group("unit").lower())]
                        pos = item.stop = u2.end()
        # `; range, 6-26 months` / `, 95% CI 3.1-15.3` written after the value
        tail = _rx(r"\s*[;,]\s*").match(t, item.stop, e)
        if tail:
            for rx in (CI_RE, RANGE_RE):
                mm = rx.match(t, tail.end(), e)
                if mm:
                    if rx is CI_RE:
                        item.attrs.setdefault("ci", [parse_number(mm.group("lo")), parse_number(mm.group("hi"))])
                    else:
                        key = "range" if mm.group("kind").lower() == "range" else "iqr"
                        item.attrs.setdefault(key, [parse_number(mm.group("lo")), parse_number(mm.group("hi"))])
        q = _QUALIFIER_RE.search(t, max(self.start, item.start - 14), item.start)
        if q:
            item.qualifier = _QUALIFIER_MAP[q.group("q").lower()]
        return item

    def items(self) -> list[_Item]:
        out: list[_Item] = []
        chains = 0
        consumed = self.start
        t, e = self.text, self.end
        for m in NUM_RE.finditer(t, self.start, e):
            if m.start() < consumed or self.is_reserved(m.start()):
                continue
            chain = [self._parse_item(m)]
            while True:
                sep = _SEP_RE.match(t, chain[-1].stop, e)
                if not sep:
                    break
                nxt = NUM_RE.match(t, _rx(r"\s*[<>≤≥]?\s*").match(t, sep.end(), e).end(), e)
                if not nxt or self.is_reserved(nxt.start()):
                    break
                chain.append(self._parse_item(nxt))
                chain[-1].contrast = bool(_rx(r"(?i)\bv").search(sep.group()))
            consumed = chain[-1].stop
            # a shared trailing unit: `4.4 and 4.5 months`
            unit = None
            for item in reversed(chain):
                if item.unit is not None:
                    unit = item.unit
                elif unit is not None:
                    item.unit = unit
            chains += 1
            for item in chain:
                item.chain = chains
                if item.unit is not None:
                    out.append(item)
        return out

    # -- context ---------------------------------------------------------------------

    def governing_cue(self, item: _Item) -> Cue | None:
        before = None
        for cue in self.cues:
            if cue.end <= item.start:
                if cue.kind != "boundary":
                    before = cue
            else:
                break
        return before

    def cue_after(self, item: _Item) -> Cue | None:
        """`16 month hepatic progression-free survival`: the endpoint right after the value."""
        for cue in self.cues:
            if cue.start >= item.stop:
                gap = self.text[item.stop : cue.start]
                if _rx(r"\s+(?:(?i:median|mean|overall|actuarial|estimated)[\s,]+){0,2}").fullmatch(gap) and cue.kind == "endpoint":
                    return cue
                return None
        return None

    def clause_after_has_rate(self, pos: int) -> bool:
        m = _rx(r"[^;]*").match(self.text, pos, self.end)
        clause = m.group() if m else ""
        return bool(_rx(r"\s*(?i:rates?|probabilit)").match(clause) or _rx(r"\d\s*%").search(clause))

    def window_start(self, cue: Cue, prev_stop: int) -> int:
        """Where the words about a value may start: `median`, `3-year` before its endpoint
        phrase (the first phrase of a coordinated list: `Median PFS (PFS) and OS were`)."""
        lead = _coordinated(self, cue)[0] if cue in self.cues else cue
        semi = self.text.rfind(";", self.start, lead.start)
        return max(self.start, prev_stop, lead.start - 40, semi + 1)

    def measure(self, cue: Cue, item: _Item, prev_stop: int) -> str:
        if item.unit == "%":
            return "rate"
        if cue.measure:
            return cue.measure
        found = None
        for m in _MEASURE_RE.finditer(self.text, self.window_start(cue, prev_stop), item.start):
            found = "median" if m.group("median") else "mean"
        if found is None:
            after = _rx(r"\s*(?:\(\s*)?(?i:median|mean)\b").match(self.text, item.stop, self.end)
            if after:
                found = after.group().strip(" (").lower()
        return found or "unspecified"

    def horizon_for(self, cue: Cue, item: _Item, index: int, prev_stop: int) -> str | None:
        if item.horizon:
            return item.horizon
        posts = [h for h in self.horizons_post if cue.end <= h[0] and h[1] <= item.start]
        if posts:
            return posts[-1][2]
        lo = self.window_start(cue, prev_stop)
        lists = [h for h in self.horizons_list if lo <= h[0] and h[1] <= max(cue.end, item.start)]
        pres = [h for h in self.horizons_pre if lo <= h[0] and h[1] <= cue.end + 1 and not any(l[0] <= h[0] < l[1] for l in lists)]
        if lists and (not pres or lists[-1][0] >= pres[-1][0]):
            names = lists[-1][2]
            return names[index % len(names)]
        if pres:
            return pres[-1][2]
        return None


def _clean_group(raw: str | None) -> str | None:
    if not raw:
        return None
    g = _rx(r"\s+").sub(" ", raw).strip(" ,;:-")
    g = _rx(r"^(?i:the|patients in the|patients in|all)\s+").sub("", g)
    if not g or len(g) > 70 or _GROUP_BAD_RE.search(g):
        return None
    return g


def _group_after(st: _Sentence, pos: int, several: bool = False) -> str | None:
    t = st.text[: st.end]
    m = _GROUP_AFTER_RE.match(t, pos)
    if m:
        if several and _rx(r"\s*,(?!\s*(?:and\s+|or\s+)?[<>≤≥]?\d)").match(t, pos=m.end()):
            return None  # `22, 16 and 8 months for grade II, III and IV`: one name cannot be told apart
        return _clean_group(m.group("g"))
    m = _GROUP_ACRONYM_RE.match(t, pos)
    if m and not st.lex.unit_re.match(t, pos):
        return _clean_group(m.group("g"))
    m = _GROUP_BRACKET_RE.match(t, pos)
    if m:
        return _clean_group(m.group("g"))
    return None


def _group_list_at(st: _Sentence, pos: int) -> list[str] | None:
    """`in the placebo and erlotinib arms` / `for arms A and B` right after the values."""
    t = st.text[: st.end]
    m = _ARMS_LIST_RE.match(t, pos)
    if m:
        return _arms(m)
    m = _GROUP_LIST_AFTER_RE.match(t, pos)
    if m and (_rx(r"(?i:groups?|arms?|cohorts?)$").search(t[m.start() : m.end()]) or "respectively" in t[m.end() : m.end() + 20]):
        a, b = _clean_group(m.group("a")), _clean_group(m.group("b"))
        if a and b:
            return [a, b]
    return None


def _group_list(st: _Sentence, block: list[_Item], cue: Cue) -> list[str] | None:
    """Groups named once for several values: `in the X and Y groups, respectively`, `in arms A and B`."""
    t = st.text[: st.end]
    last = block[-1].stop
    m = _ARMS_LIST_RE.search(t, last, min(st.end, last + 60))
    if m:
        return _arms(m)
    resp = t.find("respectively", last)
    if resp >= 0:
        m = _ARMS_LIST_RE.search(t, last, min(st.end, resp + 60))
        if m:
            return _arms(m)
        for m in _GROUP_LIST_AFTER_RE.finditer(t, last, min(st.end, resp + 60)):
            if m.end() >= resp - 2 or m.start() > resp:
                a, b = _clean_group(m.group("a")), _clean_group(m.group("b"))
                if a and b:
                    return [a, b]
    m = _GROUP_LIST_AFTER_RE.match(t, _rx(r"\s*").match(t, pos=last).end())
    if m and _rx(r"(?i:groups?|arms?|cohorts?)$").search(t[m.start() : m.end()]):
        a, b = _clean_group(m.group("a")), _clean_group(m.group("b"))
        if a and b:
            return [a, b]
    # before the values: `survival in the IL-2 group and the control group was 98 vs 81%`
    m = _GROUP_LIST_AFTER_RE.search(t, cue.end, block[0].start)
    if m and _rx(r"\s*(?:was|were|is|are|had)\b").match(t[m.end() : block[0].start]):
        a, b = _clean_group(m.group("a")), _clean_group(m.group("b"))
        if a and b:
            return [a, b]
    return None


def _coordinated(st: _Sentence, cue: Cue) -> list[Cue]:
    """`PFS and OS`, `disease-free survival and overall survival`: the cues written as one list."""
    chain = [cue]
    idx = st.cues.index(cue)
    while idx > 0:
        prev = st.cues[idx - 1]
        if prev.kind == "boundary":
            break
        gap_m = _CONNECT_RE.fullmatch(st.text, prev.end, chain[0].start)
        if not gap_m:
            break
        chain.insert(0, prev)
        idx -= 1
    return chain


_TIME_UNITS_FOR_VALUES = ("months", "weeks", "days")
_COUNT_SHARE_BEFORE_RE = regex.compile(r"\(\s*$")
_COUNT_SHARE_AFTER_RE = regex.compile(r"\s*\)")
_HYPHEN_END_RE = regex.compile(r"[-‐]\s*$")
_ALIVE_GROUP_RE = regex.compile(
    r"\s*(?:\((?:[^()]|\([^()]*\))*\)\s*)?of\s+(?P<g>[^,;()]+?)(?=\s+(?:and|were|was|had|remained)\b|[,;(]|$)"
)


@dataclass
class _Assignment:
    """Which cue governs which value in one sentence."""

    assigned: list[tuple[_Item, Cue]] = field(default_factory=list)
    alive_items: list[_Item] = field(default_factory=list)
    prev_stop: dict[int, int] = field(default_factory=dict)  # id(item) -> end of the value before it


def _assign(st: _Sentence, items: list[_Item], alive: Any) -> _Assignment:
    """Decide for each value whether it is a survival figure and which cue governs it."""
    text, start, end = st.text, st.start, st.end
    out = _Assignment()
    last_stop = start
    for item in items:
        out.prev_stop[id(item)] = last_stop
        after = st.cue_after(item)
        value_before_endpoint = (
            after is not None
            and item.unit in _TIME_UNITS_FOR_VALUES
            and not st.clause_after_has_rate(after.end)
            and not _HYPHEN_END_RE.search(text, item.start, item.end)
        )
        if after is None or value_before_endpoint:
            last_stop = item.stop  # a time point (`5 year survival rate`) does not end a window
        pre = text[max(start, item.start - 40) : item.start]
        if item.unit != "%" and (
            st.lex.time_prep_re.search(pre) or _TIME_LIST_PRE_RE.search(pre) or _TIME_POINT_POST_RE.match(text, item.stop, end)
        ):
            continue  # `for 6 months`, `at baseline, 3 months, and 6 months`, `2 months after WBRT`
        if _PRE_DIFFERENCE_RE.search(pre):
            continue  # `a survival benefit of 3 months`, `occurs in up to 70%`
        if after is not None:
            if value_before_endpoint:
                out.assigned.append((item, after))  # `16 month hepatic progression-free survival`
            continue
        if item.unit == "%":
            if _COUNT_SHARE_BEFORE_RE.search(pre) and _COUNT_SHARE_AFTER_RE.match(text, item.stop, end):
                continue  # `26 (43%)`: a share of a count
            if _OF_PATIENTS_RE.match(text, item.stop, end):
                if alive and item.start < alive.start():
                    out.alive_items.append(item)
                continue
            if _POST_NONRATE_RE.match(text, item.stop, end):
                continue
        cue = st.governing_cue(item)
        if cue is None:
            continue
        between = text[cue.end : item.start]
        if _CUE_TIME_POINT_RE.fullmatch(between) or _CONTRAST_RE.search(between):
            continue  # `survival to 30 days`; `survival was similar, though leukopenia (43% vs. 30%)`
        if cue.kind != "endpoint" and not any(c.kind == "endpoint" for c in _coordinated(st, cue)):
            continue  # follow-up, hospital stay, response rate ... (a list `OS and SBP` still counts)
        out.assigned.append((item, cue))
    return out


def _name_chains(st: _Sentence, block: list[_Item]) -> dict[int, str | None]:
    """Time points and arm names written after each chain of values (`... 81% after 1 year`)."""
    text, end = st.text, st.end
    names: dict[int, str | None] = {}
    for item in block:
        if item.chain in names:
            continue
        members = [i for i in block if i.chain == item.chain]
        post = _rx(r"\s*(?:,\s*)?").match(text, members[-1].stop, end).end()
        hz = st.lex.horizon_post_re.match(text, post, end)
        if hz:
            for i in members:
                i.horizon = hz.group("h")
            post = hz.end()
        group = None
        own_list = _group_list_at(st, post)
        if own_list and len(own_list) == len(members):
            for i, name in zip(members, own_list):
                i.group = name
        elif not own_list:
            contrast = any(i.contrast for i in members)
            group = _group_after(st, post, several=len(members) > 1 and not contrast)
            if group and contrast:
                # `13.5 vs. 10.2 months in gefitinib alone`: the name belongs to the last value
                members[-1].group, group = group, None
        names[item.chain] = group
    return names


def _block_figures(st: _Sentence, cue: Cue, block: list[_Item], window_stop: int) -> list[tuple[_Item, dict[str, Any]]]:
    """Attributes for the values one cue governs; coordinated endpoints and `respectively`
    lists distribute them (`PFS and OS were 15 and 48 months`)."""
    listed = _coordinated(st, cue) if cue in st.cues else [cue]
    n, k = len(block), len(listed)
    groups = _group_list(st, block, cue)
    chain_names = _name_chains(st, block)
    if groups is None and block[0].group is None and chain_names.get(block[0].chain) is None:
        # `the survival rate for TMZ patients was 60% vs. 44% for PCB patients`
        before = _GROUP_BEFORE_RE.search(st.text, cue.end, block[0].start)
        if before and (len(block) == 1 or block[1].contrast or block[1].chain != block[0].chain):
            block[0].group = _clean_group(before.group("g"))
    figures = []
    for i, item in enumerate(block):
        endpoint_cue, group = cue, None
        if k >= 2 and n == k:
            endpoint_cue = listed[i]
        elif k >= 2 and n % k == 0:
            if groups and n == k * len(groups):
                endpoint_cue, group = listed[i // len(groups)], groups[i % len(groups)]
            else:
                endpoint_cue = listed[i % k]
        elif k < 2 and groups and n % len(groups) == 0:
            group = groups[i % len(groups)]
        if endpoint_cue.kind != "endpoint":
            continue
        group = item.group or chain_names.get(item.chain) or group
        attrs: dict[str, Any] = {"endpoint": endpoint_cue.endpoint}
        if endpoint_cue.scope:
            attrs["scope"] = endpoint_cue.scope
        attrs["measure"] = st.measure(endpoint_cue if endpoint_cue.measure else cue, item, window_stop)
        if item.unit == "%":
            horizon = st.horizon_for(cue, item, i, window_stop)
            if horizon:
                attrs["horizon"] = horizon
            elif endpoint_cue.needs_horizon:
                continue  # `liver recurrence in 30%` is a share, not a rate at a time point
        attrs["value"] = item.value
        attrs["unit"] = item.unit
        attrs.update(item.attrs)
        if group:
            attrs["group"] = group
        if item.qualifier:
            attrs["qualifier"] = item.qualifier
        figures.append((item, attrs))
    return figures


def _alive_figures(st: _Sentence, items: list[_Item], alive: Any) -> list[tuple[_Item, dict[str, Any]]]:
    """`75% (95% CI ...) of patients ... were alive and disease-free at 5 years`."""
    figures = []
    what = alive.group("free") or alive.group("without") if alive else None
    for item in items:
        attrs: dict[str, Any] = {"endpoint": _ALIVE_ENDPOINT.get(what, "OS"), "measure": "rate", "horizon": alive.group("h")}
        attrs.update({"value": item.value, "unit": "%"})
        attrs.update(item.attrs)
        of = _ALIVE_GROUP_RE.match(st.text, item.stop, st.end)
        group = _clean_group(of.group("g")) if of else None
        if group and group.lower() not in {"patients", "all patients", "the patients"}:
            attrs["group"] = group
        figures.append((item, attrs))
    return figures


def _sentence_figures(lex: SurvivalLexicon, text: str, start: int, end: int, cues: list[Cue]) -> list[SurvivalFigure]:
    if lex.hypothesis_re.search(text, start, end):
        return []
    st = _Sentence(lex, text, start, end, cues)
    items = st.items()
    if not items:
        return []
    alive = _ALIVE_RE.search(text, start, end)
    assignment = _assign(st, items, alive)
    blocks: list[tuple[Cue, list[_Item]]] = []  # consecutive values with one governing cue
    for item, cue in assignment.assigned:
        if blocks and blocks[-1][0] is cue:
            blocks[-1][1].append(item)
        else:
            blocks.append((cue, [item]))
    figures: list[tuple[_Item, dict[str, Any]]] = []
    for cue, block in blocks:
        figures.extend(_block_figures(st, cue, block, assignment.prev_stop[id(block[0])]))
    figures.extend(_alive_figures(st, assignment.alive_items, alive))
    figures.sort(key=lambda f: f[0].start)
    _attach_p_values(st, figures)
    out = []
    for item, attrs in figures:
        s, e = trim_span(text, item.start, item.end)
        ordered = {k: attrs[k] for k in ATTR_ORDER if k in attrs}
        ordered.update({k: v for k, v in attrs.items() if k not in ordered})
        out.append(SurvivalFigure(s, e, text[s:e], ordered))
    return out


def _attach_p_values(st: _Sentence, figures: list[tuple[_Item, dict[str, Any]]]) -> None:
    """A p-value goes to every figure of the comparison it closes (values since the last p-value)."""
    if not st.p_values:
        return
    for item, attrs in figures:
        for ps, pe in st.p_values:
            if ps < item.end:
                continue
            if ps - item.stop > 220:
                break
            between = [c for c in st.cues if item.stop <= c.start < ps]
            if between:
                break
            attrs["p"] = st.text[ps:pe]
            break


def find_survival_figures(text: str, sentences: list[tuple[int, int]] | None = None) -> list[SurvivalFigure]:
    """All SURVIVAL figures in `text`; offsets are [start, end) into `text`."""
    lex = lexicon()
    if not text or not _rx(r"\d").search(text):
        return []
    sents = sentences if sentences is not None else split_sentences(text)
    cues = lex.find_cues(text)
    out: list[SurvivalFigure] = []
    ci = 0
    for s, e in sents:
        while ci < len(cues) and cues[ci].start < s:
            ci += 1
        mine = []
        j = ci
        while j < len(cues) and cues[j].start < e:
            if cues[j].end <= e:
                mine.append(cues[j])
            j += 1
        out.extend(_sentence_figures(lex, text, s, e, mine))
    return out


# ---------------------------------------------------------------------------------------
# spaCy component


def doc_sentences(doc: Doc) -> list[tuple[int, int]] | None:
    """Sentence character ranges when a sentence splitter has run, else None."""
    if doc.has_annotation("SENT_START"):
        return [(s.start_char, s.end_char) for s in doc.sents]
    return None


def add_entity_spans(doc: Doc, hits: Iterable[Any], label: str, counter_key: str) -> Doc:
    """Turn pure-function hits into token-aligned Spans in doc.spans["entities"]."""
    spans = list(doc.spans[ENTITIES_KEY]) if ENTITIES_KEY in doc.spans else []
    missed = 0
    for hit in hits:
        span = doc.char_span(hit.start, hit.end, label=label)
        if span is None:
            missed += 1
            continue
        span._.attrs = dict(hit.attrs)
        spans.append(span)
    doc.spans[ENTITIES_KEY] = spans
    doc.user_data[counter_key] = doc.user_data.get(counter_key, 0) + missed
    return doc


@Language.component("abstracts_survival", assigns=["doc.spans"])
def survival_component(doc: Doc) -> Doc:
    hits = find_survival_figures(doc.text, doc_sentences(doc))
    return add_entity_spans(doc, hits, "SURVIVAL", "survival_misaligned")
