"""The application object: settings, database, vocabularies, keys.

The CLI, the API, the web pages and the tests all build one the same way and hand
it to the services.
"""

from __future__ import annotations

from functools import cached_property

from svidok.config import Settings, get_settings
from svidok.domain import vocab as vocab_mod
from svidok.services import row_commitments
from svidok.services.field_crypto import Keyring
from svidok.storage.db import Database


class Svidok:
    def __init__(self, settings: Settings | None = None, database_url: str | None = None):
        self.settings = settings or get_settings()
        self.db = Database(database_url or self.settings.resolved_database_url)
        row_commitments.install()
        self.vocab = vocab_mod.load(self.settings.vocab_dirs)

    @property
    def key_file(self):
        return self.settings.key_file or self.settings.data_dir / "keys" / "field-keys.json"

    @cached_property
    def keyring(self) -> Keyring:
        return Keyring.load(self.key_file, self.settings.field_key)

    @cached_property
    def evidence_store(self):
        """The configured evidence store (``svidok.evidence.blobs.BlobStore``), built once per process."""
        from svidok.evidence.stores import configured_store

        return configured_store(self.settings, lambda: self.keyring)

    def reload_keyring(self) -> None:
        self.__dict__.pop("keyring", None)

    def init(self) -> dict:
        """Create or upgrade the schema, load the gazetteer, create keys. Idempotent."""
        from svidok.services import setup

        return setup.initialise(self)

    def close(self) -> None:
        self.db.dispose()
