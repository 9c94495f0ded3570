"""Helpers for the database tests: record files, table dumps and the consistency check."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from pipeline.output.queries import run_query
from pipeline.output.rows import line_sha256
from pipeline.output.schema import load_schema

LABEL_TABLES = {"DRUG": "drugs", "DOSE": "doses", "SURVIVAL": "survival", "HAZARD_RATIO": "hazard_ratios"}


def as_json(value: Any) -> Any:
    """A json column's value: text from SQLite/DuckDB/Parquet, already parsed from PostgreSQL's jsonb."""
    return json.loads(value) if isinstance(value, str) else value


def read_lines(path: Path) -> list[str]:
    return [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def read_records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in read_lines(path)]


def write_records(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def variants(records: list[dict[str, Any]], copies: int) -> list[dict[str, Any]]:
    """`copies` copies of every record under new ids (id, pmid, doi and source path get `~k`)."""
    out = []
    for k in range(copies):
        for record in records:
            copy = json.loads(json.dumps(record))
            copy["id"] = f"{record['id']}~{k}"
            for key in ("pmid", "doi"):
                if copy["metadata"].get(key):
                    copy["metadata"][key] = f"{copy['metadata'][key]}~{k}"
            copy["source"]["path"] = f"{record['source']['path']}~{k}"
            out.append(copy)
    return out


def dump_tables(url: str, skip_columns: tuple[str, ...] = ("run_id",)) -> dict[str, list[tuple]]:
    """Every article table, rows sorted, without the columns that name the run."""
    dump = {}
    for table in load_schema().article_tables:
        names = [n for n in table.names if n not in skip_columns]
        _, rows = run_query(url, f"SELECT {', '.join(names)} FROM {table.name}")
        dump[table.name] = sorted(rows, key=repr)
    return dump


def expected_counts(record: dict[str, Any]) -> dict[str, int]:
    meta = record.get("metadata") or {}
    labels = Counter(e["label"] for e in record.get("entities") or [])
    counts = {
        "authors": len(meta.get("authors") or []), "affiliations": len(meta.get("affiliations") or []),
        "keywords": len(meta.get("keywords") or []), "publication_types": len(meta.get("publication_types") or []),
        "mesh_terms": max(len(meta.get("mesh_terms") or []), len(meta.get("mesh") or [])),
        "sections": len(record.get("sections") or []), "entities": len(record.get("entities") or []),
    }
    counts.update({table: labels.get(label, 0) for label, table in LABEL_TABLES.items()})
    return counts


def check_consistent(url: str, lines: list[str]) -> int:
    """Every stored article is one of `lines`, stored whole: its JSONL line's sha256, the right
    number of rows in every table, no rows of articles that are not there. Returns the count."""
    by_sha = {line_sha256(line): json.loads(line) for line in lines}
    _, articles = run_query(url, "SELECT id, record_sha256 FROM articles")
    stored = {}
    for article_id, sha in articles:
        assert sha in by_sha, f"{article_id}: stored from a line that is not in the input"
        assert by_sha[sha]["id"] == article_id
        stored[article_id] = by_sha[sha]
    for table in load_schema().article_tables:
        if table.name == "articles":
            continue
        _, rows = run_query(url, f"SELECT article_id, COUNT(*) FROM {table.name} GROUP BY article_id")
        got = dict(rows)
        orphans = set(got) - set(stored)
        assert not orphans, f"{table.name} has rows of articles that are not stored: {sorted(orphans)[:3]}"
        for article_id, record in stored.items():
            assert got.get(article_id, 0) == expected_counts(record)[table.name], (table.name, article_id)
    return len(stored)


def database_url(request, kind: str, folder: Path, name: str = "a") -> str:
    """A new, empty database of `kind` for one test (PostgreSQL: a fresh database on the test server)."""
    if kind == "postgresql":
        server = request.getfixturevalue("postgres_url")
        url = fresh_pg_database(server)
        request.addfinalizer(lambda: drop_pg_database(server, url))
        return url
    return {"sqlite": f"sqlite:///{folder}/{name}.db", "duckdb": f"duckdb:///{folder}/{name}.duckdb",
            "parquet": f"parquet:{folder}/{name}"}[kind]


def fresh_pg_database(server_url: str) -> str:
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"abstracts_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def drop_pg_database(server_url: str, url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
