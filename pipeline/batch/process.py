"""Articles to records, each document under its own time budget.

This is the work a worker does (in-process, in a worker process, or on a Dask worker): a
task is a list of work items, each either an `Article` the parent already read (the
records of a large PubMed XML file, split into batches) or a `FileTask` (a small file the
worker reads itself, so that cleaning pages is spread over the workers too). A task's
articles are tagged together, one pipeline component at a time over all of them
(`tag_articles`). Every article gives one result, never an exception:
`(json_line, RecordInfo)`, or `Skipped` for one that `--resume` found already done.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, Union

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.article import Article, Heading
from pipeline.batch.summary import Key, RecordInfo
from pipeline.batch.timeout import DEFAULT_DOC_TIMEOUT, DocTimeout, deadline
from pipeline.readers.ingest import error_article, read_articles
from pipeline.records import ErrorInfo, Record, build_record

try:
    import resource
except ImportError:  # Windows
    resource = None


@dataclass(frozen=True)
class Settings:
    """What every worker needs to know besides its work (picklable)."""

    doc_timeout: float | None = DEFAULT_DOC_TIMEOUT
    section_model: str | Path | bool | None = True  # for workers that build their own pipeline


@dataclass
class FileTask:
    """A small input file, read by the worker."""

    path: str
    display: str
    skip: dict[tuple[str, int], int] | None = None  # (sha256, index) -> how many are done already
    data: bytes | None = None  # the file's bytes, for workers that cannot see the file (Dask)


TAG_BATCH = 32  # articles tagged together, stage by stage (`tag_articles`)


class Skipped(NamedTuple):
    key: Key


Item = Union[Article, FileTask]
Result = Union[tuple[str, RecordInfo], Skipped]


def segment_doc(nlp: Language, article: Article, span: tuple[int, int], segment: str) -> Doc:
    start, end = span
    doc = nlp.make_doc(article.source_text[start:end])
    doc._.segment = segment
    doc._.segment_start = start
    if segment == "abstract":
        doc._.headings = [
            Heading(h.text, h.start - start, h.end - start, h.body_start - start, h.category)
            for h in article.headings
            if start <= h.start < end
        ]
        doc._.paragraphs = [(a - start, b - start) for a, b in article.paragraphs if start <= a < end]
    else:
        doc._.headings = []
        doc._.paragraphs = []
    return doc


def error_record(article: Article, kind: str, message: str) -> Record:
    article.status = "error"
    article.error = {"type": kind, "message": message}
    record = build_record(article, [])
    record.error = ErrorInfo(**article.error)
    return record


def process_article(article: Article, nlp: Language, doc_timeout: float | None = DEFAULT_DOC_TIMEOUT) -> Record:
    """The record of one article; never raises. Tagging gets `doc_timeout` seconds."""
    return tag_articles([article], nlp, doc_timeout)[0]


class _Tagging:
    """One article's work in a batch: its Docs, the time it has used, its record once settled."""

    __slots__ = ("article", "docs", "spent", "record")

    def __init__(self, article: Article):
        self.article, self.docs, self.spent, self.record = article, [], 0.0, None


def _timed_out(article: Article, doc_timeout: float | None) -> Record:
    return error_record(
        article, "Timeout", f"processing took longer than {doc_timeout:g} s (--doc-timeout); the document was not tagged"
    )


def _segments(nlp: Language, article: Article) -> list[Doc]:
    docs = []
    if article.title_span:
        docs.append(segment_doc(nlp, article, article.title_span, "title"))
    if article.abstract_span:
        docs.append(segment_doc(nlp, article, article.abstract_span, "abstract"))
    return docs


def _run_component(name: str, proc, docs: list[Doc]) -> list[Doc]:
    out = []
    for doc in docs:
        doc = proc(doc)  # a component may hand back a new Doc (the drug stage rebuilds one to split letters)
        if doc is None:
            raise ValueError(f"the pipeline component {name!r} returned None instead of a Doc")
        out.append(doc)
    return out


