"""The compiled drug lexicon's disk cache: hit, miss, invalidation, damage, unwritable folders."""

from __future__ import annotations

import io
import json
import os
import pickle
import threading
import time

import pytest

from pipeline.components import drug_cache
from pipeline.components.drug_cache import (
    cache_dir,
    cache_key,
    cache_path,
    compile_lexicon,
    compiled_lexicon,
    read_cache,
    write_cache,
)
from pipeline.components.drug_lexicon import (
    ADDITIONS_FILE,
    EXCLUSIONS_FILE,
    load_lexicon,
)
from pipeline.datafiles import DATA_DIR

ADDITIONS = str(DATA_DIR / ADDITIONS_FILE)
EXCLUSIONS = str(DATA_DIR / EXCLUSIONS_FILE)


@pytest.fixture()
def builds(monkeypatch):
    """Count lexicon builds; each build reuses the process's lexicon so the tests stay fast."""
    calls: list[tuple] = []

    def counting_build(*args):
        calls.append(args)
        return load_lexicon(*args)

    monkeypatch.setattr(drug_cache, "build_lexicon", counting_build)
    return calls


@pytest.fixture(scope="module")
def compiled():
    return compile_lexicon(load_lexicon(ADDITIONS, EXCLUSIONS, 6))


def test_miss_builds_and_writes_then_hit_reads(tmp_path, builds):
    first = compiled_lexicon(ADDITIONS, EXCLUSIONS, 6, folder=str(tmp_path))
    assert first.source == "built" and len(builds) == 1
    files = os.listdir(tmp_path)
    assert files == [cache_path(cache_key(ADDITIONS, EXCLUSIONS, 6), tmp_path).name]  # no temporary file left
    second = compiled_lexicon(ADDITIONS, EXCLUSIONS, 6, folder=str(tmp_path))
    assert second.source == "cache" and len(builds) == 1
    assert second == first  # same entries, indexes and rule word sets


def test_changed_data_file_is_a_miss(tmp_path, builds):
    data = json.loads((DATA_DIR / ADDITIONS_FILE).read_text(encoding="utf-8"))
    data["entries"].append({"names": ["zorblamab"], "norm": "zorblamab", "kind": "agent"})
    changed = tmp_path / "additions.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    folder = tmp_path / "cache"
    before = compiled_lexicon(ADDITIONS, EXCLUSIONS, 6, folder=str(folder))
    after = compiled_lexicon(str(changed), EXCLUSIONS, 6, folder=str(folder))
    assert (before.source, after.source) == ("built", "built") and len(builds) == 2
    assert len(os.listdir(folder)) == 2  # one file per key; the old one is left alone
    assert before.lookup("zorblamab") is None
    assert after.lookup("zorblamab").norm == "zorblamab"


@pytest.mark.parametrize("change", ["additions", "exclusions", "max_variant_tokens"])
def test_key_covers_every_input(tmp_path, change):
    paths = {"additions": ADDITIONS, "exclusions": EXCLUSIONS}
    tokens = 6
    if change == "max_variant_tokens":
        tokens = 5
    else:
        edited = tmp_path / f"{change}.json"
        edited.write_text((DATA_DIR / os.path.basename(paths[change])).read_text(encoding="utf-8") + "\n", encoding="utf-8")
        paths[change] = str(edited)
    assert cache_key(ADDITIONS, EXCLUSIONS, 6) == cache_key(ADDITIONS, EXCLUSIONS, 6)
    assert cache_key(paths["additions"], paths["exclusions"], tokens) != cache_key(ADDITIONS, EXCLUSIONS, 6)


def test_damaged_file_is_rebuilt(tmp_path, builds, compiled):
    key = cache_key(ADDITIONS, EXCLUSIONS, 6)
    path = cache_path(key, tmp_path)
    write_cache(path, compiled, key)
    path.write_bytes(path.read_bytes()[:1000])  # truncated, as by a full disk
    assert read_cache(path, key) is None
    again = compiled_lexicon(ADDITIONS, EXCLUSIONS, 6, folder=str(tmp_path))
    assert again.source == "built" and len(builds) == 1
    assert read_cache(path, key) == compiled


def test_file_for_another_key_is_not_used(tmp_path, compiled):
    path = tmp_path / "x.pickle"
    write_cache(path, compiled, "some-other-key")
    assert read_cache(path, cache_key(ADDITIONS, EXCLUSIONS, 6)) is None


def test_cache_never_loads_classes_or_functions(tmp_path):
    key = "k"
    path = tmp_path / "evil.pickle"
    path.write_bytes(pickle.dumps({"format": drug_cache.CACHE_FORMAT, "key": key, "entries": [os.getcwd], "x": io.BytesIO}))
    assert read_cache(path, key) is None


def test_unwritable_folder_builds_in_memory(tmp_path, builds):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    lexicon = compiled_lexicon(ADDITIONS, EXCLUSIONS, 6, folder=str(blocker / "cache"))
    assert lexicon.source == "memory" and len(builds) == 1
    assert lexicon.lookup("melphalan").norm == "melphalan"
    assert os.listdir(tmp_path) == ["a-file"]


def test_writers_and_readers_at_once_never_see_half_a_file(tmp_path, compiled):
    key = cache_key(ADDITIONS, EXCLUSIONS, 6)
    path = cache_path(key, tmp_path)
    seen: list[object] = []
    errors: list[BaseException] = []

    def write():
        try:
            assert write_cache(path, compiled, key)
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    def read():
        for _ in range(5):
            seen.append(read_cache(path, key) if path.exists() else "absent")

    threads = [threading.Thread(target=f) for f in (write, read, write, read, write)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(s == "absent" or s == compiled for s in seen)  # never None (a damaged read)
    assert sorted(os.listdir(tmp_path)) == [path.name]


@pytest.mark.parametrize(
    "env,expected",
    [
        ({"ABSTRACTS_CACHE_DIR": "/x/abstracts", "XDG_CACHE_HOME": "/y"}, "/x/abstracts"),
        ({"XDG_CACHE_HOME": "/y"}, "/y/abstracts-pipeline"),
        ({"HOME": "/home/u"}, "/home/u/.cache/abstracts-pipeline"),
    ],
    ids=["explicit", "xdg", "home"],
)
def test_cache_dir_precedence(monkeypatch, env, expected):
    for name in ("ABSTRACTS_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert str(cache_dir()) == expected


def test_old_files_of_other_keys_are_pruned_after_a_write(tmp_path, compiled):
    key = cache_key(ADDITIONS, EXCLUSIONS, 6)
    path = cache_path(key, tmp_path)
    old = cache_path("0" * 32, tmp_path)
    recent = cache_path("1" * 32, tmp_path)
    leftover = tmp_path / (old.name + ".x1y2.tmp")
    unrelated = tmp_path / "notes.txt"
    for p in (old, recent, leftover, unrelated):
        p.write_bytes(b"x")
    month_ago = time.time() - drug_cache.STALE_SECONDS - 60
    for p in (old, leftover, unrelated):
        os.utime(p, (month_ago, month_ago))
    assert write_cache(path, compiled, key)
    assert sorted(os.listdir(tmp_path)) == sorted([path.name, recent.name, unrelated.name])
