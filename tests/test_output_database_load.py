"""Loading records into SQLite, DuckDB and Parquet: content, idempotence, replacement, duplicates."""

from __future__ import annotations

import json

import pytest

from pipeline.output.load import load_jsonl
from pipeline.output.queries import run_query
from tests.output_helpers import (
    as_json,
    check_consistent,
    database_url,
    dump_tables,
    read_lines,
    read_records,
    write_records,
)

BACKENDS = ["sqlite", "duckdb", "parquet", "postgresql"]  # postgresql skips, saying why, when no server starts


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    return database_url(request, request.param, tmp_path)


def test_output_database_load_stores_every_record_whole(url, corpus_jsonl):
    summary = load_jsonl([corpus_jsonl], url)
    lines = read_lines(corpus_jsonl)
    assert summary.inserted == summary.records == len(lines) == 32
    assert check_consistent(url, lines) == 32


def _count(records: dict, label: str) -> int:
    return sum(e["label"] == label for r in records.values() for e in r["entities"])


def test_output_database_load_entities_and_typed_attributes_match_records(url, corpus_jsonl):
    load_jsonl([corpus_jsonl], url)
    records = {r["id"]: r for r in read_records(corpus_jsonl)}
    _, rows = run_query(url, "SELECT article_id, ordinal, label, text, start_char, end_char, section, attrs "
                             "FROM entities")
    assert len(rows) == sum(len(r["entities"]) for r in records.values()) > 600
    for article_id, ordinal, label, text, start, end, section, attrs in rows:
        entity = records[article_id]["entities"][ordinal]
        assert (label, text, start, end, section) == (entity["label"], entity["text"], entity["start"], entity["end"],
                                                      entity["section"])
        assert as_json(attrs) == entity["attrs"]
    _, survival = run_query(url, "SELECT article_id, ordinal, endpoint, measure, value, unit, ci_low, ci_high, p, "
                                 "horizon, group_text, scope, qualifier FROM survival")
    assert len(survival) == _count(records, "SURVIVAL") > 100
    for article_id, ordinal, *typed in survival:
        a = records[article_id]["entities"][ordinal]["attrs"]
        ci = a.get("ci") or [None, None]
        assert typed == [a.get("endpoint"), a.get("measure"), a.get("value"), a.get("unit"), ci[0], ci[1], a.get("p"),
                         a.get("horizon"), a.get("group"), a.get("scope"), a.get("qualifier")]
    _, hrs = run_query(url, "SELECT article_id, ordinal, value, ci_low, ci_high, p, endpoint FROM hazard_ratios")
    assert len(hrs) == _count(records, "HAZARD_RATIO") > 30
    for article_id, ordinal, *typed in hrs:
        a = records[article_id]["entities"][ordinal]["attrs"]
        ci = a.get("ci") or [None, None]
        assert typed == [a["value"], ci[0], ci[1], a.get("p"), a.get("endpoint")]
    _, doses = run_query(url, "SELECT article_id, ordinal, value, low, high, value_list, unit, drug, drug_norm FROM doses")
    for article_id, ordinal, value, low, high, value_list, unit, drug, drug_norm in doses:
        entities = records[article_id]["entities"]
        a = entities[ordinal]["attrs"]
        assert (value, low, high, unit, drug) == (a.get("value"), a.get("low"), a.get("high"), a.get("unit"), a.get("drug"))
        assert as_json(value_list) == a.get("values")
        named = [e["attrs"].get("norm") for e in entities if e["label"] == "DRUG" and e["text"] == drug]
        assert drug_norm == (named[0] if named else None)


def test_output_database_load_article_columns_match_metadata(url, corpus_jsonl):
    load_jsonl([corpus_jsonl], url)
    records = {r["id"]: r for r in read_records(corpus_jsonl)}
    _, rows = run_query(url, "SELECT id, pmid, doi, title, journal, year, status, source_path, source_sha256, "
                             "schema_version, abstract_start FROM articles")
    for article_id, pmid, doi, title, journal, year, status, path, sha, version, start in rows:
        r = records[article_id]
        m = r["metadata"]
        assert (pmid, doi, title, journal, year) == (m.get("pmid"), m.get("doi"), m.get("title"), m.get("journal"),
                                                     m.get("year"))
        assert (status, path, sha, version) == (r["status"], r["source"]["path"], r["source"]["sha256"],
                                                r["schema_version"])
        assert start == (r.get("abstract") or {}).get("start")
    _, authors = run_query(url, "SELECT article_id, ordinal, name FROM authors")
    assert sorted(authors) == sorted((i, n, a) for i, r in records.items()
                                     for n, a in enumerate(r["metadata"].get("authors", [])))


def test_output_database_load_twice_changes_nothing(url, corpus_jsonl):
    load_jsonl([corpus_jsonl], url)
    before = dump_tables(url, skip_columns=())
    again = load_jsonl([corpus_jsonl], url)
    assert (again.inserted, again.replaced, again.unchanged) == (0, 0, 32)
    assert dump_tables(url, skip_columns=()) == before
    _, runs = run_query(url, "SELECT run_id, status, records, inserted, unchanged FROM runs ORDER BY run_id")
    assert runs == [(1, "complete", 32, 32, 0), (2, "complete", 32, 0, 32)]


