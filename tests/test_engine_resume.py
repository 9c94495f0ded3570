"""--resume after a real kill -9: nothing lost, nothing duplicated, same records as one run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.extract import extract_to_file

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


@pytest.fixture()
def sixty_pages(tmp_path) -> Path:
    """60 page files: the 32 corpus pages, then 28 of them again under other names."""
    folder = tmp_path / "pages"
    folder.mkdir()
    pages = sorted(p for p in CORPUS.rglob("*") if p.suffix in {".txt", ".html"})
    for i in range(60):
        source = pages[i % len(pages)]
        shutil.copy(source, folder / f"{i:02d}_{source.name}")
    return folder


@pytest.fixture()
def cli_nlp(nlp, monkeypatch):
    import pipeline.nlp

    monkeypatch.setattr(pipeline.nlp, "build_nlp", lambda section_model=True: nlp)
    return nlp


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        state = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State:"))
    except (OSError, StopIteration):
        return False
    return "Z" not in state.split()[1]


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_engine_resume_after_kill_9_gives_the_uninterrupted_records(sixty_pages, tmp_path, cli_nlp, jobs):
    expected = tmp_path / "expected.jsonl"
    extract_to_file([str(sixty_pages)], expected, nlp=cli_nlp, progress=False)
    out = tmp_path / "out" / "records.jsonl"
    out.parent.mkdir()
    out.write_text("previous output\n", encoding="utf-8")
    part = out.with_name("records.jsonl.part")

    command = [sys.executable, "-c", "from pipeline.cli import main; main()", "extract", str(sixty_pages),
               "-o", str(out), "--no-progress", "-q", "-j", jobs]
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while not (part.exists() and part.stat().st_size > 0):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no record written in 300 s"
            time.sleep(0.02)
        assert proc.poll() is None, "the run ended before it could be killed"
        workers = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert len(workers) == int(jobs) - (jobs == "1")
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "workers outlived their killed parent"

    assert out.read_text(encoding="utf-8") == "previous output\n"  # the old output is untouched
    written = part.read_bytes().split(b"\n")
    complete = [json.loads(line) for line in written[:-1]]  # complete lines are whole records
    assert 0 < len(complete) < 60
    with open(part, "ab") as fh:  # and a half-written last line, as a kill during a write leaves
        fh.write(b'{"schema_version": "1.0", "id": "cut off')

    result = CliRunner().invoke(main, ["extract", str(sixty_pages), "-o", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    assert _lines(out) == _lines(expected)
    assert not part.exists()
    records = [json.loads(line) for line in _lines(out)]
    assert len(records) == 60
    assert len({(r["source"]["path"], r["source"]["index"]) for r in records}) == 60
    assert f"resumed: {len(complete)} records reused, {60 - len(complete)} made in this run" in result.output


def test_engine_resume_reuses_a_finished_output_and_does_only_new_inputs(sixty_pages, tmp_path, nlp):
    folder = tmp_path / "few"
    folder.mkdir()
    for page in sorted(sixty_pages.iterdir())[:4]:
        shutil.copy(page, folder / page.name)
    out = tmp_path / "records.jsonl"
    extract_to_file([folder], out, nlp=nlp, progress=False)
    first = _lines(out)

    added = sorted(sixty_pages.iterdir())[10]
    shutil.copy(added, folder / ("00a_" + added.name))  # sorts second
    summary = extract_to_file([folder], out, nlp=nlp, progress=False, resume=True)
    assert summary.reused == 4 and summary.records == 5
    again = _lines(out)
    assert [again[0]] + again[2:] == first
    assert json.loads(again[1])["source"]["path"].endswith("00a_" + added.name)


def test_engine_resume_redoes_changed_inputs_and_drops_records_of_removed_ones(sixty_pages, tmp_path, nlp):
    folder = tmp_path / "few"
    folder.mkdir()
    names = [p.name for p in sorted(sixty_pages.iterdir())[:3]]
    for name in names:
        shutil.copy(sixty_pages / name, folder / name)
    out = tmp_path / "records.jsonl"
    extract_to_file([folder], out, nlp=nlp, progress=False)
    (folder / names[0]).unlink()
    changed = folder / names[1]
    changed.write_bytes(changed.read_bytes() + b"\n\nOne more line.\n")

    summary = extract_to_file([folder], out, nlp=nlp, progress=False, resume=True)
    records = [json.loads(line) for line in _lines(out)]
    assert [Path(r["source"]["path"]).name for r in records] == names[1:]
    assert summary.reused == 1
    fresh = tmp_path / "fresh.jsonl"
    extract_to_file([folder], fresh, nlp=nlp, progress=False)
    assert _lines(out) == _lines(fresh)


def test_engine_resume_in_a_big_file_skips_the_articles_already_done(tmp_path, nlp):
    """Resume works per article: a PubMed XML file killed half-way restarts where it stopped."""
    big = tmp_path / "in" / "set.xml.gz"  # .gz files are read by the parent and split by article
    big.parent.mkdir()
    shutil.copy(REPO / "tests" / "fixtures" / "formats" / "pubmed_set.xml.gz", big)
    out = tmp_path / "records.jsonl"
    extract_to_file([big], out, nlp=nlp, progress=False)
    full = _lines(out)
    assert len(full) >= 2
    part = out.with_name(out.name + ".part")
    part.write_text(full[0] + "\n", encoding="utf-8")  # as a run killed after its first record leaves it

    summary = extract_to_file([big], out, nlp=nlp, progress=False, resume=True)
    assert summary.reused == 1 and summary.records == len(full)
    assert _lines(out) == full


@pytest.mark.parametrize("lines_done", [0, 1, 2])
def test_engine_resume_with_the_same_input_twice(tmp_path, nlp, lines_done):
    """The same page given twice: one record (the file is read once, with a warning naming the
    repeated argument), whatever was done before the interruption; the warning is never added twice."""
    page = tmp_path / "page.txt"
    page.write_bytes((CORPUS / "pubmed_legacy" / "hai_fudr_folfox_crlm.txt").read_bytes())
    out = tmp_path / "records.jsonl"
    extract_to_file([page, page], out, nlp=nlp, progress=False)
    full = _lines(out)
    assert len(full) == 1 and json.loads(full[0])["warnings"][-1].endswith("read once")
    out.unlink()
    part = out.with_name(out.name + ".part")
    part.write_text("".join(line + "\n" for line in full[:lines_done]), encoding="utf-8")
    summary = extract_to_file([page, page], out, nlp=nlp, progress=False, resume=True)
    assert summary.reused == min(lines_done, 1)
    assert _lines(out) == full
