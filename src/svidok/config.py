"""Settings of an installation, read from the environment (prefix ``SVIDOK_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """One typed object for every setting; environment variables override defaults."""

    model_config = SettingsConfigDict(env_prefix="SVIDOK_", extra="ignore")

    data_dir: Path = Path("svidok-data")
    #: SQLAlchemy URL; defaults to an SQLite file in the data directory.
    database_url: str | None = None
    #: Evidence store location; defaults to ``<data_dir>/evidence``.
    evidence_dir: Path | None = None
    #: A folder with places.csv (and occupation.csv) replacing the shipped gazetteer.
    gazetteer_dir: Path | None = None
    #: Extra vocabulary folders whose YAML files extend or override the shipped ones.
    vocab_dirs: list[Path] = []
    #: Field-encryption key file (32 random bytes, base64); or the key itself in SVIDOK_FIELD_KEY.
    key_file: Path | None = None
    field_key: str | None = None
    #: Optional tile layer URL template for maps; the map works without it.
    tile_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    max_request_bytes: int = 1_000_000
    #: Largest evidence file accepted through the API and the web (default 20 GiB).
    max_upload_bytes: int = 20 * 1024**3
    #: Background jobs: ``inline`` (a worker thread inside each Svidok process, jobs kept in the
    #: database; nothing else to start) or ``redis`` (a queue on Redis, ``svidok worker`` processes).
    jobs: Literal["inline", "redis"] = "inline"
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

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'svidok.db').resolve()}"

    @property
    def resolved_evidence_dir(self) -> Path:
        return self.evidence_dir or self.data_dir / "evidence"


@lru_cache
def get_settings() -> Settings:
    return Settings()
