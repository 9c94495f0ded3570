"""The schema as data (schema.json) and the record -> rows flattening."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pipeline.output.rows import parse_mesh_term, preference, record_rows
from pipeline.output.schema import (
    SchemaError,
    create_statements,
    load_schema,
    markdown_tables,
    mermaid_diagram,
    parse_schema,
)
from tests.output_helpers import read_records

REPO = Path(__file__).resolve().parents[1]


def test_output_database_schema_creates_every_table_and_index_in_sqlite():
    conn = sqlite3.connect(":memory:")
    for statement in create_statements("sqlite"):
        conn.execute(statement)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_%'")}
    assert tables == {t.name for t in load_schema().tables}
    assert {"ix_articles_pmid", "ix_articles_doi", "ix_entities_label", "ix_drugs_norm", "ix_doses_drug_norm",
            "ix_survival_endpoint", "ix_hazard_ratios_endpoint"} <= indexes


@pytest.mark.parametrize("change, message", [
    (lambda d: d["tables"][0].update(extra=1), "unknown keys"),
    (lambda d: d["tables"][0]["columns"][0].update(type="uuid"), "unknown type"),
    (lambda d: d["tables"][0].update(indexes=[["nope"]]), "names a column"),
    (lambda d: d["tables"][1].update(parent="later"), "must be defined before"),
], ids=["unknown-key", "unknown-type", "bad-index", "parent-order"])
def test_output_database_schema_rejects_bad_definitions(change, message):
    data = json.loads((REPO / "pipeline" / "output" / "schema.json").read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(SchemaError, match=message):
        parse_schema(data)


def test_output_database_schema_typed_columns_cover_every_attribute_the_taggers_emit(corpus_jsonl):
    schema = load_schema()
    seen = {(e["label"], k) for r in read_records(corpus_jsonl) for e in r["entities"] for k in e["attrs"]}
    covered = {(label, c.attr) for label, t in schema.label_tables.items() for c in t.columns if c.attr}
    assert len(seen) >= 20 and seen <= covered, seen - covered
    # and the guideline names with no example in the corpus
    guideline_only = {("DOSE", "values"), ("SURVIVAL", "range"), ("SURVIVAL", "iqr"), ("SURVIVAL", "se"),
                      ("DRUG", "mesh_id")}
    assert guideline_only <= covered


def test_output_database_schema_diagram_and_tables_are_in_the_docs():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    docs = (REPO / "docs" / "databases.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{mermaid_diagram()}\n```" in docs
    assert markdown_tables() in docs
    assert f"```mermaid\n{mermaid_diagram(brief=True)}\n```" in readme
    for table in load_schema().tables:
        assert f"`{table.name}`" in readme, table.name


def test_output_database_rows_keep_unknown_attributes_and_leave_bad_shapes_untyped():
    record = {
        "id": "1", "schema_version": "1.0", "status": "ok",
        "source": {"path": "p.txt", "sha256": "0" * 64, "format": "text", "index": 0},
        "metadata": {"title": "T", "year": 2020, "mesh_terms": ["Neoplasms/drug therapy*", "Humans"], "funding": "X"},
        "abstract": {"text": "RESULTS: OS was 12 months.", "start": 10, "end": 36},
        "sections": [{"label": "RESULTS", "heading": "RESULTS", "start": 19, "end": 36, "source": "heading"}],
        "entities": [
            {"label": "DRUG", "start": 0, "end": 4, "text": "Drug", "section": "TITLE", "attrs": {"norm": "drug"}},
            {"label": "SURVIVAL", "start": 26, "end": 35, "text": "12 months", "section": "RESULTS",
             "attrs": {"endpoint": "OS", "value": 12, "unit": "months", "ci": [1, 2, 3], "novel": {"x": 1}}},
            {"label": "DOSE", "start": 5, "end": 9, "text": "5 mg", "section": "TITLE",
             "attrs": {"values": [5, 10], "unit": "mg", "drug": "DRUG"}},
        ],
    }
    rows = record_rows(record, "sha", 7)
    article = dict(zip(load_schema().table("articles").names, rows["articles"][0]))
    assert article["metadata_extra"] == '{"funding": "X"}' and article["run_id"] == 7 and article["year"] == 2020
    assert rows["sections"] == [("1", 0, "RESULTS", "RESULTS", 19, 36, "heading", "OS was 12 months.")]
    survival = dict(zip(load_schema().table("survival").names, rows["survival"][0]))
    assert survival["value"] == 12.0 and survival["ci_low"] is None and survival["ci_high"] is None
    assert json.loads(rows["entities"][1][-1])["novel"] == {"x": 1}  # kept in attrs
    dose = dict(zip(load_schema().table("doses").names, rows["doses"][0]))
    assert dose["value_list"] == "[5, 10]" and dose["drug_norm"] == "drug"  # case-insensitive link to the DRUG
    assert rows["mesh_terms"][0][2:6] == ("Neoplasms/drug therapy*", "Neoplasms", True, '["drug therapy"]')


def test_output_database_rows_duplicate_rule_order():
    assert preference("ok", "a", 0) > preference("no_abstract", "z", 9) > preference("error", "z", 9)
    assert preference("deleted", "pubmed25n1300.xml", 0) > preference("ok", "pubmed25n0001.xml", 5)
    assert preference("ok", "f.xml", 2) > preference("ok", "f.xml", 1)


@pytest.mark.parametrize("term, descriptor, qualifiers, major", [
    ("Humans", "Humans", [], False),
    ("Liver Neoplasms / secondary", "Liver Neoplasms", ["secondary"], False),
    ("Intestinal Neoplasms / radiotherapy*", "Intestinal Neoplasms", ["radiotherapy"], True),
    ("Antineoplastic Agents*", "Antineoplastic Agents", [], True),
])
def test_output_database_rows_mesh_terms_shown_as_text(term, descriptor, qualifiers, major):
    assert parse_mesh_term(term) == {"descriptor": descriptor, "qualifiers": qualifiers, "major": major, "ui": None}
