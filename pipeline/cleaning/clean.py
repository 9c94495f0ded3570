"""The cleaning stage: find the article in a scraped page's text and drop the furniture.

Input is the page's source text (a text copy of a page, or what `pipeline.readers.html` extracted
from HTML). Output is an `Article`: title span, abstract span, headings and paragraphs inside
the abstract, and metadata (citation parsed into journal/year/volume/issue/pages, DOI, PMID,
affiliations, MeSH terms, keywords, article copyright line). Nothing is rewritten: every
span is an offset range into the source text.

How the abstract is found (site patterns live in data/site_patterns.json):
1. Each line is classified (blank, furniture, notice, citation, heading, prose, ...).
2. When the page announces the abstract ("Abstract", "2. Abstract", "Summary"), it starts at
   the next content line; otherwise the longest run of prose paragraphs wins.
3. The abstract runs over prose paragraphs and heading lines until an end marker
   ("Keywords", "MeSH terms", "Copyright ...", "Introduction" of a full-text body, ...), or
   any other non-prose line."""

from __future__ import annotations

from pipeline.article import Article
from pipeline.cleaning.abstract import (
    affiliation_lines,
    headings_and_paragraphs,
    locate_abstract,
    mark_space_headings,
)
from pipeline.cleaning.classify import classify
from pipeline.cleaning.lines import split_lines, words
from pipeline.cleaning.metadata import collect_metadata, find_title, metadata_from_hints
from pipeline.cleaning.site_patterns import site_patterns

# --------------------------------------------------------------------------- entry point

def clean_page(text: str, path: str, meta_hints: dict[str, list[str]] | None = None) -> Article:
    """Find title, abstract, headings, paragraphs and metadata in a page's source text."""
    article = Article(source_text=text, path=path, format="text")
    patterns = site_patterns()
    lines = split_lines(text)
    classify(lines, patterns)
    affiliation_idx = affiliation_lines(lines)
    for i in affiliation_idx:
        lines[i].kinds.add("affiliation")
    taken, _marker = locate_abstract(lines, affiliation_idx)
    hints = meta_hints or {}
    meta_title = (hints.get("citation_title") or hints.get("dc.title") or hints.get("og:title") or [None])[0]
    if meta_title is None and hints.get("html_h1") and words(hints["html_h1"][0]) >= 4:
        meta_title = hints["html_h1"][0]
    title = find_title(lines, taken[0] if taken else None, affiliation_idx, meta_title, text)
    if title and taken:
        # a title never lies inside the abstract
        a_start = lines[taken[0]].start
        a_end = lines[taken[-1]].end
        if a_start <= title[0] < a_end:
            title = None
    article.title_span = title
    metadata = collect_metadata(text, lines, set(taken), affiliation_idx)
    metadata.update(metadata_from_hints(hints, metadata))
    if title:
        metadata["title"] = text[title[0]:title[1]]
    article.metadata = metadata
    if not taken:
        article.status = "no_abstract"
        if any("no_abstract_marker" in l.kinds for l in lines):
            article.warnings.append("the page says it has no abstract")
        else:
            article.warnings.append("no abstract found on the page")
        return article
    mark_space_headings(lines, taken)
    if taken and any("no_abstract_marker" in l.kinds for l in lines[: taken[0]]):
        # "Abstract not available" stands before whatever prose was found: snippets of other
        # articles ("Cited by ... Abstract: ...") are not this article's abstract
        taken = []
    if not taken:
        article.status = "no_abstract"
        article.warnings.append("the page says it has no abstract")
        return article
    headings, paragraphs = headings_and_paragraphs(text, lines, taken)
    start = min([lines[taken[0]].start] + [h.start for h in headings])
    end = lines[taken[-1]].end
    article.abstract_span = (start, end)
    article.headings = headings
    article.paragraphs = paragraphs
    return article
