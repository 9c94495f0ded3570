"""What a batch run reports: a compact `RecordInfo` per written record and the `Summary`.

Workers send `(json_line, RecordInfo)` back to the parent instead of the pydantic record:
the line is what gets written, the info is all the summary, the duplicate check and
`--resume` need, and both pickle cheaply.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

Key = tuple[str, str, int]  # (source.path, source.sha256, source.index): what --resume matches on


class RecordInfo(NamedTuple):
    key: Key
    format: str
    status: str
    id: str
    pmid: str | None
    doi: str | None
    labels: tuple[str, ...]  # entity labels, one per entity
    warnings: int
    problem: str | None  # "path#index: Type: message" for error records

    @classmethod
    def of_record(cls, record) -> RecordInfo:
        return cls.of_dict(record.to_dict())

    @classmethod
    def of_dict(cls, data: dict[str, Any]) -> RecordInfo:
        source = data.get("source") or {}
        meta = data.get("metadata") or {}
        key = (str(source.get("path", "")), str(source.get("sha256", "")), int(source.get("index", 0)))
        error = data.get("error")
        problem = None
        if data.get("status") == "error" and error:
            problem = f"{key[0]}#{key[2]}: {error.get('type')}: {error.get('message')}"
        return cls(
            key=key,
            format=str(source.get("format", "")),
            status=str(data.get("status", "")),
            id=str(data.get("id", "")),
            pmid=meta.get("pmid"),
            doi=meta.get("doi"),
            labels=tuple(e.get("label", "") for e in data.get("entities") or ()),
            warnings=len(data.get("warnings") or ()),
            problem=problem,
        )


@dataclass
class Summary:
    files: int = 0
    records: int = 0
    by_status: Counter = field(default_factory=Counter)
    entities: Counter = field(default_factory=Counter)
    warnings: int = 0
    seconds: float = 0.0
    cpu: float = 0.0  # CPU seconds of this process over `seconds` (workers' are in `workers`)
    problems: list[str] = field(default_factory=list)
    reused: int = 0  # records carried over by --resume
    duplicates: list[str] = field(default_factory=list)  # later records sharing an id (kept, warned)
    dropped: list[str] = field(default_factory=list)  # later records dropped by --dedupe pmid/doi
    dedupe: str = "warn"
    workers: dict[int, dict[str, float]] = field(default_factory=dict)  # pid -> memory figures (MB)

    def add(self, record) -> None:
        """Count one written record (a `Record`, or its `RecordInfo`)."""
        self.add_info(record if isinstance(record, RecordInfo) else RecordInfo.of_record(record))

    def add_info(self, info: RecordInfo) -> None:
        self.records += 1
        self.by_status[info.status] += 1
        self.warnings += info.warnings
        self.entities.update(info.labels)
        if info.problem:
            self.problems.append(info.problem)

    def note_worker(self, pid: int, memory: dict[str, float]) -> None:
        seen = self.workers.setdefault(pid, {})
        for name, value in memory.items():
            seen[name] = max(seen.get(name, 0.0), value)

    def lines(self) -> list[str]:
        status = ", ".join(f"{k} {v}" for k, v in sorted(self.by_status.items()))
        ents = ", ".join(f"{k} {v}" for k, v in sorted(self.entities.items())) or "none"
        rate = self.records / self.seconds if self.seconds else 0.0
        out = [
            f"{self.records} records from {self.files} files in {self.seconds:.1f}s ({rate:.1f} records/s)",
            f"status: {status}",
            f"entities: {ents}",
        ]
        errors, empty = self.by_status.get("error", 0), self.by_status.get("no_abstract", 0)
        if errors or empty or self.warnings:
            out.append(f"problems: {errors} errors, {empty} without abstract, {self.warnings} warnings")
        else:
            out.append("problems: none")
        if self.reused:
            out.append(f"resumed: {self.reused} records reused, {self.records - self.reused} made in this run")
        if self.duplicates:
            out.append(
                f"duplicates: {len(self.duplicates)} records repeat the id of an earlier record (kept, with a "
                f"warning; --dedupe pmid or doi keeps only the first): " + _examples(self.duplicates)
            )
        if self.dropped:
            out.append(f"duplicates: {len(self.dropped)} records dropped (--dedupe {self.dedupe}, the first kept): "
                       + _examples(self.dropped))
        return out


def _examples(items: list[str], limit: int = 5) -> str:
    shown = "; ".join(items[:limit])
    return shown + (f"; ... and {len(items) - limit} more" if len(items) > limit else "")
