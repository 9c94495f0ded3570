"""`abstracts evaluate ... --html report.html`: the evaluation report as one static HTML page.

It shows what `format_report` and `format_errors` print, drawn for the eye: a bar chart of
strict precision, recall and F1 per label (inline SVG made here, no script needed), the
P/R/F1 table with overlap scores, attribute accuracy as bars, section, metadata, status and
abstract-span scores, and the error listing with gold and predicted side by side, each in
its context (the span marked), filterable by kind and label.

The error items' `detail` strings (pipeline.evaluation.scorer) are split into their gold and
predicted parts here; a detail in another form is shown whole, as a note.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.output.page import LABEL_COLOURS, render_page

if TYPE_CHECKING:  # the one name used from the evaluation package, for type hints only (read by attribute)
    from pipeline.evaluation.report import EvaluationReport

METRICS = (("precision", "P", "#4c78a8"), ("recall", "R", "#f58518"), ("f1", "F1", "#54a24b"))
KIND_NAMES = {
    "miss": "miss", "false_hit": "false hit", "boundary": "boundary", "attribute": "attribute",
    "section": "section", "metadata": "metadata", "abstract": "abstract span", "status": "status",
}

_GOLD_PRED = re.compile(
    r"^(?:(?P<name>[\w.]+): )?gold (?P<gold>.*?), predicted (?P<pred>.*?)(?: \((?P<chars>\d+ chars)\))?(?:; (?P<tail>.*))?$", re.S
)
_PREDICTED_SPAN = re.compile(r"^predicted (?P<text>'.*'|\".*\") \[(?P<start>-?\d+):(?P<end>-?\d+)\]$", re.S)
_WS = re.compile(r"\s+")


# --------------------------------------------------------------------------- charts (geometry only; the template draws)


def prf_chart(strict: Mapping[str, Any], labels: Sequence[str], height: int = 200) -> dict[str, Any]:
    """Bars of precision, recall and F1 for each label and the micro average.

    Returns the SVG size, the y-axis grid and one group per label, each with its bars
    (x, y, width, height, value text); an undefined score (no gold and no predictions)
    gets no bar and "n/a"."""
    bar, gap, left, top = 24, 28, 34, 14
    names = [lab for lab in labels if lab in strict] + (["micro"] if "micro" in strict else [])
    groups = []
    for g, name in enumerate(names):
        prf = strict[name]
        x0 = left + gap / 2 + g * (3 * bar + gap)
        bars = []
        for m, (field, short, colour) in enumerate(METRICS):
            value = getattr(prf, field)
            h = 0 if value is None else round(value * height, 1)
            bars.append({"x": x0 + m * bar, "y": top + height - h, "w": bar - 3, "h": h, "colour": colour, "metric": short,
                         "text": "n/a" if value is None else f"{value:.2f}", "value": value})
        groups.append({"label": name, "cx": x0 + 1.5 * bar, "bars": bars, "n_gold": prf.tp + prf.fn, "n_pred": prf.tp + prf.fp})
    width = left + len(names) * (3 * bar + gap) + 10
    grid = [{"y": top + height - f * height, "text": f"{f:.2g}" if f not in (0, 1) else str(int(f))} for f in (0, 0.25, 0.5, 0.75, 1)]
    return {"width": width, "height": top + height + 56, "top": top, "base": top + height, "left": left, "grid": grid,
            "groups": groups, "legend": [{"metric": s, "colour": c} for _, s, c in METRICS]}


def attribute_rows(attributes: Mapping[str, Mapping[str, Any]], scale: int = 260) -> list[dict[str, Any]]:
    rows = []
    for label, attrs in attributes.items():
        for name, score in attrs.items():
            if not (score.total or score.spurious):
                continue
            acc = score.accuracy
            rows.append({"name": f"{label}.{name}", "label": label, "correct": score.correct, "total": score.total,
                         "spurious": score.spurious, "accuracy": acc, "text": "-" if acc is None else f"{acc:.3f}",
                         "w": 0 if acc is None else round(acc * scale, 1), "scale": scale,
                         "colour": LABEL_COLOURS.get(label, "#bbbbbb")})
    return rows


# --------------------------------------------------------------------------- error listing


def split_context(context: str | None) -> tuple[str, str, str] | None:
    """`...left [[span]] right...` (the scorer's context_snippet) as (left, span, right)."""
    if not context or "[[" not in context or "]]" not in context:
        return None
    left, rest = context.split("[[", 1)
    span, right = rest.rsplit("]]", 1)
    return left, span, right


def _literal(text: str) -> str:
    try:
        return str(ast.literal_eval(text))
    except (ValueError, SyntaxError):
        return text


def _predicted_context(gold_ctx: tuple[str, str, str], gold_start: int | None, ptext: str, pstart: int) -> tuple[str, str, str] | None:
    """The predicted span marked in the gold span's context, when it lies there."""
    left, span, right = gold_ctx
    plain = left + span + right
    want = _WS.sub(" ", ptext)
    if not want:
        return None
    guess = len(left) + (pstart - gold_start) if gold_start is not None else -1
    if not (0 <= guess and plain[guess : guess + len(want)] == want):
        hits = [m.start() for m in re.finditer(re.escape(want), plain)]
        if not hits:
            return None
        guess = min(hits, key=lambda h: abs(h - len(left)))
    return plain[:guess], want, plain[guess + len(want) :]


def error_row(item: Any) -> dict[str, Any]:
    """One error item as table cells: gold and predicted, each a context (left, span,
    right) and/or a value, or None when that side has nothing (a miss has no prediction)."""
    ctx = split_context(item.context)
    where = f"[{item.start}:{item.end}]" if item.start is not None else ""
    row: dict[str, Any] = {"kind": item.kind, "kind_name": KIND_NAMES.get(item.kind, item.kind), "label": item.label or "",
                           "where": where, "gold": None, "pred": None, "note": None}
    detail = item.detail or ""
    if item.kind == "miss":
        row["gold"] = {"ctx": ctx, "value": None if ctx else item.text}
    elif item.kind == "false_hit":
        row["pred"] = {"ctx": ctx, "value": None if ctx else item.text}
        row["note"] = detail or None
    elif item.kind == "boundary" and (m := _PREDICTED_SPAN.match(detail)):
        ptext, pstart = _literal(m["text"]), int(m["start"])
        row["gold"] = {"ctx": ctx, "value": None if ctx else item.text}
        pctx = _predicted_context(ctx, item.start, ptext, pstart) if ctx else None
        row["pred"] = {"ctx": pctx, "value": None if pctx else repr(ptext)}
        row["note"] = f"predicted [{m['start']}:{m['end']}]"
    elif m := _GOLD_PRED.match(detail):
        prefix = f"{m['name']}: " if m["name"] else ""
        same_span = item.kind in ("attribute", "section")  # both sides are about the very same text
        row["gold"] = {"ctx": ctx, "value": prefix + m["gold"]}
        row["pred"] = {"ctx": ctx if same_span else None, "value": prefix + m["pred"]}
        row["note"] = "; ".join(x for x in (m["chars"], m["tail"]) if x) or None
    else:
        row["gold"] = {"ctx": ctx, "value": None if ctx else item.text} if (ctx or item.text) else None
        row["note"] = detail or None
    return row


def error_docs(report: EvaluationReport) -> list[dict[str, Any]]:
    return [{"doc": d.doc, "source_path": d.source_path, "predicted": d.predicted,
             "rows": [error_row(i) for i in d.items]} for d in report.errors]


# --------------------------------------------------------------------------- the page


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def render_report_html(report: EvaluationReport, *, title: str = "Evaluation report", inputs: Sequence[str] = ()) -> str:
    """The report page as HTML text (inputs: gold and prediction file names to show)."""
    strict, overlap = report.entities.strict, report.entities.overlap
    names = [lab for lab in report.labels if lab in strict] + (["micro"] if "micro" in strict else [])
    prf_rows = []
    for name in names:
        s, o = strict[name], overlap.get(name)
        prf_rows.append({"label": name, "gold": s.tp + s.fn, "pred": s.tp + s.fp, "tp": s.tp,
                         "strict": [_fmt(s.precision), _fmt(s.recall), _fmt(s.f1)],
                         "overlap": [_fmt(o.precision), _fmt(o.recall), _fmt(o.f1)] if o else ["-"] * 3})
    docs = error_docs(report)
    kinds = Counter(r["kind"] for d in docs for r in d["rows"])
    labels = Counter(r["label"] for d in docs for r in d["rows"] if r["label"])
    return render_page(
        "report.html.j2",
        css=["base.css", "report.css"],
        js=["report.js"],
        title=title,
        inputs=list(inputs),
        report=report,
        fmt=_fmt,
        chart=prf_chart(strict, report.labels),
        prf_rows=prf_rows,
        attributes=attribute_rows(report.entities.attributes),
        docs=docs,
        kinds=[(k, KIND_NAMES.get(k, k), n) for k, n in sorted(kinds.items(), key=lambda kv: list(KIND_NAMES).index(kv[0]) if kv[0] in KIND_NAMES else 99)],
        error_labels=sorted(labels.items()),
        error_total=sum(kinds.values()),
        label_colours=LABEL_COLOURS,
    )


def write_report_html(report: EvaluationReport, output: str | Path, inputs: Sequence[str] = ()) -> Path:
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_report_html(report, inputs=inputs), encoding="utf-8", errors="replace")
    return output
