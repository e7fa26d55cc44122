"""The Splink workaround is pinned: these fail when Splink changes, so that a person
re-reads svidok/linkage/splink_compat.py before the upgrade goes in."""

from __future__ import annotations

import inspect

import pytest
import splink

from svidok.linkage import splink_compat


def test_installed_splink_is_a_version_the_workaround_was_checked_against():
    assert splink.__version__ in splink_compat.PATCHED_FOR, (
        f"Splink {splink.__version__}: re-check splink_compat.py (is the EM clamp still needed? does "
        "populate_m_u_from_lookup still have this shape?) and add the version to PATCHED_FOR")


def test_the_patched_function_and_the_limit_still_look_as_read():
    from splink.internals import comparison_level
    from splink.internals import expectation_maximisation as em

    params = list(inspect.signature(em.populate_m_u_from_lookup).parameters)
    assert params == ["training_fixed_probabilities", "comparison_level", "output_column_name",
                      "m_u_records_lookup"]
    assert comparison_level.M_U_CLAMP_MIN == 1e-300
    # the failure the clamp avoids: Splink still refuses a smaller value
    with pytest.raises(ValueError, match="below the minimum"):
        comparison_level._validate_m_u_probability(1e-301, "m_probability", "level not observed")


def test_the_clamp_is_undone_on_leaving():
    from splink.internals import expectation_maximisation as em

    before = em.populate_m_u_from_lookup
    with splink_compat.em_values_clamped():
        assert em.populate_m_u_from_lookup is not before
    assert em.populate_m_u_from_lookup is before
