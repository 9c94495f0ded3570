"""Terminal text for evaluation and agreement reports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pipeline.evaluation.agreement import AgreementReport
from pipeline.evaluation.report import PRF, AttributeScore, EvaluationReport

# --------------------------------------------------------------------------- terminal output


def _f(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    return [fmt(cells[0]), "  ".join("-" * w for w in widths)] + [fmt(r) for r in cells[1:]]


def _attribute_rows(attributes: Mapping[str, Mapping[str, AttributeScore]]) -> list[list[Any]]:
    return [
        [f"{lab}.{name}", f"{a.correct}/{a.total}", _f(a.accuracy), a.spurious]
        for lab, attrs in attributes.items()
        for name, a in attrs.items()
        if a.total or a.spurious
    ]


def _prf_rows(strict: Mapping[str, PRF], overlap: Mapping[str, PRF]) -> list[list[Any]]:
    rows = []
    for lab in list(k for k in strict if k != "micro") + ["micro"]:
        s, o = strict[lab], overlap[lab]
        rows.append([lab, s.tp + s.fn, s.tp + s.fp, _f(s.precision), _f(s.recall), _f(s.f1),
                     _f(o.precision), _f(o.recall), _f(o.f1)])
    return rows


_PRF_HEADER = ["label", "gold", "pred", "P", "R", "F1", "P~", "R~", "F1~"]


def format_report(report: EvaluationReport) -> str:
    """Readable tables (strict scores, then overlap scores marked ~)."""
    out = [
        f"Documents: {report.docs_gold} gold, {report.docs_matched} matched, "
        f"{len(report.docs_missing)} without prediction, {report.predictions_unmatched} predictions not in gold"
    ]
    if report.docs_missing:
        out.append("  missing: " + ", ".join(report.docs_missing))
    if report.gold_checksum:
        out.append(f"Gold checksum: {report.gold_checksum[:16]}")
    out += ["", f"Entities ({report.entities.docs} docs; ~ = overlap matching)"]
    out += _table(_PRF_HEADER, _prf_rows(report.entities.strict, report.entities.overlap))
    attr_rows = _attribute_rows(report.entities.attributes)
    if attr_rows:
        out += ["", "Attributes (on strict matches)"] + _table(["attribute", "correct", "acc", "spurious"], attr_rows)
    sec = report.sections
    if sec.chars:
        out += ["", "Sections (character accuracy over gold section text)"]
        rows = [[name, s.docs, s.chars, _f(s.char_accuracy)]
                for name, s in (("all", sec), ("with headings", sec.with_headings), ("without headings", sec.without_headings))]
        rows += [[f"  {lab}", "", r.total, _f(r.accuracy)] for lab, r in sec.per_label.items()]
        out += _table(["", "docs", "chars", "acc"], rows)
    if report.metadata:
        out += ["", "Metadata (exact match)"]
        out += _table(["field", "correct", "acc"], [[k, f"{r.correct}/{r.total}", _f(r.accuracy)] for k, r in report.metadata.items()])
    if report.status.total:
        out.append(f"Status: {report.status.correct}/{report.status.total} ({_f(report.status.accuracy)})")
    c = report.cleaning
    if c.docs:
        out += ["", f"Abstract span (cleaning, {c.docs} docs): P {_f(c.precision)}  R {_f(c.recall)}  "
                    f"F1 {_f(c.f1)}  exact {c.exact}/{c.docs}"]
    if report.warnings:
        out += ["", "Warnings:"] + [f"  {w}" for w in report.warnings]
    return "\n".join(out)


def format_errors(report: EvaluationReport, kinds: Iterable[str] | None = None, labels: Iterable[str] | None = None) -> str:
    """Per-document listing of misses, false hits, boundary and attribute errors, section
    and metadata disagreements, each with ~40 characters of context ([[...]] marks the span)."""
    kinds = set(kinds) if kinds else None
    labels = set(labels) if labels else None
    out: list[str] = []
    for doc in report.errors:
        items = [i for i in doc.items if (kinds is None or i.kind in kinds) and (labels is None or i.label in labels)]
        if not items:
            continue
        head = f"== {doc.doc}" + (f"  ({doc.source_path})" if doc.source_path else "")
        out.append(head + ("" if doc.predicted else "  NO PREDICTION"))
        for i in items:
            where = f"[{i.start}:{i.end}]" if i.start is not None else ""
            line = f"  {i.kind:<9} {i.label or '':<17} {where:<12}"
            if i.text is not None:
                line += f" {i.text!r}"
            if i.detail:
                line += f"  ({i.detail})"
            out.append(line.rstrip())
            if i.context:
                out.append(f"      {i.context}")
    return "\n".join(out)


def format_agreement(report: AgreementReport) -> str:
    out = [f"Agreement over {report.docs} documents (pass 1 as reference; ~ = overlap)"]
    if report.only_in_first or report.only_in_second:
        out.append(f"  only in pass 1: {report.only_in_first}; only in pass 2: {report.only_in_second}")
    header = ["label", "pass1", "pass2", *_PRF_HEADER[3:]]
    out += _table(header, _prf_rows(report.strict, report.overlap))
    attr_rows = _attribute_rows(report.attributes)
    if attr_rows:
        out += ["", "Attribute agreement (spans both passes have)"]
        out += _table(["attribute", "same", "acc", "only pass2"], attr_rows)
    if report.sections.chars:
        out.append(f"Section character agreement: {_f(report.sections.char_accuracy)} over {report.sections.chars} chars")
    return "\n".join(out)
