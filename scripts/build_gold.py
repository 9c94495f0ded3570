"""Rebuild gold/*.jsonl from the reconciled authoring files in gold/authoring/final/.

    python scripts/build_gold.py [--shared ../shared]

Writes gold/seeds.jsonl, gold/corpus.jsonl and gold/pmc_rct.jsonl from
gold/authoring/final/, and gold/heldout_pmc.jsonl from gold/authoring/final_heldout/ (the
held-out set nobody tunes on); offsets are resolved from the quotes against each
document's source text. Then runs the gold validator and fails on any problem.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.evaluation.gold import (  # noqa: E402
    build_gold_file,
    check_gold,
    load_gold_file,
)

SETS = {  # output file: (authoring folder, document-key prefix)
    "seeds.jsonl": ("final", "seed:"),
    "corpus.jsonl": ("final", "corpus:"),
    "pmc_rct.jsonl": ("final", "pmc:"),
    "heldout_pmc.jsonl": ("final_heldout", "pmc:"),
    "blind_abstracts.jsonl": ("blind", "file:"),
    "blind_abstracts_2.jsonl": ("blind2", "file:"),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--authoring", type=Path, default=REPO / "gold" / "authoring")
    parser.add_argument("--out", type=Path, default=REPO / "gold")
    args = parser.parse_args()
    problems = []
    for name, (folder, prefix) in SETS.items():
        out = args.out / name
        if not (args.authoring / folder).exists():
            continue
        n = build_gold_file(args.authoring / folder, out, shared=args.shared, prefix=prefix)
        if n == 0:
            out.unlink(missing_ok=True)
            continue
        found = check_gold(load_gold_file(out), shared=args.shared)
        problems += [f"{name}: {p}" for p in found]
        print(f"{out.relative_to(REPO)}: {n} documents", file=sys.stderr)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
