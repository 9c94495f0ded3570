"""`--resume`: reuse the records of an interrupted (or earlier) run.

The records already written (the `OUT.part` file an interrupted run leaves, else a finished
`OUT`) are indexed by (source.path, source.sha256, source.index). The new run sends only
the articles without a record, appends their records to `OUT.part`, and at the end writes
the records in input order: reused ones where they belong, records of inputs that changed or
are no longer given dropped, an incomplete last line (a run killed mid-write) ignored.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.batch.dedupe import DUPLICATE_WARNING
from pipeline.batch.summary import Key, RecordInfo

PAGE_FORMATS = ("text", "html")  # a page file gives exactly one record


@dataclass
class ReuseIndex:
    infos: dict[Key, RecordInfo] = field(default_factory=dict)
    available: Counter = field(default_factory=Counter)  # key -> records not yet claimed by this run
    by_file: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    warned: set[Key] = field(default_factory=set)  # records that already carry a duplicate warning
    old_size: int = 0  # bytes of reusable lines; what this run writes comes after
    unreadable: int = 0
    order: list[tuple[Key, bool, str | None]] = field(default_factory=list)  # (key, reused, warning to add)

    @classmethod
    def load(cls, path: Path) -> ReuseIndex:
        """Index `path`, first cutting off an incomplete last line."""
        index = cls()
        index.old_size = truncate_partial_line(path)
        with open(path, "rb") as fh:
            for raw in fh:
                try:
                    data = json.loads(raw)
                    info = RecordInfo.of_dict(data)
                except (ValueError, TypeError, AttributeError):
                    index.unreadable += 1
                    continue
                key = info.key
                if key not in index.infos:
                    index.infos[key] = info
                    index.by_file[key[:2]].append(key[2])
                index.available[key] += 1
                if any(str(w).startswith(DUPLICATE_WARNING) for w in data.get("warnings") or ()):
                    index.warned.add(key)
        return index

    def __len__(self) -> int:
        return sum(self.available.values())

    def take(self, key: Key) -> bool:
        """Claim one earlier record of `key` for this run."""
        if self.available[key] > 0:
            self.available[key] -= 1
            return True
        return False

    def page_done(self, path: str, sha: str) -> bool:
        info = self.infos.get((path, sha, 0))
        return info is not None and info.format in PAGE_FORMATS and self.available[(path, sha, 0)] > 0

    def reserve_file(self, path: str, sha: str) -> dict[tuple[str, int], int]:
        """Claim one record per index of a file a worker reads: {(sha256, index): 1}."""
        return {(sha, i): 1 for i in self.by_file.get((path, sha), ()) if self.take((path, sha, i))}

    def info(self, key: Key) -> RecordInfo:
        return self.infos[key]


def truncate_partial_line(path: Path) -> int:
    """Cut `path` after its last newline (a killed run may leave half a line); returns the size."""
    with open(path, "r+b") as fh:
        size = fh.seek(0, os.SEEK_END)
        end = size
        while end > 0:
            step = min(65536, end)
            fh.seek(end - step)
            block = fh.read(step)
            newline = block.rfind(b"\n")
            if newline >= 0:
                end = end - step + newline + 1
                break
            end -= step
        if end != size:
            fh.truncate(end)
        return end


def assemble(part: Path, index: ReuseIndex, dest: Path) -> bool:
    """Write `dest` from `part` in the run's record order; False (nothing written) when `part`
    already is that order, so it can simply be renamed."""
    old: dict[Key, deque[int]] = defaultdict(deque)
    new: dict[Key, deque[int]] = defaultdict(deque)
    sequence: list[Key] = []
    with open(part, "rb") as fh:
        offset = 0
        for raw in fh:
            try:
                key = RecordInfo.of_dict(json.loads(raw)).key
            except (ValueError, TypeError, AttributeError):
                key = None
            if key is not None:
                (old if offset < index.old_size else new)[key].append(offset)
            sequence.append(key)
            offset += len(raw)
    wanted = [key for key, _, _ in index.order]
    if sequence == wanted and not any(warning for _, _, warning in index.order):
        return False
    with open(part, "rb") as src, open(dest, "wb") as out:
        for key, reused, warning in index.order:
            src.seek((old if reused else new)[key].popleft())
            line = src.readline()
            if warning:
                line = (add_warning(line.decode("utf-8"), warning) + "\n").encode("utf-8")
            out.write(line)
        out.flush()
        os.fsync(out.fileno())
    return True


def add_warning(line: str, warning: str) -> str:
    """The JSONL line with one more warning (same serialisation as Record.to_json)."""
    data = json.loads(line)
    data.setdefault("warnings", []).append(warning)
    return json.dumps(data, ensure_ascii=False)
