"""The parent's side of a run: input files to chunks of work, in input order.

Small files become `FileTask`s that a worker reads itself (a page's cleaning costs about as
much as its tagging, so it belongs in the workers). Large files and `.gz` files are read
here, one article at a time under the time budget, and their articles go out in batches, so
one big PubMed XML file keeps every worker busy. With `--resume`, articles whose
(path, sha256, index) already have a record are not sent; they keep a slot in the chunk so
that records still come out in input order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.article import sha256_of
from pipeline.batch.process import FileTask, Item, read_guarded
from pipeline.batch.resume import ReuseIndex
from pipeline.batch.summary import Key

BATCH_ARTICLES = 32  # articles per task
BATCH_FILES = 8  # small files per task
MAX_SLOTS = 512  # records per chunk, counting reused ones
SPLIT_BYTES = 256 * 1024  # files at least this large (and all .gz) are read by the parent and split


@dataclass
class Chunk:
    """Records in order: each slot is a reused key (str, str, int) or the position of a work item."""

    slots: list[Key | int] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    files_done: int = 0  # input files whose every record is in this chunk or an earlier one
    articles: int = 0


def _read_by_parent(path: Path) -> bool:
    try:
        return not path.is_file() or path.stat().st_size >= SPLIT_BYTES or path.name.lower().endswith(".gz")
    except OSError:
        return True  # read_articles turns it into an error record


def plan_chunks(
    files: list[tuple[Path, str]],
    doc_timeout: float | None,
    reuse: ReuseIndex | None = None,
    ship_bytes: bool = False,
    batch_articles: int = BATCH_ARTICLES,
    batch_files: int = BATCH_FILES,
) -> Iterator[Chunk]:
    chunk = Chunk()
    files_in_chunk = 0

    def full() -> bool:
        return chunk.articles >= batch_articles or files_in_chunk >= batch_files or len(chunk.slots) >= MAX_SLOTS

    for number, (path, display) in enumerate(files):
        task = None if _read_by_parent(path) else _file_task(path, display, reuse, ship_bytes)
        if isinstance(task, FileTask):
            chunk.slots.append(len(chunk.items))
            chunk.items.append(task)
            files_in_chunk += 1
        elif task is not None:  # a page that --resume found done
            chunk.slots.append(task)
        else:
            for article in read_guarded(path, display, doc_timeout):
                key = (article.path, article.sha256, article.index)
                if reuse is not None and reuse.take(key):
                    chunk.slots.append(key)
                else:
                    chunk.slots.append(len(chunk.items))
                    chunk.items.append(article)
                    chunk.articles += 1
                if full():
                    yield chunk
                    chunk, files_in_chunk = Chunk(files_done=number), 0
        chunk.files_done = number + 1
        if full():
            yield chunk
            chunk, files_in_chunk = Chunk(files_done=number + 1), 0
    if chunk.slots:
        yield chunk


def _file_task(path: Path, display: str, reuse: ReuseIndex | None, ship_bytes: bool) -> FileTask | Key | None:
    """A FileTask; the key of its record when --resume has this page done; None to read it here."""
    data = None
    if reuse is not None or ship_bytes:
        try:
            data = path.read_bytes()
        except OSError:
            return None
    skip = None
    if reuse is not None:
        sha = sha256_of(data)
        if reuse.page_done(display, sha):
            key = (display, sha, 0)
            reuse.take(key)
            return key
        skip = reuse.reserve_file(display, sha)
    return FileTask(str(path), display, skip, data if ship_bytes else None)
