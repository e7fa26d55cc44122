"""Building the configured evidence store (``SVIDOK_EVIDENCE_BACKEND``: local or s3)."""

from __future__ import annotations

from svidok.config import Settings

from .blobs import BlobStore, StoreUnavailableError
from .store import KeysArg, LocalStore


def local_store(settings: Settings, keys: KeysArg = None) -> LocalStore:
    return LocalStore(settings.resolved_evidence_dir, encrypt=settings.evidence_encryption, keys=keys)


def s3_store(settings: Settings, keys: KeysArg = None):
    from .s3_store import S3Store  # boto3 loads only when S3 is used

    if not settings.s3_bucket:
        raise StoreUnavailableError("S3 evidence store: set SVIDOK_S3_BUCKET (and SVIDOK_S3_ENDPOINT unless AWS)")
    return S3Store(
        bucket=settings.s3_bucket, prefix=settings.s3_prefix, endpoint=settings.s3_endpoint, region=settings.s3_region,
        access_key=settings.s3_access_key, secret_key=settings.s3_secret_key, object_lock=settings.s3_object_lock,
        lock_mode=settings.s3_lock_mode, retention_days=settings.s3_retention_days,
        encrypt=settings.evidence_encryption, keys=keys, tmp_dir=settings.resolved_evidence_dir / "tmp",
        part_size=settings.s3_part_size_mb << 20, concurrency=settings.s3_concurrency,
    )


def configured_store(settings: Settings, keys: KeysArg = None) -> BlobStore:
    if settings.evidence_backend == "s3":
        return s3_store(settings, keys)
    return local_store(settings, keys)
