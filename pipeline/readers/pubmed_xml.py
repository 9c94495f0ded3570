"""Reader for PubMed XML: efetch / baseline `PubmedArticleSet` and the older `MedlineCitationSet`.

One `Article` per `PubmedArticle` / `MedlineCitation` / `PubmedBookArticle`, one per PMID of a
`DeleteCitation` (status "deleted"), in file order (`Article.index`). The file is streamed
(see `pipeline.readers.xmlsafe.stream_records`), so a 30k-record baseline file is read in flat memory.

Source text: `layout_structured(ArticleTitle, [(AbstractText@Label, text), ...])`; a
section's NlmCategory (unless UNASSIGNED) becomes `Heading.category`. Inline markup
(<i>, <b>, <sup>, <sub>, MathML) is flattened to text. `OtherAbstract` and
`CopyrightInformation` never enter the source text (the latter goes to metadata.copyright).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from pipeline.article import Article
from pipeline.readers.xmlsafe import is_top_level, read_xml_records
from pipeline.readers.xmltext import (
    author_name,
    child_text,
    error_article,
    first_year,
    flatten,
    make_article,
    record_error,
    unique,
)

FORMAT = "pubmed-xml"
RECORD_TAGS = ("PubmedArticle", "MedlineCitation", "PubmedBookArticle", "BookDocument", "DeleteCitation")
ROOT_TAGS = (b"PubmedArticleSet", b"MedlineCitationSet", b"PubmedArticle", b"MedlineCitation", b"PubmedBookArticle")
_ROOT_IN_HEAD = re.compile(rb"<(?:PubmedArticleSet|MedlineCitationSet|PubmedArticle|MedlineCitation|PubmedBookArticle)[\s>/]")
_PMC_ID = re.compile(r"^(PMC\d+)")


def sniff(head: bytes, path: Path) -> bool:
    """PubMed XML by content: a PubMed/MEDLINE root element in the first few KB."""
    if _ROOT_IN_HEAD.search(head[:16384]):
        return True
    name = path.name.lower()
    return b"<" in head[:200] and (name.endswith(".xml") or name.endswith(".xml.gz")) and b"<PMID" in head[:65536]


def _is_record(element: etree._Element) -> bool:
    """A record of the set (or the root record of a one-record file), not its inner citation."""
    if element.tag not in RECORD_TAGS or not is_top_level(element):
        return False
    parent = element.getparent()
    return parent is None or parent.tag not in ("PubmedArticle", "PubmedBookArticle")


# The records of each set element, the start tags a reader resynchronises on after a
# malformed record (MedlineCitation is a record only in the older MedlineCitationSet).
SET_RECORDS = {
    "PubmedArticleSet": ("PubmedArticle", "PubmedBookArticle", "DeleteCitation"),
    "MedlineCitationSet": ("MedlineCitation", "DeleteCitation"),
}
_PMID_IN_BYTES = re.compile(rb"<PMID\b[^>]*>\s*(\d+)\s*</PMID>")


def _set_records(root: str) -> tuple[str, ...]:
    return SET_RECORDS.get(root, ())


def _malformed_metadata(head: bytes) -> dict[str, Any]:
    """The PMID of a record the parser rejected, when its first bytes show one."""
    match = _PMID_IN_BYTES.search(head)
    return {"pmid": match.group(1).decode("ascii")} if match else {}


def read_articles(path: Path, display_path: str) -> Iterator[Article]:
    """Yield one Article per record of a PubMed XML file (plain or gzip); never raises.
    A malformed record becomes one error Article and reading goes on at the next record."""
    return read_xml_records(path, display_path, FORMAT, _is_record, _record_articles, RECORD_TAGS,
                            record_starts=_set_records, malformed_metadata=_malformed_metadata)


def _record_articles(element: etree._Element, path: str, index: int, sha: str) -> list[Article]:
    if element.tag == "DeleteCitation":
        return [
            Article(source_text="", path=path, index=index + i, format=FORMAT, sha256=sha, status="deleted",
                    metadata={"pmid": (pmid.text or "").strip()})
            for i, pmid in enumerate(element.findall("PMID"))
        ]
    try:
        return [parse_record(element, path, index, sha)]
    except Exception as exc:  # noqa: BLE001 - one bad record must not stop the file
        pmid = element.findtext(".//PMID")
        type_, message = record_error(exc)
        return [error_article(type_=type_, message=message, path=path, index=index, fmt=FORMAT, sha256=sha,
                              metadata={"pmid": pmid.strip()} if pmid else None)]


def parse_record(element: etree._Element, path: str = "", index: int = 0, sha: str = "") -> Article:
    """Turn one PubmedArticle / MedlineCitation / PubmedBookArticle element into an Article."""
    if element.tag == "PubmedArticle":
        citation = element.find("MedlineCitation")
        pubmed_data = element.find("PubmedData")
    elif element.tag == "PubmedBookArticle":
        citation = element.find("BookDocument")
        pubmed_data = element.find("PubmedBookData")
    else:
        citation, pubmed_data = element, None
    if citation is None:
        raise ValueError(f"<{element.tag}> has no citation element")
    if citation.tag == "BookDocument":
        article_el = citation
        title = child_text(citation, "ArticleTitle") or child_text(citation, "Book/BookTitle")
    else:
        article_el = citation.find("Article")
        if article_el is None:
            raise ValueError("<MedlineCitation> has no <Article>")
        title = child_text(article_el, "ArticleTitle") or child_text(article_el, "VernacularTitle")
    sections, categories = abstract_sections(article_el.find("Abstract"))
    metadata = citation_metadata(citation, article_el, pubmed_data)
    metadata["title"] = title
    return make_article(title=title, sections=sections, categories=categories, metadata=metadata,
                        path=path, index=index, fmt=FORMAT, sha256=sha)


def abstract_sections(abstract: etree._Element | None) -> tuple[list[tuple[str | None, str]], list[str | None]]:
    """(heading, text) per AbstractText and the NlmCategory of each (None when UNASSIGNED/absent)."""
    sections: list[tuple[str | None, str]] = []
    categories: list[str | None] = []
    if abstract is None:
        return sections, categories
    for node in abstract.findall("AbstractText"):
        text = flatten(node)
        label = (node.get("Label") or "").strip() or None
        category = (node.get("NlmCategory") or "").strip().upper() or None
        if category == "UNASSIGNED":
            category = None
        if not text and not label:
            continue
        sections.append((label, text))
        categories.append(category)
    return sections, categories


def citation_metadata(citation: etree._Element, article: etree._Element, pubmed_data: etree._Element | None) -> dict[str, Any]:
    journal = article.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    pub_date = issue.find("PubDate") if issue is not None else None
    iso = child_text(journal, "ISOAbbreviation")
    journal_title = child_text(journal, "Title")
    year = None
    if pub_date is not None:
        year = first_year(pub_date.findtext("Year")) or first_year(pub_date.findtext("MedlineDate"))
    if year is None:
        year = first_year(article.findtext("ArticleDate/Year")) or first_year(citation.findtext("Book/PubDate/Year"))
    article_ids = {}
    if pubmed_data is not None:
        for node in pubmed_data.findall("ArticleIdList/ArticleId"):
            article_ids.setdefault((node.get("IdType") or "").lower(), (node.text or "").strip())
    meshes = _mesh(citation)
    affiliation_nodes = article.findall("AuthorList/Author/AffiliationInfo/Affiliation") + article.findall("Affiliation")
    return {
        "journal": iso or journal_title or child_text(citation, "MedlineJournalInfo/MedlineTA"),
        "journal_title": journal_title,
        "year": year,
        "volume": child_text(issue, "Volume"),
        "issue": child_text(issue, "Issue"),
        "pages": _pages(article),
        "doi": _doi(article) or article_ids.get("doi") or None,
        "pmid": (citation.findtext("PMID") or "").strip() or None,
        "pmcid": _pmcid(citation, article_ids),
        "authors": _authors(article),
        "affiliations": unique(flatten(a) for a in affiliation_nodes),
        "mesh_terms": [m["descriptor"] + ("*" if m["major"] else "") for m in meshes],
        "mesh": meshes,
        "keywords": unique(flatten(k) for k in citation.findall("KeywordList/Keyword")),
        "publication_types": unique(flatten(p) for p in article.findall("PublicationTypeList/PublicationType")),
        "copyright": child_text(article, "Abstract/CopyrightInformation"),
    }


def _pages(article: etree._Element) -> str | None:
    pages = child_text(article, "Pagination/MedlinePgn")
    if pages:
        return pages
    start, end = child_text(article, "Pagination/StartPage"), child_text(article, "Pagination/EndPage")
    if start:
        return f"{start}-{end}" if end and end != start else start
    return None


def _doi(article: etree._Element) -> str | None:
    for node in article.findall("ELocationID"):
        if (node.get("EIdType") or "").lower() == "doi" and (node.get("ValidYN") or "Y").upper() == "Y":
            value = (node.text or "").strip()
            if value:
                return value
    return None


def _pmcid(citation: etree._Element, article_ids: dict[str, str]) -> str | None:
    value = article_ids.get("pmc")
    if value:
        return value if value.upper().startswith("PMC") else f"PMC{value}"
    for node in citation.findall("OtherID"):
        match = _PMC_ID.match((node.text or "").strip())
        if match:
            return match.group(1)
    return None


def _authors(article: etree._Element) -> list[str]:
    names = []
    for author in article.findall("AuthorList/Author"):
        if (author.get("ValidYN") or "Y").upper() == "N":
            continue
        collective = child_text(author, "CollectiveName")
        if collective:
            names.append(collective)
            continue
        last = child_text(author, "LastName")
        initials = child_text(author, "Initials")
        if last and initials:
            names.append(f"{last} {initials}")
        else:
            name = author_name(last, child_text(author, "ForeName"))
            if name:
                names.append(name)
    return names


def _mesh(citation: etree._Element) -> list[dict[str, Any]]:
    terms = []
    for heading in citation.findall("MeshHeadingList/MeshHeading"):
        descriptor = heading.find("DescriptorName")
        if descriptor is None:
            continue
        name = flatten(descriptor)
        if not name:
            continue
        qualifiers = heading.findall("QualifierName")
        major_qualifiers = [flatten(q) for q in qualifiers if (q.get("MajorTopicYN") or "N").upper() == "Y"]
        descriptor_major = (descriptor.get("MajorTopicYN") or "N").upper() == "Y"
        terms.append({
            "descriptor": name,
            # a major topic of the article in PubMed's [majr] sense: the descriptor or one of
            # its qualifiers is starred
            "major": descriptor_major or bool(major_qualifiers),
            "qualifiers": [flatten(q) for q in qualifiers],
            "major_qualifiers": major_qualifiers,
            "ui": descriptor.get("UI"),
        })
    return terms
