"""Which DRUG a DOSE is given of (used by the `abstracts_doses` component).

`DrugIndex` holds the DRUG spans of one Doc sorted by start, with the sentence of every
token computed once, so each question about a dose ("the drug right before it in its
sentence") is a binary search and a few steps, not a scan of every drug or of the whole
sentence: the work per dose stays bounded however long the page or the sentence is.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from spacy.tokens import Doc, Span

from pipeline.components.sentences import sentence_tokens

# tokens that may stand between a drug and its dose ("oxaliplatin (85 mg/m2)", "melphalan at 1.5 mg/kg")
ADJACENT_BEFORE = frozenset({"(", "[", ",", ":", "at", "=", "of", "a", "dose", "doses", "dosage", "dosed", "given", "was", "were"})
ADJACENT_AFTER = frozenset({"of", ")", "]"})
MAX_GAP_WORDS = 4  # words allowed between a drug and its dose


class DrugIndex:
    """The DRUG spans of a Doc (sorted by start) and its sentence boundaries."""

    def __init__(self, doc: Doc, drugs: list[Span]):
        self.doc = doc
        self.drugs = drugs
        self.starts = [d.start for d in drugs]
        bounds = sentence_tokens(doc)
        self.sent_starts = [a for a, _ in bounds] if bounds is not None else [0]

    def sentence_bounds(self, span: Span) -> tuple[int, int]:
        """Token range of the sentence `span` starts in (the whole Doc without sentences)."""
        i = bisect_right(self.sent_starts, span.start) - 1
        end = self.sent_starts[i + 1] if i + 1 < len(self.sent_starts) else len(self.doc)
        return self.sent_starts[i], end

    def overlaps(self, span: Span) -> bool:
        """Does any drug share a token with `span`? (DRUG spans never overlap each other.)"""
        i = bisect_left(self.starts, span.end) - 1
        return i >= 0 and self.drugs[i].end > span.start

    def last_before(self, pos: int, lo: int) -> int | None:
        """Index of the last drug (by start) with `lo <= start` and `end <= pos`."""
        i = bisect_left(self.starts, pos) - 1
        while i >= 0 and self.drugs[i].start >= lo:
            if self.drugs[i].end <= pos:
                return i
            i -= 1
        return None

    def first_after(self, pos: int, hi: int) -> Span | None:
        """The first drug (by start) with `pos <= start` and `end <= hi`."""
        i = bisect_left(self.starts, pos)
        while i < len(self.drugs) and self.drugs[i].start < hi:
            if self.drugs[i].end <= hi:
                return self.drugs[i]
            i += 1
        return None


def link_drug(index: DrugIndex, dose: Span, dose_starts: list[int], doses: list[Span], linked: dict[int, Span | None]) -> Span | None:
    """The DRUG span a dose is given of, within the dose's sentence, or None.

    A drug right before the dose (`oxaliplatin 85 mg/m2`, `oxaliplatin (85 mg/m2)`) wins,
    then one right after it (`1 mg tumor necrosis factor`, `1 mg of melphalan`), then the
    nearest earlier drug with no other dose in between (`oxaliplatin at a dose of 85 mg/m2`).
    """
    doc = index.doc
    sent_start, sent_end = index.sentence_bounds(dose)
    at = index.last_before(dose.start, sent_start)
    prev = index.drugs[at] if at is not None else None
    nxt = index.first_after(dose.end, sent_end)
    if prev is not None and _gap_ok(doc, prev.end, dose.start, ADJACENT_BEFORE | {")"}):
        return _long_form_of(index, at, sent_start)
    if nxt is not None and _gap_ok(doc, dose.end, nxt.start, ADJACENT_AFTER):
        return nxt
    if prev is not None and dose.start - prev.end <= 40:
        # doses wholly between the drug and this one (at most 40 tokens: a bounded slice)
        lo = bisect_left(dose_starts, prev.end)
        between = [o for o in doses[lo : bisect_left(dose_starts, dose.start)] if o.end <= dose.start]
        if not between and dose.start - prev.end > 20:
            return None
        # `TMZ 200 mg/m2/day ..., or 150 mg/m2/day`: earlier doses of the same drug do not block
        if all(linked.get(o.start) is not None and linked[o.start].text == prev.text for o in between):
            return prev
    return None


def combination_drug(index: DrugIndex, dose: Span, position: int) -> Span | None:
    """The drug of one dose of a fixed combination: `aclidinium/formoterol 400/12 µg` gives
    400 to aclidinium and 12 µg to formoterol (the pair written right before the numbers)."""
    doc = index.doc
    sent_start, _ = index.sentence_bounds(dose)
    numbers_start = dose.start if position == 0 else dose.start - 2
    last = index.last_before(dose.start, sent_start)
    if last is None:
        return None
    # the second drug of the pair ends at most MAX_GAP_WORDS words before the numbers, so
    # only the pairs whose second drug ends after `reach` can qualify
    reach = _words_back(doc, numbers_start, MAX_GAP_WORDS + 1)
    first_index = last
    while first_index > 0 and index.drugs[first_index - 1].start >= sent_start and index.drugs[first_index].end > reach:
        first_index -= 1
    for k in range(max(first_index, 0), last):
        first, second = index.drugs[k], index.drugs[k + 1]
        if first.start < sent_start:
            continue
        joined = [t.text for t in doc[first.end : second.start] if not t.is_space]
        if joined in (["/"], ["+"], ["-"]) and _gap_ok(doc, second.end, numbers_start, ADJACENT_BEFORE | {")"}):
            return (first, second)[position]
    return None


def _words_back(doc: Doc, pos: int, words: int) -> int:
    """The token index `words` non-space tokens before `pos` (0 when there are fewer)."""
    i = pos
    while i > 0 and words > 0:
        i -= 1
        if not doc[i].is_space:
            words -= 1
    return i


def _long_form_of(index: DrugIndex, at: int, sent_start: int) -> Span:
    """`epirubicin (E) 90 mg/m2`: the dose goes to the name the bracket defines."""
    doc = index.doc
    drug = index.drugs[at]
    if drug.start >= 2 and doc[drug.start - 1].text == "(" and drug.end < len(doc) and doc[drug.end].text == ")":
        # a drug ending one or two tokens before this one starts at most two tokens before
        # the bracket ... or anywhere before it, when it is long: look back until the ends
        # are out of reach (DRUG spans do not overlap, so ends grow with starts)
        norm = drug._.attrs.get("norm")
        i = at - 1
        while i >= 0 and index.drugs[i].start >= sent_start and index.drugs[i].end >= drug.start - 2:
            d = index.drugs[i]
            if d.end in (drug.start - 1, drug.start - 2) and d._.attrs.get("norm") == norm:
                return d
            i -= 1
    return drug


def _gap_ok(doc: Doc, a: int, b: int, allowed: frozenset[str]) -> bool:
    """At most MAX_GAP_WORDS words between tokens a and b, each an allowed one (reads at
    most MAX_GAP_WORDS + 1 words, however far apart a and b are)."""
    words = 0
    for i in range(a, b):
        t = doc[i]
        if t.is_space:
            continue
        words += 1
        if words > MAX_GAP_WORDS or t.lower_ not in allowed:
            return False
    return True


# tokens that join the drugs of a list (`docetaxel and cisplatin`, `A, B, and C`)
LIST_JOINERS = frozenset({",", "and", "or", "plus", "&"})
MAX_LIST_GAP_TOKENS = 12  # tokens allowed between the last listed drug and the doses


def listed_drugs(index: DrugIndex, dose: Span, n: int) -> list[Span] | None:
    """`docetaxel and cisplatin at 75 and 75 mg/m2, respectively`: the `n` drugs written as
    one list before the doses in their sentence, in order, or None when there is no such list
    (reads at most n drugs and MAX_LIST_GAP_TOKENS tokens)."""
    doc = index.doc
    sent_start, _ = index.sentence_bounds(dose)
    at = index.last_before(dose.start, sent_start)
    if at is None or at + 1 < n or dose.start - index.drugs[at].end > MAX_LIST_GAP_TOKENS:
        return None
    if any(t.text in (";", ".") for t in doc[index.drugs[at].end : dose.start]):
        return None
    chosen = index.drugs[at - n + 1 : at + 1]
    if chosen[0].start < sent_start:
        return None
    for a, b in zip(chosen, chosen[1:]):
        between = [t.lower_ for t in doc[a.end : b.start] if not t.is_space]
        if not between or any(w not in LIST_JOINERS for w in between):
            return None
    return list(chosen)
