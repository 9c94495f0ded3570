"""One Doc's token attributes as plain lists, read in one array call (pure, no spaCy state kept).

The DRUG helpers scan every token of a Doc several times (lexicon lookup, INN stems, code
names, brackets of abbreviations). `doc[i]` and `for tok in doc` make a Token object per
token, and each `tok.text`, `tok.lower_` or `tok.whitespace_` is another call into spaCy;
`TokenTable.of(doc)` reads the hashes and flags once (as `sentences.sentence_starts` does)
and `find_drug_mentions` hands the table to each helper. A scan compares hashes and flags;
strings are looked up only for the tokens a scan keeps (`text(i)`, `lower(i)`).
A table describes the Doc it was read from as it was then: after a retokenization read it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from spacy.attrs import IS_ALPHA, IS_SPACE, IS_UPPER, LOWER, ORTH, SPACY
from spacy.strings import StringStore
from spacy.tokens import Doc


@dataclass(frozen=True)
class TokenTable:
    orth_ids: list[int]  # tok.orth: the hash of tok.text
    lower_ids: list[int]  # tok.lower: the hash of tok.lower_
    is_alpha: list[int]  # flags, 0 or 1, as spaCy's array gives them
    is_space: list[int]
    is_upper: list[int]  # tok.is_upper (str.isupper)
    spaced: list[int]  # 1 where a space follows the token (`tok.whitespace_`)
    strings: StringStore

    @classmethod
    def of(cls, doc: Doc) -> TokenTable:
        if len(doc) == 0:
            return cls([], [], [], [], [], [], doc.vocab.strings)
        columns = doc.to_array([ORTH, LOWER, IS_ALPHA, IS_SPACE, IS_UPPER, SPACY]).T.tolist()
        return cls(*columns, doc.vocab.strings)

    def __len__(self) -> int:
        return len(self.orth_ids)

    def text(self, i: int) -> str:
        """`doc[i].text`."""
        return self.strings[self.orth_ids[i]]

    def lower(self, i: int) -> str:
        """`doc[i].lower_`."""
        return self.strings[self.lower_ids[i]]

    @cached_property
    def texts(self) -> list[str]:
        """Every token's text (for the few scans that need them all)."""
        strings = self.strings
        return [strings[h] for h in self.orth_ids]

    def span_text(self, start: int, end: int) -> str:
        """`doc[start:end].text`."""
        if start >= end:
            return ""
        pieces = [self.text(i) + " " if self.spaced[i] else self.text(i) for i in range(start, end - 1)]
        return "".join(pieces) + self.text(end - 1)

    def positions(self, text: str) -> list[int]:
        """Where a token reads `text`."""
        return self.positions_of(self.orth_ids, self.strings[text])

    @staticmethod
    def positions_of(column: list[int], value: int) -> list[int]:
        """Where `column` holds `value` (list.index scans in C: the few hits cost, not every token)."""
        found = []
        i = -1
        try:
            while True:
                i = column.index(value, i + 1)
                found.append(i)
        except ValueError:
            return found
