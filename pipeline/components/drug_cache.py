"""The drug lexicon compiled into a token index, and its on-disk cache.

`load_lexicon()` reads a 1.5 MB compressed dictionary of 47k names and filters it, which
takes seconds; a spaCy PhraseMatcher over those names took seconds more and ~260 MB per
process. The matcher only needs, for each name, its tokens (our tokenizer's, lower-cased
or as written) and what it means, so `compile_lexicon()` turns the lexicon into plain dicts
keyed by the spaCy hash of the first token (the LOWER or ORTH value a Doc already holds),
and `load_compiled_lexicon()` keeps that on disk:

- folder: `$ABSTRACTS_CACHE_DIR`, else `$XDG_CACHE_HOME/abstracts-pipeline`, else
  `~/.cache/abstracts-pipeline`;
- file: `drug-lexicon-<key>.pickle`, where the key hashes everything the index is made
  from: the cache format, our package version, spaCy's version (its string hash), the
  package dictionary file, our two data files, `max_variant_tokens` and the source of the
  modules that build the index (so an edited rule never meets a stale index);
- written to a temporary file in the same folder and renamed over the target, so workers
  that start together never read a half-written file (the last rename wins; all write the
  same bytes);
- read with an unpickler that refuses every class and function (the file holds only
  dicts, tuples, lists, strings, ints, None and bools), and rebuilt when unreadable;
- after a write, other cache files not written for 30 days (older versions) and
  temporary files left by killed processes are removed, so the folder stays small;
- when the folder cannot be created or written, the index is built in memory (a warning
  is logged) and extraction goes on.
"""

from __future__ import annotations

import gc
import hashlib
import io
import logging
import os
import pickle
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.strings import hash_string

import pipeline
from pipeline.components import drug_lexicon, tokenizer
from pipeline.components.drug_lexicon import (
    ADDITIONS_FILE,
    EXCLUSIONS_FILE,
    DrugEntry,
    DrugLexicon,
    build_lexicon,
    lexicon_path,
)
from pipeline.components.tokenizer import split_words
from pipeline.datafiles import DATA_DIR

log = logging.getLogger(__name__)

CACHE_FORMAT = 2
CACHE_PREFIX = "drug-lexicon-"
CACHE_SUFFIX = ".pickle"
STALE_SECONDS = 30 * 24 * 3600  # other keys' files older than this are removed after a write

# Keys are spaCy string hashes of tokens (token.lower / token.orth).
# first token -> entry id (one-token names); first token -> (lengths of the rest, {rest: entry id})
SingleIndex = dict[int, int]
MultiIndex = dict[int, tuple[tuple[int, ...], dict[tuple[int, ...], int]]]


@dataclass
class CompiledLexicon:
    """The lexicon as the matcher uses it: token sequences -> entries, plus the rule word sets.

    A name is its sequence of tokens as our tokenizer splits it (white-space tokens
    included, as a PhraseMatcher would see them), each token as its spaCy string hash;
    `lower_*` hold lower-cased tokens, `exact_*` tokens as written. The entry of a sequence
    is the one the lexicon gives the last name with the same non-space tokens (`5-fu` and
    `5 - fu` are one name).
    """

    entries: list[DrugEntry]
    lower_single: SingleIndex
    lower_multi: MultiIndex
    exact_single: SingleIndex
    exact_multi: MultiIndex
    context_words: frozenset[str] = frozenset()
    code_name_exclusions: frozenset[str] = frozenset()
    excluded_variants: frozenset[str] = frozenset()
    not_drug_after: frozenset[str] = frozenset()
    trial_name_prefixes: frozenset[str] = frozenset()
    source: str = field(default="memory", compare=False)  # memory | built | cache (how it was loaded)

    def lookup(self, name: str, lower: bool = True) -> DrugEntry | None:
        """The entry of a name written as in the lexicon (tests and debugging)."""
        tokens = token_hashes(name, lower)
        single, multi = (self.lower_single, self.lower_multi) if lower else (self.exact_single, self.exact_multi)
        if len(tokens) == 1:
            eid = single.get(tokens[0])
        else:
            eid = multi.get(tokens[0], ((), {}))[1].get(tokens[1:])
        return None if eid is None else self.entries[eid]

    def __len__(self) -> int:
        return len(self.lower_single) + len(self.exact_single) + sum(
            len(rest) for index in (self.lower_multi, self.exact_multi) for _lengths, rest in index.values()
        )


