"""Training and evaluating the section model (`make model`, scripts/train_section_model.py):
structured pmc-rct abstracts as labelled sentences, the fixed dev and test splits, cropped
training copies, training, and sentence- and stage-level scores.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

import spacy
from spacy.tokens import Doc

from pipeline.components.heading_map import LABELS, load_heading_map
from pipeline.components.section_model import (
    SectionModel,
    sentence_features,
    smoothed_labels,
)

# --------------------------------------------------------------------------- data


@dataclass
class LabelledAbstract:
    doc_id: str
    sentences: list[list[str]]  # words of each sentence
    labels: list[str]  # training labels (aim statements closing a Background -> OBJECTIVE)
    paragraphs: list[int]  # index of the (headed) section each sentence came from
    heading_labels: list[str] = field(default_factory=list)  # labels as the headings say


# An aim statement ("We aimed to...", "The purpose of this study was..."). Many abstracts have
# no Objective heading and close their Background with the aim; the guidelines label such a
# sentence OBJECTIVE in an unlabelled abstract, so training relabels it (see relabel_aims).
AIM_RE = re.compile(
    r"\b(?:we|this study|the present study|the current study|this trial|the present trial|this paper|"
    r"this article|the study)\s+(?:therefore\s+|thus\s+|now\s+|here\s+)?(?:aim(?:ed|s)?|sought|seek|"
    r"investigat(?:ed|es)|evaluat(?:ed|es)|assess(?:ed|es)|examin(?:ed|es)|compar(?:ed|es)|hypothesi[sz]ed|"
    r"test(?:ed|s)|report|determin(?:ed|es)|explor(?:ed|es)|was designed|is designed|describes?|present)\b"
    r"|\b(?:the )?(?:aim|purpose|objective|goal)s? (?:of|in) (?:this|the|our)\b"
    r"|^(?:to|we wanted to|our aim was to) "
    # a sentence that presents the study: "This randomised phase II study evaluates...",
    # "A prospective randomised trial compared...", "We conducted a phase II trial to..."
    r"|^(?:this|the present|the current|a|an|our)\s+(?:[\w/-]+\s*,?\s+){0,9}(?:study|trial)\s+(?:was designed to|is designed to|"
    r"aim(?:ed|s)|sought|evaluat(?:ed|es)|compar(?:ed|es)|assess(?:ed|es)|investigat(?:ed|es)|examin(?:ed|es)|"
    r"test(?:ed|s)|determin(?:ed|es)|explor(?:ed|es))\b"
    r"|^we (?:have )?(?:conducted|performed|undertook|carried out|designed|initiated) (?:a|an|this)\b.*?\bto "
    r"(?:investigate|evaluate|assess|determine|compare|examine|test|explore)\b",
    re.I,
)


def relabel_aims(sentences: Sequence[Sequence[str]], labels: Sequence[str]) -> list[str]:
    """In an abstract without an OBJECTIVE section, the aim statements that close the
    BACKGROUND section become OBJECTIVE (the last run of matching BACKGROUND sentences)."""
    out = list(labels)
    if "OBJECTIVE" in out or "BACKGROUND" not in out:
        return out
    last_background = max(i for i, label in enumerate(out) if label == "BACKGROUND")
    i = last_background
    while i >= 0 and out[i] == "BACKGROUND" and AIM_RE.search(" ".join(sentences[i])):
        out[i] = "OBJECTIVE"
        i -= 1
    return out


def _sentence_nlp() -> spacy.Language:
    from pipeline.components import (
        sentences as _sentences,  # noqa: F401  (registers abstracts_sentences)
    )
    from pipeline.components.tokenizer import AbstractTokenizer

    nlp = spacy.blank("en")
    nlp.tokenizer = AbstractTokenizer(nlp.vocab)
    nlp.add_pipe("abstracts_sentences")
    return nlp


def split_sections(nlp: spacy.Language, sections: Sequence[tuple[str, str]]) -> tuple[list[list[str]], list[str], list[int]]:
    """Sentences of labelled section texts, split as the pipeline splits an abstract."""
    text = ""
    ranges = []
    for _label, body in sections:
        if text:
            text += "\n\n"
        ranges.append((len(text), len(text) + len(body)))
        text += body
    doc = nlp.make_doc(text)
    doc._.segment = "abstract"
    doc._.headings = []
    doc._.paragraphs = ranges
    doc = nlp(doc)
    sentences, labels, paras = [], [], []
    for sent in doc.sents:
        words = [t.text for t in sent if not t.is_space]
        if not words:
            continue
        for k, (start, end) in enumerate(ranges):
            if start <= sent[0].idx < end:
                sentences.append(words)
                labels.append(sections[k][0])
                paras.append(k)
                break
    return sentences, labels, paras


def structured_abstracts(jsonl_path: str | Path) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(doc id, [(label, section text)]) of the structured abstracts of a pmc-rct JSONL file.

    Headings are mapped with the heading map; an abstract with a heading the map does not
    know is dropped; trailer sections (trial registration, funding) are left out; an
    abstract needs at least two labelled sections.
    """
    heading_map = load_heading_map()
    with open(jsonl_path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            sections = record.get("sections") or []
            if not sections or not all(s.get("heading") for s in sections):
                continue
            entries = [(heading_map.entry(s["heading"]), (s.get("text") or "").strip()) for s in sections]
            if any(category is None for (category, _), _ in entries):
                continue
            kept = [(category, body) for (category, trailer), body in entries if not trailer and body]
            if len(kept) >= 2:
                yield str(record.get("pmcid") or record.get("pmid") or record.get("doi")), kept


def prepare_abstracts(jsonl_path: str | Path, relabel: bool = True) -> list[LabelledAbstract]:
    """Structured abstracts (`structured_abstracts`) as labelled sentences.

    `heading_labels` keeps the headings' own labels; with `relabel`, `labels` has the aim
    statements closing a Background relabelled OBJECTIVE (`relabel_aims`).
    """
    nlp = _sentence_nlp()
    out = []
    for doc_id, kept in structured_abstracts(jsonl_path):
        sentences, labels, paras = split_sections(nlp, kept)
        if sentences:
            trained = relabel_aims(sentences, labels) if relabel else list(labels)
            out.append(LabelledAbstract(doc_id, sentences, trained, paras, labels))
    return out


def split_train_dev(abstracts: list[LabelledAbstract], dev_share: float, seed: int) -> tuple[list, list]:
    """A random dev split by document (how models/section_model/dev_ids.txt was made, seed 13)."""
    ids = sorted({a.doc_id for a in abstracts})
    random.Random(seed).shuffle(ids)
    dev_ids = set(ids[: int(round(len(ids) * dev_share))])
    return [a for a in abstracts if a.doc_id not in dev_ids], [a for a in abstracts if a.doc_id in dev_ids]


# The test split: abstracts outside the fixed dev split whose id hashes to 0 mod 7 (about
# one in seven). Never trained on, and not looked at while the model's settings were chosen.
TEST_MODULUS = 7


def is_test_id(doc_id: str) -> bool:
    return int(hashlib.sha256(doc_id.encode("utf-8")).hexdigest(), 16) % TEST_MODULUS == 0


def split_abstracts(abstracts: Sequence[LabelledAbstract], dev_ids: set[str]) -> tuple[list, list, list]:
    """(train, dev, test): dev = the fixed dev ids, test = `is_test_id` among the rest."""
    rest = [a for a in abstracts if a.doc_id not in dev_ids]
    return ([a for a in rest if not is_test_id(a.doc_id)], [a for a in abstracts if a.doc_id in dev_ids],
            [a for a in rest if is_test_id(a.doc_id)])


def cropped_copies(abstract: LabelledAbstract, rng: random.Random, start_share: float, end_share: float) -> list[LabelledAbstract]:
    """Extra training copies of one abstract: with probability `start_share` without its
    opening BACKGROUND / OBJECTIVE sentences (so it opens with METHODS), with probability
    `end_share` without its RESULTS / CONCLUSIONS (so it ends with METHODS, as a trial
    protocol does). Structured abstracts almost never open or end so, and a model trained
    on them alone labels an opening "We randomly assigned..." OBJECTIVE and a closing
    methods sentence CONCLUSIONS. A copy keeps at least two sentences."""
    labels = abstract.labels
    methods = [i for i, label in enumerate(labels) if label == "METHODS"]
    out: list[LabelledAbstract] = []
    if not methods:
        return out
    first, last = methods[0], methods[-1]

    def cut(lo: int, hi: int) -> LabelledAbstract:
        return LabelledAbstract(abstract.doc_id, abstract.sentences[lo:hi], labels[lo:hi],
                                abstract.paragraphs[lo:hi], (abstract.heading_labels or labels)[lo:hi])

    if rng.random() < start_share and first > 0 and len(labels) - first >= 2:
        out.append(cut(first, len(labels)))
    if rng.random() < end_share and 1 <= last < len(labels) - 1:
        out.append(cut(0, last + 1))
    return out


# --------------------------------------------------------------------------- scoring


def score(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    """Per-label P/R/F1, macro and weighted F1, accuracy and the confusion counts."""
    per_label = {}
    total = len(gold)
    for label in LABELS:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted))
        n_pred = sum(p == label for p in predicted)
        n_gold = sum(g == label for g in gold)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1, "support": n_gold}
    macro = sum(v["f1"] for v in per_label.values()) / len(LABELS)
    weighted = sum(v["f1"] * v["support"] for v in per_label.values()) / total if total else 0.0
    confusion: dict[str, int] = {}
    for g, p in zip(gold, predicted):
        if g != p:
            confusion[f"{g}->{p}"] = confusion.get(f"{g}->{p}", 0) + 1
    return {
        "sentences": total,
        "accuracy": sum(g == p for g, p in zip(gold, predicted)) / total if total else 0.0,
        "macro_f1": macro,
        "weighted_f1": weighted,
        "per_label": per_label,
        "confusions": dict(sorted(confusion.items(), key=lambda kv: -kv[1])),
    }


