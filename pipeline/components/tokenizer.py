"""A tokenizer for abstracts that splits every punctuation mark and digit/letter boundary.

Entity spans must start and end on token boundaries, and the guidelines cut inside
hyphenated and glued forms (`HAI-FUDR` -> `FUDR`, `melphalan-based` -> `melphalan`,
`12-15mg/kg/d` -> numbers and units). So a token is a run of digits (with inner decimal
point, comma or middle dot: `8.0`, `1,000`, `8,5`, `0·66`), a run of letters, or one other character.
Lexicon phrases go through the same tokenizer, so multi-token names still match.
"""

from __future__ import annotations

import regex
from spacy.tokens import Doc
from spacy.util import registry

from pipeline._extensions import TEXT_KEY

TOKEN_RE = regex.compile(r"\d+(?:[.,\u00b7]\d+)*|[^\W\d_]+|\s+|.", regex.V1)
# the same tokens, each with the one space that follows it (a whitespace run is greedy, so
# it never has one): `split_words` in one call
TOKEN_SPACE_RE = regex.compile(r"(\d+(?:[.,\u00b7]\d+)*|[^\W\d_]+|\s+|.)( ?)", regex.V1)
# characters Python calls whitespace that `\s` does not match: the loop's rules apply
ODD_SPACE_RE = regex.compile(r"[\x1c-\x1f]")


def split_words(text: str) -> tuple[list[str], list[bool]]:
    """Tokens and their trailing-space flags: a space right after a token that is not
    whitespace is its `whitespace_`; any other whitespace is a token of its own."""
    if ODD_SPACE_RE.search(text) is None:
        pairs = TOKEN_SPACE_RE.findall(text)
        return [word for word, _ in pairs], [space == " " for _, space in pairs]
    return _split_words_loop(text)


def _split_words_loop(text: str) -> tuple[list[str], list[bool]]:
    words: list[str] = []
    spaces: list[bool] = []
    for match in TOKEN_RE.finditer(text):
        piece = match.group()
        if piece.isspace():
            if words and not spaces[-1] and not words[-1].isspace() and piece[0] == " ":
                spaces[-1] = True
                piece = piece[1:]
            if piece:
                words.append(piece)
                spaces.append(False)
            continue
        words.append(piece)
        spaces.append(False)
    return words, spaces


class AbstractTokenizer:
    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words, spaces = split_words(text)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        doc.user_data[TEXT_KEY] = text  # the components read it with doc_text(), not doc.text
        return doc

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    # The tokenizer has no state; these keep nlp.to_disk/from_disk working.
    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs) -> "AbstractTokenizer":
        return self

    def to_disk(self, path, **kwargs) -> None:
        return None

    def from_disk(self, path, **kwargs) -> "AbstractTokenizer":
        return self


@registry.tokenizers("abstracts.tokenizer.v1")
def create_abstract_tokenizer():
    def make(nlp):
        return AbstractTokenizer(nlp.vocab)

    return make
