"""Finding lexicon names in a Doc, and the rules that accept or extend a found name.

`DrugMatcher` looks every token's spaCy hash up in the compiled lexicon
(`drug_cache.CompiledLexicon`): LOWER for ordinary names, ORTH for short abbreviations
(which only count in capitals, so "AS", "IT" or "tris" in running text stay words), then
the tokens that follow for names of several tokens. It returns every name found, overlaps
included, in the order a spaCy PhraseMatcher on LOWER and then one on ORTH would (by start,
then by length); `longest()` keeps the longest. The other functions here are the rules
applied on top: token boundaries, targets (`estrogen receptor`, `anti-TNF`), trial names
(`ORIENT-GC`), treatment context for ambiguous acronyms and salt words.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from spacy.tokens import Doc

from pipeline.components.drug_cache import CompiledLexicon, MultiIndex, SingleIndex
from pipeline.components.drug_lexicon import DrugEntry, salt_words
from pipeline.components.token_table import TokenTable


@dataclass(frozen=True)
class DrugMatch:
    start: int  # token indices
    end: int
    entry: DrugEntry
    how: str = "lexicon"  # lexicon | stem | code | abbreviation | long_form | letters


class DrugMatcher:
    """Token-sequence lookup of lexicon names (the work of two PhraseMatchers, without their memory)."""

    def __init__(self, lexicon: CompiledLexicon):
        t0 = time.perf_counter()
        self.lexicon = lexicon
        self.entries = lexicon.entries
        # first token of a longer name -> the tokens that can come second: most first tokens
        # (`and`, `.`, `(`) start no name where they stand, and one set test says so
        self.lower_second = _second_tokens(lexicon.lower_multi)
        self.exact_second = _second_tokens(lexicon.exact_multi)
        self.lower_firsts = frozenset(lexicon.lower_single) | frozenset(lexicon.lower_multi)  # tokens a name can start with
        self.exact_firsts = frozenset(lexicon.exact_single) | frozenset(lexicon.exact_multi)
        self.build_seconds = time.perf_counter() - t0

    def __call__(self, doc: Doc, table: TokenTable | None = None) -> list[DrugMatch]:
        """`table`: the Doc's `TokenTable`, when the caller has read it already."""
        if len(doc) == 0:
            return []
        lex = self.lexicon
        table = TokenTable.of(doc) if table is None else table
        lower = self._find(table.lower_ids, lex.lower_single, lex.lower_multi, self.lower_firsts, self.lower_second)
        return lower + self._find(table.orth_ids, lex.exact_single, lex.exact_multi, self.exact_firsts, self.exact_second)

    def _find(
        self, tokens: list[int], single: SingleIndex, multi: MultiIndex, firsts: frozenset[int], second: dict[int, frozenset[int]]
    ) -> list[DrugMatch]:
        out = []
        n = len(tokens)
        entries = self.entries
        present = set(tokens)
        # the Doc's tokens that can start a name here: a one-token name, or the first token of a
        # longer name whose second token the Doc has too (`.`, `and`, `(` start longer names)
        starts = {token for token in present & firsts if token in single or not second[token].isdisjoint(present)}
        for i in [i for i, token in enumerate(tokens) if token in starts]:
            token = tokens[i]
            eid = single.get(token)
            if eid is not None:
                out.append(DrugMatch(i, i + 1, entries[eid]))
            longer = multi.get(token)
            if longer is None or i + 1 >= n or tokens[i + 1] not in second[token]:
                continue
            lengths, rests = longer
            for k in lengths:  # ascending: shorter names first, as the PhraseMatcher reports them
                if i + 1 + k > n:
                    break
                eid = rests.get(tuple(tokens[i + 1 : i + 1 + k]))
                if eid is not None:
                    out.append(DrugMatch(i, i + 1 + k, entries[eid]))
        return out


def _second_tokens(multi: MultiIndex) -> dict[int, frozenset[int]]:
    return {first: frozenset(rest[0] for rest in rests) for first, (_lengths, rests) in multi.items()}


# --- rules applied on top of the lexicon ------------------------------------------------

