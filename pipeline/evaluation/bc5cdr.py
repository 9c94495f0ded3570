"""Measure the DRUG tagger against the Chemical mentions of the BioCreative V CDR corpus.

The corpus comes as PubTator text: `PMID|t|title`, `PMID|a|abstract`, then tab-separated
`PMID start end text type MeSH` mention lines (offsets into `title + " " + abstract`) and
`CID` relation lines. BC5CDR "Chemical" covers drugs and also non-drug chemicals (ions,
solvents, toxins, lab substances), so precision against it understates ours and recall
counts chemicals we are told not to tag; the numbers are a lexicon health check, not a score
against our guidelines.

    from pipeline.evaluation.bc5cdr import evaluate_drugs_on_bc5cdr
    evaluate_drugs_on_bc5cdr("../shared/data/bc5cdr/CDR_DevelopmentSet.PubTator.txt", nlp)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from pipeline import _extensions  # noqa: F401
from pipeline._extensions import ENTITIES_KEY


@dataclass
class PubTatorDoc:
    pmid: str
    title: str
    abstract: str
    mentions: list[tuple[int, int, str, str, str]] = field(default_factory=list)  # start, end, text, type, id

    @property
    def text(self) -> str:
        return f"{self.title} {self.abstract}"


def read_pubtator(path: str | Path) -> list[PubTatorDoc]:
    """Parse a PubTator file into documents with their mentions."""
    docs: list[PubTatorDoc] = []
    current: PubTatorDoc | None = None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                current = None
                continue
            if "|t|" in line[:20]:
                pmid, _, title = line.split("|", 2)
                current = PubTatorDoc(pmid, title, "")
                docs.append(current)
            elif "|a|" in line[:20] and current is not None:
                current.abstract = line.split("|", 2)[2]
            elif current is not None:
                parts = line.split("\t")
                if len(parts) >= 6 and parts[1].isdigit():
                    current.mentions.append((int(parts[1]), int(parts[2]), parts[3], parts[4], parts[5]))
    return docs


def _tag(nlp: Language, texts: list[str]) -> list[list[tuple[int, int, str]]]:
    out = []
    for doc in nlp.pipe(texts):
        out.append([(s.start_char, s.end_char, s.text) for s in doc.spans.get(ENTITIES_KEY, []) if s.label_ == "DRUG"])
    return out


def evaluate_drugs_on_bc5cdr(path: str | Path, nlp: Language, limit: int | None = None) -> dict:
    """Precision (strict and overlap) of our DRUG spans against Chemical mentions, and recall.

    Returns counts, the rates, and the most frequent false hits and misses (lower-cased
    surface forms) so lexicon gaps are easy to see.
    """
    docs = read_pubtator(path)[:limit]
    predicted = _tag(nlp, [d.text for d in docs])
    n_pred = n_gold = strict_tp_pred = overlap_tp_pred = strict_tp_gold = overlap_tp_gold = 0
    false_hits: Counter[str] = Counter()
    misses: Counter[str] = Counter()
    for doc, preds in zip(docs, predicted):
        gold = [(s, e, t) for s, e, t, typ, _id in doc.mentions if typ == "Chemical"]
        gold_set = {(s, e) for s, e, _ in gold}
        pred_set = {(s, e) for s, e, _ in preds}
        n_pred += len(preds)
        n_gold += len(gold)
        for s, e, t in preds:
            if (s, e) in gold_set:
                strict_tp_pred += 1
            if any(s < ge and gs < e for gs, ge, _ in gold):
                overlap_tp_pred += 1
            else:
                false_hits[t.lower()] += 1
        for s, e, t in gold:
            if (s, e) in pred_set:
                strict_tp_gold += 1
            if any(s < pe and ps < e for ps, pe, _ in preds):
                overlap_tp_gold += 1
            else:
                misses[t.lower()] += 1

    def rate(a: int, b: int) -> float:
        return round(a / b, 4) if b else 0.0

    def f1(p: float, r: float) -> float:
        return round(2 * p * r / (p + r), 4) if p + r else 0.0

    p_strict, r_strict = rate(strict_tp_pred, n_pred), rate(strict_tp_gold, n_gold)
    p_overlap, r_overlap = rate(overlap_tp_pred, n_pred), rate(overlap_tp_gold, n_gold)
    return {
        "documents": len(docs),
        "predicted": n_pred,
        "gold_chemicals": n_gold,
        "precision_strict": p_strict,
        "precision_overlap": p_overlap,
        "recall_strict": r_strict,
        "recall_overlap": r_overlap,
        "f1_strict": f1(p_strict, r_strict),
        "f1_overlap": f1(p_overlap, r_overlap),
        "top_false_hits": false_hits.most_common(40),
        "top_misses": misses.most_common(40),
    }


def main() -> None:  # pragma: no cover - a developer tool
    import json
    import sys

    from pipeline.components.drugs import build_nlp

    path = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[3] / "shared/data/bc5cdr/CDR_DevelopmentSet.PubTator.txt")
    print(json.dumps(evaluate_drugs_on_bc5cdr(path, build_nlp()), indent=1))


if __name__ == "__main__":  # pragma: no cover
    main()
