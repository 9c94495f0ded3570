"""PostgreSQL backend (psycopg 3): the shared SQL logic, with batches written by COPY.

The URL is passed to psycopg as it is (`postgresql://user:password@host:port/dbname`, or
any libpq connection string). Rows are written with `COPY ... FROM STDIN` inside the
batch's transaction, deletes take the id list as one array parameter. `json` columns are
`jsonb`, so `attrs->>'norm'` works in queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.output.backend import DatabaseError, SqlBackend, redact
from pipeline.output.schema import Table


class PostgresBackend(SqlBackend):
    dialect = "postgresql"
    param = "%s"

    @classmethod
    def open(cls, url: str) -> "PostgresBackend":
        import psycopg

        try:
            conn = psycopg.connect(url, autocommit=False, connect_timeout=10)
        except psycopg.Error as exc:

            raise DatabaseError(f"cannot connect to {redact(url)}: {str(exc).strip()}") from None
        backend = cls(conn, url)
        backend.setup()
        return backend

    def begin(self) -> None:
        """psycopg opens a transaction with the first statement; nothing to do."""

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, tuple(params))

    def setup(self) -> None:
        # concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog; one at a time
        self.conn.execute("SELECT pg_advisory_xact_lock(762001)")
        super().setup()

    def existing(self, ids: Sequence[str]):
        from pipeline.output.backend import StoredArticle

        rows = self.query("SELECT id, source_path, source_index, status, record_sha256 FROM articles "
                          "WHERE id = ANY(%s)", (list(ids),))
        return {r[0]: StoredArticle(r[1], r[2], r[3], r[4]) for r in rows}

    def insert_rows(self, table: Table, rows: list[tuple]) -> None:
        with self.conn.cursor() as cur:
            with cur.copy(f"COPY {table.name} ({', '.join(table.names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def delete_articles(self, ids: Sequence[str]) -> None:
        for table in self.schema.article_tables:
            column = "id" if table.name == "articles" else "article_id"
            self.conn.execute(f"DELETE FROM {table.name} WHERE {column} = ANY(%s)", (list(ids),))
