"""The main job: input paths in, one record per article out.

`extract(paths, out)` writes records to a text stream; `extract_to_file(paths, output)` is
what `abstracts extract -o FILE` calls: it refuses unsafe output paths, writes through
`OUT.part` and renames it at the end, and can `resume` an interrupted run.
`process_articles` is the same work on articles already read, for scripts and tests.
The engine itself lives in `pipeline.batch` (plan, process, engine, dask_engine, writer,
resume, dedupe, timeout, summary).
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from spacy.language import Language

from pipeline.article import Article
from pipeline.batch.dedupe import DEDUPE_MODES, DuplicateTracker
from pipeline.batch.plan import BATCH_ARTICLES, plan_chunks
from pipeline.batch.process import (  # noqa: F401
    Settings,
    Skipped,
    process_article,
    process_articles,
)
from pipeline.batch.resume import ReuseIndex, add_warning, assemble
from pipeline.batch.summary import Summary
from pipeline.batch.timeout import DEFAULT_DOC_TIMEOUT
from pipeline.batch.writer import (  # noqa: F401
    OutputPathError,
    PartFile,
    check_output_path,
    is_special,
)
from pipeline.readers.discover import iter_input_files
from pipeline.readers.ingest import read_articles
from pipeline.records import Record

ENGINES = ("local", "dask")

__all__ = ["DEDUPE_MODES", "ENGINES", "OutputPathError", "Summary", "extract", "extract_to_file", "iter_articles",
           "process_articles", "write_record"]


def iter_articles(paths: Iterable[str | Path], on_file=None) -> Iterator[Article]:
    for path, display in iter_input_files(paths):
        if on_file:
            on_file(path)
        yield from read_articles(path, display)


def write_record(fh: IO[str], record: Record) -> None:
    fh.write(record.to_json() + "\n")


def _make_engine(engine: str, jobs: int, nlp: Language | None, settings: Settings, scheduler: str | None):
    if engine == "dask":
        from pipeline.batch.dask_engine import DaskEngine

        return DaskEngine(settings, scheduler=scheduler, workers=jobs), None
    if engine != "local":
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if nlp is None:
        from pipeline.nlp import build_nlp

        nlp = build_nlp(section_model=settings.section_model)
    if jobs > 1:
        from pipeline.batch.engine import ProcessEngine

        return ProcessEngine(jobs, nlp, settings), nlp
    from pipeline.batch.engine import LocalEngine

    return LocalEngine(nlp, settings), nlp


def extract(
    paths: Iterable[str | Path],
    out: IO[str],
    nlp: Language | None = None,
    progress: bool | None = None,
    jobs: int = 1,
    section_model: str | Path | bool | None = True,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    doc_timeout: float | None = DEFAULT_DOC_TIMEOUT,
    dedupe: str = "warn",
    reuse: ReuseIndex | None = None,
    batch_articles: int = BATCH_ARTICLES,
) -> Summary:
    """Run the whole pipeline over files and folders, writing JSONL records to `out`.

    Records are written in input order, a chunk of complete lines at a time. With `jobs` > 1
    the work is spread over that many worker processes forked from this one after the
    pipeline is built (large files are split by article); with `engine="dask"` over a Dask
    cluster. The output is the same either way. `doc_timeout` seconds (None or 0: no limit)
    is each document's budget; `dedupe` is warn | pmid | doi | none; `reuse` (from
    --resume) holds records already written to `out`, which are not made again.
    """
    tracker = DuplicateTracker(dedupe)
    files = list(iter_input_files(paths))
    settings = Settings(doc_timeout=doc_timeout or None, section_model=section_model)
    runner, nlp = _make_engine(engine, jobs, nlp, settings, scheduler)  # pipeline and workers ready before the clock
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = Summary(files=len(files), dedupe=dedupe)
    if progress is None:
        progress = sys.stderr.isatty()
    bar = None
    try:
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(files), unit="file", desc="extract", file=sys.stderr, dynamic_ncols=True)
        pending: deque = deque()

        def tasks():
            for chunk in plan_chunks(files, settings.doc_timeout, reuse, ship_bytes=engine == "dask",
                                     batch_articles=batch_articles):
                pending.append(chunk)
                yield chunk.items

        for done in runner.map(tasks()):
            chunk = pending.popleft()
            if done.memory:
                summary.note_worker(done.pid, done.memory)
            lines = _chunk_lines(chunk, done.results, reuse, tracker, summary)
            if lines:
                out.write("".join(lines))
                out.flush()
            if bar is not None:  # files done, and records so far: a baseline file is one "file"
                bar.set_postfix(records=summary.records, refresh=False)
                if chunk.files_done > bar.n:
                    bar.update(chunk.files_done - bar.n)
                else:
                    bar.refresh()
    finally:
        if bar is not None:
            bar.close()
        runner.close()
    out.flush()
    summary.seconds = time.perf_counter() - started
    summary.cpu = time.process_time() - cpu_started
    return summary


def _chunk_lines(chunk, results, reuse: ReuseIndex | None, tracker: DuplicateTracker, summary: Summary) -> list[str]:
    """The lines to write for one chunk, in order; reused records are counted, not written."""
    lines: list[str] = []
    for slot in chunk.slots:
        for result in [Skipped(slot)] if isinstance(slot, tuple) else results[slot]:
            if isinstance(result, Skipped):  # an earlier run's record (--resume)
                key = result.key
                info = reuse.info(key)
                keep, warning, note = tracker.check(info)
                _note_duplicate(summary, keep, note)
                if keep:
                    if warning and key in reuse.warned:
                        warning = None  # the earlier run added it already
                    reuse.order.append((key, True, warning))
                    summary.add_info(info._replace(warnings=info.warnings + bool(warning)))
                    summary.reused += 1
                continue
            line, info = result
            keep, warning, note = tracker.check(info)
            _note_duplicate(summary, keep, note)
            if not keep:
                continue
            if warning:
                line = add_warning(line, warning)
                info = info._replace(warnings=info.warnings + 1)
            if reuse is not None:
                reuse.order.append((info.key, False, None))
            lines.append(line + "\n")
            summary.add_info(info)
    return lines


def _note_duplicate(summary: Summary, keep: bool, note: str | None) -> None:
    if note:
        (summary.duplicates if keep else summary.dropped).append(note)


def extract_to_file(paths: Iterable[str | Path], output: str | Path, resume: bool = False, **options) -> Summary:
    """`extract` into the file `output`, safely (see pipeline.batch.writer): refuses an output
    that is an input or inside an input folder, writes `OUT.part` and renames it at the end.
    With `resume`, records already in `OUT.part` (or, when there is none, in `OUT`) for
    unchanged inputs are reused; the result is the same as one uninterrupted run."""
    paths = list(paths)
    output = Path(output)
    check_output_path(output, paths)
    if is_special(output):
        if resume:
            raise OutputPathError(f"--resume needs a regular output file, not {output}")
        with open(output, "w", encoding="utf-8") as fh:
            return extract(paths, fh, **options)
    part = PartFile(output, keep=resume)
    try:
        reuse = ReuseIndex.load(part.path) if resume else None
        summary = extract(paths, part.open_text(), reuse=reuse, **options)
        assembled = None
        if reuse is not None:
            part.sync()
            candidate = part.path.with_name(part.path.name + ".sorting")
            assembled = candidate if assemble(part.path, reuse, candidate) else None
        part.commit(assembled)
        return summary
    except BaseException:
        part.discard_if_empty()  # e.g. the engine could not start: leave no empty OUT.part behind
        raise
    finally:
        part.close()
