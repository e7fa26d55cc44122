"""HTTP byte ranges (RFC 9110 §14): one range per request, resolved against the file's size."""

from __future__ import annotations

import re
from dataclasses import dataclass

from svidok.core.errors import RangeNotSatisfiable

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ByteRange:
    """``first-last`` (inclusive, ``last`` optional) or a suffix of ``suffix`` bytes."""

    first: int | None
    last: int | None

    def resolve(self, size: int) -> tuple[int, int]:
        """``(start, end)`` with ``end`` exclusive; ``RangeNotSatisfiable`` when nothing of the file is in it."""
        if self.first is None:  # suffix: the last N bytes
            n = self.last or 0
            if n == 0 or size == 0:
                raise RangeNotSatisfiable(f"range of the last 0 bytes of a {size}-byte file", size)
            return max(0, size - n), size
        if self.first >= size:
            raise RangeNotSatisfiable(f"range starts at byte {self.first} but the file has {size} bytes", size)
        end = size if self.last is None else min(self.last + 1, size)
        return self.first, end


def parse_range(header: str | None) -> ByteRange | None:
    """The one range asked for, or None (no header, several ranges, or a form we do not serve: send it all)."""
    if not header or "," in header:
        return None
    m = _RANGE.match(header)
    if not m or (not m.group(1) and not m.group(2)):
        return None
    first = int(m.group(1)) if m.group(1) else None
    last = int(m.group(2)) if m.group(2) else None
    if first is not None and last is not None and last < first:
        return None  # invalid: RFC 9110 says ignore the header
    return ByteRange(first, last)
