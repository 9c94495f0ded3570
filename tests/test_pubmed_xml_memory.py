"""Streaming: the synthetic baseline generator round-trips, and memory stays flat on 30k records."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.readers.pubmed_xml import read_articles

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from make_synthetic_baseline import write_baseline  # noqa: E402


@pytest.mark.parametrize("suffix", [".xml", ".xml.gz"])
def test_pubmed_xml_synthetic_baseline_round_trip(tmp_path, suffix):
    path = tmp_path / f"synthetic{suffix}"
    write_baseline(path, records=40)
    articles = list(read_articles(path, path.name))
    assert [a.status for a in articles] == ["ok"] * 40 + ["deleted"] * 5
    assert [a.index for a in articles] == list(range(45))
    first = articles[0]
    assert [h.category for h in first.headings] == ["BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert "<sup>" not in first.source_text and "&#" not in first.source_text
    assert first.metadata["doi"] == "10.0000/synthetic.70000000"


@pytest.mark.slow
def test_pubmed_xml_memory_flat_on_30k_records(tmp_path):
    path = tmp_path / "synthetic_baseline.xml"
    write_baseline(path, records=30000)
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "measure_xml_memory.py"), str(path)],
        capture_output=True, text=True, check=True, cwd=REPO,
    )
    figures = json.loads(result.stdout)
    assert figures["records"] == 30005
    assert figures["peak_rss_mb"] <= 300
    # flat: reading a ~120 MB file adds little over the interpreter + imports
    assert figures["peak_rss_mb"] - figures["rss_after_imports_mb"] < 100
