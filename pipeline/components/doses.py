"""DOSE tagging (component `abstracts_doses`, after `abstracts_drugs`).

Sets: `doc.spans["entities"]` gets one Span per dose, label "DOSE", with
`Span._.attrs` = `value` | `low`+`high` | `values`, `unit` (normalised), and `drug` (the
`text` of the DRUG span the dose is given of, when the sentence says so; never for
radiation doses).

`find_doses(text)` is the pure part: it returns `DoseMention` records (surface text kept
beside the parsed numbers) for every "number(s) + unit" the units table
(`data/dose_units.json`) knows. Span rules (annotation guidelines): alternatives and ranges
sharing one unit form one span (`1.5 or 2.0 mg/kg`, `100 to 200 mg`, `12-15mg/kg/d`);
a per-day part written with the unit belongs to it (`350 mg/m2 per day` -> `mg/m2/day`);
a drug name between number and count unit stays out (`2 x 10^12 rAd-p53 units` ->
`2 x 10^12`). Concentrations (`ng/mL`, `mg/dL`) never match because a unit followed by a
further `/unit` the table does not know is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline import _extensions  # noqa: F401
from pipeline._extensions import ENTITIES_KEY
from pipeline.datafiles import DATA_DIR, DataFileError, check_keys, load_json_strict

UNITS_FILE = "dose_units.json"


@dataclass(frozen=True)
class DoseMention:
    """One dose as written and as parsed. Offsets are into the text given to `find_doses`."""

    start: int
    end: int
    text: str
    unit: str  # normalised, e.g. mg/m2/day
    unit_text: str  # as written, e.g. "mg/m2 per day"
    kind: str  # drug | radiation | radioactivity
    value: float | None = None
    low: float | None = None
    high: float | None = None
    values: tuple[float, ...] | None = None
    combo: int | None = None  # position in a fixed combination `400/12 µg` (0 = first drug)

    def attrs(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.values is not None:
            out["values"] = [_tidy(v) for v in self.values]
        elif self.low is not None:
            out["low"], out["high"] = _tidy(self.low), _tidy(self.high)
        else:
            out["value"] = _tidy(self.value)
        out["unit"] = self.unit
        return out


def _tidy(x: float | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() and abs(x) < 1e15 else x


@dataclass(frozen=True)
class UnitTable:
    forms: dict[str, tuple[str, str]]  # form as written -> (normalised unit, kind)
    per_time: dict[str, str]  # form -> suffix
    count_units: frozenset[str]
    not_dose_before: frozenset[str]
    not_dose_right_after: frozenset[str]
    pattern: Any  # compiled regex
    combination: Any = None  # compiled regex for fixed combinations `400/12 µg`


@lru_cache(maxsize=4)
def load_units(path: str = str(DATA_DIR / UNITS_FILE)) -> UnitTable:
    data = load_json_strict(Path(path))
    name = Path(path).name
    check_keys(data, {"units", "per_time", "count_units", "not_dose_before", "not_dose_right_after"}, {"comment"}, name)
    forms: dict[str, tuple[str, str]] = {}
    for i, rec in enumerate(data["units"]):
        check_keys(rec, {"unit", "kind", "forms"}, set(), f"{name} units[{i}]")
        if rec["kind"] not in {"drug", "radiation", "radioactivity"}:
            raise DataFileError(f"{name} units[{i}]: unknown kind {rec['kind']!r}")
        for form in rec["forms"]:
            if form in forms:
                raise DataFileError(f"{name}: unit form {form!r} listed twice")
            forms[form] = (rec["unit"], rec["kind"])
            if "-" in form:  # `mg m-2` is also printed with a true minus sign (U+2212)
                forms.setdefault(form.replace("-", "\u2212"), (rec["unit"], rec["kind"]))
    per_time: dict[str, str] = {}
    for i, rec in enumerate(data["per_time"]):
        check_keys(rec, {"suffix", "forms"}, set(), f"{name} per_time[{i}]")
        for form in rec["forms"]:
            if form in per_time:
                raise DataFileError(f"{name}: per-time form {form!r} listed twice")
            per_time[form] = rec["suffix"]
            if "-" in form:
                per_time.setdefault(form.replace("-", "\u2212"), rec["suffix"])
    known_units = {u for u, _ in forms.values()}
    for u in data["count_units"]:
        if u not in known_units:
            raise DataFileError(f"{name}: count unit {u!r} is not a unit of the table")

    count_forms = [f for f, (u, _k) in forms.items() if u in set(data["count_units"])]

    def alternation(items) -> str:
        return "|".join(regex.escape(f) for f in sorted(items, key=len, reverse=True))

    pattern = regex.compile(
        rf"""
        (?<![\w.,/^])                                    # not inside a word or number
        (?P<numbers>{NUMBERS})
        (?:
          (?P<name>\s+[A-Za-z][\w-]*\w)\s(?P<cunit>{alternation(count_forms)})  # `rAd-p53 units`
          |\s?(?P<unit>{alternation(forms)})
        )
        (?P<per>{alternation(per_time)})?
        (?![\w%])                                        # the unit ends here
        (?!/\s?(?:{CONCENTRATION_DENOMINATORS})\b)       # ... and is not a concentration (ng/mL)
        """,
        regex.VERBOSE,
    )
    combination = regex.compile(
        rf"(?<![\w.,/^])(?P<a>\d+(?:[.,]\d+)?)\s?/\s?(?P<b>\d+(?:[.,]\d+)?)\s?(?P<unit>{alternation(forms)})(?![\w%/])"
    )
    return UnitTable(
        forms,
        per_time,
        frozenset(data["count_units"]),
        frozenset(w.lower() for w in data["not_dose_before"]),
        frozenset(w.lower() for w in data["not_dose_right_after"]),
        pattern,
        combination,
    )


# what follows "unit/" in a concentration or rate (`ng/mL`, `mg/dL`, `mmol/L`); a drug name
# after the slash (`400 µg/formoterol 12 µg`) does not make the dose a concentration
CONCENTRATION_DENOMINATORS = (
    r"[mµμnpd]?[Ll]|dl|dL|ml|mL|[mµμ]?mol|kg|g|h|hr|hrs|hour|hours|min|minute|minutes|day|days|d|wk|week|weeks|"
    r"month|months|m2|m²|cycle|cycles|dose|doses|fraction|fractions|fx|s|sec|cell|cells|tablet|tablets|puff|puffs"
)

# a number: 1,000 / 2.5 / 8,5 (European decimal) / 2 x 10^12 / 2 × 10(12) / 10^9
NUMBER = r"(?:\d+(?:[.,]\d+)*(?:\s?[x×]\s?10\s?(?:\^\s?\d+|\(\d+\)|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\d+))?)"
NUMBERS = rf"{NUMBER}(?:(?:\s?(?:-|–|—|to)\s?|,\s?(?:or\s|and\s)?|\s(?:or|and|and/or)\s){NUMBER})*"
JOINER_RE = regex.compile(r"\s?(-|–|—|\bto\b)\s?|,\s?(?:or\s|and\s)?|\s(?:or|and|and/or)\s")
NUMBER_RE = regex.compile(NUMBER)
RANGE_JOINERS = frozenset({"-", "–", "—", "to"})
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def parse_number(text: str) -> float:
    """`1,000` -> 1000; `8,5` -> 8.5; `2 x 10^12` -> 2e12."""
    text = text.strip()
    m = regex.match(r"(\d+(?:[.,]\d+)*)\s?(?:[x×]\s?10\s?(?:\^\s?(\d+)|\((\d+)\)|([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(\d+)))?$", text)
    if not m:
        raise ValueError(f"not a number: {text!r}")
    mantissa = m.group(1)
    if "," in mantissa:
        groups = mantissa.split(",")
        if all(len(g) == 3 for g in groups[1:]) and "." not in mantissa:
            mantissa = mantissa.replace(",", "")  # thousands separators
        else:
            mantissa = mantissa.replace(",", ".")  # European decimal comma
    value = float(mantissa)
    exp = m.group(2) or m.group(3) or (m.group(4).translate(SUPERSCRIPTS) if m.group(4) else None) or m.group(5)
    if exp is not None:
        value *= 10 ** int(exp)
    return value


def _split_numbers(numbers: str) -> tuple[list[str], list[str]]:
    """Numbers and the joiners between them (`-`, `to`, `or`, `,` ...)."""
    nums: list[str] = []
    joins: list[str] = []
    pos = 0
    for m in NUMBER_RE.finditer(numbers):
        if nums:
            joins.append(numbers[pos : m.start()].strip())
        nums.append(m.group())
        pos = m.end()
    return nums, joins


def _not_a_dose(text: str, start: int, table: UnitTable) -> bool:
    """A measurement word among the 3 words before the number, or right before it."""
    window = regex.split(r"[;)\]]|\.\s", text[max(0, start - 40) : start])[-1]
    before = regex.findall(r"[A-Za-z][\w-]*", window)[-3:]
    if any(w.lower() in table.not_dose_before for w in before):
        return True
    return bool(before) and before[-1].lower() in table.not_dose_right_after and regex.search(r"[A-Za-z]\s*$", text[:start]) is not None


def find_doses(text: str, units_path: str = str(DATA_DIR / UNITS_FILE)) -> list[DoseMention]:
    """Every dose ("number(s) + unit") in a text, in order of appearance."""
    table = load_units(units_path)
    out: list[DoseMention] = []
    for m in table.pattern.finditer(text):
        unit_text = m.group("unit") or m.group("cunit")
        unit, kind = table.forms[unit_text]
        if m.group("name") and regex.fullmatch(r"\s+(?:or|and|to|of|per|x|in|the|a|an)", m.group("name"), flags=regex.I):
            continue
        if _not_a_dose(text, m.start(), table):
            continue
        per = m.group("per")
        unit_end = m.end("unit") if m.group("unit") else m.end("cunit")
        tail = text[m.end() : m.end() + 3]
        if per and regex.match(r"\s?\d", tail) and per.strip() in {"day", "d", "d-1"}:
            # `240 mg m-2 day 1`: the day number is schedule; give the unit back its plain form
            per = None
            tail = text[unit_end : unit_end + 3]
        if regex.match(r"/\s?\d", tail) and kind != "radiation":
            continue  # `250 mg/5 mL`: a concentration; `20 Gy/5 fractions` stays
        if per:
            unit = unit + table.per_time[per]
            unit_text = unit_text + per
        numbers = m.group("numbers")
        nums, joins = _split_numbers(numbers)
        try:
            parsed = [parse_number(n) for n in nums]
        except ValueError:
            continue
        start = m.start("numbers")
        if "," in joins and joins[-1] == ",":
            # `in 2012, 50 mg`: a bare comma list is only a list of doses when it ends in or/and
            cut = len(joins) - joins[::-1].index(",")
            start += numbers.index(nums[cut], len(",".join(nums[:cut])))
            nums, joins, parsed = nums[cut:], joins[cut:], parsed[cut:]
        end = m.end("per") if per else unit_end
        if m.group("name"):
            end = m.end("numbers")  # `2 x 10^12 rAd-p53 units` -> `2 x 10^12`
        kwargs: dict[str, Any] = {}
        if len(parsed) == 1:
            kwargs["value"] = parsed[0]
        elif len(parsed) == 2 and joins[0] in RANGE_JOINERS:
            kwargs["low"], kwargs["high"] = parsed
        elif all(j not in RANGE_JOINERS for j in joins):
            kwargs["values"] = tuple(parsed)
        else:
            # mixed (`days 6-12 and 3 mU`): only the numbers after the last or/and go with the unit
            # (`1-2-3 mg`, all ranges: the last range)
            alternatives = [i for i, j in enumerate(joins) if j not in RANGE_JOINERS]
            cut = max(alternatives) + 1 if alternatives else len(nums) - 2
            start += numbers.index(nums[cut], len(" ".join(nums[:cut])))
            nums, joins, parsed = nums[cut:], joins[cut:], parsed[cut:]
            if len(parsed) == 2 and joins[0] in RANGE_JOINERS:
                kwargs["low"], kwargs["high"] = parsed
            else:
                kwargs["value"] = parsed[0]
        out.append(DoseMention(start, end, text[start:end], unit, unit_text, kind, **kwargs))
    out += _combination_doses(text, table, out)
    return sorted(out, key=lambda d: d.start)


COMBINATION_NAMES_RE = regex.compile(r"\p{L}[\p{L}\d-]+\s?[/+]\s?\p{L}[\p{L}\d-]+[^.;]{0,30}$")


def _combination_doses(text: str, table: UnitTable, found: list[DoseMention]) -> list[DoseMention]:
    """A fixed combination `aclidinium/formoterol 400/12 µg`: one dose per drug, the first
    number alone (`400`) and the second with the shared unit (`12 µg`), as the project's
    decided cases say (docs/annotation-guidelines.md)."""
    out = []
    for m in table.combination.finditer(text):
        if any(d.start < m.end() and m.start() < d.end for d in found) or _not_a_dose(text, m.start(), table):
            continue
        if not COMBINATION_NAMES_RE.search(text[max(0, m.start() - 80):m.start()]):
            continue  # no `drug/drug` pair before the numbers: `in 2012/13 mg` is not a combination
        if regex.match(r"\s?/\s?\d|\s?/\s?[A-Za-z]", text[m.end():m.end() + 3]):
            continue  # `250/5 mg/mL`-like concentrations
        unit_text = m.group("unit")
        unit, kind = table.forms[unit_text]
        if kind != "drug":
            continue
        try:
            first, second = parse_number(m.group("a")), parse_number(m.group("b"))
        except ValueError:
            continue
        out.append(DoseMention(m.start("a"), m.end("a"), m.group("a"), unit, unit_text, kind, value=first, combo=0))
        out.append(DoseMention(m.start("b"), m.end("unit"), text[m.start("b"):m.end("unit")], unit, unit_text, kind,
                               value=second, combo=1))
    return out


# ---------------------------------------------------------------------------------------
# linking a dose to its drug

# tokens that may stand between a drug and its dose ("oxaliplatin (85 mg/m2)", "melphalan at 1.5 mg/kg")
ADJACENT_BEFORE = frozenset({"(", "[", ",", ":", "at", "=", "of", "a", "dose", "doses", "dosage", "dosed", "given", "was", "were"})
ADJACENT_AFTER = frozenset({"of", ")", "]"})


def link_drug(doc: Doc, dose: Span, drugs: list[Span], doses: list[Span], linked: dict[int, Span | None] | None = None) -> Span | None:
    """The DRUG span a dose is given of, within the dose's sentence, or None.

    A drug right before the dose (`oxaliplatin 85 mg/m2`, `oxaliplatin (85 mg/m2)`) wins,
    then one right after it (`1 mg tumor necrosis factor`, `1 mg of melphalan`), then the
    nearest earlier drug with no other dose in between (`oxaliplatin at a dose of 85 mg/m2`).
    """
    sent_start, sent_end = _sentence_bounds(doc, dose)
    before = [d for d in drugs if sent_start <= d.start and d.end <= dose.start]
    after = [d for d in drugs if dose.end <= d.start and d.end <= sent_end]
    prev = before[-1] if before else None
    nxt = after[0] if after else None
    if prev is not None and _gap_ok(doc, prev.end, dose.start, ADJACENT_BEFORE | {")"}):
        return _long_form_of(doc, prev, before)
    if nxt is not None and _gap_ok(doc, dose.end, nxt.start, ADJACENT_AFTER):
        return nxt
    if prev is not None and dose.start - prev.end <= 40:
        between = [o for o in doses if prev.end <= o.start and o.end <= dose.start]
        if not between and dose.start - prev.end > 20:
            return None
        # `TMZ 200 mg/m2/day ..., or 150 mg/m2/day`: earlier doses of the same drug do not block
        if all(linked is not None and linked.get(o.start) is not None and linked[o.start].text == prev.text for o in between):
            return prev
    return None


def combination_drug(doc: Doc, dose: Span, drugs: list[Span], position: int) -> Span | None:
    """The drug of one dose of a fixed combination: `aclidinium/formoterol 400/12 µg` gives
    400 to aclidinium and 12 µg to formoterol (the pair written right before the numbers)."""
    sent_start, _ = _sentence_bounds(doc, dose)
    before = [d for d in drugs if sent_start <= d.start and d.end <= dose.start]
    for first, second in zip(before, before[1:]):
        joined = [t.text for t in doc[first.end:second.start] if not t.is_space]
        numbers_start = dose.start if position == 0 else dose.start - 2
        if joined in (["/"], ["+"], ["-"]) and _gap_ok(doc, second.end, numbers_start, ADJACENT_BEFORE | {")"}):
            return (first, second)[position]
    return None


def _long_form_of(doc: Doc, drug: Span, before: list[Span]) -> Span:
    """`epirubicin (E) 90 mg/m2`: the dose goes to the name the bracket defines."""
    if drug.start >= 2 and doc[drug.start - 1].text == "(" and drug.end < len(doc) and doc[drug.end].text == ")":
        named = [d for d in before if d.end in (drug.start - 1, drug.start - 2) and d._.attrs.get("norm") == drug._.attrs.get("norm")]
        if named:
            return named[-1]
    return drug


def _gap_ok(doc: Doc, a: int, b: int, allowed: frozenset[str]) -> bool:
    words = [t for t in doc[a:b] if not t.is_space]
    return len(words) <= 4 and all(t.lower_ in allowed for t in words)


def _sentence_bounds(doc: Doc, span: Span) -> tuple[int, int]:
    if doc.has_annotation("SENT_START"):
        sent = doc[span.start].sent
        return sent.start, sent.end
    return 0, len(doc)


@Language.factory(
    "abstracts_doses",
    assigns=["doc.spans"],
    default_config={"units": "", "link_drugs": True},
)
def make_dose_tagger(nlp: Language, name: str, units: str, link_drugs: bool) -> "DoseTagger":
    return DoseTagger(name, units, link_drugs)


class DoseTagger:
    def __init__(self, name: str, units: str = "", link_drugs: bool = True):
        self.name = name
        self.units = units or str(DATA_DIR / UNITS_FILE)
        self.link_drugs = link_drugs
        load_units(self.units)  # fail early on a bad table

    def __call__(self, doc: Doc) -> Doc:
        entities = list(doc.spans[ENTITIES_KEY]) if ENTITIES_KEY in doc.spans else []
        drugs = sorted((s for s in entities if s.label_ == "DRUG"), key=lambda s: s.start)
        new: list[tuple[Span, DoseMention]] = []
        for mention in find_doses(doc.text, self.units):
            span = doc.char_span(mention.start, mention.end, label="DOSE", alignment_mode="strict")
            if span is None or any(s.start < span.end and span.start < s.end for s in drugs):
                continue
            new.append((span, mention))
        dose_spans = [s for s, _ in new]
        linked: dict[int, Span | None] = {}
        for span, mention in new:
            attrs = mention.attrs()
            drug = None
            if self.link_drugs and mention.combo is not None:
                drug = combination_drug(doc, span, drugs, mention.combo)
            if self.link_drugs and drug is None and mention.kind != "radiation":
                drug = link_drug(doc, span, drugs, dose_spans, linked)
            if drug is not None:
                attrs["drug"] = drug.text
            linked[span.start] = drug
            span._.attrs = attrs
            entities.append(span)
        doc.spans[ENTITIES_KEY] = entities
        return doc


@lru_cache(maxsize=1)
def tagging_nlp() -> Language:
    """Tokenizer + sentences + drugs + doses, built once per process (tests, tools, BC5CDR)."""
    from pipeline.components.drugs import build_nlp

    nlp = build_nlp()
    nlp.add_pipe("abstracts_doses")
    nlp.initialize()
    return nlp
