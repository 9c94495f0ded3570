"""Scoring pipeline records against the gold set, annotator agreement, and the evaluation gate.

Everything here is a plain function over plain records (dicts, or `records.Record` objects);
the CLI only loads files and prints. docs/evaluation.md defines every metric.

- `evaluate(gold, predictions)` -> `EvaluationReport`: entity P/R/F1 (strict and overlap),
  attribute accuracy, section character accuracy, metadata field accuracy, abstract-span
  (cleaning) precision/recall, and a per-document error listing (`report.errors`).
- `evaluate_files(gold_paths, prediction_paths)`: the same from JSONL files, with the gold
  checksum filled in (what `abstracts evaluate` calls).
- `format_report(report)`, `format_errors(report)`: terminal text.
- `agreement(pass1, pass2)`: inter-annotator span agreement.
- `gold_checksum`, `report_metrics`, `check_floors`, `update_baseline`: the gate that keeps
  scores from sliding back (gold/baseline.json).

Gold records only count what was labelled: a gold record without an `entities` key is not
scored for entities (its predictions are not false hits), likewise for sections, metadata
fields, the abstract span and status.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from pipeline.evaluation.gold import DEFAULT_SHARED, REPO_ROOT, load_source_text

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
_NUMBER_TOLERANCE = 1e-6


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


ErrorKind = Literal["miss", "false_hit", "boundary", "attribute", "section", "metadata", "abstract", "status"]


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


# --------------------------------------------------------------------------- loading


def _as_dict(record: Any) -> dict[str, Any]:
    if isinstance(record, BaseModel):
        return record.model_dump(mode="json")
    return record


def load_jsonl(path: str | Path) -> list[dict[str, Any]]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
    return out


def _expand(paths: Iterable[str | Path], pattern: str = "*.jsonl") -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        out.extend(sorted(p.glob(pattern)) if p.is_dir() else [p])
    return out


def gold_checksum(paths: Iterable[str | Path]) -> str:
    """sha256 over the gold files' bytes, files in sorted path order (a folder means its
    *.jsonl files). Each file's bytes are preceded by their length so that moving a line
    from one file to the next changes the checksum."""
    digest = hashlib.sha256()
    for path in sorted(_expand(paths), key=lambda p: p.as_posix()):
        data = path.read_bytes()
        digest.update(f"{len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


# --------------------------------------------------------------------------- document matching


def doc_id(gold: Mapping[str, Any]) -> str:
    return gold.get("doc") or (gold.get("source") or {}).get("path") or gold.get("id") or "?"


def _path_parts(path: str) -> list[str]:
    return [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]


def _gold_pmcid(gold: Mapping[str, Any]) -> str | None:
    """The PMCID of a `pmc:` gold document (its offsets index the pmc-rct layout); other
    documents match by path even when they know their PMCID."""
    key = gold.get("doc") or ""
    if key.startswith("pmc:"):
        return key[4:]
    path = (gold.get("source") or {}).get("path") or ""
    return path[len("pmc-rct:") :] if path.startswith("pmc-rct:") else None


def _is_pmc_rct(pred: Mapping[str, Any]) -> bool:
    return (pred.get("source") or {}).get("format") == "pmc-rct"


def match_documents(
    gold_records: Sequence[Mapping[str, Any]], pred_records: Sequence[Mapping[str, Any]]
) -> tuple[list[dict[str, Any] | None], int, list[str]]:
    """For each gold record, the prediction for the same document (or None).

    Same `metadata.pmcid` for a `pmc:` gold document (a pmc-rct record preferred), else the gold `source.path` is a path suffix of the prediction's
    (separators normalised) with the same `source.index` (default 0). Returns (matches in
    gold order, number of predictions matched by no gold record, warnings)."""
    by_pmcid: dict[str, int] = {}
    by_name: dict[tuple[str, int], list[int]] = {}
    for i, pred in enumerate(pred_records):
        pmcid = (pred.get("metadata") or {}).get("pmcid")
        # a pmc-rct record beats another rendering of the same article (an HTML page)
        if pmcid and (pmcid not in by_pmcid or (_is_pmc_rct(pred) and not _is_pmc_rct(pred_records[by_pmcid[pmcid]]))):
            by_pmcid[pmcid] = i
        src = pred.get("source") or {}
        parts = _path_parts(src.get("path") or "")
        if parts:
            by_name.setdefault((parts[-1], int(src.get("index") or 0)), []).append(i)
    used: set[int] = set()
    warnings: list[str] = []
    matches: list[dict[str, Any] | None] = []
    for gold in gold_records:
        found: list[int] = []
        pmcid = _gold_pmcid(gold)
        if pmcid and pmcid in by_pmcid:
            found = [by_pmcid[pmcid]]
        else:
            src = gold.get("source") or {}
            gparts = _path_parts(src.get("path") or "")
            if gparts:
                for i in by_name.get((gparts[-1], int(src.get("index") or 0)), []):
                    pparts = _path_parts(pred_records[i]["source"]["path"])
                    if pparts[-len(gparts) :] == gparts:
                        found.append(i)
        if len(found) > 1:
            warnings.append(f"{doc_id(gold)}: {len(found)} predictions match; scoring the first")
        matches.append(dict(pred_records[found[0]]) if found else None)
        used.update(found[:1])
    return matches, len(pred_records) - len(used), warnings


# --------------------------------------------------------------------------- value comparison

_WS = re.compile(r"\s+")
_NUMERIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")


def _norm_text(value: str) -> str:
    """NFKC (so the micro sign and Greek mu, or a no-break space and a space, compare equal),
    then white-space runs collapsed."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", value)).strip()


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMERIC.match(value.strip()):
        return float(value.strip().replace(",", "."))
    return None


