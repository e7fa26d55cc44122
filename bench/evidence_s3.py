"""Evidence on S3 (a real SeaweedFS on 127.0.0.1) against the local store.

    uv run python bench/evidence_s3.py                    # 2 GiB file, 10,000 small objects
    SVIDOK_BENCH_GIB=0.5 SVIDOK_BENCH_OBJECTS=2000 uv run python bench/evidence_s3.py

1. Ingest of one large file: the local store vs S3 (``put_file``: hash the file, then a
   multipart upload to the content-addressed key), best of two runs each; S3 through
   ``put_stream`` too (the API's path: staged copy first). Encrypted at rest, once each.
   Target (issue 19): S3 >= 70 % of the local store's throughput.
2. The other way to name an object by its hash: upload to a temporary key while hashing,
   then a server-side copy to the content key and a delete. Its extra cost is the copy;
   the chosen way's extra cost is one hash pass over the local file. Both are timed.
3. ``integrity.verify`` (what `svidok verify` runs) over an installation whose 10,000
   evidence items live in S3 as small objects (rows inserted directly, objects seeded in
   parallel: the seeding is not what is measured).

Wall time on a shared machine mostly measures the other users: CPU time of this process
and of the S3 server are printed beside it, with the load average.
"""

from __future__ import annotations

import base64
import hashlib
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from svidok.app import Svidok
from svidok.config import Settings
from svidok.evidence.s3_store import S3Store
from svidok.evidence.staging import hash_in_place
from svidok.evidence.store import LocalStore
from svidok.services import integrity
from svidok.services.field_crypto import Keyring
from svidok.storage.models import EvidenceItem
from tests import seaweed

GIB = float(os.environ.get("SVIDOK_BENCH_GIB", "2"))
OBJECTS = int(os.environ.get("SVIDOK_BENCH_OBJECTS", "10000"))
BUCKET = "bench"


def own_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def timed(label: str, fn, size: int, server_pid: int) -> float:
    c0, s0, t0 = own_cpu(), proc_cpu(server_pid), time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    print(f"  {label:<44} {dt:7.2f} s  {size / dt / 2**20:7.1f} MiB/s   cpu: svidok {own_cpu() - c0:6.2f} s, "
          f"server {proc_cpu(server_pid) - s0:6.2f} s   load {load()}", flush=True)
    return dt


def make_file(path: Path, size: int) -> None:
    block = os.urandom(64 << 20)
    with open(path, "wb") as fh:
        left = size
        while left:
            n = min(left, len(block))
            fh.write(block[:n])
            left -= n


def s3(server: seaweed.SeaweedS3, tmp: Path, **kw) -> S3Store:
    return S3Store(bucket=BUCKET, prefix=f"run-{uuid.uuid4().hex[:8]}/", endpoint=server.endpoint,
                   access_key=seaweed.ACCESS_KEY, secret_key=seaweed.SECRET_KEY, tmp_dir=tmp / "tmp", **kw)


