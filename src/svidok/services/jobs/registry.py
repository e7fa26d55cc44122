"""Job kinds: a name mapped to a service function that runs it.

A kind's function is ``run(app, actor, params, ctx) -> dict`` (the result: what it made);
``ctx`` (:class:`svidok.services.jobs.context.JobContext`) gives ``progress(done, total,
message)`` and ``cancelled()``. Registering is one line, in any module a worker imports::

    jobs.register("capture", capture_job, resumable=False, check=captures.require_capturer)

``resumable``: a job whose worker died may simply be run again (the service resumes or
writes nothing twice); otherwise it is failed with the reason. ``check(app, actor, params)``
runs when the job is submitted, so a user learns at once that they may not run it.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_

RunFn = Callable[[Any, Any, dict, Any], dict | None]
CheckFn = Callable[[Any, Any, dict], None]

#: Modules registering the kinds Svidok ships (imported by name: the brief and estimate kinds live in
#: ``reports`` and ``figures``, layers above the services).
BUILTIN_MODULES = ("svidok.services.jobs.kinds", "svidok.services.jobs.share_kinds", "svidok.reports.job_kinds",
                   "svidok.figures.estimate_job")


@dataclass(frozen=True)
class JobKind:
    name: str
    run: RunFn
    resumable: bool = False
    check: CheckFn | None = None
    #: What a lost worker leaves behind when the kind is not resumable (said in the failure reason).
    on_loss: str = "nothing of it was committed after its last step; submit it again"


KINDS: dict[str, JobKind] = {}
_loaded = threading.Lock()
_modules_done: set[str] = set()


def register(name: str, run: RunFn, *, resumable: bool = False, check: CheckFn | None = None,
             on_loss: str | None = None) -> RunFn:
    """Make ``run`` the function of job kind ``name`` (later registrations replace earlier ones)."""
    KINDS[name] = JobKind(name, run, resumable, check, on_loss or JobKind.on_loss)
    return run


def load(extra: list[str] | tuple[str, ...] = ()) -> None:
    """Import the modules that register kinds: the built-in ones and ``SVIDOK_JOB_MODULES``."""
    with _loaded:
        for name in (*BUILTIN_MODULES, *extra):
            if name not in _modules_done:
                importlib.import_module(name)
                _modules_done.add(name)


def kind(name: str) -> JobKind:
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(sorted(KINDS)) or "none"
        raise ValidationFailed(FieldError("kind", M_("unknown job kind %(name)r (known: %(known)s)", name=name, known=known))) from None
