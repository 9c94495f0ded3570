"""The evaluation gate: run the pipeline on the gold documents, score, compare with floors.

`make test` runs it (tests/test_evaluation_gate.py), `make eval` prints the full tables
(scripts/evaluate_gold.py). Floors live in gold/baseline.json with a checksum of the gold
files; raising a floor is `abstracts gold baseline`, lowering one needs `--allow-lower`.
"""

from __future__ import annotations

import io
import json
import math
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language

from pipeline.datafiles import DataFileError, loads_strict
from pipeline.evaluation.gold import DEFAULT_SHARED, REPO_ROOT
from pipeline.evaluation.matching import gold_checksum, load_jsonl
from pipeline.evaluation.report import EvaluationReport
from pipeline.evaluation.scorer import evaluate, gold_input_paths

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


FLOOR_MARGIN = 0.01
GATED_LEAVES = ("f1", "accuracy", "char_accuracy")


# --------------------------------------------------------------------------- floors and the baseline file


class Baseline(BaseModel):
    """gold/baseline.json: the gold checksum the floors were measured on, and the floors."""

    model_config = ConfigDict(extra="forbid")
    gold_checksum: str | None = None
    floors: dict[str, float] = Field(default_factory=dict)


class BaselineError(ValueError):
    pass


def load_baseline(path: str | Path) -> Baseline:
    """Read and validate a baseline file (unknown and duplicate keys, floors outside [0, 1] rejected)."""
    try:
        data = loads_strict(Path(path).read_text(encoding="utf-8"), str(path))
    except DataFileError as err:
        raise BaselineError(str(err)) from None
    baseline = Baseline.model_validate(data)
    bad = [k for k, v in baseline.floors.items() if not 0.0 <= v <= 1.0]
    if bad:
        raise BaselineError(f"{path}: floors outside [0, 1]: {bad}")
    return baseline


def report_metrics(report: EvaluationReport | Mapping[str, Any]) -> dict[str, float]:
    """Every measured score of a report as a flat `dotted.key -> value` dict, e.g.
    `entities.strict.micro.f1`, `entities.attributes.DOSE.unit.accuracy`,
    `sections.char_accuracy`, `metadata.title.accuracy`, `cleaning.f1`. Undefined scores
    (no support) are left out."""
    data = report.model_dump(mode="json") if isinstance(report, BaseModel) else dict(report)
    out: dict[str, float] = {}

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if prefix == "" and k in ("errors", "warnings", "docs_missing", "labels", "gold_checksum"):
                    continue
                if k == "confusion":
                    continue
                walk(v, f"{prefix}.{k}" if prefix else k)
        elif isinstance(node, float) and prefix.rsplit(".", 1)[-1] in ("precision", "recall", *GATED_LEAVES):
            out[prefix] = node

    walk(data, "")
    return out


def gate_metrics(report: EvaluationReport | Mapping[str, Any]) -> dict[str, float]:
    """The metrics `update_baseline` puts floors on: every measured F1 and accuracy."""
    return {k: v for k, v in report_metrics(report).items() if k.rsplit(".", 1)[-1] in GATED_LEAVES}


def _baseline(baseline: Baseline | Mapping[str, Any] | str | Path) -> Baseline:
    if isinstance(baseline, Baseline):
        return baseline
    if isinstance(baseline, (str, Path)):
        return load_baseline(baseline)
    return Baseline.model_validate(baseline)


def check_floors(report: EvaluationReport | Mapping[str, Any], baseline: Baseline | Mapping[str, Any] | str | Path) -> list[str]:
    """Gate failures: a metric below its floor or not measured, or a gold set whose checksum
    differs from the one the baseline was measured on. Empty list = pass."""
    base = _baseline(baseline)
    failures: list[str] = []
    checksum = report.gold_checksum if isinstance(report, BaseModel) else report.get("gold_checksum")
    if base.gold_checksum is not None and checksum != base.gold_checksum:
        failures.append(
            f"gold checksum {str(checksum)[:16]} differs from the baseline's {base.gold_checksum[:16]}: "
            "the gold set changed; re-measure and refresh the baseline (update_baseline)"
        )
    metrics = report_metrics(report)
    for key, floor in sorted(base.floors.items()):
        value = metrics.get(key)
        if value is None:
            failures.append(f"{key}: not measured (floor {floor:.4f})")
        elif value < floor - 1e-12:
            failures.append(f"{key}: {value:.4f} is below its floor {floor:.4f}")
    return failures


def update_baseline(
    report: EvaluationReport | Mapping[str, Any],
    baseline_path: str | Path,
    allow_lower: bool = False,
    margin: float = FLOOR_MARGIN,
) -> Baseline:
    """Raise floors to what the report measured (minus `margin`) and record its gold checksum.

    A floor only moves up, except: a metric measured below its current floor, or no longer
    measured, needs `allow_lower=True` (then it is set from the measurement or dropped);
    otherwise nothing is written and `BaselineError` lists the floors that would drop."""
    path = Path(baseline_path)
    old = load_baseline(path) if path.exists() else Baseline()
    measured = gate_metrics(report)
    lowered = []
    floors: dict[str, float] = {}
    for key in sorted(set(old.floors) | set(measured)):
        value, floor = measured.get(key), old.floors.get(key)
        proposed = None if value is None else max(0.0, math.floor((value - margin) * 1e4) / 1e4)
        if floor is None:
            floors[key] = proposed  # type: ignore[assignment]
        elif value is None or value < floor - 1e-12:
            lowered.append(f"{key}: floor {floor:.4f}, measured {'nothing' if value is None else f'{value:.4f}'}")
            if proposed is not None:
                floors[key] = proposed
        else:
            floors[key] = max(floor, proposed)  # type: ignore[type-var]
    if lowered and not allow_lower:
        raise BaselineError("refusing to lower floors (pass allow_lower=True):\n  " + "\n  ".join(lowered))
    checksum = report.gold_checksum if isinstance(report, BaseModel) else report.get("gold_checksum")
    new = Baseline(gold_checksum=checksum, floors=floors)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(new.model_dump(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return new
