"""Strict loading of the JSON data files in pipeline/data (one implementation for all stages).

Rules, maps and lexicons are data; a typo in them must fail loudly when they are loaded, so
duplicate keys anywhere in a file are an error (plain `json` keeps the last one silently),
and records are checked for missing and unknown keys.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


class DataFileError(ValueError):
    """A data file that does not fit its documented schema."""


def reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DataFileError(f"duplicate key {key!r}")
        out[key] = value
    return out


def loads_strict(text: str, name: str) -> Any:
    """Parse JSON text, naming the file in any error."""
    try:
        return json.loads(text, object_pairs_hook=reject_duplicate_keys)
    except DataFileError as err:
        raise DataFileError(f"{name}: {err}") from None
    except json.JSONDecodeError as err:
        raise DataFileError(f"{name}: not valid JSON ({err})") from None


def load_json_strict(path: Path) -> Any:
    """Read a JSON data file from a path, rejecting duplicate keys anywhere in it."""
    return loads_strict(Path(path).read_text(encoding="utf-8"), Path(path).name)


def package_data_text(filename: str) -> str:
    """The text of a file shipped in pipeline/data (works from an installed wheel too)."""
    return resources.files("pipeline").joinpath("data", filename).read_text(encoding="utf-8")


def check_keys(record: Any, required: set[str], optional: set[str], where: str) -> None:
    if not isinstance(record, dict):
        raise DataFileError(f"{where}: expected an object, got {type(record).__name__}")
    missing = required - record.keys()
    unknown = record.keys() - required - optional
    if missing:
        raise DataFileError(f"{where}: missing keys {sorted(missing)}")
    if unknown:
        raise DataFileError(f"{where}: unknown keys {sorted(unknown)}")


def reasoned_entries(records: Any, key: str, where: str, case: str) -> frozenset[str]:
    """A list of `{<key>, reason}` records (a word and why it is listed), checked: each value a
    non-empty string already in `case` ("upper" or "lower") without surrounding space, each
    with a reason, none listed twice. Returns the set of values."""
    if not isinstance(records, list):
        raise DataFileError(f"{where} must be a list")
    seen: set[str] = set()
    for i, rec in enumerate(records):
        at = f"{where}[{i}]"
        check_keys(rec, {key, "reason"}, set(), at)
        value, reason = rec[key], rec["reason"]
        normal = value.strip().upper() if case == "upper" and isinstance(value, str) else (
            value.strip().lower() if isinstance(value, str) else None)
        if not isinstance(value, str) or not value.strip() or value != normal:
            raise DataFileError(f"{at}: {key} must be non-empty {case} case without surrounding space, got {value!r}")
        if not isinstance(reason, str) or not reason.strip():
            raise DataFileError(f"{at}: a reason is required")
        if value in seen:
            raise DataFileError(f"{at}: {value!r} is listed twice")
        seen.add(value)
    return frozenset(seen)
