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

The unit table and number patterns live in pipeline.components.dose_units, the linking of
a dose to its drug in pipeline.components.dose_linking; every step is linear in the text
(a run of numbers is read once, drugs and doses are found by binary search).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import regex
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline import _extensions  # noqa: F401
from pipeline._extensions import ENTITIES_KEY, doc_text
from pipeline.components.dose_linking import (
    DrugIndex,
    combination_drug,
    link_drug,
    listed_drugs,
)
from pipeline.components.dose_units import (  # noqa: F401  (load_units, parse_number: the public API)
    NUMBER_RE,
    NUMBERS_RE,
    RANGE_JOINERS,
    UNITS_FILE,
    UnitTable,
    load_units,
    parse_number,
)
from pipeline.datafiles import DATA_DIR


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
    combo: Any = None  # position in a fixed combination `400/12 µg` (0 = first drug), or the DRUG span of a `respectively` list

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


# helper patterns, compiled once (the regex module's own cache lookup costs more than these matches)
_CLAUSE_BREAK_RE = regex.compile(r"[;)\]]|\.\s")
_WORD_RE = regex.compile(r"[A-Za-z][\w-]*")
# a number that is not part of a word (`IC50`, `VO2` keep theirs)
_STANDALONE_NUMBER_RE = regex.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")
_SMALL_WORD_RE = regex.compile(r"\s+(?:or|and|to|of|per|x|in|the|a|an)", regex.I)
_DAY_NUMBER_RE = regex.compile(r"\s?\d")
_PER_AMOUNT_RE = regex.compile(r"/\s?\d")
_SLASH_AFTER_RE = regex.compile(r"\s?/\s?\d|\s?/\s?[A-Za-z]")


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


_BARE_COMMA_END_RE = regex.compile(r",\s?[\d.,]+$")  # the run's last joiner is a bare comma
_LAST_SPACE_RE = regex.compile(r"(?r)\s")  # searched backwards: reads only the run's last word


def _run_before_to(text: str, run: Any, table: UnitTable) -> tuple[Any, Any]:
    """The one shorter run a unit can follow: `1 to5a units` reads `to5a` as a product name
    before a count unit (as `2 x 10^12 rAd-p53 units` does), which needs white space before
    `to` and none from there to the end of the run."""
    space = _LAST_SPACE_RE.search(text, run.start(), run.end())
    if space is None or text[space.end() : space.end() + 2] != "to":
        return run, None
    m = table.tail.match(text, space.start())
    if m is None or not m.group("name"):
        return run, None
    return NUMBERS_RE.match(text, run.start(), space.start()), m


def _not_a_dose(text: str, start: int, table: UnitTable) -> bool:
    """A measurement word among the 3 words before the number, or right before it. Only the
    words after the last number before it count: a measurement word governs the number that
    follows it (`carboplatin AUC 6 and paclitaxel 175 mg/m2`: AUC is 6's, not 175's)."""
    window = _CLAUSE_BREAK_RE.split(text[max(0, start - 40) : start])[-1]
    window = _STANDALONE_NUMBER_RE.split(window)[-1]
    before = _WORD_RE.findall(window)[-3:]
    if any(w.lower() in table.not_dose_before for w in before):
        return True
    return bool(before) and before[-1].lower() in table.not_dose_right_after and _LETTER_BEFORE_RE.match(text, 0, start) is not None


# a letter, then only white space, right before a position (matched backwards from it: the
# work is the white space read, not the whole text before the number)
_LETTER_BEFORE_RE = regex.compile(r"(?r)[A-Za-z]\s*")


