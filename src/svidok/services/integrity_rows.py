"""`svidok verify`, record rows: every row equals its newest commitment, every commitment its ledger entry.

Table by table, in key order: the table's commitments are read (their compressed copies
checked against their SHA-256), each key's newest commitment found, then the table is
streamed once and each row compared with its committed copy; a difference names the
table, the record and the fields. Rows that no commitment covers were added behind
Svidok's back; committed rows that are missing were removed. Last, the commitments of
each ``rows.commit`` ledger entry must hash to what the entry recorded.
"""

from __future__ import annotations

import json
import marshal
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable
from hashlib import sha256
from itertools import repeat
from operator import itemgetter

from sqlalchemy import select

from svidok.storage.models import RowCommitment

from .row_commitments import COVERED, columns_of, commit_digest, entry_content, key_of, plain

_MAX_PER_TABLE = 50  # problems listed per table; the rest counted
_CACHE = 8  # decompressed commitments kept while streaming (bulk batches arrive in key order)


class _Commitment:
    __slots__ = ("id", "seq", "columns", "const_columns", "const_values", "deleted", "digest", "blob", "rows", "pos")

    def __init__(self, row) -> None:
        self.id, self.seq, columns, const_columns, const_values, self.deleted, _count, self.digest, blob = row
        self.columns = tuple(columns.split(",")) if columns else ()
        self.const_columns = tuple(const_columns.split(",")) if const_columns else ()
        self.const_values = marshal.loads(bytes(const_values))
        self.blob = bytes(blob)
        self.rows = None
        self.pos = None


def _getter(indices: list[int]) -> Callable:
    if len(indices) == 1:
        i = indices[0]
        return lambda r: (r[i],)
    return itemgetter(*indices)


def _label(tbl: str, key: tuple) -> str:
    if len(key) == 1:
        return f"{tbl} {key[0]}"
    return f"{tbl} ({', '.join(f'{c}={v}' for c, v in zip(key_of(tbl), key))})"


def check(conn, report, rows_commit_entries: dict[int, str], say: Callable[[str], None]) -> None:
    """Add to ``report`` every row that differs from its commitment; check commitments against the ledger."""
    digests: dict[int, list[tuple[int, bytes]]] = defaultdict(list)
    total_rows = 0
    for tbl in COVERED:
        n = _check_table(conn, tbl, report, digests)
        total_rows += n
    report.counts["record_rows"] = total_rows
    for seq, parts in digests.items():
        expected = rows_commit_entries.pop(seq, None)
        got = entry_content(d for _id, d in sorted(parts))
        if expected is None:
            report.problems.append(f"row commitments of ledger seq {seq}: that entry does not commit rows "
                                   "(commitments added behind Svidok's back)")
        elif expected != got:
            report.problems.append(f"ledger seq {seq}: its row commitments no longer hash to what the entry recorded "
                                   "(commitments edited, added or removed)")
    for seq in sorted(rows_commit_entries):
        report.problems.append(f"ledger seq {seq}: the rows it committed have no commitments left (removed)")


