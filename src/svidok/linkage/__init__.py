"""Record linkage: find the records of one person within and across sources (Splink).

The public names are loaded on first use (PEP 562), so that ``svidok.linkage.columns`` and
``svidok.linkage.backends`` can be read without importing Splink, DuckDB and pandas.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "LabelledPair": "link", "LinkageConfig": "link", "LinkageResult": "link", "link_records": "link",
    "CsvError": "records", "RowIssue": "records", "read_person_csv": "records",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'svidok.linkage' has no attribute {name!r}")
    return getattr(importlib.import_module(f"svidok.linkage.{_PUBLIC[name]}"), name)
