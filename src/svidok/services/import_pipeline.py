"""Preparing a big spreadsheet's batches in a second process while this one writes.

On a machine with two or more cores a forked child reads, converts and checks the rows
(``imports.checked_rows``), groups them into batches and builds their table rows
(``BatchWriter.plan``, ids counted ahead, keys it created remembered), handing finished
batches over through a queue, at most two ahead. The parent only inserts them, each with
its ledger entry, as before. The report's counts and problems travel with each batch,
so the report is the same as a single-process run's. Only for command-line imports into
SQLite: forking a multi-threaded server is unsafe, and PostgreSQL ids come from sequences.

The demo load hands its batches over the same way, written to scratch files
(``services.bulk_spill``). The child never writes to the database. If the parent dies (kill -9), the child notices at its next
hand-over and exits; if the child dies, the parent stops with an error and the batches
already committed stay, to be resumed by the next run like any interrupted import.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_mod
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from svidok.storage.db import Database

if TYPE_CHECKING:
    from svidok.app import Svidok

_INHERITED: list = []
#: Files below this size are imported in one process (the fork would cost more than it saves).
MIN_BYTES = 2_000_000


def can_fork() -> bool:
    """A machine with a second core, and fork available."""
    return (os.cpu_count() or 1) > 1 and "fork" in mp.get_all_start_methods()


def worth_it(path: Path) -> bool:
    """A file big enough, a machine with a second core, and fork available."""
    try:
        big = path.stat().st_size >= MIN_BYTES
    except OSError:
        return False
    return big and can_fork()


def batches_from_child(app: Svidok, produce: Callable[[], Iterator], report=None) -> Iterator:
    """The batches ``produce()`` yields, computed in a forked child; ``report`` (if any) kept up to date."""
    ctx = mp.get_context("fork")
    handover = ctx.Queue(maxsize=2)
    child = ctx.Process(target=_child, args=(app, produce, report, handover, os.getpid()), daemon=True)
    child.start()
    try:
        while True:
            try:
                kind, payload, stats = handover.get(timeout=1.0)
            except queue_mod.Empty:
                if not child.is_alive():
                    raise RuntimeError(f"the process validating the rows ended unexpectedly (exit code {child.exitcode})") from None
                continue
            if report is not None:
                _apply(report, stats)
            if kind == "batch":
                yield payload
            elif kind == "done":
                return
            else:
                raise RuntimeError(f"validating the rows failed: {payload}")
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def _child(app: Svidok, produce: Callable[[], Iterator], report, handover, parent: int) -> None:
    # Connections inherited from the parent stay the parent's, untouched and never freed here
    # (freeing one would close it under the parent); place lookups get a database of their own.
    _INHERITED.append(app.db)
    app.db = Database(app.db.url)
    sent = 0

    def stats() -> dict:
        nonlocal sent
        if report is None:
            return {}
        new, sent = report.problems[sent:], len(report.problems)
        return {"rows_read": report.rows_read, "rows_bad": report.rows_bad, "rows_skipped": report.rows_skipped,
                "problems_not_listed": report.problems_not_listed, "problems": new}

    try:
        for batch in produce():
            _put(handover, ("batch", batch, stats()), parent)
        _put(handover, ("done", None, stats()), parent)
    except Exception as exc:
        _put(handover, ("error", f"{type(exc).__name__}: {exc}", stats()), parent)


def _put(handover, item: tuple, parent: int) -> None:
    while True:
        try:
            handover.put(item, timeout=1.0)
            return
        except queue_mod.Full:
            if os.getppid() != parent:  # the importing process is gone
                os._exit(1)


def _apply(report, stats: dict) -> None:
    for p in stats.pop("problems"):
        report.problem(p)
    for k, v in stats.items():
        setattr(report, k, v)
