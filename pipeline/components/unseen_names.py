"""Drug names the lexicon lacks: INN stems and development code names (pure functions).

- `find_stem_names`: one word ending in an INN stem of `data/drug_stems.json`
  (`-tinib`, `-zumab`, `-platin`, `-olol`, ...), at least `min_letters` long, not a listed
  English or class word (`except`, `triptan`) and not glued to a prefix that negates it
  (`anticocaine`, `nonstatin`). Norm: the word in lower case.
- `find_code_names`: letters + digits, `PD-0332991`, `AZD6244`, `MK-3475`: 2-5 capitals,
  an optional hyphen, 4-7 digits (trial and registry prefixes, years and grant-like numbers
  left out); after a company prefix of `drug_stems.json` (`AZD`, `ABT`, `MK`, `Ro`, ...) also
  3 digits, numbers starting with 0 or 9, one space and a second number (`ABT-199`,
  `AZD9291`, `SCH 23390`, `Ro 40-5967`; after two capitals and a space only 4+ digits, never
  `CI` or after `%`: `PD 100`, `95% CI 100-582` are not codes). Norm: the code in lower case.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from pathlib import Path

import regex
from spacy.strings import hash_string
from spacy.tokens import Doc

from pipeline.components.drug_lexicon import DrugEntry
from pipeline.components.drug_matching import DrugMatch
from pipeline.components.token_table import TokenTable
from pipeline.datafiles import DATA_DIR, DataFileError, check_keys, load_json_strict

STEMS_FILE = "drug_stems.json"


@dataclass(frozen=True)
class StemRules:
    stems: tuple[str, ...]
    min_letters: int
    not_drugs: frozenset[str]
    not_before: tuple[str, ...]
    company_code_prefixes: frozenset[str]


@lru_cache(maxsize=4)
def load_stem_rules(path: str = str(DATA_DIR / STEMS_FILE)) -> StemRules:
    """Read and check `drug_stems.json` (unknown keys, repeated stems or words, missing reasons)."""
    name = Path(path).name
    data = load_json_strict(Path(path))
    check_keys(data, {"version", "min_letters", "stems", "not_drugs", "not_before", "company_code_prefixes"}, {"description"}, name)
    stems: list[str] = []
    for i, rec in enumerate(data["stems"]):
        check_keys(rec, {"stem", "class"}, {"note"}, f"{name} stems[{i}]")
        stem = rec["stem"]
        if not (isinstance(stem, str) and stem.isalpha() and stem.islower()) or stem in stems:
            raise DataFileError(f"{name} stems[{i}]: a stem is lower-case letters, listed once ({stem!r})")
        stems.append(stem)
    not_drugs: set[str] = set()
    for i, rec in enumerate(data["not_drugs"]):
        check_keys(rec, {"text", "reason"}, set(), f"{name} not_drugs[{i}]")
        if rec["text"].lower() in not_drugs:
            raise DataFileError(f"{name}: not_drugs lists {rec['text']!r} twice")
        not_drugs.add(rec["text"].lower())
    prefixes = data["company_code_prefixes"]
    if len(set(prefixes)) != len(prefixes) or not all(isinstance(p, str) and p.isalpha() for p in prefixes):
        raise DataFileError(f"{name}: company_code_prefixes are letters, each listed once")
    if not isinstance(data["min_letters"], int) or data["min_letters"] < 5:
        raise DataFileError(f"{name}: min_letters is an integer >= 5")
    return StemRules(
        stems=tuple(sorted(stems, key=len, reverse=True)),
        min_letters=data["min_letters"],
        not_drugs=frozenset(not_drugs),
        not_before=tuple(p.lower() for p in data["not_before"]),
        company_code_prefixes=frozenset(prefixes),
    )


def find_stem_names(doc: Doc, rules: StemRules, excluded: frozenset[str] = frozenset(), table: TokenTable | None = None) -> list[DrugMatch]:
    """Words ending in an INN stem (`excluded`: names the lexicon leaves out on purpose).

    `table`: the Doc's `TokenTable`, when the caller has read it already."""
    table = TokenTable.of(doc) if table is None else table
    strings = table.strings
    words = set(compress(table.lower_ids, table.is_alpha))  # each distinct word once; the suffix test first
    stem_words = {w for w in words if strings[w].endswith(rules.stems) and _is_stem_name(strings[w], rules, excluded)}
    if not stem_words:
        return []
    return [
        DrugMatch(i, i + 1, DrugEntry(norm=table.lower(i)), how="stem")
        for i, (word, alpha) in enumerate(zip(table.lower_ids, table.is_alpha))
        if alpha and word in stem_words
    ]


