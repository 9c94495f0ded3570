"""Abbreviations an abstract defines for drugs, and their later uses (pure functions).

- `drug (SF)` and `SF (drug)`: SF stands for that drug (`epirubicin (E)`, `FUDR (floxuridine)`).
- `drug plus drug (SF)`: SF names the regimen when its letters come from the drug names
  (`gemcitabine plus cisplatin (GC)`, norm `gc`).
- `long words (SF)` where SF is a drug: the long form is DRUG too (`Recombinant adenoviral
  p53 (rAd-p53)`).
- A capitals token made only of defined one-letter forms (`EC` after `epirubicin (E)` and
  `cyclophosphamide (C)`) is a `letters` match that the component splits into one mention
  per letter.

scispaCy's AbbreviationDetector is not used: it drops one-letter short forms and short forms
our tokenizer splits (`5-FU`), both of which the guidelines need.
"""

from __future__ import annotations

import regex
from spacy.tokens import Doc

from pipeline.components.drug_lexicon import DrugEntry, name_words
from pipeline.components.drug_matching import DrugMatch, is_token_boundary_ok
from pipeline.components.token_table import TokenTable

LONG_WORD_RE = regex.compile(r"[a-z]{4,}")
COMBINATION_SPLIT_RE = regex.compile(r"[/+]")

TRIAL_WORDS = frozenset({"trial", "trials", "study", "studies", "group", "investigators", "protocol", "cohort", "consortium"})
# two-letter English words: as a defined short form (`tolterodine (To, 2 mg)`) every `To` would be
# a drug; in capitals (`ifosfamide (IF)`) they are abbreviations
ENGLISH_SHORT = frozenset("am an as at be by do go he if in is it me my no of on or so to up us we".split())


def _english_word(short: str) -> bool:
    return short.lower() in ENGLISH_SHORT and not short.isupper()
GUESSED = frozenset({"code", "stem"})  # names found by their shape, not in the lexicon
CONNECTORS = frozenset({"plus", "and", "with", "+", "/", ",", "-", "\u2013", "combined", "or", "&", "followed", "by", "then"})


MODIFIER_RE = regex.compile(r"[a-z]{1,3}-?(?=[A-Z0-9])")  # `m`FOLFOX6, `nab-`P, `dd`I, `nal-`IRI


def _mostly_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return bool(letters) and (upper * 2 >= len(letters) or (text[0].isupper() and upper >= 2 and len(text) <= 8))  # BuFlu


def _short_form_ok(text: str) -> bool:
    """Looks like an abbreviation: mostly capitals, after an optional lower-case modifier."""
    if not text or len(text) > 10 or any(c.isspace() for c in text) or not text[0].isalnum():
        return False
    if not all(c.isalnum() or c in "-" for c in text):
        return False
    modifier = MODIFIER_RE.match(text)
    return _mostly_capitals(text) or (modifier is not None and _mostly_capitals(text[modifier.end() :]))


def _nickname(short: str, drug_text: str) -> bool:
    """`dexamethasone (dex)`, `gemcitabine (Gem)`, `D-penicillamine (D-pen)`: the name's first letters."""
    letters = [c for c in short if c.isalpha()]
    return len(letters) >= 3 and len(short) < len(drug_text) and drug_text.lower().startswith(short.lower()) and "-" not in short[-1:]


