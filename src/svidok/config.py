"""Settings of an installation, read from the environment (prefix ``SVIDOK_``)."""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


class Settings(BaseSettings):
    """One typed object for every setting; environment variables override defaults."""

    model_config = SettingsConfigDict(env_prefix="SVIDOK_", extra="ignore")

    #: Where the SQLite database, keys and evidence files live by default.
    data_dir: Path = Path("svidok-data")
    #: SQLAlchemy URL; defaults to an SQLite file in the data directory.
    database_url: str | None = None
    #: Evidence store location; defaults to ``<data_dir>/evidence`` (with ``s3``: its temporary files only).
    evidence_dir: Path | None = None
    #: Where evidence files live: ``local`` (content-addressed files, default) or ``s3`` (the s3_* settings).
    evidence_backend: Literal["local", "s3"] = "local"
    #: Store new evidence files encrypted at rest (AES-256-GCM per 64 KiB chunk, keys wrapped by the field key).
    evidence_encryption: bool = False
    #: S3-compatible object storage (AWS S3, MinIO, Ceph, SeaweedFS); endpoint None means AWS.
    s3_endpoint: str | None = None
    #: Bucket of the evidence objects, and its region.
    s3_bucket: str | None = None
    s3_region: str = "us-east-1"
    #: Credentials; None uses boto3's usual chain (AWS_* variables, instance role).
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    #: Key prefix inside the bucket, e.g. ``svidok/`` (several installations may share a bucket).
    s3_prefix: str = ""
    #: Write each object with an object-lock retention (the bucket must have object lock enabled).
    s3_object_lock: bool = False
    #: Object-lock mode and retention of each evidence object.
    s3_lock_mode: Literal["COMPLIANCE", "GOVERNANCE"] = "COMPLIANCE"
    s3_retention_days: int = 3650
    #: Multipart upload: part size (MiB) and parts uploaded at once.
    s3_part_size_mb: int = 16
    s3_concurrency: int = 4
    #: A folder with places.csv (and occupation.csv) replacing the shipped gazetteer.
    gazetteer_dir: Path | None = None
    #: Extra vocabulary folders whose YAML files extend or override the shipped ones.
    vocab_dirs: list[Path] = []
    #: A claim-categories file (RD4U) replacing the shipped one, e.g. after the Register opened a category.
    claim_categories: Path | None = None
    #: Field-encryption key file (32 random bytes, base64); default ``<data_dir>/keys``…
    key_file: Path | None = None
    #: …or the key itself (base64), for containers that pass secrets in the environment.
    field_key: str | None = None
    #: Optional tile layer URL template for maps; the map works without it.
    tile_url: str | None = None
    #: Address and port ``svidok serve`` and ``svidok demo`` listen on.
    host: str = "127.0.0.1"
    port: int = 8000
    #: Largest request body other than evidence uploads (forms, JSON), in bytes.
    max_request_bytes: int = 1_000_000
    #: Largest evidence file accepted through the API and the web: 2 GiB, about an hour of
    #: phone video at 1080p; a longer recording goes in parts or through ``svidok evidence add``.
    max_upload_bytes: int = 2 * 1024**3
    #: A web session ends after this many minutes without a request…
    session_idle_minutes: int = 120
    #: …and this many hours after sign-in, however active.
    session_max_hours: int = 12
    #: Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses).
    trusted_proxies: list[str] = []
    #: Record-linkage engine: ``duckdb`` (in-process, default) or ``spark`` (needs pyspark and Java).
    linkage_backend: Literal["duckdb", "spark"] = "duckdb"
    #: Where Spark keeps linkage checkpoints; default a new temporary folder.
    spark_checkpoint_dir: Path | None = None
    #: The Chromium that renders PDFs and captures pages; default the first one found on the PATH.
    chromium: Path | None = None
    #: Passphrase of the keys in backups, for unattended ``svidok backup`` (else asked, or --passphrase-file).
    backup_passphrase: SecretStr | None = None
    #: Web captures may fetch loopback and private addresses (tests, a laptop); never on a server.
    capture_allow_private: bool = False
    #: Where Telegram's public web view is (``t.me/…`` URLs are read from here; tests point it elsewhere).
    telegram_base: str = "https://t.me"
    #: Seconds a page may take to load before what arrived is captured (or the capture fails).
    capture_page_timeout: float = 30.0
    #: Largest page (all its resources together) and largest media file a capture keeps.
    capture_max_page_bytes: int = 300 * 1024**2
    capture_max_media_bytes: int = 2 * 1024**3
    #: Hosts (and their subdomains) whose video a capture downloads with yt-dlp, with its metadata.
    capture_video_hosts: list[str] = ["youtube.com", "youtu.be", "vimeo.com", "tiktok.com", "x.com", "twitter.com",
                                      "facebook.com", "instagram.com", "rumble.com", "dailymotion.com", "rutube.ru",
                                      "vk.com", "vkvideo.ru", "ok.ru"]
    #: Pages a capture batch loads at once.
    capture_concurrency: int = 2
    #: RFC 3161 time-stamping authorities (URLs): every new tree head and capture is stamped by each.
    tsa_urls: list[str] = []
    #: PEM files of the TSAs' root certificates, against which `svidok verify` checks tokens.
    tsa_ca_files: list[Path] = []
    #: Seconds to wait for each time-stamping authority.
    tsa_timeout: float = 5.0
    #: OpenTimestamps calendars (URLs, e.g. ``https://a.pool.opentimestamps.org``): when set, every
    #: new tree head also gets an OpenTimestamps proof (pending until ``svidok ots-upgrade``).
    ots_calendars: list[str] = []
    #: PEM files of the C2PA signers' root certificates you trust (a trust list). A file whose content
    #: credentials chain to one of them shows "valid, signer trusted"; other valid ones "valid, signer
    #: unknown". Read when a file is ingested; after a change, ``svidok evidence c2pa-recheck`` re-examines
    #: the items judged with another list.
    c2pa_trust_anchors: list[Path] = []
    #: Background jobs: ``inline`` (a worker thread inside each Svidok process, jobs kept in the
    #: database; nothing else to start) or ``redis`` (a queue on Redis, ``svidok worker`` processes).
    jobs: Literal["inline", "redis"] = "inline"
    #: Redis for the job queue (``jobs = redis``).
    redis_url: str = "redis://127.0.0.1:6379/0"
    #: The Redis queue's name (several installations may share one Redis).
    jobs_queue: str = "svidok"
    #: A running job's lease: its worker renews it every third of this; a lease expired means the worker died.
    jobs_lease_seconds: float = 30.0
    #: How often an idle worker looks for queued jobs (inline mode) and for expired leases (both modes).
    jobs_poll_seconds: float = 1.0
    #: Times a job is started before a lost worker fails it for good.
    jobs_max_attempts: int = 3
    #: Modules imported by every worker that register more job kinds (``jobs.register``).
    job_modules: list[str] = []
    #: Inline mode: run the worker thread inside the web process (off: only ``svidok worker`` runs jobs).
    jobs_in_web: bool = True
    #: Where computed figures (the dashboard's counts) are kept for every web process: ``database``
    #: (a table; nothing else to run) or ``redis`` (``redis_url``). Entries carry the ledger's head,
    #: so a change of the records made through any process makes every process recompute.
    figures_cache: Literal["database", "redis"] = "database"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'svidok.db').resolve()}"

    @property
    def resolved_chromium(self) -> str | None:
        """The configured Chromium, else the first one installed (Debian's, then the PATH's)."""
        for candidate in ([str(self.chromium)] if self.chromium else []) + list(CHROMIUM_CANDIDATES):
            if Path(candidate).is_file():
                return candidate
        return shutil.which("chromium")

    @property
    def resolved_evidence_dir(self) -> Path:
        return self.evidence_dir or self.data_dir / "evidence"


@lru_cache
def get_settings() -> Settings:
    return Settings()
