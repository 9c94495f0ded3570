"""DRUG tagging (component `abstracts_drugs`).

Sets: `doc.spans["entities"]` gets one Span per drug mention, label "DRUG", with
`Span._.attrs = {"norm": ..., "drugbank_id": ..., "mesh_id": ...}` (ids only when known).

The lexicon is the dictionary shipped inside the `drug-named-entity-recognition` package
(read from its file; the package module is never imported because importing it touches the
home folder), filtered by `data/drug_exclusions.json` and extended by
`data/drug_additions.json`. Matching runs on our tokenizer with two PhraseMatchers: one on
LOWER for ordinary names, one on ORTH for short abbreviations, which only count when written
in capitals (so "AS", "IT" or "tris" in running text stay words). The longest match wins.

Abbreviations the abstract defines for a drug (`epirubicin (E)`, `gemcitabine plus
cisplatin (GC)`, `FUDR (floxuridine)`) are tagged at every use; a capitals token made only
of defined one-letter abbreviations (`EC` after `epirubicin (E)` and
`cyclophosphamide (C)`) is split so each letter is its own mention. scispaCy's
AbbreviationDetector is not used: it drops one-letter short forms and short forms our
tokenizer splits (`5-FU`), both of which the guidelines need.
"""

from __future__ import annotations

import bz2
import importlib.util
import pickle
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from pipeline import _extensions  # noqa: F401  (registers the extensions)
from pipeline._extensions import ENTITIES_KEY
from pipeline.components.tokenizer import split_words
from pipeline.datafiles import (  # noqa: F401
    DATA_DIR,
    DataFileError,
    check_keys,
    load_json_strict,
)

ADDITIONS_FILE = "drug_additions.json"
EXCLUSIONS_FILE = "drug_exclusions.json"
LEXICON_PACKAGE = "drug_named_entity_recognition"
LEXICON_FILE = "drug_ner_dictionary.pkl.bz2"


# ---------------------------------------------------------------------------------------
# strict JSON data files


# DataFileError, load_json_strict and check_keys live in pipeline.datafiles (re-exported here).


# ---------------------------------------------------------------------------------------
# lexicon


@dataclass(frozen=True)
class DrugEntry:
    """What a matched name means."""

    norm: str
    drugbank_id: str | None = None
    mesh_id: str | None = None
    kind: str = "agent"  # agent | regimen | letters | block (a non-drug phrase that hides a name)
    needs_context: bool = False  # ambiguous acronym: only tagged in a treatment context

    def attrs(self) -> dict[str, str]:
        # No `mesh_id`: the package's MeSH ids are mostly pharmacological-action classes
        # (melphalan -> D019653 "Myeloablative Agonists"); on BC5CDR they equal the
        # mention's MeSH id in under 1% of matches, so they are kept out of the output.
        out = {"norm": self.norm}
        if self.drugbank_id:
            out["drugbank_id"] = self.drugbank_id
        return out


@dataclass
class DrugLexicon:
    by_lower: dict[str, DrugEntry] = field(default_factory=dict)  # matched on LOWER
    by_exact: dict[str, DrugEntry] = field(default_factory=dict)  # matched on ORTH
    context_words: frozenset[str] = frozenset()
    code_name_exclusions: frozenset[str] = frozenset()
    excluded_variants: frozenset[str] = frozenset()  # also never accepted as defined short forms
    not_drug_after: frozenset[str] = frozenset()  # `estrogen receptor`, `insulin levels`


def _lexicon_path() -> Path:
    spec = importlib.util.find_spec(LEXICON_PACKAGE)  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package {LEXICON_PACKAGE!r} is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / LEXICON_FILE


def _words(text: str) -> list[str]:
    return [w for w in split_words(text)[0] if not w.isspace()]


def is_short_abbreviation(variant: str) -> bool:
    """A one-token name of at most 4 letters: matched only when written in capitals."""
    return variant.isalpha() and len(variant) <= 4


def _load_exclusions(path: Path) -> dict[str, Any]:
    data = load_json_strict(path)
    keys = {"require_any_id", "mesh_substance_trees", "variants", "canonicals", "code_name_prefixes", "not_drug_after", "non_drug_phrases"}
    check_keys(data, keys, {"comment"}, path.name)
    out: dict[str, Any] = {"require_any_id": list(data["require_any_id"]), "variants": set(), "canonicals": set()}
    out["non_drug_phrases"] = set()
    for key in ("variants", "canonicals", "non_drug_phrases"):
        for i, rec in enumerate(data[key]):
            check_keys(rec, {"text", "reason"}, set(), f"{path.name} {key}[{i}]")
            text = rec["text"].lower()
            if text in out[key]:
                raise DataFileError(f"{path.name}: {key} lists {text!r} twice")
            out[key].add(text)
    out["code_name_prefixes"] = frozenset(p.upper() for p in data["code_name_prefixes"])
    out["not_drug_after"] = frozenset(w.lower() for w in data["not_drug_after"])
    out["mesh_substance_trees"] = frozenset(data["mesh_substance_trees"])
    return out


