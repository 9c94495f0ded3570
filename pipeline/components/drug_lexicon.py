"""The merged DRUG lexicon: the package dictionary, minus our exclusions, plus our additions.

The dictionary is the one shipped inside the `drug-named-entity-recognition` package (read
from its file; the package module is never imported because importing it touches the home
folder), filtered by `data/drug_exclusions.json` and extended by `data/drug_additions.json`.
`load_lexicon()` returns it as two maps from variant text to `DrugEntry`: `by_lower`
(matched on lower case) and `by_exact` (short abbreviations, matched only as written).
Building it takes a few seconds; `drug_cache` compiles it into the token index the matcher
uses and keeps that on disk.
"""

from __future__ import annotations

import bz2
import importlib.util
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

from pipeline.components.tokenizer import split_words
from pipeline.datafiles import DATA_DIR, DataFileError, check_keys, load_json_strict

ADDITIONS_FILE = "drug_additions.json"
EXCLUSIONS_FILE = "drug_exclusions.json"
LEXICON_PACKAGE = "drug_named_entity_recognition"
LEXICON_FILE = "drug_ner_dictionary.pkl.bz2"
SALTS_FILE = "drug_salts.json"


@dataclass(frozen=True)
class DrugEntry:
    """What a matched name means."""

    norm: str
    drugbank_id: str | None = None
    mesh_id: str | None = None
    kind: str = "agent"  # agent | product (two-drug product) | regimen | letters | block (a non-drug phrase that hides a name)
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
    not_drug_after: frozenset[str] = frozenset()  # `estrogen receptor`, `HER2-positive`
    trial_name_prefixes: frozenset[str] = frozenset()  # lower case: `orient` of `ORIENT-GC`


def lexicon_path() -> Path:
    spec = importlib.util.find_spec(LEXICON_PACKAGE)  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package {LEXICON_PACKAGE!r} is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / LEXICON_FILE


def name_words(text: str) -> list[str]:
    """A name's tokens as our tokenizer splits it, without white space."""
    return [w for w in split_words(text)[0] if not w.isspace()]


def is_short_abbreviation(variant: str) -> bool:
    """A one-token name of at most 4 letters: matched only when written in capitals."""
    return variant.isalpha() and len(variant) <= 4


def _load_exclusions(path: Path) -> dict[str, Any]:
    data = load_json_strict(path)
    keys = {"require_any_id", "mesh_substance_trees", "variants", "canonicals", "code_name_prefixes", "not_drug_after", "non_drug_phrases", "trial_name_prefixes"}
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
    out["trial_name_prefixes"] = frozenset(w.lower() for w in data["trial_name_prefixes"])
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


PRODUCT_PARTS_RE = regex.compile(r"\s*/\s*|\s+and\s+")
DASHES = ("-", "\u2013")


def product_names(
    variants: dict[str, list[str]], names: dict[str, DrugEntry], excluded: set[str], entry_for: Callable[[str], DrugEntry | None]
) -> list[tuple[str, DrugEntry]]:
    """Fixed-dose two-drug products written with a hyphen: `sacubitril-valsartan`, `uracil-tegafur`.

    The package lists products as `sacubitril/valsartan` or `valsartan and sacubitril`; a
    slash or `and` between two names is two mentions by the guidelines, but a hyphen joins a
    product into one name (as BC5CDR and our gold do: `uracil-tegafur`, norm
    `tegafur-uracil`), while two drugs given together (`gemcitabine-cisplatin`) stay two.
    So each two-part product of known single names gives `a-b` and `b-a` (hyphen or en
    dash), meaning the product: by preference the entry with a DrugBank id, else the one
    named with a slash or hyphen.
    """
    best: dict[frozenset[str], DrugEntry] = {}
    for variant, canonicals in variants.items():
        if not canonicals or variant in excluded or not COMBINATION_NAME_RE.search(variant):
            continue
        parts = PRODUCT_PARTS_RE.split(variant)
        if len(parts) != 2 or parts[0] == parts[1] or not all(p in names and names[p].kind == "agent" for p in parts):
            continue
        entry = entry_for(canonicals[0])
        if entry is None:
            continue
        entry = replace(entry, kind="product")
        key = frozenset(parts)
        old = best.get(key)
        rank = (entry.drugbank_id is None, " and " in entry.norm, entry.norm)
        if old is None or rank < (old.drugbank_id is None, " and " in old.norm, old.norm):
            best[key] = entry
    out = []
    for parts, entry in sorted(best.items(), key=lambda kv: sorted(kv[0])):
        a, b = sorted(parts)
        for first, second in ((a, b), (b, a)):
            out += [(f"{first}{dash}{second}", entry) for dash in DASHES]
    return out


