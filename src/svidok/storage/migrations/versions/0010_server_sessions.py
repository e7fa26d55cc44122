"""Server-side web sessions, sign-in throttling in the database, TOTP two-factor sign-in.

Sessions and throttling move out of the cookie and the process's memory so that sign-out,
revocation and backoff hold across several web workers.

Revision ID: 0010_server_sessions
Revises: 0009_victim_status_harm_index
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_server_sessions"
down_revision = "0009_victim_status_harm_index"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_web_sessions_user_id_users"),
                  nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("stage", sa.String(10), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_seen_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("address", sa.String(64)),
        sa.Column("user_agent", sa.String(200)),
        sa.Column("revoked_at", TZ),
        sa.Column("revoked_reason", sa.String(60)),
        sa.PrimaryKeyConstraint("id", name="pk_web_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_web_sessions_token_hash"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "sign_in_throttle",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", TZ, nullable=False),
        sa.Column("blocked_until", TZ, nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name="pk_sign_in_throttle"),
    )
    op.create_table(
        "sign_in_addresses",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_sign_in_addresses_user_id_users"),
                  nullable=False),
        sa.Column("address_hash", sa.String(64), nullable=False),
        sa.Column("last_success_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "address_hash", name="pk_sign_in_addresses"),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_recovery_codes_user_id_users"),
                  nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("used_at", TZ),
        sa.PrimaryKeyConstraint("id", name="pk_recovery_codes"),
    )
    op.create_index("ix_recovery_codes_user_id", "recovery_codes", ["user_id"])
    op.create_table(
        "role_policies",
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("require_2fa", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("role", name="pk_role_policies"),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_secret", sa.LargeBinary()))
        batch.add_column(sa.Column("totp_enabled_at", TZ))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger()))
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("last_used_at", TZ))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("last_used_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_enabled_at")
        batch.drop_column("totp_secret")
    for table in ("role_policies", "recovery_codes", "sign_in_addresses", "sign_in_throttle", "web_sessions"):
        op.drop_table(table)
