"""Time loading records into each database backend (README "Databases", load time).

    # 30k records of a real extraction run: the synthetic PubMed baseline
    python scripts/make_synthetic_baseline.py out/synthetic_baseline.xml.gz --records 30000
    abstracts extract out/synthetic_baseline.xml.gz -o out/baseline-30k.jsonl
    python scripts/bench_db_load.py out/baseline-30k.jsonl --to sqlite --to duckdb --to parquet

    # 30k entity-rich records: copies of the corpus records under new ids
    abstracts extract corpus/ -o out/records.jsonl
    python scripts/bench_db_load.py out/records.jsonl --copies-to 30000 --to sqlite

Each backend gets a fresh target under out/bench-db/ (PostgreSQL: the URL given with
--pg-url, whose tables are dropped first). The first load is timed, then a second load of
the same file (which must change nothing). Prints a markdown table; CPU is this process's
time (all its threads; a PostgreSQL server's work is not in it), the figure to compare when
the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.output.load import load_jsonl  # noqa: E402
from pipeline.output.queries import run_query  # noqa: E402
from pipeline.output.schema import load_schema  # noqa: E402


def copies_of(source: Path, target: Path, count: int) -> Path:
    """`count` records cycling through `source`'s records, each copy under a new id (`~k`)."""
    records = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    with open(target, "w", encoding="utf-8") as fh:
        for n in range(count):
            record = json.loads(json.dumps(records[n % len(records)]))
            k = n // len(records)
            record["id"] = f"{record['id']}~{k}"
            for key in ("pmid", "doi"):
                if record["metadata"].get(key):
                    record["metadata"][key] = f"{record['metadata'][key]}~{k}"
            record["source"]["path"] = f"{record['source']['path']}~{k}"
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return target


def target_url(kind: str, folder: Path, pg_url: str | None) -> str:
    if kind == "postgresql":
        if not pg_url:
            raise SystemExit("--to postgresql needs --pg-url")
        import psycopg

        with psycopg.connect(pg_url, autocommit=True) as conn:
            for table in load_schema().tables:
                conn.execute(f"DROP TABLE IF EXISTS {table.name}")
        return pg_url
    paths = {"sqlite": folder / "bench.db", "duckdb": folder / "bench.duckdb", "parquet": folder / "bench-parquet"}
    path = paths[kind]
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    return {"sqlite": f"sqlite:///{path}", "duckdb": f"duckdb:///{path}", "parquet": f"parquet:{path}"}[kind]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("records", type=Path)
    parser.add_argument("--to", action="append", choices=["sqlite", "duckdb", "parquet", "postgresql"], required=True)
    parser.add_argument("--copies-to", type=int, default=0, help="Load this many copies of the records instead.")
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--out-dir", type=Path, default=REPO / "out" / "bench-db")
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    records = args.records
    if args.copies_to:
        records = copies_of(records, args.out_dir / f"copies-{args.copies_to}.jsonl", args.copies_to)
    lines = sum(1 for line in open(records, encoding="utf-8") if line.strip())
    print(f"{lines} records from {records} ({platform.machine()}, Python {platform.python_version()}, "
          f"{date.today().isoformat()}, batch {args.batch})\n")
    print("| backend | records | entities | first load (s) | CPU (s) | records/s | second load (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind in args.to:
        url = target_url(kind, args.out_dir, args.pg_url)
        started, cpu = time.perf_counter(), time.process_time()
        first = load_jsonl([records], url, batch_size=args.batch)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        second = load_jsonl([records], url, batch_size=args.batch)
        again = time.perf_counter() - started
        assert second.unchanged == first.records, second.line()
        entities = run_query(url, "SELECT COUNT(*) FROM entities")[1][0][0]
        print(f"| {kind} | {first.records} | {entities} | {seconds:.1f} | {cpu:.1f} | {first.records / seconds:.0f} "
              f"| {again:.1f} |", flush=True)


if __name__ == "__main__":
    main()
