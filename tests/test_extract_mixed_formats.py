"""One `abstracts extract` call over a folder that mixes every input kind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests.conftest import shared_path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture()
def mixed_folder(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(CORPUS / "pubmed_legacy" / "hai_fudr_folfox_crlm.txt", folder / "page.txt")
    shutil.copy(CORPUS / "pubmed_current" / "mcrc_folfoxiri_bevacizumab.html", folder / "page.html")
    shutil.copy(FIXTURES / "pubmed_set.xml", folder / "efetch.xml")
    shutil.copy(FIXTURES / "medline_records.nbib", folder / "export.nbib")
    shutil.copy(FIXTURES / "jats_structured.nxml", folder / "article.nxml")
    # detected by content, not by name: MEDLINE text saved as .txt
    shutil.copy(FIXTURES / "medline_records.nbib", folder / "medline_saved_as.txt")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def test_extract_mixed_folder_gives_every_format_a_record(mixed_folder, tmp_path, nlp, monkeypatch):
    import pipeline.nlp

    monkeypatch.setattr(pipeline.nlp, "build_nlp", lambda section_model=True: nlp)
    out = tmp_path / "records.jsonl"
    result = CliRunner().invoke(main, ["extract", str(mixed_folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    formats = {r["source"]["format"] for r in records}
    assert {"text", "html", "pubmed-xml", "medline", "jats"} <= formats
    by_name = {}
    for r in records:
        by_name.setdefault(Path(r["source"]["path"]).name, []).append(r)
    assert by_name["empty.txt"][0]["status"] == "error"
    assert [r["source"]["format"] for r in by_name["medline_saved_as.txt"]] == ["medline"] * len(by_name["export.nbib"])
    for r in records:
        if r["status"] != "ok":
            continue
        for entity in r["entities"]:
            assert entity["label"] in {"DRUG", "DOSE", "SURVIVAL", "HAZARD_RATIO"}
        assert r["sections"], r["source"]
    page = by_name["page.txt"][0]
    assert page["metadata"]["journal"] == "Ann Surg Oncol"
    assert any(e["label"] == "DRUG" and e["text"] == "FUDR" for e in page["entities"])
    assert "problems: 1 errors" in result.output


def test_extract_offsets_index_the_source_text_of_every_format(mixed_folder, nlp):
    """`text == source_text[start:end]` for entities, sections and abstracts in every format."""
    from pipeline.extract import process_articles
    from pipeline.readers.discover import iter_input_files
    from pipeline.readers.ingest import read_articles

    articles = [a for p, d in iter_input_files([mixed_folder]) for a in read_articles(p, d)]
    texts = {(a.path, a.index): a.source_text for a in articles}
    records = list(process_articles(articles, nlp))
    checked = 0
    for record in records:
        source = texts[(record.source.path, record.source.index)]
        if record.abstract:
            assert source[record.abstract.start:record.abstract.end] == record.abstract.text
        for entity in record.entities:
            assert source[entity.start:entity.end] == entity.text
            checked += 1
        for section in record.sections:
            assert not source[section.start].isspace() and not source[section.end - 1].isspace()
    assert checked > 20


def test_extract_pmc_rct_jsonl_from_shared(tmp_path, nlp):
    source = shared_path("data", "pmc-rct", "abstracts.jsonl")
    sample = tmp_path / "sample.jsonl"
    with open(source, encoding="utf-8") as fh:
        sample.write_text("".join(next(fh) for _ in range(25)), encoding="utf-8")
    from pipeline.extract import iter_articles, process_articles

    records = list(process_articles(iter_articles([sample]), nlp))
    assert len(records) == 25
    assert all(r.source.format == "pmc-rct" and r.metadata.pmcid for r in records)
    assert sum(1 for r in records if r.entities) >= 10


@pytest.mark.slow
def test_extract_parallel_jobs_give_the_same_records(mixed_folder, nlp):
    """`--jobs 2` spreads files over worker processes; the output is identical and in order."""
    import io

    from pipeline.extract import extract

    one, two = io.StringIO(), io.StringIO()
    extract([mixed_folder], one, nlp=nlp, progress=False)
    summary = extract([mixed_folder], two, progress=False, jobs=2)
    assert two.getvalue() == one.getvalue()
    assert summary.records == len(one.getvalue().splitlines())
