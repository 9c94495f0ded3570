"""Records as PubTator and BioC, so PubTator/BioC tools read our annotations.

    export_interop("out/records.jsonl", "pubtator", "out/records.pubtator")
    export_interop("out/records.jsonl", "bioc", "out/records.bioc.xml")

Both use PubTator's text layout: the title, one separator character, the abstract (as it
stands in the source, headings included), with annotation offsets into that text: a title
entity at its place in the title, an abstract entity at `len(title) + 1 + (start -
abstract.start)`. Line breaks and tabs inside the title and abstract become spaces (one for
one, so no offset moves) because PubTator is line-based. The document id is the record id.

- PubTator: `id|t|title`, `id|a|abstract`, then `id<TAB>start<TAB>end<TAB>text<TAB>label<TAB>identifier`
  lines (identifier: the DrugBank id of a DRUG when known, else `-`), a blank line between
  documents.
- BioC XML (written with the `bioc` package, one document at a time): a `title` and an
  `abstract` passage (the abstract passage carries `source_offset`, so offsets map back to the
  source text); annotations carry `type` (the label), `identifier`, `section`, and every
  attribute as an `attr:NAME` infon (numbers and lists as JSON).

Records without title and abstract (errors, deletions) are left out, and so is any title
entity whose text cannot be found in the title; the returned counts say how many.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pipeline.output.tables import iter_records

FORMATS = ("pubtator", "bioc")
_LINE_BREAKS = str.maketrans({"\n": " ", "\r": " ", "\t": " "})
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Annotation:
    start: int  # offset in title + " " + abstract
    end: int
    text: str
    label: str
    section: str | None
    attrs: dict[str, Any]

    @property
    def identifier(self) -> str:
        return str(self.attrs.get("drugbank_id") or "-") if self.label == "DRUG" else "-"


@dataclass
class Document:
    id: str
    title: str
    abstract: str
    abstract_source_offset: int | None
    annotations: list[Annotation] = field(default_factory=list)
    unlocated: int = 0

    @property
    def text(self) -> str:
        return f"{self.title} {self.abstract}"


def flat(text: str) -> str:
    """Line breaks and tabs as spaces, one for one."""
    return text.translate(_LINE_BREAKS)


def interop_document(record: dict[str, Any]) -> Document | None:
    """The record in PubTator's layout, or None when it has neither title nor abstract."""
    title = flat((record.get("metadata") or {}).get("title") or "")
    abstract_span = record.get("abstract") or {}
    abstract = flat(abstract_span.get("text") or "")
    if not title and not abstract:
        return None
    doc = Document(str(record["id"]), title, abstract, abstract_span.get("start"))
    base = len(title) + 1
    delta = None  # title entity offset minus its position in the title
    cursor = 0
    for entity in record.get("entities") or []:
        text = flat(entity.get("text") or "")
        start, end = entity.get("start"), entity.get("end")
        if entity.get("section") == "TITLE":
            if delta is not None and title[start - delta:end - delta] == text:
                pos = start - delta
            else:
                pos = title.find(text, cursor)
                pos = title.find(text) if pos < 0 else pos
                if pos < 0 or not text:
                    doc.unlocated += 1
                    continue
                delta = start - pos
            cursor = pos + len(text)
        else:
            offset = start - (doc.abstract_source_offset or 0)
            if doc.abstract_source_offset is None or abstract[offset:offset + len(text)] != text:
                doc.unlocated += 1
                continue
            pos = base + offset
        doc.annotations.append(Annotation(pos, pos + len(text), text, entity.get("label", ""),
                                          entity.get("section"), entity.get("attrs") or {}))
    return doc


def pubtator_text(doc: Document) -> str:
    doc_id = re.sub(r"[|\t\r\n]", "_", doc.id)
    lines = [f"{doc_id}|t|{doc.title}", f"{doc_id}|a|{doc.abstract}"]
    lines += [f"{doc_id}\t{a.start}\t{a.end}\t{a.text}\t{a.label}\t{a.identifier}" for a in doc.annotations]
    return "\n".join(lines) + "\n\n"


def _infon(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub(" ", text)


def bioc_document(doc: Document, record: dict[str, Any]):
    import bioc

    meta = record.get("metadata") or {}
    source = record.get("source") or {}
    out = bioc.BioCDocument()
    out.id = doc.id
    for key, value in (("pmid", meta.get("pmid")), ("doi", meta.get("doi")), ("journal", meta.get("journal")),
                       ("year", meta.get("year")), ("status", record.get("status")),
                       ("source_path", source.get("path")), ("source_sha256", source.get("sha256")),
                       ("schema_version", record.get("schema_version"))):
        if value is not None:
            out.infons[key] = _xml_safe(_infon(value))
    title = bioc.BioCPassage.of_text(_xml_safe(doc.title), 0)
    title.infons["type"] = "title"
    abstract = bioc.BioCPassage.of_text(_xml_safe(doc.abstract), len(doc.title) + 1)
    abstract.infons["type"] = "abstract"
    if doc.abstract_source_offset is not None:
        abstract.infons["source_offset"] = str(doc.abstract_source_offset)
    for number, ann in enumerate(doc.annotations):
        item = bioc.BioCAnnotation()
        item.id = f"T{number}"
        item.text = _xml_safe(ann.text)
        item.infons.update(type=ann.label, identifier=ann.identifier, section=ann.section or "")
        for key, value in ann.attrs.items():
            item.infons[f"attr:{key}"] = _xml_safe(_infon(value))
        item.add_location(bioc.BioCLocation(ann.start, ann.end - ann.start))
        (title if ann.start < len(doc.title) + 1 else abstract).add_annotation(item)
    out.add_passage(title)
    out.add_passage(abstract)
    return out


def export_interop(records_path: str | Path, fmt: str, out: str | Path | IO) -> dict[str, int]:
    """Stream a records JSONL into a PubTator or BioC XML file; returns the counts."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    counts = {"documents": 0, "annotations": 0, "records_left_out": 0, "entities_left_out": 0}
    if fmt == "pubtator":
        fh = open(out, "w", encoding="utf-8") if isinstance(out, (str, Path)) else out
        writer = None
    else:
        from datetime import date

        import bioc
        from bioc.biocxml import BioCXMLDocumentWriter

        fh = None
        writer = BioCXMLDocumentWriter(str(out) if isinstance(out, Path) else out)
        collection = bioc.BioCCollection()
        collection.source, collection.date, collection.key = "abstracts", date.today().isoformat(), "abstracts.key"
        writer.write_collection_info(collection)
    try:
        for record in iter_records(records_path):
            doc = interop_document(record) if record.get("status") in ("ok", "no_abstract") else None
            if doc is None:
                counts["records_left_out"] += 1
                continue
            counts["documents"] += 1
            counts["annotations"] += len(doc.annotations)
            counts["entities_left_out"] += doc.unlocated
            if writer is None:
                fh.write(pubtator_text(doc))
            else:
                writer.write_document(bioc_document(doc, record))
    finally:
        if writer is not None:
            writer.close()
        elif fh is not None and fh is not out:
            fh.close()
    return counts
