"""BioC XML export: read back by the `bioc` package, spans, labels and attributes survive."""

from __future__ import annotations

import json

from bioc import biocxml

from pipeline.output.interop import export_interop
from tests.output_helpers import read_records


def infon_value(value: str):
    """attr:NAME infons: strings as written, numbers and lists as JSON."""
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        return value
    return parsed if isinstance(parsed, (int, float, list, dict)) and not isinstance(parsed, bool) else value


def test_output_interop_bioc_round_trip_on_the_corpus(corpus_jsonl, tmp_path):
    out = tmp_path / "corpus.bioc.xml"
    counts = export_interop(corpus_jsonl, "bioc", out)
    records = {r["id"]: r for r in read_records(corpus_jsonl)}
    entities = sum(len(r["entities"]) for r in records.values())
    assert counts["documents"] == 31 and counts["annotations"] == entities > 600 and counts["entities_left_out"] == 0
    with open(out, encoding="utf-8") as fh:
        collection = biocxml.load(fh)
    assert collection.source == "abstracts" and len(collection.documents) == 31
    for doc in collection.documents:
        record = records[doc.id]
        title, abstract = doc.passages
        assert (title.infons["type"], abstract.infons["type"]) == ("title", "abstract")
        assert doc.infons["source_sha256"] == record["source"]["sha256"]
        anns = title.annotations + abstract.annotations
        assert len(anns) == len(record["entities"])
        for ann, entity in zip(anns, record["entities"]):
            (loc,) = ann.locations
            passage = title if loc.offset < abstract.offset else abstract
            assert passage.text[loc.offset - passage.offset:loc.end - passage.offset] == ann.text
            assert (ann.infons["type"], ann.infons["section"]) == (entity["label"], entity["section"])
            attrs = {k[5:]: infon_value(v) for k, v in ann.infons.items() if k.startswith("attr:")}
            assert attrs == entity["attrs"]
            if passage is abstract:
                source = int(abstract.infons["source_offset"]) + loc.offset - abstract.offset
                assert source == entity["start"]
