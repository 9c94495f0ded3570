"""`abstracts review`: a records JSONL as one self-contained HTML page to check by eye.

The page shows each record's title, metadata, source, status and messages, the abstract
in section bands with entities highlighted by label (displaCy colours; attributes on hover
and click), filters by label, section and status, and search by id, PMID, DOI or drug.
Error and no-abstract records are also listed at the top with their messages.

Records are embedded as compact JSON (`review_data`) and drawn a page at a time by
templates/review.js, so a 10,000-record file opens quickly. All text is escaped: the data
block is escaped for `<script>` (page.script_json), the script only ever creates text
nodes, and the page's CSP lets no other script run.

Offsets: entity and section offsets in a record index the source text; the page shows
them relative to `abstract.start` inside the abstract, and title entities (section
"TITLE") are placed in `metadata.title`, where they are found by text.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, get_args
from urllib.parse import quote

from pydantic import BaseModel, Field

from pipeline.output.page import render_page, script_json
from pipeline.records import EntityLabel, SectionLabel

ENTITY_LABELS: tuple[str, ...] = get_args(EntityLabel)
SECTION_LABELS: tuple[str, ...] = get_args(SectionLabel)
PROBLEM_STATUSES = ("error", "no_abstract")
PROBLEMS_LISTED = 500  # more than this: the list says how many more, the status filter shows all

# Metadata shown on the page (in this order); any other field is shown after them.
_META_SKIP = {"title", "mesh"}


class ReviewSummary(BaseModel):
    records: int = 0
    statuses: dict[str, int] = Field(default_factory=dict)
    entities: dict[str, int] = Field(default_factory=dict)
    unreadable_lines: int = 0
    bytes: int = 0


# --------------------------------------------------------------------------- reading


def read_records(path: str | Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, record, problem) for each non-blank line; a line that is not a JSON
    object gives (n, None, message) so that a truncated file still opens."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, None, f"line {n}: not JSON ({exc.msg})"
                continue
            if not isinstance(record, dict):
                yield n, None, f"line {n}: not a JSON object"
                continue
            yield n, record, None


# --------------------------------------------------------------------------- layout (pure functions)


def nest_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Display extents for spans (given sorted by start, longest first) that nest properly:
    a span that starts inside an earlier one and ends after it starts at that one's end.
    Every span keeps a non-empty extent, so each one is drawn exactly once."""
    out: list[tuple[int, int]] = []
    open_ends: list[int] = []
    for start, end in spans:
        while open_ends and open_ends[-1] <= start:
            open_ends.pop()
        while open_ends and end > open_ends[-1]:
            start = max(start, open_ends.pop())
        out.append((start, end))
        open_ends.append(end)
    return out


def layout_bands(size: int, sections: list[tuple[str, str | None, int, int]], cuts_inside: list[tuple[int, int]]) -> list[list[Any]]:
    """Bands `[label | None, heading, start, end]` that tile the abstract text [0, size).

    `sections` are (label, heading, start, end) relative to the abstract. Text before a
    section (its heading, "METHODS:") joins that section's band, text after the last
    section joins the last band, and a band edge that would cut an entity (`cuts_inside`,
    display extents) moves to that entity's end."""
    secs = sorted((max(0, s), min(size, e), label, heading) for label, heading, s, e in sections if min(size, e) > max(0, s))
    if not secs:
        return [[None, None, 0, size]] if size else []
    bands: list[list[Any]] = []
    pos = 0
    for start, end, label, heading in secs:
        if end <= pos:
            continue
        bands.append([label, heading, pos, end])
        pos = end
    bands[-1][3] = size
    for i in range(len(bands) - 1):
        edge = bands[i][3]
        for s, e in cuts_inside:
            if s < edge < e:
                edge = max(edge, e)
        edge = min(edge, bands[i + 1][3])
        bands[i][3] = bands[i + 1][2] = edge
    return [b for b in bands if b[3] > b[2]]


