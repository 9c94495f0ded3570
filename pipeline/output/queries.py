"""Read-only queries on a loaded database, and the example queries shipped in queries.sql.

    columns, rows = run_query("sqlite:///out/abstracts.db", example_queries()["hazard_ratios_for_drug"].sql)

`run_query` opens SQLite and DuckDB files read-only, connects to PostgreSQL as given, and
for `parquet:DIR` queries the Parquet files through DuckDB views named after the tables,
so the same SQL runs on every backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pipeline.output.load import parse_url
from pipeline.output.schema import load_schema

QUERIES_FILE = "queries.sql"


@dataclass(frozen=True)
class ExampleQuery:
    name: str
    description: str
    sql: str


def parse_queries(text: str) -> dict[str, ExampleQuery]:
    """`-- name: X` blocks: the comment lines after the name describe it, the rest is the SQL."""
    queries: dict[str, ExampleQuery] = {}
    blocks = text.split("-- name: ")[1:]
    for block in blocks:
        name, _, body = block.partition("\n")
        lines = body.strip().splitlines()
        doc = [ln[2:].strip() for ln in lines if ln.startswith("--")]
        sql = "\n".join(ln for ln in lines if not ln.startswith("--")).strip().rstrip(";").strip()
        queries[name.strip()] = ExampleQuery(name.strip(), " ".join(doc), sql)
    return queries


@lru_cache(maxsize=1)
def example_queries() -> dict[str, ExampleQuery]:
    return parse_queries(resources.files("pipeline.output").joinpath(QUERIES_FILE).read_text(encoding="utf-8"))


def run_query(url: str, sql: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of one SQL statement on the database at `url`."""
    kind, target = parse_url(url)
    if kind == "sqlite":
        import sqlite3

        if not Path(target).exists():
            raise FileNotFoundError(f"no database at {target}")
        conn = sqlite3.connect(f"file:{Path(target).resolve()}?mode=ro", uri=True)
    elif kind == "postgresql":
        import psycopg

        conn = psycopg.connect(target)
    else:
        import duckdb

        if not Path(target).exists():
            raise FileNotFoundError(f"no database at {target}")
        if kind == "duckdb":
            conn = duckdb.connect(target, read_only=True)
        else:
            conn = duckdb.connect()
            for table in load_schema().tables:
                path = str(Path(target) / f"{table.name}.parquet").replace("'", "''")
                conn.execute(f"CREATE VIEW {table.name} AS SELECT * FROM read_parquet('{path}')")
    try:
        cursor = conn.cursor()
        cursor.execute(sql)
        columns = [d[0] for d in cursor.description]
        return columns, [tuple(r) for r in cursor.fetchall()]
    finally:
        conn.close()
