"""Records that share an id (`--dedupe`).

- `warn` (default): every record is kept; a later record whose id (PMID, else DOI, else
  path#index) an earlier record already has gets a warning, and the summary counts them.
- `pmid` / `doi`: the first record with a PMID (DOI, compared case-insensitively) is kept,
  later ones are dropped and listed in the summary; other repeated ids are warned about.
- `none`: no check.
`deleted` records (PubMed DeleteCitation) are instructions, not articles, and are not checked.
"""

from __future__ import annotations

from pipeline.batch.summary import RecordInfo

DEDUPE_MODES = ("warn", "pmid", "doi", "none")
DUPLICATE_WARNING = "duplicate id"


class DuplicateTracker:
    def __init__(self, mode: str = "warn"):
        if mode not in DEDUPE_MODES:
            raise ValueError(f"dedupe must be one of {', '.join(DEDUPE_MODES)}, not {mode!r}")
        self.mode = mode
        self.first_id: dict[str, str] = {}
        self.first_value: dict[str, str] = {}

    def check(self, info: RecordInfo) -> tuple[bool, str | None, str | None]:
        """(keep, warning for the record, line for the summary)."""
        if self.mode == "none" or info.status == "deleted":
            return True, None, None
        where = f"{info.key[0]}#{info.key[2]}"
        if self.mode in ("pmid", "doi"):
            value = info.pmid if self.mode == "pmid" else (info.doi or "").strip().lower() or None
            if value:
                first = self.first_value.get(value)
                if first is not None:
                    return False, None, f"{self.mode} {value} at {where} (first at {first})"
                self.first_value[value] = where
        first = self.first_id.get(info.id)
        if first is not None:
            return True, f"{DUPLICATE_WARNING} {info.id}: an earlier record ({first}) has the same id", f"{info.id} at {where} (first at {first})"
        self.first_id[info.id] = where
        return True, None, None