def tag_articles(articles: list[Article], nlp: Language, doc_timeout: float | None = DEFAULT_DOC_TIMEOUT) -> list[Record]:
    """The records of `articles`, in order; never raises for one article.

    The Docs are tagged stage by stage: each pipeline component runs over the Docs of every
    article of the batch before the next component starts, so one component's code and
    pattern tables stay in the processor's caches (taking each document through every stage
    in turn cost about an eighth more CPU time on the bench pages). Each article keeps its own
    time budget, `doc_timeout` seconds for its segments, components and record together (each
    call runs under what is left of it), and its own failures: an article that raises or runs
    out of time at one step gets its error record there and takes no further part."""
    work = [_Tagging(article) for article in articles]
    for w in work:
        if w.article.status != "ok":
            w.record = build_record(w.article, [])

    def step(w: _Tagging, action: Callable[[], Any], failure: str | None) -> Any:
        """`action()` run within what is left of the article's budget; when it fails, None and
        the article's record settled (`failure`: the message prefix, None for a failed reading
        of the segments)."""
        left = None
        if doc_timeout and doc_timeout > 0:
            left = doc_timeout - w.spent
            if left <= 0:
                w.record = _timed_out(w.article, doc_timeout)
                return None
        started = time.monotonic()
        try:
            with deadline(left):
                return action()
        except DocTimeout:
            w.record = _timed_out(w.article, doc_timeout)
        except Exception as exc:  # a bug on one article must not stop the batch
            if failure is None:
                w.article.status, w.article.error = "error", {"type": type(exc).__name__, "message": str(exc)}
                w.record = build_record(w.article, [])
            else:
                w.record = error_record(w.article, type(exc).__name__, f"{failure}{exc}")
        finally:
            w.spent += time.monotonic() - started
        return None

    def pending() -> list[_Tagging]:
        return [w for w in work if w.record is None]

    for w in pending():
        w.docs = step(w, partial(_segments, nlp, w.article), None)
    for name, proc in nlp.pipeline:
        for w in pending():
            w.docs = step(w, partial(_run_component, name, proc, w.docs), "processing failed: ")
    for w in pending():
        record = step(w, partial(build_record, w.article, w.docs), "processing failed: ")
        if w.record is None:
            w.record = record
    return [w.record for w in work]


def process_articles(
    articles: Iterable[Article], nlp: Language, batch_size: int | None = None, doc_timeout: float | None = DEFAULT_DOC_TIMEOUT
) -> Iterator[Record]:
    """Tag a stream of articles; yields one record per article, in order, never raising for one
    article. Articles are tagged `batch_size` at a time (default 32), stage by stage (`tag_articles`)."""
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= (batch_size or TAG_BATCH):
            yield from tag_articles(batch, nlp, doc_timeout)
            batch = []
    if batch:
        yield from tag_articles(batch, nlp, doc_timeout)


def read_guarded(path: Path | str, display: str, doc_timeout: float | None = DEFAULT_DOC_TIMEOUT) -> Iterator[Article]:
    """`read_articles`, with reading each article under the time budget: a reader that
    overruns it gives a `Timeout` error article and the rest of that file is not read."""
    articles = read_articles(Path(path), display)
    produced = 0
    while True:
        try:
            with deadline(doc_timeout):
                article = next(articles, None)
        except DocTimeout:
            articles.close()
            rest = "; the rest of the file was not read" if produced else ""
            yield error_article(display, "Timeout", f"reading took longer than {doc_timeout:g} s (--doc-timeout){rest}",
                                index=produced)
            return
        if article is None:
            return
        produced += 1
        yield article


def record_result(record: Record) -> tuple[str, RecordInfo]:
    data = record.to_dict()
    return json.dumps(data, ensure_ascii=False), RecordInfo.of_dict(data)


