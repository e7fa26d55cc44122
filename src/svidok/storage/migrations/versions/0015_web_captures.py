"""Web captures (capture batches, captures: their artefacts are evidence items) and RFC 3161 timestamps.

Revision ID: 0015_web_captures
Revises: 0009_victim_status_harm_index
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_web_captures"
down_revision = "0011_row_commitments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "capture_batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id", name="fk_capture_batches_incident_id_incidents")),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", name="fk_capture_batches_source_id_sources")),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", name="fk_capture_batches_case_id_cases")),
        sa.Column("confidentiality", sa.String(30), nullable=False),
        sa.Column("purpose", sa.Text),
        sa.Column("total", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_capture_batches"),
    )
    op.create_index("ix_capture_batches_incident_id", "capture_batches", ["incident_id"])
    op.create_table(
        "captures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("capture_batches.id", name="fk_captures_batch_id_capture_batches"),
                  nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("url_sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("final_url", sa.String(2000)),
        sa.Column("http_status", sa.Integer),
        sa.Column("title", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("published", sa.String(100)),
        sa.Column("text_sha256", sa.String(64)),
        sa.Column("previous_id", sa.Integer),
        sa.Column("changes", sa.JSON),
        sa.Column("artefacts", sa.JSON),
        sa.Column("details", sa.JSON),
        sa.PrimaryKeyConstraint("id", name="pk_captures"),
        sa.UniqueConstraint("batch_id", "position", name="uq_captures_batch_id"),
    )
    op.create_index("ix_captures_url_sha256", "captures", ["url_sha256"])
    op.create_index("ix_captures_status", "captures", ["status"])
    op.create_table(
        "timestamps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.Integer, nullable=False),
        sa.Column("tsa_url", sa.String(500), nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("gen_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("serial", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_timestamps"),
    )
    op.create_index("ix_timestamps_subject_id", "timestamps", ["subject_id"])


def downgrade() -> None:
    op.drop_table("timestamps")
    op.drop_table("captures")
    op.drop_table("capture_batches")
