"""The named figure queries, all registered: what a brief's template and ``svidok brief`` call.

Importing this module imports every module that registers queries, so
:data:`REGISTRY` is complete and :func:`run` answers any of them.
"""

from __future__ import annotations

from . import incident_figures, record_queries, stat_queries  # noqa: F401 - they register their queries
from .places import oblast_of
from .registry import REGISTRY, Query, QueryError, Result, data_as_of, run

__all__ = ["REGISTRY", "Query", "QueryError", "Result", "data_as_of", "oblast_of", "run"]
