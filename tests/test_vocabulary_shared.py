"""One vocabulary (pipeline/data/vocabulary.json) for the taggers and the gold files."""

from __future__ import annotations

import json

import pytest

from pipeline import vocabulary as vocab
from pipeline.datafiles import DataFileError


def test_vocabulary_endpoints_are_the_taggers_and_the_golds():
    from pipeline.components.survival_terms import ENDPOINTS as tagger_endpoints
    from pipeline.evaluation.gold import ENDPOINTS as gold_endpoints

    assert tagger_endpoints == gold_endpoints == vocab.endpoints() == ("OS", "PFS", "DFS", "RFS", "EFS", "DSS", "TTP", "TTR", "DOR")


@pytest.mark.parametrize("change", [
    pytest.param(lambda d: d["endpoints"].append("OS"), id="repeated-endpoint"),
    pytest.param(lambda d: d.pop("statuses"), id="missing-key"),
    pytest.param(lambda d: d.update(extra=[]), id="unknown-key"),
    pytest.param(lambda d: d["attributes"].update(TUMOUR=["size"]), id="attributes-of-unknown-label"),
])
def test_vocabulary_rejects_a_malformed_file(monkeypatch, change):
    data = json.loads(vocab.package_data_text(vocab.VOCABULARY_FILE))
    change(data)
    monkeypatch.setattr(vocab, "package_data_text", lambda _name: json.dumps(data))
    vocab.vocabulary.cache_clear()
    try:
        with pytest.raises(DataFileError):
            vocab.vocabulary()
    finally:
        vocab.vocabulary.cache_clear()
