"""--engine dask: a real LocalCluster on 127.0.0.1 (TCP, worker threads in this process)
gives the same records in the same order as the local engine."""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("distributed")

from pipeline.batch import dask_engine  # noqa: E402
from pipeline.batch.process import Settings  # noqa: E402
from pipeline.cli import main  # noqa: E402
from pipeline.extract import extract  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "formats"
CORPUS = REPO / "corpus"


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as running:
        yield running


@pytest.fixture()
def worker_pipelines(monkeypatch):
    """The workers run in this process: give them the pipelines the test chooses."""
    monkeypatch.setattr(dask_engine, "_PIPELINES", {})
    return dask_engine.prime_worker_pipeline


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dask") / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "pubmed_legacy" / "hai_fudr_folfox_crlm.txt", folder / "page.txt")
    shutil.copy(CORPUS / "pubmed_current" / "mcrc_folfoxiri_bevacizumab.html", folder / "page.html")
    shutil.copy(CORPUS / "no_abstract" / "page_not_found.html", folder / "missing.html")
    shutil.copy(FIXTURES / "medline_records.nbib", folder / "export.nbib")
    shutil.copy(FIXTURES / "jats_structured.nxml", folder / "article.nxml")
    (folder / "empty.txt").write_bytes(b"")
    spec = importlib.util.spec_from_file_location("baseline", REPO / "scripts" / "make_synthetic_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_baseline(folder / "baseline.xml.gz", records=40)
    return folder


@pytest.mark.slow
def test_engine_dask_gives_the_local_engine_records(cluster, worker_pipelines, inputs, nlp):
    local = io.StringIO()
    extract([inputs], local, nlp=nlp, progress=False)
    worker_pipelines(nlp, Settings())
    remote = io.StringIO()
    summary = extract([inputs], remote, progress=False, engine="dask", scheduler=cluster.scheduler_address,
                      batch_articles=8)
    assert remote.getvalue() == local.getvalue()
    assert summary.records == len(local.getvalue().splitlines()) > 45
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")


@pytest.mark.slow
def test_engine_dask_cli(cluster, worker_pipelines, inputs, nlp, tmp_path):
    worker_pipelines(nlp, Settings())
    out = tmp_path / "records.jsonl"
    result = CliRunner().invoke(main, ["extract", str(inputs / "page.txt"), "-o", str(out), "--engine", "dask",
                                       "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["status"] == "ok"


def test_engine_dask_timeout_in_worker_threads(cluster, worker_pipelines, tmp_path):
    import spacy

    import tests.test_engine_timeout as slow  # registers the test_slow_on_marker component

    nlp = spacy.blank("en")
    nlp.add_pipe("test_slow_on_marker")
    worker_pipelines(nlp, Settings())
    folder = tmp_path / "pages"
    folder.mkdir()
    for i, marker in enumerate(["fine", "SPINMARKER", "fine"]):
        (folder / f"{i}.txt").write_text(slow.PAGE.format(marker=marker), encoding="utf-8")
    out = io.StringIO()
    extract([folder], out, progress=False, engine="dask", scheduler=cluster.scheduler_address, doc_timeout=0.5)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["status"] for r in records] == ["ok", "error", "ok"]
    assert records[1]["error"]["type"] == "Timeout"


def test_engine_dask_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", "2s")
    result = CliRunner().invoke(main, ["extract", str(CORPUS / "pubmed_legacy"), "-o", str(tmp_path / "r.jsonl"),
                                       "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code != 0
    assert "cannot reach the Dask scheduler" in result.output
    assert list(tmp_path.iterdir()) == []  # neither the output nor an empty .part
