"""--doc-timeout: a document that overruns its budget becomes an `error` record of type
Timeout and the batch goes on, in this process and in worker processes; the SIGALRM handler
and any running timer are given back afterwards. Slowness is simulated (a component that
spins or sleeps on a marker word); nothing here depends on the machine's real speed."""

from __future__ import annotations

import io
import json
import signal
import threading
import time
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from pipeline.batch.timeout import DocTimeout, deadline
from pipeline.extract import extract

PAGE = (
    "Send to\n\nAnn Test Oncol. 2010 Jan;1(1):1-9.\n\nA trial of something useful in patients.\n\n"
    "Author information\n\nDepartment of Oncology, Test University, Testville.\n\n\n"
    "We treated forty patients with metastatic colorectal cancer with oxaliplatin 85 mg/m2 every two weeks and "
    "followed them closely for five years after the end of treatment in two referral centres ({marker}).\n\n"
    "Median overall survival was 21.4 months and the 3-year survival rate was 30% in the whole cohort; grade 3 "
    "neuropathy occurred in six patients and no treatment-related deaths were recorded during the study.\n"
)


@Language.component("test_slow_on_marker")
def slow_on_marker(doc):
    if "SPINMARKER" in doc.text:
        while True:  # pure Python, never returns
            pass
    if "SLEEPMARKER" in doc.text:
        time.sleep(120)
    return doc


@pytest.fixture(scope="module")
def slow_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("test_slow_on_marker")
    return nlp


@pytest.fixture()
def pages(tmp_path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for i, marker in enumerate(["fine", "SPINMARKER", "fine", "SLEEPMARKER", "fine"]):
        (folder / f"{i}.txt").write_text(PAGE.format(marker=marker), encoding="utf-8")
    return folder


def _statuses(out: io.StringIO) -> list[tuple[str, str | None]]:
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    return [(r["status"], (r.get("error") or {}).get("type")) for r in records]


@pytest.mark.parametrize("jobs", [1, 2], ids=["in-process", "worker-processes"])
def test_engine_timeout_gives_a_timeout_record_and_the_batch_goes_on(pages, slow_nlp, jobs):
    out = io.StringIO()
    summary = extract([pages], out, nlp=slow_nlp, progress=False, jobs=jobs, doc_timeout=0.5, batch_articles=2)
    assert _statuses(out) == [("ok", None), ("error", "Timeout"), ("ok", None), ("error", "Timeout"), ("ok", None)]
    record = json.loads(out.getvalue().splitlines()[1])
    assert "longer than 0.5 s" in record["error"]["message"]
    assert record["metadata"]["journal"]  # what was read is kept
    assert summary.by_status == {"ok": 3, "error": 2}


def test_engine_timeout_restores_the_alarm_handler_and_timer(pages, slow_nlp):
    def mine(signum, frame):
        pass

    previous = signal.signal(signal.SIGALRM, mine)
    try:
        signal.setitimer(signal.ITIMER_REAL, 300)
        extract([pages], io.StringIO(), nlp=slow_nlp, progress=False, doc_timeout=0.5)
        assert signal.getsignal(signal.SIGALRM) is mine
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 200 < left <= 300  # the outer timer runs on, minus the time spent
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_engine_timeout_zero_means_no_budget():
    before = signal.getsignal(signal.SIGALRM)
    with deadline(0):
        assert signal.getsignal(signal.SIGALRM) is before
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_engine_timeout_covers_a_reader_that_hangs(pages, slow_nlp, monkeypatch):
    import pipeline.batch.process as process

    real = process.read_articles

    def hanging(path, display, *args, **kwargs):
        if path.name == "2.txt":
            while True:
                pass
        yield from real(path, display, *args, **kwargs)

    monkeypatch.setattr(process, "read_articles", hanging)
    out = io.StringIO()
    extract([pages], out, nlp=slow_nlp, progress=False, doc_timeout=0.5)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["status"] for r in records] == ["ok", "error", "error", "error", "ok"]
    assert records[2]["error"]["type"] == "Timeout" and "reading took longer" in records[2]["error"]["message"]
    assert records[2]["source"]["path"].endswith("2.txt")


def test_engine_timeout_in_a_thread_uses_a_watchdog():
    """Dask runs tasks in threads, where signals cannot be used."""
    outcome = {}

    def work():
        try:
            with deadline(0.3):
                while True:
                    pass
        except DocTimeout:
            outcome["timeout"] = True
        with deadline(5):  # a block that ends in time leaves nothing pending behind it
            total = sum(range(1000))
        time.sleep(0.2)
        outcome["after"] = total

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert outcome == {"timeout": True, "after": 499500}


def test_engine_timeout_cli_option(pages, slow_nlp, monkeypatch, tmp_path):
    from click.testing import CliRunner

    import pipeline.nlp
    from pipeline.cli import main

    monkeypatch.setattr(pipeline.nlp, "build_nlp", lambda section_model=True: slow_nlp)
    out = tmp_path / "r.jsonl"
    result = CliRunner().invoke(main, ["extract", str(pages), "-o", str(out), "--doc-timeout", "0.5"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["status"] for line in out.read_text(encoding="utf-8").splitlines()].count("error") == 2
    assert "Timeout: processing took longer than 0.5 s" in result.output