def same_value(gold: Any, pred: Any) -> bool:
    """Attribute equality: numbers within a small tolerance, lists elementwise, strings after
    NFKC and white-space normalisation."""
    if gold is None or pred is None:
        return gold is None and pred is None
    if isinstance(gold, (list, tuple)) or isinstance(pred, (list, tuple)):
        if not (isinstance(gold, (list, tuple)) and isinstance(pred, (list, tuple))) or len(gold) != len(pred):
            return False
        return all(same_value(g, p) for g, p in zip(gold, pred))
    g, p = _as_number(gold), _as_number(pred)
    if g is not None and p is not None:
        return math.isclose(g, p, rel_tol=_NUMBER_TOLERANCE, abs_tol=_NUMBER_TOLERANCE)
    return _norm_text(str(gold)) == _norm_text(str(pred))


def _metadata_key(value: Any) -> Any:
    """Normal form of a metadata value: absent/empty -> None, lists -> frozensets."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, (list, tuple)):
        return frozenset(_metadata_key(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return str(value)
    number = _as_number(value)
    if number is not None and float(number).is_integer():
        return str(int(number))
    return _norm_text(str(value))


# --------------------------------------------------------------------------- span matching


def _spans(record: Mapping[str, Any], labels: Sequence[str]) -> list[dict[str, Any]]:
    return [e for e in (record.get("entities") or []) if e.get("label") in labels]


def _key(e: Mapping[str, Any]) -> tuple[str, int, int]:
    return (e["label"], int(e["start"]), int(e["end"]))


def _overlaps(a: Mapping[str, Any], b: Mapping[str, Any]) -> int:
    return max(0, min(int(a["end"]), int(b["end"])) - max(int(a["start"]), int(b["start"])))


def match_spans(
    gold: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """One-to-one matching of gold and predicted spans (indices).

    Returns (strict pairs: same label, start and end; overlap-only pairs: same label,
    overlapping, not strict). Strict pairs are fixed first; the remaining spans get a
    maximum one-to-one matching over same-label overlaps (augmenting paths, larger overlaps
    tried first)."""
    strict: list[tuple[int, int]] = []
    free_pred: dict[tuple[str, int, int], list[int]] = {}
    for j, p in enumerate(pred):
        free_pred.setdefault(_key(p), []).append(j)
    gold_left = []
    for i, g in enumerate(gold):
        bucket = free_pred.get(_key(g))
        if bucket:
            strict.append((i, bucket.pop(0)))
        else:
            gold_left.append(i)
    pred_left = sorted(j for bucket in free_pred.values() for j in bucket)
    edges: dict[int, list[int]] = {}
    for i in gold_left:
        cands = [j for j in pred_left if pred[j]["label"] == gold[i]["label"] and _overlaps(gold[i], pred[j])]
        cands.sort(key=lambda j: (-_overlaps(gold[i], pred[j]), abs(int(pred[j]["start"]) - int(gold[i]["start"]))))
        edges[i] = cands
    owner: dict[int, int] = {}  # pred index -> gold index

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in gold_left:
        augment(i, set())
    overlap = sorted((i, j) for j, i in owner.items())
    return strict, overlap


# --------------------------------------------------------------------------- context for humans


def context_snippet(text: str | None, start: int, end: int, width: int = CONTEXT_CHARS) -> str | None:
    """`...left [[span]] right...` on one line (white space runs shown as one space)."""
    if text is None or start is None or end is None or end > len(text):
        return None
    left = text[max(0, start - width) : start]
    right = text[end : end + width]
    span = text[start:end]
    if len(span) > 2 * width + 10:
        span = f"{span[:width]} ... {span[-width:]}"

    def one_line(s: str) -> str:
        return _WS.sub(" ", s)

    return (
        ("..." if start > width else "")
        + one_line(left)
        + "[["
        + one_line(span)
        + "]]"
        + one_line(right)
        + ("..." if end + width < len(text) else "")
    )


def _sparse_text(gold: Mapping[str, Any], pred: Mapping[str, Any] | None) -> str:
    """Stand-in source text built from the span texts the records carry (when the real
    source cannot be loaded): unknown characters are spaces."""
    pieces: list[tuple[int, str]] = []
    for rec in (gold, pred or {}):
        ab = rec.get("abstract")
        if ab and ab.get("text") is not None:
            pieces.append((int(ab["start"]), ab["text"]))
        for e in rec.get("entities") or []:
            if e.get("text") is not None:
                pieces.append((int(e["start"]), e["text"]))
    size = max((s + len(t) for s, t in pieces), default=0)
    chars = [" "] * size
    for s, t in pieces:
        chars[s : s + len(t)] = list(t)
    return "".join(chars)


TextSource = Callable[[Mapping[str, Any]], "str | None"] | Mapping[str, str] | None


def _text_getter(source_texts: TextSource, shared: Path) -> Callable[[Mapping[str, Any]], str | None]:
    cache: dict[str, str | None] = {}

    def get(gold: Mapping[str, Any]) -> str | None:
        key = doc_id(gold)
        if key in cache:
            return cache[key]
        text: str | None = None
        if callable(source_texts):
            text = source_texts(gold)
        elif source_texts is not None:
            text = source_texts.get(key)
        elif gold.get("doc"):
            try:
                text = load_source_text(gold["doc"], shared)
            except Exception:  # a missing file must not stop scoring; context falls back
                text = None
        cache[key] = text
        return text

    return get


# --------------------------------------------------------------------------- evaluation


class _Tally:
    """Running counts over documents, turned into report models at the end."""

    def __init__(self, labels: Sequence[str]):
        self.labels = list(labels)
        self.strict = {lab: Counter() for lab in labels}
        self.overlap = {lab: Counter() for lab in labels}
        self.attrs: dict[str, dict[str, Counter]] = {
            lab: {a: Counter() for a in SCORED_ATTRIBUTES.get(lab, ())} for lab in labels
        }
        self.entity_docs = 0
        self.sections = {"with_headings": Counter(), "without_headings": Counter()}
        self.section_labels: dict[str, Counter] = {}
        self.confusion: dict[str, Counter] = {}
        self.metadata: dict[str, Counter] = {}
        self.status = Counter()
        self.cleaning = Counter()


def _score_entities(gold: Mapping[str, Any], pred: Mapping[str, Any], tally: _Tally, items: list[ErrorItem], text) -> None:
    gspans, pspans = _spans(gold, tally.labels), _spans(pred, tally.labels)
    strict, overlap = match_spans(gspans, pspans)
    tally.entity_docs += 1
    for label in tally.labels:
        ng = sum(1 for g in gspans if g["label"] == label)
        np_ = sum(1 for p in pspans if p["label"] == label)
        ns = sum(1 for i, _ in strict if gspans[i]["label"] == label)
        no = ns + sum(1 for i, _ in overlap if gspans[i]["label"] == label)
        tally.strict[label].update(tp=ns, fp=np_ - ns, fn=ng - ns)
        tally.overlap[label].update(tp=no, fp=np_ - no, fn=ng - no)
    src = None

    def ctx(s: int, e: int) -> str | None:
        nonlocal src
        if src is None:
            src = text(gold) or _sparse_text(gold, pred)
        return context_snippet(src, s, e)

    for i, j in strict:
        g, p = gspans[i], pspans[j]
        gattrs, pattrs = g.get("attrs") or {}, p.get("attrs") or {}
        for name, counter in tally.attrs.get(g["label"], {}).items():
            if name in gattrs:
                ok = name in pattrs and same_value(gattrs[name], pattrs[name])
                counter.update(total=1, correct=int(ok))
                if not ok:
                    items.append(
                        ErrorItem(
                            kind="attribute", label=g["label"], start=g["start"], end=g["end"], text=g.get("text"),
                            context=ctx(g["start"], g["end"]),
                            detail=f"{name}: gold {gattrs[name]!r}, predicted {repr(pattrs[name]) if name in pattrs else 'nothing'}",
                        )
                    )
            elif name in pattrs:
                counter.update(spurious=1)
    matched_gold = {i for i, _ in strict} | {i for i, _ in overlap}
    matched_pred = {j for _, j in strict} | {j for _, j in overlap}
    for i, j in overlap:
        g, p = gspans[i], pspans[j]
        items.append(
            ErrorItem(
                kind="boundary", label=g["label"], start=g["start"], end=g["end"], text=g.get("text"),
                context=ctx(g["start"], g["end"]),
                detail=f"predicted {p.get('text')!r} [{p['start']}:{p['end']}]",
            )
        )
    for i, g in enumerate(gspans):
        if i not in matched_gold:
            items.append(ErrorItem(kind="miss", label=g["label"], start=g["start"], end=g["end"], text=g.get("text"),
                                   context=ctx(g["start"], g["end"])))
    for j, p in enumerate(pspans):
        if j not in matched_pred:
            items.append(ErrorItem(kind="false_hit", label=p["label"], start=p["start"], end=p["end"], text=p.get("text"),
                                   context=ctx(p["start"], p["end"]),
                                   detail=f"predicted in {p['section']}" if p.get("section") else None))


def _score_sections(gold: Mapping[str, Any], pred: Mapping[str, Any], tally: _Tally, items: list[ErrorItem], text) -> None:
    gsecs = gold.get("sections") or []
    if not gsecs:
        return
    size = max(int(s["end"]) for s in gsecs)
    at: list[str | None] = [None] * size
    for s in pred.get("sections") or []:
        lo, hi = max(0, int(s["start"])), min(size, int(s["end"]))
        if lo < hi:
            at[lo:hi] = [s["label"]] * (hi - lo)
    split = tally.sections["with_headings" if any(s.get("heading") for s in gsecs) else "without_headings"]
    split.update(docs=1)
    src = None
    for s in gsecs:
        label, lo, hi = s["label"], int(s["start"]), int(s["end"])
        row = tally.confusion.setdefault(label, Counter())
        correct = 0
        run_start = None
        for pos in range(lo, hi + 1):
            wrong = pos < hi and at[pos] != label
            if pos < hi:
                row[at[pos] or "NONE"] += 1
                correct += not wrong
            if wrong and run_start is None:
                run_start = pos
            elif run_start is not None and (not wrong or at[pos] != at[run_start]):
                if src is None:
                    src = text(gold) or _sparse_text(gold, pred)
                items.append(
                    ErrorItem(kind="section", label=label, start=run_start, end=pos,
                              text=None, context=context_snippet(src, run_start, pos),
                              detail=f"gold {label}, predicted {at[run_start] or 'no section'} ({pos - run_start} chars)")
                )
                run_start = pos if wrong else None
        split.update(chars=hi - lo, correct=correct)
        tally.section_labels.setdefault(label, Counter()).update(total=hi - lo, correct=correct)


def _score_metadata(gold: Mapping[str, Any], pred: Mapping[str, Any], tally: _Tally, items: list[ErrorItem]) -> None:
    pmeta = pred.get("metadata") or {}
    for name, gvalue in (gold.get("metadata") or {}).items():
        ok = _metadata_key(gvalue) == _metadata_key(pmeta.get(name))
        tally.metadata.setdefault(name, Counter()).update(total=1, correct=int(ok))
        if not ok:
            items.append(ErrorItem(kind="metadata", label=name, detail=f"gold {gvalue!r}, predicted {pmeta.get(name)!r}"))


def _score_cleaning(gold: Mapping[str, Any], pred: Mapping[str, Any], tally: _Tally, items: list[ErrorItem], text) -> None:
    gab = gold.get("abstract")
    if not gab and gold.get("status") != "no_abstract":
        return
    pab = pred.get("abstract")
    gs, ge = (int(gab["start"]), int(gab["end"])) if gab else (0, 0)
    ps, pe = (int(pab["start"]), int(pab["end"])) if pab else (0, 0)
    overlap = max(0, min(ge, pe) - max(gs, ps))
    tally.cleaning.update(docs=1, gold_chars=ge - gs, pred_chars=pe - ps, overlap_chars=overlap, exact=int((gs, ge) == (ps, pe)))
    if (gs, ge) != (ps, pe):
        src = text(gold) or _sparse_text(gold, pred)
        if not gab:
            detail = f"gold has no abstract; predicted [{ps}:{pe}]"
        elif not pab:
            detail = f"gold [{gs}:{ge}]; no abstract predicted"
        else:
            detail = f"gold [{gs}:{ge}], predicted [{ps}:{pe}]"
        ends = []
        if gab and ps != gs:
            ends.append(("start", gs, ps))
        if gab and pe != ge:
            ends.append(("end", ge, pe))
        if not ends:
            items.append(ErrorItem(kind="abstract", detail=detail))
        for which, g, p in ends:
            lo, hi = (min(g, p), max(g, p)) if pab else (g, g)
            items.append(ErrorItem(kind="abstract", label=which, start=lo, end=hi, context=context_snippet(src, lo, hi),
                                   detail=f"{detail}; {which} differs"))


def evaluate(
    gold_records: Iterable[Any],
    pred_records: Iterable[Any],
    labels: Sequence[str] = ENTITY_LABELS,
    *,
    source_texts: TextSource = None,
    shared: Path = DEFAULT_SHARED,
    gold_checksum: str | None = None,
) -> EvaluationReport:
    """Score prediction records against gold records (see docs/evaluation.md).

    `source_texts` (doc key -> text, or a function of the gold record) gives the text shown
    as error context; by default it is loaded with `gold.load_source_text`, falling back to
    the span texts the records carry."""
    golds = [_as_dict(g) for g in gold_records]
    preds = [_as_dict(p) for p in pred_records]
    labels = list(labels)
    text = _text_getter(source_texts, Path(shared))
    matches, unmatched, warnings = match_documents(golds, preds)
    tally = _Tally(labels)
    report = EvaluationReport(labels=labels, docs_gold=len(golds), predictions_unmatched=unmatched, gold_checksum=gold_checksum)
    report.warnings.extend(warnings)
    for gold, pred in zip(golds, matches):
        items: list[ErrorItem] = []
        if pred is None:
            report.docs_missing.append(doc_id(gold))
            pred = {}
        else:
            report.docs_matched += 1
        if "entities" in gold:
            _score_entities(gold, pred, tally, items, text)
        if "sections" in gold:
            _score_sections(gold, pred, tally, items, text)
        if "metadata" in gold:
            _score_metadata(gold, pred, tally, items)
        if "status" in gold:
            ok = gold["status"] == pred.get("status")
            tally.status.update(total=1, correct=int(ok))
            if not ok:
                items.append(ErrorItem(kind="status", detail=f"gold {gold['status']!r}, predicted {pred.get('status')!r}"))
        _score_cleaning(gold, pred, tally, items, text)
        if items:
            report.errors.append(
                DocErrors(doc=doc_id(gold), source_path=(gold.get("source") or {}).get("path"),
                          predicted=bool(pred), items=items)
            )
    _fill_report(report, tally)
    return report


def _fill_report(report: EvaluationReport, tally: _Tally) -> None:
    ents = report.entities
    ents.docs = tally.entity_docs
    for kind, per in (("strict", tally.strict), ("overlap", tally.overlap)):
        scores = {lab: PRF.of(c["tp"], c["fp"], c["fn"]) for lab, c in per.items()}
        total = sum(per.values(), Counter())
        scores["micro"] = PRF.of(total["tp"], total["fp"], total["fn"])
        setattr(ents, kind, scores)
    ents.attributes = {
        lab: {
            name: AttributeScore(**Ratio.of(c["correct"], c["total"]).model_dump(), spurious=c["spurious"])
            for name, c in attrs.items()
        }
        for lab, attrs in tally.attrs.items()
        if attrs
    }
    sec = report.sections
    for name, c in tally.sections.items():
        setattr(sec, name, SectionSplit(docs=c["docs"], chars=c["chars"], correct=c["correct"],
                                        char_accuracy=c["correct"] / c["chars"] if c["chars"] else None))
    sec.docs = sec.with_headings.docs + sec.without_headings.docs
    sec.chars = sec.with_headings.chars + sec.without_headings.chars
    sec.correct = sec.with_headings.correct + sec.without_headings.correct
    sec.char_accuracy = sec.correct / sec.chars if sec.chars else None
    sec.per_label = {lab: Ratio.of(c["correct"], c["total"]) for lab, c in sorted(tally.section_labels.items())}
    sec.confusion = {lab: dict(sorted(row.items())) for lab, row in sorted(tally.confusion.items())}
    report.metadata = {name: Ratio.of(c["correct"], c["total"]) for name, c in sorted(tally.metadata.items())}
    report.status = Ratio.of(tally.status["correct"], tally.status["total"])
    c = tally.cleaning
    p = c["overlap_chars"] / c["pred_chars"] if c["pred_chars"] else None
    r = c["overlap_chars"] / c["gold_chars"] if c["gold_chars"] else None
    f = 2 * c["overlap_chars"] / (c["pred_chars"] + c["gold_chars"]) if c["pred_chars"] + c["gold_chars"] else None
    report.cleaning = CleaningScores(docs=c["docs"], gold_chars=c["gold_chars"], pred_chars=c["pred_chars"],
                                     overlap_chars=c["overlap_chars"], exact=c["exact"], precision=p, recall=r, f1=f)


def evaluate_files(
    gold_paths: Iterable[str | Path],
    pred_paths: Iterable[str | Path],
    labels: Sequence[str] = ENTITY_LABELS,
    *,
    shared: Path = DEFAULT_SHARED,
) -> EvaluationReport:
    """`evaluate` over JSONL files (a folder means its *.jsonl), with the gold checksum set."""
    gold_files = _expand(gold_paths)
    gold = [rec for p in gold_files for rec in load_jsonl(p)]
    preds = [rec for p in _expand(pred_paths) for rec in load_jsonl(p)]
    return evaluate(gold, preds, labels, shared=shared, gold_checksum=gold_checksum(gold_files))


def gold_input_paths(
    gold_records: Iterable[Any], workdir: str | Path, shared: Path = DEFAULT_SHARED, repo: Path = REPO_ROOT
) -> list[Path]:
    """Input files that make the pipeline's predictions for the gold documents: the seed and
    corpus files themselves (their paths end with the gold `source.path`), and for `pmc:`
    documents a JSONL of just their pmc-rct lines, written to `workdir/pmc-rct-gold.jsonl`
    (the full file has thousands of records). Missing files are skipped (they show up as
    `docs_missing` when scored)."""
    paths: list[Path] = []
    pmcids: list[str] = []
    for rec in map(_as_dict, gold_records):
        kind, _, name = (rec.get("doc") or "").partition(":")
        if kind == "seed":
            path = Path(shared) / "seeds" / f"{name}.txt"
        elif kind == "corpus":
            path = Path(repo) / "corpus" / name
        elif kind == "pmc":
            pmcids.append(name)
            continue
        elif kind == "file":
            path = Path(repo) / name
        else:
            continue
        if path.exists() and path not in paths:
            paths.append(path)
    if pmcids:
        wanted = set(pmcids)
        out = Path(workdir) / "pmc-rct-gold.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        source = Path(shared) / "data" / "pmc-rct" / "abstracts.jsonl"
        if source.exists():
            with open(source, encoding="utf-8") as fh, open(out, "w", encoding="utf-8") as dst:
                for line in fh:
                    if line.strip() and json.loads(line).get("pmcid") in wanted:
                        dst.write(line if line.endswith("\n") else line + "\n")
            paths.append(out)
    return paths


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
    first = {doc_id(r): r for r in map(_as_dict, pass1_records)}
    second = {doc_id(r): r for r in map(_as_dict, pass2_records)}
    common = [d for d in first if d in second]
    tally = _Tally(labels)
    noop = lambda _g: None  # noqa: E731  (no context text needed)
    for d in common:
        a, b = first[d], second[d]
        if "entities" in a or "entities" in b:
            _score_entities({**a, "entities": a.get("entities") or []}, b, tally, [], noop)
        if a.get("sections") and b.get("sections"):
            _score_sections(a, b, tally, [], noop)
    report = EvaluationReport(labels=list(labels))
    _fill_report(report, tally)
    return AgreementReport(
        docs=len(common),
        only_in_first=sorted(d for d in first if d not in second),
        only_in_second=sorted(d for d in second if d not in first),
        strict=report.entities.strict,
        overlap=report.entities.overlap,
        attributes=report.entities.attributes,
        sections=report.sections,
    )


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