def read_item(item: Item, settings: Settings) -> list[Article | Skipped]:
    """A work item's articles (a FileTask's file is read here), with `Skipped` for those
    `--resume` found done."""
    if isinstance(item, Article):
        return [item]
    if item.data is None:
        return _read_file(Path(item.path), item, settings)
    with tempfile.TemporaryDirectory(prefix="abstracts-") as tmp:  # same name, so the same format detection
        local = Path(tmp) / (Path(item.path).name or "input")
        local.write_bytes(item.data)
        return _read_file(local, item, settings)


def _read_file(path: Path, item: FileTask, settings: Settings) -> list[Article | Skipped]:
    skip = dict(item.skip or {})
    out: list[Article | Skipped] = []
    for article in read_guarded(path, item.display, settings.doc_timeout):
        done = (article.sha256, article.index)
        if skip.get(done):
            skip[done] -= 1
            out.append(Skipped((article.path, article.sha256, article.index)))
        else:
            out.append(article)
    return out


class TaskResult(NamedTuple):
    results: list[list[Result]]  # one list per work item, in order
    pid: int
    memory: dict[str, float]  # peak RSS and private memory (MB), CPU seconds (worker processes only)


def run_task(items: list[Item], nlp: Language, settings: Settings, report_memory: bool = False) -> TaskResult:
    """Read every item of the task, tag all their articles together (`tag_articles`), and
    give each item its results in order."""
    read: list[list[Article | Skipped] | list[Result]] = []
    failed: set[int] = set()
    for n, item in enumerate(items):
        try:
            read.append(read_item(item, settings))
        except Exception as exc:  # read_guarded guards each article; this is the last line of defence
            read.append(failed_results(item, type(exc).__name__, f"processing failed: {exc}"))
            failed.add(n)
    articles = [a for n, got in enumerate(read) if n not in failed for a in got if isinstance(a, Article)]
    try:
        records = iter(tag_articles(articles, nlp, settings.doc_timeout))
    except Exception as exc:  # tag_articles guards each article; this is the last line of defence
        return TaskResult([failed_results(item, type(exc).__name__, f"processing failed: {exc}") for item in items],
                          os.getpid(), memory_mb() if report_memory else {})
    results: list[list[Result]] = []
    for n, got in enumerate(read):
        if n in failed:
            results.append(got)
        else:
            results.append([record_result(next(records)) if isinstance(a, Article) else a for a in got])
    return TaskResult(results, os.getpid(), memory_mb() if report_memory else {})


def failed_results(item: Item, kind: str, message: str) -> list[Result]:
    """Error results for a work item whose worker failed (crashed, or could not return it)."""
    if isinstance(item, Article):
        return [record_result(error_record(item, kind, message))]
    return [record_result(build_record(error_article(item.display, kind, message)))]


_PRIVATE = {"at": float("-inf"), "mb": 0.0}
PRIVATE_EVERY = 10.0  # seconds: reading smaps_rollup walks the page tables (tens of ms for a pipeline)


def memory_mb() -> dict[str, float]:
    """This worker's figures: peak RSS (VmHWM, counting pages shared with the parent), its
    private memory (pages only it holds, from smaps_rollup, re-read at most every 10 s) and
    its CPU seconds so far. Linux only for the memory figures."""
    out: dict[str, float] = {}
    if resource is not None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        out["cpu"] = usage.ru_utime + usage.ru_stime
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    out["peak_rss"] = int(line.split()[1]) / 1024
        now = time.monotonic()
        if now - _PRIVATE["at"] >= PRIVATE_EVERY:
            with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
                private = sum(int(line.split()[1]) for line in fh if line.startswith(("Private_Clean:", "Private_Dirty:")))
            _PRIVATE.update(at=now, mb=private / 1024)
        out["private"] = _PRIVATE["mb"]
    except (OSError, ValueError, IndexError):
        pass
    return out
