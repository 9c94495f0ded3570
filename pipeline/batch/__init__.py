"""The batch engine behind `abstracts extract`: plan, run (in-process, worker processes or a
Dask cluster), deduplicate, resume and write records safely. `pipeline.extract` is its entry point."""
