"""Linear-time benchmark (issue #10): the pages that used to stall, and prose pages of growing size.

    python scripts/linear_time_bench.py [--repo CHECKOUT] [--timeout 600] [--shared ../shared]

Each case is a text page (title, citation, BACKGROUND, RESULTS holding the payload,
CONCLUSIONS) run in a fresh process with `--repo` as the checkout whose `pipeline` is
imported (default: this one; pass an older checkout for "before" figures) and killed after
`--timeout` seconds. It prints one markdown row per case: reading and cleaning the page,
then the tagging stages as `extract` runs them (the abstract as one Doc through each
component), with the slowest stage named.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAD = "Adversarial page\n\nJournal of Tests. 2024;1(1):1-2.\n\nAbstract\n\nBACKGROUND: We studied oxaliplatin 85 mg/m2 in patients.\n\nRESULTS: "
TAIL = "\n\nCONCLUSIONS: The end.\n"
PAYLOADS = {
    "`1,` x1000": "1," * 1000,
    "`1-` x5000": "1-" * 5000,
    "`1-, ` x5000": "1-, " * 5000,
    "`(HR 0.5; 95% CI 0.4 to ` x5000": "(HR 0.5; 95% CI 0.4 to " * 5000,
    "`mg/m2, ` x50k": "mg/m2, " * 50_000,
    "5,000-digit numbers": "Median OS was " + "9" * 5000 + " months and dose " + "7" * 5000 + " mg (HR " + "3" * 5000 + ").",
}
PROSE_SIZES = {"prose 25 KB": 25_000, "prose 250 KB": 250_000, "prose 2.5 MB": 2_500_000}


def prose(size: int, shared: Path, repo: Path) -> str:
    """Real abstract text run on as one paragraph: pmc-rct sections when ../shared is there,
    else the bundled corpus pages."""
    parts: list[str] = []
    source = shared / "data" / "pmc-rct" / "abstracts.jsonl"
    if source.exists():
        with source.open(encoding="utf-8") as fh:
            for line in fh:
                parts += [s["text"].strip() for s in json.loads(line).get("sections") or [] if s.get("text")]
                if sum(len(p) + 1 for p in parts) > size:
                    break
    else:
        parts = [" ".join(p.read_text(encoding="utf-8", errors="replace").split()) for p in sorted((repo / "corpus").rglob("*.txt"))]
    text = " ".join(parts)
    return (text * (size // max(len(text), 1) + 1))[:size]


def run_one(page: Path) -> None:
    """In the child: time each step of one page and print them as JSON lines as they finish."""
    sys.path.insert(0, os.getcwd())
    from pipeline.extract import iter_articles

    try:
        from pipeline.batch.process import segment_doc
    except ImportError:  # a checkout from before the package layout (issue #9)
        from pipeline.extract import _segment_doc as segment_doc
    from pipeline.nlp import build_nlp

    nlp = build_nlp()
    # spaCy refuses texts over nlp.max_length (1,000,000 characters by default; a limit for
    # its parser and NER, which this pipeline does not have): lifted here to time the stages
    nlp.max_length = max(nlp.max_length, page.stat().st_size + 1)
    print(json.dumps({"running": "read+clean"}), flush=True)
    t = time.perf_counter()
    articles = list(iter_articles([page]))
    print(json.dumps({"step": "read+clean", "s": time.perf_counter() - t}), flush=True)
    article = articles[0]
    print(json.dumps({"running": "tokenizer"}), flush=True)
    t = time.perf_counter()
    doc = segment_doc(nlp, article, article.abstract_span, "abstract")
    print(json.dumps({"step": "tokenizer", "s": time.perf_counter() - t}), flush=True)
    for name, proc in nlp.pipeline:
        print(json.dumps({"running": name}), flush=True)
        t = time.perf_counter()
        try:
            doc = proc(doc)
        except Exception as exc:  # the 5,000-digit page used to fail here
            print(json.dumps({"step": name, "s": time.perf_counter() - t, "error": f"{type(exc).__name__}: {str(exc)[:60]}"}), flush=True)
            return
        print(json.dumps({"step": name, "s": time.perf_counter() - t}), flush=True)


def measure(page: Path, repo: Path, timeout: float) -> tuple[dict[str, float], str]:
    proc = subprocess.Popen([sys.executable, __file__, "--one", str(page)], cwd=repo, stdout=subprocess.PIPE, text=True)
    try:
        out, _ = proc.communicate(timeout=timeout + 30)  # + start-up (lexicon, model)
        status = "ok"
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        status = f"killed after {timeout:.0f} s"
    steps: dict[str, float] = {}
    running = None
    for line in out.splitlines():
        rec = json.loads(line)
        if "running" in rec:
            running = rec["running"]
            continue
        steps[rec["step"]] = rec["s"]
        running = None
        if "error" in rec:
            status = rec["error"]
    if running is not None and status.startswith("killed"):
        status += f" in {running.replace('abstracts_', '')}"
    return steps, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--only", nargs="*", default=None, help="run only the cases whose name contains one of these")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one)
        return
    cases = dict(PAYLOADS)
    for name, size in PROSE_SIZES.items():
        cases[name] = prose(size, args.shared, Path(__file__).resolve().parents[1])
    if args.only:
        cases = {name: text for name, text in cases.items() if any(part in name for part in args.only)}
    print("| page (RESULTS holds) | bytes | read+clean s | tagging s | slowest stage | status |")
    print("|---|---:|---:|---:|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, payload in cases.items():
            page = Path(tmp) / "page.txt"
            page.write_text(HEAD + payload + TAIL, encoding="utf-8")
            steps, status = measure(page, args.repo.resolve(), args.timeout)
            clean = steps.pop("read+clean", None)
            tagging = f"{sum(steps.values()):.2f}" if status == "ok" else "-"
            slowest = max(steps.items(), key=lambda kv: kv[1], default=("-", 0.0))
            clean_s = f"{clean:.2f}" if clean is not None else "-"
            stage = f"{slowest[0].replace('abstracts_', '')} {slowest[1]:.2f} s" if steps else "-"
            print(f"| {name} | {page.stat().st_size} | {clean_s} | {tagging} | {stage} | {status} |", flush=True)


if __name__ == "__main__":
    main()