def _is_stem_name(word: str, rules: StemRules, excluded: frozenset[str]) -> bool:
    """`word` (lower case, letters) ends in a stem and is not a listed or negated word."""
    if len(word) < rules.min_letters or not word.endswith(rules.stems):
        return False
    return not (word in rules.not_drugs or word in excluded or word.startswith(rules.not_before))


CODE_NAME_RE = regex.compile(r"^[A-Z]{2,5}$")


def find_code_names(
    doc: Doc, excluded_prefixes: frozenset[str], company_prefixes: frozenset[str] = frozenset(), table: TokenTable | None = None
) -> list[DrugMatch]:
    """Development code names such as `PD-0332991`, `AZD6244`, `MK-3475`, `ABT-199`, `SCH 23390`."""
    table = TokenTable.of(doc) if table is None else table
    spaced, n = table.spaced, len(table)
    # a CODE_NAME_RE match is upper case: only such tokens and company prefixes are read
    upper = table.positions_of(table.is_upper, 1)
    prefixes = [i for h in _hashes(company_prefixes).intersection(table.orth_ids) for i in table.positions_of(table.orth_ids, h)]
    out = []
    for i in sorted(set(upper + prefixes)):
        if i == n - 1:
            break  # the last token starts no code
        text = table.text(i)
        if text in company_prefixes:
            match = _company_code(table, i)
            if match is not None:
                out.append(match)
            continue
        if not CODE_NAME_RE.match(text) or text in excluded_prefixes:
            continue
        j = i + 1
        if table.text(j) == "-" and not spaced[i] and j + 1 < n:
            j += 1
        elif spaced[i]:
            continue
        digits = table.text(j)
        if text.endswith("OG") or (len(digits) == 4 and digits[0] in "09") or (len(digits) == 4 and digits[:2] in {"19", "20"}):
            continue  # trial names and years: TCOG0902, CCOG-0801, CALGB 9741, GR-2009
        if len(text) == 2 and len(digits) == 6 and digits[0] == "0":
            continue  # grant numbers: AI066050, HD086088
        if digits.isdigit() and 4 <= len(digits) <= 7 and not spaced[j - 1]:
            if j + 1 < n and not spaced[j] and table.text(j + 1).isalnum():
                continue
            out.append(DrugMatch(i, j + 1, DrugEntry(norm=table.span_text(i, j + 1).lower()), how="code"))
    return out


@lru_cache(maxsize=8)
def _hashes(words: frozenset[str]) -> frozenset[int]:
    """spaCy's string hashes of a word list (the ORTH a token of that text has)."""
    return frozenset(hash_string(w) for w in words)


def _company_code(table: TokenTable, i: int) -> DrugMatch | None:
    """`ABT-199`, `AZD9291`, `SCH 23390`, `Ro 40-5967`: a company prefix, then the number."""
    spaced, n, text_at = table.spaced, len(table), table.text
    text = text_at(i)
    if i > 0 and not spaced[i - 1] and text_at(i - 1).isalnum():
        return None  # inside a longer word or code
    j = i + 1
    if text_at(j) in {"-", "\u2013"} and not spaced[i] and not spaced[j] and j + 1 < n:
        j += 1
    if j >= n or not text_at(j).isdigit():
        return None
    end = j + 1
    # `Ro 40-5967`: a second number after a hyphen belongs to the code
    if end + 1 < n and text_at(end) == "-" and not spaced[j] and not spaced[end] and text_at(end + 1).isdigit():
        end += 2
    digits = "".join(t for t in map(text_at, range(j, end)) if t.isdigit())
    glued = j == i + 1 and not spaced[i]
    if not 3 <= len(digits) <= 8:
        return None
    if spaced[i] and len(text) == 2 and text.isupper() and (text == "CI" or len(text_at(j)) < 4 or end > j + 1 or (i > 0 and text_at(i - 1) == "%")):
        return None  # `PD 100`, `95% CI 100-582`: a count or an interval after an abbreviation
    if not glued and len(digits) == 4 and 1950 <= int(digits) <= 2030:
        return None  # `GR-2009`, `BAY 2013`: a year (`AZD2014` glued is a code)
    if end < n and not spaced[end - 1]:
        nxt = text_at(end)
        if nxt.isalnum() or nxt == "%" or (nxt in {".", ","} and end + 1 < n and text_at(end + 1).isdigit()):
            return None  # `MK-801a`, `SCH 100.5`, `LY 250%`: part of something longer
    return DrugMatch(i, end, DrugEntry(norm=table.span_text(i, end).lower()), how="code")