def _load_additions(path: Path) -> dict[str, Any]:
    data = load_json_strict(path)
    check_keys(data, {"entries", "norm_overrides", "context_words"}, {"comment"}, path.name)
    entries = []
    for i, rec in enumerate(data["entries"]):
        where = f"{path.name} entries[{i}]"
        check_keys(rec, {"names", "norm", "kind"}, {"exact", "needs_context", "keep_from_lexicon", "note"}, where)
        if rec["kind"] not in {"agent", "regimen"}:
            raise DataFileError(f"{where}: kind must be agent or regimen")
        if not rec["names"] or not all(isinstance(n, str) and n.strip() for n in rec["names"]):
            raise DataFileError(f"{where}: names must be non-empty strings")
        entries.append(rec)
    overrides = data["norm_overrides"]
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in overrides.items()):
        raise DataFileError(f"{path.name}: norm_overrides maps strings to strings")
    return {"entries": entries, "norm_overrides": overrides, "context_words": frozenset(w.lower() for w in data["context_words"])}


def _mesh_single_substance(canonical: str, data: dict[str, Any], trees: frozenset[str]) -> bool:
    """A MeSH-only entry kept as a drug: an organic chemical or hormone heading in the singular.

    MeSH names classes in the plural (`benzofurans`, `penicillins`, `steroids`) and files
    proteins, enzymes and receptors under other trees, so `insulin`, `estradiol`,
    `testosterone` stay while `calcium channels` and `alkylating agents` go.
    """
    if not any(t[:3] in trees for t in data.get("mesh_tree", [])):
        return False
    if any(t[:3] in {"D08", "D12", "D23", "D27"} and not t.startswith(("D12.644.548", "D12.644.276")) for t in data.get("mesh_tree", [])) and not any(t[:3] == "D06" for t in data.get("mesh_tree", [])):
        return False
    if "," in canonical:  # inverted MeSH headings name groups: `steroids, fluorinated`
        return False
    last = canonical.split()[-1]
    return not (last.endswith("s") and not last.endswith(("ss", "us", "is")))


COMBINATION_NAME_RE = regex.compile(r"[a-z]{3,}\s?[/+]\s?[a-z]{3,}|,\s(?:and\s)?[a-z]{3,}|[a-z]{4,} and [a-z]{4,}")


