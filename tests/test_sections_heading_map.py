"""heading_category / the heading map data file (pipeline/data/heading_map.json)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from pipeline.components.heading_map import (
    HeadingMap,
    HeadingMapError,
    heading_category,
    is_trailer_heading,
    load_heading_map,
    normalize_heading,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
NLM_LABELS = SHARED / "data" / "nlm-structured-abstract-labels-2013.txt"

HEADINGS = [
    ("Background", "BACKGROUND"),
    ("BACKGROUND:", "BACKGROUND"),
    ("  background .", "BACKGROUND"),
    ("1. Background", "BACKGROUND"),
    ("INTRODUCTION", "BACKGROUND"),
    ("Context", "BACKGROUND"),
    ("Purpose", "OBJECTIVE"),
    ("Aims", "OBJECTIVE"),
    ("Objective(s)", "OBJECTIVE"),
    ("Importance", "OBJECTIVE"),
    ("Background and Aims:", "OBJECTIVE"),
    ("Background & objectives", "OBJECTIVE"),
    ("Aims/hypothesis", "OBJECTIVE"),
    ("Methods", "METHODS"),
    ("Patients and methods", "METHODS"),
    ("PATIENTS AND METHODS:", "METHODS"),
    ("Materials and Methods", "METHODS"),
    ("Material/Methods", "METHODS"),
    ("Methods/Design", "METHODS"),
    ("Design", "METHODS"),
    ("Setting", "METHODS"),
    ("Design, Setting, and Participants", "METHODS"),
    ("Design, setting and participants", "METHODS"),
    ("Interventions", "METHODS"),
    ("Main Outcome Measures", "METHODS"),
    ("Main outcomes and measures", "METHODS"),
    ("Statistical Analysis Used:", "METHODS"),
    ("Results", "RESULTS"),
    ("RESULT:", "RESULTS"),
    ("Findings", "RESULTS"),
    ("Methods and Findings", "RESULTS"),
    ("Methodology/Principal Findings", "RESULTS"),
    ("Conclusion", "CONCLUSIONS"),
    ("Conclusion(s)", "CONCLUSIONS"),
    ("CONCLUSIONS:", "CONCLUSIONS"),
    ("Interpretation", "CONCLUSIONS"),
    ("Interpretation & conclusions:", "CONCLUSIONS"),
    ("Conclusions and Relevance", "CONCLUSIONS"),
    ("Conclusions/Significance", "CONCLUSIONS"),
    ("Discussion", "CONCLUSIONS"),
    # administrative closing headings: BACKGROUND, as NLM files them (and flagged as trailers)
    ("Trial registration", "BACKGROUND"),
    ("Trial Registration Number:", "BACKGROUND"),
    ("Clinical trial information", "BACKGROUND"),
    ("Funding", "BACKGROUND"),
    # a leading modifier is dropped when the rest is known
    ("Study aims", "OBJECTIVE"),
    ("Main findings", "RESULTS"),
    # joined headings not listed: the precedence in the data file decides
    ("Purpose/Methods", "OBJECTIVE"),
    ("Methods/Results", "RESULTS"),
    ("Results and Conclusion", "CONCLUSIONS"),
    # not section headings
    ("Abstract", None),
    ("Summary", None),
    ("Keywords", None),
    ("Author information", None),
    ("Full text links", None),
    ("MeSH terms", None),
    ("", None),
    ("We report results of using isolated hepatic perfusion", None),
]


@pytest.mark.parametrize("text, expected", HEADINGS, ids=[t or "<empty>" for t, _ in HEADINGS])
def test_heading_category(text, expected):
    assert heading_category(text) == expected


@pytest.mark.parametrize(
    "text, key",
    [("PATIENTS AND METHODS:", "patient method"), ("Conclusion(s)", "conclusion"), ("Aim of the study", "aim study"),
     ("Materials & Methods", "material method"), ("Authors\u2019 conclusions", "author conclusion")],
)
def test_normalize_heading(text, key):
    assert normalize_heading(text) == key


def _shipped() -> dict:
    return json.loads(resources.files("pipeline").joinpath("data", "heading_map.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["headings"].append({"heading": "Extra", "category": "RESULTS", "colour": "red"}), "unknown keys"),
        (lambda d: d["headings"].append({"heading": "Extra", "category": "RESULT"}), "bad category"),
        (lambda d: d["headings"].append({"heading": "Extra", "category": "UNASSIGNED"}), "bad category"),
        (lambda d: d["headings"].append({"heading": "Extra", "category": None, "trailer": True}), "trailer"),
        (lambda d: d["headings"].append({"heading": "Methods:", "category": "METHODS"}), "repeats key"),
        (lambda d: d["headings"].append({"heading": "Extra"}), "needs"),
        (lambda d: d.update(colour="red"), "top-level"),
        (lambda d: d.update(joined_precedence=["RESULTS"]), "joined_precedence"),
    ],
    ids=["unknown-key", "bad-category", "unassigned-category", "trailer-without-category", "duplicate-heading", "missing-category", "unknown-top-key", "bad-precedence"],
)
def test_heading_map_rejects_bad_records(mutate, message):
    data = _shipped()
    mutate(data)
    with pytest.raises(HeadingMapError, match=message):
        HeadingMap.from_dict(data)


@pytest.mark.parametrize(
    "text, expected",
    [("Trial registration:", True), ("Funding", True), ("Funding/Competing interests", True),
     ("Background", False), ("Results", False), ("Author information", False)],
)
def test_is_trailer_heading(text, expected):
    assert is_trailer_heading(text) is expected


def test_heading_map_rejects_duplicate_json_keys():
    with pytest.raises(HeadingMapError, match="duplicate key"):
        HeadingMap.from_json('{"version": 1, "version": 1, "headings": []}')


def _nlm_labels() -> dict[str, str]:
    if not NLM_LABELS.exists():
        pytest.skip(f"{NLM_LABELS} not available")
    labels = {}
    for line in NLM_LABELS.read_text(encoding="utf-8").splitlines():
        label, category, *_ = line.split("|")
        labels[label] = category
    return labels


def test_heading_map_covers_nlm_labels():
    """Share of NLM's label list that the map (with joined-heading rules) recognises."""
    labels = _nlm_labels()
    known = sum(heading_category(label) is not None for label in labels)
    assert known / len(labels) >= 0.45, f"{known}/{len(labels)} NLM labels recognised"


