"""Reader for the project's pmc-rct JSON Lines (one PMC article's front matter + abstract a line).

Line fields: pmcid, pmid, doi, title, journal_abbrev, journal, year, volume, issue, pages,
authors[{surname, given}], affiliations, keywords, copyright, sections[{heading, text}].
One `Article` per non-blank line (`index` counts non-blank lines from 0). The source text is
`layout_structured(title, [(heading, text), ...])`, identical to `pipeline.evaluation.gold.pmc_source_text`
so gold offsets for `pmc:` documents index into it unchanged. A line that is not a JSON object
with a `sections` list yields an error Article for that line only.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.article import Article
from pipeline.readers.xmlfiles import file_sha256, open_maybe_gzip, wide_codec
from pipeline.readers.xmlstream import guarded
from pipeline.readers.xmltext import (
    author_name,
    error_article,
    make_article,
    read_error,
    unique,
)

FORMAT = "pmc-rct"


def sniff(head: bytes, path: Path) -> bool:
    """A JSON-lines file whose first line is an object with "pmcid" and "sections"."""
    first = head.lstrip(b"\xef\xbb\xbf").lstrip().split(b"\n", 1)[0].strip()
    if not first.startswith(b"{"):
        return False
    try:
        obj = json.loads(first)
    except ValueError:
        # the first line may be cut off by the head window: fall back to a key check
        name = path.name.lower()
        if b'"pmcid"' not in first:
            return False
        return b'"sections"' in first or name.endswith(".jsonl") or name.endswith(".jsonl.gz")
    return isinstance(obj, dict) and "pmcid" in obj and "sections" in obj


def read_articles(path: Path, display_path: str) -> Iterator[Article]:
    """Yield one Article per line of a pmc-rct JSONL file (plain or gzip); never raises."""
    path = Path(path)
    try:
        sha = file_sha256(path)
        handle = open_maybe_gzip(path)
    except OSError as exc:
        yield read_error(exc, display_path, FORMAT)
        return

    def articles() -> Iterator[Article]:
        index = 0
        with handle:
            for line_number, raw in enumerate(_lines(handle), 1):
                if raw.strip():
                    yield _line_article(raw, line_number, display_path, index, sha)
                    index += 1

    yield from guarded(articles(), display_path, FORMAT, sha)


def _lines(handle) -> Iterator[bytes]:
    """The file's lines as bytes; a UTF-16/32 file (byte order mark) is decoded, lines as UTF-8."""
    codec = wide_codec(handle.peek(4)[:4])
    if codec is None:
        yield from handle
        return
    for line in io.TextIOWrapper(handle, encoding=codec, newline=""):
        yield line.encode("utf-8", errors="surrogatepass")


def _line_article(raw: bytes, line_number: int, path: str, index: int, sha: str) -> Article:
    try:
        record = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return error_article(type_="InvalidJSON", message=f"line {line_number} is not valid JSON: {type(exc).__name__}",
                             path=path, index=index, fmt=FORMAT, sha256=sha)
    try:
        return record_article(record, path, index, sha)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        metadata = {k: record.get(k) for k in ("pmid", "pmcid") if isinstance(record, dict) and record.get(k)}
        return error_article(type_="RecordError", message=f"line {line_number}: {exc}", path=path, index=index,
                             fmt=FORMAT, sha256=sha, metadata=metadata)


def record_article(record: dict[str, Any], path: str = "", index: int = 0, sha: str = "") -> Article:
    """One pmc-rct record (a parsed JSON object) as an Article."""
    if not isinstance(record, dict):
        raise TypeError("the line is not a JSON object")
    raw_sections = record.get("sections")
    if not isinstance(raw_sections, list):
        raise ValueError('"sections" is missing or not a list')
    sections = [(s.get("heading"), s.get("text", "") or "") for s in raw_sections]
    title = record.get("title")
    return make_article(title=title, sections=sections, categories=None, metadata=record_metadata(record),
                        path=path, index=index, fmt=FORMAT, sha256=sha)


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def record_metadata(record: dict[str, Any]) -> dict[str, Any]:
    year = record.get("year")
    try:
        year = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        year = None
    authors = []
    for author in record.get("authors") or []:
        if isinstance(author, dict):
            name = author_name(author.get("surname"), author.get("given"))
        else:
            name = _str(author)
        if name:
            authors.append(name)
    pmcid = _str(record.get("pmcid"))
    if pmcid and not pmcid.upper().startswith("PMC"):
        pmcid = f"PMC{pmcid}"
    return {
        "title": _str(record.get("title")),
        "journal": _str(record.get("journal_abbrev")) or _str(record.get("journal")),
        "journal_title": _str(record.get("journal")),
        "year": year,
        "volume": _str(record.get("volume")),
        "issue": _str(record.get("issue")),
        "pages": _str(record.get("pages")),
        "doi": _str(record.get("doi")),
        "pmid": _str(record.get("pmid")),
        "pmcid": pmcid,
        "authors": authors,
        "affiliations": unique(_str(a) for a in record.get("affiliations") or []),
        "mesh_terms": [],
        "mesh": [],
        "keywords": unique(_str(k) for k in record.get("keywords") or []),
        "publication_types": [],
        "copyright": _str(record.get("copyright")),
    }
