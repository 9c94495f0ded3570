"""Start-up time and peak memory of a fresh process that builds the whole pipeline.

Each run is a new interpreter doing `from pipeline.nlp import build_nlp; build_nlp()`;
it reports wall seconds, CPU seconds (user + system, less sensitive to other load on a
shared machine) and peak RSS (VmHWM). "cold" runs use an empty drug-lexicon cache folder
each time, "warm" runs one folder filled by a first run.

    python scripts/measure_startup.py [--runs 5] [--repo DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# The same measurement of the commit before the compiled lexicon (d909136), for comparison.
BEFORE_CACHE = (
    "Before the drug lexicon was compiled and cached (issue #10), every start rebuilt two spaCy "
    "PhraseMatchers from 47k names: 3.6-4.1 CPU s (4.6-8 s wall on the loaded machine) and 409 MB per worker, "
    "of which about 260 MB was the matchers."
)

CHILD = """
import json, resource, time
t = time.perf_counter()
from pipeline.nlp import build_nlp
nlp = build_nlp()
wall = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_SELF)
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps({"wall": wall, "cpu": ru.ru_utime + ru.ru_stime,
                  "hwm_mb": int(status["VmHWM"].split()[0]) / 1024, "rss_mb": int(status["VmRSS"].split()[0]) / 1024}))
"""


def run_once(repo: Path, cache: Path) -> dict:
    env = dict(os.environ, ABSTRACTS_CACHE_DIR=str(cache))
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def summary(runs: list[dict]) -> dict:
    return {k: round(statistics.median(r[k] for r in runs), 2) for k in ("wall", "cpu", "hwm_mb", "rss_mb")} | {"runs": len(runs)}


def measure(repo: Path = REPO, runs: int = 5) -> dict:
    """Median figures of `runs` cold and `runs` warm start-ups (interleaved, so background
    load on a shared machine hits both alike)."""
    with tempfile.TemporaryDirectory() as tmp:
        warm_dir = Path(tmp) / "warm"
        run_once(repo, warm_dir)  # fills the warm cache
        cold, warm = [], []
        for i in range(runs):
            cold.append(run_once(repo, Path(tmp) / f"cold{i}"))
            warm.append(run_once(repo, warm_dir))
    return {"cold": summary(cold), "warm": summary(warm)}


def markdown(result: dict) -> list[str]:
    """The start-up section of docs/benchmark.md."""
    lines = [
        "## Start-up and memory of one worker",
        "",
        f"Fresh processes running `build_nlp()` (median of {result['warm']['runs']}; `scripts/measure_startup.py`). "
        "Cold = no drug-lexicon cache yet (it is built and written), warm = the cache is read. "
        "CPU seconds are the steadier figure on a shared machine.",
        "",
        "| start | wall s | CPU s | peak RSS | RSS after start-up |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in ("cold", "warm"):
        r = result[name]
        lines.append(f"| {name} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['hwm_mb']:.0f} MB | {r['rss_mb']:.0f} MB |")
    lines += ["", BEFORE_CACHE]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout to measure (default: this one)")
    parser.add_argument("--markdown", action="store_true", help="print the docs/benchmark.md section")
    args = parser.parse_args()
    result = measure(args.repo, args.runs)
    print("\n".join(markdown(result)) if args.markdown else json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
