"""`make eval`, part 2: accuracy on public data that this project did not label.

- DRUG on the BC5CDR development set: our DRUG spans against BC5CDR Chemical mentions.
- Sections on the structured pmc-rct abstracts of the model's held-out dev split, headings
  removed: the cue-word heuristic and the trained model, sentence level, with and without
  paragraph breaks.

    python scripts/evaluate_external.py [--shared ../shared] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def bc5cdr(shared: Path) -> dict | None:
    path = shared / "data" / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"
    if not path.exists():
        return None
    from pipeline.evaluation.bc5cdr import evaluate_drugs_on_bc5cdr
    from pipeline.nlp import build_nlp

    result = evaluate_drugs_on_bc5cdr(path, build_nlp(section_model=None))
    return {k: v for k, v in result.items() if not k.startswith("top_")}


def sections(shared: Path) -> dict | None:
    data = shared / "data" / "pmc-rct" / "abstracts.jsonl"
    if not data.exists():
        return None
    from pipeline.components.heading_map import LABELS
    from pipeline.components.section_model import load_section_model, smoothed_labels
    from pipeline.components.sections import cue_probabilities, smooth_labels
    from pipeline.training.section_model import prepare_abstracts, score

    dev_ids = set((REPO / "models" / "section_model" / "dev_ids.txt").read_text().split())
    dev = [a for a in prepare_abstracts(data) if a.doc_id in dev_ids]
    model = load_section_model(REPO / "models" / "section_model")
    gold: list[str] = []
    heading_gold: list[str] = []
    out: dict[str, list[str]] = {"heuristic, no paragraphs": [], "heuristic, by paragraph": [],
                                 "model, no paragraphs": [], "model, by paragraph": []}
    for a in dev:
        texts = [" ".join(words) for words in a.sentences]
        gold += a.labels
        heading_gold += a.heading_labels or a.labels
        cue = cue_probabilities(texts)
        out["heuristic, no paragraphs"] += [LABELS[j] for j in smooth_labels(cue)]
        out["heuristic, by paragraph"] += smoothed_labels(cue, a.paragraphs)
        probs = model.predict_words(a.sentences)
        out["model, no paragraphs"] += smoothed_labels(probs)
        out["model, by paragraph"] += smoothed_labels(probs, a.paragraphs)
    result = {"abstracts": len(dev), "sentences": len(gold)}
    for name, predicted in out.items():
        s, h = score(gold, predicted), score(heading_gold, predicted)
        result[name] = {"weighted_f1": s["weighted_f1"], "macro_f1": s["macro_f1"],
                        "weighted_f1_heading_labels": h["weighted_f1"],
                        "per_label_f1": {k: v["f1"] for k, v in s["per_label"].items()}}
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    report = {"bc5cdr_drugs": bc5cdr(args.shared), "sections_pmc_rct_dev": sections(args.shared)}
    d = report["bc5cdr_drugs"]
    if d:
        print(f"BC5CDR development set, DRUG vs Chemical ({d['documents']} abstracts, "
              f"{d['gold_chemicals']} chemicals, {d['predicted']} predicted)")
        print(f"  precision {d['precision_strict']:.3f} strict / {d['precision_overlap']:.3f} overlap; "
              f"recall {d['recall_strict']:.3f} / {d['recall_overlap']:.3f}; F1 strict {d['f1_strict']:.3f}")
    s = report["sections_pmc_rct_dev"]
    if s:
        print(f"\nSections, pmc-rct dev split with headings removed ({s['abstracts']} abstracts, {s['sentences']} sentences)")
        print(f"  {'setting':28} {'weighted F1':>11} {'macro F1':>9} {'wF1 vs headings':>16}")
        for name in ("heuristic, no paragraphs", "heuristic, by paragraph", "model, no paragraphs", "model, by paragraph"):
            r = s[name]
            print(f"  {name:28} {r['weighted_f1']:11.3f} {r['macro_f1']:9.3f} {r['weighted_f1_heading_labels']:16.3f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
