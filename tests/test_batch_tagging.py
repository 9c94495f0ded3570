"""`tag_articles`: a batch is tagged one component at a time over every article, and gives the
same records as tagging each article alone; each article keeps its own failures and its own
time budget, summed over its steps."""

from __future__ import annotations

import time

import pytest
import spacy
from spacy.language import Language

from pipeline.batch.process import process_article, process_articles, tag_articles
from pipeline.readers.ingest import page_article
from tests.conftest import REPO

PAGE = (
    "Ann Test Oncol. 2010 Jan;1(1):1-9.\n\nA trial of oxaliplatin in patients ({marker}).\n\n"
    "We treated forty patients with metastatic colorectal cancer with oxaliplatin 85 mg/m2 every two weeks and "
    "followed them closely for five years after the end of treatment in two referral centres ({marker}).\n\n"
    "Median overall survival was 21.4 months (HR 0.71; 95% CI 0.55-0.92) and the 3-year survival rate was 30% in "
    "the whole cohort; grade 3 neuropathy occurred in six patients.\n"
)


def _article(marker: str, n: int):
    return page_article(PAGE.format(marker=marker).encode(), f"page{n}.txt", ".txt")


@Language.component("test_raise_on_marker")
def raise_on_marker(doc):
    if "RAISEMARKER" in doc.text:
        raise RuntimeError("broken on purpose")
    return doc


@Language.component("test_slow_step")
def slow_step(doc):
    if "SLOWMARKER" in doc.text and doc._.segment == "abstract":
        time.sleep(0.25)
    return doc


def test_a_batch_gives_the_records_of_each_article_alone(nlp):
    from pipeline.readers.discover import iter_input_files

    paths = [p for p, _ in iter_input_files([REPO / "corpus"])][:12]
    batch = [r.to_json() for r in tag_articles([page_article(p.read_bytes(), str(p), p.suffix.lower()) for p in paths], nlp)]
    alone = [process_article(page_article(p.read_bytes(), str(p), p.suffix.lower()), nlp).to_json() for p in paths]
    assert batch == alone and len(batch) == 12
    assert sum('"label": "SURVIVAL"' in r for r in batch) >= 3  # real tagging happened


def test_one_failing_article_leaves_the_others_of_its_batch_alone(nlp):
    nlp_with_bug = spacy.blank("en", vocab=nlp.vocab)
    nlp_with_bug.tokenizer = nlp.tokenizer
    for name in nlp.pipe_names:
        nlp_with_bug.add_pipe(name, source=nlp)
        if name == "abstracts_drugs":
            nlp_with_bug.add_pipe("test_raise_on_marker")
    records = list(process_articles([_article(m, i) for i, m in enumerate(["fine", "RAISEMARKER", "fine"])], nlp_with_bug))
    assert [r.status for r in records] == ["ok", "error", "ok"]
    assert records[1].error.type == "RuntimeError" and "broken on purpose" in records[1].error.message
    assert records[1].metadata.journal  # what was read is kept
    expected = process_article(_article("fine", 0), nlp)
    assert [e.model_dump() for e in records[0].entities] == [e.model_dump() for e in expected.entities]
    assert any(e.label == "SURVIVAL" for e in records[2].entities)


def test_the_time_budget_counts_every_step_of_an_article():
    nlp = spacy.blank("en")
    for i in range(3):
        nlp.add_pipe("test_slow_step", name=f"slow{i}")
    markers = ["SLOWMARKER", "fine", "SLOWMARKER"]
    # each step takes 0.25 s, under the budget alone; three of them are not
    records = tag_articles([_article(m, i) for i, m in enumerate(markers)], nlp, doc_timeout=0.6)
    assert [(r.status, r.error.type if r.error else None) for r in records] == [
        ("error", "Timeout"), ("ok", None), ("error", "Timeout")]
    assert "longer than 0.6 s" in records[0].error.message
    no_budget = tag_articles([_article(m, i) for i, m in enumerate(markers)], nlp, doc_timeout=0)
    assert [r.status for r in no_budget] == ["ok", "ok", "ok"]


@pytest.fixture(scope="module")
def nlp():
    from pipeline.nlp import build_nlp

    return build_nlp(section_model=True)
