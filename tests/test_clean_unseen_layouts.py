"""The cleaner on pages in layouts it was not developed on (tests/fixtures/unseen_pages/).

The pages and their `.expected.json` were written by someone who had not read the cleaner
or the corpus: a check of how the site patterns generalise. First runs, before any fix:
unseen_pages 80 of 132 checks passed, unseen_pages_2 71 of 110. The generic fixes they
prompted are in the site patterns; what is still missed is listed in KNOWN_MISSES (xfail,
strict: a fix is noticed).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.readers.ingest import read_articles

FOLDERS = [Path(__file__).resolve().parent / "fixtures" / name for name in ("unseen_pages", "unseen_pages_2", "unseen_pages_3")]
PAGES = sorted(p for folder in FOLDERS if folder.exists() for p in folder.glob("*") if p.suffix in {".txt", ".html"})
FIELDS = ("status", "title", "journal", "year", "volume", "issue", "pages", "doi", "pmid")
KNOWN_MISSES: dict[tuple[str, str], str] = {
    ("10_conference_abstract_like.txt", "abstract"):
        "project convention: a trial-registration line after the conclusions belongs to the abstract (NLM trailer)",
    ("10_conference_abstract_like.txt", "headings"): "same convention: 'Clinical trial information' is a trailer heading",
    ("04_wiley_like.txt", "pages"): "an article number alone on its own line is not read as pages",
    ("07_medrxiv_like_preprint.txt", "journal"): "a preprint server's site name is not taken as a journal",
    ("07_medrxiv_like_preprint.txt", "year"): "without a citation, a 'Posted' date is not used for the year",
    ("09_cochrane_like_review.html", "year"): "without a citation, a 'Version published' date is not used for the year",
    ("dimensions_like_record_no_abstract.txt", "year"): "a year alone on a line of a database record is not read",
}


def _expected(page: Path) -> dict:
    return json.loads(page.with_name(page.stem + ".expected.json").read_text(encoding="utf-8"))


def _cases():
    for page in PAGES:
        for field in (*FIELDS, "abstract", "headings"):
            marks = []
            reason = KNOWN_MISSES.get((page.name, field))
            if reason:
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            yield pytest.param(page, field, id=f"{page.parent.name}/{page.stem}-{field}", marks=marks)


@pytest.mark.parametrize("page, field", list(_cases()))
def test_clean_unseen_layout(page, field):
    article = next(iter(read_articles(page, str(page))))
    expected = _expected(page)
    text = article.source_text
    if field == "status":
        assert article.status == expected["status"]
    elif field == "abstract":
        if expected["status"] != "ok":
            assert article.abstract_span is None
            return
        start, end = article.abstract_span
        abstract = text[start:end]
        # the project's abstract span includes its first heading ("Purpose: To ..."); the
        # expectations quote the first words of the text, after any heading
        first_heading = article.headings[0] if article.headings and article.headings[0].start == start else None
        opening = text[first_heading.body_start:end] if first_heading else abstract
        assert opening.startswith(expected["abstract_first"]), abstract[:80]
        assert abstract.endswith(expected["abstract_last"]), abstract[-80:]
        for furniture in expected["not_in_abstract"]:
            assert furniture not in abstract
    elif field == "headings":
        assert [h.text for h in article.headings] == expected["headings"]
    else:
        got = article.metadata.get(field)
        assert got == expected[field], (field, got, expected[field])
