"""Database backends: the operations a load needs, over one DB-API connection; SQLite here.

A backend creates the schema (idempotent), looks up stored articles by id, and writes one
batch in one transaction: delete the replaced articles' rows from every article table,
insert the new rows, update the run's counts. A process killed mid-load therefore leaves
whole articles and a run row whose counts match what was committed. SQL is parameterised;
table and column names come from schema.json only.

`DuckDBBackend`, `PostgresBackend` and `ParquetBackend` (own modules) change how rows are
bulk-inserted and deleted; the rest is shared.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pipeline.output.schema import Schema, Table, create_statements, load_schema

CHUNK = 500  # ids per IN (...) list


class DatabaseError(RuntimeError):
    """A database that cannot be opened or written, with a message for the user."""


@dataclass(frozen=True)
class StoredArticle:
    source_path: str
    source_index: int
    status: str
    record_sha256: str


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class SqlBackend:
    """Shared logic over a DB-API connection; subclasses set `dialect` and `param`."""

    dialect = "sqlite"
    param = "?"

    def __init__(self, conn, url: str, schema: Schema | None = None):
        self.conn = conn
        self.url = url
        self.schema = schema or load_schema()

    # -- transactions (subclasses whose driver differs override these)
    def begin(self) -> None:
        self.conn.execute("BEGIN")

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return [tuple(row) for row in self.execute(sql, params).fetchall()]

    # -- schema
    def setup(self) -> None:
        """Create missing tables and indexes; refuse a database made with another schema version."""
        self.begin()
        try:
            for statement in create_statements(self.dialect, self.schema):
                self.execute(statement)
            other = self.query("SELECT DISTINCT db_schema FROM runs WHERE db_schema <> " + self.param,
                               (self.schema.version,))
            self.commit()
        except Exception:
            self.rollback()
            raise
        if other:
            raise DatabaseError(f"{self.url} was written with schema {other[0][0]}, this version writes "
                                f"{self.schema.version}: load into a new database")

    # -- reads
    def existing(self, ids: Sequence[str]) -> dict[str, StoredArticle]:
        found: dict[str, StoredArticle] = {}
        for part in chunks(list(ids)):
            marks = ", ".join([self.param] * len(part))
            sql = ("SELECT id, source_path, source_index, status, record_sha256 FROM articles "
                   f"WHERE id IN ({marks})")
            for row in self.query(sql, tuple(part)):
                found[row[0]] = StoredArticle(row[1], row[2], row[3], row[4])
        return found

    # -- writes
    def insert_rows(self, table: Table, rows: list[tuple]) -> None:
        marks = ", ".join([self.param] * len(table.columns))
        self.conn.executemany(f"INSERT INTO {table.name} ({', '.join(table.names)}) VALUES ({marks})", rows)

    def delete_articles(self, ids: Sequence[str]) -> None:
        for table in self.schema.article_tables:
            column = "id" if table.name == "articles" else "article_id"
            self.conn.executemany(f"DELETE FROM {table.name} WHERE {column} = {self.param}", [(i,) for i in ids])

    def start_run(self, values: dict[str, Any]) -> int:
        """Insert the run row in its own transaction; returns its run_id (max + 1)."""
        table = self.schema.table("runs")
        self.begin()
        try:
            run_id = (self.query("SELECT MAX(run_id) FROM runs")[0][0] or 0) + 1
            row = {**values, "run_id": run_id}
            self.insert_rows(table, [tuple(row.get(c) for c in table.names)])
            self.commit()
        except Exception:
            self.rollback()
            raise
        return run_id

    def _update_run(self, run_id: int, values: dict[str, Any]) -> None:
        sets = ", ".join(f"{k} = {self.param}" for k in values)
        self.execute(f"UPDATE runs SET {sets} WHERE run_id = {self.param}", (*values.values(), run_id))

    def update_run(self, run_id: int, values: dict[str, Any]) -> None:
        self.begin()
        try:
            self._update_run(run_id, values)
            self.commit()
        except Exception:
            self.rollback()
            raise

    def write_batch(self, delete_ids: Sequence[str], rows: dict[str, list[tuple]], run_id: int,
                    run_values: dict[str, Any]) -> None:
        """One transaction: drop the replaced articles, insert the batch, update the run counts."""
        self.begin()
        try:
            if delete_ids:
                self.delete_articles(delete_ids)
            for table in self.schema.article_tables:
                if rows.get(table.name):
                    self.insert_rows(table, rows[table.name])
            self._update_run(run_id, run_values)
            self.commit()
        except Exception:
            self.rollback()
            raise

    def close(self) -> None:
        self.conn.close()


class SQLiteBackend(SqlBackend):
    """SQLite through the standard library; autocommit mode with explicit transactions.

    Durability: WAL with synchronous=NORMAL keeps every committed batch through a killed
    process; a power cut may lose the last batches, never consistency."""

    dialect = "sqlite"
    param = "?"

    @classmethod
    def open(cls, path: str | Path, url: str | None = None) -> "SQLiteBackend":
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, timeout=60)
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseError(f"cannot open SQLite database {path}: {exc}") from None
        conn.execute("PRAGMA cache_size = -65536")  # 64 MB: the indexes of a large load stay in memory
        # WAL while loading: fewer syncs, and a killed load is rolled back from the log on the next open;
        # close() turns it back into one self-contained file
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        backend = cls(conn, url or f"sqlite:///{path}")
        backend.setup()
        return backend

    def close(self) -> None:
        try:
            self.conn.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.OperationalError:  # another connection has it open; it stays in WAL mode
            pass
        self.conn.close()

    def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url
