"""The README's example queries, run on the corpus database; expectations computed from the records."""

from __future__ import annotations

import statistics
from collections import defaultdict
from pathlib import Path

import pytest

from pipeline.output.load import load_jsonl
from pipeline.output.queries import example_queries, parse_queries, run_query
from tests.output_helpers import database_url, read_records

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def records(corpus_jsonl):
    return read_records(corpus_jsonl)


@pytest.fixture(params=["sqlite", "duckdb", "parquet", "postgresql"])
def corpus_db(request, corpus_jsonl, tmp_path):
    url = database_url(request, request.param, tmp_path)
    load_jsonl([corpus_jsonl], url)
    return url


def drug_norms(record) -> set[str]:
    return {e["attrs"]["norm"] for e in record["entities"] if e["label"] == "DRUG" and e["attrs"].get("norm")}


def expected_median_survival(records) -> list[tuple]:
    groups = defaultdict(list)
    for r in records:
        if r["status"] != "ok":
            continue
        for entity in r["entities"]:
            a = entity["attrs"]
            if entity["label"] == "SURVIVAL" and a.get("measure") == "median" and a.get("unit") == "months":
                for drug in drug_norms(r):
                    groups[(drug, a["endpoint"])].append((r["id"], a["value"]))
    return sorted((drug, endpoint, statistics.median(v for _, v in figures), len(figures),
                   len({i for i, _ in figures}))
                  for (drug, endpoint), figures in groups.items() if len({i for i, _ in figures}) >= 3)


def expected_hazard_ratios(records, drug="oxaliplatin") -> list[tuple]:
    rows = []
    for r in records:
        if drug in drug_norms(r):
            for ordinal, e in enumerate(r["entities"]):
                if e["label"] == "HAZARD_RATIO":
                    a = e["attrs"]
                    ci = a.get("ci") or [None, None]
                    m = r["metadata"]
                    rows.append(((m["year"], r["id"], ordinal), (r["id"], m.get("pmid"), m["year"], a.get("endpoint"),
                                                                  a["value"], ci[0], ci[1], a.get("p"), e["section"])))
    return [row for _, row in sorted(rows)]


def expected_per_year(records, drug="capecitabine") -> list[tuple]:
    years = defaultdict(set)
    for r in records:
        if r["status"] == "ok" and r["metadata"].get("year") and drug in drug_norms(r):
            years[r["metadata"]["year"]].add(r["id"])
    return sorted((year, len(ids)) for year, ids in years.items())


def rounded(rows):
    return [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]


def test_output_database_queries_median_survival_by_drug(corpus_db, records):
    expected = expected_median_survival(records)
    assert len(expected) >= 5 and ("oxaliplatin", "OS", 35.2, 5, 3) in expected
    columns, rows = run_query(corpus_db, example_queries()["median_survival_by_drug"].sql)
    assert columns == ["drug", "endpoint", "median_months", "figures", "articles"]
    assert rounded(rows) == rounded(expected)


def test_output_database_queries_hazard_ratios_for_drug(corpus_db, records):
    expected = expected_hazard_ratios(records)
    assert len(expected) >= 8 and all(row[5] is not None for row in expected[:9])
    columns, rows = run_query(corpus_db, example_queries()["hazard_ratios_for_drug"].sql)
    assert columns == ["id", "pmid", "year", "endpoint", "hr", "ci_low", "ci_high", "p", "section"]
    assert rows == expected


def test_output_database_queries_abstracts_per_year_for_drug(corpus_db, records):
    expected = expected_per_year(records)
    assert sum(n for _, n in expected) >= 5 and max(n for _, n in expected) >= 2
    columns, rows = run_query(corpus_db, example_queries()["abstracts_per_year_for_drug"].sql)
    assert columns == ["year", "abstracts"]
    assert rows == expected


def test_output_database_queries_are_the_readme_ones():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    queries = example_queries()
    assert list(queries) == ["median_survival_by_drug", "hazard_ratios_for_drug", "abstracts_per_year_for_drug"]
    for query in queries.values():
        assert f"```sql\n{query.sql};\n```" in readme, query.name


def test_output_database_queries_file_parses_names_descriptions_and_sql():
    parsed = parse_queries("-- intro\n\n-- name: a\n-- First line\n-- second.\nSELECT 1;\n\n-- name: b\nSELECT 2\n")
    assert [(q.name, q.description, q.sql) for q in parsed.values()] == [
        ("a", "First line second.", "SELECT 1"), ("b", "", "SELECT 2")]
