"""Finding input files: the files named on the command line and the input files below folders.

`iter_input_files(paths)` yields `(path, display)` pairs in a fixed order: the arguments in
the order given, each folder's input files sorted by path. `display` is an `InputName`: the
path as the user wrote it (valid UTF-8 text, see below), which also carries what discovery
found out about the input for `pipeline.readers.ingest.read_articles` to put on its records:

- `warnings`: the file name is not valid UTF-8; the same real file was also named by another
  argument (each real file is read once, under its first name, compared by resolved path);
- `error`: `(type, message)` for an input that has no file to read: a folder that cannot be
  listed (`UnreadableFolder`), a symbolic link that loops back to a folder it sits in
  (`SymlinkLoop`);
- `real`: the resolved path (what duplicates are compared by).

Folders are walked recursively, skipping names that start with "."; symbolic links to
folders are followed, except one that leads back to the folder it is in or one above it
(reported as a `SymlinkLoop` error record), and a folder reached twice through links is read
once. A path that does not exist is yielded too, so that it gets an error record.

File names that are not valid UTF-8 (bytes such as b"caf\\xe9.txt" on Linux) reach Python as
surrogate escapes; `display` writes each undecodable byte as the four characters `\\xNN`
(so the record is valid JSON and UTF-8), while `path` keeps the real name for reading.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

INPUT_SUFFIXES = (".txt", ".html", ".htm", ".xhtml", ".xml", ".gz", ".nbib", ".medline", ".nxml", ".jsonl")
NOT_UTF8_WARNING = "the file name is not valid UTF-8; its undecodable bytes are written as \\xNN in source.path"


class InputName(str):
    """The display form of an input path plus discovery's notes (`warnings`, `error`, `real`).

    A `str`, so code that only wants the text keeps working; pickles with its notes (worker
    processes get them too)."""

    warnings: tuple[str, ...]
    error: tuple[str, str] | None
    real: str

    def __new__(cls, text: str, warnings: Iterable[str] = (), error: tuple[str, str] | None = None, real: str = ""):
        obj = super().__new__(cls, text)
        obj.warnings = tuple(warnings)
        obj.error = error
        obj.real = real
        return obj

    def __reduce__(self):
        return (InputName, (str(self), self.warnings, self.error, self.real))


def display_text(name: str) -> tuple[str, bool]:
    """`name` as valid UTF-8 text: undecodable bytes (surrogate escapes) as `\\xNN`; and whether
    there were any."""
    if not any("\udc80" <= ch <= "\udcff" for ch in name):
        return name, False
    raw = os.fsencode(name) if os.name != "nt" else name.encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", errors="backslashreplace"), True


@dataclass
class _Found:
    path: Path
    display: str
    error: tuple[str, str] | None = None
    warnings: list[str] = field(default_factory=list)
    real: str = ""


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[tuple[Path, InputName]]:
    """Files named on the command line, and the input files below named folders (sorted).

    Yields (path, display) where display (an `InputName`) keeps the form the user gave and
    carries discovery's warnings and errors; each real file comes once. Discovery is done in
    full before the first item, so a repeat found later still warns on the first one.
    """
    found: list[_Found] = []
    first_of: dict[str, _Found] = {}
    for number, given in enumerate(paths, 1):
        p = Path(given)
        given_text, _ = display_text(str(given))
        is_folder = p.is_dir()
        if is_folder:
            entries = _walk_folder(p)
            where = f"found in folder argument {number} ({given_text!r})"
        else:
            entries = [(p, None)]
            where = f"argument {number}"
        for path, error in entries:
            display, not_utf8 = display_text(str(path) if is_folder else str(given))
            item = _Found(path, display, error, [NOT_UTF8_WARNING] if not_utf8 else [], _real(path))
            first = first_of.get(item.real)
            if first is not None:
                first.warnings.append(f"the same file was also named as {display!r} ({where}); read once")
                continue
            first_of[item.real] = item
            found.append(item)
    for item in found:
        yield item.path, InputName(item.display, item.warnings, item.error, item.real)


def _real(path: Path) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return os.path.abspath(path)


def _walk_folder(top: Path) -> list[tuple[Path, tuple[str, str] | None]]:
    """Input files below `top` (and errors for folders that cannot be walked), sorted by path."""
    found: list[tuple[Path, tuple[str, str] | None]] = []
    top_real = _real(top)
    visited = {top_real}
    stack = [(top, (top_real,))]
    while stack:
        folder, ancestors = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            found.append((folder, ("UnreadableFolder", _folder_message(folder, exc))))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:  # a link that loops or cannot be followed: read_articles says which
                found.append((path, None))
                continue
            if not is_dir:
                if entry.name.lower().endswith(INPUT_SUFFIXES):
                    found.append((path, None))
                continue
            real = _real(path)
            if real in ancestors:
                display, _ = display_text(str(path))
                found.append((path, ("SymlinkLoop", f"symbolic link loop: {display} leads back to "
                                     f"{display_text(real)[0]}, a folder it is inside; not followed")))
                continue
            if real in visited:  # a second way into a folder already walked
                continue
            visited.add(real)
            stack.append((path, (*ancestors, real)))
    return sorted(found, key=lambda item: item[0])


def _folder_message(folder: Path, exc: OSError) -> str:
    display, _ = display_text(str(folder))
    reason = exc.strerror or type(exc).__name__
    return f"cannot list the folder {display}: {reason}; files inside it (if any) were not read"
