"""The `abstracts` command line: a thin layer over importable functions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pipeline import __version__


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
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
def extract_cli(paths, output, section_model, no_section_model, progress, quiet) -> None:
    """Extract records from files and folders (text, HTML, PubMed XML, MEDLINE, JATS).

    Folders are searched recursively. Every input gets a record: ok, no_abstract or error.
    Exits non-zero only when the output cannot be written.
    """
    from pipeline.extract import extract
    from pipeline.nlp import build_nlp

    model = None if no_section_model else (section_model or True)
    nlp = build_nlp(section_model=model)
    try:
        if output == "-":
            summary = extract(paths, sys.stdout, nlp=nlp, progress=progress)
        else:
            out_path = Path(output)
            out_path.parent.mkdir(parents=True, exist_ok=True)
            with open(out_path, "w", encoding="utf-8") as fh:
                summary = extract(paths, fh, nlp=nlp, progress=progress)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    if not quiet:
        for line in summary.lines():
            click.echo(line, err=True)
        for problem in summary.problems[:20]:
            click.echo(f"  {problem}", err=True)
        if len(summary.problems) > 20:
            click.echo(f"  ... and {len(summary.problems) - 20} more errors", err=True)


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
