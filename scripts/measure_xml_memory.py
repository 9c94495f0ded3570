"""Peak resident memory while reading a file through a reader's `read_articles`.

    python scripts/measure_xml_memory.py ../shared/data/formats/medline16n0902.xml.gz
    python scripts/measure_xml_memory.py out/synthetic_baseline.xml --reader jats

Runs in its own process (peak RSS is a per-process figure), consumes the Article stream
without keeping it, and prints one JSON line: records by status, seconds, RSS after imports,
and peak RSS (VmHWM from /proc/self/status; ru_maxrss elsewhere).
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

READERS = {
    "pubmed-xml": "pipeline.readers.pubmed_xml",
    "medline": "pipeline.readers.medline",
    "jats": "pipeline.readers.jats",
    "pmc-rct": "pipeline.readers.pmc_jsonl",
}


def peak_rss_mb() -> float:
    """Peak resident memory of this process. VmHWM belongs to this process's own memory map,
    unlike ru_maxrss, which Linux carries over from the parent across fork + exec."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / (1024 * 1024)


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * resource.getpagesize() / (1024 * 1024)
    except OSError:
        return float("nan")


def measure(path: Path, reader: str = "pubmed-xml") -> dict:
    module = importlib.import_module(READERS[reader])
    rss_start = current_rss_mb()
    started = time.perf_counter()
    statuses: Counter[str] = Counter()
    text_chars = 0
    for article in module.read_articles(path, str(path)):
        statuses[article.status] += 1
        text_chars += len(article.source_text)
    return {
        "file": str(path),
        "reader": reader,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "records": sum(statuses.values()),
        "statuses": dict(statuses),
        "source_text_mb": round(text_chars / 1e6, 1),
        "seconds": round(time.perf_counter() - started, 2),
        "rss_after_imports_mb": round(rss_start, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--reader", choices=sorted(READERS), default="pubmed-xml")
    args = parser.parse_args()
    print(json.dumps(measure(args.path, args.reader)))


if __name__ == "__main__":
    main()
