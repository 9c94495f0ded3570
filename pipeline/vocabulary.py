"""The closed vocabularies the taggers, the records and the gold files share
(pipeline/data/vocabulary.json): entity labels, section labels, statuses, survival endpoints,
measures and units, and the attribute names of each entity label. Adding an endpoint code
here makes it valid for the survival cue data and for gold files alike.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pipeline.datafiles import (
    DataFileError,
    check_keys,
    loads_strict,
    package_data_text,
)

VOCABULARY_FILE = "vocabulary.json"
_KEYS = {"version", "description", "entity_labels", "section_labels", "statuses", "endpoints",
         "survival_measures", "survival_units", "attributes"}


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """The vocabulary file, checked: every key present, no unknown key, attributes only for
    known labels, every list made of distinct strings."""
    data = loads_strict(package_data_text(VOCABULARY_FILE), VOCABULARY_FILE)
    check_keys(data, _KEYS, set(), VOCABULARY_FILE)
    for key in _KEYS - {"version", "description", "attributes"}:
        values = data[key]
        if not (isinstance(values, list) and all(isinstance(v, str) for v in values) and len(set(values)) == len(values)):
            raise DataFileError(f"{VOCABULARY_FILE}: {key} must be a list of distinct strings")
    unknown = set(data["attributes"]) - set(data["entity_labels"])
    if unknown:
        raise DataFileError(f"{VOCABULARY_FILE}: attributes for unknown labels {sorted(unknown)}")
    return data


def endpoints() -> tuple[str, ...]:
    """The survival endpoint codes (OS, PFS, ...)."""
    return tuple(vocabulary()["endpoints"])