def is_token_boundary_ok(table: TokenTable, start: int, end: int) -> bool:
    """Reject matches glued to letters/digits of a neighbouring token (`CEA` in `CEAx`)."""
    if start > 0 and not table.spaced[start - 1]:
        prev = table.text(start - 1)
        if prev.isalnum() and table.text(start)[:1].isalnum():
            return False
    if end < len(table) and not table.spaced[end - 1]:
        nxt = table.text(end)
        if nxt.isalnum() and table.text(end - 1)[-1:].isalnum():
            return False
    return True


def _next_solid(table: TokenTable, start: int, stop: int) -> int | None:
    """The first token of [start, stop) that is not white space (None past the Doc's end)."""
    return next((i for i in range(start, min(stop, len(table))) if not table.is_space[i]), None)


def names_a_target(table: TokenTable, start: int, end: int, words: frozenset[str]) -> bool:
    """The name is used for a receptor, level, target or class, not for the agent.

    `estrogen receptor`, `HER2-positive`, `TNF-α inhibitors` (a word of `words` next, also
    after a hyphen), `anti-TNF therapy`, `anti-VEGF` (an `anti-` glued before the name).
    """
    k = end
    if k < len(table) and table.text(k) == "-" and not table.spaced[k - 1] and not table.spaced[k]:
        k += 1  # `HER2-positive`, `EGFR-mutant`
    nxt = _next_solid(table, k, k + 2)
    if nxt is not None and table.lower(nxt) in words:
        return True
    if start >= 2 and table.text(start - 1) == "-" and table.lower(start - 2) == "anti" and not table.spaced[start - 2] \
            and not table.spaced[start - 1]:
        return True
    # `methicillin-resistant Staphylococcus aureus`: part of an organism's name
    if end + 3 < len(table) and table.text(end) == "-" and table.lower(end + 1) in {"resistant", "susceptible", "sensitive"}:
        organism = _next_solid(table, end + 2, end + 4)
        return organism is not None and table.text(organism)[:1].isupper()
    return False


STUDY_WORDS = frozenset({"trial", "trials", "study", "studies", "investigators", "trialists", "consortium", "protocol"})


def names_a_trial(table: TokenTable, start: int, end: int, prefixes: frozenset[str]) -> bool:
    """The letters are the tail of a trial name: `ORIENT-GC`, `the AGO-ETC trial`.

    A name glued by a hyphen to a trial-series word (`prefixes`, lower case: KEYNOTE,
    CheckMate, ORIENT, ...) names the trial; so does one glued to any capitalised word when
    the compound is followed by `trial` or `study` (`AGO-ETC trial`). Arm names keep their
    drugs (`RT-GC arm`).
    """
    if start < 2 or table.text(start - 1) not in {"-", "\u2013"} or table.spaced[start - 1] or table.spaced[start - 2]:
        return False
    head = start - 2
    if table.lower(head) in prefixes:
        return True
    if not table.is_alpha[head] or not table.text(head)[:1].isupper():
        return False
    nxt = _next_solid(table, end, end + 2)
    return nxt is not None and table.lower(nxt) in STUDY_WORDS


def in_treatment_context(doc: Doc, start: int, end: int, context_words: frozenset[str]) -> bool:
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


def with_salt(doc: Doc, match: DrugMatch) -> DrugMatch:
    """`aclidinium bromide`, `imatinib mesylate`: the salt or form word joins the name."""
    if match.entry.kind != "agent" or match.how not in {"lexicon", "stem"}:
        return match
    salts = salt_words()
    end = match.end
    while end - match.end < 2 and end < len(doc) and doc[end - 1].whitespace_ and doc[end].lower_ in salts:
        end += 1
    if end == match.end:
        return match
    return DrugMatch(match.start, end, match.entry, match.how)


# at equal length and start: the lexicon, then what the text defines, then names guessed from their shape
HOW_RANK = {"lexicon": 0, "abbreviation": 1, "long_form": 1, "letters": 1, "stem": 2, "code": 2}


def longest(matches: list[DrugMatch]) -> list[DrugMatch]:
    """Non-overlapping matches, longest first (then leftmost, then by `HOW_RANK`)."""
    chosen: list[DrugMatch] = []
    taken: set[int] = set()
    for m in sorted(matches, key=lambda m: (-(m.end - m.start), m.start, HOW_RANK.get(m.how, 1))):
        if any(i in taken for i in range(m.start, m.end)):
            continue
        chosen.append(m)
        taken.update(range(m.start, m.end))
    return sorted(chosen, key=lambda m: m.start)
