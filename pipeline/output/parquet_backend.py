"""Parquet backend: one file per table in a folder (`parquet:DIR` -> DIR/articles.parquet, ...).

Parquet files cannot be updated in place, so a load works on a staging SQLite database
beside the folder (`.DIR.staging-PID/`): the existing tables are streamed in, the load runs
there with the same rules as any database (idempotent, duplicates, replacements), and on
close every table is streamed out (pyarrow, sorted by key) into a new folder
`.DIR.tmp-PID/` that then takes DIR's place by two renames. A reader sees either the old
snapshot or the new one; a load killed before the swap leaves DIR as it was, one killed
between the two renames is undone by the next open (the old folder is put back). Leftover
staging and temp folders of dead processes are removed on open. One load at a time per
folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipeline.output.backend import DatabaseError, SQLiteBackend
from pipeline.output.duckdb_backend import arrow_table
from pipeline.output.schema import Table, arrow_schema

READ_ROWS = 50_000


def _pid_of(path: Path) -> int | None:
    try:
        return int(path.name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return None


def _alive(pid: int | None) -> bool:
    if pid is None or pid == os.getpid():
        return pid is not None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(folder: Path) -> None:
    """Undo a swap cut short, and remove what dead loads left beside the folder."""
    parent, name = folder.parent, folder.name
    if not parent.exists():
        return
    if not folder.exists():
        old = sorted(parent.glob(f".{name}.old-*"))
        if old:
            old[-1].rename(folder)
    leftovers = [p for kind in ("tmp", "staging", "old") for p in parent.glob(f".{name}.{kind}-*")]
    for leftover in leftovers:
        if not _alive(_pid_of(leftover)):
            shutil.rmtree(leftover, ignore_errors=True)


class ParquetBackend(SQLiteBackend):
    """A SQLite staging database that is written out as Parquet files on close."""

    folder: Path
    staging: Path

    @classmethod
    def open(cls, path: str | Path, url: str | None = None) -> "ParquetBackend":
        folder = Path(path)
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            recover(folder)
            staging = folder.parent / f".{folder.name}.staging-{os.getpid()}"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
        except OSError as exc:
            raise DatabaseError(f"cannot use folder {folder} for Parquet: {exc}") from None
        import sqlite3

        conn = sqlite3.connect(staging / "staging.db", isolation_level=None)
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA synchronous = OFF")  # a scratch file: the Parquet swap is what must be safe
        backend = cls(conn, url or f"parquet:{folder}")
        backend.folder, backend.staging = folder, staging
        try:
            backend.setup()
            backend.import_folder()
            backend.setup()  # checks the imported runs' schema version
        except BaseException:
            backend.discard()
            raise
        return backend

    def import_folder(self) -> None:
        import pyarrow.parquet as pq

        if not self.folder.exists():
            return
        self.begin()
        for table in self.schema.tables:
            path = self.folder / f"{table.name}.parquet"
            if not path.exists():
                continue
            source = pq.ParquetFile(path)
            if list(source.schema_arrow.names) != list(table.names):
                self.rollback()
                raise DatabaseError(f"{path} has columns {source.schema_arrow.names}, expected {list(table.names)}: "
                                    "write to a new folder")
            for batch in source.iter_batches(batch_size=READ_ROWS):
                columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
                self.insert_rows(table, list(zip(*columns)))
        self.commit()

    def export_table(self, table: Table, path: Path) -> None:
        import pyarrow.parquet as pq

        schema = arrow_schema(table).with_metadata({"abstracts.db_schema": self.schema.version})
        cursor = self.conn.execute(f"SELECT {', '.join(table.names)} FROM {table.name} "
                                   f"ORDER BY {', '.join(table.primary_key)}")
        with pq.ParquetWriter(path, schema, compression="zstd") as writer:
            while True:
                rows = cursor.fetchmany(READ_ROWS)
                if not rows:
                    break
                flags = {i for i, c in enumerate(table.columns) if c.type == "bool"}  # SQLite stores 0/1
                if flags:
                    rows = [tuple(bool(v) if i in flags and v is not None else v for i, v in enumerate(r))
                            for r in rows]
                writer.write_table(arrow_table(table, rows).replace_schema_metadata(schema.metadata))

    def export(self) -> None:
        """Write every table into a new folder, then swap it in for the old one."""
        pid = os.getpid()
        tmp = self.folder.parent / f".{self.folder.name}.tmp-{pid}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for table in self.schema.tables:
            self.export_table(table, tmp / f"{table.name}.parquet")
        old = self.folder.parent / f".{self.folder.name}.old-{pid}"
        if self.folder.exists():
            self.folder.rename(old)
        tmp.rename(self.folder)
        shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        try:
            self.conn.close()  # the staging file is removed, no need to leave WAL mode
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)

    def close(self) -> None:
        try:
            self.export()
        finally:
            self.discard()
