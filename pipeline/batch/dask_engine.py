"""`--engine dask`: the same tasks on a Dask cluster, results in submission order.

Without `--scheduler` a LocalCluster of `-j N` single-threaded worker processes is started
on 127.0.0.1 (no dashboard); with `--scheduler tcp://HOST:8786` the run uses that cluster.
Workers need this package installed (the same version); they do not need to see the input
files: the parent reads large files and sends batches of articles, and sends small files'
bytes. Each worker process builds the pipeline once (cached per process, used by one thread
at a time) and the run starts by building it on every worker, before the clock starts.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Iterator

from pipeline.batch.process import Item, Settings, TaskResult, failed_results, run_task

CONNECT_TIMEOUT = "30s"
_PIPELINES: dict[str, tuple[object, threading.Lock]] = {}
_PIPELINES_LOCK = threading.Lock()


class EngineError(RuntimeError):
    """The engine cannot start (missing package, unreachable scheduler)."""


def _pipeline_key(settings: Settings) -> str:
    return repr(settings.section_model)


def _worker_pipeline(settings: Settings):
    key = _pipeline_key(settings)
    with _PIPELINES_LOCK:
        if key not in _PIPELINES:
            from pipeline.nlp import build_nlp

            _PIPELINES[key] = (build_nlp(section_model=settings.section_model), threading.Lock())
        return _PIPELINES[key]


def prime_worker_pipeline(nlp, settings: Settings) -> None:
    """Use `nlp` for tasks that run in this process (a LocalCluster with processes=False)."""
    with _PIPELINES_LOCK:
        _PIPELINES[_pipeline_key(settings)] = (nlp, threading.Lock())


def _warm(settings: Settings) -> bool:
    _worker_pipeline(settings)
    return True


def dask_task(items: list[Item], settings: Settings) -> TaskResult:
    nlp, lock = _worker_pipeline(settings)
    with lock:  # one thread at a time per pipeline: threads add nothing to pure-Python tagging
        return run_task(items, nlp, settings, report_memory=True)


class DaskEngine:
    def __init__(self, settings: Settings, scheduler: str | None = None, workers: int = 1):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise EngineError(
                "--engine dask needs Dask: pip install 'abstracts-pipeline[dask]' (dask[distributed])"
            ) from None
        self.settings = settings
        self.cluster = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout=CONNECT_TIMEOUT)
            else:
                self.cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                            host="127.0.0.1", dashboard_address=None)
                self.client = Client(self.cluster)
        except OSError as exc:
            if self.cluster is not None:
                self.cluster.close()
            raise EngineError(f"cannot reach the Dask scheduler {scheduler or '(local cluster)'}: {exc}") from None
        self.client.run(_warm, settings)  # every worker builds its pipeline now
        self.window = max(2, 2 * sum(self.client.nthreads().values()))

    def map(self, tasks: Iterable[list[Item]]) -> Iterator[TaskResult]:
        window: deque = deque()
        source = iter(tasks)
        exhausted = False
        while True:
            while not exhausted and len(window) < self.window:
                items = next(source, None)
                if items is None:
                    exhausted = True
                    break
                window.append((items, self.client.submit(dask_task, items, self.settings, pure=False)))
            if not window:
                return
            items, future = window.popleft()
            try:
                yield future.result()
            except Exception as exc:  # a worker lost, or an error the task could not catch
                yield TaskResult([failed_results(i, "WorkerFailed", f"Dask task failed: {exc}") for i in items], 0, {})
            finally:
                future.release()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
