"""Throughput benchmark: `make bench` writes docs/benchmark.md.

All figures come from one run on one machine, so their ratios are meaningful even when
the machine is noisy; absolute numbers vary between runs.

Measured (each over the same inputs, wall clock, single process):
- pages: the bundled corpus + the five seeds, repeated to a fixed count; bare
  `spacy.blank("en")` tokenizer over the decoded page text vs the whole pipeline
  (read, clean, tag, build and serialise the record), with and without the section model;
- structured: the pmc-rct abstracts (../shared) through the whole pipeline, with headings
  removed so the section model does the work, with and without it.
"""

from __future__ import annotations

import argparse
import io
import platform
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def load_pages(shared: Path, count: int) -> list[tuple[str, bytes]]:
    from pipeline.readers.discover import iter_input_files

    roots = [REPO / "corpus"] + ([shared / "seeds"] if (shared / "seeds").exists() else [])
    pages = [(str(p), p.read_bytes()) for p, _ in iter_input_files(roots)]
    out = []
    while len(out) < count:
        out.extend(pages)
    return out[:count]


def time_tokenizer(pages) -> float:
    import spacy

    from pipeline.readers.decode import decode_bytes

    nlp = spacy.blank("en")
    start = time.perf_counter()
    for _, data in pages:
        text, _ = decode_bytes(data)
        nlp.make_doc(text)
    return time.perf_counter() - start


def time_pipeline(pages, nlp) -> float:
    from pipeline.extract import process_articles, write_record
    from pipeline.readers.ingest import page_article

    sink = io.StringIO()
    start = time.perf_counter()
    articles = (page_article(data, path, Path(path).suffix.lower()) for path, data in pages)
    for record in process_articles(articles, nlp):
        write_record(sink, record)
    return time.perf_counter() - start


def structured_articles(shared: Path, limit: int):
    """pmc-rct abstracts laid out without headings (one paragraph per section)."""
    import json

    from pipeline.article import Article, layout_structured

    path = shared / "data" / "pmc-rct" / "abstracts.jsonl"
    out = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if len(out) >= limit:
                break
            rec = json.loads(line)
            text, title, abstract, _, paragraphs = layout_structured(rec["title"], [(None, s["text"]) for s in rec["sections"]])
            out.append(Article(source_text=text, path="abstracts.jsonl", index=i, format="pmc-rct",
                               title_span=title, abstract_span=abstract, paragraphs=paragraphs))
    return out


def time_articles(articles, nlp) -> float:
    import copy

    from pipeline.extract import process_articles, write_record

    sink = io.StringIO()
    batch = [copy.copy(a) for a in articles]
    start = time.perf_counter()
    for record in process_articles(batch, nlp):
        write_record(sink, record)
    return time.perf_counter() - start


def _peak_mb_of(code: str) -> tuple[float, float, str]:
    """Run `code` in a fresh interpreter; returns (seconds, peak RSS MB, its last stdout line)."""
    import subprocess

    wrapped = code + (
        "\nimport sys\nfor _l in open('/proc/self/status'):\n"
        "    if _l.startswith('VmHWM:'): print('PEAK', int(_l.split()[1]) / 1024)\n"
    )
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", wrapped], capture_output=True, text=True, cwd=REPO, check=True).stdout
    seconds = time.perf_counter() - start
    lines = out.strip().splitlines()
    peak = float(lines[-1].split()[1])
    return seconds, peak, lines[-2] if len(lines) > 1 else ""