def place_in_title(title: str, entities: list[Mapping[str, Any]]) -> list[tuple[int, int] | None]:
    """Where each title entity (source offsets) sits in `metadata.title`, or None.

    The title's own source offset is not in the record, so it is the one most entities
    agree on (source start minus position of the entity text in the title); entities that
    do not fit it are found by text, left to right."""
    candidates: Counter[int] = Counter()
    for e in entities:
        text = e.get("text") or ""
        pos = title.find(text) if text else -1
        while pos >= 0:
            candidates[int(e["start"]) - pos] += 1
            pos = title.find(text, pos + 1)
    base = candidates.most_common(1)[0][0] if candidates else None
    out: list[tuple[int, int] | None] = []
    cursor = 0
    for e in entities:
        text = e.get("text") or ""
        placed = None
        if base is not None and text:
            s = int(e["start"]) - base
            if 0 <= s and title[s : s + len(text)] == text:
                placed = (s, s + len(text))
        if placed is None and text:
            s = title.find(text, cursor)
            if s < 0:
                s = title.find(text)
            placed = (s, s + len(text)) if s >= 0 else None
        if placed:
            cursor = placed[1]
        out.append(placed)
    return out


# --------------------------------------------------------------------------- compact records


def _index(names: list[str], name: str | None) -> int:
    """Position of `name` in the shared name table (added when new); -1 for none."""
    if name is None:
        return -1
    if name not in names:
        names.append(name)
    return names.index(name)


def _marks(
    spans: list[tuple[Mapping[str, Any], int, int]], labels: list[str], sections: list[str], base: int | None = None
) -> list[list[Any]]:
    """Entity rows `[label, start, end, section, attrs]` relative to their text, nested for
    drawing (see review.js), plus `source_start, source_end` unless those are base + start
    and base + end."""
    spans = sorted(spans, key=lambda t: (t[1], -t[2]))
    extents = nest_spans([(s, e) for _, s, e in spans])
    rows = []
    for (ent, s, e), (ds, de) in zip(spans, extents):
        row = [_index(labels, ent.get("label")), ds, de, _index(sections, ent.get("section")), ent.get("attrs") or {}]
        if base is None or (ent.get("start"), ent.get("end")) != (base + ds, base + de):
            row += [ent.get("start"), ent.get("end")]
        rows.append(row)
    return rows


