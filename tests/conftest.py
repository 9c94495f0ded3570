"""Shared fixtures: where ../shared is, the seed pages, one pipeline per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a clean skip when the shared folder is not beside the repo."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is not beside the checkout)")
    return path


def corpus_lines() -> list[str]:
    """Every distinct non-blank line (stripped) of the bundled corpus pages, sorted."""
    lines = set()
    for path in sorted((REPO / "corpus").rglob("*")):
        if path.is_file() and path.suffix in {".html", ".htm", ".txt"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            lines.update(line.strip() for line in text.splitlines() if line.strip())
    return sorted(lines)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return shared_path("seeds")


@pytest.fixture(scope="session")
def nlp():
    from pipeline.nlp import build_nlp

    return build_nlp()


def assert_spans(got: list[tuple[str, dict]], expected: list[tuple[str, dict]]) -> None:
    """Table-test check for taggers: the same span texts in order, and for each span every
    expected attribute equal (an expected `None` means the attribute must be absent)."""
    assert [g[0] for g in got] == [e[0] for e in expected], got
    for (span, attrs), (_, want) in zip(got, expected):
        for key, value in want.items():
            if value is None:
                assert key not in attrs, (span, key, attrs)
            else:
                assert attrs.get(key) == value, (span, key, attrs)


def table_params(rows, misses: dict[str, str]) -> list:
    """`(id, *values)` rows as pytest params; ids in `misses` are strict xfails with the reason."""
    out = []
    for row in rows:
        marks = [pytest.mark.xfail(strict=True, reason=misses[row[0]])] if row[0] in misses else []
        out.append(pytest.param(*row[1:], id=row[0], marks=marks))
    return out


@pytest.fixture(scope="session")
def corpus_records(nlp) -> list[dict]:
    """The pipeline's records for the bundled corpus/ (source paths relative to the repo)."""
    import io
    import json
    import os

    from pipeline.extract import extract

    out = io.StringIO()
    here = os.getcwd()
    os.chdir(REPO)  # relative input paths, as `make run` gives them
    try:
        extract(["corpus"], out, nlp=nlp, progress=False)
    finally:
        os.chdir(here)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium (tests/headless.py); the test is skipped, with the reason, when it cannot start."""
    from headless import BrowserError, Chromium

    try:
        browser = Chromium.start()
    except (BrowserError, OSError) as exc:
        pytest.skip(f"headless Chromium cannot start: {exc} (install Debian's chromium: bash .ci/chromium.sh)")
    yield browser
    browser.close()

# --------------------------------------------------------------------------- databases (pipeline/output)

@pytest.fixture(scope="session")
def corpus_jsonl(corpus_records, tmp_path_factory) -> Path:
    """The corpus records as a JSONL file, line for line what `make run` writes to out/records.jsonl."""
    import json

    out = tmp_path_factory.mktemp("corpus") / "records.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in corpus_records), encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server: $ABSTRACTS_TEST_PG_URL (started by .ci/run), else a throwaway one
    started here with .ci/postgres.sh (no install); skips with the reason when neither works."""
    import os
    import subprocess

    if os.environ.get("ABSTRACTS_TEST_PG_URL"):
        yield os.environ["ABSTRACTS_TEST_PG_URL"]
        return
    if os.environ.get("ABSTRACTS_TEST_PG_SKIP"):
        pytest.skip(f"PostgreSQL server could not be started by .ci/run: {os.environ['ABSTRACTS_TEST_PG_SKIP']}")
    script = REPO / ".ci" / "postgres.sh"
    start = subprocess.run(
        ["bash", "-c", f'ABSTRACTS_PG_NO_INSTALL=1; source "{script}"; abstracts_pg_start && '
                       'echo "$ABSTRACTS_TEST_PG_URL $ABSTRACTS_PG_DIR $ABSTRACTS_PG_BINDIR"'],
        capture_output=True, text=True, timeout=180)
    if start.returncode != 0:
        reason = (start.stderr.strip().splitlines() or ["unknown error"])[-1]
        pytest.skip(f"no PostgreSQL server for the tests ({reason})")
    url, folder, bindir = start.stdout.split()
    yield url
    subprocess.run(["bash", "-c", f'source "{script}"; ABSTRACTS_PG_DIR="{folder}" ABSTRACTS_PG_BINDIR="{bindir}" '
                                  "abstracts_pg_stop"], capture_output=True, timeout=120)
