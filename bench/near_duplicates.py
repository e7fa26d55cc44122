"""Near-duplicate query time over N random 256-bit hashes, and keyframe throughput on a short clip.

    uv run python bench/near_duplicates.py [--n 1000000] [--queries 20] [--video CLIP.mp4]

Prints the build time, the query time (median and worst over --queries, wall and CPU) and,
with --video, keyframe extraction + PDQ frames/s for that clip.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time

import numpy as np

from svidok.evidence.keyframes import DEFAULT_MAX_DISTANCE
from svidok.evidence.near_duplicates import _HAS_BITWISE_COUNT, NearDuplicateIndex


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--queries", type=int, default=20)
    p.add_argument("--video")
    a = p.parse_args()
    print(f"nproc={os.cpu_count()} loadavg={open('/proc/loadavg').read().split()[:3]} "
          f"numpy={np.__version__} bitwise_count={_HAS_BITWISE_COUNT}")
    rng = np.random.default_rng(16)
    t0 = time.perf_counter()
    packed = rng.integers(0, 2**64, size=(a.n, 4), dtype=np.uint64)
    index: NearDuplicateIndex[int] = NearDuplicateIndex(256)
    index.add_packed(list(range(a.n)), packed)
    print(f"built index of {a.n:,} hashes in {time.perf_counter() - t0:.2f} s")
    walls, cpus, found = [], [], 0
    for _ in range(a.queries):
        target = int(rng.integers(a.n))
        q = b"".join(int(w).to_bytes(8, "big") for w in packed[target]).hex()
        w0, c0 = time.perf_counter(), time.process_time()
        hits = index.query(q, DEFAULT_MAX_DISTANCE)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        found += any(k == target for k, _ in hits)
    print(f"query within {DEFAULT_MAX_DISTANCE} bits: median {statistics.median(walls) * 1000:.1f} ms, "
          f"worst {max(walls) * 1000:.1f} ms wall; median CPU {statistics.median(cpus) * 1000:.1f} ms; "
          f"self found {found}/{a.queries}")
    if a.video:
        from svidok.evidence.keyframes import keyframe_hashes
        frames = int(subprocess.run(
            ["ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
             "stream=nb_read_packets", "-of", "csv=p=0", a.video], capture_output=True, text=True).stdout.strip())
        w0 = time.perf_counter()
        c0 = os.times()
        kf = keyframe_hashes(a.video)
        wall = time.perf_counter() - w0
        c1 = os.times()
        cpu = (c1.user + c1.system + c1.children_user + c1.children_system) - (c0.user + c0.system + c0.children_user
                                                                                 + c0.children_system)
        print(f"keyframes: {frames} frames in {wall:.2f} s wall ({frames / wall:.0f} frames/s), CPU {cpu:.2f} s, "
              f"{len(kf)} keyframes; one hour at 25 fps = 90000 frames -> ~{90000 / (frames / wall) / 60:.1f} min")


if __name__ == "__main__":
    main()