@lru_cache(maxsize=4)
def load_lexicon(
    additions_path: str = str(DATA_DIR / ADDITIONS_FILE),
    exclusions_path: str = str(DATA_DIR / EXCLUSIONS_FILE),
    max_variant_tokens: int = 6,
) -> DrugLexicon:
    """The merged lexicon: package dictionary - exclusions + additions (cached per process)."""
    with bz2.open(_lexicon_path(), "rb") as fh:
        raw = pickle.load(fh)  # the package's own data file, shipped inside the wheel
    excl = _load_exclusions(Path(exclusions_path))
    add = _load_additions(Path(additions_path))
    overrides: dict[str, str] = add["norm_overrides"]
    canon_data: dict[str, dict[str, Any]] = raw["drug_canonical_to_data"]
    keep_canon: set[str] = set()
    for rec in add["entries"]:
        keep_canon.update(c.lower() for c in rec.get("keep_from_lexicon", []))

    lex = DrugLexicon(
        context_words=add["context_words"],
        code_name_exclusions=excl["code_name_prefixes"],
        excluded_variants=frozenset(excl["variants"]),
        not_drug_after=excl["not_drug_after"],
    )
    entry_cache: dict[str, DrugEntry | None] = {}

    def entry_for(canonical: str) -> DrugEntry | None:
        if canonical in entry_cache:
            return entry_cache[canonical]
        data = canon_data.get(canonical, {})
        entry: DrugEntry | None
        if canonical in excl["canonicals"]:
            entry = None
        elif (
            canonical not in keep_canon
            and any(k in data for k in ("drugbank_id", "medline_plus_id", "mesh_id"))
            and not any(k in data for k in excl["require_any_id"])
            and not _mesh_single_substance(canonical, data, excl["mesh_substance_trees"])
        ):
            # other MeSH-only entries are proteins, receptors, enzymes and drug classes
            entry = None
        else:
            entry = DrugEntry(
                norm=overrides.get(canonical, canonical),
                drugbank_id=data.get("drugbank_id"),
                mesh_id=data.get("mesh_id"),
            )
        entry_cache[canonical] = entry
        return entry

    for variant, canonicals in raw["drug_variant_to_canonical"].items():
        if variant in excl["variants"] or not canonicals:
            continue
        entry = entry_for(canonicals[0])
        if entry is None:
            continue
        words = _words(variant)
        if not words or len(words) > max_variant_tokens or len(variant) < 3:
            continue
        if COMBINATION_NAME_RE.search(variant):
            # `budesonide/formoterol`, `abacavir, dolutegravir, and lamivudine`: the guidelines
            # label each drug of a combination separately, so the parts match on their own
            continue
        if (len(words) == 1 and is_short_abbreviation(variant)) or not any(w.isalpha() and len(w) >= 4 for w in words):
            # `fudr`, `at 10`, `s-1`: only in capitals, else ordinary words and numbers match
            lex.by_exact[variant.upper()] = entry
        else:
            lex.by_lower[variant] = entry

    block = DrugEntry(norm="", kind="block")
    for phrase in excl["non_drug_phrases"]:
        lex.by_lower[phrase] = block
    for rec in add["entries"]:
        norm = rec["norm"]
        data = canon_data.get(norm, {})
        entry = DrugEntry(
            norm=norm,
            drugbank_id=data.get("drugbank_id"),
            mesh_id=data.get("mesh_id"),
            kind=rec["kind"],
            needs_context=rec.get("needs_context", False),
        )
        for name in rec["names"]:
            if rec["kind"] == "regimen":  # the norm of a regimen is its own acronym (mFOLFOX6 -> mfolfox6)
                acronym = "m" + name[len("modified ") :] if name.lower().startswith("modified ") else name
                entry = DrugEntry(norm=acronym.lower(), kind="regimen", needs_context=rec.get("needs_context", False))
            if rec.get("exact", False) or (len(_words(name)) == 1 and is_short_abbreviation(name)):
                lex.by_exact[name] = entry
            else:
                lex.by_lower[name.lower()] = entry
    return lex


# ---------------------------------------------------------------------------------------
# matching


@dataclass(frozen=True)
class DrugMatch:
    start: int  # token indices
    end: int
    entry: DrugEntry
    how: str = "lexicon"  # lexicon | abbreviation | code


class DrugMatcher:
    """The two phrase matchers over one vocab, built once per process and vocab."""

    def __init__(self, nlp: Language, lexicon: DrugLexicon):
        self.lexicon = lexicon
        t0 = time.perf_counter()
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        lower_docs = list(nlp.tokenizer.pipe(lexicon.by_lower.keys()))
        exact_docs = list(nlp.tokenizer.pipe(lexicon.by_exact.keys()))
        self.lower.add("DRUG", lower_docs)
        self.exact.add("DRUG", exact_docs)
        # matched tokens -> entry, so spacing inside a name (`5 - FU`) does not matter
        self.lower_index = {_token_key(d, True): e for d, e in zip(lower_docs, lexicon.by_lower.values())}
        self.exact_index = {_token_key(d, False): e for d, e in zip(exact_docs, lexicon.by_exact.values())}
        self.build_seconds = time.perf_counter() - t0

    def __call__(self, doc: Doc) -> list[DrugMatch]:
        found: list[DrugMatch] = []
        for matcher, index, lower in ((self.lower, self.lower_index, True), (self.exact, self.exact_index, False)):
            for _id, start, end in matcher(doc):
                entry = index.get(_token_key(doc[start:end], lower))
                if entry is not None:
                    found.append(DrugMatch(start, end, entry))
        return found


def _token_key(tokens, lower: bool) -> tuple[str, ...]:
    return tuple(t.lower_ if lower else t.text for t in tokens if not t.is_space)


@lru_cache(maxsize=8)
def _matcher_for(nlp: Language, additions: str, exclusions: str, max_variant_tokens: int) -> DrugMatcher:
    return DrugMatcher(nlp, load_lexicon(additions, exclusions, max_variant_tokens))


# --- rules applied on top of the lexicon ------------------------------------------------

