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
them to the Doc (see docs/section-model.md)."""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline import _extensions  # noqa: F401  (registers the extensions)
from pipeline._extensions import SECTIONS_KEY, doc_text
from pipeline.components.heading_map import LABELS, UNASSIGNED, load_heading_map
from pipeline.components.section_model import load_section_model, smooth_labels
from pipeline.components.sentences import sentence_tokens
from pipeline.datafiles import (
    DataFileError,
    check_keys,
    loads_strict,
    package_data_text,
)

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


SECTION_CUES_FILE = "section_cues.json"


@lru_cache(maxsize=1)
def section_cues() -> tuple[tuple[re.Pattern, str, float], ...]:
    """The cue phrases of pipeline/data/section_cues.json, compiled and checked."""
    data = loads_strict(package_data_text(SECTION_CUES_FILE), SECTION_CUES_FILE)
    check_keys(data, {"version", "description", "cues"}, set(), SECTION_CUES_FILE)
    out = []
    for i, cue in enumerate(data["cues"]):
        where = f"{SECTION_CUES_FILE}: cues[{i}]"
        check_keys(cue, {"pattern", "label", "weight"}, set(), where)
        if cue["label"] not in LABELS or not isinstance(cue["weight"], (int, float)):
            raise DataFileError(f"{where}: label must be one of {LABELS} and weight a number")
        try:
            out.append((re.compile(cue["pattern"], re.I), cue["label"], float(cue["weight"])))
        except re.error as exc:
            raise DataFileError(f"{where}: pattern does not compile ({exc})") from None
    return tuple(out)


def cue_scores(text: str, position: float, is_last: bool) -> list[float]:
    """Heuristic label distribution of one unit (paragraph or sentence) of an abstract.

    `position` is the unit's relative position (0 = first, 1 = last). Position gives a
    prior (early -> BACKGROUND/OBJECTIVE, late -> RESULTS/CONCLUSIONS), cue words add
    evidence; the result is a probability vector over `LABELS`.
    """
    centres = (0.0, 0.1, 0.35, 0.65, 1.0)
    scores = [-4.0 * abs(position - c) for c in centres]
    for pattern, label, weight in section_cues():
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
    bounds = sentence_tokens(doc)
    return [doc[a:b] for a, b in bounds] if bounds is not None else [doc[:]]


def _make_span(doc: Doc, section: Section) -> Optional[Span]:
    span = doc.char_span(section.start, section.end, label=section.label or UNASSIGNED, alignment_mode="expand")
    if span is None or not doc_text(doc)[span.start_char : span.end_char].strip():  # `span.text` joins Token objects
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

            path = Path(self.model_path)
            if not path.is_absolute() and not path.exists():
                path = Path(__file__).resolve().parents[2] / path
            self._model = load_section_model(path)
        return self._model

    def __call__(self, doc: Doc) -> Doc:
        if doc._.segment != "abstract" or not doc_text(doc).strip():
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
        paragraphs = [p for p in (_trim(doc_text(doc), s, e) for s, e in (doc._.paragraphs or [])) if p[1] > p[0]]
        if len(paragraphs) >= 2:
            return self._by_paragraph(doc, paragraphs)
        return self._by_sentence(doc)

    def _sentences_in(self, doc: Doc, start: int, end: int) -> list[Span]:
        out = []
        text = doc_text(doc)  # a join over every token: read once, not per sentence
        for sent in _sentences(doc):
            if sent.end_char <= start or sent.start_char >= end:
                continue
            s, e = _trim(text, max(sent.start_char, start), min(sent.end_char, end))
            if e > s:
                out.append(doc.char_span(s, e, alignment_mode="expand"))
        return [s for s in out if s is not None]

    def _unit_probabilities(self, doc: Doc, units: list[tuple[int, int]]) -> Optional[list[list[float]]]:
        """Per-unit label probabilities from the model: sentence log-probabilities summed."""
        model = self.model
        if model is None:
            return None
        # only sentences of the units (a heading is a sentence of its own: leave it out); a
        # sentence belongs to the unit it starts in and to every unit that starts inside it
        starts = [start for start, _ in units]

        def units_of(sent: Span) -> list[int]:
            found = list(range(bisect_right(starts, sent.start_char), bisect_left(starts, sent.end_char)))
            inside = bisect_right(starts, sent.start_char) - 1
            if inside >= 0 and sent.start_char < units[inside][1]:
                found.append(inside)
            return found

        members = [(s, units_of(s)) for s in _sentences(doc)]
        members = [(s, found) for s, found in members if found and s.text.strip()]
        sent_probs = model.predict_sentences([s for s, _ in members]) if members else []
        logs_of = [[0.0] * len(LABELS) for _ in units]
        for (_, found), probs in zip(members, sent_probs):
            for i in found:
                for k, p in enumerate(probs):
                    logs_of[i][k] += math.log(max(p, 1e-6))
        out = []
        for logs in logs_of:
            top = max(logs)
            exp = [math.exp(v - top) for v in logs]
            out.append([v / sum(exp) for v in exp])
        return out

    def _probabilities(self, doc: Doc, units: list[tuple[int, int]], heuristic_source: str) -> tuple[list[list[float]], str]:
        probabilities = self._unit_probabilities(doc, units)
        if probabilities is not None:
            return probabilities, "model"
        return cue_probabilities([doc_text(doc)[s:e] for s, e in units]), heuristic_source

    def _label(self, doc: Doc, units: list[tuple[int, int]], heuristic_source: str) -> tuple[list[str], str]:
        probabilities, source = self._probabilities(doc, units, heuristic_source)
        return [LABELS[j] for j in smooth_labels(probabilities)], source

    def _with_headings(self, doc: Doc, headings: list) -> list[Section]:
        sections = sections_from_headings(doc_text(doc), headings)
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
        start, end = _trim(doc_text(doc), 0, len(doc_text(doc)))
        sents = self._sentences_in(doc, start, end)
        if not sents:
            return [Section(start, end, UNASSIGNED, None, "sentence")]
        units = [(s.start_char, s.end_char) for s in sents]
        labels, source = self._label(doc, units, "sentence")
        return merge_runs(doc_text(doc), units, labels, source)


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
