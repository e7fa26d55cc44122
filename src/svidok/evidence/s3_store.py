"""Evidence on S3-compatible object storage (AWS S3, MinIO, Ceph RGW, SeaweedFS).

Objects are named ``<prefix>objects/<sha256>``. Ingest stages the upload to a local
temporary file, hashing it (the upload paths already hold one), then uploads to the
content-addressed key — parts of ``part_size`` sent ``concurrency`` at a time, so memory
stays at a few parts whatever the file size — with ``If-None-Match: *`` on the final
write: an existing object is never replaced, and a race with another writer of the same
bytes ends with one object. With ``object_lock`` each object is written with a retention
(the bucket must have been created with object lock). Reads are ranged GETs.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from . import at_rest
from .blobs import (
    BlobCheck,
    BlobMissingError,
    EvidenceStoreError,
    Inspect,
    StoredBlob,
    StoreUnavailableError,
    check_sha256,
)
from .media_types import sniff_media_type
from .readers import RangeReader, read_up_to, resolve
from .staging import hash_in_place, stage
from .store import KeysArg, _keys_getter, hash_check

_MISSING = {"404", "NoSuchKey", "NotFound"}
_EXISTS = {"412", "PreconditionFailed"}
_VERIFY_BATCH = 1000


class S3Store:
    """A ``BlobStore`` on one bucket (and key prefix) of an S3-compatible server."""

    def __init__(self, *, bucket: str, tmp_dir: Path | str, prefix: str = "", endpoint: str | None = None,
                 region: str | None = None, access_key: str | None = None, secret_key: str | None = None,
                 object_lock: bool = False, lock_mode: str = "COMPLIANCE", retention_days: int = 3650,
                 encrypt: bool = False, keys: KeysArg = None, part_size: int = 16 << 20, concurrency: int = 4,
                 connect_timeout: float = 5.0, read_timeout: float = 60.0, max_attempts: int = 3) -> None:
        self.bucket = bucket
        self.prefix = prefix.lstrip("/") if prefix else ""
        if self.prefix and not self.prefix.endswith("/"):
            self.prefix += "/"
        self.tmp = Path(tmp_dir)
        self.object_lock, self.lock_mode, self.retention_days = object_lock, lock_mode, retention_days
        self.encrypted = encrypt
        self._keys = _keys_getter(keys)
        self.part_size = max(part_size, 5 << 20)  # S3's smallest part
        self.concurrency = max(1, concurrency)
        self.location = f"s3://{bucket}/{self.prefix}" + (f" at {endpoint}" if endpoint else "")
        self._lock_checked = False
        config = Config(
            region_name=region or "us-east-1", connect_timeout=connect_timeout, read_timeout=read_timeout,
            retries={"max_attempts": max_attempts, "mode": "standard"},
            max_pool_connections=max(16, self.concurrency * 2),
            s3={"addressing_style": "path"} if endpoint else {},
            # No extra CRC32 per part: SigV4 already carries the payload's SHA-256 over HTTP, TLS
            # protects HTTPS, and the CRC cost ~20 % of the client's CPU (docs/benchmarks.md).
            # AWS requires a checksum on writes with object lock, so keep it there.
            request_checksum_calculation="when_supported" if object_lock else "when_required",
        )
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key=secret_key, config=config)

    # --- names and errors ---------------------------------------------------------------

    def key_for(self, sha256: str) -> str:
        return f"{self.prefix}objects/{check_sha256(sha256)}"

    def _unavailable(self, exc: Exception, doing: str) -> StoreUnavailableError:
        if isinstance(exc, ClientError):
            err = exc.response.get("Error", {})
            reason = f"{err.get('Code', '?')}: {err.get('Message', '')}".strip()
        else:
            reason = str(exc)
        return StoreUnavailableError(f"evidence store {self.location} failed while {doing}: {reason}")

    def _call(self, doing: str, fn, **kwargs: Any) -> Any:
        try:
            return fn(Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in _MISSING:
                raise BlobMissingError(f"evidence file {kwargs.get('Key', '')} is missing from {self.location}") from None
            if code in _EXISTS:
                raise
            raise self._unavailable(exc, doing) from None
        except BotoCoreError as exc:
            raise self._unavailable(exc, doing) from None

    def _head(self, sha256: str) -> dict | None:
        try:
            return self._call(f"looking up {sha256}", self.client.head_object, Key=self.key_for(sha256))
        except BlobMissingError:
            return None

    # --- writing ------------------------------------------------------------------------

    def put_file(self, path: Path | str, **kwargs: Any) -> StoredBlob:
        """Upload a local file without copying it first; it must not change meanwhile (checked)."""
        path = Path(path)
        kwargs.setdefault("original_name", path.name)
        before = os.stat(path)
        staged = hash_in_place(path, kwargs.get("expected_sha256"), kwargs.get("expected_size"),
                               kwargs.get("max_size"))
        return self._commit(staged.path, staged.sha256, staged.size, staged.head, kwargs, before)

    def put_stream(self, fileobj: BinaryIO, expected_sha256: str | None = None, expected_size: int | None = None,
                   media_type: str | None = None, original_name: str | None = None, max_size: int | None = None,
                   inspect: Inspect | None = None) -> StoredBlob:
        staged = stage(fileobj, self.tmp, expected_sha256, expected_size, max_size)
        try:
            return self._commit(staged.path, staged.sha256, staged.size, staged.head,
                                {"media_type": media_type, "original_name": original_name, "inspect": inspect})
        finally:
            staged.path.unlink(missing_ok=True)

    def _commit(self, path: Path, sha: str, size: int, head: bytes, kw: dict, before=None) -> StoredBlob:
        sniffed = sniff_media_type(head, kw.get("original_name"), declared=kw.get("media_type"))
        inspect = kw.get("inspect")
        inspected = inspect(path, sniffed) if inspect else None
        created = False
        if self._head(sha) is None:
            created = self._upload(path, sha, size)
        if before is not None:
            after = os.stat(path)
            if (after.st_size, after.st_mtime_ns, after.st_ino) != (before.st_size, before.st_mtime_ns, before.st_ino):
                if created:
                    self._delete_quietly(sha)
                raise EvidenceStoreError(f"{path} changed while it was being stored; nothing stored")
        return StoredBlob(sha, size, sniffed, created, None, inspected)

    def _write_args(self, sha: str, size: int) -> dict:
        args: dict[str, Any] = {"Metadata": {"svidok-sha256": sha, "svidok-size": str(size),
                                             "svidok-format": "svdkev01" if self.encrypted else "plain"}}
        if self.object_lock:
            self._require_lock()
            args["ObjectLockMode"] = self.lock_mode
            args["ObjectLockRetainUntilDate"] = datetime.now(UTC) + timedelta(days=self.retention_days)
        return args

    def _require_lock(self) -> None:
        if self._lock_checked:
            return
        try:
            conf = self._call("reading the bucket's object lock", self.client.get_object_lock_configuration)
            enabled = conf.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled"
        except StoreUnavailableError:
            enabled = False
        if not enabled:
            raise StoreUnavailableError(
                f"object lock is on (SVIDOK_S3_OBJECT_LOCK) but bucket {self.bucket} has none: create the bucket "
                "with object lock enabled, or set SVIDOK_S3_OBJECT_LOCK=false")
        self._lock_checked = True

    def _pieces(self, fh: BinaryIO, sha: str, size: int) -> Iterator[bytes]:
        """What is uploaded, in parts of ``part_size`` (encrypted chunks when encrypting)."""
        if not self.encrypted:
            while data := fh.read(self.part_size):
                yield data
            return
        buf, have = [], 0
        for piece in at_rest.encrypt_chunks(fh.read, size, sha, self._keys()):
            buf.append(piece)
            have += len(piece)
            if have >= self.part_size:
                yield b"".join(buf)
                buf, have = [], 0
        if buf:
            yield b"".join(buf)

    def _upload(self, path: Path, sha: str, size: int) -> bool:
        key = self.key_for(sha)
        args = self._write_args(sha, size)
        total = at_rest.cipher_size(size) if self.encrypted else size
        with open(path, "rb") as fh:
            if total <= self.part_size:
                body = b"".join(self._pieces(fh, sha, size))
                try:
                    self._call(f"storing {sha}", self.client.put_object, Key=key, Body=body, IfNoneMatch="*", **args)
                except ClientError:  # 412: the same bytes arrived meanwhile
                    return False
                return True
            return self._multipart(fh, key, sha, size, args)

    def _multipart(self, fh: BinaryIO, key: str, sha: str, size: int, args: dict) -> bool:
        upload_id = self._call(f"starting the upload of {sha}", self.client.create_multipart_upload,
                               Key=key, **args)["UploadId"]
        in_flight = threading.BoundedSemaphore(self.concurrency + 1)  # parts held in memory at once
        failed = threading.Event()

        def send(number: int, data: bytes) -> dict:
            try:
                r = self._call(f"uploading part {number} of {sha}", self.client.upload_part, Key=key,
                               UploadId=upload_id, PartNumber=number, Body=data)
                return {"ETag": r["ETag"], "PartNumber": number}
            except BaseException:
                failed.set()
                raise
            finally:
                in_flight.release()

        try:
            with ThreadPoolExecutor(self.concurrency, thread_name_prefix="s3-part") as pool:
                futures = []
                for number, data in enumerate(self._pieces(fh, sha, size), start=1):
                    in_flight.acquire()
                    futures.append(pool.submit(send, number, data))
                    if failed.is_set():
                        break
                parts = [f.result() for f in futures]
            try:
                self._call(f"completing the upload of {sha}", self.client.complete_multipart_upload, Key=key,
                           UploadId=upload_id, MultipartUpload={"Parts": parts}, IfNoneMatch="*")
            except ClientError:  # 412: the same bytes arrived meanwhile; ours is dropped
                self._abort(key, upload_id)
                return False
            return True
        except BaseException:
            self._abort(key, upload_id)
            raise

    def _abort(self, key: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except (ClientError, BotoCoreError):
            pass  # listed by unfinished_uploads(); a bucket lifecycle rule cleans it too

    def _delete_quietly(self, sha: str) -> None:
        try:
            self.discard(sha)
        except EvidenceStoreError:
            pass

    def discard(self, sha256: str) -> None:
        """Delete the object (with object lock the locked version stays; only a delete marker is added)."""
        self._call(f"removing {sha256}", self.client.delete_object, Key=self.key_for(sha256))

    # --- reading ------------------------------------------------------------------------

    def exists(self, sha256: str) -> bool:
        return self._head(sha256) is not None

    def size(self, sha256: str) -> int | None:
        head = self._head(sha256)
        if head is None:
            return None
        meta = head.get("Metadata") or {}
        if "svidok-size" in meta:
            return int(meta["svidok-size"])
        return int(head["ContentLength"])

    def _get(self, sha: str, first: int | None = None, last: int | None = None) -> tuple[BinaryIO, int]:
        """The body of the object (bytes ``first..last`` inclusive) and the object's full length."""
        kwargs: dict[str, Any] = {"Key": self.key_for(sha)}
        if first is not None:
            kwargs["Range"] = f"bytes={first}-{'' if last is None else last}"
        r = self._call(f"reading {sha}", self.client.get_object, **kwargs)
        total = int(r["ContentRange"].rsplit("/", 1)[1]) if r.get("ContentRange") else int(r["ContentLength"])
        return r["Body"], total

    def open(self, sha256: str, start: int | None = None, end: int | None = None) -> BinaryIO:
        """The original bytes ``[start, end)``: one GET, or a header GET first for a range of an encrypted blob."""
        sha = check_sha256(sha256)
        if not start:
            body, total = self._get(sha)
            head = read_up_to(body, at_rest.HEADER_SIZE)
            if head[:8] == at_rest.MAGIC:
                header = at_rest.read_header(head, sha, self._keys())
                _, e = resolve(0, end, header.plain_size)
                return at_rest.DecryptingReader(body, header, 0, e, sha)
            _, e = resolve(0, end, total)
            return RangeReader(body, e, prefix=head)
        body, total = self._get(sha, 0, at_rest.HEADER_SIZE - 1)
        head = read_up_to(body, at_rest.HEADER_SIZE)
        body.close()
        if head[:8] == at_rest.MAGIC:
            header = at_rest.read_header(head, sha, self._keys())
            s, e = resolve(start, end, header.plain_size)
            if s == e:
                return RangeReader(_Empty(), 0)
            _, first, stop = header.cipher_span(s, e)
            body, _ = self._get(sha, first, stop - 1)
            return at_rest.DecryptingReader(body, header, s, e, sha)
        s, e = resolve(start, end, total)
        if s == e:
            return RangeReader(_Empty(), 0)
        body, _ = self._get(sha, s, e - 1)
        return RangeReader(body, e - s)

    def verify(self, sha256: str, expected_size: int | None = None) -> BlobCheck:
        try:
            fh = self.open(sha256)
        except BlobMissingError:
            return BlobCheck(sha256, False, f"missing: no object {self.key_for(sha256)} in {self.location}")
        except at_rest.DecryptionError as exc:
            return BlobCheck(sha256, False, f"content changed: {exc}")
        try:
            return hash_check(sha256, fh, expected_size, "object")
        except (ClientError, BotoCoreError) as exc:
            raise self._unavailable(exc, f"reading {sha256}") from None

    def verify_many(self, items: Iterable[tuple[str, int | None]]) -> Iterator[BlobCheck]:
        """Eight checks at a time (small objects are bound by round trips, not bandwidth)."""
        with ThreadPoolExecutor(8, thread_name_prefix="s3-verify") as pool:
            batch: list[tuple[str, int | None]] = []
            for item in items:
                batch.append(item)
                if len(batch) == _VERIFY_BATCH:
                    yield from pool.map(lambda it: self.verify(*it), batch)
                    batch = []
            yield from pool.map(lambda it: self.verify(*it), batch)

    def iter_hashes(self) -> Iterator[str]:
        base = f"{self.prefix}objects/"
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=base)
        try:
            for page in pages:
                for obj in page.get("Contents", []):
                    name = obj["Key"][len(base):]
                    if "/" not in name and len(name) == 64:
                        yield name
        except (ClientError, BotoCoreError) as exc:
            raise self._unavailable(exc, "listing objects") from None

    def unfinished_uploads(self, older_than_seconds: float = 3600) -> list[str]:
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
        out = []
        try:
            r = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=f"{self.prefix}objects/")
            out = [f"s3 upload {u['UploadId']} of {u['Key']}" for u in r.get("Uploads", []) if u["Initiated"] < cutoff]
        except (ClientError, BotoCoreError):
            pass  # not every server lists uploads; leftovers expire with a lifecycle rule
        if self.tmp.is_dir():
            old = time.time() - older_than_seconds
            out += [str(p) for p in self.tmp.glob("*.part") if p.stat().st_mtime < old]
        return out

    def ensure_bucket(self, object_lock: bool | None = None) -> None:
        """Create the bucket if it does not exist (tests, first setup); with object lock when asked."""
        lock = self.object_lock if object_lock is None else object_lock
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return
        except ClientError:
            pass
        except BotoCoreError as exc:
            raise self._unavailable(exc, "checking the bucket") from None
        try:
            self.client.create_bucket(Bucket=self.bucket, ObjectLockEnabledForBucket=lock)
        except (ClientError, BotoCoreError) as exc:
            raise self._unavailable(exc, "creating the bucket") from None


class _Empty:
    def read(self, n: int = -1) -> bytes:
        return b""

    def close(self) -> None:
        pass

