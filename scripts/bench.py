"""Throughput benchmark: `make bench` writes out/benchmark.md (about 2 minutes).

All figures come from one run on one machine, so ratios between rows of one run are the
figures to trust; absolute numbers move with the machine's load.

Measured:
- pages (the bundled corpus + the five seeds, repeated to 400): the bare
  `spacy.blank("en")` tokenizer over the decoded page text vs the whole pipeline (read,
  clean, tag, build and serialise the record), both over the same pages;
  * steady state: in this process, after a warm-up, three rounds of one tokenizer pass and
    one pipeline pass; each side's best round is kept, in CPU seconds of this process (on a
    shared machine the wall clock of one pass moves by up to a third from round to round,
    CPU time much less), with the wall clock of the same rounds beside it;
  * whole process: fresh processes, from interpreter start to exit (the pipeline's start-up
    included): `abstracts extract` on the 400 page files vs a script that only tokenizes them;
- start-up: a fresh process that imports and builds the pipeline, then exits;
- one big PubMed XML file (scripts/make_synthetic_baseline.py): `-j 1` vs `-j 2`, fresh
  processes, run alternately twice each and the faster of each kept (the machine's load
  changes from minute to minute); steady state from the run's own clock (which starts once
  the pipeline is built and the workers are forked), whole process from the wall clock; the
  CPU seconds of the parent and of each worker show how evenly the work was split and how
  many cores the run actually got;
- memory: peak RSS (VmHWM) of the parent and of each worker of the `-j 2` run, and each
  worker's private memory (pages it does not share with the parent after the fork).
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

STEADY_TARGET = 0.35
PARALLEL_TARGET = 1.7

RUN_EXTRACT = """
import json, sys
from pipeline.extract import extract_to_file
s = extract_to_file([sys.argv[1]], sys.argv[2], jobs=int(sys.argv[3]), progress=False)
peak = next(int(l.split()[1]) / 1024 for l in open('/proc/self/status') if l.startswith('VmHWM:'))
import resource
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"records": s.records, "seconds": s.seconds, "workers": s.workers, "peak_rss": peak,
                  "cpu": u.ru_utime + u.ru_stime, "run_cpu": s.cpu}))
"""
RUN_TOKENIZER = """
import sys
import spacy
from pipeline.readers.decode import decode_bytes
from pipeline.readers.discover import iter_input_files
nlp = spacy.blank("en")
n = 0
for path, _ in iter_input_files([sys.argv[1]]):
    nlp.make_doc(decode_bytes(path.read_bytes())[0])
    n += 1
print(n)
"""
RUN_STARTUP = """
from pipeline.nlp import build_nlp
build_nlp()
"""


def load_pages(shared: Path, count: int) -> list[tuple[str, bytes]]:
    from pipeline.readers.discover import iter_input_files

    roots = [REPO / "corpus"] + ([shared / "seeds"] if (shared / "seeds").exists() else [])
    pages = [(str(p), p.read_bytes()) for p, _ in iter_input_files(roots)]
    out = []
    while len(out) < count:
        out.extend(pages)
    return out[:count]


def time_tokenizer(pages) -> tuple[float, float]:
    """(wall, CPU) seconds of the bare tokenizer over the decoded pages."""
    import spacy

    from pipeline.readers.decode import decode_bytes

    nlp = spacy.blank("en")
    start, cpu = time.perf_counter(), time.process_time()
    for _, data in pages:
        text, _ = decode_bytes(data)
        nlp.make_doc(text)
    return time.perf_counter() - start, time.process_time() - cpu


def time_pipeline(pages, nlp) -> tuple[float, float]:
    """(wall, CPU) seconds of the whole pipeline: read, clean, tag, build and serialise."""
    from pipeline.extract import process_articles, write_record
    from pipeline.readers.ingest import page_article

    sink = io.StringIO()
    start, cpu = time.perf_counter(), time.process_time()
    articles = (page_article(data, path, Path(path).suffix.lower()) for path, data in pages)
    for record in process_articles(articles, nlp):
        write_record(sink, record)
    return time.perf_counter() - start, time.process_time() - cpu


def run_python(code: str, *args: str) -> tuple[float, str]:
    """Wall seconds of a fresh interpreter running `code`, and its stdout."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def run_extract(source: Path, out: Path, jobs: int) -> dict:
    wall, stdout = run_python(RUN_EXTRACT, str(source), str(out), str(jobs))
    result = json.loads(stdout.strip().splitlines()[-1])
    result["wall"] = wall
    return result


