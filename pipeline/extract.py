"""The main job: input paths in, one record per article out.

`extract(paths, out)` is what `abstracts extract` calls; `process_articles` is the same
work on articles already read, for scripts and tests.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.article import Article, Heading
from pipeline.readers.discover import iter_input_files
from pipeline.readers.ingest import read_articles
from pipeline.records import ErrorInfo, Record, build_record

BATCH_ARTICLES = 64


@dataclass
class Summary:
    files: int = 0
    records: int = 0
    by_status: Counter = field(default_factory=Counter)
    entities: Counter = field(default_factory=Counter)
    warnings: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def add(self, record: Record) -> None:
        self.records += 1
        self.by_status[record.status] += 1
        self.warnings += len(record.warnings)
        for entity in record.entities:
            self.entities[entity.label] += 1
        if record.status == "error" and record.error:
            self.problems.append(f"{record.source.path}#{record.source.index}: {record.error.type}: {record.error.message}")

    def lines(self) -> list[str]:
        status = ", ".join(f"{k} {v}" for k, v in sorted(self.by_status.items()))
        ents = ", ".join(f"{k} {v}" for k, v in sorted(self.entities.items())) or "none"
        rate = self.records / self.seconds if self.seconds else 0.0
        out = [
            f"{self.records} records from {self.files} files in {self.seconds:.1f}s ({rate:.1f} records/s)",
            f"status: {status}",
            f"entities: {ents}",
        ]
        problems = self.by_status.get("error", 0) + self.by_status.get("no_abstract", 0)
        out.append(f"problems: {self.by_status.get('error', 0)} errors, {self.by_status.get('no_abstract', 0)} without abstract, {self.warnings} warnings" if problems or self.warnings else "problems: none")
        return out


def _segment_doc(nlp: Language, article: Article, span: tuple[int, int], segment: str) -> Doc:
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


def process_articles(articles: Iterable[Article], nlp: Language, batch_size: int = BATCH_ARTICLES) -> Iterator[Record]:
    """Tag a stream of articles; yields one record per article, in order, never raising for one article."""
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= batch_size:
            yield from _process_batch(batch, nlp)
            batch = []
    if batch:
        yield from _process_batch(batch, nlp)


def _process_batch(batch: list[Article], nlp: Language) -> Iterator[Record]:
    plans: list[list[Doc]] = []
    flat: list[Doc] = []
    for article in batch:
        docs: list[Doc] = []
        if article.status == "ok":
            try:
                if article.title_span:
                    docs.append(_segment_doc(nlp, article, article.title_span, "title"))
                if article.abstract_span:
                    docs.append(_segment_doc(nlp, article, article.abstract_span, "abstract"))
            except Exception as exc:  # a bug on one article must not stop the batch
                article.status, article.error = "error", {"type": type(exc).__name__, "message": str(exc)}
                docs = []
        plans.append(docs)
        flat.extend(docs)
    try:
        processed = iter(list(nlp.pipe(flat)))
    except Exception:
        processed = None  # fall back to one article at a time to isolate the failure
    for article, docs in zip(batch, plans):
        try:
            if processed is not None:
                done = [next(processed) for _ in docs]
            else:
                done = [nlp(doc) for doc in docs]
            yield build_record(article, done)
        except Exception as exc:
            yield _error_record(article, exc)


def _error_record(article: Article, exc: Exception) -> Record:
    article.status = "error"
    article.error = {"type": type(exc).__name__, "message": f"processing failed: {exc}"}
    record = build_record(article, [])
    record.error = ErrorInfo(**article.error)
    return record


def iter_articles(paths: Iterable[str | Path], on_file=None) -> Iterator[Article]:
    for path, display in iter_input_files(paths):
        if on_file:
            on_file(path)
        yield from read_articles(path, display)


def write_record(fh: IO[str], record: Record) -> None:
    fh.write(record.to_json() + "\n")


def extract(
    paths: Iterable[str | Path],
    out: IO[str],
    nlp: Language | None = None,
    progress: bool | None = None,
    jobs: int = 1,
    section_model: str | Path | bool | None = True,
) -> Summary:
    """Run the whole pipeline over files and folders, writing JSONL records to `out`.

    Records are written as soon as they are made, in input order. With `jobs` > 1, files
    are spread over that many worker processes (each loads its own pipeline); the output is
    the same as with one process.
    """
    if jobs <= 1 and nlp is None:
        from pipeline.nlp import build_nlp

        nlp = build_nlp(section_model=section_model)  # loaded before the clock starts
    started = time.perf_counter()
    summary = Summary()
    files = list(iter_input_files(paths))
    summary.files = len(files)
    if progress is None:
        progress = sys.stderr.isatty()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", desc="extract", file=sys.stderr, dynamic_ncols=True)
    try:
        if jobs > 1 and len(files) > 1:
            for records in _parallel_records(files, jobs, section_model):
                for line, record in records:
                    out.write(line + "\n")
                    summary.add(record)
                if bar is not None:
                    bar.update(1)
        else:
            if nlp is None:
                from pipeline.nlp import build_nlp

                nlp = build_nlp(section_model=section_model)

            def articles() -> Iterator[Article]:
                for path, display in files:
                    yield from read_articles(path, display)
                    if bar is not None:
                        bar.update(1)

            for record in process_articles(articles(), nlp):
                write_record(out, record)
                summary.add(record)
                if bar is not None and summary.records % 200 == 0:
                    bar.set_postfix(records=summary.records, refresh=False)  # a baseline file is one "file"
    finally:
        if bar is not None:
            bar.close()
    out.flush()
    summary.seconds = time.perf_counter() - started
    return summary


# --------------------------------------------------------------------------- worker processes

_WORKER_NLP: Language | None = None


def _init_worker(section_model) -> None:
    global _WORKER_NLP
    from pipeline.nlp import build_nlp

    _WORKER_NLP = build_nlp(section_model=section_model)


def _records_of_file(item: tuple[Path, str]) -> list[tuple[str, Record]]:
    path, display = item
    return [(r.to_json(), r) for r in process_articles(read_articles(path, display), _WORKER_NLP)]


def _parallel_records(files: list[tuple[Path, str]], jobs: int, section_model) -> Iterator[list[tuple[str, Record]]]:
    import multiprocessing

    context = multiprocessing.get_context("spawn" if sys.platform == "darwin" else "fork")
    with context.Pool(jobs, initializer=_init_worker, initargs=(section_model,)) as pool:
        yield from pool.imap(_records_of_file, files, chunksize=1)
