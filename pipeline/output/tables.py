"""Export: JSONL records to flat tables for databases and spreadsheets.

`export_tables(records_path, out_dir)` writes three CSV files (UTF-8, one header row):

- `articles.csv`: one row per record: id, status, source path/index/format, the scalar
  metadata fields, list fields joined with " | ", abstract offsets, error type/message;
- `sections.csv`: id, label, heading, start, end, source;
- `entities.csv`: id, label, start, end, text, section, the common attributes as columns
  (norm, value, low, high, values, unit, drug, endpoint, scope, measure, horizon, ci_low,
  ci_high, p, group, qualifier) and `attrs_json` with every attribute.

Rows keep the record `id`, so the three tables join on it. Reading streams the JSONL, so
a file of millions of records never sits in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ARTICLE_FIELDS = (
    "id", "status", "path", "index", "format", "title", "journal", "year", "volume", "issue", "pages", "doi",
    "pmid", "pmcid", "authors", "affiliations", "mesh_terms", "keywords", "publication_types", "copyright",
    "abstract_start", "abstract_end", "sections", "entities", "error_type", "error_message", "warnings",
)
SECTION_FIELDS = ("id", "label", "heading", "start", "end", "source")
ENTITY_ATTRS = ("norm", "value", "low", "high", "values", "unit", "drug", "endpoint", "scope", "measure", "horizon",
                "p", "group", "qualifier")
ENTITY_FIELDS = ("id", "label", "start", "end", "text", "section", *ENTITY_ATTRS, "ci_low", "ci_high", "attrs_json")


def iter_records(path: str | Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not a JSON record ({exc.msg})") from None


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return " | ".join(str(v) for v in value)
    return value


def article_row(record: dict[str, Any]) -> dict[str, Any]:
    meta = record.get("metadata") or {}
    source = record.get("source") or {}
    abstract = record.get("abstract") or {}
    error = record.get("error") or {}
    row = {
        "id": record.get("id"), "status": record.get("status"), "path": source.get("path"),
        "index": source.get("index"), "format": source.get("format"),
        "abstract_start": abstract.get("start"), "abstract_end": abstract.get("end"),
        "sections": len(record.get("sections") or []), "entities": len(record.get("entities") or []),
        "error_type": error.get("type"), "error_message": error.get("message"),
        "warnings": record.get("warnings") or [],
    }
    for key in ARTICLE_FIELDS:
        if key not in row:
            row[key] = meta.get(key)
    return {k: _cell(row.get(k)) for k in ARTICLE_FIELDS}


def entity_row(record_id: str, entity: dict[str, Any]) -> dict[str, Any]:
    attrs = entity.get("attrs") or {}
    ci = attrs.get("ci") or [None, None]
    row = {"id": record_id, **{k: entity.get(k) for k in ("label", "start", "end", "text", "section")}}
    row.update({k: attrs.get(k) for k in ENTITY_ATTRS})
    row.update(ci_low=ci[0], ci_high=ci[1], attrs_json=json.dumps(attrs, ensure_ascii=False, sort_keys=True))
    return {k: _cell(row.get(k)) for k in ENTITY_FIELDS}


def export_tables(records_path: str | Path, out_dir: str | Path) -> dict[str, int]:
    """Write articles.csv, sections.csv and entities.csv; returns the row count of each."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = {"articles": 0, "sections": 0, "entities": 0}
    with open(out / "articles.csv", "w", newline="", encoding="utf-8") as fa, \
            open(out / "sections.csv", "w", newline="", encoding="utf-8") as fs, \
            open(out / "entities.csv", "w", newline="", encoding="utf-8") as fe:
        articles = csv.DictWriter(fa, ARTICLE_FIELDS)
        sections = csv.DictWriter(fs, SECTION_FIELDS)
        entities = csv.DictWriter(fe, ENTITY_FIELDS)
        for writer in (articles, sections, entities):
            writer.writeheader()
        for record in iter_records(records_path):
            articles.writerow(article_row(record))
            counts["articles"] += 1
            for section in record.get("sections") or []:
                sections.writerow({k: _cell({"id": record.get("id"), **section}.get(k)) for k in SECTION_FIELDS})
                counts["sections"] += 1
            for entity in record.get("entities") or []:
                entities.writerow(entity_row(record.get("id"), entity))
                counts["entities"] += 1
    return counts
