"""`make eval`: the pipeline on the whole gold set, with full tables (and error listings).

    python scripts/evaluate_gold.py [--shared ../shared] [--errors] [--json OUT] [--markdown OUT]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--errors", action="store_true", help="per-document misses and false hits")
    parser.add_argument("--json", type=Path, default=None, help="write the report as JSON")
    parser.add_argument("--no-section-model", action="store_true")
    parser.add_argument("--subset", choices=["seed", "corpus", "pmc", "heldout", "blind", "blind2"], default=None)
    args = parser.parse_args()

    from pipeline.evaluation.formatting import format_errors, format_report
    from pipeline.evaluation.gate import GOLD_DIR, evaluate_gold
    from pipeline.nlp import build_nlp

    nlp = build_nlp(section_model=None if args.no_section_model else True)
    gold_dir = GOLD_DIR
    if args.subset:
        import shutil
        import tempfile

        tmp = Path(tempfile.mkdtemp())
        name = {"seed": "seeds.jsonl", "corpus": "corpus.jsonl", "pmc": "pmc_rct.jsonl",
                "heldout": "heldout_pmc.jsonl", "blind": "blind_abstracts.jsonl",
                "blind2": "blind_abstracts_2.jsonl"}[args.subset]
        shutil.copy(GOLD_DIR / name, tmp / name)
        gold_dir = tmp
    report, _ = evaluate_gold(nlp, gold_dir=gold_dir, shared=args.shared)
    print(format_report(report))
    if args.errors:
        print(format_errors(report))
    if args.json:
        args.json.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
