"""S3 ingest against its ceiling: what Svidok's ``S3Store.put_file`` reaches with larger parts
and more parts in flight, beside a raw boto3 ``upload_file`` of the same file (no hashing, no
content key: the most any client gets from this server) and the local store.

    uv run python bench/evidence_s3_ceiling.py            # 2 GiB
    SVIDOK_BENCH_GIB=0.5 uv run python bench/evidence_s3_ceiling.py

SeaweedFS (``weed server -s3``) runs on the same machine as the client, as in
``bench/evidence_s3.py``; CPU of this process and of the server are printed with the load.
Figures: docs/benchmarks.md ("Evidence on S3").
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from boto3.s3.transfer import TransferConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evidence_s3 import BUCKET, load, make_file, s3, timed

from svidok.evidence.store import LocalStore
from tests import seaweed

GIB = float(os.environ.get("SVIDOK_BENCH_GIB", "2"))
MIB = 1 << 20


def main() -> None:
    print(f"{os.cpu_count()} cores, load {load()}")
    work = Path(os.environ.get("SVIDOK_BENCH_DIR", "bench/out"))
    work.mkdir(parents=True, exist_ok=True)
    size = int(GIB * (1 << 30))
    with tempfile.TemporaryDirectory(dir=work) as d:
        d = Path(d)
        server = seaweed.start(d / "seaweedfs")
        try:
            client = server.client()
            client.create_bucket(Bucket=BUCKET)
            src = d / "video.bin"
            make_file(src, size)
            pid = server.proc.pid
            print(f"ingest of one {size / 2**30:.2f} GiB file")
            got = {}
            got["local"] = timed("local store, put_file", lambda: LocalStore(d / "local").put_file(src), size, pid)
            for part, conc in ((16, 4), (64, 8), (128, 4)):
                got[f"svidok {part}x{conc}"] = timed(
                    f"S3 put_file, {part} MiB parts, {conc} in flight",
                    lambda part=part, conc=conc: s3(server, d, part_size=part * MIB, concurrency=conc).put_file(src),
                    size, pid)
            cfg = TransferConfig(multipart_threshold=64 * MIB, multipart_chunksize=64 * MIB, max_concurrency=8)
            got["raw"] = timed("raw boto3 upload_file, 64 MiB x 8 (ceiling)", lambda: client.upload_file(
                str(src), BUCKET, f"raw/{uuid.uuid4().hex}", Config=cfg), size, pid)
            best = min(v for k, v in got.items() if k.startswith("svidok"))
            print(f"  => best S3 put_file / local: {got['local'] / best:.0%}; raw upload / local: "
                  f"{got['local'] / got['raw']:.0%}; best put_file / raw upload: {got['raw'] / best:.0%}")
        finally:
            server.stop()
            for p in d.rglob("*"):
                if p.is_file() and not os.access(p, os.W_OK):
                    p.chmod(0o644)


if __name__ == "__main__":
    main()
