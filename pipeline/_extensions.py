"""All custom Doc and Span extensions, declared in one place.

A pipeline Doc holds one *segment* of the source text: the title or the abstract.
- `Doc._.segment`: "title" or "abstract".
- `Doc._.segment_start`: offset of the Doc text in the article's source text; add it to
  `Span.start_char` to get source offsets.
- `Doc._.headings`: list of `article.Heading` inside this segment, with offsets already
  relative to the Doc text (set by the caller before the components run).
- `Doc._.paragraphs`: list of (start_char, end_char) paragraph ranges, Doc-relative.
- `doc.spans["sections"]`: one Span per section, label = NLM category; `Span._.heading`
  is the heading text or None; `Span._.section_source` says how the label was decided
  ("heading", "xml", "model", "paragraph", "sentence").
- `doc.spans["entities"]`: DRUG / DOSE / SURVIVAL / HAZARD_RATIO spans; `Span._.attrs`
  is the attribute dict defined by the annotation guidelines.
- `Span._.section`: getter, the label of the section the span sits in (or None).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

SECTIONS_KEY = "sections"
ENTITIES_KEY = "entities"
TEXT_KEY = "abstracts_text"


def doc_text(doc: Doc) -> str:
    """`doc.text`, kept in `doc.user_data` after the first read.

    spaCy builds `doc.text` by joining every token (one Token object each), and several
    components need the text: read once per Doc, not once per component. A Doc's text never
    changes (retokenizing keeps it), and the kept copy is checked against the Doc's length."""
    kept = doc.user_data.get(TEXT_KEY)
    if kept is not None and len(doc) and len(kept) == doc[-1].idx + len(doc[-1].text_with_ws):
        return kept
    text = doc.text
    doc.user_data[TEXT_KEY] = text
    return text


def section_bounds(doc: Doc) -> list[tuple[int, int, str]]:
    """(start_char, end_char, label) of each section Span of the Doc, in order."""
    return [(s.start_char, s.end_char, s.label_) for s in doc.spans.get(SECTIONS_KEY, [])]


def section_at(bounds: list[tuple[int, int, str]], start_char: int) -> str | None:
    """The label of the first section holding `start_char` (`section_bounds`), or None."""
    return next((label for a, b, label in bounds if a <= start_char < b), None)


def _section_of(span: Span) -> str | None:
    return section_at(section_bounds(span.doc), span.start_char)


def register() -> None:
    """Idempotent registration (no `force=True`: a clash with another package is a bug)."""
    for name, default in (("segment", "abstract"), ("segment_start", 0), ("headings", None), ("paragraphs", None)):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    if not Span.has_extension("heading"):
        Span.set_extension("heading", default=None)
    if not Span.has_extension("section_source"):
        Span.set_extension("section_source", default=None)
    if not Span.has_extension("attrs"):
        Span.set_extension("attrs", default=None)
    if not Span.has_extension("section"):
        Span.set_extension("section", getter=_section_of)


register()
