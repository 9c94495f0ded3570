"""Output sinks: records written as JSONL, CSV tables, databases and review pages."""