def large_file(server: seaweed.SeaweedS3, work: Path) -> None:
    size = int(GIB * (1 << 30))
    src = work / "video.bin"
    make_file(src, size)
    pid = server.proc.pid
    print(f"\n1. ingest of one {size / 2**30:.2f} GiB file (best of 2)")
    local, remote = [], []
    for run in range(2):
        root = work / f"local-{run}"
        local.append(timed(f"local store, put_file (run {run + 1})", lambda root=root: LocalStore(root).put_file(src), size, pid))
        remote.append(timed(f"S3, put_file (run {run + 1})", lambda: s3(server, work).put_file(src), size, pid))
        for p in root.rglob("*"):
            if p.is_file():
                p.chmod(0o644)
                p.unlink()
    best_local, best_s3 = min(local), min(remote)
    print(f"  => S3 / local throughput: {best_local / best_s3:.0%} (target >= 70 %)")
    with open(src, "rb") as fh:
        timed("S3, put_stream (staged copy first, as uploads)", lambda: s3(server, work).put_stream(fh), size, pid)
    keys = Keyring.generate()
    root = work / "local-enc"
    timed("local store, encrypted at rest", lambda: LocalStore(root, encrypt=True, keys=keys).put_file(src), size, pid)
    timed("S3, encrypted at rest", lambda: s3(server, work, encrypt=True, keys=keys).put_file(src), size, pid)

    print("\n2. naming by hash: hash first (chosen) vs temporary key + server-side copy")
    timed("hash pass over the local file (chosen way's extra)", lambda: hash_in_place(src), size, pid)
    store = s3(server, work)
    sha = store.put_file(src).sha256
    tmp_key = f"{store.prefix}tmp/{uuid.uuid4().hex}"

    def copy_and_delete() -> None:
        store.client.copy({"Bucket": BUCKET, "Key": store.key_for(sha)}, BUCKET, tmp_key)
        store.client.delete_object(Bucket=BUCKET, Key=tmp_key)

    timed("server-side copy + delete (the other way's extra)", copy_and_delete, size, pid)
    src.unlink()


def many_small(server: seaweed.SeaweedS3, work: Path) -> None:
    print(f"\n3. `svidok verify` over {OBJECTS:,} small evidence objects in S3")
    settings = Settings(data_dir=work / "install", field_key=base64.b64encode(os.urandom(32)).decode(),
                        evidence_backend="s3", s3_endpoint=server.endpoint, s3_bucket=BUCKET,
                        s3_access_key=seaweed.ACCESS_KEY, s3_secret_key=seaweed.SECRET_KEY,
                        s3_prefix=f"verify-{uuid.uuid4().hex[:8]}/")
    settings.data_dir.mkdir(parents=True)
    app = Svidok(settings)
    app.init()
    store = app.evidence_store
    rng = random.Random(19)
    blobs = [rng.randbytes(rng.randrange(1_000, 4_000)) for _ in range(OBJECTS)]
    rows = []

    def seed(data: bytes) -> None:
        sha = hashlib.sha256(data).hexdigest()
        store.client.put_object(Bucket=BUCKET, Key=store.key_for(sha), Body=data)
        rows.append({"sha256": sha, "size": len(data), "media_type": "application/octet-stream",
                     "created_by": "bench", "confidentiality": "restricted", "synthetic": True})

    t0 = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(seed, blobs))
    print(f"  seeded {OBJECTS:,} objects in {time.perf_counter() - t0:.1f} s (not the measured figure)")
    with app.db.session() as s:
        s.execute(insert(EvidenceItem), rows)
    pid = server.proc.pid
    c0, s0, t0 = own_cpu(), proc_cpu(pid), time.perf_counter()
    report = integrity.verify(app)
    dt = time.perf_counter() - t0
    print(f"  integrity.verify: {dt:.1f} s ({OBJECTS / dt:,.0f} objects/s), cpu: svidok {own_cpu() - c0:.1f} s, "
          f"server {proc_cpu(pid) - s0:.1f} s, load {load()}; {report.counts.get('evidence_items')} items, "
          f"{len(report.problems)} problem(s)" + (f", e.g. {report.problems[0]}" if report.problems else ""))
    app.close()


def main() -> None:
    print(f"{os.cpu_count()} cores, load {load()}")
    work = Path(os.environ.get("SVIDOK_BENCH_DIR", "bench/out"))
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work) as d:
        server = seaweed.start(Path(d) / "seaweedfs")
        try:
            server.client().create_bucket(Bucket=BUCKET)
            if GIB > 0:
                large_file(server, Path(d))
            if OBJECTS > 0:
                many_small(server, Path(d))
        finally:
            server.stop()
            for p in Path(d).rglob("*"):
                if p.is_file() and not os.access(p, os.W_OK):
                    p.chmod(0o644)


if __name__ == "__main__":
    main()
