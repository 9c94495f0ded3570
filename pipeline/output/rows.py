"""Flatten one JSONL record into database rows, and the rule that picks between duplicates.

`record_rows(record, record_sha256, run_id)` is a pure function: a record (the parsed JSON
line) in, `{table: [row tuple, ...]}` out, every tuple in the column order of schema.json.
Entity attributes go twice: all of them as the `attrs` JSON of `entities` (nothing is lost,
unknown extras included), and the ones the guidelines define as typed columns of the
per-label table (`drugs`, `doses`, `survival`, `hazard_ratios`). A value of the wrong shape
(a `ci` that is not a two-number list) leaves the typed column empty; `attrs` keeps it.

Duplicate rule (`preference`): records with the same id from different sources are ranked by
status (ok and deleted over no_abstract over error), then by source path, then by index; the
greater wins, whatever the load order. PubMed update files sort after the baseline and a
later record in a file after an earlier one, so PubMed's own revisions and deletions win.
A record from the same source (path and index) as the stored one is that source's newer
content and replaces it when anything changed.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from pipeline.output.schema import Schema, Table, load_schema

STATUS_RANK = {"error": 0, "no_abstract": 1, "ok": 2, "deleted": 2}
ARTICLE_META = ("pmid", "doi", "pmcid", "title", "journal", "journal_title", "year", "volume", "issue", "pages",
                "copyright")
LIST_META = {"authors": "authors", "affiliations": "affiliations", "keywords": "keywords",
             "publication_types": "publication_types"}
KNOWN_META = set(ARTICLE_META) | set(LIST_META) | {"mesh_terms", "mesh"}


def line_sha256(line: str) -> str:
    return hashlib.sha256(line.strip().encode("utf-8")).hexdigest()


def preference(status: str | None, path: str, index: int) -> tuple:
    """Sort key of the duplicate rule: the greater record wins."""
    return (STATUS_RANK.get(status or "", 0), path, index)


def record_preference(record: dict[str, Any]) -> tuple:
    source = record.get("source") or {}
    return preference(record.get("status"), str(source.get("path", "")), int(source.get("index") or 0))


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _json(value: Any) -> str | None:
    return None if value is None else _ENCODE(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def coerce(value: Any, type_: str) -> Any:
    """A JSON value as a column of the given logical type; None when it does not fit."""
    if value is None:
        return None
    if type_ == "real":
        return _number(value)
    if type_ == "int":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if type_ == "bool":
        return value if isinstance(value, bool) else None
    if type_ == "json":
        return _json(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def parse_mesh_term(term: str) -> dict[str, Any]:
    """`Neoplasms/drug therapy*` -> descriptor, qualifiers, major (for pages that show terms as text)."""
    parts = [p.strip() for p in term.split("/")]
    return {
        "descriptor": parts[0].rstrip("*").strip(),
        "qualifiers": [p.rstrip("*").strip() for p in parts[1:] if p.strip("* ")],
        "major": "*" in term,
        "ui": None,
    }


def mesh_rows(article_id: str, meta: dict[str, Any]) -> list[tuple]:
    terms = [t for t in meta.get("mesh_terms") or [] if isinstance(t, str)]
    structured = [m for m in meta.get("mesh") or [] if isinstance(m, dict)]
    rows = []
    for i in range(max(len(terms), len(structured))):
        mesh = structured[i] if i < len(structured) else parse_mesh_term(terms[i])
        term = terms[i] if i < len(terms) else mesh.get("descriptor", "") + ("*" if mesh.get("major") else "")
        rows.append((article_id, i, term, mesh.get("descriptor"), bool(mesh.get("major")),
                     _json(list(mesh.get("qualifiers") or [])), mesh.get("ui")))
    return rows


def _drug_norms(entities: list[dict[str, Any]]) -> dict[str, str]:
    """DRUG mention text (exact, then lower-cased) -> norm of its first mention."""
    norms: dict[str, str] = {}
    for entity in entities:
        norm = (entity.get("attrs") or {}).get("norm")
        if entity.get("label") == "DRUG" and isinstance(norm, str):
            norms.setdefault(entity.get("text", ""), norm)
            norms.setdefault(entity.get("text", "").lower(), norm)
    return norms


def derived_value(name: str, attrs: dict[str, Any], drug_norms: dict[str, str]) -> Any:
    if name == "drug_norm":
        drug = attrs.get("drug")
        if isinstance(drug, str):
            return drug_norms.get(drug) or drug_norms.get(drug.lower())
        return None
    raise ValueError(f"unknown derived column {name!r}")


@lru_cache(maxsize=None)
def _attribute_columns(table: Table) -> tuple[tuple[str | None, str | None, int | None, str], ...]:
    """(derived, attr, item, type) for every column after the (article_id, ordinal) key."""
    if table.names[:2] != ("article_id", "ordinal"):
        raise ValueError(f"{table.name}: a per-label table starts with article_id, ordinal")
    return tuple((c.derived, c.attr, c.item, c.type) for c in table.columns[2:])


def label_row(table: Table, article_id: str, ordinal: int, attrs: dict[str, Any], drug_norms: dict[str, str]) -> tuple:
    values: list[Any] = [article_id, ordinal]
    for derived, attr, item, type_ in _attribute_columns(table):
        if derived:
            values.append(derived_value(derived, attrs, drug_norms))
            continue
        value = attrs.get(attr)
        if value is not None and item is not None:
            value = value[item] if isinstance(value, list) and len(value) == 2 else None
        values.append(None if value is None else coerce(value, type_))
    return tuple(values)


def article_row(record: dict[str, Any], record_sha256: str, run_id: int, schema: Schema) -> tuple:
    meta = record.get("metadata") or {}
    source = record.get("source") or {}
    abstract = record.get("abstract") or {}
    error = record.get("error") or {}
    extra = {k: v for k, v in meta.items() if k not in KNOWN_META}
    values = {
        "id": record["id"], "status": record.get("status"),
        "error_type": error.get("type"), "error_message": error.get("message"),
        "abstract": abstract.get("text"), "abstract_start": abstract.get("start"), "abstract_end": abstract.get("end"),
        "source_path": source.get("path"), "source_index": source.get("index", 0),
        "source_format": source.get("format"), "source_sha256": source.get("sha256"),
        "schema_version": record.get("schema_version"), "record_sha256": record_sha256,
        "warnings": _json(record.get("warnings") or []), "metadata_extra": _json(extra) if extra else None,
        "run_id": run_id,
    }
    table = schema.table("articles")
    for column in table.columns:
        if column.name in ARTICLE_META:
            values[column.name] = coerce(meta.get(column.name), column.type)
    return tuple(values.get(name) for name in table.names)


def record_rows(record: dict[str, Any], record_sha256: str, run_id: int,
                schema: Schema | None = None) -> dict[str, list[tuple]]:
    """All rows of one record, by table (every article table is present, maybe empty)."""
    schema = schema or load_schema()
    article_id = record["id"]
    meta = record.get("metadata") or {}
    rows: dict[str, list[tuple]] = {t.name: [] for t in schema.article_tables}
    rows["articles"].append(article_row(record, record_sha256, run_id, schema))
    for key, table in LIST_META.items():
        rows[table] = [(article_id, i, v) for i, v in enumerate(meta.get(key) or []) if isinstance(v, str)]
    rows["mesh_terms"] = mesh_rows(article_id, meta)
    abstract = record.get("abstract") or {}
    text, offset = abstract.get("text"), abstract.get("start")
    for i, section in enumerate(record.get("sections") or []):
        start, end = section.get("start"), section.get("end")
        section_text = None
        if isinstance(text, str) and isinstance(offset, int) and offset <= start <= end <= offset + len(text):
            section_text = text[start - offset:end - offset]
        rows["sections"].append((article_id, i, section.get("label"), section.get("heading"), start, end,
                                 section.get("source"), section_text))
    entities = record.get("entities") or []
    drug_norms = _drug_norms(entities)
    label_tables = schema.label_tables
    for i, entity in enumerate(entities):
        attrs = entity.get("attrs") or {}
        rows["entities"].append((article_id, i, entity.get("label"), entity.get("text"), entity.get("start"),
                                 entity.get("end"), entity.get("section"), _json(attrs)))
        table = label_tables.get(entity.get("label"))
        if table is not None:
            rows[table.name].append(label_row(table, article_id, i, attrs, drug_norms))
    return rows
