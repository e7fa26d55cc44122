"""Ledger at scale: verify, seal and prove over 1,000,000 hash-chained entries.

    uv run python bench/evidence_ledger.py                 # 1,000,000 entries
    SVIDOK_BENCH_ENTRIES=100000 uv run python bench/evidence_ledger.py

Builds a chained ledger with ``svidok.domain.ledger`` in a plain SQLite file
(bench/out/ledger-<n>.sqlite, reused between runs), then times what `svidok verify`
does to the ledger (read every row, re-hash and re-chain it, rebuild the Merkle tree,
check every signed tree head), sealing (Merkle root over all entries + Ed25519 signature),
and inclusion proofs. Targets (issue 3): verify < 60 s, seal < 10 s, proof < 10 ms.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from svidok.domain.ledger import GENESIS_HASH, content_hash, entry_hash
from svidok.evidence.ledger_check import ROW_FIELDS, TreeHeadRow, check_chain, check_tree_heads
from svidok.evidence.merkle import MerkleTree, verify_inclusion
from svidok.evidence.signing import load_or_create_key, sign_tree_head

N = int(os.environ.get("SVIDOK_BENCH_ENTRIES", "1000000"))
ACTIONS = ("incident.create", "incident.update", "evidence.ingest", "custody.access", "protected.read")


def build(path: Path, n: int) -> None:
    con = sqlite3.connect(path)
    con.execute(f"CREATE TABLE ledger_entries ({', '.join(ROW_FIELDS)}, PRIMARY KEY (seq))")
    prev, batch = GENESIS_HASH, []
    for seq in range(1, n + 1):
        f = {
            "seq": seq, "at": f"2026-01-{1 + seq % 28:02d}T10:00:{seq % 60:02d}.{seq % 1000000:06d}+00:00",
            "actor": f"user{seq % 50}", "action": ACTIONS[seq % 5], "entity": "incident",
            "record_id": str(seq // 3), "content_hash": content_hash({"n": seq, "title": "synthetic"}),
            "prev_hash": prev,
        }
        prev = f["entry_hash"] = entry_hash(f)
        batch.append(tuple(f[k] for k in ROW_FIELDS))
        if len(batch) == 50_000:
            con.executemany(f"INSERT INTO ledger_entries VALUES ({', '.join('?' * 9)})", batch)
            batch.clear()
    con.executemany(f"INSERT INTO ledger_entries VALUES ({', '.join('?' * 9)})", batch)
    con.commit()
    con.close()


def main() -> None:
    out = Path("bench/out")
    out.mkdir(parents=True, exist_ok=True)
    db = out / f"ledger-{N}.sqlite"
    if not db.exists():
        t = time.perf_counter()
        build(db, N)
        print(f"built {N:,} chained entries in {time.perf_counter() - t:.1f} s ({db})")
    key = load_or_create_key(Path(tempfile.mkdtemp()))

    con = sqlite3.connect(db)
    t = time.perf_counter()
    leaves = [bytes.fromhex(h) for (h,) in con.execute("SELECT entry_hash FROM ledger_entries ORDER BY seq")]
    tree = MerkleTree(leaves)
    sth = sign_tree_head(key, tree.size, tree.root())
    seal_s = time.perf_counter() - t
    heads = [TreeHeadRow(1, sth.tree_size, sth.root_hash, sth.timestamp, sth.key_id, sth.signature)]
    half = sign_tree_head(key, N // 2, tree.root(N // 2))
    heads.append(TreeHeadRow(2, half.tree_size, half.root_hash, half.timestamp, half.key_id, half.signature))

    t = time.perf_counter()
    rows = con.execute(f"SELECT {', '.join(ROW_FIELDS)} FROM ledger_entries ORDER BY seq")
    chain = check_chain(rows)
    verify_tree = MerkleTree(chain.leaves)
    head_problems = check_tree_heads(verify_tree, heads, key.public_key())
    verify_s = time.perf_counter() - t
    assert not chain.problems and not head_problems and chain.entries == N

    rng = random.Random(1)
    idx = [rng.randrange(N) for _ in range(1000)]
    times, vtimes = [], []
    root = tree.root()
    for i in idx:
        t = time.perf_counter()
        proof = tree.inclusion_proof(i)
        times.append(time.perf_counter() - t)
        t = time.perf_counter()
        assert verify_inclusion(leaves[i], i, N, proof, root)
        vtimes.append(time.perf_counter() - t)

    print(f"cpu_count={os.cpu_count()} entries={N:,} load average {os.getloadavg()[0]:.1f} (shared machine)")
    print(f"seal (read {N:,} entry hashes from SQLite, Merkle root, Ed25519 sign): {seal_s:.2f} s (target < 10 s)")
    print(f"verify (read rows, re-hash + re-chain every entry, rebuild tree, check 2 signed heads): "
          f"{verify_s:.2f} s (target < 60 s)")
    p99 = sorted(times)[int(len(times) * 0.99)]
    print(f"inclusion proof over {N:,} leaves (1000 random items): median {statistics.median(times) * 1e3:.3f} ms, "
          f"p99 {p99 * 1e3:.3f} ms, max {max(times) * 1e3:.3f} ms (target < 10 ms); proof length {len(proof)}")
    print(f"inclusion proof verification: median {statistics.median(vtimes) * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
