"""The output never destroys an input, is never read back as input, and is never half-written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
PAGE = CORPUS / "pubmed_legacy" / "hai_fudr_folfox_crlm.txt"


@pytest.fixture()
def cli_nlp(nlp, monkeypatch):
    import pipeline.nlp

    monkeypatch.setattr(pipeline.nlp, "build_nlp", lambda section_model=True: nlp)
    return nlp


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_extract_refuses_an_output_that_is_an_input(tmp_path, cli_nlp):
    page = tmp_path / "in.txt"
    shutil.copy(PAGE, page)
    before = _tree(tmp_path)
    result = CliRunner().invoke(main, ["extract", str(page), "-o", str(page)])
    assert result.exit_code != 0
    assert "is also an input" in result.output
    assert _tree(tmp_path) == before  # not truncated, no .part left


def test_extract_refuses_an_output_that_is_an_input_by_another_name(tmp_path, cli_nlp):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(PAGE, folder / "page.txt")
    (tmp_path / "link.txt").symlink_to(folder / "page.txt")
    before = _tree(folder)
    result = CliRunner().invoke(main, ["extract", str(folder / "page.txt"), "-o", str(tmp_path / "link.txt")])
    assert result.exit_code != 0 and "is also an input" in result.output
    assert _tree(folder) == before


@pytest.mark.parametrize("inside", ["records.jsonl", "sub/deeper/records.jsonl"])
def test_extract_refuses_an_output_inside_an_input_folder(tmp_path, cli_nlp, inside):
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(PAGE, folder / "page.txt")
    (folder / "sub").mkdir()
    before = _tree(folder)
    result = CliRunner().invoke(main, ["extract", str(folder), "-o", str(folder / inside)])
    assert result.exit_code != 0
    assert "inside the input folder" in result.output
    assert _tree(folder) == before and not (folder / "sub" / "deeper").exists()


def test_extract_writes_through_a_part_file_and_renames_it(tmp_path, cli_nlp):
    out = tmp_path / "out" / "records.jsonl"
    result = CliRunner().invoke(main, ["extract", str(PAGE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.parent.iterdir()] == ["records.jsonl"]
    assert json.loads(out.read_text(encoding="utf-8"))["status"] == "ok"


def test_extract_failure_keeps_the_previous_output(tmp_path, cli_nlp, monkeypatch):
    import pipeline.extract

    out = tmp_path / "records.jsonl"
    out.write_text("previous\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline.extract, "extract", broken)
    result = CliRunner().invoke(main, ["extract", str(PAGE), "-o", str(out)])
    assert result.exit_code != 0 and "No space left" in result.output
    assert out.read_text(encoding="utf-8") == "previous\n"


def test_extract_to_a_device_writes_directly(cli_nlp):
    result = CliRunner().invoke(main, ["extract", str(PAGE), "-o", "/dev/null"])
    assert result.exit_code == 0, result.output
    assert not Path("/dev/null.part").exists()


def test_extract_refuses_a_second_run_on_the_same_output(tmp_path):
    from pipeline.batch.writer import OutputPathError, PartFile

    out = tmp_path / "records.jsonl"
    first = PartFile(out, keep=False)
    try:
        with pytest.raises(OutputPathError, match="another run"):
            PartFile(out, keep=False)
    finally:
        first.close()