def evaluate(model: SectionModel, abstracts: Sequence[LabelledAbstract]) -> dict:
    """Sentence-level scores: raw argmax, smoothed without paragraphs, smoothed by paragraph
    (against the relabelled gold), plus the smoothed scores against the heading labels."""
    gold: list[str] = []
    heading_gold: list[str] = []
    raw: list[str] = []
    no_paragraphs: list[str] = []
    by_paragraph: list[str] = []
    start = time.perf_counter()
    for abstract in abstracts:
        probs = model.predict_words(abstract.sentences)
        gold.extend(abstract.labels)
        heading_gold.extend(abstract.heading_labels or abstract.labels)
        raw.extend(LABELS[max(range(len(LABELS)), key=row.__getitem__)] for row in probs)
        no_paragraphs.extend(smoothed_labels(probs))
        by_paragraph.extend(smoothed_labels(probs, abstract.paragraphs))
    seconds = time.perf_counter() - start
    return {
        "abstracts": len(abstracts),
        "raw": score(gold, raw),
        "smoothed_no_paragraphs": score(gold, no_paragraphs),
        "smoothed_by_paragraph": score(gold, by_paragraph),
        "heading_labels_no_paragraphs": score(heading_gold, no_paragraphs),
        "heading_labels_by_paragraph": score(heading_gold, by_paragraph),
        "sentences_per_second_model_only": len(gold) / seconds if seconds else None,
    }