def schwartz_hearst(long_form: str, short_form: str) -> int | None:
    """Start offset in `long_form` of the shortest tail that explains `short_form`, or None.

    Each letter/digit of the short form must appear in order in the long form, read right to
    left, and the first one must begin a word (Schwartz & Hearst 2003).
    """
    li = len(long_form) - 1
    for si in range(len(short_form) - 1, -1, -1):
        ch = short_form[si].lower()
        if not ch.isalnum():
            continue
        while li >= 0 and (long_form[li].lower() != ch or (si == 0 and li > 0 and long_form[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        li -= 1
    return li + 1


def find_abbreviation_definitions(
    doc: Doc, matches: list[DrugMatch], excluded: frozenset[str] = frozenset(), table: TokenTable | None = None
) -> dict[str, DrugEntry]:
    """Short forms the text defines for drugs: {short form as written: entry}.

    - `drug (SF)`: SF stands for that drug (`epirubicin (E)`, `cisplatin (CDDP)`).
    - `SF (drug)`: the same, written the other way round (`FUDR (floxuridine)`).
    - `drug plus drug (SF)`: SF names the regimen when its letters spell out the drug names
      (`gemcitabine plus cisplatin (GC)`); its norm is the lower-case acronym.

    `table`: the Doc's `TokenTable`, when the caller has read it already.
    """
    table = TokenTable.of(doc) if table is None else table
    n, text, spaced, is_space = len(table), table.text, table.spaced, table.is_space
    by_start = {m.start: m for m in matches}
    by_end = {m.end: m for m in matches}
    # a code or stem name may itself be the short form (`dizocilpine (MK-801)`, `BMS-936558 (nivolumab)`)
    named_start = {m.start for m in matches if m.how not in GUESSED}
    named_end = {m.end for m in matches if m.how not in GUESSED}
    defined: dict[str, DrugEntry] = {}
    for i in table.positions("("):
        close = next((k for k in range(i + 1, min(i + 9, n)) if text(k) in {")", ";", ","}), None)
        if close is None or close == i + 1:
            continue
        inner_text = table.span_text(i + 1, close)
        drug_before = by_end.get(i)
        if drug_before is None and i > 0 and is_space[i - 1]:
            drug_before = by_end.get(i - 1)
        # drug (SF)
        if drug_before is not None and not spaced[drug_before.end - 1] and not is_space[i - 1]:
            drug_before = None  # `GABA(A)`: a name glued to its bracket is not a definition
        after = next((k for k in range(close + 1, min(close + 3, n)) if not is_space[k]), None)
        if after is not None and table.lower(after) in TRIAL_WORDS:
            continue  # `Erbitux, radiotherapy and UFT (PERU) trial`: a study name
        if drug_before is not None and i + 1 not in named_start and ("/" in inner_text or "+" in inner_text):
            # `nab-paclitaxel plus gemcitabine (nab-P/Gem)`, `(CPA/EE)`: one short form per drug
            parts = _split_definition(doc, drug_before, inner_text, by_end)
            if not any(sf.lower() in excluded or _english_word(sf) for sf in parts):
                defined.update({sf: e for sf, e in parts.items() if sf not in defined})
            continue
        drug_text = table.span_text(drug_before.start, drug_before.end) if drug_before is not None else ""
        if drug_before is not None and i + 1 not in named_start and (_short_form_ok(inner_text) or _nickname(inner_text, drug_text)):
            if text(close) != ")" and not _short_form_ok(inner_text):
                continue  # `(dex, ...)`: only a capitals short form may be followed by more
            if any(len(part) >= 3 and part.isalpha() and part.isupper() and schwartz_hearst(drug_text, part) is None for part in inner_text.split("-")[1:]):
                continue  # `melphalan (M-PHP)`: other capitals name a procedure (`T-DXd` is a drug's own short form)
            regimen = _regimen_definition(doc, drug_before, inner_text, by_end)
            combination = regimen is not None or drug_before.entry.kind == "product"
            if regimen is None and not _abbreviates(drug_text, inner_text):
                # `oxaliplatin (TEGAFOX)`: a longer name the drug cannot spell names the regimen
                regimen = DrugEntry(norm=inner_text.lower(), kind="regimen")
            if _english_word(inner_text) or (inner_text.lower() in excluded and not combination):
                continue  # `(To, 2 mg)`, `(SSRI; ...)`: an ordinary word or a class, not this drug's name
            defined.setdefault(inner_text, regimen or drug_before.entry)
            continue
        # SF (drug)
        inside = by_start.get(i + 1)
        if inside is not None and inside.end == close and text(close) == ")" and i > 0:
            j = i - 1
            while j >= 0 and is_space[j]:
                j -= 1
            k = j
            while k > 0 and not spaced[k - 1] and not is_space[k - 1] and text(k - 1) not in "(),;":
                k -= 1
            sf = table.span_text(k, j + 1)
            long_text = table.span_text(inside.start, inside.end)
            first_alpha = next((c for c in sf if c.isalpha()), "")
            code = by_start.get(k)
            if code is not None and code.how == "code" and code.end == j + 1:
                defined.setdefault(sf, inside.entry)  # `BMS-936558 (nivolumab)`: a code name and its drug
            elif (
                j + 1 not in named_end
                and k not in named_start
                and _short_form_ok(sf)
                and len(name_words(sf)) <= 3
                and len(sf.replace("-", "")) >= 2
                and len(long_text) > len(sf)
                and first_alpha.lower() == long_text[:1].lower()
                and sf.lower() not in excluded
            ):
                defined.setdefault(sf, inside.entry)
    return defined


LONG_FORM_STOP = frozenset({",", ";", ":", "(", ")", "[", "]", ".", "=", "of", "with", "and", "or", "the", "a", "an", "plus", "versus", "vs"})


def _shares_stem(long_form: str, norm: str) -> bool:
    stems = {w[:5] for w in LONG_WORD_RE.findall(norm.lower())}
    return any(w[:5] in stems for w in LONG_WORD_RE.findall(long_form.lower()))


def find_long_forms(
    doc: Doc, matches: list[DrugMatch], contradicted: set[str] | None = None, table: TokenTable | None = None
) -> list[DrugMatch]:
    """`Recombinant adenoviral p53 (rAd-p53)`: the words a drug short form abbreviates are DRUG too.

    Only when the bracket holds nothing but the drug, its letters can be read off the words
    before it (Schwartz-Hearst), and those words are at most 6, with no stop word among them
    (so `treated with cisplatin (CDDP)` never grows). A short capitals form (`APAP`, `ADM`)
    must also share a word stem with its drug's name: `autoadjusting CPAP (APAP)` defines
    APAP as something else, and such short forms are added to `contradicted`.
    `table`: the Doc's `TokenTable`, when the caller has read it already.
    """
    table = TokenTable.of(doc) if table is None else table
    n, is_space = len(table), table.is_space
    by_start = {m.start: m for m in matches}
    taken = {i for m in matches for i in range(m.start, m.end)}
    out = []
    for i in table.positions("("):
        inside = by_start.get(i + 1)
        if i >= n - 2 or inside is None or inside.end >= n or table.text(inside.end) != ")":
            continue
        short = table.span_text(inside.start, inside.end)
        letters = [c for c in short if c.isalpha()]
        if " " in short or not 3 <= len(letters) <= 8 or not any(c.isupper() for c in short):
            continue
        j = i - 1
        while j >= 0 and is_space[j]:
            j -= 1
        k = j
        words = 0
        while k >= 0 and k not in taken and table.lower(k) not in LONG_FORM_STOP and words < 6:
            if not is_space[k] and table.is_alpha[k]:
                words += 1
            k -= 1
        first = k + 1
        if first > j or words < 2:
            continue
        candidate = doc[first : j + 1]
        start = schwartz_hearst(candidate.text, short)
        if start is None:
            continue
        begin = doc.char_span(candidate.start_char + start, candidate.end_char, alignment_mode="expand")
        if begin is None or len([t for t in begin if t.is_alpha]) < 2:
            continue
        if short.isupper() and short.isalpha() and len(short) <= 4 and not _shares_stem(begin.text, inside.entry.norm):
            if contradicted is not None:
                contradicted.add(short)
            continue
        out.append(DrugMatch(begin.start, begin.end, inside.entry, how="long_form"))
    return out


def _abbreviates(long_form: str, short: str) -> bool:
    """Short enough to be a nickname (`CTX`, `T`), or its letters can be read off the name."""
    letters = [c for c in short if c.isalpha()]
    if len(letters) <= 3:
        return True
    return schwartz_hearst(long_form, short) is not None or letters[0].lower() == long_form[:1].lower()


def _regimen_definition(doc: Doc, last: DrugMatch, short: str, by_end: dict[int, DrugMatch]) -> DrugEntry | None:
    """`A plus B (AB)`: the short form names the combination, not the last drug.

    With 2+ drugs joined by connectors before the bracket, in this order: one letter per
    drug (`cisplatin/etoposide (EP)`) -> regimen; letters the last drug alone explains
    (`epirubicin, cyclophosphamide (C)`) -> that drug; letters the whole combination
    explains (`busulfan plus fludarabine (BuFlu)`) -> regimen; a nickname of at most 3
    letters (`docetaxel and cyclophosphamide (CTX)`) -> the last drug; a longer name
    (`... combined with irinotecan (TEGAFIRI)`) -> regimen. None means "the last drug".
    """
    drugs = _drug_list(doc, last, by_end)[::-1]  # last drug first
    letters = [c for c in short if c.isalpha()]
    if len(drugs) < 2 or len(short) < 2 or not any(c.isupper() for c in short):
        return None
    regimen = DrugEntry(norm=short.lower(), kind="regimen")
    if len(letters) == len(drugs) and short.isupper():
        return regimen
    if schwartz_hearst(doc[last.start : last.end].text, short) is not None:
        return None
    if schwartz_hearst(doc[drugs[-1].start : last.end].text, short) is not None:
        return regimen
    if len(letters) == len(drugs) and short[0].isupper():
        return regimen  # `lenalidomide and dexamethasone (Rd)`: one letter per drug, brand initials allowed
    return None if len(letters) <= 3 else regimen


def _drug_list(doc: Doc, last: DrugMatch, by_end: dict[int, DrugMatch]) -> list[DrugMatch]:
    """The drugs joined by connectors that end with `last`, in text order."""
    drugs = [last]
    k = last.start
    while True:
        j = k - 1
        while j >= 0 and (doc[j].is_space or doc[j].lower_ in CONNECTORS):
            j -= 1
        prev = by_end.get(j + 1)
        if prev is None or prev is drugs[-1] or k - prev.end > 4:
            break
        drugs.append(prev)
        k = prev.start
    return drugs[::-1]


def _split_definition(doc: Doc, last: DrugMatch, short: str, by_end: dict[int, DrugMatch]) -> dict[str, DrugEntry]:
    """`A plus B (a/b)`: one short form per drug, in order, each abbreviating its drug."""
    parts = COMBINATION_SPLIT_RE.split(short)
    drugs = _drug_list(doc, last, by_end)[-len(parts) :]
    if len(parts) < 2 or len(drugs) != len(parts) or len(set(parts)) != len(parts):
        return {}
    out = {}
    for part, drug in zip(parts, drugs):
        text = doc[drug.start : drug.end].text
        if not part or not (_nickname(part, text) or (_short_form_ok(part) and _abbreviates(text, part))):
            return {}
        out[part] = drug.entry
    return out


# words before a capital letter that make it a label, not a drug (`vitamin D`, `arm A`)
LETTER_LABEL_WORDS = frozenset(
    "vitamin hepatitis arm arms group groups grade type phase stage class fig figure table panel cohort "
    "part study period protein factor schedule regimen level category trial step hla".split()
)


def _letter_use_ok(doc: Doc, i: int) -> bool:
    """A one-letter short form at a later use: not an article/pronoun, not a label."""
    tok = doc[i]
    prev = next((t for t in reversed(doc[max(0, i - 3) : i]) if not t.is_space), None)
    nxt = next((t for t in doc[i + 1 : i + 4] if not t.is_space), None)
    if tok.text in {"A", "I"} and nxt is not None and nxt.text[:1].islower():
        return False
    if prev is not None and prev.lower_ in LETTER_LABEL_WORDS:
        return False
    if nxt is not None and nxt.text in {"'", "’", "."} and tok.text in {"A", "I"}:
        return False
    if nxt is not None and nxt.text == "." and i + 3 < len(doc) and doc[i + 2].text[:1].islower() and doc[i + 2].is_alpha:
        return False  # `R. equi`, `E. coli`: a genus
    return True


def find_uses(
    doc: Doc,
    defined: dict[str, DrugEntry],
    existing: list[DrugMatch],
    split_tokens: frozenset[int] = frozenset(),
    table: TokenTable | None = None,
) -> list[DrugMatch]:
    """Every use of a defined short form (whole tokens), plus capitals tokens spelt from one-letter forms.

    `table`: the Doc's `TokenTable`, when the caller has read it already."""
    taken = {i for m in existing if m.how not in GUESSED for i in range(m.start, m.end)}  # a defined code wins over its shape
    out = []
    forms = {tuple(name_words(sf)): (sf, e) for sf, e in defined.items()}
    letters = {sf: e for sf, e in defined.items() if len(sf) == 1 and sf.isupper()}
    table = TokenTable.of(doc) if table is None else table
    texts = table.texts
    starts: dict[str, list[int]] = {}  # token text -> where it stands: each form looks only there
    for i, text in enumerate(texts):
        starts.setdefault(text, []).append(i)
    for words, (_sf, entry) in forms.items():
        n = len(words)
        for i in starts.get(words[0], ()):
            if i + n > len(texts) or any(texts[i + k] != words[k] for k in range(n)):
                continue
            if any(k in taken for k in range(i, i + n)):
                continue
            if not (n == 1 and i in split_tokens) and not is_token_boundary_ok(table, i, i + n):
                continue
            if len(words) == 1 and len(words[0]) == 1 and i not in split_tokens and not _letter_use_ok(doc, i):
                continue
            out.append(DrugMatch(i, i + n, entry, how="abbreviation"))
    if letters:
        for i, t in enumerate(texts):
            if i in taken or len(t) < 2 or not t.isupper() or not t.isalpha() or t in defined:
                continue
            if all(c in letters for c in t) and len(set(t)) == len(t) and is_token_boundary_ok(table, i, i + 1):
                out.append(DrugMatch(i, i + 1, DrugEntry(norm="+".join(letters[c].norm for c in t), kind="letters"), how="letters"))
    return out
