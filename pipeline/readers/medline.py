"""Reader for MEDLINE/PubMed text exports (.nbib / .txt: "PMID- ", "TI  - ", "AB  - " lines).

Each line is a tag (up to 4 characters, left-justified and space-padded) followed by "- " and a
value; a line starting with 6 spaces continues the previous value (joined with one space);
records are separated by blank lines and each starts with "PMID- ". Repeated tags (AU, FAU,
AD, MH, PT, OT, ...) collect into lists in file order.

Source text: `layout_structured(TI, sections)` where the sections come from splitting AB at
inline structured labels ("BACKGROUND: ... METHODS: ..."): an upper-case label followed by a
colon at the start of the abstract or of a sentence. MEDLINE text states no NLM category, so
`Heading.category` stays None.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.article import Article
from pipeline.datafiles import (
    DataFileError,
    check_keys,
    loads_strict,
    package_data_text,
    reasoned_entries,
)
from pipeline.readers.xmlfiles import XMLFileError, file_sha256, iter_utf8_chunks
from pipeline.readers.xmltext import (
    author_name,
    error_article,
    first_year,
    make_article,
    read_error,
    record_error,
    unique,
)

FORMAT = "medline"
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")
_CONTINUATION = "      "
_PMID_LINE = re.compile(r"^PMID\s*-\s*(\d+)")
_FIRST_TAG = re.compile(rb"^\s*PMID ?- ?\d", re.MULTILINE)
_ID_KIND = re.compile(r"^(.*?)\s*\[(\w+)\]\s*$")
# An inline structured-abstract label: upper-case words (letters, digits inside words, and
# the joiners & / , - and spaces) ending in a colon, at the abstract start or after a
# sentence end. "AND" etc. are upper-case too, so "MATERIALS AND METHODS:" matches whole.
_LABEL = re.compile(
    r"(?:^|(?<=[.?!]\s)|(?<=[.?!][)\]]\s))"
    r"(?P<label>[A-Z][A-Z0-9'’]*(?:[ &/,\-]+[A-Z][A-Z0-9'’]*)*)\s?:\s+"
)
LABELS_FILE = "medline_labels.json"


@dataclass(frozen=True)
class LabelRules:
    """Which upper-case "WORD:" runs are section labels (pipeline/data/medline_labels.json)."""

    min_letters: int
    not_labels: frozenset[str]  # statistical abbreviations and the like, upper case


def parse_label_rules(data: Any, name: str = LABELS_FILE) -> LabelRules:
    """Validate the parsed medline_labels.json; raises DataFileError naming the entry."""
    check_keys(data, {"version", "min_label_letters", "not_labels"}, {"description"}, name)
    if data["version"] != 1:
        raise DataFileError(f"{name}: unsupported version {data['version']!r}")
    min_letters = data["min_label_letters"]
    if not isinstance(min_letters, int) or isinstance(min_letters, bool) or min_letters < 1:
        raise DataFileError(f"{name}: min_label_letters must be a positive integer")
    not_labels = reasoned_entries(data["not_labels"], "text", f"{name} not_labels", "upper")
    return LabelRules(min_letters=min_letters, not_labels=not_labels)


@lru_cache(maxsize=1)
def label_rules() -> LabelRules:
    """The shipped label rules, loaded and validated once."""
    return parse_label_rules(loads_strict(package_data_text(LABELS_FILE), LABELS_FILE))


def sniff(head: bytes, path: Path) -> bool:
    """MEDLINE text by content: the first non-blank line is a "PMID- <digits>" tag line."""
    text = head[:8192].lstrip(b"\xef\xbb\xbf")
    match = _FIRST_TAG.search(text)
    if match and not text[: match.start()].strip():
        return True
    if path.suffix.lower() in {".nbib", ".medline"}:
        return bool(re.search(rb"^(TI|AB|AU)  - ", text, re.MULTILINE))
    return False


def read_articles(path: Path, display_path: str) -> Iterator[Article]:
    """Yield one Article per record of a MEDLINE text file (plain or gzip); never raises."""
    path = Path(path)
    try:
        sha = file_sha256(path)
    except OSError as exc:
        yield read_error(exc, display_path, FORMAT)
        return
    chunks: list[bytes] = []
    failure: XMLFileError | None = None
    try:
        for chunk in iter_utf8_chunks(path):
            chunks.append(chunk)
    except XMLFileError as exc:
        failure = exc
    records = list(split_records(_decode(b"".join(chunks))))
    if failure is not None and records:
        records.pop()  # the last record may have been cut by the truncation
    index = 0
    for index, lines in enumerate(records):
        try:
            yield record_article(parse_fields(lines), display_path, index, sha)
        except Exception as exc:  # noqa: BLE001 - one bad record must not stop the file
            type_, message = record_error(exc)
            pmid = next((m.group(1) for m in map(_PMID_LINE.match, lines) if m), None)
            yield error_article(type_=type_, message=message, path=display_path, index=index, fmt=FORMAT, sha256=sha,
                                metadata={"pmid": pmid} if pmid else None)
    if failure is None and not records:
        yield error_article(type_="EmptyInput", message="the file holds no records", path=display_path,
                            index=0, fmt=FORMAT, sha256=sha)
    if failure is not None:
        done = len(records)
        yield error_article(type_=failure.type, message=f"{failure.message}; {done} record(s) were read before the failure",
                            path=display_path, index=done, fmt=FORMAT, sha256=sha)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def split_records(text: str) -> Iterator[list[str]]:
    """Group lines into records: a blank line or a new "PMID-" line ends a record."""
    record: list[str] = []
    for line in io.StringIO(text):
        line = line.rstrip("\r\n")
        if not line.strip():
            if record:
                yield record
                record = []
            continue
        if line.startswith("PMID-") and record:
            yield record
            record = []
        record.append(line)
    if record:
        yield record


def parse_lines(lines: list[str]) -> list[tuple[str, str]]:
    """(tag, value) pairs in file order, continuation lines joined to their value with one space."""
    pairs: list[tuple[str, str]] = []
    for number, line in enumerate(lines, 1):
        if line.startswith(_CONTINUATION) or (pairs and line[:1] in (" ", "\t")):
            if not pairs:
                raise ValueError(f"line {number} continues a value but no tag came before it")
            tag, value = pairs[-1]
            pairs[-1] = (tag, f"{value} {line.strip()}".strip())
            continue
        match = _TAG_LINE.match(line)
        if not match:
            raise ValueError(f"line {number} is neither a 'TAG - value' line nor a continuation")
        pairs.append((match.group(1), match.group(2).strip()))
    return pairs


def parse_fields(lines: list[str]) -> dict[str, list[str]]:
    """Tag -> list of values in file order; "_AUTHORS" keeps AU and CN interleaved as written."""
    pairs = parse_lines(lines)
    fields: dict[str, list[str]] = {}
    for tag, value in pairs:
        fields.setdefault(tag, []).append(value)
    if "PMID" not in fields and "TI" not in fields and "AB" not in fields:
        raise ValueError("record has neither PMID, TI nor AB")
    fields["_AUTHORS"] = [value for tag, value in pairs if tag in ("AU", "CN") and value]
    return fields


def split_abstract(abstract: str) -> list[tuple[str | None, str]]:
    """Split an AB value at inline structured labels into (heading, text) sections.

    An abstract is treated as structured when it starts with a label, or when two or more
    labels occur at sentence starts; otherwise it is one unlabelled section.
    """
    abstract = abstract.strip()
    if not abstract:
        return []
    matches = [m for m in _LABEL.finditer(abstract) if _is_label(m.group("label"))]
    if not matches or (matches[0].start() != 0 and len(matches) < 2):
        return [(None, abstract)]
    sections: list[tuple[str | None, str]] = []
    if matches[0].start() > 0:
        sections.append((None, abstract[: matches[0].start()].strip()))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(abstract)
        sections.append((match.group("label"), abstract[match.end() : end].strip()))
    return sections


def _is_label(label: str) -> bool:
    rules = label_rules()
    letters = [c for c in label if c.isalpha()]
    return len(letters) >= rules.min_letters and label.upper() not in rules.not_labels


def record_article(fields: dict[str, list[str]], path: str, index: int, sha: str) -> Article:
    title = _one(fields, "TI") or _one(fields, "TT") or _one(fields, "BTI")
    sections = split_abstract(_one(fields, "AB") or "")
    metadata = record_metadata(fields)
    metadata["title"] = title
    return make_article(title=title, sections=sections, categories=None, metadata=metadata,
                        path=path, index=index, fmt=FORMAT, sha256=sha)


def record_metadata(fields: dict[str, list[str]]) -> dict[str, Any]:
    ids = [_ID_KIND.match(v) for v in fields.get("LID", []) + fields.get("AID", [])]
    doi = next((m.group(1) for m in ids if m and m.group(2).lower() == "doi"), None)
    pmcid = _one(fields, "PMC")
    if not pmcid:
        pmcid = next((m.group(1) for m in ids if m and m.group(2).lower() == "pmc"), None)
    meshes = [_mesh(v) for v in fields.get("MH", []) if v.strip()]
    citation = parse_citation_line(_one(fields, "SO"))
    return {
        "journal": _one(fields, "TA") or _one(fields, "JT") or citation.get("journal"),
        "journal_title": _one(fields, "JT"),
        "year": first_year(_one(fields, "DP")) or citation.get("year"),
        "volume": _one(fields, "VI") or citation.get("volume"),
        "issue": _one(fields, "IP") or citation.get("issue"),
        "pages": _one(fields, "PG") or citation.get("pages"),
        "doi": doi or citation.get("doi"),
        "pmid": _one(fields, "PMID"),
        "pmcid": pmcid,
        "authors": _authors(fields),
        "affiliations": unique(fields.get("AD", [])),
        "mesh_terms": [m["descriptor"] + ("*" if m["major"] else "") for m in meshes],
        "mesh": meshes,
        "keywords": unique(fields.get("OT", [])),
        "publication_types": unique(fields.get("PT", [])),
        "copyright": _one(fields, "CI"),
        "citation": _one(fields, "SO"),
    }


_SO_JOURNAL = re.compile(r"^(?P<journal>[^.]+(?:\.[^.;\d][^.]*)*?)\.\s+(?=\d{4})")
_SO_LOCATION = re.compile(r";\s*(?P<volume>[^;():\s]+)?\s*(?:\((?P<issue>[^)]+)\))?\s*:\s*(?P<pages>[^.;\s]+(?:\.\d+)?)")
_SO_DOI = re.compile(r"\bdoi:\s*(?P<doi>10\.\S+?)\.?(?:\s|$)")


def parse_citation_line(source: str | None) -> dict[str, Any]:
    """Fields of an SO citation line, e.g. "N Engl J Med. 2018 May 17;378(20):1865-1876. doi: 10.1056/X."."""
    if not source:
        return {}
    out: dict[str, Any] = {}
    match = _SO_JOURNAL.match(source)
    if match:
        out["journal"] = match.group("journal").strip()
        out["year"] = first_year(source[match.end() : match.end() + 4])
    match = _SO_LOCATION.search(source)
    if match:
        out.update({k: v for k, v in match.groupdict().items() if v})
    match = _SO_DOI.search(source)
    if match:
        out["doi"] = match.group("doi")
    return out


def _one(fields: dict[str, list[str]], tag: str) -> str | None:
    values = fields.get(tag)
    return values[0].strip() or None if values else None


def _authors(fields: dict[str, list[str]]) -> list[str]:
    """AU and CN names in the order written; FAU ("Surname, Given") when there is no AU."""
    if fields.get("AU") or not fields.get("FAU"):
        return list(fields.get("_AUTHORS") or [v for v in fields.get("AU", []) + fields.get("CN", []) if v])
    names = []
    for full in fields["FAU"]:
        surname, _, given = full.partition(",")
        name = author_name(surname, given)
        if name:
            names.append(name)
    return names + [v for v in fields.get("CN", []) if v]


def _mesh(value: str) -> dict[str, Any]:
    """"*Asthma/drug therapy" / "Asthma/*drug therapy" -> descriptor, qualifiers, major flags."""
    parts = [p.strip() for p in value.split("/")]
    descriptor = parts[0]
    descriptor_major = descriptor.startswith("*")
    qualifiers = [q.lstrip("*").strip() for q in parts[1:] if q.strip("* ")]
    major_qualifiers = [q.lstrip("*").strip() for q in parts[1:] if q.startswith("*")]
    return {
        "descriptor": descriptor.lstrip("*").strip(),
        "major": descriptor_major or bool(major_qualifiers),
        "qualifiers": qualifiers,
        "major_qualifiers": major_qualifiers,
        "ui": None,
    }
