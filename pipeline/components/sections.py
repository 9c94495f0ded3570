"""Abstract sections (component `abstracts_sections`).

Sets `doc.spans["sections"]` on an abstract Doc (a title Doc is left alone): contiguous
Spans covering the abstract text without its headings, each labelled with an NLM category
(BACKGROUND, OBJECTIVE, METHODS, RESULTS, CONCLUSIONS, or UNASSIGNED), with
`Span._.heading` (heading text or None) and `Span._.section_source`:

- "xml": the source stated the category (`Heading.category`, e.g. PubMed NlmCategory);
- "heading": the author heading was mapped with `pipeline/data/heading_map.json`;
- "model": the trained sentence classifier (`pipeline.components.section_model`) chose the label;
- "paragraph" / "sentence": the cue-word heuristic chose it (no model configured).

Without headings the labels follow the canonical order BACKGROUND <= OBJECTIVE <= METHODS
<= RESULTS <= CONCLUSIONS (`smooth_labels`); administrative closing sections ("Trial
registration", "Funding": BACKGROUND, flagged as trailers in the map) stay out of that
order. UNASSIGNED only marks an abstract with no sentence at all.

The algorithms are pure functions (`heading_category`, `sections_from_headings`,
`smooth_labels`, `cue_scores`, `label_units`, `merge_runs`); the component only connects
them to the Doc (see docs/section-model.md).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline import _extensions  # noqa: F401  (registers the extensions)
from pipeline._extensions import SECTIONS_KEY
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
        parts = [normalize_heading(p) for p in _JOINERS_RE.split(lowered)]
        parts = [p for p in parts if p]
        if len(parts) >= 2:
            found = [self.categories.get(p) for p in parts]
            if all(c in LABELS for c in found):
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


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class Section:
    start: int  # Doc-relative character offsets, never on white space
    end: int
    label: Optional[str]  # None: heading not known, to be decided by the model/heuristic
    heading: Optional[str] = None
    source: str = "heading"
    trailer: bool = False  # administrative closing section: outside the canonical order


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sections_from_headings(text: str, headings: Sequence) -> list[Section]:
    """One section per heading, from its body to the next heading; text before the first
    heading (if any) is a section without heading (label None).

    A heading's `category` (stated by the source) wins over the map; a missing or
    UNASSIGNED category falls back to `heading_category`. Sections whose label stays None
    must be labelled by the caller.
    """
    ordered = sorted(headings, key=lambda h: h.start)
    sections: list[Section] = []
    if not ordered:
        return sections
    start, end = _trim(text, 0, ordered[0].start)
    if end > start:
        sections.append(Section(start, end, None, None, "heading"))
    for i, heading in enumerate(ordered):
        stop = ordered[i + 1].start if i + 1 < len(ordered) else len(text)
        start, end = _trim(text, heading.body_start, stop)
        if end <= start:
            continue
        stated = heading.category.upper() if isinstance(heading.category, str) else None
        category, trailer = load_heading_map().entry(heading.text)
        if stated in LABELS:
            sections.append(Section(start, end, stated, heading.text, "xml", trailer))
        else:
            sections.append(Section(start, end, category, heading.text, "heading", trailer))
    return sections


def smooth_labels(probabilities: Sequence[Sequence[float]], floor: float = 1e-6) -> list[int]:
    """Most probable label sequence that never goes back in the canonical order.

    `probabilities[i][k]` is P(label k | unit i) with k indexing `LABELS`. A Viterbi pass
    over log-probabilities with the constraint label[i] <= label[i+1]; returns one label
    index per unit.
    """
    n = len(probabilities)
    if n == 0:
        return []
    k = len(probabilities[0])
    logp = [[math.log(max(float(p), floor)) for p in row] for row in probabilities]
    best = [logp[0][:]]
    back: list[list[int]] = [[0] * k]
    for i in range(1, n):
        row, ptr = [], []
        run_best, run_arg = -math.inf, 0
        for j in range(k):
            if best[i - 1][j] > run_best:
                run_best, run_arg = best[i - 1][j], j
            row.append(run_best + logp[i][j])
            ptr.append(run_arg)
        best.append(row)
        back.append(ptr)
    j = max(range(k), key=lambda x: best[-1][x])
    path = [j]
    for i in range(n - 1, 0, -1):
        j = back[i][j]
        path.append(j)
    return path[::-1]


# Cue words for the heuristic (no trained model): phrase -> label, matched case-insensitively.
_CUES: tuple[tuple[re.Pattern, str, float], ...] = tuple(
    (re.compile(pattern, re.I), label, weight)
    for pattern, label, weight in (
        (r"\b(?:we|this study|the present study|the current study) (?:report|aimed|aim|sought|investigated|evaluated|assessed|examined|compared|hypothesi[sz]ed)\b", "OBJECTIVE", 2.0),
        (r"\b(?:the )?(?:aim|purpose|objective|goal)s? of (?:this|the|our)\b", "OBJECTIVE", 2.0),
        (r"\bprincipal aim\b|\bto (?:determine|evaluate|assess|investigate|compare) (?:whether|the)\b", "OBJECTIVE", 1.5),
        (r"\b(?:patients|participants|subjects) (?:were|was) (?:randomi[sz]ed|enrolled|included|treated|assigned|recruited)\b", "METHODS", 2.0),
        (r"\bwere (?:treated|randomi[sz]ed|assessed|analy[sz]ed|measured|recorded|evaluated|reviewed)\b|\bretrospective(?:ly)?\b|\bprospective(?:ly)?\b|\bunderwent\b|\benrolled\b", "METHODS", 1.0),
        (r"\d+(?:\.\d+)?\s*%|\bmedian\b|\bp\s*[<=>]|\b95\s*%\s*ci\b|\bhazard ratio\b|\b(?:significantly|respectively)\b", "RESULTS", 1.0),
        (r"\bin conclusion\b|\bwe conclude\b|\bsuggests?\b|\bmay (?:be|offer|provide|improve)\b|\bshould be\b|\bwarrant", "CONCLUSIONS", 1.5),
        (r"\bremains? (?:unclear|controversial|unknown)\b|\bis (?:a|the) (?:common|leading|major)\b|\bhas been (?:shown|reported)\b", "BACKGROUND", 1.5),
    )
)


def cue_scores(text: str, position: float, is_last: bool) -> list[float]:
    """Heuristic label distribution of one unit (paragraph or sentence) of an abstract.

    `position` is the unit's relative position (0 = first, 1 = last). Position gives a
    prior (early -> BACKGROUND/OBJECTIVE, late -> RESULTS/CONCLUSIONS), cue words add
    evidence; the result is a probability vector over `LABELS`.
    """
    centres = (0.0, 0.1, 0.35, 0.65, 1.0)
    scores = [-4.0 * abs(position - c) for c in centres]
    for pattern, label, weight in _CUES:
        hits = len(pattern.findall(text))
        if hits:
            scores[LABELS.index(label)] += weight * min(hits, 3)
    if is_last:
        scores[LABELS.index("CONCLUSIONS")] += 2.0
    top = max(scores)
    exp = [math.exp(s - top) for s in scores]
    total = sum(exp)
    return [e / total for e in exp]


def cue_probabilities(texts: Sequence[str]) -> list[list[float]]:
    """`cue_scores` for consecutive units of one abstract."""
    n = len(texts)
    return [cue_scores(t, i / max(n - 1, 1), i == n - 1 and n > 1) for i, t in enumerate(texts)]


def label_units(texts: Sequence[str]) -> list[str]:
    """Monotone cue-word labels for consecutive units (paragraphs or sentences) of one abstract."""
    return [LABELS[j] for j in smooth_labels(cue_probabilities(texts))]


# --------------------------------------------------------------------------- component


def _sentences(doc: Doc) -> list[Span]:
    """The Doc's sentences; the whole Doc when no sentence boundaries were set."""
    if doc.has_annotation("SENT_START"):
        return list(doc.sents)
    return [doc[:]]


