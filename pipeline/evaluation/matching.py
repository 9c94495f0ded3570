"""Pairing predictions with gold: documents by id/PMCID/path, spans strictly and by overlap,
values with tolerance, and the context snippets the error listing shows.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pipeline.evaluation.report import CONTEXT_CHARS, NUMBER_TOLERANCE

# --------------------------------------------------------------------------- loading


def as_dict(record: Any) -> dict[str, Any]:
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


def expand_paths(paths: Iterable[str | Path], pattern: str = "*.jsonl") -> list[Path]:
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
    for path in sorted(expand_paths(paths), key=lambda p: p.as_posix()):
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
        return math.isclose(g, p, rel_tol=NUMBER_TOLERANCE, abs_tol=NUMBER_TOLERANCE)
    return _norm_text(str(gold)) == _norm_text(str(pred))


def metadata_key(value: Any) -> Any:
    """Normal form of a metadata value: absent/empty -> None, lists -> frozensets."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, (list, tuple)):
        return frozenset(metadata_key(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return str(value)
    number = _as_number(value)
    if number is not None and float(number).is_integer():
        return str(int(number))
    return _norm_text(str(value))


# --------------------------------------------------------------------------- span matching


def spans_of(record: Mapping[str, Any], labels: Sequence[str]) -> list[dict[str, Any]]:
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
