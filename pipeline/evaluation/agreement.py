"""Inter-annotator agreement between two annotation passes over the same documents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from pipeline.evaluation.matching import as_dict, doc_id
from pipeline.evaluation.report import (
    ENTITY_LABELS,
    PRF,
    AttributeScore,
    EvaluationReport,
    SectionScores,
)
from pipeline.evaluation.scorer import (
    Tally,
    fill_report,
    score_entities,
    score_sections,
)

# --------------------------------------------------------------------------- agreement


class AgreementReport(BaseModel):
    docs: int = 0
    only_in_first: list[str] = Field(default_factory=list)
    only_in_second: list[str] = Field(default_factory=list)
    strict: dict[str, PRF] = Field(default_factory=dict)
    overlap: dict[str, PRF] = Field(default_factory=dict)
    attributes: dict[str, dict[str, AttributeScore]] = Field(default_factory=dict)
    sections: SectionScores = Field(default_factory=SectionScores)


def agreement(pass1_records: Iterable[Any], pass2_records: Iterable[Any], labels: Sequence[str] = ENTITY_LABELS) -> AgreementReport:
    """Span agreement between two annotation passes over the same documents (matched by
    `doc`): pass 1 is the reference, so precision = share of pass-2 spans pass 1 also has;
    F1 is symmetric. Attribute agreement (on spans both passes have, attributes pass 1 set)
    and section character agreement (where both passes have sections) are included."""
    first = {doc_id(r): r for r in map(as_dict, pass1_records)}
    second = {doc_id(r): r for r in map(as_dict, pass2_records)}
    common = [d for d in first if d in second]
    tally = Tally(labels)
    noop = lambda _g: None  # noqa: E731  (no context text needed)
    for d in common:
        a, b = first[d], second[d]
        if "entities" in a or "entities" in b:
            score_entities({**a, "entities": a.get("entities") or []}, b, tally, [], noop)
        if a.get("sections") and b.get("sections"):
            score_sections(a, b, tally, [], noop)
    report = EvaluationReport(labels=list(labels))
    fill_report(report, tally)
    return AgreementReport(
        docs=len(common),
        only_in_first=sorted(d for d in first if d not in second),
        only_in_second=sorted(d for d in second if d not in first),
        strict=report.entities.strict,
        overlap=report.entities.overlap,
        attributes=report.entities.attributes,
        sections=report.sections,
    )