def test_heading_map_records_agree_with_nlm():
    """Every listed heading that NLM also lists has NLM's category, unless the record says why not."""
    labels = {normalize_heading(k): v for k, v in _nlm_labels().items()}
    disagreements = [
        (r["heading"], r["category"], labels[normalize_heading(r["heading"])])
        for r in load_heading_map().records
        if normalize_heading(r["heading"]) in labels
        and r["category"] is not None
        and r["category"] != labels[normalize_heading(r["heading"])]
        and "differs_from_nlm" not in r
    ]
    assert disagreements == []


def test_heading_map_agrees_with_nlm_overall():
    """Where both have a category, they agree on >= 95% of NLM's labels."""
    pairs = [(heading_category(k), v) for k, v in _nlm_labels().items()]
    both = [(ours, theirs) for ours, theirs in pairs if ours is not None]
    agree = sum(ours == theirs for ours, theirs in both)
    assert agree / len(both) >= 0.95, f"{agree}/{len(both)} agree"


def _joined_entry_as_written(text: str) -> tuple[str | None, bool]:
    """The joined-heading rule as first written: every part normalised, then checked."""
    import unicodedata

    from pipeline.components.heading_map import _JOINERS_RE, LABELS

    hmap = load_heading_map()
    lowered = unicodedata.normalize("NFKC", text).lower().replace("(s)", "s")
    parts = [p for p in (normalize_heading(p) for p in _JOINERS_RE.split(lowered)) if p]
    if len(parts) >= 2:
        found = [hmap.categories.get(p) for p in parts]
        if all(c in LABELS for c in found):
            return min(found, key=hmap.joined_precedence.index), all(p in hmap.trailers for p in parts)
    return None, False


def test_heading_map_joined_headings_read_part_by_part():
    """Stopping at the first part that is no heading (and not splitting a text without a
    joiner) answers as normalising every part first: on every corpus line and label."""
    from tests.conftest import corpus_lines

    hmap = load_heading_map()
    texts = corpus_lines() + [t for t, _ in HEADINGS] + [
        "Methods and Results", "Purpose/Methods", "Methods & foo", "foo/Methods", "Results; Conclusions",
        "Aims and objectives, design", "Funding / Trial registration", "Methods,", "/Results", "(s)/and/or"]
    for text in texts:
        key = normalize_heading(text)
        if not key or len(key.split()) > 9 or key in hmap.categories:
            continue
        words = key.split()
        if len(words) > 1 and words[0] in hmap.modifiers and " ".join(words[1:]) in hmap.categories:
            continue
        assert hmap.entry(text) == _joined_entry_as_written(text), text
