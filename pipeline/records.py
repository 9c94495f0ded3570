"""The output record (pydantic models) and the one place a Doc becomes a record.

The field names and meanings follow ../shared/spec/record-contract.md; the JSON Schema
generated from these models is committed at schemas/record.schema.json.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline._extensions import doc_text, section_at, section_bounds

SCHEMA_VERSION = "1.0"

Status = Literal["ok", "no_abstract", "error", "deleted"]
EntityLabel = Literal["DRUG", "DOSE", "SURVIVAL", "HAZARD_RATIO"]
SectionLabel = Literal["BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS", "UNASSIGNED"]


class Source(BaseModel):
    path: str
    sha256: str
    format: str
    index: int = 0


class MeshTerm(BaseModel):
    model_config = ConfigDict(extra="allow")
    descriptor: str
    major: bool = False
    qualifiers: list[str] = Field(default_factory=list)
    ui: str | None = None


class Metadata(BaseModel):
    model_config = ConfigDict(extra="allow")
    title: str | None = None
    journal: str | None = None
    journal_title: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    authors: list[str] = Field(default_factory=list)
    affiliations: list[str] = Field(default_factory=list)
    mesh_terms: list[str] = Field(default_factory=list)
    mesh: list[MeshTerm] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    publication_types: list[str] = Field(default_factory=list)
    copyright: str | None = None


class TextSpan(BaseModel):
    text: str
    start: int
    end: int


class Section(BaseModel):
    label: SectionLabel
    heading: str | None = None
    start: int
    end: int
    source: Literal["heading", "xml", "model", "paragraph", "sentence"] | None = None


class Entity(BaseModel):
    label: EntityLabel
    start: int
    end: int
    text: str
    section: str | None = None
    attrs: dict[str, Any] = Field(default_factory=dict)


class ErrorInfo(BaseModel):
    type: str
    message: str


class Record(BaseModel):
    """One article. `to_json()` is the JSONL line: metadata fields the input does not show
    are left out (never null or guessed), and `error` appears only on error records."""

    schema_version: str = SCHEMA_VERSION
    id: str
    source: Source
    status: Status
    error: ErrorInfo | None = None
    metadata: Metadata = Field(default_factory=Metadata)
    abstract: TextSpan | None = None
    sections: list[Section] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["metadata"] = {k: v for k, v in data["metadata"].items() if v not in (None, [], "")}
        if data.get("error") is None:
            data.pop("error", None)
        return data

    def to_json(self) -> str:
        import json

        return json.dumps(self.to_dict(), ensure_ascii=False)


def record_json_schema() -> dict[str, Any]:
    schema = Record.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Abstract record"
    return schema


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def record_id(metadata: Metadata, path: str, index: int) -> str:
    """The PMID when known, else the DOI, else `path#index` (record contract)."""
    return metadata.pmid or metadata.doi or f"{path}#{index}"


def build_record(article, docs=()) -> Record:
    """Turn an `Article` and its processed segment Docs (title, abstract) into a Record."""
    metadata = Metadata.model_validate(article.metadata or {})
    source = Source(path=article.path, sha256=article.sha256, format=article.format, index=article.index)
    record = Record(
        id=record_id(metadata, article.path, article.index),
        source=source,
        status=article.status,
        error=ErrorInfo(**article.error) if article.error else None,
        metadata=metadata,
        warnings=list(article.warnings),
    )
    if article.abstract_span:
        start, end = article.abstract_span
        record.abstract = TextSpan(text=article.source_text[start:end], start=start, end=end)
    entities: list[Entity] = []
    for doc in docs:
        offset = doc._.segment_start
        text = doc_text(doc)  # span texts are slices of it (`span.text` joins Token objects)
        in_abstract = doc._.segment == "abstract"
        sections = section_bounds(doc) if in_abstract else []  # what `Span._.section` reads, taken once per Doc
        if in_abstract:
            for span in doc.spans.get("sections", []):
                record.sections.append(
                    Section(
                        label=span.label_,
                        heading=span._.heading,
                        start=offset + span.start_char,
                        end=offset + span.end_char,
                        source=span._.section_source,
                    )
                )
        for span in doc.spans.get("entities", []):
            start, end = span.start_char, span.end_char
            section = section_at(sections, start) if in_abstract else "TITLE"
            entities.append(
                Entity(
                    label=span.label_,
                    start=offset + start,
                    end=offset + end,
                    text=text[start:end],
                    section=section,
                    attrs=_json_safe(span._.attrs or {}),
                )
            )
    entities.sort(key=lambda e: (e.start, e.end, e.label))
    record.entities = entities
    return record