class _Owners:
    """Key -> index of the newest commitment holding it; popped as rows are read.

    Single integer keys (most tables) go in an array indexed by the key, four bytes each,
    instead of a dict of tuples (~150 bytes each): 1,000,000 incidents have ~16,000,000 rows.
    """

    def __init__(self, single: bool) -> None:
        self.single = single
        self.map: dict = {}
        self.arr = array("i")

    def add(self, keys: list, i: int) -> None:
        if not self.single:
            self.map.update(zip(keys, repeat(i)))
            return
        arr = self.arr
        for (k,) in keys:
            if type(k) is not int or k < 0 or k > 1 << 31:
                self.map[(k,)] = i
                continue
            if k >= len(arr):
                arr.extend(repeat(-1, max(k + 1 - len(arr), len(arr) // 2)))
            arr[k] = i

    def pop(self, key: tuple) -> int | None:
        if self.single:
            k = key[0]
            if type(k) is int and 0 <= k < len(self.arr):
                i = self.arr[k]
                if i >= 0:
                    self.arr[k] = -1
                    return i
                return None
        return self.map.pop(key, None)

    def left(self):
        yield from self.map.items()
        for k, i in enumerate(self.arr):
            if i >= 0:
                yield (k,), i


def _check_table(conn, tbl: str, report, digests: dict) -> int:
    cols = columns_of(tbl)
    kcols = key_of(tbl)
    kpos = [cols.index(c) for c in kcols]
    kget = _getter(kpos)
    commitments: list[_Commitment] = []
    owner = _Owners(len(kcols) == 1)
    problems: list[str] = []
    q = select(RowCommitment.id, RowCommitment.seq, RowCommitment.columns, RowCommitment.const_columns,
               RowCommitment.const_values, RowCommitment.deleted, RowCommitment.count, RowCommitment.digest,
               RowCommitment.rows).where(RowCommitment.tbl == tbl).order_by(RowCommitment.id)
    for row in conn.execute(q):
        c = _Commitment(row)
        raw = zlib.decompress(c.blob)
        digests[c.seq].append((c.id, commit_digest(tbl, c.columns, c.const_columns, row[4], c.deleted, row[6], c.digest)))
        if sha256(raw).hexdigest() != c.digest:
            problems.append(f"{tbl}: the copy kept by row commitment {c.id} (ledger seq {c.seq}) was altered")
            continue
        rows = marshal.loads(raw)
        try:
            ck = _getter([c.columns.index(k) for k in kcols])
        except ValueError:
            problems.append(f"{tbl}: row commitment {c.id} lacks the key columns")
            continue
        i = len(commitments)
        commitments.append(c)
        owner.add(list(map(ck, rows)), i)
    # Per commitment: how to cut its columns out of a row read now.
    plans = {}
    cache: dict[int, _Commitment] = {}
    sqlite = conn.dialect.name == "sqlite"
    sql = f"SELECT {', '.join(cols)} FROM {tbl} ORDER BY {', '.join(kcols)}"
    n = 0
    more = 0
    result = conn.exec_driver_sql(sql, execution_options={"stream_results": True, "yield_per": 10_000})
    for row in result:
        n += 1
        if not sqlite:
            row = tuple(map(plain, row))
        key = kget(row)
        i = owner.pop(key)
        if i is None:
            problems.append(f"{_label(tbl, key)}: not committed to the ledger (written behind Svidok's back, or before "
                            "this installation committed rows: see `svidok ledger commit-existing`)")
            continue
        c = commitments[i]
        if c.deleted:
            problems.append(f"{_label(tbl, key)}: present although ledger seq {c.seq} recorded its removal")
            continue
        plan = plans.get(i)
        if plan is None:
            plan = plans[i] = _plan(cols, c)
            if plan is None:
                problems.append(f"{tbl}: row commitment {c.id} names columns the table no longer has")
                plans[i] = False
                continue
        elif plan is False:
            continue
        if c.rows is None:
            rows = marshal.loads(zlib.decompress(c.blob))
            c.rows = rows
            c.pos = dict(zip(map(_getter([c.columns.index(k) for k in kcols]), rows), range(len(rows))))
            cache[i] = c
            if len(cache) > _CACHE:
                old = cache.pop(next(iter(cache)))
                old.rows = old.pos = None
        vget, cget = plan
        expected = c.rows[c.pos[key]]
        now = vget(row)
        if now != expected or (cget is not None and cget(row) != c.const_values):
            changed = [col for col, a, b in zip(c.columns, expected, now) if not _same(a, b)]
            if cget is not None:
                changed += [col for col, a, b in zip(c.const_columns, c.const_values, cget(row)) if not _same(a, b)]
            if not changed:
                continue
            problems.append(f"{_label(tbl, key)}: {', '.join(changed)} changed behind Svidok's back "
                            f"(differs from what ledger seq {c.seq} committed)")
    for key, i in owner.left():
        c = commitments[i]
        if not c.deleted:
            problems.append(f"{_label(tbl, key)}: row is gone from the database (committed by ledger seq {c.seq})")
    if len(problems) > _MAX_PER_TABLE:
        more = len(problems) - _MAX_PER_TABLE
        problems = problems[:_MAX_PER_TABLE] + [f"{tbl}: and {more} more rows differ"]
    report.problems += problems
    return n


def _same(a, b) -> bool:
    """Equal, or the same value spelt another way (a dump moved between engines: JSON re-spaced, 5 and '5')."""
    if a == b:
        return True
    if a is None or b is None or isinstance(a, bytes) or isinstance(b, bytes):
        return False
    if str(a) == str(b):
        return True
    if isinstance(a, str) and isinstance(b, str) and a[:1] in "{[" and b[:1] in "{[":
        try:
            return json.loads(a) == json.loads(b)
        except ValueError:
            return False
    return False


def _plan(cols: tuple[str, ...], c: _Commitment):
    try:
        vget = _getter([cols.index(k) for k in c.columns])
        cget = _getter([cols.index(k) for k in c.const_columns]) if c.const_columns else None
    except ValueError:
        return None
    return vget, cget
