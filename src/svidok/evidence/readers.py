"""File-like readers shared by the stores: a byte range of a stream, and ranges of a blob."""

from __future__ import annotations

from typing import BinaryIO


class ReaderOver:
    """What a read-only binary file needs besides ``read``: the stores' readers wrap a ``raw`` file."""

    raw: BinaryIO

    def read(self, size: int = -1) -> bytes:
        raise NotImplementedError

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class RangeReader(ReaderOver):
    """At most ``limit`` bytes of ``raw``, after ``prefix`` (bytes already read from it)."""

    def __init__(self, raw: BinaryIO, limit: int | None, prefix: bytes = b"") -> None:
        self.raw, self.remaining, self.prefix = raw, limit, prefix

    def read(self, n: int = -1) -> bytes:
        if self.remaining is not None:
            if self.remaining <= 0:
                return b""
            n = self.remaining if n is None or n < 0 else min(n, self.remaining)
        if self.prefix:
            take = self.prefix if n is None or n < 0 else self.prefix[:n]
            self.prefix = self.prefix[len(take):]
            more = b""
            if n is None or n < 0:
                more = self.raw.read()
            elif len(take) < n:
                more = self.raw.read(n - len(take))
            data = take + (more or b"")
        else:
            data = self.raw.read(n if n is not None else -1) or b""
        if self.remaining is not None:
            self.remaining -= len(data)
        return data


def resolve(start: int | None, end: int | None, size: int) -> tuple[int, int]:
    """Clamp ``[start, end)`` to a blob of ``size`` bytes (None means its start or end)."""
    s = 0 if start is None else max(0, start)
    e = size if end is None else min(end, size)
    return s, max(s, e)


def read_up_to(fh: BinaryIO, n: int) -> bytes:
    """``n`` bytes from ``fh``, fewer only at its end (a single ``read`` may return less)."""
    parts, have = [], 0
    while have < n:
        data = fh.read(n - have)
        if not data:
            break
        parts.append(data)
        have += len(data)
    return b"".join(parts)