def _make_span(doc: Doc, section: Section) -> Optional[Span]:
    span = doc.char_span(section.start, section.end, label=section.label or UNASSIGNED, alignment_mode="expand")
    if span is None or not span.text.strip():
        return None
    span._.heading = section.heading
    span._.section_source = section.source
    return span


class SectionTagger:
    """Connects the pure section functions to a Doc; holds the (lazily loaded) model."""

    def __init__(self, nlp: Language, name: str, model_path: Optional[str] = None):
        self.name = name
        self.model_path = model_path
        self._model = None

    @property
    def model(self):
        """The section model, loaded on first use (a relative path that does not exist
        from the working directory is taken relative to the repository root)."""
        if self._model is None and self.model_path:
            from pipeline.components.section_model import load_section_model

            path = Path(self.model_path)
            if not path.is_absolute() and not path.exists():
                path = Path(__file__).resolve().parents[2] / path
            self._model = load_section_model(path)
        return self._model

    def __call__(self, doc: Doc) -> Doc:
        if doc._.segment != "abstract" or not doc.text.strip():
            return doc
        sections = self.sections(doc)
        spans = [s for s in (_make_span(doc, section) for section in sections) if s is not None]
        doc.spans[SECTIONS_KEY] = spans
        return doc

    # -- how each kind of abstract is cut

    def sections(self, doc: Doc) -> list[Section]:
        headings = doc._.headings or []
        if headings:
            return self._with_headings(doc, headings)
        paragraphs = [p for p in (_trim(doc.text, s, e) for s, e in (doc._.paragraphs or [])) if p[1] > p[0]]
        if len(paragraphs) >= 2:
            return self._by_paragraph(doc, paragraphs)
        return self._by_sentence(doc)

    def _sentences_in(self, doc: Doc, start: int, end: int) -> list[Span]:
        out = []
        for sent in _sentences(doc):
            if sent.end_char <= start or sent.start_char >= end:
                continue
            s, e = _trim(doc.text, max(sent.start_char, start), min(sent.end_char, end))
            if e > s:
                out.append(doc.char_span(s, e, alignment_mode="expand"))
        return [s for s in out if s is not None]

    def _unit_probabilities(self, doc: Doc, units: list[tuple[int, int]]) -> Optional[list[list[float]]]:
        """Per-unit label probabilities from the model: sentence log-probabilities summed."""
        model = self.model
        if model is None:
            return None
        # only sentences of the units (a heading is a sentence of its own: leave it out)
        all_sents = [
            s for s in _sentences(doc)
            if s.text.strip() and any(start <= s.start_char < end or s.start_char < start < s.end_char for start, end in units)
        ]
        sent_probs = model.predict_sentences(all_sents) if all_sents else []
        out = []
        for start, end in units:
            logs = [0.0] * len(LABELS)
            for sent, probs in zip(all_sents, sent_probs):
                if start <= sent.start_char < end or (sent.start_char < start < sent.end_char):
                    for k, p in enumerate(probs):
                        logs[k] += math.log(max(p, 1e-6))
            top = max(logs)
            exp = [math.exp(v - top) for v in logs]
            out.append([v / sum(exp) for v in exp])
        return out

    def _probabilities(self, doc: Doc, units: list[tuple[int, int]], heuristic_source: str) -> tuple[list[list[float]], str]:
        probabilities = self._unit_probabilities(doc, units)
        if probabilities is not None:
            return probabilities, "model"
        return cue_probabilities([doc.text[s:e] for s, e in units]), heuristic_source

    def _label(self, doc: Doc, units: list[tuple[int, int]], heuristic_source: str) -> tuple[list[str], str]:
        probabilities, source = self._probabilities(doc, units, heuristic_source)
        return [LABELS[j] for j in smooth_labels(probabilities)], source

    def _with_headings(self, doc: Doc, headings: list) -> list[Section]:
        sections = sections_from_headings(doc.text, headings)
        if all(s.label is not None for s in sections):
            return sections
        # Score the sections that take part in the order (all but trailers), pin the known
        # labels, and let the monotone pass choose the unknown ones between them.
        ordered = [i for i, s in enumerate(sections) if not s.trailer]
        probabilities, source = self._probabilities(doc, [(sections[i].start, sections[i].end) for i in ordered], "paragraph")
        for row, i in enumerate(ordered):
            if sections[i].label in LABELS:
                probabilities[row] = [1.0 if label == sections[i].label else 0.0 for label in LABELS]
        labels = [LABELS[j] for j in smooth_labels(probabilities)]
        out = list(sections)
        for row, i in enumerate(ordered):
            if sections[i].label is None:
                s = sections[i]
                out[i] = Section(s.start, s.end, labels[row], s.heading, source)
        return out

    def _by_paragraph(self, doc: Doc, paragraphs: list[tuple[int, int]]) -> list[Section]:
        labels, source = self._label(doc, paragraphs, "paragraph")
        return [Section(s, e, label, None, source) for (s, e), label in zip(paragraphs, labels)]

    def _by_sentence(self, doc: Doc) -> list[Section]:
        start, end = _trim(doc.text, 0, len(doc.text))
        sents = self._sentences_in(doc, start, end)
        if not sents:
            return [Section(start, end, UNASSIGNED, None, "sentence")]
        units = [(s.start_char, s.end_char) for s in sents]
        labels, source = self._label(doc, units, "sentence")
        return merge_runs(doc.text, units, labels, source)


def merge_runs(text: str, units: Sequence[tuple[int, int]], labels: Sequence[str], source: str) -> list[Section]:
    """Adjacent units with the same label become one section (gaps between them included)."""
    sections: list[Section] = []
    for (start, end), label in zip(units, labels):
        if sections and sections[-1].label == label:
            last = sections[-1]
            sections[-1] = Section(last.start, end, label, None, source)
        else:
            sections.append(Section(start, end, label, None, source))
    return sections


@Language.factory(
    "abstracts_sections",
    default_config={"model_path": None},
    requires=["token.is_sent_start"],
    assigns=["doc.spans"],
)
def make_section_tagger(nlp: Language, name: str, model_path: Optional[str]) -> SectionTagger:
    return SectionTagger(nlp, name, model_path=model_path)
