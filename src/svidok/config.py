"""Settings of an installation, read from the environment (prefix ``SVIDOK_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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
    #: Web captures may fetch loopback and private addresses (tests, a laptop); never on a server.
    capture_allow_private: bool = False
    #: Where Telegram's public web view is (``t.me/…`` URLs are read from here; tests point it elsewhere).
    telegram_base: str = "https://t.me"
    #: Seconds a page may take to load before what arrived is captured (or the capture fails).
    capture_page_timeout: float = 30.0
    #: Largest page (all its resources together) and largest media file a capture keeps.
    capture_max_page_bytes: int = 300 * 1024**2
    capture_max_media_bytes: int = 2 * 1024**3
    #: Pages a capture batch loads at once.
    capture_concurrency: int = 2
    #: RFC 3161 time-stamping authorities (URLs): every new tree head and capture is stamped by each.
    tsa_urls: list[str] = []
    #: PEM files of the TSAs' root certificates, against which `svidok verify` checks tokens.
    tsa_ca_files: list[Path] = []
    tsa_timeout: float = 5.0
    #: Chromium used for captures.
    chromium_path: Path = Path("/usr/bin/chromium")

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
