"""The `abstracts` command line: a thin layer over importable functions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pipeline import __version__

DEFAULT_DB = "sqlite:///out/abstracts.db"  # = pipeline.output.load.DEFAULT_DB_URL, kept here so --help stays light


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="abstracts")
def main() -> None:
    """Scraped biomedical abstract pages and PubMed exports in, structured JSONL records out."""


@main.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", required=True,
              help="Output JSONL file (written as OUTPUT.part, renamed at the end), or - for stdout.")
@click.option("--section-model", type=click.Path(path_type=Path), default=None,
              help="Section model folder (default: the shipped models/section_model).")
@click.option("--no-section-model", is_flag=True, help="Sections from headings and paragraphs only.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on when stderr is a terminal).")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes, forked after the pipeline is built (with --engine dask: local cluster workers).")
@click.option("--resume", is_flag=True,
              help="Reuse the records of an interrupted run (OUTPUT.part, else OUTPUT) for inputs whose path and "
                   "sha256 are unchanged; only the rest is processed.")
@click.option("--dedupe", type=click.Choice(["warn", "pmid", "doi", "none"]), default="warn", show_default=True,
              help="Records sharing an id: warn (keep all, warn on later ones), pmid/doi (keep the first), none.")
@click.option("--doc-timeout", type=click.FloatRange(min=0), default=10.0, show_default=True, metavar="SECONDS",
              help="Time budget per document; past it the record is an error of type Timeout (0: no limit).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: this machine (-j N processes); dask: a Dask cluster (LocalCluster unless --scheduler).")
@click.option("--scheduler", default=None, metavar="ADDR", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@click.option("--db", "db", default=None, is_flag=False, flag_value=DEFAULT_DB,
              help=f"Also load the records into a database (URL; bare --db: {DEFAULT_DB}).")
def extract_cli(paths, output, section_model, no_section_model, progress, jobs, resume, dedupe, doc_timeout,
                engine, scheduler, quiet, db) -> None:
    """Extract records from files and folders (text, HTML, PubMed XML, MEDLINE, JATS).

    Folders are searched recursively. Every input gets a record: ok, no_abstract or error.
    Exits non-zero when the output cannot be written or would overwrite an input.
    """
    from pipeline.batch.dask_engine import EngineError
    from pipeline.extract import OutputPathError, extract, extract_to_file
    from pipeline.output.load import DatabaseError, database_sink, load_jsonl

    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    model = None if no_section_model else (section_model or True)
    options = {"progress": progress, "jobs": jobs, "section_model": model, "doc_timeout": doc_timeout,
               "dedupe": dedupe, "engine": engine, "scheduler": scheduler}
    part = f"{output}.part"
    try:
        if output == "-":
            if resume:
                raise click.UsageError("--resume needs an output file, not stdout")
            with database_sink(sys.stdout, db, paths) as out:
                summary = extract(paths, out, **options)
            loaded = getattr(out, "summary", None)
        else:
            summary = extract_to_file(paths, output, resume=resume, **options)
            # the finished file is loaded as a whole: records reused by --resume go in too
            loaded = load_jsonl([output], db, command="extract", inputs=paths) if db else None
    except (OutputPathError, EngineError, DatabaseError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        kept = f"; records written so far are in {part} (rerun with --resume)" if Path(part).exists() else ""
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}{kept}") from None
    except KeyboardInterrupt:
        if output != "-" and Path(part).exists():
            click.echo(f"interrupted: records written so far are in {part}; rerun with --resume to finish", err=True)
        sys.exit(130)
    if not quiet:
        for line in summary.lines():
            click.echo(line, err=True)
        for problem in summary.problems[:20]:
            click.echo(f"  {problem}", err=True)
        if len(summary.problems) > 20:
            click.echo(f"  ... and {len(summary.problems) - 20} more errors", err=True)
        if loaded is not None:
            click.echo(f"database: {loaded.line(timed=False)}", err=True)


@main.command("evaluate")
@click.option("--gold", "gold", multiple=True, required=True, type=click.Path(exists=True, path_type=Path),
              help="Gold JSONL file or folder of them (repeatable).")
@click.option("--pred", "pred", multiple=True, required=True, type=click.Path(exists=True, path_type=Path),
              help="Predicted records (JSONL from `abstracts extract`), repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--errors", is_flag=True, help="List each miss and false hit in context, per document.")
@click.option("--shared", type=click.Path(path_type=Path), default=None, help="The shared data folder (default ../shared).")
@click.option("--html", "html", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the report as an HTML page (charts, errors side by side).")
def evaluate_cli(gold, pred, as_json, errors, shared, html) -> None:
    """Score predicted records against hand-labelled gold records."""
    from pipeline.evaluation.formatting import format_errors, format_report
    from pipeline.evaluation.gold import DEFAULT_SHARED
    from pipeline.evaluation.scorer import evaluate_files

    report = evaluate_files(gold, pred, shared=shared or DEFAULT_SHARED)
    if html:
        from pipeline.output.report_html import write_report_html

        write_report_html(report, html, inputs=[f"gold: {', '.join(map(str, gold))}", f"predicted: {', '.join(map(str, pred))}"])
        click.echo(f"HTML report -> {html}", err=True)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
        return
    click.echo(format_report(report))
    if errors:
        click.echo(format_errors(report))


@main.group("gold")
def gold_group() -> None:
    """Gold set tools: build, check, agreement, baseline."""


@gold_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--shared", type=click.Path(path_type=Path), default=None)
def gold_check_cli(paths, shared) -> None:
    """Validate gold files (default: gold/*.jsonl): offsets, labels, attributes, overlaps."""
    from pipeline.evaluation.gate import gold_files
    from pipeline.evaluation.gold import DEFAULT_SHARED, check_gold, load_gold_file

    files = [Path(p) for p in paths] or gold_files()
    problems = []
    count = 0
    for path in files:
        records = load_gold_file(path)
        count += len(records)
        problems += [f"{path}: {p}" for p in check_gold(records, shared=shared or DEFAULT_SHARED)]
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"{count} gold documents in {len(files)} files: {len(problems)} problems", err=True)
    if problems:
        sys.exit(1)


@gold_group.command("agreement")
@click.argument("first", type=click.Path(exists=True, path_type=Path))
@click.argument("second", type=click.Path(exists=True, path_type=Path))
@click.option("--shared", type=click.Path(path_type=Path), default=None)
def gold_agreement_cli(first, second, shared) -> None:
    """Inter-annotator agreement between two authoring folders (or two gold JSONL files)."""
    import tempfile

    from pipeline.evaluation.agreement import agreement
    from pipeline.evaluation.formatting import format_agreement
    from pipeline.evaluation.gold import DEFAULT_SHARED, build_gold_file, load_gold_file

    def records(path: Path):
        if path.is_dir():
            out = Path(tempfile.mkdtemp()) / "gold.jsonl"
            build_gold_file(path, out, shared=shared or DEFAULT_SHARED)
            path = out
        return load_gold_file(path)

    click.echo(format_agreement(agreement(records(first), records(second))))


@gold_group.command("baseline")
@click.option("--allow-lower", is_flag=True, help="Allow floors to go down (say why in the commit).")
@click.option("--shared", type=click.Path(path_type=Path), default=None)
def gold_baseline_cli(allow_lower, shared) -> None:
    """Measure the pipeline on gold/ and raise the floors in gold/baseline.json."""
    from pipeline.evaluation.gate import (
        BASELINE,
        BaselineError,
        evaluate_gold,
        update_baseline,
    )
    from pipeline.evaluation.gold import DEFAULT_SHARED
    from pipeline.nlp import build_nlp

    report, _ = evaluate_gold(build_nlp(), shared=shared or DEFAULT_SHARED)
    try:
        baseline = update_baseline(report, BASELINE, allow_lower=allow_lower)
    except BaselineError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{len(baseline.floors)} floors written to {BASELINE}", err=True)


@main.command("source")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--index", default=0, show_default=True, help="Record number in a multi-record file.")
def source_cli(path, index) -> None:
    """Print the source text that a record's offsets index into."""
    from pipeline.readers.ingest import read_articles

    for article in read_articles(path, str(path)):
        if article.index == index:
            if article.status == "error":
                raise click.ClickException(f"{article.error['type']}: {article.error['message']}")
            click.echo(article.source_text, nl=False)
            return
    raise click.ClickException(f"{path} has no record {index}")


@main.command("export")
@click.argument("records", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--to", "out_dir", required=True, type=click.Path(path_type=Path),
              help="pubtator or bioc (annotation files), or a folder for articles.csv, sections.csv and entities.csv.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File for --to pubtator|bioc (default: RECORDS with .pubtator / .bioc.xml).")
def export_cli(records, out_dir, output) -> None:
    """Flatten a records JSONL into CSV tables that join on the record id, or write PubTator / BioC XML."""
    if str(out_dir) in ("pubtator", "bioc"):
        from pipeline.output.interop import export_interop

        output = output or records.with_suffix(".pubtator" if str(out_dir) == "pubtator" else ".bioc.xml")
        try:
            counts = export_interop(records, str(out_dir), output)
        except (ValueError, OSError) as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(", ".join(f"{n} {name}" for name, n in counts.items()).replace("_", " ") + f" -> {output}", err=True)
        return
    from pipeline.output.tables import export_tables

    try:
        counts = export_tables(records, out_dir)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(", ".join(f"{n} {name}" for name, n in counts.items()) + f" written to {out_dir}", err=True)


@main.command("load")
@click.argument("records", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--to", "url", default=DEFAULT_DB, show_default=True,
              help="Database URL: sqlite:///FILE, duckdb:///FILE, parquet:DIR, postgresql://USER@HOST:PORT/DB.")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1), help="Articles per transaction.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
def load_cli(records, url, batch, quiet) -> None:
    """Load records JSONL files (or - for stdin) into a database; loading again changes nothing."""
    from pipeline.output.load import DatabaseError, load_jsonl

    try:
        summary = load_jsonl(records, url, batch_size=batch)
    except (DatabaseError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet:
        click.echo(summary.line(), err=True)


@main.command("query")
@click.argument("sql", required=False)
@click.option("--db", "url", default=DEFAULT_DB, show_default=True, help="Database URL (as for load).")
@click.option("--example", default=None, help="Run a README example query by name (--example list names them).")
def query_cli(sql, url, example) -> None:
    """Run one SQL query (or a shipped example) on a database; prints tab-separated rows with a header."""
    from pipeline.output.queries import example_queries, run_query

    if example == "list":
        for query in example_queries().values():
            click.echo(f"{query.name}: {query.description}")
        return
    if example:
        if example not in example_queries():
            raise click.UsageError(f"no example {example!r}; --example list names them")
        sql = example_queries()[example].sql
    if not sql:
        raise click.UsageError("give SQL or --example NAME")
    try:
        columns, rows = run_query(url, sql)
    except Exception as exc:  # any driver's error: report it, no traceback
        raise click.ClickException(f"{type(exc).__name__}: {exc}") from None
    for row in [columns, *rows]:
        click.echo("\t".join("" if v is None else str(v) for v in row))


@main.command("review")
@click.argument("records", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The HTML file to write.")
@click.option("--source-root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder the records' source paths are relative to: the page links each source file.")
def review_cli(records, output, source_root) -> None:
    """Write a self-contained HTML page to check a records JSONL by eye."""
    from pipeline.output.review import write_review

    try:
        summary = write_review(records, output, source_root=source_root)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    bad = f", {summary.unreadable_lines} unreadable lines" if summary.unreadable_lines else ""
    click.echo(f"{summary.records} records{bad} -> {output} ({summary.bytes / 1e6:.1f} MB)", err=True)


@main.command("schema")
@click.option("-o", "--output", default="-", help="Where to write the JSON Schema (default stdout).")
def schema_cli(output: str) -> None:
    """Print the JSON Schema of the output record."""
    from pipeline.records import record_json_schema

    text = json.dumps(record_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output == "-":
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
