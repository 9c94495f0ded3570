"""Discovery on awkward file systems: names that are not UTF-8, folders that cannot be listed,
symbolic link loops and the same file named twice. Every input gets exactly one record
and the batch goes on."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.readers.discover import InputName, iter_input_files
from pipeline.readers.ingest import read_articles

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "formats"
PAGE = (
    "A trial of something useful in patients.\n\nAbstract\n\nWe treated forty patients with metastatic colorectal "
    "cancer with oxaliplatin 85 mg/m2 every two weeks and followed them for five years in two centres.\n\n"
    "Median overall survival was 21.4 months and the 3-year survival rate was 30% in the whole cohort.\n"
)
NOT_UTF8 = os.fsdecode(b"caf\xe9 na\xefve.txt")  # latin-1 bytes: not valid UTF-8


def _read(paths):
    return [(str(d), a) for p, d in iter_input_files(paths) for a in read_articles(p, d)]


def _extract_cli(*args: str, out: Path) -> list[dict]:
    """The real command line, in process; returns the JSONL records (each line must parse)."""
    from pipeline.cli import main

    result = CliRunner().invoke(main, ["extract", *args, "-o", str(out), "--no-progress"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8")  # strict: the output is valid UTF-8
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture(scope="module")
def cli_folder(tmp_path_factory):
    """One folder with a name that is not UTF-8 between ordinary files, run through the CLI."""
    folder = tmp_path_factory.mktemp("names")
    (folder / "a_first.txt").write_text(PAGE)
    (folder / NOT_UTF8).write_text(PAGE)
    (folder / "z_last.xml").write_bytes((FIXTURES / "pubmed_set.xml").read_bytes())
    records = _extract_cli(str(folder), out=folder.parent / "names.jsonl")
    return folder, records


def test_ingest_not_utf8_name_gets_a_record_and_the_batch_goes_on(cli_folder):
    folder, records = cli_folder
    paths = [r["source"]["path"] for r in records]
    expected_name = str(folder / "caf\\xe9 na\\xefve.txt")
    assert paths == [str(folder / "a_first.txt"), expected_name] + [str(folder / "z_last.xml")] * 5
    odd = records[1]
    assert odd["status"] == "ok"  # the file itself was read
    assert odd["id"] == f"{expected_name}#0"
    assert any("not valid UTF-8" in w and "\\xNN" in w for w in odd["warnings"])
    assert not any("not valid UTF-8" in w for w in records[0]["warnings"])
    assert odd["abstract"]["text"] == records[0]["abstract"]["text"]


def test_ingest_not_utf8_name_given_as_an_argument(tmp_path):
    path = tmp_path / NOT_UTF8
    path.write_text(PAGE)
    ((display, article),) = _read([path])
    assert display.endswith("caf\\xe9 na\\xefve.txt") and article.path == display
    assert article.status == "ok"
    display.encode("utf-8")  # no surrogates left
    assert article.warnings[0].startswith("the file name is not valid UTF-8")


def test_ingest_not_utf8_name_passed_straight_to_read_articles(tmp_path):
    """A caller that hands read_articles the raw name gets the same escaping and warning."""
    path = tmp_path / NOT_UTF8
    path.write_text(PAGE)
    (article,) = read_articles(path, str(path))
    assert article.path == str(tmp_path / "caf\\xe9 na\\xefve.txt")
    assert "not valid UTF-8" in article.warnings[0]


# --------------------------------------------------------------------------- unreadable folders


def _deny_listing(monkeypatch, denied: Path) -> None:
    """As root, chmod 000 does not stop listing: make os.scandir refuse `denied` instead."""
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(os.fsdecode(path)).resolve() == denied.resolve():
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def _tree_with_locked_folder(root: Path) -> Path:
    (root / "a.txt").write_text(PAGE)
    locked = root / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(PAGE)
    (root / "z.txt").write_text(PAGE)
    return locked


def test_ingest_unreadable_folder_gets_one_error_record(tmp_path, monkeypatch):
    locked = _tree_with_locked_folder(tmp_path)
    _deny_listing(monkeypatch, locked)
    got = [(Path(d).name, a.status, a.error and a.error["type"]) for d, a in _read([tmp_path])]
    assert got == [("a.txt", "ok", None), ("locked", "error", "UnreadableFolder"), ("z.txt", "ok", None)]
    message = _read([tmp_path])[1][1].error["message"]
    assert "cannot list the folder" in message and "Permission denied" in message


def test_ingest_unreadable_folder_given_as_the_argument(tmp_path, monkeypatch):
    locked = _tree_with_locked_folder(tmp_path)
    _deny_listing(monkeypatch, locked)
    ((display, article),) = _read([locked])
    assert display == str(locked) and article.error["type"] == "UnreadableFolder"


def _run_as_nobody(task):
    """Run `task()` in a forked child that dropped root for the `nobody` user; its JSON result."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        status = 1
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os.write(write_end, json.dumps(task()).encode("utf-8"))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert status == 0, "the reader failed as nobody"
    return json.loads(data)