GREEK_LETTERS = {"alpha": "\u03b1", "alfa": "\u03b1", "beta": "\u03b2", "gamma": "\u03b3", "delta": "\u03b4", "kappa": "\u03ba", "omega": "\u03c9"}
GREEK_WORD_RE = regex.compile(r"(?<![a-z])(" + "|".join(GREEK_LETTERS) + r")(?![a-z])")
GREEK_CHARS = "".join(sorted(set(GREEK_LETTERS.values())))


def greek_forms(name: str) -> list[str]:
    """`interferon gamma-1b` -> `interferon γ-1b`, `interferon-γ-1b`, `interferon γ1b`, `interferon-γ1b`."""
    spelt = GREEK_WORD_RE.sub(lambda m: GREEK_LETTERS[m.group(1)], name)
    if spelt == name:
        return []
    forms = {spelt, regex.sub(f" (?=[{GREEK_CHARS}])", "-", spelt)}
    forms |= {regex.sub(f"(?<=[{GREEK_CHARS}])-(?=\\d)", "", f) for f in forms}
    return sorted(forms)


def greek_names(names: dict[str, DrugEntry]) -> list[tuple[str, DrugEntry]]:
    """Names with a Greek letter written as the letter (`interferon-γ`, `α-tocopherol`).

    Only names with another word of 4+ letters: `beta2` or `alpha-msh` as `β2`, `α-MSH`
    would match receptor and hormone names.
    """
    return [
        (form, entry)
        for name, entry in names.items()
        if entry.kind == "agent"
        for form in greek_forms(name)
        if any(w.isalpha() and len(w) >= 4 and not GREEK_WORD_RE.fullmatch(w) for w in name_words(name))
    ]


def build_lexicon(
    additions_path: str = str(DATA_DIR / ADDITIONS_FILE),
    exclusions_path: str = str(DATA_DIR / EXCLUSIONS_FILE),
    max_variant_tokens: int = 6,
) -> DrugLexicon:
    """The merged lexicon: package dictionary - exclusions + additions."""
    with bz2.open(lexicon_path(), "rb") as fh:
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
        trial_name_prefixes=excl["trial_name_prefixes"],
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
        words = name_words(variant)
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
            if rec.get("exact", False) or (len(name_words(name)) == 1 and is_short_abbreviation(name)):
                lex.by_exact[name] = entry
            else:
                lex.by_lower[name.lower()] = entry
    # written forms the sources lack; a name with the tokens of one already listed is left out
    listed = {tuple(w.lower() for w in name_words(name)) for name in lex.by_lower}
    for name, entry in [*product_names(raw["drug_variant_to_canonical"], lex.by_lower, excl["variants"], entry_for), *greek_names(lex.by_lower)]:
        tokens = tuple(w.lower() for w in name_words(name))
        if tokens not in listed:
            listed.add(tokens)
            lex.by_lower[name] = entry
    return lex


load_lexicon = lru_cache(maxsize=4)(build_lexicon)  # the same, built once per process and arguments


@lru_cache(maxsize=1)
def salt_words() -> frozenset[str]:
    """Salt and form words that join a drug name written right before them (`drug_salts.json`)."""
    data = load_json_strict(DATA_DIR / SALTS_FILE)
    check_keys(data, {"version", "words"}, {"description"}, SALTS_FILE)
    words = [w.lower() for w in data["words"]]
    if len(set(words)) != len(words):
        raise DataFileError(f"{SALTS_FILE}: a salt word is listed twice")
    return frozenset(words)

