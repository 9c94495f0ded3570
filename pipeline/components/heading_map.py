"""The section categories and the heading map (pipeline/data/heading_map.json): author headings
to NLM categories, shared by the cleaner, the sections component and the section model.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Optional

from pipeline.datafiles import DataFileError, loads_strict

# Canonical order of an abstract; the smoothing never goes backwards in this list.
LABELS: tuple[str, ...] = ("BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS")
UNASSIGNED = "UNASSIGNED"

HEADING_MAP_FILE = "heading_map.json"

# Words that do not change what a heading means ("Aim of the study" == "Aim study").
_FILLER_WORDS = frozenset({"and", "or", "the", "of", "a", "an", "this", "our"})
# Separators that join two headings into one ("Background/Aims", "Methods & Results").
_JOINERS_RE = re.compile(r"[/&,;+|]|\band\b|\bor\b")
_WORD_RE = re.compile(r"[a-z0-9]+")
# A heading is short; anything longer is a sentence, not a heading.
MAX_HEADING_WORDS = 9


# --------------------------------------------------------------------------- heading map


class HeadingMapError(DataFileError):
    """The heading map data file is malformed."""


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "is", "us")):
        return word[:-1]
    return word


def normalize_heading(text: str) -> str:
    """The lookup key of a heading: lower case, words only; fillers, numbering and plural -s dropped.

    >>> normalize_heading("PATIENTS AND METHODS:")
    'patient method'
    >>> normalize_heading("Conclusion(s)")
    'conclusion'
    """
    text = unicodedata.normalize("NFKC", text).lower().replace("(s)", "s")
    text = text.replace("&", " and ").replace("\u2019", "'")
    words = [
        _singular(w) for w in _WORD_RE.findall(text.replace("'", "")) if w not in _FILLER_WORDS and not w.isdigit()
    ]
    return " ".join(words)


@dataclass(frozen=True)
class HeadingMap:
    """Normalised heading -> category (None = known heading that opens no section)."""

    categories: dict[str, Optional[str]]
    trailers: frozenset[str]  # keys of administrative closing sections (registration, funding)
    modifiers: frozenset[str]
    joined_precedence: tuple[str, ...]
    records: tuple[dict, ...]

    @classmethod
    def from_dict(cls, data: dict) -> "HeadingMap":
        allowed_top = {"version", "description", "modifiers", "joined_precedence", "headings"}
        if not isinstance(data, dict) or set(data) - allowed_top or "headings" not in data:
            raise HeadingMapError(f"{HEADING_MAP_FILE}: top-level keys must be {sorted(allowed_top)}")
        if data.get("version") != 1:
            raise HeadingMapError(f"{HEADING_MAP_FILE}: unsupported version {data.get('version')!r}")
        modifiers = data.get("modifiers", [])
        if not all(isinstance(m, str) and m == normalize_heading(m) for m in modifiers):
            raise HeadingMapError(f"{HEADING_MAP_FILE}: modifiers must be normalised single words")
        precedence = data.get("joined_precedence", list(LABELS))
        if sorted(precedence) != sorted(LABELS):
            raise HeadingMapError(f"{HEADING_MAP_FILE}: joined_precedence must list each of {LABELS} once")
        allowed = {"heading", "category", "trailer", "differs_from_nlm", "why"}
        categories: dict[str, Optional[str]] = {}
        trailers: set[str] = set()
        for i, record in enumerate(data["headings"]):
            if not isinstance(record, dict):
                raise HeadingMapError(f"{HEADING_MAP_FILE}: record {i} is not an object")
            unknown = set(record) - allowed
            if unknown:
                raise HeadingMapError(f"{HEADING_MAP_FILE}: record {i} has unknown keys {sorted(unknown)}")
            if "heading" not in record or "category" not in record:
                raise HeadingMapError(f"{HEADING_MAP_FILE}: record {i} needs 'heading' and 'category'")
            heading, category = record["heading"], record["category"]
            if not isinstance(heading, str) or not heading.strip():
                raise HeadingMapError(f"{HEADING_MAP_FILE}: record {i} has an empty heading")
            if category is not None and category not in LABELS:
                raise HeadingMapError(f"{HEADING_MAP_FILE}: record {i} ({heading!r}) has bad category {category!r}")
            if not isinstance(record.get("trailer", False), bool) or (record.get("trailer") and category is None):
                raise HeadingMapError(f"{HEADING_MAP_FILE}: record {i} ({heading!r}): trailer must be true/false, with a category")
            for note in ("differs_from_nlm", "why"):
                if note in record and not (isinstance(record[note], str) and record[note].strip()):
                    raise HeadingMapError(f"{HEADING_MAP_FILE}: record {i} ({heading!r}): {note} must be text")
            key = normalize_heading(heading)
            if not key:
                raise HeadingMapError(f"{HEADING_MAP_FILE}: record {i} ({heading!r}) normalises to nothing")
            if key in categories:
                raise HeadingMapError(f"{HEADING_MAP_FILE}: record {i} ({heading!r}) repeats key {key!r}")
            categories[key] = category
            if record.get("trailer"):
                trailers.add(key)
        return cls(
            categories=categories,
            trailers=frozenset(trailers),
            modifiers=frozenset(modifiers),
            joined_precedence=tuple(precedence),
            records=tuple(data["headings"]),
        )

    @classmethod
    def from_json(cls, text: str) -> "HeadingMap":
        try:
            data = loads_strict(text, HEADING_MAP_FILE)
        except DataFileError as err:
            raise HeadingMapError(str(err)) from None
        return cls.from_dict(data)

    def lookup(self, text: str) -> Optional[str]:
        """Category of a heading as written, or None when it is not a known section heading."""
        return self.entry(text)[0]

    def is_trailer(self, text: str) -> bool:
        """True for an administrative closing heading ("Trial registration", "Funding")."""
        return self.entry(text)[1]

    def entry(self, text: str) -> tuple[Optional[str], bool]:
        """(category, trailer) of a heading as written."""
        key = normalize_heading(text)
        if not key or len(key.split()) > MAX_HEADING_WORDS:
            return None, False
        if key in self.categories:
            return self.categories[key], key in self.trailers
        # "Study aims", "Main findings": drop a leading modifier and retry.
        words = key.split()
        if len(words) > 1 and words[0] in self.modifiers:
            rest = " ".join(words[1:])
            if rest in self.categories:
                return self.categories[rest], rest in self.trailers
        # "Purpose/Methods", "Methods and outcomes": every part known -> the part category
        # ranked first in joined_precedence (agrees with NLM on ~97% of its joined labels).
        lowered = unicodedata.normalize("NFKC", text).lower().replace("(s)", "s")
        if not _JOINERS_RE.search(lowered):
            return None, False  # one part at most
        parts, found = [], []
        for piece in _JOINERS_RE.split(lowered):
            part = normalize_heading(piece)
            if not part:
                continue
            category = self.categories.get(part)
            if category not in LABELS:
                return None, False  # a part that is no heading: the rest is not read
            parts.append(part)
            found.append(category)
        if len(parts) >= 2:
            return min(found, key=self.joined_precedence.index), all(p in self.trailers for p in parts)
        return None, False


@lru_cache(maxsize=1)
def load_heading_map() -> HeadingMap:
    """The shipped heading map, validated (raises HeadingMapError when malformed)."""
    text = resources.files("pipeline").joinpath("data", HEADING_MAP_FILE).read_text(encoding="utf-8")
    return HeadingMap.from_json(text)


def heading_category(text: str) -> Optional[str]:
    """NLM category of an author heading ("Patients and methods" -> "METHODS").

    Case, punctuation, white space, numbering, plural -s and joiners are ignored. Returns
    one of BACKGROUND, OBJECTIVE, METHODS, RESULTS, CONCLUSIONS (administrative closing
    headings such as "Trial registration" and "Funding" are BACKGROUND, as NLM files them;
    see `is_trailer_heading`), or None when the text is not a known abstract heading
    (including "Abstract", "Summary", "Keywords", which title or follow the abstract
    rather than open a section).
    """
    return load_heading_map().lookup(text)


def is_trailer_heading(text: str) -> bool:
    """True for an administrative heading that closes an abstract (registration, funding)."""
    return load_heading_map().is_trailer(text)
