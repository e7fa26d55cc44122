"""Background jobs and their workers' heartbeats (``services.jobs``).

Revision ID: 0014_jobs
Revises: 0009_victim_status_harm_index
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_jobs"
down_revision = "0015_web_captures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("owner_role", sa.String(30), nullable=False),
        sa.Column("owner_user_id", sa.Integer),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer),
        sa.Column("message", sa.Text),
        sa.Column("result", sa.JSON),
        sa.Column("error", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(120)),
        sa.Column("lease_until", ts),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("enqueued_at", ts),
        sa.Column("started_at", ts),
        sa.Column("finished_at", ts),
        sa.Column("updated_at", ts, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
    )
    op.create_index("ix_jobs_status_id", "jobs", ["status", "id"])
    op.create_index("ix_jobs_owner_id", "jobs", ["owner", "id"])
    op.create_table(
        "job_workers",
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("started_at", ts, nullable=False),
        sa.Column("seen_at", ts, nullable=False),
        sa.Column("current_job", sa.Integer),
        sa.Column("jobs_done", sa.Integer, nullable=False),
        sa.Column("stopped_at", ts),
        sa.Column("note", sa.Text),
        sa.PrimaryKeyConstraint("name", name="pk_job_workers"),
    )


def downgrade() -> None:
    op.drop_table("job_workers")
    op.drop_index("ix_jobs_owner_id", table_name="jobs")
    op.drop_index("ix_jobs_status_id", table_name="jobs")
    op.drop_table("jobs")
