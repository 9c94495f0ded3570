"""Engines run tasks and give their results back in submission order.

- `LocalEngine`: in this process (`-j 1`).
- `ProcessEngine`: `-j N` worker processes. The pipeline is built once in the parent and the
  workers are forked from it, so they share it copy-on-write and start at once (where fork
  is missing, or on macOS where it is unsafe, workers are spawned and build their own).
  At most 2 x N tasks are in flight, so reading never runs far ahead of tagging. A worker
  that dies (killed, out of memory) does not stall the run: the pool is rebuilt, the tasks
  that were in flight are run again one input at a time, and an input that kills its worker
  again gets a `WorkerCrashed` error record.
- `pipeline.batch.dask_engine.DaskEngine`: the same on a Dask cluster.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from spacy.language import Language

from pipeline.batch.process import Item, Settings, TaskResult, failed_results, run_task


class LocalEngine:
    def __init__(self, nlp: Language, settings: Settings):
        self.nlp, self.settings = nlp, settings

    def map(self, tasks: Iterable[list[Item]]) -> Iterator[TaskResult]:
        for items in tasks:
            yield run_task(items, self.nlp, self.settings)

    def close(self) -> None:
        pass


# --------------------------------------------------------------------------- worker processes

PR_SET_PDEATHSIG = 1
_PARENT_NLP: Language | None = None  # set before fork; forked workers inherit it
_WORKER_NLP: Language | None = None
_WORKER_SETTINGS: Settings | None = None


def start_method() -> str:
    methods = multiprocessing.get_all_start_methods()
    return "fork" if "fork" in methods and sys.platform != "darwin" else "spawn"


def _die_with_parent(parent: int) -> None:
    """A killed parent (kill -9) must not leave its workers waiting forever (Linux: the
    kernel sends them SIGKILL when the parent dies)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before prctl
        os._exit(1)


def _init_worker(settings: Settings, inherited: bool, parent: int) -> None:
    global _WORKER_NLP, _WORKER_SETTINGS
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _WORKER_SETTINGS = settings
    if inherited:
        _WORKER_NLP = _PARENT_NLP
    else:
        from pipeline.nlp import build_nlp

        _WORKER_NLP = build_nlp(section_model=settings.section_model)


def _worker_task(items: list[Item]) -> TaskResult:
    return run_task(items, _WORKER_NLP, _WORKER_SETTINGS, report_memory=True)


def _worker_ready() -> int:
    return 0


class ProcessEngine:
    def __init__(self, jobs: int, nlp: Language | None, settings: Settings):
        self.jobs, self.settings = jobs, settings
        self.method = start_method() if nlp is not None else "spawn"
        self.executor: ProcessPoolExecutor | None = None
        self.crashes = 0
        global _PARENT_NLP
        _PARENT_NLP = nlp
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context(self.method)
        if self.method == "fork":
            gc.freeze()  # the pipeline's objects stay out of the workers' garbage collections: fewer copied pages
        self.executor = ProcessPoolExecutor(
            self.jobs, mp_context=context, initializer=_init_worker, initargs=(self.settings, self.method == "fork", os.getpid())
        )
        self.executor.submit(_worker_ready).result()  # start the workers now, before other threads exist

    def _restart(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        self._start()

    def map(self, tasks: Iterable[list[Item]]) -> Iterator[TaskResult]:
        window: deque = deque()
        source = iter(tasks)
        exhausted = False
        while True:
            while not exhausted and len(window) < 2 * self.jobs:
                items = next(source, None)
                if items is None:
                    exhausted = True
                    break
                window.append((items, self.executor.submit(_worker_task, items)))
            if not window:
                return
            items, future = window.popleft()
            try:
                yield future.result()
            except BrokenProcessPool:
                yield from self._recover([items] + [queued for queued, _ in window])
                window.clear()
            except Exception as exc:  # the task ran but its result could not come back
                yield TaskResult([failed_results(i, type(exc).__name__, f"worker failed: {exc}") for i in items], 0, {})

    def _recover(self, tasks: list[list[Item]]) -> Iterator[TaskResult]:
        """After a worker died: run each item of the unfinished tasks alone, so that a crash
        names its input and the other inputs still get their records."""
        self.crashes += 1
        self._restart()
        message = "the worker process died while tagging this input (killed, or out of memory)"
        for items in tasks:
            results, pid, memory = [], 0, {}
            for item in items:
                try:
                    done = self.executor.submit(_worker_task, [item]).result()
                    results.append(done.results[0])
                    pid, memory = done.pid, done.memory
                except BrokenProcessPool:
                    self.crashes += 1
                    self._restart()
                    results.append(failed_results(item, "WorkerCrashed", message))
            yield TaskResult(results, pid, memory)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
            if self.method == "fork":
                gc.unfreeze()