def find_doses(text: str, units_path: str = str(DATA_DIR / UNITS_FILE)) -> list[DoseMention]:
    """Every dose ("number(s) + unit") in a text, in order of appearance."""
    table = load_units(units_path)
    out: list[DoseMention] = []
    pos = 0
    while True:
        run = NUMBERS_RE.search(text, pos)
        if run is None:
            break
        m = table.tail.match(text, run.end()) if table.gate.match(text, run.end()) else None
        if m is None:
            run, m = _run_before_to(text, run, table)
        if m is None:
            pos = run.end()  # no number inside this run starts a dose either (same end, no unit)
            continue
        pos = m.end()
        unit_text = m.group("unit") or m.group("cunit")
        unit, kind = table.forms[unit_text]
        if m.group("name") and _SMALL_WORD_RE.fullmatch(m.group("name")):
            continue
        if _not_a_dose(text, run.start(), table) and not _BARE_COMMA_END_RE.search(run.group()):
            continue  # (a run ending in a bare comma list is checked where its dose starts, below)
        per = m.group("per")
        unit_end = m.end("unit") if m.group("unit") else m.end("cunit")
        tail = text[m.end() : m.end() + 3]
        if per and _DAY_NUMBER_RE.match(tail) and per.strip() in {"day", "d", "d-1"}:
            # `240 mg m-2 day 1`: the day number is schedule; give the unit back its plain form
            per = None
            tail = text[unit_end : unit_end + 3]
        if _PER_AMOUNT_RE.match(tail) and kind != "radiation":
            continue  # `250 mg/5 mL`: a concentration; `20 Gy/5 fractions` stays
        if per:
            unit = unit + table.per_time[per]
            unit_text = unit_text + per
        numbers = run.group()
        nums, joins = _split_numbers(numbers)
        try:
            parsed = [parse_number(n) for n in nums]
        except ValueError:
            continue
        start = run.start()
        if "," in joins and joins[-1] == ",":
            # `in 2012, 50 mg`: a bare comma list is only a list of doses when it ends in or/and
            cut = len(joins) - joins[::-1].index(",")
            start += numbers.index(nums[cut], len(",".join(nums[:cut])))
            nums, joins, parsed = nums[cut:], joins[cut:], parsed[cut:]
        if start != run.start() and _not_a_dose(text, start, table):
            continue  # `carboplatin AUC 5, 500 mg/m2 pemetrexed`: AUC is 5's
        end = m.end("per") if per else unit_end
        if m.group("name"):
            end = run.end()  # `2 x 10^12 rAd-p53 units` -> `2 x 10^12`
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
    starts = [d.start for d in found]  # found: in order, never overlapping
    for m in table.combination.finditer(text):
        i = bisect_left(starts, m.end()) - 1
        if (i >= 0 and found[i].end > m.start()) or _not_a_dose(text, m.start(), table):
            continue
        if not COMBINATION_NAMES_RE.search(text[max(0, m.start() - 80):m.start()]):
            continue  # no `drug/drug` pair before the numbers: `in 2012/13 mg` is not a combination
        if _SLASH_AFTER_RE.match(text[m.end():m.end() + 3]):
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
        index = DrugIndex(doc, drugs)
        new: list[tuple[Span, DoseMention]] = []
        text = doc_text(doc)  # a join over every token: read once
        for mention in find_doses(text, self.units):
            span = doc.char_span(mention.start, mention.end, label="DOSE", alignment_mode="strict")
            if span is None or index.overlaps(span):
                continue
            new.append((span, mention))
        if self.link_drugs:
            new = self._split_respectively(doc, text, index, new)
        dose_spans = [s for s, _ in new]
        dose_starts = [s.start for s in dose_spans]
        linked: dict[int, Span | None] = {}
        for span, mention in new:
            attrs = mention.attrs()
            drug = None
            if isinstance(mention.combo, Span):  # one dose of a `respectively` list: its drug is known
                drug = mention.combo
            elif self.link_drugs and mention.combo is not None:
                drug = combination_drug(index, span, mention.combo)
            if self.link_drugs and drug is None and mention.kind != "radiation":
                drug = link_drug(index, span, dose_starts, dose_spans, linked)
            if drug is not None:
                attrs["drug"] = drug.text
            linked[span.start] = drug
            span._.attrs = attrs
            entities.append(span)
        doc.spans[ENTITIES_KEY] = entities
        return doc

    @staticmethod
    def _split_respectively(doc: Doc, text: str, index: DrugIndex,
                            found: list[tuple[Span, DoseMention]]) -> list[tuple[Span, DoseMention]]:
        """`docetaxel and cisplatin at 75 and 75 mg/m2, respectively`: one dose per listed drug,
        each number its own span and only the last with the shared unit (as `400/12 µg` of a
        fixed combination). Values of one drug (`irinotecan at 60, 80 and 100 mg/m2,
        respectively, in cohorts 1-3`) stay one span of alternatives."""
        found = _assign_listed_doses(text, index, found)
        out: list[tuple[Span, DoseMention]] = []
        for span, mention in found:
            drugs = None
            if mention.values is not None and _RESPECTIVELY_RE.match(text, mention.end):
                drugs = listed_drugs(index, span, len(mention.values))
            if not drugs:
                out.append((span, mention))
                continue
            # the numbers of the list (the unit may hold digits of its own: `mg/m2`)
            numbers = list(NUMBER_RE.finditer(text, mention.start, mention.end))[: len(mention.values)]
            pieces = []
            for k, (m, value, drug) in enumerate(zip(numbers, mention.values, drugs)):
                end = mention.end if k == len(numbers) - 1 else m.end()
                piece = doc.char_span(m.start(), end, label="DOSE", alignment_mode="strict")
                if piece is None:
                    break
                pieces.append((piece, DoseMention(m.start(), end, text[m.start():end], mention.unit, mention.unit_text,
                                                  mention.kind, value=value, combo=drug)))
            out.extend(pieces if len(pieces) == len(numbers) == len(drugs) else [(span, mention)])
        return out


_DOSE_LIST_JOINER_RE = regex.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+)")


def _assign_listed_doses(text: str, index: DrugIndex, found: list[tuple[Span, DoseMention]]) -> list[tuple[Span, DoseMention]]:
    """`gemcitabine and capecitabine at 1000 mg/m2 and 1660 mg/m2/day, respectively`: doses
    with their own units written as one list closed by `respectively` go to the listed drugs
    in order (each dose is looked at once: the lists are read left to right)."""
    out = list(found)
    i = 0
    while i < len(out):
        j = i
        while j + 1 < len(out) and _DOSE_LIST_JOINER_RE.fullmatch(text, out[j][1].end, out[j + 1][1].start):
            j += 1
        if j > i and _RESPECTIVELY_RE.match(text, out[j][1].end) and all(m.values is None and m.combo is None for _, m in out[i : j + 1]):
            drugs = listed_drugs(index, out[i][0], j - i + 1)
            if drugs:
                for k, drug in zip(range(i, j + 1), drugs):
                    span, m = out[k]
                    out[k] = (span, replace(m, combo=drug))
        i = j + 1
    return out


_RESPECTIVELY_RE = regex.compile(r"\s*,?\s*respectively\b", regex.IGNORECASE)


@lru_cache(maxsize=1)
def tagging_nlp() -> Language:
    """Tokenizer + sentences + drugs + doses, built once per process (tests, tools, BC5CDR)."""
    from pipeline.components.drugs import build_nlp

    nlp = build_nlp()
    nlp.add_pipe("abstracts_doses")
    nlp.initialize()
    return nlp