def evaluate_component(model: Optional[SectionModel], jsonl_path: str | Path, ids: Iterable[str]) -> dict:
    """The whole `abstracts_sections` component on structured abstracts with their headings
    removed, laid out as one block (sections joined by a space) and as paragraphs (one per
    section): our tokenizer and sentence splitter, then the component; scored per non-space
    character against the heading labels. `model=None` scores the cue-word heuristic.
    Also the component's speed (sentences already split; model loaded)."""
    from pipeline.components.tokenizer import AbstractTokenizer

    from . import sections as _sections  # noqa: F401  (registers abstracts_sections)
    from . import sentences as _sentences  # noqa: F401  (registers abstracts_sentences)

    nlp = spacy.blank("en")
    nlp.tokenizer = AbstractTokenizer(nlp.vocab)
    nlp.add_pipe("abstracts_sentences")
    tagger = nlp.add_pipe("abstracts_sections")
    tagger._model = model
    wanted = set(ids)
    records = [(doc_id, kept) for doc_id, kept in structured_abstracts(jsonl_path) if doc_id in wanted]
    out = {"abstracts": len(records)}
    for mode, separator in (("one_block", " "), ("paragraphs", "\n\n")):
        gold: list[str] = []
        predicted: list[str] = []
        sentences, seconds = 0, 0.0
        for _doc_id, kept in records:
            text, ranges = "", []
            for label, body in kept:
                if text:
                    text += separator
                ranges.append((len(text), len(text) + len(body), label))
                text += body
            doc = nlp.make_doc(text)
            doc._.segment = "abstract"
            doc._.headings = []
            doc._.paragraphs = [(s, e) for s, e, _ in ranges] if mode == "paragraphs" else None
            doc = nlp.get_pipe("abstracts_sentences")(doc)
            started = time.perf_counter()
            doc = tagger(doc)
            seconds += time.perf_counter() - started
            sentences += sum(1 for _ in doc.sents)
            label_at = [None] * len(text)
            for span in doc.spans["sections"]:
                label_at[span.start_char:span.end_char] = [span.label_] * (span.end_char - span.start_char)
            for s, e, label in ranges:
                for i in range(s, e):
                    if not text[i].isspace():
                        gold.append(label)
                        predicted.append(label_at[i] or "NONE")
        result = score(gold, predicted)
        out[mode] = {
            "char_accuracy": result["accuracy"],
            "char_weighted_f1": result["weighted_f1"],
            "per_label_f1": {label: v["f1"] for label, v in result["per_label"].items()},
            "sentences_per_second": round(sentences / seconds) if seconds else None,
        }
    return out


