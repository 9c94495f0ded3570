"""The evaluation gate: run the pipeline on the gold documents, score, compare with floors.

`make test` runs it (tests/test_evaluation_gate.py), `make eval` prints the full tables
(scripts/evaluate_gold.py). Floors live in gold/baseline.json with a checksum of the gold
files; raising a floor is `abstracts gold baseline`, lowering one needs `--allow-lower`.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from spacy.language import Language

from pipeline.evaluate import (
    EvaluationReport,
    evaluate,
    gold_checksum,
    gold_input_paths,
    load_jsonl,
)
from pipeline.gold import DEFAULT_SHARED, REPO_ROOT

GOLD_DIR = REPO_ROOT / "gold"
BASELINE = GOLD_DIR / "baseline.json"


def gold_files(gold_dir: Path = GOLD_DIR) -> list[Path]:
    return sorted(Path(gold_dir).glob("*.jsonl"))


def predict_gold(gold_records: list[dict], nlp: Language, shared: Path = DEFAULT_SHARED) -> list[dict]:
    """Pipeline records for every gold document whose input is available."""
    from pipeline.extract import extract

    with tempfile.TemporaryDirectory() as tmp:
        inputs = gold_input_paths(gold_records, tmp, shared=shared)
        out = io.StringIO()
        extract(inputs, out, nlp=nlp, progress=False)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def evaluate_gold(
    nlp: Language, gold_dir: Path = GOLD_DIR, shared: Path = DEFAULT_SHARED
) -> tuple[EvaluationReport, list[dict]]:
    """Score the pipeline on the whole gold set; returns the report and the predictions."""
    files = gold_files(gold_dir)
    gold = [rec for path in files for rec in load_jsonl(path)]
    if not (Path(shared) / "data" / "pmc-rct" / "abstracts.jsonl").exists():
        gold = [g for g in gold if not g.get("doc", "").startswith("pmc:")]
    if not (Path(shared) / "seeds").exists():
        gold = [g for g in gold if not g.get("doc", "").startswith("seed:")]
    preds = predict_gold(gold, nlp, shared)
    report = evaluate(gold, preds, shared=shared, gold_checksum=gold_checksum(files))
    return report, preds
