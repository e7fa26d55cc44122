"""HTTP Range headers as RFC 9110 §14 defines them (one range served; anything else: the whole file)."""

import pytest

from svidok.core.errors import RangeNotSatisfiable
from svidok.evidence.byte_ranges import parse_range


@pytest.mark.parametrize(("header", "size", "expected"), [
    ("bytes=0-0", 100, (0, 1)),            # the first byte
    ("bytes=0-499", 1000, (0, 500)),
    ("bytes=500-999", 1000, (500, 1000)),
    ("bytes=500-5000", 1000, (500, 1000)),  # last beyond the end: clamped
    ("bytes=990-", 1000, (990, 1000)),
    ("bytes=-10", 1000, (990, 1000)),       # suffix
    ("bytes=-5000", 1000, (0, 1000)),
    ("BYTES = 3 - 4", 1000, (3, 5)),
])
def test_a_single_range_resolves_to_the_bytes_rfc_9110_names(header, size, expected):
    assert parse_range(header).resolve(size) == expected


@pytest.mark.parametrize("header", [None, "", "bytes=0-1,4-5", "bytes=5-1", "items=0-1", "bytes=-", "bytes=a-b"])
def test_what_is_not_one_valid_range_is_ignored(header):
    assert parse_range(header) is None


@pytest.mark.parametrize(("header", "size"), [("bytes=1000-", 1000), ("bytes=-0", 1000), ("bytes=0-", 0)])
def test_a_range_outside_the_file_is_unsatisfiable(header, size):
    with pytest.raises(RangeNotSatisfiable) as exc:
        parse_range(header).resolve(size)
    assert exc.value.size == size
