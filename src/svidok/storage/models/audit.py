"""Record versions (history), the hash-chained ledger, signed tree heads, imports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class RecordVersion(Base):
    """Every change to a record: who, when, what it was before and after."""

    __tablename__ = "record_versions"
    __table_args__ = (Index("ix_record_versions_record", "entity", "record_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(40), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    op: Mapped[str] = mapped_column(String(20), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict | None] = mapped_column()
    after: Mapped[dict | None] = mapped_column()


class LedgerEntry(Base):
    """Append-only, hash-chained (see ``svidok.domain.ledger``)."""

    __tablename__ = "ledger_entries"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40), nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    entity: Mapped[str] = mapped_column(String(40), nullable=False)
    record_id: Mapped[str] = mapped_column(String(80), nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)


class TreeHead(Base):
    """A signed Merkle tree head sealing the first ``tree_size`` ledger entries."""

    __tablename__ = "tree_heads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tree_size: Mapped[int] = mapped_column(Integer, nullable=False)
    root_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[str] = mapped_column(String(40), nullable=False)
    key_id: Mapped[str] = mapped_column(String(64), nullable=False)
    signature: Mapped[str] = mapped_column(Text, nullable=False)


class RowCommitment(Base):
    """Rows of one table as written, committed to the ledger entry ``seq`` (``services.row_commitments``).

    ``rows`` is the zlib-compressed marshal of the written tuples (storage form, in
    ``columns`` order); ``digest`` is the SHA-256 of the uncompressed bytes. Columns every
    row shares are kept once (``const_columns``/``const_values``). ``deleted``: the rows
    (keys only) were removed.
    """

    __tablename__ = "row_commitments"
    __table_args__ = (Index("ix_row_commitments_tbl", "tbl", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    tbl: Mapped[str] = mapped_column(String(40), nullable=False)
    columns: Mapped[str] = mapped_column(Text, nullable=False)
    const_columns: Mapped[str] = mapped_column(Text, nullable=False)
    const_values: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    rows: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class ImportRun(Base):
    """One import of a file: its hash, mapping, counts and state (resumable)."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    file_sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    mapping: Mapped[dict | None] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    counts: Mapped[dict | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="running")
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    notes: Mapped[str | None] = mapped_column(Text)
