"""DRUG tagging (component `abstracts_drugs`).

Sets: `doc.spans["entities"]` gets one Span per drug mention, label "DRUG", with
`Span._.attrs = {"norm": ..., "drugbank_id": ...}` (the id only when known). A capitals
token spelt from defined one-letter abbreviations (`EC`) is split into one token per letter.

The work is done in small modules; this one connects them to the Doc:
- `drug_lexicon`: the merged lexicon (package dictionary - exclusions + additions);
- `drug_cache`: the lexicon compiled into a token index, cached on disk;
- `drug_matching`: the lookup and the rules on top of it (boundaries, targets, trial names,
  treatment context, salt words, longest match);
- `abbreviations`: short forms the abstract defines, and their later uses;
- `unseen_names`: names the lexicon lacks (INN stems, development code names);
- here: `find_drug_mentions()` (all of the above, in order) and the component.
"""

from __future__ import annotations

from functools import lru_cache

import numpy
from spacy.attrs import ORTH, SENT_START, SPACY
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline import _extensions  # noqa: F401  (registers the extensions)
from pipeline._extensions import ENTITIES_KEY
from pipeline.components.abbreviations import (  # noqa: F401  (re-exported)
    find_abbreviation_definitions,
    find_long_forms,
    find_uses,
    schwartz_hearst,
)
from pipeline.components.drug_cache import (  # noqa: F401
    CompiledLexicon,
    compile_lexicon,
    load_compiled_lexicon,
)
from pipeline.components.drug_lexicon import (  # noqa: F401  (re-exported)
    ADDITIONS_FILE,
    EXCLUSIONS_FILE,
    DrugEntry,
    DrugLexicon,
    is_short_abbreviation,
    load_lexicon,
)
from pipeline.components.drug_matching import (  # noqa: F401  (re-exported)
    DrugMatch,
    DrugMatcher,
    in_treatment_context,
    is_token_boundary_ok,
    longest,
    names_a_target,
    names_a_trial,
    with_salt,
)
from pipeline.components.token_table import TokenTable
from pipeline.components.unseen_names import (  # noqa: F401
    StemRules,
    find_code_names,
    find_stem_names,
    load_stem_rules,
)
from pipeline.datafiles import (  # noqa: F401  (re-exported)
    DATA_DIR,
    DataFileError,
    check_keys,
    load_json_strict,
)

BLOCK = DrugEntry(norm="", kind="block")


@lru_cache(maxsize=8)
def _matcher_for(additions: str, exclusions: str, max_variant_tokens: int) -> DrugMatcher:
    """One matcher per process and lexicon (it holds no spaCy state, so every pipeline shares it)."""
    return DrugMatcher(load_compiled_lexicon(additions, exclusions, max_variant_tokens))


def find_drug_mentions(
    doc: Doc,
    matcher: DrugMatcher,
    abbreviations: bool = True,
    code_names: bool = True,
    split_tokens: frozenset[int] = frozenset(),
    stems: StemRules | None = None,
) -> list[DrugMatch]:
    """All DRUG mentions of a Doc as token ranges (no overlaps, longest first).

    `split_tokens` are tokens cut out of a capitals word (`EC` -> `E`, `C`): their glued
    neighbours do not disqualify them. `stems`: also words ending in an INN stem.
    """
    lex = matcher.lexicon
    table = TokenTable.of(doc)  # token attributes read once, shared by the helpers
    found = matcher(doc, table)
    if stems is not None:
        found += find_stem_names(doc, stems, lex.excluded_variants, table)
    raw = [m for m in found if is_token_boundary_ok(table, m.start, m.end)]
    # a name used for a target or inside a trial name hides the shorter names in it (`TNF` in `TNF-α inhibitors`)
    raw = [
        DrugMatch(m.start, m.end, BLOCK, m.how)
        if names_a_target(table, m.start, m.end, lex.not_drug_after) or names_a_trial(table, m.start, m.end, lex.trial_name_prefixes)
        else m
        for m in raw
    ]
    if code_names:
        raw += find_code_names(doc, lex.code_name_exclusions, stems.company_code_prefixes if stems is not None else frozenset(), table)
    raw = [m for m in raw if not m.entry.needs_context or in_treatment_context(doc, m.start, m.end, lex.context_words)]
    matches = [with_salt(doc, m) for m in longest(raw) if m.entry.kind != "block"]
    if abbreviations:
        contradicted: set[str] = set()
        matches = longest(matches + find_long_forms(doc, matches, contradicted, table))
        if contradicted:  # the abstract defines these letters as something else
            matches = [m for m in matches if table.span_text(m.start, m.end) not in contradicted]
        defined = find_abbreviation_definitions(doc, matches, lex.excluded_variants, table)
        if defined:
            uses = [
                m
                for m in find_uses(doc, defined, matches, split_tokens, table)
                if not names_a_trial(table, m.start, m.end, lex.trial_name_prefixes) and not names_a_target(table, m.start, m.end, lex.not_drug_after)
            ]
            matches = longest(matches + uses)
    return matches


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
        "stems": True,
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
    stems: bool,
) -> "DrugTagger":
    return DrugTagger(nlp, name, additions, exclusions, max_variant_tokens, abbreviations, code_names, stems)


