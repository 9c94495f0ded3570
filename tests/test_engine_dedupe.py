"""The same PMID in two files: a warning on the later record by default, or --dedupe drops it."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.batch.dedupe import DuplicateTracker
from pipeline.batch.summary import RecordInfo
from pipeline.cli import main
from pipeline.extract import extract

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"


@pytest.fixture()
def two_copies(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(FIXTURES / "pubmed_set.xml", folder / "a.xml")
    shutil.copy(FIXTURES / "pubmed_set.xml", folder / "b.xml")
    return folder


def _run(folder, nlp, **options):
    out = io.StringIO()
    summary = extract([folder], out, nlp=nlp, progress=False, **options)
    return [json.loads(line) for line in out.getvalue().splitlines()], summary


def test_engine_dedupe_default_warns_on_the_later_record_and_keeps_both(two_copies, nlp):
    records, summary = _run(two_copies, nlp)
    articles = [r for r in records if r["status"] != "deleted"]
    assert [r["id"] for r in articles] == ["90000001", "90000002", "90000003"] * 2
    first, later = articles[0], articles[3]
    assert first["id"] == later["id"] == "90000001"
    assert not any("duplicate" in w for w in first["warnings"])
    assert any(w.startswith("duplicate id 90000001") and "a.xml#0" in w for w in later["warnings"])
    assert len(summary.duplicates) == 3
    assert any(line.startswith("duplicates: 3 records repeat the id") for line in summary.lines())


@pytest.mark.parametrize("mode", ["pmid", "doi"])
def test_engine_dedupe_keeps_the_first_and_drops_later_ones(two_copies, nlp, mode):
    records, summary = _run(two_copies, nlp, dedupe=mode)
    articles = [r for r in records if r["status"] != "deleted"]
    keyed = [r for r in articles if r["metadata"].get(mode)]
    assert keyed and len({r["metadata"][mode].lower() for r in keyed}) == len(keyed)
    assert {Path(r["source"]["path"]).name for r in keyed} == {"a.xml"}
    assert len(summary.dropped) == len(keyed) and summary.records == len(records)
    assert any(line.startswith(f"duplicates: {len(summary.dropped)} records dropped (--dedupe {mode}")
               for line in summary.lines())


def test_engine_dedupe_none_checks_nothing(two_copies, nlp):
    records, summary = _run(two_copies, nlp, dedupe="none")
    assert not summary.duplicates and not summary.dropped
    assert not any("duplicate" in w for r in records for w in r["warnings"])


def test_engine_dedupe_cli_option(two_copies, nlp, monkeypatch, tmp_path):
    import pipeline.nlp

    monkeypatch.setattr(pipeline.nlp, "build_nlp", lambda section_model=True: nlp)
    out = tmp_path / "r.jsonl"
    result = CliRunner().invoke(main, ["extract", str(two_copies), "-o", str(out), "--dedupe", "pmid"])
    assert result.exit_code == 0, result.output
    assert "records dropped (--dedupe pmid" in result.output


def _info(path, index, id_, pmid=None, doi=None, status="ok"):
    return RecordInfo((path, "sha", index), "pubmed-xml", status, id_, pmid, doi, (), 0, None)


@pytest.mark.parametrize(
    "mode, second, keep, warned",
    [
        pytest.param("warn", _info("b", 0, "1", pmid="1"), True, True, id="warn-same-pmid"),
        pytest.param("pmid", _info("b", 0, "1", pmid="1"), False, False, id="pmid-drops"),
        pytest.param("doi", _info("b", 0, "10.1/X", doi="10.1/X"), False, False, id="doi-case-insensitive"),
        pytest.param("pmid", _info("b", 0, "a#0"), True, True, id="pmid-mode-still-warns-on-same-id"),
        pytest.param("warn", _info("b", 0, "1", pmid="1", status="deleted"), True, False, id="deleted-not-checked"),
        pytest.param("none", _info("b", 0, "1", pmid="1"), True, False, id="none"),
    ],
)
def test_engine_dedupe_tracker(mode, second, keep, warned):
    tracker = DuplicateTracker(mode)
    first = _info("a", 0, "a#0") if second.id == "a#0" else _info("a", 0, second.id, pmid=second.pmid,
                                                                    doi=(second.doi or "").lower() or None)
    assert tracker.check(first) == (True, None, None)
    got_keep, warning, _ = tracker.check(second)
    assert got_keep == keep and bool(warning) == warned
