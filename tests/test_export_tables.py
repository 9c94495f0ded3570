"""`abstracts export`: records JSONL to CSV tables that join on the record id."""

from __future__ import annotations

import csv
import json

from click.testing import CliRunner

from pipeline.cli import main

RECORDS = [
    {"schema_version": "1.0", "id": "15580557", "status": "ok",
     "source": {"path": "a.txt", "sha256": "x", "format": "text", "index": 0},
     "metadata": {"title": "T", "journal": "Surgery", "year": 2004, "mesh_terms": ["Humans", "Liver Neoplasms"]},
     "abstract": {"text": "...", "start": 10, "end": 90},
     "sections": [{"label": "RESULTS", "heading": None, "start": 10, "end": 90, "source": "paragraph"}],
     "entities": [
         {"label": "SURVIVAL", "start": 40, "end": 49, "text": "48 months", "section": "RESULTS",
          "attrs": {"endpoint": "OS", "measure": "median", "value": 48, "unit": "months", "ci": [30, 60]}},
         {"label": "DRUG", "start": 20, "end": 29, "text": "melphalan", "section": "RESULTS", "attrs": {"norm": "melphalan"}},
     ],
     "warnings": []},
    {"schema_version": "1.0", "id": "b.txt#0", "status": "error",
     "source": {"path": "b.txt", "sha256": "", "format": "unknown", "index": 0},
     "error": {"type": "BinaryInput", "message": "the file is binary"}, "metadata": {}, "abstract": None,
     "sections": [], "entities": [], "warnings": []},
]


def _read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_export_tables_rows_join_on_id(tmp_path):
    src = tmp_path / "records.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    result = CliRunner().invoke(main, ["export", str(src), "--to", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    articles = _read(tmp_path / "out" / "articles.csv")
    entities = _read(tmp_path / "out" / "entities.csv")
    sections = _read(tmp_path / "out" / "sections.csv")
    assert [a["id"] for a in articles] == ["15580557", "b.txt#0"]
    assert articles[0]["mesh_terms"] == "Humans | Liver Neoplasms" and articles[0]["year"] == "2004"
    assert articles[1]["error_type"] == "BinaryInput" and articles[1]["status"] == "error"
    survival = next(e for e in entities if e["label"] == "SURVIVAL")
    assert (survival["id"], survival["endpoint"], survival["value"], survival["ci_low"], survival["ci_high"]) == (
        "15580557", "OS", "48", "30", "60")
    assert json.loads(survival["attrs_json"])["measure"] == "median"
    assert [s["label"] for s in sections] == ["RESULTS"]


def test_export_rejects_a_file_that_is_not_jsonl(tmp_path):
    src = tmp_path / "records.jsonl"
    src.write_text('{"id": 1}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["export", str(src), "--to", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert "records.jsonl:2" in result.output
