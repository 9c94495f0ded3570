"""The committed gold set passes the validator (built gold/*.jsonl and final authoring files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluation.gold import (
    check_gold,
    doc_source_path,
    load_gold_file,
    load_source_text,
    resolve_authoring,
)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
GOLD_FILES = sorted((REPO / "gold").glob("*.jsonl"))
FINAL_AUTHORING = sorted((REPO / "gold" / "authoring" / "final").glob("*.json"))


@pytest.fixture(autouse=True)
def _needs_shared():
    if not SHARED.is_dir():
        pytest.skip("../shared is not available")


@pytest.mark.parametrize("path", GOLD_FILES, ids=[p.name for p in GOLD_FILES])
def test_gold_file_is_valid(path):
    assert check_gold(load_gold_file(path), shared=SHARED) == []


@pytest.mark.parametrize("path", FINAL_AUTHORING, ids=[p.stem for p in FINAL_AUTHORING])
def test_gold_final_authoring_is_valid(path):
    authoring = json.loads(path.read_text(encoding="utf-8"))
    record = resolve_authoring(authoring, load_source_text(authoring["doc"], SHARED))
    record["source"] = {"path": doc_source_path(authoring["doc"], SHARED)}
    assert check_gold([record], shared=SHARED) == []
