"""The evaluation report: pydantic models of scores (P/R/F1, attribute and section accuracy,
cleaning) and of the per-document error listing. docs/evaluation.md defines every metric.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

ErrorKind = Literal["miss", "false_hit", "boundary", "attribute", "section", "metadata", "abstract", "status"]

ENTITY_LABELS: tuple[str, ...] = ("DRUG", "DOSE", "SURVIVAL", "HAZARD_RATIO")

# Attributes whose accuracy is measured on strictly matched spans (guidelines' core ones).
SCORED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "DRUG": ("norm",),
    "DOSE": ("value", "low", "high", "values", "unit", "drug"),
    "SURVIVAL": ("endpoint", "measure", "value", "unit", "horizon", "ci"),
    "HAZARD_RATIO": ("value", "ci"),
}

CONTEXT_CHARS = 40
# Leaf names of `report_metrics` keys that the gate puts floors on.
NUMBER_TOLERANCE = 1e-6


# --------------------------------------------------------------------------- report models


class PRF(BaseModel):
    """Counts and precision/recall/F1; a ratio with a zero denominator is None (undefined)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None

    @classmethod
    def of(cls, tp: int, fp: int, fn: int) -> PRF:
        return cls(
            tp=tp,
            fp=fp,
            fn=fn,
            precision=tp / (tp + fp) if tp + fp else None,
            recall=tp / (tp + fn) if tp + fn else None,
            f1=2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None,
        )


class Ratio(BaseModel):
    correct: int = 0
    total: int = 0
    accuracy: float | None = None

    @classmethod
    def of(cls, correct: int, total: int) -> Ratio:
        return cls(correct=correct, total=total, accuracy=correct / total if total else None)


class AttributeScore(Ratio):
    """Accuracy over strict matches whose gold span has the attribute; `spurious` counts
    matches where only the prediction has it (reported, not part of the accuracy)."""

    spurious: int = 0


class EntityScores(BaseModel):
    strict: dict[str, PRF] = Field(default_factory=dict)  # per label + "micro"
    overlap: dict[str, PRF] = Field(default_factory=dict)
    attributes: dict[str, dict[str, AttributeScore]] = Field(default_factory=dict)
    docs: int = 0


class SectionSplit(BaseModel):
    docs: int = 0
    chars: int = 0
    correct: int = 0
    char_accuracy: float | None = None


class SectionScores(SectionSplit):
    with_headings: SectionSplit = Field(default_factory=SectionSplit)
    without_headings: SectionSplit = Field(default_factory=SectionSplit)
    per_label: dict[str, Ratio] = Field(default_factory=dict)
    # gold label -> predicted label (or "NONE") -> characters
    confusion: dict[str, dict[str, int]] = Field(default_factory=dict)


class CleaningScores(BaseModel):
    docs: int = 0
    gold_chars: int = 0
    pred_chars: int = 0
    overlap_chars: int = 0
    exact: int = 0
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None


class ErrorItem(BaseModel):
    kind: ErrorKind
    label: str | None = None
    start: int | None = None
    end: int | None = None
    text: str | None = None
    context: str | None = None
    detail: str | None = None


class DocErrors(BaseModel):
    doc: str
    source_path: str | None = None
    predicted: bool = True
    items: list[ErrorItem] = Field(default_factory=list)


class EvaluationReport(BaseModel):
    labels: list[str]
    docs_gold: int = 0
    docs_matched: int = 0
    docs_missing: list[str] = Field(default_factory=list)
    predictions_unmatched: int = 0
    gold_checksum: str | None = None
    entities: EntityScores = Field(default_factory=EntityScores)
    sections: SectionScores = Field(default_factory=SectionScores)
    metadata: dict[str, Ratio] = Field(default_factory=dict)
    status: Ratio = Field(default_factory=Ratio)
    cleaning: CleaningScores = Field(default_factory=CleaningScores)
    errors: list[DocErrors] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
