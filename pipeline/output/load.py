"""Load JSONL records into a database, streamed, in batches, idempotently.

    load_jsonl(["out/records.jsonl"], "sqlite:///out/abstracts.db")

URLs: `sqlite:///relative.db` or `sqlite:////absolute.db` (the default is
`sqlite:///out/abstracts.db`), `duckdb:///x.duckdb`, `parquet:DIR` (one Parquet file per
table) and `postgresql://user:password@host:port/dbname`.

Records are read one line at a time and written in batches of `batch_size` articles, each
batch one transaction. For every record the loader compares the stored article with the
same id (see pipeline/output/rows.py for the duplicate rule):

- no stored article: inserted;
- same source and the same JSONL line (sha256): unchanged, nothing is written;
- same source, anything changed (input file sha256, schema_version, any field): replaced;
- another source: replaced when the duplicate rule prefers the new record, else skipped.

`JsonlTee` lets `extract` write its JSONL and feed a loader at the same time.
"""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from pipeline.output.backend import DatabaseError, SQLiteBackend, StoredArticle, redact
from pipeline.output.rows import line_sha256, preference, record_preference, record_rows
from pipeline.records import Record

DEFAULT_DB_URL = "sqlite:///out/abstracts.db"
BATCH_ARTICLES = 500
SCHEMES = ("sqlite", "duckdb", "parquet", "postgresql", "postgres")


def _url_path(rest: str) -> str:
    """The path of `scheme:///relative` or `scheme:////absolute` (SQLAlchemy style)."""
    if rest.startswith("//"):
        rest = rest[2:]
        rest = rest[1:] if rest.startswith("/") else rest
    if not rest:
        raise ValueError("the URL has no path")
    return rest


def parse_url(url: str) -> tuple[str, str]:
    """(kind, target): kind is sqlite, duckdb, parquet or postgresql; target a path or a conninfo URL."""
    scheme, sep, rest = url.partition(":")
    if not sep or scheme.lower() not in SCHEMES:
        raise ValueError(f"unknown database URL {url!r}: use sqlite:///FILE, duckdb:///FILE, parquet:DIR "
                         "or postgresql://USER@HOST:PORT/DB")
    scheme = scheme.lower()
    if scheme in ("postgresql", "postgres"):
        return "postgresql", url
    return scheme, _url_path(rest)


def open_backend(url: str):
    """Open (and create or check the schema of) the database at `url`."""
    kind, target = parse_url(url)
    if kind == "sqlite":
        return SQLiteBackend.open(target, url)
    if kind == "duckdb":
        from pipeline.output.duckdb_backend import DuckDBBackend

        return DuckDBBackend.open(target, url)
    if kind == "parquet":
        from pipeline.output.parquet_backend import ParquetBackend

        return ParquetBackend.open(target, url)
    from pipeline.output.postgres_backend import PostgresBackend

    return PostgresBackend.open(target)


@dataclass
class LoadSummary:
    url: str
    run_id: int = 0
    records: int = 0
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    duplicates_skipped: int = 0
    seconds: float = 0.0
    status: str = "running"

    def counts(self) -> dict[str, int]:
        return {"records": self.records, "inserted": self.inserted, "replaced": self.replaced,
                "unchanged": self.unchanged, "duplicates_skipped": self.duplicates_skipped}

    def line(self, timed: bool = True) -> str:
        took = f" in {self.seconds:.1f}s" if timed else ""
        return (f"{self.records} records -> {redact(self.url)}{took}: {self.inserted} inserted, "
                f"{self.replaced} replaced, {self.unchanged} unchanged, {self.duplicates_skipped} duplicates skipped "
                f"(run {self.run_id})")


@dataclass
class _Current:
    path: str
    index: int
    status: str
    sha: str