def token_hashes(name: str, lower: bool) -> tuple[int, ...]:
    """A name's tokens (our tokenizer, white space included) as spaCy LOWER or ORTH hashes."""
    return tuple(hash_string(w.lower() if lower else w) for w in split_words(name)[0])


def compile_lexicon(lexicon: DrugLexicon) -> CompiledLexicon:
    """Index every lexicon name by its tokens (pure: the same lexicon gives the same index)."""
    entry_ids: dict[DrugEntry, int] = {}
    entries: list[DrugEntry] = []

    def entry_id(entry: DrugEntry) -> int:
        if entry not in entry_ids:
            entry_ids[entry] = len(entries)
            entries.append(entry)
        return entry_ids[entry]

    def index(names: dict[str, DrugEntry], lower: bool) -> tuple[SingleIndex, MultiIndex]:
        sequences: dict[tuple[int, ...], tuple[str, ...]] = {}  # token hashes -> the name's key
        by_key: dict[tuple[str, ...], DrugEntry] = {}  # non-space tokens -> entry (last name wins)
        for name, entry in names.items():
            words = [w.lower() for w in split_words(name)[0]] if lower else split_words(name)[0]
            key = tuple(w for w in words if not w.isspace())
            sequences[tuple(hash_string(w) for w in words)] = key
            by_key[key] = entry
        single: SingleIndex = {}
        multi_rest: dict[int, dict[tuple[int, ...], int]] = {}
        for tokens, key in sequences.items():
            eid = entry_id(by_key[key])
            if len(tokens) == 1:
                single[tokens[0]] = eid
            else:
                multi_rest.setdefault(tokens[0], {})[tokens[1:]] = eid
        multi: MultiIndex = {
            first: (tuple(sorted({len(rest) for rest in rests})), rests) for first, rests in multi_rest.items()
        }
        return single, multi

    lower_single, lower_multi = index(lexicon.by_lower, lower=True)
    exact_single, exact_multi = index(lexicon.by_exact, lower=False)
    return CompiledLexicon(
        entries=entries,
        lower_single=lower_single,
        lower_multi=lower_multi,
        exact_single=exact_single,
        exact_multi=exact_multi,
        context_words=lexicon.context_words,
        code_name_exclusions=lexicon.code_name_exclusions,
        excluded_variants=lexicon.excluded_variants,
        not_drug_after=lexicon.not_drug_after,
        trial_name_prefixes=lexicon.trial_name_prefixes,
    )


# --- the cache file ---------------------------------------------------------------------


