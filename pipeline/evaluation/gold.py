"""Gold data: build contract-shaped gold records from hand-written authoring files.

Annotators never count characters. An authoring file (gold/authoring/<pass>/<key>.json)
quotes each span with a little context, and `resolve_authoring` turns quotes into
`[start, end)` offsets over the document's source text:

    {
      "doc": "seed:000_2388d6691ff22e17",          # or "pmc:PMC1234567", "corpus:pubmed_new/x.txt"
      "annotator": "pass1",
      "metadata": {"title": "...", "journal": "Surgery", "year": 2004, ...},
      "abstract": {"first": "We report results", "last": "evaluation is important."},
      "sections": [{"label": "OBJECTIVE", "heading": null, "first": "We report", "last": "(NENs)."}],
      "entities": [{"label": "DRUG", "text": "melphalan", "context": "mg/kg melphalan and/or",
                    "attrs": {"norm": "melphalan"}}]
    }

- `context` must occur exactly once in the source text and contain `text`; `nth` (0-based,
  default 0) picks among repeats of `text` inside the context.
- `first`/`last` of a section or the abstract: the span runs from the first occurrence of
  `first` (searched after the previous section) to the end of the first occurrence of
  `last` at or after that point.
Document keys and their source texts are described in gold/README.md.

`check_gold(records)` validates built gold records against their source texts and the
annotation guidelines (docs/evaluation.md lists every check).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.vocabulary import vocabulary

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SHARED = REPO_ROOT.parent / "shared"


class GoldError(ValueError):
    """An authoring or gold file that does not fit the source text or the guidelines."""


def _pmc_records(shared: Path) -> dict[str, dict[str, Any]]:
    path = shared / "data" / "pmc-rct" / "abstracts.jsonl"
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            out[rec["pmcid"]] = rec
    return out


_PMC_CACHE: dict[str, dict[str, dict[str, Any]]] = {}


def pmc_source_text(record: dict[str, Any]) -> str:
    """Source text of a pmc-rct abstracts.jsonl record: the structured layout of its title + sections."""
    from pipeline.article import layout_structured

    text, *_ = layout_structured(record.get("title"), [(s.get("heading"), s.get("text", "")) for s in record["sections"]])
    return text


def doc_source_path(doc_key: str, shared: Path = DEFAULT_SHARED, repo: Path = REPO_ROOT) -> str:
    """The `source.path` a gold record carries for a document key."""
    kind, _, name = doc_key.partition(":")
    if kind == "seed":
        return f"seeds/{name}.txt"
    if kind == "corpus":
        return f"corpus/{name}"
    if kind == "pmc":
        return f"pmc-rct:{name}"
    if kind == "file":
        return name
    raise GoldError(f"unknown document key {doc_key!r} (expected seed:, corpus:, pmc: or file:)")


def load_source_text(doc_key: str, shared: Path = DEFAULT_SHARED, repo: Path = REPO_ROOT) -> str:
    kind, _, name = doc_key.partition(":")
    if kind == "seed":
        from pipeline.readers.decode import read_source_text

        return read_source_text(shared / "seeds" / f"{name}.txt")
    if kind == "corpus":
        from pipeline.readers.decode import read_source_text

        return read_source_text(repo / "corpus" / name)
    if kind == "pmc":
        key = str(shared)
        if key not in _PMC_CACHE:
            _PMC_CACHE[key] = _pmc_records(shared)
        try:
            return pmc_source_text(_PMC_CACHE[key][name])
        except KeyError:
            raise GoldError(f"{name} is not in pmc-rct/abstracts.jsonl") from None
    if kind == "file":  # a file inside the repository, e.g. tests/fixtures/blind_abstracts/x.txt
        from pipeline.readers.decode import read_source_text

        return read_source_text(repo / name)
    raise GoldError(f"unknown document key {doc_key!r} (expected seed:, corpus: or pmc:)")


def _locate_quote(text: str, quote: str, context: str | None, nth: int, where: str) -> tuple[int, int]:
    if context is None:
        context = quote
    first = text.find(context)
    if first < 0:
        raise GoldError(f"{where}: context {context!r} not found in the source text")
    if text.find(context, first + 1) >= 0:
        raise GoldError(f"{where}: context {context!r} occurs more than once; quote more of it")
    inner = -1
    for _ in range(nth + 1):
        inner = context.find(quote, inner + 1)
        if inner < 0:
            raise GoldError(f"{where}: text {quote!r} (nth={nth}) not inside context {context!r}")
    start = first + inner
    return start, start + len(quote)


def _locate_range(text: str, first: str, last: str, after: int, where: str) -> tuple[int, int]:
    start = text.find(first, after)
    if start < 0:
        raise GoldError(f"{where}: first words {first!r} not found after offset {after}")
    end_at = text.find(last, start)
    if end_at < 0:
        raise GoldError(f"{where}: last words {last!r} not found after {first!r}")
    return start, end_at + len(last)


def resolve_authoring(authoring: dict[str, Any], text: str) -> dict[str, Any]:
    """Turn one authoring dict into a gold record (contract shape) over `text`."""
    doc = authoring["doc"]
    record: dict[str, Any] = {"schema_version": "1.0", "doc": doc}
    if "metadata" in authoring:
        record["metadata"] = authoring["metadata"]
    if "status" in authoring:
        record["status"] = authoring["status"]
    if authoring.get("abstract"):
        a = authoring["abstract"]
        start, end = _locate_range(text, a["first"], a["last"], 0, f"{doc} abstract")
        record["abstract"] = {"start": start, "end": end, "text": text[start:end]}
    if "sections" in authoring:
        sections = []
        after = record.get("abstract", {}).get("start", 0)
        for i, s in enumerate(authoring["sections"]):
            start, end = _locate_range(text, s["first"], s["last"], after, f"{doc} section {i}")
            sections.append({"label": s["label"], "heading": s.get("heading"), "start": start, "end": end})
            after = end
        record["sections"] = sections
    if "entities" in authoring:
        entities = []
        for i, e in enumerate(authoring["entities"]):
            where = f"{doc} entity {i} ({e.get('label')} {e.get('text')!r})"
            start, end = _locate_quote(text, e["text"], e.get("context"), int(e.get("nth", 0)), where)
            entities.append(
                {"label": e["label"], "start": start, "end": end, "text": text[start:end], "attrs": e.get("attrs", {})}
            )
        entities.sort(key=lambda x: (x["start"], x["end"], x["label"]))
        record["entities"] = entities
    return record


def build_gold_file(authoring_dir: Path, out_path: Path, shared: Path = DEFAULT_SHARED, prefix: str | None = None) -> int:
    """Resolve every authoring file in a folder (optionally only keys starting with `prefix`) to one JSONL."""
    records = []
    for path in sorted(Path(authoring_dir).glob("*.json")):
        authoring = json.loads(path.read_text(encoding="utf-8"))
        if prefix and not authoring["doc"].startswith(prefix):
            continue
        text = load_source_text(authoring["doc"], shared)
        rec = resolve_authoring(authoring, text)
        rec["source"] = {"path": doc_source_path(authoring["doc"], shared)}
        records.append(rec)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return len(records)


# --------------------------------------------------------------------------- gold validation

# The closed vocabularies of a gold record (pipeline/data/vocabulary.json).
_SCHEMA = vocabulary()
ENTITY_LABELS = tuple(_SCHEMA["entity_labels"])
SECTION_LABELS = tuple(_SCHEMA["section_labels"])
ENDPOINTS = tuple(_SCHEMA["endpoints"])
SURVIVAL_MEASURES = tuple(_SCHEMA["survival_measures"])
SURVIVAL_UNITS = tuple(_SCHEMA["survival_units"])
STATUSES = tuple(_SCHEMA["statuses"])
# Attribute names the guidelines define per label, plus documented extras.
GOLD_ATTRIBUTES: dict[str, frozenset[str]] = {label: frozenset(names) for label, names in _SCHEMA["attributes"].items()}
# A span never starts or ends on these (guidelines, "Offsets").
SENTENCE_PUNCTUATION = frozenset(".,;:!?")
_GAP_FILLER = frozenset(" \t\r\n\u00a0:.-\u2013\u2014|")


def _is_number(value: Any) -> bool:
    import math

    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(map(_is_number, value)) and value[0] <= value[1]


def _numbers_in(text: str) -> list[float]:
    """Every reading of the numbers written in a span: `8.0`, `8,5` / `8\u00b75` (decimal
    comma or middle dot) and `1,200` (thousands separator) all count."""
    import re

    out: list[float] = []
    for m in re.finditer(r"\d+(?:[.,\u00b7]\d+)*", text):
        raw = m.group()
        groups = re.split(r"[.,\u00b7]", raw)
        if len(groups) <= 2:
            out.append(float(".".join(groups)))
        if "," in raw and "." not in raw and all(len(g) == 3 for g in groups[1:]):
            out.append(float("".join(groups)))
    return out


def _value_in_text(value: float, text: str) -> bool:
    import math

    return any(math.isclose(value, n, rel_tol=1e-9, abs_tol=1e-9) for n in _numbers_in(text))


def _check_attrs(label: str, attrs: Any, text: str, drug_texts: set[str]) -> list[str]:
    if not isinstance(attrs, dict):
        return [f"attrs must be an object, not {type(attrs).__name__}"]
    problems = [f"unknown attribute {name!r} for {label}" for name in sorted(set(attrs) - GOLD_ATTRIBUTES.get(label, frozenset()))]
    a = attrs
    for name in ("value", "low", "high"):
        if name in a and not _is_number(a[name]):
            problems.append(f"{name} must be a number, not {a[name]!r}")
    for name in ("ci", "range"):
        if name in a and not _is_pair(a[name]):
            problems.append(f"{name} must be [low, high] numbers with low <= high, not {a[name]!r}")
    for name in ("norm", "unit", "drug", "horizon", "p", "group", "qualifier", "drugbank_id", "mesh_id", "scope"):
        if name in a and not (isinstance(a[name], str) and a[name].strip()):
            problems.append(f"{name} must be a non-empty string, not {a[name]!r}")
    if "endpoint" in a and a["endpoint"] not in ENDPOINTS:
        problems.append(f"endpoint {a['endpoint']!r} is not one of {', '.join(ENDPOINTS)}")
    if label == "DRUG" and isinstance(a.get("norm"), str) and a["norm"] != a["norm"].lower():
        problems.append(f"norm {a['norm']!r} must be lower-case")
    if label == "DOSE":
        forms = [f for f in ("value", "values") if f in a] + (["low/high"] if "low" in a or "high" in a else [])
        if len(forms) > 1:
            problems.append(f"use one of value, low/high, values (has {', '.join(forms)})")
        if ("low" in a) != ("high" in a):
            problems.append("low and high go together")
        elif _is_number(a.get("low")) and _is_number(a.get("high")) and a["low"] > a["high"]:
            problems.append(f"low {a['low']} > high {a['high']}")
        if "values" in a and not (isinstance(a["values"], list) and len(a["values"]) >= 2 and all(map(_is_number, a["values"]))):
            problems.append(f"values must be a list of two or more numbers, not {a['values']!r}")
        if isinstance(a.get("drug"), str) and a["drug"] not in drug_texts:
            problems.append(f"drug {a['drug']!r} is not the text of a DRUG mention in this record")
        if "^" not in text and "\u00d7" not in text:
            numbers = [a.get("value"), a.get("low"), a.get("high"), *(a.get("values") or [])]
            for n in numbers:
                if _is_number(n) and not _value_in_text(n, text):
                    problems.append(f"number {n} is not written in the span")
    if label == "SURVIVAL":
        if "measure" in a and a["measure"] not in SURVIVAL_MEASURES:
            problems.append(f"measure {a['measure']!r} is not one of {', '.join(SURVIVAL_MEASURES)}")
        if "unit" in a and a["unit"] not in SURVIVAL_UNITS:
            problems.append(f"unit {a['unit']!r} is not one of {', '.join(SURVIVAL_UNITS)}")
        if "scope" in a and a["scope"] != "hepatic":
            problems.append(f"scope is 'hepatic' or absent, not {a['scope']!r}")
        if a.get("measure") == "rate" and "unit" in a and a["unit"] != "%":
            problems.append(f"a rate has unit '%', not {a['unit']!r}")
        if a.get("measure") in ("median", "mean") and a.get("unit") == "%":
            problems.append(f"a {a['measure']} time cannot have unit '%'")
        if "horizon" in a and a.get("measure") not in ("rate", None):
            problems.append(f"horizon belongs to a rate, not a {a.get('measure')}")
    if label == "HAZARD_RATIO" and _is_number(a.get("value")) and a["value"] <= 0:
        problems.append(f"a hazard ratio is positive, not {a['value']}")
    if label in ("SURVIVAL", "HAZARD_RATIO") and _is_number(a.get("value")) and not _value_in_text(a["value"], text):
        problems.append(f"value {a['value']} is not written in the span")
    return problems


def _check_span_edges(text: str, start: int, end: int, punctuation: bool) -> list[str]:
    problems = []
    for where, ch in (("starts", text[start]), ("ends", text[end - 1])):
        if ch.isspace():
            problems.append(f"{where} on white space")
        elif punctuation and ch in SENTENCE_PUNCTUATION:
            problems.append(f"{where} on sentence punctuation {ch!r}")
    if punctuation:
        # an entity never cuts a word ("platin" in "cisplatin"); capitals glued together may
        # be separate defined abbreviations (guidelines: "EC→T" -> E, C, T), so they pass
        def cuts(a: str, b: str) -> bool:
            return a.isalpha() and b.isalpha() and not (a.isupper() and b.isupper())

        if start > 0 and cuts(text[start - 1], text[start]):
            problems.append(f"starts inside the word {text[max(0, start - 10):end]!r}")
        if end < len(text) and cuts(text[end - 1], text[end]):
            problems.append(f"ends inside the word {text[start:end + 10]!r}")
    return problems


def _check_offsets(text: str, item: dict[str, Any], with_text: bool, entity: bool = False) -> list[str]:
    """Offsets, `text` and edges of a span; only entity spans must not end on sentence
    punctuation (a section or abstract ends with its last sentence's full stop)."""
    start, end = item.get("start"), item.get("end")
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        return [f"start/end must be integers, not {start!r}/{end!r}"]
    if not 0 <= start < end <= len(text):
        return [f"needs 0 <= start < end <= {len(text)}, has [{start}:{end}]"]
    problems = []
    if with_text and item.get("text") != text[start:end]:
        problems.append(f"text {item.get('text')!r} != source slice {text[start:end]!r}")
    return problems + _check_span_edges(text, start, end, punctuation=entity)


def _check_record(rec: dict[str, Any], text: str) -> list[str]:
    from pipeline.records import Metadata

    problems: list[str] = []
    if "status" in rec and rec["status"] not in STATUSES:
        problems.append(f"status {rec['status']!r} is not one of {', '.join(STATUSES)}")
    meta = rec.get("metadata")
    if meta is not None:
        if not isinstance(meta, dict):
            problems.append("metadata must be an object")
        else:
            for name in sorted(set(meta) - set(Metadata.model_fields)):
                problems.append(f"metadata: unknown field {name!r}")
            try:
                Metadata.model_validate(meta)
            except Exception as exc:  # pydantic's message names the field and the fault
                problems.append(f"metadata: {' '.join(str(exc).split())[:300]}")
    abstract = rec.get("abstract")
    if abstract is not None:
        problems += [f"abstract: {p}" for p in _check_offsets(text, abstract, with_text="text" in abstract)]
    sections = rec.get("sections") or []
    prev_end = abstract.get("start") if isinstance(abstract, dict) and isinstance(abstract.get("start"), int) else None
    for i, s in enumerate(sections):
        where = f"section {i} ({s.get('label')})"
        if s.get("label") not in SECTION_LABELS:
            problems.append(f"{where}: label is not one of {', '.join(SECTION_LABELS)}")
        offset_problems = _check_offsets(text, s, with_text="text" in s)
        problems += [f"{where}: {p}" for p in offset_problems]
        if offset_problems and not isinstance(s.get("start"), int):
            continue
        start, end = s["start"], s["end"]
        if prev_end is not None:
            if start < prev_end:
                problems.append(f"{where}: starts at {start}, before the previous section (or abstract start) {prev_end}")
            else:
                gap = text[prev_end:start]
                heading = s.get("heading")
                if heading:
                    at = gap.lower().find(heading.strip().lower())
                    if at < 0:
                        problems.append(f"{where}: heading {heading!r} not found just before the section")
                    else:
                        gap = gap[:at] + gap[at + len(heading.strip()) :]
                if not set(gap) <= _GAP_FILLER:
                    problems.append(f"{where}: text between sections is not only white space and the heading: {gap.strip()[:60]!r}")
        if isinstance(abstract, dict) and isinstance(abstract.get("end"), int) and end > abstract["end"]:
            problems.append(f"{where}: ends at {end}, after the abstract end {abstract['end']}")
        prev_end = end
    entities = rec.get("entities") or []
    drug_texts = {e.get("text") for e in entities if e.get("label") == "DRUG"}
    ok_spans: list[tuple[str, int, int, int]] = []
    for i, e in enumerate(entities):
        where = f"entity {i} ({e.get('label')} {e.get('text')!r})"
        if e.get("label") not in ENTITY_LABELS:
            problems.append(f"{where}: label is not one of {', '.join(ENTITY_LABELS)}")
            continue
        offset_problems = _check_offsets(text, e, with_text=True, entity=True)
        problems += [f"{where}: {p}" for p in offset_problems]
        span_text = e.get("text") or ""
        for open_, close in ("()", "[]"):
            if span_text.count(open_) != span_text.count(close):
                problems.append(f"{where}: unbalanced {open_}{close} in the span")
        problems += [f"{where}: {p}" for p in _check_attrs(e["label"], e.get("attrs", {}), span_text, drug_texts)]
        if isinstance(e.get("start"), int) and isinstance(e.get("end"), int):
            ok_spans.append((e["label"], e["start"], e["end"], i))
    ok_spans.sort()
    for (la, sa, ea, ia), (lb, sb, eb, ib) in zip(ok_spans, ok_spans[1:]):
        if la == lb and sb < ea:
            kind = "duplicate" if (sa, ea) == (sb, eb) else "overlapping"
            problems.append(f"entities {ia} and {ib}: {kind} {la} spans [{sa}:{ea}] and [{sb}:{eb}]")
    return problems


def check_gold(
    records: list[dict[str, Any]],
    shared: Path = DEFAULT_SHARED,
    source_texts: dict[str, str] | None = None,
    repo: Path = REPO_ROOT,
) -> list[str]:
    """Problems in gold records (empty list = valid), each prefixed with the document key.

    Checks offsets against the source text (`load_source_text(doc)`, or `source_texts[doc]`),
    span edges, labels, attribute names and value types per the annotation guidelines,
    duplicate / overlapping same-label spans, and section labels and order."""
    problems: list[str] = []
    seen: set[str] = set()
    for n, rec in enumerate(records):
        doc = rec.get("doc")
        if not isinstance(doc, str) or not doc:
            problems.append(f"record {n}: no 'doc' key")
            continue
        if doc in seen:
            problems.append(f"{doc}: appears more than once")
        seen.add(doc)
        try:
            expected_path = doc_source_path(doc, shared, repo)
            text = source_texts[doc] if source_texts is not None else load_source_text(doc, shared, repo)
        except (GoldError, KeyError, OSError) as exc:
            problems.append(f"{doc}: source text not available ({exc})")
            continue
        path = (rec.get("source") or {}).get("path")
        if path is not None and path != expected_path:
            problems.append(f"{doc}: source.path {path!r} should be {expected_path!r}")
        problems += [f"{doc}: {p}" for p in _check_record(rec, text)]
    return problems


def load_gold_file(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
