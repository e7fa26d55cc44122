"""The one place Svidok works around Splink internals, pinned to the versions checked.

Splink 5.0 refuses an m or u probability below 1e-300 (``M_U_CLAMP_MIN``), yet
expectation maximisation produces one when no pair in a training block shows a
level among matches (a facility that never differs); the whole pass then fails.
No public option stops it, so while training ``populate_m_u_from_lookup`` clamps
such values to Splink's own minimum (the m floor applied afterwards supersedes
them anyway). The patch is applied only for the Splink versions listed in
:data:`PATCHED_FOR`; tests/linkage/test_splink_compat.py fails when the installed
Splink is another version or the patched function changes, so an upgrade is
checked by a person rather than patched blindly. With another version training
goes on unpatched: a pass that fails is logged and skipped.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import splink

#: Splink versions whose internals this module was read against.
PATCHED_FOR = ("5.0.0",)


def workaround_applies() -> bool:
    return splink.__version__ in PATCHED_FOR


@contextlib.contextmanager
def em_values_clamped() -> Iterator[None]:
    """While inside, EM values below Splink's minimum are raised to it (see the module)."""
    if not workaround_applies():
        logging.getLogger(__name__).warning(
            "Splink %s is not one of %s: training without the EM clamp (see svidok/linkage/splink_compat.py)",
            splink.__version__, ", ".join(PATCHED_FOR))
        yield
        return
    from splink.internals import comparison_level
    from splink.internals import expectation_maximisation as em

    original = em.populate_m_u_from_lookup
    lowest = comparison_level.M_U_CLAMP_MIN

    def clamped(fixed, level, column, lookup):
        values = lookup.get(column, {}).get(level.comparison_vector_value)
        if values:
            for k in ("m_probability", "u_probability"):
                if isinstance(values.get(k), float) and values[k] < lowest:
                    values[k] = lowest
        return original(fixed, level, column, lookup)

    em.populate_m_u_from_lookup = clamped
    try:
        yield
    finally:
        em.populate_m_u_from_lookup = original