CODE_NAME_RE = regex.compile(r"^[A-Z]{2,5}$")
TRIAL_WORDS = frozenset({"trial", "trials", "study", "studies", "group", "investigators", "protocol", "cohort", "consortium"})
CONNECTORS = frozenset({"plus", "and", "with", "+", "/", ",", "-", "\u2013", "combined", "or", "&", "followed", "by", "then"})


def _is_token_boundary_ok(doc: Doc, start: int, end: int) -> bool:
    """Reject matches glued to letters/digits of a neighbouring token (`CEA` in `CEAx`)."""
    if start > 0 and not doc[start - 1].whitespace_:
        prev = doc[start - 1].text
        if prev.isalnum() and doc[start].text[:1].isalnum():
            return False
    if end < len(doc) and not doc[end - 1].whitespace_:
        nxt = doc[end].text
        if nxt.isalnum() and doc[end - 1].text[-1:].isalnum():
            return False
    return True


def _names_a_target(doc: Doc, end: int, words: frozenset[str]) -> bool:
    """The name is used for a receptor, level or class (`estrogen receptor`, `insulin levels`)."""
    nxt = next((t for t in doc[end : end + 2] if not t.is_space), None)
    if nxt is not None and nxt.lower_ in words:
        return True
    # `methicillin-resistant Staphylococcus aureus`: part of an organism's name
    if end + 3 < len(doc) and doc[end].text == "-" and doc[end + 1].lower_ in {"resistant", "susceptible", "sensitive"}:
        organism = next((t for t in doc[end + 2 : end + 4] if not t.is_space), None)
        return organism is not None and organism.text[:1].isupper()
    return False


def find_code_names(doc: Doc, excluded_prefixes: frozenset[str]) -> list[DrugMatch]:
    """Development code names such as `PD-0332991`, `AZD6244`, `MK-3475` (letters + >= 4 digits)."""
    out = []
    for i, tok in enumerate(doc[:-1]):
        if not CODE_NAME_RE.match(tok.text) or tok.text in excluded_prefixes:
            continue
        j = i + 1
        if doc[j].text == "-" and not tok.whitespace_ and j + 1 < len(doc):
            j += 1
        elif tok.whitespace_:
            continue
        digits = doc[j].text
        if tok.text.endswith("OG") or (len(digits) == 4 and digits[0] in "09") or (len(digits) == 4 and digits[:2] in {"19", "20"}):
            continue  # trial names and years: TCOG0902, CCOG-0801, CALGB 9741, GR-2009
        if len(tok.text) == 2 and len(digits) == 6 and digits[0] == "0":
            continue  # grant numbers: AI066050, HD086088
        if digits.isdigit() and 4 <= len(digits) <= 7 and not doc[j - 1].whitespace_:
            if j + 1 < len(doc) and not doc[j].whitespace_ and doc[j + 1].text.isalnum():
                continue
            out.append(DrugMatch(i, j + 1, DrugEntry(norm=doc[i : j + 1].text.lower()), how="code"))
    return out


