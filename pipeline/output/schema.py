"""The database schema: `schema.json` (tables, typed columns, keys, indexes) loaded and checked.

One definition serves every backend: `create_statements(dialect)` turns it into DDL for
SQLite, DuckDB or PostgreSQL, `arrow_schema(table)` into a pyarrow schema for Parquet, and
`mermaid_diagram()` / `markdown_tables()` into the documentation (README, docs/databases.md),
so the diagram cannot drift from the tables.

Column types are logical: `text`, `int`, `real`, `bool`, `json` (JSON text). Per-label entity
tables (`label` set) fill their columns from entity attributes: `attr` names the attribute,
`item` picks one end of a `[low, high]` list, `derived` marks a value computed from the record
(see pipeline/output/rows.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

SCHEMA_FILE = "schema.json"

TYPES = {
    "sqlite": {"text": "TEXT", "int": "INTEGER", "real": "REAL", "bool": "INTEGER", "json": "TEXT"},
    "duckdb": {"text": "VARCHAR", "int": "BIGINT", "real": "DOUBLE", "bool": "BOOLEAN", "json": "JSON"},
    "postgresql": {"text": "text", "int": "bigint", "real": "double precision", "bool": "boolean", "json": "jsonb"},
}
TABLE_KEYS = {"name", "doc", "parent", "label", "primary_key", "indexes", "columns"}
COLUMN_KEYS = {"name", "type", "required", "doc", "attr", "item", "derived"}


class SchemaError(ValueError):
    pass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    doc: str
    required: bool = False
    attr: str | None = None
    item: int | None = None
    derived: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()
    parent: str | None = None
    label: str | None = None  # entity label for the per-label attribute tables
    names: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_article_child(self) -> bool:
        """Rows that belong to one article (deleted with it)."""
        return self.name != "articles" and "article_id" in self.names


@dataclass(frozen=True)
class Schema:
    version: str
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    @cached_property
    def article_tables(self) -> tuple[Table, ...]:
        """articles and every table keyed by article_id, in definition order."""
        return tuple(t for t in self.tables if t.name == "articles" or t.is_article_child)

    @cached_property
    def label_tables(self) -> dict[str, Table]:
        return {t.label: t for t in self.tables if t.label}


def _check_keys(where: str, data: dict[str, Any], allowed: set[str], required: set[str]) -> None:
    unknown = set(data) - allowed
    missing = required - set(data)
    if unknown or missing:
        raise SchemaError(f"{where}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")


def parse_schema(data: dict[str, Any]) -> Schema:
    """Check a schema document (unknown keys, types, keys naming real columns) and build it."""
    _check_keys("schema", data, {"version", "types", "tables"}, {"version", "types", "tables"})
    types = set(data["types"])
    tables: list[Table] = []
    seen: set[str] = set()
    for raw in data["tables"]:
        _check_keys(f"table {raw.get('name')}", raw, TABLE_KEYS, {"name", "doc", "columns", "primary_key"})
        name = raw["name"]
        if name in seen:
            raise SchemaError(f"table {name} defined twice")
        seen.add(name)
        columns = []
        for col in raw["columns"]:
            _check_keys(f"{name}.{col.get('name')}", col, COLUMN_KEYS, {"name", "type", "doc"})
            if col["type"] not in types:
                raise SchemaError(f"{name}.{col['name']}: unknown type {col['type']!r}")
            columns.append(Column(**col))
        names = tuple(c.name for c in columns)
        if len(set(names)) != len(names):
            raise SchemaError(f"{name}: duplicate column names")
        keys = [tuple(raw["primary_key"]), *(tuple(ix) for ix in raw.get("indexes", []))]
        for key in keys:
            if not key or any(k not in names for k in key):
                raise SchemaError(f"{name}: key {list(key)} names a column the table does not have")
        if raw.get("parent") and raw["parent"] not in seen:
            raise SchemaError(f"{name}: parent {raw['parent']} must be defined before it")
        tables.append(Table(
            name=name, doc=raw["doc"], columns=tuple(columns), primary_key=tuple(raw["primary_key"]),
            indexes=tuple(tuple(ix) for ix in raw.get("indexes", [])), parent=raw.get("parent"),
            label=raw.get("label"), names=names,
        ))
    return Schema(version=data["version"], tables=tuple(tables))


@lru_cache(maxsize=1)
def load_schema() -> Schema:
    text = resources.files("pipeline.output").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return parse_schema(json.loads(text))


def create_statements(dialect: str, schema: Schema | None = None) -> list[str]:
    """CREATE TABLE / CREATE INDEX statements (IF NOT EXISTS, so they can run on every open)."""
    schema = schema or load_schema()
    types = TYPES[dialect]
    out = []
    for table in schema.tables:
        cols = [f"{c.name} {types[c.type]}{' NOT NULL' if c.required else ''}" for c in table.columns]
        cols.append(f"PRIMARY KEY ({', '.join(table.primary_key)})")
        out.append(f"CREATE TABLE IF NOT EXISTS {table.name} (\n    " + ",\n    ".join(cols) + "\n)")
        for index in table.indexes:
            name = f"ix_{table.name}_{'_'.join(index)}"
            out.append(f"CREATE INDEX IF NOT EXISTS {name} ON {table.name} ({', '.join(index)})")
    return out


def arrow_schema(table: Table):
    import pyarrow as pa

    types = {"text": pa.string(), "int": pa.int64(), "real": pa.float64(), "bool": pa.bool_(), "json": pa.string()}
    return pa.schema([pa.field(c.name, types[c.type], nullable=not c.required) for c in table.columns])


def mermaid_diagram(schema: Schema | None = None, brief: bool = False) -> str:
    """The schema as a mermaid erDiagram: relationships, then every column with its type
    (`brief`, for the README: top-level tables show only key, indexed and required columns)."""
    schema = schema or load_schema()
    lines = ["erDiagram"]
    for table in schema.tables:
        if table.parent == "articles":
            lines.append(f'    articles ||--o{{ {table.name} : "article_id"')
        elif table.parent:
            lines.append(f'    {table.parent} ||--o| {table.name} : "{table.label} (article_id, ordinal)"')
    lines.append('    runs ||--o{ articles : "run_id"')
    for table in schema.tables:
        lines.append(f"    {table.name} {{")
        indexed = {name for index in table.indexes for name in index}
        for col in table.columns:
            key = " PK" if col.name in table.primary_key else ""
            if brief and table.parent is None and not key and not col.required and col.name not in indexed:
                continue
            lines.append(f"        {col.type} {col.name}{key}")
        lines.append("    }")
    return "\n".join(lines)


def markdown_tables(schema: Schema | None = None) -> str:
    """One markdown table per database table: column, type, meaning (for docs/databases.md)."""
    schema = schema or load_schema()
    parts = []
    for table in schema.tables:
        rows = [f"### `{table.name}`", "", table.doc, "", "| column | type | meaning |", "|---|---|---|"]
        for col in table.columns:
            source = f" (attribute `{col.attr}`{f'[{col.item}]' if col.item is not None else ''})" if col.attr else ""
            key = " (key)" if col.name in table.primary_key else ""
            rows.append(f"| `{col.name}`{key} | {col.type}{' not null' if col.required else ''} | {col.doc}{source} |")
        if table.indexes:
            rows += ["", "Indexes: " + ", ".join(f"`({', '.join(ix)})`" for ix in table.indexes) + "."]
        parts.append("\n".join(rows))
    return "\n\n".join(parts)
