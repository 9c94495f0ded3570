"""The dose unit table (`data/dose_units.json`) and the number patterns of doses.

Used by pipeline.components.doses. A dose is found in two steps, each linear in the text:
`NUMBERS_RE` finds a maximal run of numbers and joiners (`1.5 or 2.0`, `12-15`,
`2 x 10^12`) without backtracking into it, then `UnitTable.tail` must match right where
the run ends (`mg/kg`, `rAd-p53 units`, `/day`). A shorter run never ends where a unit
could start (a run continues with a digit, `.`, `,`, `-`, `to`, `or`, `and` or `x`, which
no unit form begins with), so trying only the maximal run finds the same doses as one
backtracking pattern did, without its exponential and quadratic cases (`1,1,1,...`,
`1-1-1-...`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

from pipeline.components.stat_patterns import MAX_DIGITS
from pipeline.datafiles import DATA_DIR, DataFileError, check_keys, load_json_strict

UNITS_FILE = "dose_units.json"

# a number: 1,000 / 2.5 / 8,5 (European decimal) / 2 x 10^12 / 2 × 10(12) / 10^9
NUMBER = r"(?:\d+(?:[.,]\d+)*(?:\s?[x×]\s?10\s?(?:\^\s?\d+|\(\d+\)|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\d+))?)"
JOINER = r"(?:\s?(?:-|–|—|to)\s?|,\s?(?:or\s|and\s)?|\s(?:or|and|and/or)\s)"
NUMBERS = rf"{NUMBER}(?:{JOINER}{NUMBER})*"
# the maximal run, atomic: once it is read it is never re-split
NUMBERS_RE = regex.compile(rf"(?<![\w.,/^])(?>{NUMBERS})")
NUMBER_RE = regex.compile(NUMBER)
RANGE_JOINERS = frozenset({"-", "–", "—", "to"})
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
# characters a run of numbers can continue with: no unit form may begin with one of them
RUN_CONTINUATIONS = frozenset("0123456789.,-–—toax×") | {" "}

# what follows "unit/" in a concentration or rate (`ng/mL`, `mg/dL`, `mmol/L`); a drug name
# after the slash (`400 µg/formoterol 12 µg`) does not make the dose a concentration, nor
# does `/cycle` (schedule, like `per cycle`: `75 mg/m2/cycle` -> `75 mg/m2`)
CONCENTRATION_DENOMINATORS = (
    r"[mµμnpd]?[Ll]|dl|dL|ml|mL|[mµμ]?mol|kg|g|h|hr|hrs|hour|hours|min|minute|minutes|day|days|d|wk|week|weeks|"
    r"month|months|m2|m²|dose|doses|fraction|fractions|fx|s|sec|cell|cells|tablet|tablets|puff|puffs"
)


@dataclass(frozen=True)
class UnitTable:
    forms: dict[str, tuple[str, str]]  # form as written -> (normalised unit, kind)
    per_time: dict[str, str]  # form -> suffix
    count_units: frozenset[str]
    not_dose_before: frozenset[str]
    not_dose_right_after: frozenset[str]
    tail: Any  # compiled regex: the unit part of a dose, matched where a run of numbers ends
    combination: Any = None  # compiled regex for fixed combinations `400/12 µg`
    gate: Any = None  # compiled regex: matches wherever `tail` can (see `load_units`)


# `mg m-2`, `mg kg(-1)`, ` day-1`: a unit part with a negative exponent, and how journals
# print the same thing: the separator as a space, middle dot, dot operator or full stop, and
# the exponent with a hyphen or a true minus sign (U+2212), superscript, caret or brackets
_EXPONENT_FORM_RE = regex.compile(r"(?P<head>.*?)(?P<sep>[ ·.⋅])(?P<base>[A-Za-z]+)(?:-(?P<n>\d)|\(-(?P<nb>\d)\))")
_EXPONENT_SEPARATORS = (" ", "·", "⋅", ".")
_SUPERSCRIPT_DIGITS = dict(zip("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def exponent_variants(form: str) -> list[str]:
    """The other printed spellings of a unit form with a negative exponent (`mg m-2` ->
    `mg m−2`, `mg·m⁻²`, `mg m^-2`, `mg.m(-2)`, ...); a form with a `-` that is not such an
    exponent only gets its true-minus spelling."""
    m = _EXPONENT_FORM_RE.fullmatch(form)
    if m is None:
        return [form.replace("-", "\u2212")] if "-" in form else []
    n = m.group("n") or m.group("nb")
    exponents = (f"-{n}", f"\u2212{n}", f"⁻{_SUPERSCRIPT_DIGITS[n]}", f"^-{n}", f"^\u2212{n}", f"(-{n})", f"(\u2212{n})")
    return [f"{m.group('head')}{sep}{m.group('base')}{e}" for sep in _EXPONENT_SEPARATORS for e in exponents]


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
            if not form or form[0] in RUN_CONTINUATIONS or form[0].isspace():
                raise DataFileError(f"{name}: unit form {form!r} must not begin like a number, joiner or space")
            forms[form] = (rec["unit"], rec["kind"])
    for form, value in list(forms.items()):
        for variant in exponent_variants(form):
            forms.setdefault(variant, value)  # a form written in the table wins
    per_time: dict[str, str] = {}
    for i, rec in enumerate(data["per_time"]):
        check_keys(rec, {"suffix", "forms"}, set(), f"{name} per_time[{i}]")
        for form in rec["forms"]:
            if form in per_time:
                raise DataFileError(f"{name}: per-time form {form!r} listed twice")
            per_time[form] = rec["suffix"]
    for form, suffix in list(per_time.items()):
        for variant in exponent_variants(form):
            per_time.setdefault(variant, suffix)
    known_units = {u for u, _ in forms.values()}
    for u in data["count_units"]:
        if u not in known_units:
            raise DataFileError(f"{name}: count unit {u!r} is not a unit of the table")

    count_forms = [f for f, (u, _k) in forms.items() if u in set(data["count_units"])]

    def alternation(items) -> str:
        return "|".join(regex.escape(f) for f in sorted(items, key=len, reverse=True))

    tail = regex.compile(
        rf"""
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
    # `tail` with each unit form cut to its first two characters: whatever `tail` matches, this
    # matches too (same branches, shorter alternatives), and it is tried first where a run of
    # numbers ends: most runs (`12 patients`, `2010`) fail it without `tail`'s long alternations
    def prefixes(items) -> str:
        return alternation({f[:2] for f in items})

    gate = regex.compile(rf"\s+[A-Za-z][\w-]*\w\s(?:{prefixes(count_forms)})|\s?(?:{prefixes(forms)})")
    combination = regex.compile(
        rf"(?<![\w.,/^])(?P<a>\d+(?:[.,]\d+)?)\s?/\s?(?P<b>\d+(?:[.,]\d+)?)\s?(?P<unit>{alternation(forms)})(?![\w%/])"
    )
    return UnitTable(
        forms,
        per_time,
        frozenset(data["count_units"]),
        frozenset(w.lower() for w in data["not_dose_before"]),
        frozenset(w.lower() for w in data["not_dose_right_after"]),
        tail,
        combination,
        gate,
    )


