"""PubTator export: read back by the `bioc` package's PubTator reader, every span maps back to its entity."""

from __future__ import annotations

from bioc import pubtator

from pipeline.output.interop import export_interop, interop_document, pubtator_text
from tests.output_helpers import read_records


def source_start(record, title: str, offset: int) -> int | None:
    """A PubTator offset back in the source text (abstract entities; title ones have no source offset here)."""
    if offset < len(title) + 1:
        return None
    return record["abstract"]["start"] + offset - len(title) - 1


def test_output_interop_pubtator_round_trip_on_the_corpus(corpus_jsonl, tmp_path):
    out = tmp_path / "corpus.pubtator"
    counts = export_interop(corpus_jsonl, "pubtator", out)
    records = {r["id"]: r for r in read_records(corpus_jsonl)}
    docs = pubtator.load(open(out, encoding="utf-8"))
    exported = [r for r in records.values() if r["metadata"].get("title") or r.get("abstract")]
    assert counts == {"documents": len(exported), "annotations": sum(len(r["entities"]) for r in exported), "records_left_out": 1, "entities_left_out": 0}
    assert [d.pmid for d in docs] == [r["id"] for r in exported]
    for doc in docs:
        record = records[doc.pmid]
        text = f"{doc.title} {doc.abstract}"
        assert len(doc.annotations) == len(record["entities"])
        for ann, entity in zip(doc.annotations, record["entities"]):
            assert (ann.type, ann.text) == (entity["label"], entity["text"].replace("\n", " "))
            assert text[ann.start:ann.end] == ann.text
            if entity["section"] == "TITLE":
                assert ann.end <= len(doc.title)
            else:
                assert source_start(record, doc.title, ann.start) == entity["start"]
            if entity["label"] == "DRUG" and entity["attrs"].get("drugbank_id"):
                assert ann.id == entity["attrs"]["drugbank_id"]


def test_output_interop_pubtator_line_breaks_and_tabs_keep_offsets():
    record = {"id": "9", "status": "ok", "metadata": {"title": "Drug\tX"},
              "abstract": {"text": "BACKGROUND:\nWe gave\r\nmelphalan.", "start": 100, "end": 131},
              "entities": [{"label": "DRUG", "start": 121, "end": 130, "text": "melphalan", "section": "BACKGROUND",
                            "attrs": {"norm": "melphalan"}}]}
    doc = interop_document(record)
    text = pubtator_text(doc)
    assert text.splitlines()[:3] == ["9|t|Drug X", "9|a|BACKGROUND: We gave  melphalan.",
                                     "9\t28\t37\tmelphalan\tDRUG\t-"]
    (parsed,) = pubtator.loads(text)
    assert f"{parsed.title} {parsed.abstract}"[28:37] == "melphalan"


def test_output_interop_pubtator_title_entities_found_in_the_title():
    record = {"id": "1", "status": "ok", "metadata": {"title": "FOLFOX then FOLFOX-bevacizumab"}, "abstract": None,
              "entities": [{"label": "DRUG", "start": 50, "end": 56, "text": "FOLFOX", "section": "TITLE", "attrs": {}},
                           {"label": "DRUG", "start": 62, "end": 68, "text": "FOLFOX", "section": "TITLE", "attrs": {}},
                           {"label": "DRUG", "start": 69, "end": 80, "text": "bevacizumab", "section": "TITLE",
                            "attrs": {}},
                           {"label": "DRUG", "start": 90, "end": 95, "text": "other", "section": "TITLE", "attrs": {}}]}
    doc = interop_document(record)
    assert [(a.start, a.end) for a in doc.annotations] == [(0, 6), (12, 18), (19, 30)]
    assert doc.unlocated == 1
