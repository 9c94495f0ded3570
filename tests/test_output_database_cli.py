"""The command line: extract --db, load, query and export --to pubtator|bioc as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import DEFAULT_DB, main
from pipeline.output.load import DEFAULT_DB_URL
from pipeline.output.queries import run_query
from tests.output_helpers import check_consistent, read_lines

REPO = Path(__file__).resolve().parents[1]
PAGES = REPO / "corpus" / "pubmed_current"


def abstracts(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(REPO)})


def test_output_database_cli_default_url_is_the_loaders():
    assert DEFAULT_DB == DEFAULT_DB_URL == "sqlite:///out/abstracts.db"


def test_output_database_cli_extract_with_bare_db_writes_jsonl_and_the_default_database(tmp_path):
    done = abstracts("extract", str(PAGES), "-o", "out/records.jsonl", "--db", "--no-progress", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = read_lines(tmp_path / "out" / "records.jsonl")
    url = f"sqlite:///{tmp_path}/out/abstracts.db"
    assert len(lines) == len(list(PAGES.iterdir())) and check_consistent(url, lines) == len(lines)
    assert f"database: {len(lines)} records -> sqlite:///out/abstracts.db" in done.stderr
    _, runs = run_query(url, "SELECT command, status, inputs, inserted FROM runs")
    assert runs == [("extract", "complete", f'["{PAGES}"]', len(lines))]


def test_output_database_cli_extract_to_stdout_and_duckdb(tmp_path):
    url = f"duckdb:///{tmp_path}/x.duckdb"
    done = abstracts("extract", str(PAGES), "-o", "-", "--db", url, "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == len(list(PAGES.iterdir())) and check_consistent(url, lines) == len(lines)


def test_output_database_cli_load_from_stdin_then_query(corpus_jsonl, tmp_path):
    url = f"sqlite:///{tmp_path}/a.db"
    runner = CliRunner()
    first = runner.invoke(main, ["load", "-", "--to", url], input=corpus_jsonl.read_text(encoding="utf-8"))
    assert first.exit_code == 0, first.output
    assert "32 records" in first.output and "32 inserted" in first.output
    again = runner.invoke(main, ["load", str(corpus_jsonl), "--to", url])
    assert "0 inserted, 0 replaced, 32 unchanged" in again.output
    query = runner.invoke(main, ["query", "--db", url, "--example", "abstracts_per_year_for_drug"])
    assert query.exit_code == 0 and query.output.splitlines()[0] == "year\tabstracts"
    sql = runner.invoke(main, ["query", "--db", url, "SELECT COUNT(*) AS n FROM articles"])
    assert sql.output.splitlines() == ["n", "32"]


@pytest.mark.parametrize("args, message", [
    (["load", "{records}", "--to", "mysql://x"], "unknown database URL"),
    (["load", "{records}", "--to", "postgresql://nobody@127.0.0.1:1/none"], "cannot connect to"),
    (["query", "--db", "sqlite:///{tmp}/missing.db", "SELECT 1"], "no database at"),
], ids=["scheme", "no-server", "no-file"])
def test_output_database_cli_errors_are_messages(args, message, corpus_jsonl, tmp_path):
    args = [a.format(records=corpus_jsonl, tmp=tmp_path) for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_output_database_cli_export_to_pubtator_bioc_and_csv(corpus_jsonl, tmp_path):
    records = tmp_path / "records.jsonl"
    records.write_bytes(corpus_jsonl.read_bytes())
    runner = CliRunner()
    for fmt, suffix in (("pubtator", ".pubtator"), ("bioc", ".bioc.xml")):
        result = runner.invoke(main, ["export", str(records), "--to", fmt])
        assert result.exit_code == 0, result.output
        entities = sum(len(json.loads(line)["entities"]) for line in corpus_jsonl.read_text(encoding="utf-8").splitlines())
        assert f"31 documents, {entities} annotations" in result.output and (tmp_path / f"records{suffix}").stat().st_size > 0
    result = runner.invoke(main, ["export", str(records), "--to", str(tmp_path / "csv")])
    assert result.exit_code == 0 and (tmp_path / "csv" / "entities.csv").exists()
