"""-j N: workers forked after the pipeline is built, one big file split by article over all of
them, the same records in the same order as -j 1, and a dead worker does not stall the run."""

from __future__ import annotations

import importlib.util
import io
import json
import time
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from pipeline.batch.engine import start_method
from pipeline.extract import extract

REPO = Path(__file__).resolve().parents[1]
PAGE = (
    "Send to\n\nAnn Test Oncol. 2010 Jan;1(1):1-9.\n\nA trial of something useful in patients.\n\n"
    "Author information\n\nDepartment of Oncology, Test University, Testville.\n\n\n"
    "We treated forty patients with metastatic colorectal cancer with oxaliplatin 85 mg/m2 every two weeks and "
    "followed them closely for five years after the end of treatment in two referral centres ({marker}).\n\n"
    "Median overall survival was 21.4 months and the 3-year survival rate was 30% in the whole cohort.\n"
)
needs_fork = pytest.mark.skipif(start_method() != "fork", reason="workers are forked only where fork exists")


@pytest.fixture(scope="module")
def big_xml(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("make_synthetic_baseline", REPO / "scripts" / "make_synthetic_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = tmp_path_factory.mktemp("xml") / "baseline.xml.gz"
    module.write_baseline(path, records=120)
    return path


@pytest.mark.slow
@needs_fork
def test_engine_parallel_splits_one_big_file_over_both_workers_same_records(big_xml, nlp, monkeypatch):
    import pipeline.nlp

    one, two = io.StringIO(), io.StringIO()
    extract([big_xml], one, nlp=nlp, progress=False, batch_articles=8)

    def no_build(*args, **kwargs):
        raise AssertionError("workers must inherit the parent's pipeline, not build their own")

    monkeypatch.setattr(pipeline.nlp, "build_nlp", no_build)
    summary = extract([big_xml], two, nlp=nlp, progress=False, jobs=2, batch_articles=8)
    assert two.getvalue() == one.getvalue()
    assert summary.records == len(one.getvalue().splitlines()) == 125
    assert len(summary.workers) == 2  # both worker processes tagged part of the one file
    assert all(memory["peak_rss"] > 0 for memory in summary.workers.values())


@Language.component("test_crash_on_marker")
def crash_on_marker(doc):
    if "CRASHMARKER" in doc.text:
        import os

        os._exit(1)  # the worker process dies, as when the kernel kills it
    return doc


@needs_fork
def test_engine_parallel_survives_a_worker_that_dies(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("test_crash_on_marker")
    folder = tmp_path / "pages"
    folder.mkdir()
    markers = ["fine"] * 3 + ["CRASHMARKER"] + ["fine"] * 6
    for i, marker in enumerate(markers):
        (folder / f"{i:02d}.txt").write_text(PAGE.format(marker=marker), encoding="utf-8")
    out = io.StringIO()
    started = time.monotonic()
    summary = extract([folder], out, nlp=nlp, progress=False, jobs=2)
    assert time.monotonic() - started < 120
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [Path(r["source"]["path"]).name for r in records] == [f"{i:02d}.txt" for i in range(10)]
    assert [r["status"] for r in records] == ["ok"] * 3 + ["error"] + ["ok"] * 6
    assert records[3]["error"]["type"] == "WorkerCrashed"
    assert summary.records == 10