def xml_rows(shared: Path, records: int) -> list[str]:
    """Reader-only and whole-pipeline memory on PubMed XML: flat, whatever the file size."""
    import tempfile

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        synthetic = Path(tmp) / "synthetic_baseline.xml.gz"
        subprocess_run = __import__("subprocess").run
        subprocess_run([sys.executable, str(REPO / "scripts" / "make_synthetic_baseline.py"), str(synthetic),
                        "--records", str(records)], check=True, capture_output=True)
        files = [(f"synthetic baseline ({records} records, gzip)", synthetic)]
        medline = shared / "data" / "formats" / "medline16n0902.xml.gz"
        if medline.exists():
            files.insert(0, ("medline16n0902.xml.gz (605 records)", medline))
        for name, path in files:
            read = (
                "from pathlib import Path\nfrom pipeline.readers.pubmed_xml import read_articles\n"
                f"n = sum(1 for _ in read_articles(Path({str(path)!r}), 'x'))\nprint('RECORDS', n)\n"
            )
            secs, peak, last = _peak_mb_of(read)
            n = int(last.split()[1])
            rows.append(f"| {name}: reader only | {n} | {secs:.1f} | {n / secs:.0f} | {peak:.0f} MB |")
            full = (
                "import io\nfrom pipeline.extract import extract\nfrom pipeline.nlp import build_nlp\n"
                f"s = extract([{str(path)!r}], io.StringIO(), nlp=build_nlp(), progress=False)\n"
                "print('RECORDS', s.records)\n"
            )
            if "synthetic" in name:
                full = full.replace("io.StringIO()", "open('/dev/null', 'w')")
            secs, peak, last = _peak_mb_of(full)
            n = int(last.split()[1])
            rows.append(f"| {name}: whole pipeline | {n} | {secs:.1f} | {n / secs:.0f} | {peak:.0f} MB |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--abstracts", type=int, default=600)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--xml-records", type=int, default=30000, help="size of the synthetic baseline (0: skip)")
    args = parser.parse_args()

    from pipeline.nlp import build_nlp

    t0 = time.perf_counter()
    nlp_model = build_nlp(section_model=True)
    startup = time.perf_counter() - t0
    nlp_plain = build_nlp(section_model=None)

    pages = load_pages(args.shared, args.pages)
    time_pipeline(pages[:20], nlp_model)  # warm-up
    rows = []
    tok = time_tokenizer(pages)
    full = time_pipeline(pages, nlp_model)
    plain = time_pipeline(pages, nlp_plain)
    n = len(pages)
    rows.append(("pages: spacy.blank('en') tokenizer only", n, tok, 1.0))
    rows.append(("pages: whole pipeline (section model on)", n, full, tok / full))
    rows.append(("pages: whole pipeline (no section model)", n, plain, tok / plain))
    structured = None
    if (args.shared / "data" / "pmc-rct" / "abstracts.jsonl").exists():
        arts = structured_articles(args.shared, args.abstracts)
        s_model = time_articles(arts, nlp_model)
        s_plain = time_articles(arts, nlp_plain)
        structured = (len(arts), s_model, s_plain)
        rows.append(("abstracts without headings: pipeline, section model on", len(arts), s_model, None))
        rows.append(("abstracts without headings: pipeline, no section model", len(arts), s_plain, None))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    lines = [
        "# Benchmark",
        "",
        f"One run of `make bench` on {platform.machine()}, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}; single process. Ratios within this table are the figures to trust.",
        "",
        "| what | items | seconds | items/s | vs bare tokenizer |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, count, secs, ratio in rows:
        rel = f"{ratio:.2f}x" if ratio is not None and ratio != 1.0 else ("1.00x" if ratio == 1.0 else "")
        lines.append(f"| {name} | {count} | {secs:.2f} | {count / secs:.1f} | {rel} |")
    lines += [
        "",
        f"- Pipeline start-up (lexicon, matcher, section model): {startup:.1f} s.",
        f"- Section model cost on pages: {100 * (full - plain) / plain:+.1f}% time vs no model.",
    ]
    if structured:
        count, s_model, s_plain = structured
        lines.append(
            f"- Section model cost on abstracts without headings (every sentence classified): "
            f"{100 * (s_model - s_plain) / s_plain:+.1f}% time; throughput {count / s_model:.1f} vs {count / s_plain:.1f} abstracts/s."
        )
    lines.append(f"- Peak RSS of the benchmark process: {peak_mb:.0f} MB.")
    from measure_startup import markdown, measure  # scripts/measure_startup.py

    lines += [""] + markdown(measure(REPO, runs=5))
    if args.xml_records:
        lines += [
            "",
            "## PubMed XML: memory stays flat (streaming, records cleared as they are read)",
            "",
            "Each row is a fresh process; peak RSS is VmHWM. The whole pipeline includes the drug",
            "lexicon and the section model.",
            "",
            "| input | records | seconds | records/s | peak RSS |",
            "|---|---:|---:|---:|---:|",
        ] + xml_rows(args.shared, args.xml_records)
    text = "\n".join(lines) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
