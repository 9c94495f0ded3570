"""A load killed with SIGKILL leaves the database consistent, and a rerun completes it.

The first tests stop a real loader process inside a batch transaction (rows deleted and
inserted, COMMIT not yet sent: the child pauses there and announces it), so the kill lands
mid-transaction every time. The last one kills the `abstracts load` command at whatever
point it has reached once a first batch is visible.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.output.load import load_jsonl
from pipeline.output.queries import run_query
from tests.output_helpers import (
    check_consistent,
    database_url,
    dump_tables,
    read_lines,
    read_records,
    variants,
    write_records,
)

REPO = Path(__file__).resolve().parents[1]
BATCH = 20

PAUSING_LOADER = r"""
import sys, time
from pipeline.output.load import Loader, open_backend

url, path, batch, pause_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
backend = open_backend(url)
real_commit, commits = backend.commit, [0]

def commit():
    commits[0] += 1
    if commits[0] == pause_at:
        print("paused before commit", flush=True)
        time.sleep(120)
    real_commit()

backend.commit = commit
loader = Loader(backend, inputs=[path], batch_size=batch)
with open(path, encoding="utf-8") as fh:
    for number, line in enumerate(fh, 1):
        loader.add_line(line, f"{path}:{number}")
loader.close()
"""


def kill_inside_third_batch(url: str, path: Path) -> None:
    """Run a loader that stops before the COMMIT of its third batch, and SIGKILL it there."""
    # commit 1 is the run row, 2 and 3 the first two batches, 4 the third batch's
    child = subprocess.Popen([sys.executable, "-c", PAUSING_LOADER, url, str(path), str(BATCH), "4"], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line.strip() == "paused before commit", child.stderr.read()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def big_file(corpus_jsonl: Path, tmp_path: Path, copies: int) -> tuple[Path, list[str]]:
    path = write_records(tmp_path / "big.jsonl", variants(read_records(corpus_jsonl), copies))
    return path, read_lines(path)


def rerun_matches_clean_load(url: str, path: Path, lines: list[str], clean_url: str) -> None:
    done = subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", "load", str(path),
                           "--to", url],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert check_consistent(url, lines) == len(lines)
    load_jsonl([path], clean_url)
    assert dump_tables(url) == dump_tables(clean_url)


@pytest.mark.parametrize("kind", ["sqlite", "duckdb", "postgresql"])
def test_output_database_kill_mid_transaction_keeps_committed_batches(request, kind, corpus_jsonl, tmp_path):
    path, lines = big_file(corpus_jsonl, tmp_path, 3)
    url = database_url(request, kind, tmp_path, "killed")
    kill_inside_third_batch(url, path)
    assert check_consistent(url, lines) == 2 * BATCH  # the third batch's rows are gone with its transaction
    _, runs = run_query(url, "SELECT status, finished_at, records, inserted FROM runs")
    assert runs == [("running", None, 2 * BATCH, 2 * BATCH)]  # a killed run is visible as never finished
    rerun_matches_clean_load(url, path, lines, database_url(request, kind, tmp_path, "clean"))


def test_output_database_kill_parquet_leaves_the_previous_snapshot(corpus_jsonl, tmp_path):
    path, lines = big_file(corpus_jsonl, tmp_path, 3)
    first = write_records(tmp_path / "first.jsonl", read_records(path)[:30])
    url = f"parquet:{tmp_path}/tables"
    load_jsonl([first], url)
    snapshot = dump_tables(url)
    kill_inside_third_batch(url, path)
    assert dump_tables(url) == snapshot and check_consistent(url, lines) == 30
    assert list(tmp_path.glob(".tables.staging-*"))  # what the killed load left
    rerun_matches_clean_load(url, path, lines, f"parquet:{tmp_path}/clean")
    assert not list(tmp_path.glob(".tables.*"))


def test_output_database_kill_parquet_between_the_two_renames_is_undone(corpus_jsonl, tmp_path):
    url = f"parquet:{tmp_path}/tables"
    load_jsonl([corpus_jsonl], url)
    snapshot = dump_tables(url)
    (tmp_path / "tables").rename(tmp_path / ".tables.old-999999999")  # as if killed mid-swap
    (tmp_path / ".tables.tmp-999999999").mkdir()
    summary = load_jsonl([corpus_jsonl], url)
    assert summary.unchanged == 32 and dump_tables(url) == snapshot
    assert not list(tmp_path.glob(".tables.*"))


def test_output_database_kill_the_load_command_at_any_point(corpus_jsonl, tmp_path):
    path, lines = big_file(corpus_jsonl, tmp_path, 60)
    url = f"sqlite:///{tmp_path}/killed.db"
    child = subprocess.Popen([sys.executable, "-c", "from pipeline.cli import main; main()", "load", str(path),
                              "--to", url, "--batch", "50", "-q"], cwd=REPO, stderr=subprocess.PIPE, text=True)
    committed, deadline = 0, time.monotonic() + 120
    try:
        while committed == 0 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
            try:
                with sqlite3.connect(f"file:{tmp_path}/killed.db?mode=ro", uri=True, timeout=5) as conn:
                    committed = conn.execute("SELECT COALESCE(MAX(records), 0) FROM runs").fetchone()[0]
            except sqlite3.OperationalError:
                pass  # not created yet
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, "the load finished before it could be killed"
    stored = check_consistent(url, lines)
    assert stored % 50 == 0 and 0 < stored < len(lines)  # whole batches only
    rerun_matches_clean_load(url, path, lines, f"sqlite:///{tmp_path}/clean.db")
