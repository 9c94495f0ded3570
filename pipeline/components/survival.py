"""SURVIVAL tagging (component `abstracts_survival`).

Sets: `doc.spans["entities"]` gets one Span per reported survival figure, label "SURVIVAL",
with `Span._.attrs` holding the guideline attributes (`endpoint`, `scope`, `measure`,
`horizon`, `value`, `unit`, `ci`, `range`, `p`, `group`, `qualifier`; extras `se`, `iqr`).
`doc.user_data["survival_misaligned"]` counts figures dropped because their characters did
not fall on token edges (should stay 0 with pipeline.components.tokenizer).

The algorithm is the pure function `find_survival_figures(text, sentences)`:
1. cue phrases come from `data/survival_terms.json`: endpoint phrases (OS, PFS, ...),
   blockers (follow-up, hospital stay, response rate, toxicity, age, ...) and boundaries
   (hazard / odds ratios); abbreviations the text defines for a cue (`(nPFS)`) count too,
   and so do shortened endpoints that lead a list closed by an endpoint phrase
   (`disease-specific` in `disease-specific and overall survival`);
2. in each sentence, confidence intervals, ranges, p-values, time points (`3-year`,
   `at 12 months`) and counts are set aside, then numbers with a time or % unit are read
   as chains that may share one trailing unit (`4.4 and 4.5 months`);
3. a value belongs to the nearest cue before it; it is SURVIVAL when that cue is an
   endpoint (coordinated endpoints and "respectively" distribute the values), never when
   it is a blocker, and never in a sentence that states a hypothesis (sample size, power).
Modules: survival_terms (the data file and compiled lexicon), stat_patterns (numbers,
intervals, p-values; shared with pipeline.components.hazard_ratios), survival_values
(step 2: one sentence's values and context), survival_assign (step 3: governing cues,
groups, attributes); this module puts them together and is the spaCy component.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Iterable

from spacy.language import Language
from spacy.tokens import Doc

from pipeline import _extensions  # noqa: F401  (registers the extensions)
from pipeline._extensions import ENTITIES_KEY, doc_text
from pipeline.components.sentences import (
    bounded_sentences,
    sentence_ranges,
    split_sentences,
)
from pipeline.components.stat_patterns import _rx, trim_span
from pipeline.components.survival_assign import (
    _ALIVE_RE,
    _alive_figures,
    _assign,
    _block_figures,
)
from pipeline.components.survival_terms import (  # noqa: F401  (the lexicon API, imported from here by tests)
    ENDPOINTS,
    TERMS_FILE,
    Cue,
    DataFileError,
    SurvivalLexicon,
    lexicon,
    load_terms,
    validate_terms,
)
from pipeline.components.survival_values import _Item, _Sentence

ATTR_ORDER = ("endpoint", "scope", "measure", "horizon", "value", "unit", "ci", "range", "iqr", "se", "p", "group", "qualifier")


# ---------------------------------------------------------------------------------------
# records


@dataclass(frozen=True)
class SurvivalFigure:
    """One reported survival value: surface text beside the normalised attributes."""

    start: int
    end: int
    text: str
    attrs: dict[str, Any]
    label: str = "SURVIVAL"


def _could_hold_figure(text: str, start: int, end: int, cues: list[Cue]) -> bool:
    """A necessary condition for a figure in the sentence, checked before any pattern runs.

    Every figure names an endpoint cue of the sentence: `_block_figures` keeps a value only
    under an endpoint cue (the governing cue or one of its coordinated list), and `cue_after`
    returns only endpoint cues. The sentence's cues are some of `cues` (those not reserved)
    plus elliptic forms, which `elliptic_cues` keeps only in a list closed by an endpoint cue
    of those. The one other source is `_alive_figures`, which needs `_ALIVE_RE` to match,
    and so the literal `alive` (case-sensitive in that pattern) inside the sentence."""
    return any(c.kind == "endpoint" for c in cues) or text.find("alive", start, end) >= 0


def _sentence_figures(lex: SurvivalLexicon, text: str, start: int, end: int, cues: list[Cue]) -> list[SurvivalFigure]:
    if not _could_hold_figure(text, start, end, cues):
        return []
    # a figure is a number with a unit (`months`, `%`, ...; `_Sentence.items` keeps no other):
    # a sentence without a digit or without a unit word has none, and is not read further
    if not _rx(r"\d").search(text, start, end) or not lex.unit_re.search(text, start, end):
        return []
    if lex.hypothesis_re.search(text, start, end):
        return []
    st = _Sentence(lex, text, start, end, cues)
    items = st.items()
    if not items:
        return []
    alive = _ALIVE_RE.search(text, start, end)
    assignment = _assign(st, items, alive)
    blocks: list[tuple[Cue, list[_Item]]] = []  # consecutive values with one governing cue
    for item, cue in assignment.assigned:
        if blocks and blocks[-1][0] is cue:
            blocks[-1][1].append(item)
        else:
            blocks.append((cue, [item]))
    figures: list[tuple[_Item, dict[str, Any]]] = []
    for cue, block in blocks:
        figures.extend(_block_figures(st, cue, block, assignment.prev_stop[id(block[0])]))
    figures.extend(_alive_figures(st, assignment.alive_items, alive))
    figures.sort(key=lambda f: f[0].start)
    _attach_p_values(st, figures)
    out = []
    for item, attrs in figures:
        s, e = trim_span(text, item.start, item.end)
        ordered = {k: attrs[k] for k in ATTR_ORDER if k in attrs}
        ordered.update({k: v for k, v in attrs.items() if k not in ordered})
        out.append(SurvivalFigure(s, e, text[s:e], ordered))
    return out


def _attach_p_values(st: _Sentence, figures: list[tuple[_Item, dict[str, Any]]]) -> None:
    """A p-value goes to every figure of the comparison it closes (values since the last p-value):
    the first p-value after the figure, within 220 characters and with no cue in between."""
    if not st.p_values:
        return
    p_starts = [ps for ps, _ in st.p_values]
    cue_starts = [c.start for c in st.cues]  # in text order
    for item, attrs in figures:
        k = bisect_left(p_starts, item.end)
        if k == len(p_starts):
            continue
        ps, pe = st.p_values[k]
        if ps - item.stop > 220:
            continue
        c = bisect_left(cue_starts, item.stop)
        if c < len(cue_starts) and cue_starts[c] < ps:
            continue  # a cue between the figure and the p-value
        attrs["p"] = st.text[ps:pe]


def find_survival_figures(text: str, sentences: list[tuple[int, int]] | None = None) -> list[SurvivalFigure]:
    """All SURVIVAL figures in `text`; offsets are [start, end) into `text`."""
    lex = lexicon()
    if not text or not _rx(r"\d").search(text):
        return []
    sents = bounded_sentences(text, sentences if sentences is not None else split_sentences(text))
    cues = lex.find_cues(text)
    out: list[SurvivalFigure] = []
    ci = 0
    for s, e in sents:
        while ci < len(cues) and cues[ci].start < s:
            ci += 1
        mine = []
        j = ci
        while j < len(cues) and cues[j].start < e:
            if cues[j].end <= e:
                mine.append(cues[j])
            j += 1
        out.extend(_sentence_figures(lex, text, s, e, mine))
    return out


# ---------------------------------------------------------------------------------------
# spaCy component



def add_entity_spans(doc: Doc, hits: Iterable[Any], label: str, counter_key: str) -> Doc:
    """Turn pure-function hits into token-aligned Spans in doc.spans["entities"]."""
    spans = list(doc.spans[ENTITIES_KEY]) if ENTITIES_KEY in doc.spans else []
    missed = 0
    for hit in hits:
        span = doc.char_span(hit.start, hit.end, label=label)
        if span is None:
            missed += 1
            continue
        span._.attrs = dict(hit.attrs)
        spans.append(span)
    doc.spans[ENTITIES_KEY] = spans
    doc.user_data[counter_key] = doc.user_data.get(counter_key, 0) + missed
    return doc


@Language.component("abstracts_survival", assigns=["doc.spans"])
def survival_component(doc: Doc) -> Doc:
    hits = find_survival_figures(doc_text(doc), sentence_ranges(doc))
    return add_entity_spans(doc, hits, "SURVIVAL", "survival_misaligned")