def cache_dir() -> Path:
    """`$ABSTRACTS_CACHE_DIR`, else `$XDG_CACHE_HOME/abstracts-pipeline`, else `~/.cache/abstracts-pipeline`."""
    explicit = os.environ.get("ABSTRACTS_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "abstracts-pipeline"


def cache_key(additions: str | Path, exclusions: str | Path, max_variant_tokens: int) -> str:
    """A hash of everything the compiled index depends on."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    add("format", str(CACHE_FORMAT).encode())
    add("version", pipeline.__version__.encode())
    add("spacy", spacy.__version__.encode())
    add("max_variant_tokens", str(max_variant_tokens).encode())
    add("package_dictionary", lexicon_path().read_bytes())
    add("additions", Path(additions).read_bytes())
    add("exclusions", Path(exclusions).read_bytes())
    for module in (drug_lexicon, tokenizer, sys.modules[__name__]):
        add(module.__name__, Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:32]


def cache_path(key: str, folder: Path | None = None) -> Path:
    return (folder or cache_dir()) / f"{CACHE_PREFIX}{key}{CACHE_SUFFIX}"


def _to_payload(compiled: CompiledLexicon, key: str) -> dict[str, Any]:
    """Only builtin types, so the file can be read without importing any class."""
    return {
        "format": CACHE_FORMAT,
        "key": key,
        "entries": [(e.norm, e.drugbank_id, e.mesh_id, e.kind, e.needs_context) for e in compiled.entries],
        "lower_single": compiled.lower_single,
        "lower_multi": compiled.lower_multi,
        "exact_single": compiled.exact_single,
        "exact_multi": compiled.exact_multi,
        "context_words": sorted(compiled.context_words),
        "code_name_exclusions": sorted(compiled.code_name_exclusions),
        "excluded_variants": sorted(compiled.excluded_variants),
        "not_drug_after": sorted(compiled.not_drug_after),
        "trial_name_prefixes": sorted(compiled.trial_name_prefixes),
    }


def _from_payload(payload: Any, key: str) -> CompiledLexicon:
    if not isinstance(payload, dict) or payload.get("format") != CACHE_FORMAT or payload.get("key") != key:
        raise ValueError("not a drug lexicon cache of this version")
    return CompiledLexicon(
        entries=[DrugEntry(norm, drugbank_id, mesh_id, kind, needs_context) for norm, drugbank_id, mesh_id, kind, needs_context in payload["entries"]],
        lower_single=payload["lower_single"],
        lower_multi=payload["lower_multi"],
        exact_single=payload["exact_single"],
        exact_multi=payload["exact_multi"],
        context_words=frozenset(payload["context_words"]),
        code_name_exclusions=frozenset(payload["code_name_exclusions"]),
        excluded_variants=frozenset(payload["excluded_variants"]),
        not_drug_after=frozenset(payload["not_drug_after"]),
        trial_name_prefixes=frozenset(payload["trial_name_prefixes"]),
        source="cache",
    )


class _BuiltinsOnlyUnpickler(pickle.Unpickler):
    """Refuses every global: a tampered cache file cannot name a function to call."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"the drug lexicon cache may not reference {module}.{name}")


def read_cache(path: Path, key: str) -> CompiledLexicon | None:
    """The compiled lexicon stored at `path`, or None when it is missing, stale or unreadable."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    collecting = gc.isenabled()
    gc.disable()  # ~50k new containers: the collector's passes would triple the load time
    try:
        return _from_payload(_BuiltinsOnlyUnpickler(io.BytesIO(data)).load(), key)
    except Exception as err:  # noqa: BLE001  (any damage means: rebuild)
        log.warning("drug lexicon cache %s is unreadable (%s); rebuilding it", path, err)
        return None
    finally:
        if collecting:
            gc.enable()


def write_cache(path: Path, compiled: CompiledLexicon, key: str) -> bool:
    """Write atomically (temporary file + rename in the same folder); False when it cannot."""
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=path.name + ".", suffix=".tmp", delete=False) as fh:
            tmp_name = fh.name
            pickle.dump(_to_payload(compiled, key), fh, protocol=pickle.HIGHEST_PROTOCOL)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except OSError as err:
        log.warning("drug lexicon cache not written to %s (%s); using the lexicon built in memory", path.parent, err)
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
        return False
    prune_cache(path.parent, keep=path)
    return True


def prune_cache(folder: Path, keep: Path, now: float | None = None) -> list[Path]:
    """Remove other lexicon cache files (and temporary ones) not written for `STALE_SECONDS`."""
    now = time.time() if now is None else now
    removed = []
    for other in folder.glob(f"{CACHE_PREFIX}*"):
        if other == keep or not (other.name.endswith(CACHE_SUFFIX) or other.name.endswith(".tmp")):
            continue
        try:
            if now - other.stat().st_mtime > STALE_SECONDS:
                other.unlink()
                removed.append(other)
        except OSError:  # another process removed or replaced it first
            pass
    return removed


def compiled_lexicon(
    additions: str = str(DATA_DIR / ADDITIONS_FILE),
    exclusions: str = str(DATA_DIR / EXCLUSIONS_FILE),
    max_variant_tokens: int = 6,
    folder: str | None = None,
) -> CompiledLexicon:
    """The compiled lexicon, from the cache in `folder` (default `cache_dir()`) when it is
    current, else built and stored there (or only built, when the folder is not writable)."""
    key = cache_key(additions, exclusions, max_variant_tokens)
    path = cache_path(key, Path(folder) if folder else None)
    cached = read_cache(path, key)
    if cached is not None:
        return cached
    compiled = compile_lexicon(build_lexicon(additions, exclusions, max_variant_tokens))
    compiled.source = "built" if write_cache(path, compiled, key) else "memory"
    return compiled


load_compiled_lexicon = lru_cache(maxsize=4)(compiled_lexicon)  # once per process and arguments
