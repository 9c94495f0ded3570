"""Safe JSONL output: never over an input, never half-written.

- `check_output_path` refuses an output that is one of the inputs (or their temporary
  file), or that lies inside an input folder (it would be read back as input next time, and
  `.jsonl` is an input format), before anything is created.
- Records go to `OUT.part` beside the output, written a chunk of complete lines at a time
  and flushed; only a finished run renames it over `OUT` (after an fsync). A killed run
  leaves the previous `OUT` untouched and an `OUT.part` of complete lines (at most a last
  partial line, which `--resume` cuts off).
- `OUT.part` is locked while a run writes it, so two runs cannot write the same output.
- An output that exists and is not a regular file (`/dev/null`, a pipe) is written directly.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows: no advisory lock
    fcntl = None


class OutputPathError(ValueError):
    """The output path would overwrite or be read as an input; nothing was touched."""


def part_path(output: Path) -> Path:
    return output.with_name(output.name + ".part")


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(path))


def check_output_path(output: Path, inputs: Iterable[str | Path]) -> None:
    output = Path(output)
    if output.is_dir():
        raise OutputPathError(f"the output {output} is a folder; give a file name")
    targets = [_resolved(output), _resolved(part_path(output))]
    for given in inputs:
        source = _resolved(Path(given))
        for target in targets:
            if target == source or (target.exists() and source.exists() and os.path.samefile(target, source)):
                raise OutputPathError(f"the output {output} is also an input ({given}); it would be destroyed before "
                                      f"it is read. Write the records somewhere else")
            if source.is_dir() and source in target.parents:
                raise OutputPathError(f"the output {output} is inside the input folder {given}; it would be read back "
                                      f"as input on the next run. Write the records outside that folder")


def is_special(output: Path) -> bool:
    """An existing output that is not a regular file (a device such as /dev/null, a pipe)."""
    return output.exists() and not output.is_file()


def _copy_into(source: Path, fd: int) -> None:
    with open(source, "rb") as src:
        while block := src.read(1 << 20):
            view = memoryview(block)
            while view:
                view = view[os.write(fd, view):]


class PartFile:
    """The `OUT.part` file of a run: locked, emptied unless resuming, renamed over OUT by `commit`."""

    def __init__(self, output: Path, keep: bool):
        self.output = Path(output)
        self.path = part_path(self.output)
        self.output.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    raise OutputPathError(f"another run is writing {self.output} (its {self.path.name} is locked)") from None
            if not keep:
                os.ftruncate(fd, 0)
            elif os.fstat(fd).st_size == 0 and self.output.is_file():
                _copy_into(self.output, fd)  # no interrupted run: resume from the finished output
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        self.handle: IO[str] | None = None

    def open_text(self) -> IO[str]:
        self.handle = os.fdopen(self.fd, "a", encoding="utf-8", closefd=False)
        return self.handle

    def sync(self) -> None:
        if self.handle is not None:
            self.handle.flush()
        os.fsync(self.fd)

    def commit(self, assembled: Path | None = None) -> None:
        """Make the records the output: `assembled` (a reordered copy) or the part file itself."""
        self.sync()
        if assembled is not None:
            os.replace(assembled, self.output)
            self.close()
            self.path.unlink()
        else:
            os.replace(self.path, self.output)
            self.close()

    def discard_if_empty(self) -> None:
        if self.fd is not None:
            if self.handle is not None:
                self.handle.flush()
            if os.fstat(self.fd).st_size == 0:
                self.path.unlink(missing_ok=True)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
        if self.fd is not None:
            os.close(self.fd)  # also releases the lock
            self.fd = None