# --------------------------------------------------------------------------- training


@dataclass
class TrainSettings:
    epochs: int = 8
    batch_size: int = 64
    dropout: float = 0.1
    seed: int = 13
    labels: str = "relabelled"  # train on `labels` (aims relabelled) or "heading" (`heading_labels`)
    crop_start_share: float = 0.15  # cropped_copies: share of abstracts also trained opening with METHODS
    crop_end_share: float = 0.15  # ... and ending with METHODS
    log: list = field(default_factory=list)


def training_set(abstracts: Sequence[LabelledAbstract], settings: TrainSettings) -> list[LabelledAbstract]:
    """The abstracts, each followed by its `cropped_copies` (fixed seed)."""
    rng = random.Random(settings.seed)
    out: list[LabelledAbstract] = []
    for abstract in abstracts:
        out.append(abstract)
        out.extend(cropped_copies(abstract, rng, settings.crop_start_share, settings.crop_end_share))
    return out


def _examples(nlp: spacy.Language, abstracts: Iterable[LabelledAbstract], labels: str = "relabelled"):
    from spacy.training import Example

    if labels not in ("relabelled", "heading"):
        raise ValueError(f"labels must be 'relabelled' or 'heading', not {labels!r}")
    examples = []
    for abstract in abstracts:
        gold = abstract.heading_labels or abstract.labels if labels == "heading" else abstract.labels
        for feats, label in zip(sentence_features(abstract.sentences), gold):
            doc = Doc(nlp.vocab, words=feats)
            cats = {name: float(name == label) for name in LABELS}
            examples.append(Example.from_dict(doc, {"cats": cats}))
    return examples


def train(config_path: str | Path, train_set: Sequence[LabelledAbstract], dev_set: Sequence[LabelledAbstract],
          settings: TrainSettings) -> tuple[SectionModel, dict]:
    """Train the textcat defined in `config_path` on the training abstracts and their
    `cropped_copies`; keep the epoch with the best dev weighted F1 (smoothed, no
    paragraphs, against the labels trained on). Returns the model and its dev evaluation."""
    from spacy.util import (
        fix_random_seed,
        load_config,
        load_model_from_config,
        minibatch,
    )

    fix_random_seed(settings.seed)
    config = load_config(config_path)
    nlp = load_model_from_config(config, auto_fill=True, validate=True)
    examples = _examples(nlp, training_set(train_set, settings), settings.labels)
    textcat = nlp.get_pipe("textcat")
    for label in LABELS:
        textcat.add_label(label)
    optimizer = nlp.initialize(lambda: examples[:500])
    rng = random.Random(settings.seed)
    best_bytes, best_eval, best_f1 = None, None, -1.0
    for epoch in range(settings.epochs):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=settings.batch_size):
            nlp.update(batch, sgd=optimizer, drop=settings.dropout, losses=losses)
        with textcat.model.use_params(optimizer.averages) if optimizer.averages else nullcontext():
            model = SectionModel(nlp)
            result = evaluate(model, dev_set)
            f1 = result["heading_labels_no_paragraphs" if settings.labels == "heading" else "smoothed_no_paragraphs"]["weighted_f1"]
            settings.log.append({"epoch": epoch + 1, "loss": round(losses.get("textcat", 0.0), 3),
                                 "dev_weighted_f1": round(f1, 4),
                                 "dev_raw_weighted_f1": round(result["raw"]["weighted_f1"], 4)})
            print(json.dumps(settings.log[-1]), flush=True)
            if f1 > best_f1:
                best_f1, best_eval, best_bytes = f1, result, textcat.to_bytes(exclude=["vocab"])
    textcat.from_bytes(best_bytes, exclude=["vocab"])
    return SectionModel(nlp), best_eval


def save_model(model: SectionModel, config_path: str | Path, output: str | Path) -> Path:
    """Write the pipeline with a fresh vocab (the feature strings need not ship: textcat
    hashes them), so the saved model stays small."""
    from spacy.util import load_config, load_model_from_config

    fresh = load_model_from_config(load_config(config_path), auto_fill=True, validate=True)
    textcat = fresh.get_pipe("textcat")
    textcat.from_bytes(model.textcat.to_bytes(exclude=["vocab"]), exclude=["vocab"])
    output = Path(output)
    fresh.to_disk(output)
    return output
