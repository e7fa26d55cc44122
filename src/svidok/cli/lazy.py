"""Modules the command line imports only when a command uses them.

``svidok --help`` and every ``svidok … --help`` must answer at once, so a command module
names the services, statistics and linkage modules it calls with :func:`module`: the name
is bound at import, and the module is executed on first attribute access (the standard
library's :class:`importlib.util.LazyLoader`).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def module(name: str) -> ModuleType:
    """``name``, imported on first use (at once if it already is)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    loader.exec_module(mod)
    return mod