_NUMBER_PARTS_RE = regex.compile(r"(\d+(?:[.,]\d+)*)\s?(?:[x×]\s?10\s?(?:\^\s?(\d+)|\((\d+)\)|([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(\d+)))?")


def parse_number(text: str) -> float:
    """`1,000` -> 1000; `8,5` -> 8.5; `2 x 10^12` -> 2e12. ValueError when `text` is not a
    number or not a plausible value (more than MAX_DIGITS digits, not finite)."""
    text = text.strip()
    m = _NUMBER_PARTS_RE.fullmatch(text)
    if not m:
        raise ValueError(f"not a number: {text!r}")
    mantissa = m.group(1)
    exp = m.group(2) or m.group(3) or (m.group(4).translate(SUPERSCRIPTS) if m.group(4) else None) or m.group(5)
    if len(mantissa) - mantissa.count(",") - mantissa.count(".") > MAX_DIGITS or (exp is not None and len(exp) > 3):
        raise ValueError(f"not a value: a number of {len(text)} characters")
    if "," in mantissa:
        groups = mantissa.split(",")
        if all(len(g) == 3 for g in groups[1:]) and "." not in mantissa:
            mantissa = mantissa.replace(",", "")  # thousands separators
        else:
            mantissa = mantissa.replace(",", ".")  # European decimal comma
    value = float(mantissa)
    if exp is not None:
        value = value * 10 ** int(exp) if int(exp) <= 308 else math.inf
    if not math.isfinite(value):
        raise ValueError(f"not a value: {text!r} is out of range")
    return value
