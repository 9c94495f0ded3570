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
@click.option("-o", "--output", "output", required=True, help="Output JSONL file, or - for stdout.")
@click.option("--section-model", type=click.Path(path_type=Path), default=None,
              help="Section model folder (default: the shipped models/section_model).")
@click.option("--no-section-model", is_flag=True, help="Sections from headings and paragraphs only.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on when stderr is a terminal).")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each loads its own pipeline, about 450 MB).")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@click.option("--db", "db", default=None, is_flag=False, flag_value=DEFAULT_DB,
              help=f"Also load the records into a database as they are made (URL; bare --db: {DEFAULT_DB}).")
def extract_cli(paths, output, section_model, no_section_model, progress, jobs, quiet, db) -> None:
    """Extract records from files and folders (text, HTML, PubMed XML, MEDLINE, JATS).

    Folders are searched recursively. Every input gets a record: ok, no_abstract or error.
    Exits non-zero only when the output cannot be written.
    """
    from pipeline.extract import extract
    from pipeline.output.load import DatabaseError, database_sink

    model = None if no_section_model else (section_model or True)
    options = {"progress": progress, "jobs": jobs, "section_model": model}
    try:
        if output == "-":
            with database_sink(sys.stdout, db, paths) as out:
                summary = extract(paths, out, **options)
        else:
            out_path = Path(output)
            out_path.parent.mkdir(parents=True, exist_ok=True)
            with open(out_path, "w", encoding="utf-8") as fh, database_sink(fh, db, paths) as out:
                summary = extract(paths, out, **options)
    except (DatabaseError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    if not quiet:
        for line in summary.lines():
            click.echo(line, err=True)
        for problem in summary.problems[:20]:
            click.echo(f"  {problem}", err=True)
        if len(summary.problems) > 20:
            click.echo(f"  ... and {len(summary.problems) - 20} more errors", err=True)
        if db:
            click.echo(f"database: {out.summary.line(timed=False)}", err=True)


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
    from pipeline.evaluation.gold import DEFAULT_SHARED
    from pipeline.evaluation.scorer import evaluate_files
    from pipeline.evaluation.formatting import format_errors, format_report

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

    from pipeline.evaluation.gold import DEFAULT_SHARED, build_gold_file, load_gold_file
    from pipeline.evaluation.agreement import agreement
    from pipeline.evaluation.formatting import format_agreement

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
    from pipeline.evaluation.gate import BASELINE, BaselineError, evaluate_gold, update_baseline
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