@dataclass
class Loader:
    """Feed records with `add_line`; `close()` writes the last batch and finishes the run."""

    backend: Any
    command: str = "load"
    inputs: list[str] = field(default_factory=list)
    batch_size: int = BATCH_ARTICLES

    def __post_init__(self) -> None:
        from pipeline import __version__

        self.summary = LoadSummary(url=self.backend.url)
        self._batch: list[tuple[dict[str, Any], str]] = []
        self._started = time.perf_counter()
        self.summary.run_id = self.backend.start_run({
            "command": self.command, "started_at": _now(), "status": "running",
            "db_schema": self.backend.schema.version,
            "tool_version": __version__, "inputs": json.dumps(self.inputs, ensure_ascii=False),
            "batch_size": self.batch_size, **self.summary.counts(),
        })

    def add_line(self, line: str, where: str = "") -> None:
        if not line.strip():
            return
        try:
            record = json.loads(line)
            Record.model_validate(record)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not a JSON record ({exc.msg})") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(map(str, first["loc"]))
            raise ValueError(f"{where}: not a valid record: {field}: {first['msg']}") from None
        self._batch.append((record, line_sha256(line)))
        if len(self._batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        stored = self.backend.existing(list({r["id"] for r, _ in batch}))
        current: dict[str, _Current] = {k: _Current(v.source_path, v.source_index, v.status, v.record_sha256)
                                        for k, v in stored.items()}
        winners: dict[str, tuple[dict[str, Any], str]] = {}
        for record, sha in batch:
            self.summary.records += 1
            article_id = record["id"]
            source = record.get("source") or {}
            new = _Current(str(source.get("path", "")), int(source.get("index") or 0), record.get("status"), sha)
            cur = current.get(article_id)
            if cur is None:
                self.summary.inserted += 1
            elif (cur.path, cur.index) == (new.path, new.index):
                if cur.sha == sha:
                    self.summary.unchanged += 1
                    continue
                self.summary.replaced += 1
            elif record_preference(record) > preference(cur.status, cur.path, cur.index):
                self.summary.replaced += 1
            else:
                self.summary.duplicates_skipped += 1
                continue
            current[article_id] = new
            winners[article_id] = (record, sha)
        rows: dict[str, list[tuple]] = {}
        for record, sha in winners.values():
            for table, table_rows in record_rows(record, sha, self.summary.run_id, self.backend.schema).items():
                rows.setdefault(table, []).extend(table_rows)
        delete_ids = [i for i in winners if i in stored]
        self.backend.write_batch(delete_ids, rows, self.summary.run_id, self.summary.counts())

    def close(self, status: str = "complete", message: str | None = None) -> LoadSummary:
        try:
            if status == "complete":
                self.flush()
            self.summary.status = status
            self.backend.update_run(self.summary.run_id, {**self.summary.counts(), "status": status,
                                                          "finished_at": _now(), "message": message})
        finally:
            self.backend.close()
        self.summary.seconds = time.perf_counter() - self._started
        return self.summary


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _lines(path: str | Path) -> Iterable[tuple[str, str]]:
    if str(path) == "-":
        for number, line in enumerate(sys.stdin, 1):
            yield line, f"<stdin>:{number}"
        return
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            yield line, f"{path}:{number}"


def load_jsonl(paths: Iterable[str | Path], url: str = DEFAULT_DB_URL, batch_size: int = BATCH_ARTICLES,
               command: str = "load", inputs: Iterable[str | Path] | None = None) -> LoadSummary:
    """Stream JSONL record files (or `-` for stdin) into the database at `url`. The run is logged
    as `command` over `inputs` (default: these files); `extract --db` logs its own inputs."""
    paths = [str(p) for p in paths]
    logged = [str(p) for p in inputs] if inputs is not None else paths
    loader = Loader(open_backend(url), command=command, inputs=logged, batch_size=batch_size)
    try:
        for path in paths:
            for line, where in _lines(path):
                loader.add_line(line, where)
    except BaseException as exc:
        _close_failed(loader, exc)
        raise
    return loader.close()


def _close_failed(loader: Loader, exc: BaseException) -> None:
    """Mark the run failed; the batches committed so far stay (each is whole)."""
    try:
        loader.close("failed", f"{type(exc).__name__}: {exc}")
    except Exception:  # the original error is the one to report
        pass


@contextmanager
def database_sink(out: IO[str], url: str | None, inputs: Iterable[str | Path] = (), batch_size: int = BATCH_ARTICLES):
    """For `extract --db`: yields a stream that writes to `out` and loads every record into `url`
    (or `out` itself when `url` is empty); the sink's `summary` is set when the block ends."""
    if not url:
        yield out
        return
    loader = Loader(open_backend(url), command="extract", inputs=[str(p) for p in inputs], batch_size=batch_size)
    tee = JsonlTee(out, loader)
    try:
        yield tee
    except BaseException as exc:
        _close_failed(loader, exc)
        raise
    tee.summary = loader.close()


class JsonlTee(io.TextIOBase):
    """A text stream that writes through to `out` and hands every complete line to a Loader."""

    def __init__(self, out: IO[str], loader: Loader):
        self.out = out
        self.loader = loader
        self._pending = ""
        self._lines = 0
        self.summary: LoadSummary | None = None

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.out.write(text)
        self._pending += text
        while "\n" in self._pending:
            line, self._pending = self._pending.split("\n", 1)
            self._lines += 1
            self.loader.add_line(line, f"record {self._lines}")
        return len(text)

    def flush(self) -> None:
        self.out.flush()


__all__ = ["DEFAULT_DB_URL", "DatabaseError", "JsonlTee", "LoadSummary", "Loader", "StoredArticle", "database_sink",
           "load_jsonl", "open_backend", "parse_url", "redact"]