def test_ingest_unreadable_folder_for_real(tmp_path):
    """chmod 000 as an ordinary user; as root (permissions do not bite) in a child as `nobody`."""
    base = Path(tempfile.mkdtemp(prefix="readers-perm-"))
    try:
        base.chmod(0o755)
        locked = _tree_with_locked_folder(base)
        for f in base.rglob("*.txt"):
            f.chmod(0o644)

        def task():
            return [[d, a.status, a.error and a.error["type"]] for d, a in _read([base])]

        task()  # imports everything the reader needs while it can still read the interpreter's files
        locked.chmod(0)
        if os.geteuid() != 0:
            got = task()
        elif hasattr(os, "fork"):
            got = _run_as_nobody(task)
        else:
            pytest.skip("running as root without fork")
        assert got == [[str(base / "a.txt"), "ok", None], [str(locked), "error", "UnreadableFolder"],
                       [str(base / "z.txt"), "ok", None]]
    finally:
        (base / "locked").chmod(0o755)
        shutil.rmtree(base)


# --------------------------------------------------------------------------- symbolic links


def test_ingest_symlink_loops_are_reported_as_loops(tmp_path):
    (tmp_path / "a.txt").symlink_to("b.txt")
    (tmp_path / "b.txt").symlink_to("a.txt")
    (tmp_path / "self.xml").symlink_to("self.xml")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")  # a folder loop: walking it would never end
    (tmp_path / "sub" / "page.txt").write_text(PAGE)
    (tmp_path / "dangling.txt").symlink_to("gone.txt")
    got = {Path(d).relative_to(tmp_path).as_posix(): a for d, a in _read([tmp_path])}
    assert sorted(got) == ["a.txt", "b.txt", "dangling.txt", "self.xml", "sub/page.txt", "sub/up"]
    for name in ("a.txt", "b.txt", "self.xml", "sub/up"):
        assert got[name].error["type"] == "SymlinkLoop", name
        assert "symbolic link loop" in got[name].error["message"]
    assert "leads back to" in got["sub/up"].error["message"]
    assert got["dangling.txt"].error["type"] == "FileNotFound"
    assert "broken symbolic link" in got["dangling.txt"].error["message"]
    assert got["sub/page.txt"].status == "ok"


def test_ingest_symlink_loop_given_as_an_argument(tmp_path):
    (tmp_path / "loop.txt").symlink_to("loop.txt")
    ((_, article),) = _read([tmp_path / "loop.txt"])
    assert article.error["type"] == "SymlinkLoop"


def test_ingest_symlinked_folder_is_followed_once(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "page.txt").write_text(PAGE)
    top = tmp_path / "top"
    top.mkdir()
    (top / "link1").symlink_to(real)
    (top / "link2").symlink_to(real)
    got = [(Path(d).relative_to(tmp_path).as_posix(), a.status) for d, a in _read([top])]
    assert got == [("top/link1/page.txt", "ok")]


# --------------------------------------------------------------------------- duplicates


def test_ingest_same_file_twice_is_read_once_with_a_warning(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    other = tmp_path / "other.txt"
    other.write_text(PAGE)
    spelled = tmp_path / "." / "page.txt"
    got = _read([page, other, spelled, tmp_path])
    assert [Path(d).name for d, _ in got] == ["page.txt", "other.txt"]
    first = got[0][1]
    assert f"the same file was also named as {str(spelled)!r} (argument 3); read once" in first.warnings
    assert any("(found in folder argument 4" in w for w in first.warnings)
    assert any("(found in folder argument 4" in w for w in got[1][1].warnings)


def test_ingest_duplicate_inside_a_folder_warns_on_the_folder_copy(tmp_path):
    (tmp_path / "d").mkdir()
    page = tmp_path / "d" / "page.txt"
    page.write_text(PAGE)
    got = _read([tmp_path / "d", page])
    assert len(got) == 1
    assert got[0][1].warnings == [f"the same file was also named as {str(page)!r} (argument 2); read once"]


def test_ingest_input_name_survives_pickling():
    import pickle

    name = InputName("x.txt", ["w"], ("SymlinkLoop", "m"), "/r/x.txt")
    back = pickle.loads(pickle.dumps(name))
    assert (str(back), back.warnings, back.error, back.real) == ("x.txt", ("w",), ("SymlinkLoop", "m"), "/r/x.txt")