class DrugTagger:
    def __init__(
        self,
        nlp: Language,
        name: str,
        additions: str = "",
        exclusions: str = "",
        max_variant_tokens: int = 6,
        abbreviations: bool = True,
        code_names: bool = True,
        stems: bool = True,
    ):
        self.nlp = nlp
        self.name = name
        self.additions = additions or str(DATA_DIR / ADDITIONS_FILE)
        self.exclusions = exclusions or str(DATA_DIR / EXCLUSIONS_FILE)
        self.max_variant_tokens = max_variant_tokens
        self.abbreviations = abbreviations
        self.code_names = code_names
        self.stems = load_stem_rules() if stems else None  # INN stems and company code prefixes
        self._matcher: DrugMatcher | None = None

    def initialize(self, get_examples=None, *, nlp: Language | None = None) -> None:
        self.matcher  # noqa: B018  (build now rather than on the first Doc)

    @property
    def matcher(self) -> DrugMatcher:
        if self._matcher is None:
            self._matcher = _matcher_for(self.additions, self.exclusions, self.max_variant_tokens)
        return self._matcher

    def __call__(self, doc: Doc) -> Doc:
        matches = find_drug_mentions(doc, self.matcher, self.abbreviations, self.code_names, stems=self.stems)
        if any(m.how == "letters" for m in matches):
            doc, matches = self._split_letters(doc, matches)
        group = doc.spans[ENTITIES_KEY] if ENTITIES_KEY in doc.spans else None
        spans = list(group) if group is not None else []
        for m in matches:
            span = Span(doc, m.start, m.end, label="DRUG")
            span._.attrs = m.entry.attrs()
            spans.append(span)
        doc.spans[ENTITIES_KEY] = spans
        return doc

    def _split_letters(self, doc: Doc, matches: list[DrugMatch]) -> tuple[Doc, list[DrugMatch]]:
        """Split `EC` into `E` + `C` tokens, then re-run matching on the new tokens.
        -> (the Doc, now with the letter tokens; its matches)"""
        letters = [m.start for m in matches if m.how == "letters"]
        split: set[int] = set()
        shift = 0
        for start in letters:
            n = len(doc[start].text)
            split.update(range(start + shift, start + shift + n))
            shift += n - 1
        doc = split_tokens(doc, letters)
        again = find_drug_mentions(doc, self.matcher, self.abbreviations, self.code_names, frozenset(split), self.stems)
        return doc, [m for m in again if m.how != "letters"]


# spaCy's retokenizer moves the whole token array for each split: past this many splits a
# Doc is rebuilt once instead (a run-on page of megabytes can hold hundreds)
MAX_RETOKENIZER_SPLITS = 16


def split_tokens(doc: Doc, indices: list[int], max_in_place: int = MAX_RETOKENIZER_SPLITS) -> Doc:
    """The Doc with each token at `indices` split into its characters. Span groups are kept
    by characters (span extension values are keyed by characters, so they survive).

    Up to `max_in_place` splits: spaCy's retokenizer, in place. More: one new Doc with the
    same text, user data (Doc and Span extension values), span groups and sentence starts,
    each split part taking the sentence start the retokenizer would give it (it keeps the
    flag of the token that stood at that position before: `split_tokens` tests check both
    ways agree)."""
    groups = {key: [(s.start_char, s.end_char, s.label_) for s in group] for key, group in doc.spans.items()}
    if len(indices) <= max_in_place:
        with doc.retokenize() as retok:
            for i in indices:
                tok = doc[i]
                retok.split(tok, list(tok.text), heads=[(tok, 0)] * len(tok.text))
        new = doc
    else:
        new = _rebuilt(doc, set(indices))
    for key, spans in groups.items():
        new.spans[key] = [new.char_span(a, b, label=label) for a, b, label in spans]
    return new


def _rebuilt(doc: Doc, indices: set[int]) -> Doc:
    array = doc.to_array([ORTH, SPACY, SENT_START])
    table = list(zip(array[:, 0].tolist(), array[:, 1].tolist(), array[:, 2].astype(numpy.int64).tolist()))
    strings = doc.vocab.strings
    flag = {1: True, -1: False, 0: None}
    words: list[str] = []
    spaces: list[bool] = []
    starts: list[bool | None] = []
    for i, (orth, space, start) in enumerate(table):
        text = strings[orth]
        if i not in indices:
            words.append(text)
            spaces.append(bool(space))
            starts.append(flag[start])
            continue
        for j, char in enumerate(text):
            words.append(char)
            spaces.append(bool(space) if j == len(text) - 1 else False)
            # the retokenizer leaves part j > 0 with the flag of the token at i + j
            if j == 0:
                starts.append(flag[start])
            else:
                starts.append(flag[table[i + j][2]] if i + j < len(table) else None)
    new = Doc(doc.vocab, words=words, spaces=spaces, sent_starts=starts)
    new.user_data.update(doc.user_data)
    return new


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