@pytest.mark.parametrize("change", ["sha256", "schema_version", "entities"])
def test_output_database_load_changed_article_replaces_its_rows(url, corpus_jsonl, tmp_path, change):
    records = read_records(corpus_jsonl)
    load_jsonl([corpus_jsonl], url)
    target = next(r for r in records if len(r["entities"]) > 10)
    before = dump_tables(url)
    if change == "sha256":
        target["source"]["sha256"] = "0" * 64
    elif change == "schema_version":
        target["schema_version"] = "1.1"
    del target["entities"][3:]
    del target["sections"][1:]
    summary = load_jsonl([write_records(tmp_path / "changed.jsonl", records)], url)
    assert (summary.replaced, summary.unchanged) == (1, 31)
    after = dump_tables(url)
    for table, rows in after.items():
        keep = [r for r in before[table] if r[0] != target["id"]]
        assert [r for r in rows if r[0] != target["id"]] == keep, table  # other articles untouched
    _, ents = run_query(url, "SELECT COUNT(*) FROM entities WHERE article_id = '%s'" % target["id"].replace("'", "''"))
    assert ents == [(3,)]
    assert check_consistent(url, read_lines(tmp_path / "changed.jsonl")) == 32


def _dup(record, path, status="ok", sha="a"):
    copy = json.loads(json.dumps(record))
    copy["source"].update(path=path, sha256=sha * 64)
    copy["status"] = status
    if status != "ok":
        copy["entities"], copy["sections"], copy["abstract"] = [], [], None
    return copy


def test_output_database_load_duplicates_follow_the_rule_whatever_the_order(corpus_jsonl, tmp_path):
    base = next(r for r in read_records(corpus_jsonl) if r["metadata"].get("pmid"))
    files = {
        "baseline": write_records(tmp_path / "baseline.jsonl", [_dup(base, "pubmed25n0001.xml")]),
        "update": write_records(tmp_path / "update.jsonl", [_dup(base, "pubmed25n1300.xml", sha="b")]),
        "paywall": write_records(tmp_path / "paywall.jsonl", [_dup(base, "zz_paywall.txt", status="no_abstract")]),
        "broken": write_records(tmp_path / "broken.jsonl", [_dup(base, "zzz.txt", status="error")]),
    }
    results = []
    for n, order in enumerate([["baseline", "update", "paywall", "broken"], ["broken", "paywall", "update", "baseline"],
                               ["paywall", "baseline", "broken", "update"]]):
        url = f"sqlite:///{tmp_path}/dup{n}.db"
        for name in order:
            load_jsonl([files[name]], url)
        results.append(dump_tables(url))
        _, rows = run_query(url, "SELECT source_path, status FROM articles")
        assert rows == [("pubmed25n1300.xml", "ok")]  # ok beats no_abstract and error; the later file wins
    assert results[0] == results[1] == results[2]


def test_output_database_load_duplicates_inside_one_batch(corpus_jsonl, tmp_path):
    base = next(r for r in read_records(corpus_jsonl) if r["metadata"].get("pmid"))
    path = write_records(tmp_path / "both.jsonl", [_dup(base, "b.xml", sha="b"), _dup(base, "a.xml")])
    summary = load_jsonl([path], f"sqlite:///{tmp_path}/x.db")
    assert (summary.inserted, summary.duplicates_skipped) == (1, 1)
    _, rows = run_query(f"sqlite:///{tmp_path}/x.db", "SELECT source_path FROM articles")
    assert rows == [("b.xml",)]
    assert check_consistent(f"sqlite:///{tmp_path}/x.db", read_lines(path)) == 1


def test_output_database_load_bad_line_keeps_committed_batches_and_fails_the_run(url, corpus_jsonl, tmp_path):
    lines = read_lines(corpus_jsonl)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines[:20] + ['{"id": "x", "status": "ok"}'] + lines[20:]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:21: not a valid record: source"):
        load_jsonl([bad], url, batch_size=10)
    assert check_consistent(url, lines) == 20
    _, runs = run_query(url, "SELECT status, records, finished_at IS NOT NULL, message FROM runs")
    assert runs[0][:3] == ("failed", 20, True) and "bad.jsonl:21" in runs[0][3]
    assert load_jsonl([corpus_jsonl], url).inserted == 12


def test_output_database_load_refuses_a_database_of_another_schema(tmp_path, corpus_jsonl):
    url = f"sqlite:///{tmp_path}/old.db"
    load_jsonl([corpus_jsonl], url)
    import sqlite3

    with sqlite3.connect(tmp_path / "old.db") as conn:
        conn.execute("UPDATE runs SET db_schema = 'abstracts-db/0'")
    from pipeline.output.backend import DatabaseError

    with pytest.raises(DatabaseError, match="abstracts-db/0"):
        load_jsonl([corpus_jsonl], url)