def write_page_files(pages, folder: Path) -> None:
    folder.mkdir(parents=True)
    for i, (path, data) in enumerate(pages):
        (folder / f"{i:04d}_{Path(path).name}").write_bytes(data)


def make_baseline(path: Path, records: int) -> None:
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_synthetic_baseline.py"), str(path),
                    "--records", str(records)], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--xml-records", type=int, default=1500, help="records in the synthetic PubMed XML file")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    began = time.perf_counter()

    from pipeline.nlp import build_nlp

    nlp = build_nlp(section_model=True)
    pages = load_pages(args.shared, args.pages)
    time_pipeline(pages[:20], nlp)  # warm-up
    rounds = [(time_tokenizer(pages), time_pipeline(pages, nlp)) for _ in range(3)]
    tok_wall_s, tok = min(r[0][0] for r in rounds), min(r[0][1] for r in rounds)
    full_wall_s, full = min(r[1][0] for r in rounds), min(r[1][1] for r in rounds)
    steady = tok / full
    n = len(pages)

    with tempfile.TemporaryDirectory(prefix="abstracts-bench-") as tmp:
        tmp = Path(tmp)
        startup, _ = run_python(RUN_STARTUP)
        folder = tmp / "pages"
        write_page_files(pages, folder)
        tok_wall, _ = run_python(RUN_TOKENIZER, str(folder))
        pages_j1 = run_extract(folder, tmp / "pages-j1.jsonl", 1)
        pages_j2 = run_extract(folder, tmp / "pages-j2.jsonl", 2)
        xml = tmp / "synthetic_baseline.xml.gz"
        make_baseline(xml, args.xml_records)
        runs = {1: [], 2: []}
        for jobs in (1, 2, 1, 2):
            runs[jobs].append(run_extract(xml, tmp / f"xml-j{jobs}.jsonl", jobs))
        xml_j1 = min(runs[1], key=lambda r: r["seconds"])
        xml_j2 = min(runs[2], key=lambda r: r["seconds"])
        same = (tmp / "xml-j1.jsonl").read_bytes() == (tmp / "xml-j2.jsonl").read_bytes()
        same_pages = (tmp / "pages-j1.jsonl").read_bytes() == (tmp / "pages-j2.jsonl").read_bytes()
    whole = tok_wall / pages_j1["wall"]
    xml_steady = xml_j1["seconds"] / xml_j2["seconds"]
    xml_whole = xml_j1["wall"] / xml_j2["wall"]
    pages_steady = pages_j1["seconds"] / pages_j2["seconds"]

    def met(value: float, target: float) -> str:
        return "met" if value >= target else "not met"

    records = xml_j1["records"]
    lines = [
        "# Benchmark",
        "",
        f"One run of `make bench` on {platform.machine()}, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}, {_cores()} cores (shared: other processes may have been running, so "
        f"absolute figures are noisy; ratios within this run are the ones to trust).",
        "",
        "| what | items | seconds | items/s | ratio |",
        "|---|---:|---:|---:|---:|",
        f"| pages, steady state: bare spacy.blank('en') tokenizer, CPU s (wall s) | {n} | {tok:.2f} ({tok_wall_s:.2f}) | "
        f"{n / tok:.1f} | 1.00 |",
        f"| pages, steady state: whole pipeline, CPU s (wall s) | {n} | {full:.2f} ({full_wall_s:.2f}) | {n / full:.1f} | "
        f"**{steady:.2f}** of the tokenizer (target >= {STEADY_TARGET}: {met(steady, STEADY_TARGET)}; wall clock: "
        f"{tok_wall_s / full_wall_s:.2f}) |",
        f"| pages, whole process: tokenizer script | {n} | {tok_wall:.2f} | {n / tok_wall:.1f} | 1.00 |",
        f"| pages, whole process: `extract -j 1` | {n} | {pages_j1['wall']:.2f} | {n / pages_j1['wall']:.1f} | "
        f"**{whole:.2f}** of the tokenizer |",
        f"| pages, whole process: `extract -j 2` | {n} | {pages_j2['wall']:.2f} | {n / pages_j2['wall']:.1f} | "
        f"{pages_j1['wall'] / pages_j2['wall']:.2f}x `-j 1` (steady {pages_steady:.2f}x) |",
        f"| one PubMed XML file, `-j 1`: steady / whole process | {records} | {xml_j1['seconds']:.2f} / "
        f"{xml_j1['wall']:.2f} | {records / xml_j1['seconds']:.1f} | 1.00 |",
        f"| one PubMed XML file, `-j 2`: steady / whole process | {records} | {xml_j2['seconds']:.2f} / "
        f"{xml_j2['wall']:.2f} | {records / xml_j2['seconds']:.1f} | **{xml_steady:.2f}x** steady (target >= "
        f"{PARALLEL_TARGET}: {met(xml_steady, PARALLEL_TARGET)}), {xml_whole:.2f}x whole process |",
        "",
        f"- Start-up (fresh process: imports, lexicon, matcher, section model): {startup:.1f} s.",
        f"- `-j 2` output identical to `-j 1`: XML {'yes' if same else 'NO'}, pages {'yes' if same_pages else 'NO'}.",
        f"- Peak RSS, `-j 1` process (XML run): {xml_j1['peak_rss']:.0f} MB; `-j 2` parent: {xml_j2['peak_rss']:.0f} MB.",
    ]
    workers = sorted(xml_j2["workers"].items())
    for number, (pid, memory) in enumerate(workers, 1):
        lines.append(f"- `-j 2` worker {number}: peak RSS {memory.get('peak_rss', 0):.0f} MB (counts pages shared with "
                     f"the parent), private {memory.get('private', 0):.0f} MB.")
    cpus = [memory.get("cpu", 0.0) for _, memory in workers]
    if len(cpus) == 2 and max(cpus) > 0:
        work = xml_j2["run_cpu"] + sum(cpus)
        lines += [
            f"- CPU, XML file: `-j 1` used {xml_j1['run_cpu']:.1f} CPU s in its {xml_j1['seconds']:.1f} s "
            f"({xml_j1['run_cpu'] / xml_j1['seconds']:.2f} cores); `-j 2`: workers {cpus[0]:.1f} and {cpus[1]:.1f} CPU s, "
            f"parent (reading, writing) {xml_j2['run_cpu']:.1f}, in {xml_j2['seconds']:.1f} s "
            f"({work / xml_j2['seconds']:.2f} cores of 2).",
            f"- Work split: the busier worker did {max(cpus) / work:.0%} of the `-j 2` run's CPU work and the parent "
            f"{xml_j2['run_cpu'] / work:.0%}, so on two otherwise idle cores the split allows up to "
            f"{work / max(max(cpus), work / 2):.2f}x the speed of one process doing the same work. Its CPU total was "
            f"{100 * (work / xml_j1['run_cpu'] - 1):+.0f}% of `-j 1`'s (on a shared machine identical runs differ by "
            f"up to about 20%). When other processes hold a core, `-j 2` gets fewer than 2 cores (the 'cores' figures "
            f"above) and the measured speed-up is lower than the split allows.",
        ]
    from measure_startup import markdown, measure  # scripts/measure_startup.py

    lines += [""] + markdown(measure(REPO, runs=5))
    lines.append(f"- This benchmark took {time.perf_counter() - began:.0f} s.")
    text = "\n".join(lines) + "\n"
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    print(text)


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    main()