def _short_form_ok(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not text or len(text) > 10 or any(c.isspace() for c in text) or not text[0].isalnum() or not letters:
        return False
    upper = sum(c.isupper() for c in letters)
    mostly_capitals = upper * 2 >= len(letters) or (text[0].isupper() and upper >= 2 and len(text) <= 8)  # BuFlu
    return mostly_capitals and all(c.isalnum() or c in "-" for c in text)


def schwartz_hearst(long_form: str, short_form: str) -> int | None:
    """Start offset in `long_form` of the shortest tail that explains `short_form`, or None.

    Each letter/digit of the short form must appear in order in the long form, read right to
    left, and the first one must begin a word (Schwartz & Hearst 2003).
    """
    li = len(long_form) - 1
    for si in range(len(short_form) - 1, -1, -1):
        ch = short_form[si].lower()
        if not ch.isalnum():
            continue
        while li >= 0 and (long_form[li].lower() != ch or (si == 0 and li > 0 and long_form[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        li -= 1
    return li + 1


def find_abbreviation_definitions(doc: Doc, matches: list[DrugMatch], excluded: frozenset[str] = frozenset()) -> dict[str, DrugEntry]:
    """Short forms the text defines for drugs: {short form as written: entry}.

    - `drug (SF)`: SF stands for that drug (`epirubicin (E)`, `cisplatin (CDDP)`).
    - `SF (drug)`: the same, written the other way round (`FUDR (floxuridine)`).
    - `drug plus drug (SF)`: SF names the regimen when its letters spell out the drug names
      (`gemcitabine plus cisplatin (GC)`); its norm is the lower-case acronym.
    """
    by_start = {m.start: m for m in matches}
    by_end = {m.end: m for m in matches}
    defined: dict[str, DrugEntry] = {}
    for i, tok in enumerate(doc):
        if tok.text != "(":
            continue
        close = next((k for k in range(i + 1, min(i + 6, len(doc))) if doc[k].text in {")", ";", ","}), None)
        if close is None or close == i + 1:
            continue
        inner = doc[i + 1 : close]
        inner_text = inner.text
        drug_before = by_end.get(i)
        if drug_before is None and i > 0 and doc[i - 1].is_space:
            drug_before = by_end.get(i - 1)
        # drug (SF)
        if drug_before is not None and not doc[drug_before.end - 1].whitespace_ and not doc[i - 1].is_space:
            drug_before = None  # `GABA(A)`: a name glued to its bracket is not a definition
        after = next((t for t in doc[close + 1 : close + 3] if not t.is_space), None)
        if after is not None and after.lower_ in TRIAL_WORDS:
            continue  # `Erbitux, radiotherapy and UFT (PERU) trial`: a study name
        if drug_before is not None and doc[close].text == ")" and i + 1 not in by_start and _short_form_ok(inner_text):
            drug_text = doc[drug_before.start : drug_before.end].text
            if any(len(part) >= 3 and part.isalpha() and schwartz_hearst(drug_text, part) is None for part in inner_text.split("-")[1:]):
                continue  # `melphalan (M-PHP)`: the other letters name a procedure
            regimen = _regimen_definition(doc, drug_before, inner_text, by_end)
            if regimen is None and not _abbreviates(doc[drug_before.start : drug_before.end].text, inner_text):
                # `oxaliplatin (TEGAFOX)`: a longer name the drug cannot spell names the regimen
                regimen = DrugEntry(norm=inner_text.lower(), kind="regimen")
            if regimen is not None or inner_text.lower() not in excluded:
                defined.setdefault(inner_text, regimen or drug_before.entry)
            continue
        # SF (drug)
        inside = by_start.get(i + 1)
        if inside is not None and inside.end == close and doc[close].text == ")" and i > 0:
            j = i - 1
            while j >= 0 and doc[j].is_space:
                j -= 1
            k = j
            while k > 0 and not doc[k - 1].whitespace_ and not doc[k - 1].is_space and doc[k - 1].text not in "(),;":
                k -= 1
            sf = doc[k : j + 1].text
            long_text = doc[inside.start : inside.end].text
            first_alpha = next((c for c in sf if c.isalpha()), "")
            if (
                j + 1 not in by_end
                and k not in by_start
                and _short_form_ok(sf)
                and len(_words(sf)) <= 3
                and len(sf.replace("-", "")) >= 2
                and len(long_text) > len(sf)
                and first_alpha.lower() == long_text[:1].lower()
                and sf.lower() not in excluded
            ):
                defined.setdefault(sf, inside.entry)
    return defined


LONG_FORM_STOP = frozenset({",", ";", ":", "(", ")", "[", "]", ".", "=", "of", "with", "and", "or", "the", "a", "an", "plus", "versus", "vs"})


def _shares_stem(long_form: str, norm: str) -> bool:
    stems = {w[:5] for w in regex.findall(r"[a-z]{4,}", norm.lower())}
    return any(w[:5] in stems for w in regex.findall(r"[a-z]{4,}", long_form.lower()))


def find_long_forms(doc: Doc, matches: list[DrugMatch], contradicted: set[str] | None = None) -> list[DrugMatch]:
    """`Recombinant adenoviral p53 (rAd-p53)`: the words a drug short form abbreviates are DRUG too.

    Only when the bracket holds nothing but the drug, its letters can be read off the words
    before it (Schwartz-Hearst), and those words are at most 6, with no stop word among them
    (so `treated with cisplatin (CDDP)` never grows). A short capitals form (`APAP`, `ADM`)
    must also share a word stem with its drug's name: `autoadjusting CPAP (APAP)` defines
    APAP as something else, and such short forms are added to `contradicted`.
    """
    by_start = {m.start: m for m in matches}
    taken = {i for m in matches for i in range(m.start, m.end)}
    out = []
    for i, tok in enumerate(doc[:-2]):
        inside = by_start.get(i + 1)
        if tok.text != "(" or inside is None or inside.end >= len(doc) or doc[inside.end].text != ")":
            continue
        short = doc[inside.start : inside.end].text
        letters = [c for c in short if c.isalpha()]
        if " " in short or not 3 <= len(letters) <= 8 or not any(c.isupper() for c in short):
            continue
        j = i - 1
        while j >= 0 and doc[j].is_space:
            j -= 1
        k = j
        words = 0
        while k >= 0 and k not in taken and doc[k].lower_ not in LONG_FORM_STOP and words < 6:
            if not doc[k].is_space and doc[k].is_alpha:
                words += 1
            k -= 1
        first = k + 1
        if first > j or words < 2:
            continue
        candidate = doc[first : j + 1]
        start = schwartz_hearst(candidate.text, short)
        if start is None:
            continue
        begin = doc.char_span(candidate.start_char + start, candidate.end_char, alignment_mode="expand")
        if begin is None or len([t for t in begin if t.is_alpha]) < 2:
            continue
        if short.isupper() and short.isalpha() and len(short) <= 4 and not _shares_stem(begin.text, inside.entry.norm):
            if contradicted is not None:
                contradicted.add(short)
            continue
        out.append(DrugMatch(begin.start, begin.end, inside.entry, how="long_form"))
    return out


def _abbreviates(long_form: str, short: str) -> bool:
    """Short enough to be a nickname (`CTX`, `T`), or its letters can be read off the name."""
    letters = [c for c in short if c.isalpha()]
    if len(letters) <= 3:
        return True
    return schwartz_hearst(long_form, short) is not None or letters[0].lower() == long_form[:1].lower()


def _regimen_definition(doc: Doc, last: DrugMatch, short: str, by_end: dict[int, DrugMatch]) -> DrugEntry | None:
    """`A plus B (AB)`: the short form names the combination, not the last drug.

    With 2+ drugs joined by connectors before the bracket, in this order: one letter per
    drug (`cisplatin/etoposide (EP)`) -> regimen; letters the last drug alone explains
    (`epirubicin, cyclophosphamide (C)`) -> that drug; letters the whole combination
    explains (`busulfan plus fludarabine (BuFlu)`) -> regimen; a nickname of at most 3
    letters (`docetaxel and cyclophosphamide (CTX)`) -> the last drug; a longer name
    (`... combined with irinotecan (TEGAFIRI)`) -> regimen. None means "the last drug".
    """
    drugs = [last]
    k = last.start
    while True:
        j = k - 1
        while j >= 0 and (doc[j].is_space or doc[j].lower_ in CONNECTORS):
            j -= 1
        prev = by_end.get(j + 1)
        if prev is None or prev is drugs[-1] or k - prev.end > 4:
            break
        drugs.append(prev)
        k = prev.start
    letters = [c for c in short if c.isalpha()]
    if len(drugs) < 2 or len(short) < 2 or not any(c.isupper() for c in short):
        return None
    regimen = DrugEntry(norm=short.lower(), kind="regimen")
    if len(letters) == len(drugs) and short.isupper():
        return regimen
    if schwartz_hearst(doc[last.start : last.end].text, short) is not None:
        return None
    if schwartz_hearst(doc[drugs[-1].start : last.end].text, short) is not None:
        return regimen
    return None if len(letters) <= 3 else regimen


def _in_treatment_context(doc: Doc, start: int, end: int, context_words: frozenset[str]) -> bool:
    """An ambiguous regimen acronym (`GC`, `DA`) counts only next to treatment words."""
    before = [t for t in doc[max(0, start - 3) : start] if not t.is_space]
    after = [t for t in doc[end : end + 3] if not t.is_space]
    if after and after[0].lower_ in context_words:
        return True
    if before and before[-1].lower_ in context_words:
        return True
    if before and before[-1].text in {"-", "/", "+"} and len(before) >= 2 and before[-2].text.isupper():
        return True  # arm names: RT-GC, CRT/GC
    if after and after[0].text in {"/", "+"}:
        return True
    if after and after[0].like_num and after[0].idx > doc[end - 1].idx + len(doc[end - 1].text):
        return True  # followed by its dose: `LV 90 mg`
    return False


SALTS_FILE = "drug_salts.json"


@lru_cache(maxsize=1)
def salt_words() -> frozenset[str]:
    data = load_json_strict(DATA_DIR / SALTS_FILE)
    check_keys(data, {"version", "words"}, {"description"}, SALTS_FILE)
    words = [w.lower() for w in data["words"]]
    if len(set(words)) != len(words):
        raise DataFileError(f"{SALTS_FILE}: a salt word is listed twice")
    return frozenset(words)


def _with_salt(doc: Doc, match: DrugMatch) -> DrugMatch:
    """`aclidinium bromide`, `imatinib mesylate`: the salt or form word joins the name."""
    if match.entry.kind != "agent" or match.how != "lexicon":
        return match
    salts = salt_words()
    end = match.end
    while end - match.end < 2 and end < len(doc) and doc[end - 1].whitespace_ and doc[end].lower_ in salts:
        end += 1
    if end == match.end:
        return match
    return DrugMatch(match.start, end, match.entry, match.how)


def find_drug_mentions(
    doc: Doc, matcher: DrugMatcher, abbreviations: bool = True, code_names: bool = True, split_tokens: frozenset[int] = frozenset()
) -> list[DrugMatch]:
    """All DRUG mentions of a Doc as token ranges (no overlaps, longest first).

    `split_tokens` are tokens cut out of a capitals word (`EC` -> `E`, `C`): their glued
    neighbours do not disqualify them.
    """
    lex = matcher.lexicon
    raw = [m for m in matcher(doc) if _is_token_boundary_ok(doc, m.start, m.end) and not _names_a_target(doc, m.end, lex.not_drug_after)]
    if code_names:
        raw += find_code_names(doc, lex.code_name_exclusions)
    raw = [m for m in raw if not m.entry.needs_context or _in_treatment_context(doc, m.start, m.end, lex.context_words)]
    matches = [_with_salt(doc, m) for m in _longest(raw) if m.entry.kind != "block"]
    if abbreviations:
        contradicted: set[str] = set()
        matches = _longest(matches + find_long_forms(doc, matches, contradicted))
        if contradicted:  # the abstract defines these letters as something else
            matches = [m for m in matches if doc[m.start : m.end].text not in contradicted]
        defined = find_abbreviation_definitions(doc, matches, lex.excluded_variants)
        if defined:
            matches = _longest(matches + _uses_of(doc, defined, matches, split_tokens))
    return matches


def _longest(matches: list[DrugMatch]) -> list[DrugMatch]:
    chosen: list[DrugMatch] = []
    taken: set[int] = set()
    for m in sorted(matches, key=lambda m: (-(m.end - m.start), m.start, m.how != "lexicon")):
        if any(i in taken for i in range(m.start, m.end)):
            continue
        chosen.append(m)
        taken.update(range(m.start, m.end))
    return sorted(chosen, key=lambda m: m.start)


# words before a capital letter that make it a label, not a drug (`vitamin D`, `arm A`)
LETTER_LABEL_WORDS = frozenset(
    "vitamin hepatitis arm arms group groups grade type phase stage class fig figure table panel cohort "
    "part study period protein factor schedule regimen level category trial step hla".split()
)


def _letter_use_ok(doc: Doc, i: int) -> bool:
    """A one-letter short form at a later use: not an article/pronoun, not a label."""
    tok = doc[i]
    prev = next((t for t in reversed(doc[max(0, i - 3) : i]) if not t.is_space), None)
    nxt = next((t for t in doc[i + 1 : i + 4] if not t.is_space), None)
    if tok.text in {"A", "I"} and nxt is not None and nxt.text[:1].islower():
        return False
    if prev is not None and prev.lower_ in LETTER_LABEL_WORDS:
        return False
    if nxt is not None and nxt.text in {"'", "’", "."} and tok.text in {"A", "I"}:
        return False
    return True


def _uses_of(doc: Doc, defined: dict[str, DrugEntry], existing: list[DrugMatch], split_tokens: frozenset[int] = frozenset()) -> list[DrugMatch]:
    """Every use of a defined short form (whole tokens), plus capitals tokens spelt from one-letter forms."""
    taken = {i for m in existing for i in range(m.start, m.end)}
    out = []
    forms = {tuple(_words(sf)): (sf, e) for sf, e in defined.items()}
    letters = {sf: e for sf, e in defined.items() if len(sf) == 1 and sf.isupper()}
    for words, (_sf, entry) in forms.items():
        n = len(words)
        for i in range(len(doc) - n + 1):
            if any(doc[i + k].text != words[k] for k in range(n)):
                continue
            if any(k in taken for k in range(i, i + n)):
                continue
            if not (n == 1 and i in split_tokens) and not _is_token_boundary_ok(doc, i, i + n):
                continue
            if len(words) == 1 and len(words[0]) == 1 and i not in split_tokens and not _letter_use_ok(doc, i):
                continue
            out.append(DrugMatch(i, i + n, entry, how="abbreviation"))
    if letters:
        for i, tok in enumerate(doc):
            t = tok.text
            if i in taken or len(t) < 2 or not t.isupper() or not t.isalpha() or t in defined:
                continue
            if all(c in letters for c in t) and len(set(t)) == len(t) and _is_token_boundary_ok(doc, i, i + 1):
                out.append(DrugMatch(i, i + 1, DrugEntry(norm="+".join(letters[c].norm for c in t), kind="letters"), how="letters"))
    return out


# ---------------------------------------------------------------------------------------
# the component


@Language.factory(
    "abstracts_drugs",
    assigns=["doc.spans"],
    default_config={
        "additions": "",
        "exclusions": "",
        "max_variant_tokens": 6,
        "abbreviations": True,
        "code_names": True,
    },
)
def make_drug_tagger(
    nlp: Language,
    name: str,
    additions: str,
    exclusions: str,
    max_variant_tokens: int,
    abbreviations: bool,
    code_names: bool,
) -> "DrugTagger":
    return DrugTagger(nlp, name, additions, exclusions, max_variant_tokens, abbreviations, code_names)


class DrugTagger:
    def __init__(self, nlp: Language, name: str, additions: str = "", exclusions: str = "", max_variant_tokens: int = 6, abbreviations: bool = True, code_names: bool = True):
        self.nlp = nlp
        self.name = name
        self.additions = additions or str(DATA_DIR / ADDITIONS_FILE)
        self.exclusions = exclusions or str(DATA_DIR / EXCLUSIONS_FILE)
        self.max_variant_tokens = max_variant_tokens
        self.abbreviations = abbreviations
        self.code_names = code_names
        self._matcher: DrugMatcher | None = None

    def initialize(self, get_examples=None, *, nlp: Language | None = None) -> None:
        self.matcher  # noqa: B018  (build now rather than on the first Doc)

    @property
    def matcher(self) -> DrugMatcher:
        if self._matcher is None:
            self._matcher = _matcher_for(self.nlp, self.additions, self.exclusions, self.max_variant_tokens)
        return self._matcher

    def __call__(self, doc: Doc) -> Doc:
        matches = find_drug_mentions(doc, self.matcher, self.abbreviations, self.code_names)
        if any(m.how == "letters" for m in matches):
            matches = self._split_letters(doc, matches)
        group = doc.spans[ENTITIES_KEY] if ENTITIES_KEY in doc.spans else None
        spans = list(group) if group is not None else []
        for m in matches:
            span = Span(doc, m.start, m.end, label="DRUG")
            span._.attrs = m.entry.attrs()
            spans.append(span)
        doc.spans[ENTITIES_KEY] = spans
        return doc

    def _split_letters(self, doc: Doc, matches: list[DrugMatch]) -> list[DrugMatch]:
        """Split `EC` into `E` + `C` tokens, then re-run matching on the new tokens."""
        # Span groups keep token indices through a split; remember them by characters.
        # (Span extension values are keyed by character offsets, so they survive.)
        groups = {key: [(s.start_char, s.end_char, s.label_) for s in group] for key, group in doc.spans.items()}
        split: set[int] = set()
        shift = 0
        for m in matches:
            if m.how == "letters":
                n = len(doc[m.start].text)
                split.update(range(m.start + shift, m.start + shift + n))
                shift += n - 1
        with doc.retokenize() as retok:
            for m in matches:
                if m.how == "letters":
                    tok = doc[m.start]
                    retok.split(tok, list(tok.text), heads=[(tok, 0)] * len(tok.text))
        for key, spans in groups.items():
            doc.spans[key] = [doc.char_span(a, b, label=label) for a, b, label in spans]
        again = find_drug_mentions(doc, self.matcher, self.abbreviations, self.code_names, frozenset(split))
        return [m for m in again if m.how != "letters"]


def drug_mentions(doc: Doc) -> list[Span]:
    """The DRUG spans of a tagged Doc."""
    return [s for s in doc.spans.get(ENTITIES_KEY, []) if s.label_ == "DRUG"]


def build_nlp() -> Language:
    """A minimal pipeline for this module's tools and tests: tokenizer, sentences, drugs."""
    import spacy

    from pipeline.components import sentences  # noqa: F401
    from pipeline.components.tokenizer import AbstractTokenizer

    nlp = spacy.blank("en")
    nlp.tokenizer = AbstractTokenizer(nlp.vocab)
    nlp.add_pipe("abstracts_sentences")
    nlp.add_pipe("abstracts_drugs")
    return nlp
