"""DuckDB backend: the shared SQL logic, with batches bulk-inserted through Arrow tables.

DuckDB's `executemany` goes row by row, so each table's rows are handed over as one Arrow
table (`INSERT INTO t SELECT * FROM arrow_batch`); deletes take the id list as one
parameter. Transactions are DuckDB's own (`BEGIN` / `COMMIT`), so a killed load keeps the
last committed batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.output.backend import DatabaseError, SqlBackend
from pipeline.output.schema import Table, arrow_schema


def arrow_table(table: Table, rows: list[tuple]):
    """Rows (tuples in schema column order) as a pyarrow Table with the schema's types."""
    import pyarrow as pa

    schema = arrow_schema(table)
    columns = list(zip(*rows)) if rows else [[] for _ in table.columns]
    return pa.Table.from_arrays([pa.array(list(col), type=f.type) for col, f in zip(columns, schema)], schema=schema)


class DuckDBBackend(SqlBackend):
    dialect = "duckdb"
    param = "?"

    @classmethod
    def open(cls, path: str | Path, url: str | None = None) -> "DuckDBBackend":
        import duckdb

        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = duckdb.connect(str(path))
        except (OSError, duckdb.Error) as exc:
            raise DatabaseError(f"cannot open DuckDB database {path}: {exc}") from None
        backend = cls(conn, url or f"duckdb:///{path}")
        backend.setup()
        return backend

    def begin(self) -> None:
        self.conn.execute("BEGIN TRANSACTION")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        try:
            self.conn.execute("ROLLBACK")
        except Exception:  # no transaction open
            pass

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, list(params))

    def insert_rows(self, table: Table, rows: list[tuple]) -> None:
        self.conn.register("arrow_batch", arrow_table(table, rows))
        try:
            self.conn.execute(f"INSERT INTO {table.name} ({', '.join(table.names)}) "
                              f"SELECT {', '.join(table.names)} FROM arrow_batch")
        finally:
            self.conn.unregister("arrow_batch")

    def delete_articles(self, ids: Sequence[str]) -> None:
        for table in self.schema.article_tables:
            column = "id" if table.name == "articles" else "article_id"
            self.conn.execute(f"DELETE FROM {table.name} WHERE {column} IN (SELECT UNNEST(?::VARCHAR[]))", [list(ids)])
