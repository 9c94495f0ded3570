"""Scoring pipeline records against the gold set.

Everything here is a plain function over plain records (dicts, or `records.Record` objects);
the CLI only loads files and prints. docs/evaluation.md defines every metric.

- `evaluate(gold, predictions)` -> `EvaluationReport`: entity P/R/F1 (strict and overlap),
  attribute accuracy, section character accuracy, metadata field accuracy, abstract-span
  (cleaning) precision/recall, and a per-document error listing (`report.errors`).
- `evaluate_files(gold_paths, prediction_paths)`: the same from JSONL files, with the gold
  checksum filled in (what `abstracts evaluate` calls).

Terminal text is in `formatting`, agreement in `agreement`, the gate in `gate`.
Gold records only count what was labelled: a gold record without an `entities` key is not
scored for entities (its predictions are not false hits), likewise for sections, metadata
fields, the abstract span and status.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.evaluation.gold import DEFAULT_SHARED, REPO_ROOT, load_source_text
from pipeline.evaluation.matching import (
    as_dict,
    context_snippet,
    doc_id,
    expand_paths,
    gold_checksum,
    load_jsonl,
    match_documents,
    match_spans,
    metadata_key,
    same_value,
    spans_of,
)
from pipeline.evaluation.report import (
    ENTITY_LABELS,
    PRF,
    SCORED_ATTRIBUTES,
    AttributeScore,
    CleaningScores,
    DocErrors,
    ErrorItem,
    EvaluationReport,
    Ratio,
    SectionSplit,
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


class Tally:
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


def score_entities(gold: Mapping[str, Any], pred: Mapping[str, Any], tally: Tally, items: list[ErrorItem], text) -> None:
    gspans, pspans = spans_of(gold, tally.labels), spans_of(pred, tally.labels)
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


def score_sections(gold: Mapping[str, Any], pred: Mapping[str, Any], tally: Tally, items: list[ErrorItem], text) -> None:
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


def _score_metadata(gold: Mapping[str, Any], pred: Mapping[str, Any], tally: Tally, items: list[ErrorItem]) -> None:
    pmeta = pred.get("metadata") or {}
    for name, gvalue in (gold.get("metadata") or {}).items():
        ok = metadata_key(gvalue) == metadata_key(pmeta.get(name))
        tally.metadata.setdefault(name, Counter()).update(total=1, correct=int(ok))
        if not ok:
            items.append(ErrorItem(kind="metadata", label=name, detail=f"gold {gvalue!r}, predicted {pmeta.get(name)!r}"))


def _score_cleaning(gold: Mapping[str, Any], pred: Mapping[str, Any], tally: Tally, items: list[ErrorItem], text) -> None:
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
    golds = [as_dict(g) for g in gold_records]
    preds = [as_dict(p) for p in pred_records]
    labels = list(labels)
    text = _text_getter(source_texts, Path(shared))
    matches, unmatched, warnings = match_documents(golds, preds)
    tally = Tally(labels)
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
            score_entities(gold, pred, tally, items, text)
        if "sections" in gold:
            score_sections(gold, pred, tally, items, text)
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
    fill_report(report, tally)
    return report


def fill_report(report: EvaluationReport, tally: Tally) -> None:
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
    gold_files = expand_paths(gold_paths)
    gold = [rec for p in gold_files for rec in load_jsonl(p)]
    preds = [rec for p in expand_paths(pred_paths) for rec in load_jsonl(p)]
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
    for rec in map(as_dict, gold_records):
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
