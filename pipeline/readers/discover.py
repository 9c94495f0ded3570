"""Finding input files: the files named on the command line and the input files below folders."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

INPUT_SUFFIXES = (".txt", ".html", ".htm", ".xhtml", ".xml", ".gz", ".nbib", ".medline", ".nxml", ".jsonl")


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str]]:
    """Files named on the command line, and the input files below named folders (sorted).

    Yields (path, display_path) where display_path keeps the form the user gave.
    A path that does not exist is yielded too, so that it gets an error record.
    """
    for given in paths:
        p = Path(given)
        if p.is_dir():
            found = []
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    if name.startswith(".") or not name.lower().endswith(INPUT_SUFFIXES):
                        continue
                    found.append(Path(root) / name)
            for f in sorted(found):
                yield f, str(f)
        else:
            yield p, str(given)