def compact_record(record: Mapping[str, Any], labels: list[str], sections: list[str], source: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The fields the page draws, in short keys (documented in review.js)."""
    meta = record.get("metadata") or {}
    title = meta.get("title") or ""
    src = record.get("source") or {}
    out: dict[str, Any] = {"id": str(record.get("id", "")), "st": record.get("status") or "?", "t": title}
    meta_out = {k: v for k, v in meta.items() if k not in _META_SKIP and v not in (None, "", [], {})}
    if "mesh_terms" not in meta_out and meta.get("mesh"):
        meta_out["mesh_terms"] = [m.get("descriptor") for m in meta["mesh"] if isinstance(m, dict)]
    if meta_out:
        out["m"] = meta_out
    out["src"] = {"p": src.get("path"), "f": src.get("format"), "i": src.get("index", 0), "h": (src.get("sha256") or "")[:12]}
    if source:
        out["src"].update(source)
    if record.get("error"):
        out["err"] = [record["error"].get("type"), record["error"].get("message")]
    if record.get("warnings"):
        out["w"] = list(record["warnings"])
    abstract = record.get("abstract") or None
    base = int(abstract["start"]) if abstract else 0
    text = (abstract.get("text") or "") if abstract else ""
    in_text, in_title, other = [], [], []
    for ent in record.get("entities") or []:
        s, e = int(ent["start"]) - base, int(ent["end"]) - base
        if abstract and 0 <= s < e <= len(text) and ent.get("section") != "TITLE":
            in_text.append((ent, s, e))
        elif ent.get("section") == "TITLE" or not abstract:
            in_title.append(ent)
        else:
            other.append(ent)
    placed = place_in_title(title, in_title) if in_title else []
    title_spans = [(ent, p[0], p[1]) for ent, p in zip(in_title, placed) if p]
    other += [ent for ent, p in zip(in_title, placed) if not p]
    if title_spans:
        out["te"] = _marks(title_spans, labels, sections)
    if abstract:
        out["x"] = text
        out["xs"] = base
        out["e"] = _marks(in_text, labels, sections, base)
        secs = [(s.get("label"), s.get("heading"), int(s["start"]) - base, int(s["end"]) - base) for s in record.get("sections") or []]
        bands = layout_bands(len(text), secs, [(r[1], r[2]) for r in out["e"]])
        out["b"] = [[_index(sections, b[0]), b[1], b[2], b[3]] for b in bands]
    if other:  # offsets outside the abstract that are not in the title: listed, still marked
        out["oe"] = _marks([(ent, 0, len(ent.get("text") or "?")) for ent in other], labels, sections)
        out["ot"] = [ent.get("text") or "?" for ent in other]
    return out


def source_link(path: str | None, source_root: Path, out_dir: Path | None) -> dict[str, Any]:
    """With --source-root: a link to the source file (relative to the page when possible)
    and whether the file is there."""
    if not path:
        return {}
    full = Path(path) if os.path.isabs(path) else source_root / path
    href = None
    if out_dir is not None:
        try:
            href = quote(Path(os.path.relpath(full.resolve(), out_dir.resolve())).as_posix())
        except ValueError:  # another drive on Windows
            href = None
    return {"href": href or full.resolve().as_uri(), "full": str(full), "miss": int(not full.exists())}


def review_data(
    records: Iterable[Mapping[str, Any]], source_root: str | Path | None = None, out_dir: str | Path | None = None
) -> dict[str, Any]:
    """Everything review.js draws: name tables and the compact records (in input order)."""
    labels = list(ENTITY_LABELS)
    sections = list(SECTION_LABELS) + ["TITLE"]
    root = Path(source_root) if source_root is not None else None
    where = Path(out_dir) if out_dir is not None else None
    rows = []
    for record in records:
        link = source_link((record.get("source") or {}).get("path"), root, where) if root is not None else None
        rows.append(compact_record(record, labels, sections, link))
    return {"labels": labels, "sections": sections, "records": rows}


# --------------------------------------------------------------------------- the page


def _problem(record: Mapping[str, Any]) -> dict[str, str]:
    err = record.get("error") or {}
    message = f"{err.get('type')}: {err.get('message')}" if err else "; ".join(record.get("warnings") or []) or "-"
    return {"id": str(record.get("id", "")), "status": record.get("status") or "?",
            "path": (record.get("source") or {}).get("path") or "", "message": message}


def render_review(
    records: Iterable[Mapping[str, Any]],
    *,
    title: str = "records",
    source_root: str | Path | None = None,
    out_dir: str | Path | None = None,
    unreadable: Iterable[str] = (),
) -> str:
    """The review page for `records` (dicts in the record-contract shape) as HTML text."""
    records = list(records)
    data = review_data(records, source_root=source_root, out_dir=out_dir)
    statuses = Counter(r.get("status") or "?" for r in records)
    entities = Counter(e.get("label") for r in records for e in r.get("entities") or [])
    problems = [_problem(r) for r in records if r.get("status") in PROBLEM_STATUSES]
    return render_page(
        "review.html.j2",
        css=["base.css", "review.css"],
        js=["review.js"],
        title=title,
        total=len(records),
        statuses=sorted(statuses.items()),
        label_counts=[(label, entities.get(label, 0)) for label in data["labels"]],
        problems=problems[:PROBLEMS_LISTED],
        problems_more=max(0, len(problems) - PROBLEMS_LISTED),
        unreadable=list(unreadable),
        source_root=str(source_root) if source_root is not None else None,
        data=script_json(data),
    )


def write_review(jsonl: str | Path, output: str | Path, source_root: str | Path | None = None) -> ReviewSummary:
    """Read a records JSONL and write its review page to `output`; returns counts."""
    records, unreadable = [], []
    for _, record, problem in read_records(jsonl):
        if record is None:
            unreadable.append(problem)
        else:
            records.append(record)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    html = render_review(records, title=Path(jsonl).name, source_root=source_root, out_dir=output.parent,
                         unreadable=unreadable)
    data = html.encode("utf-8", errors="replace")
    output.write_bytes(data)
    return ReviewSummary(
        records=len(records),
        statuses=dict(Counter(r.get("status") or "?" for r in records)),
        entities=dict(Counter(e.get("label") for r in records for e in r.get("entities") or [])),
        unreadable_lines=len(unreadable),
        bytes=len(data),
    )
