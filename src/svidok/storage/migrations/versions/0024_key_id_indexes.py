"""Indexes of the key ids of the encrypted columns' ciphertexts (partial: rows with a ciphertext).

Which field-encryption keys the database uses (the keys status page, the keyring check at
start-up) was a scan of persons and sources: 675 ms at 1,000,000 incidents. Walked from one
key id to the next, these indexes answer in a few look-ups.

Revision ID: 0024_key_id_indexes
Revises: 0018_capture_jobs_blur
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_key_id_indexes"
down_revision = "0028_share_retired_keys"
branch_labels = None
depends_on = None

COLUMNS = (("persons", "address_enc"), ("persons", "contact_enc"), ("sources", "identity_enc"), ("sources", "contact_enc"))


def upgrade() -> None:
    for table, column in COLUMNS:
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            f"ix_{table}_{column}_key_id",
            table,
            [sa.text(f"substr({column}, 3, 8)")],
            unique=False,
            sqlite_where=where,
            postgresql_where=where,
        )


def downgrade() -> None:
    for table, column in COLUMNS:
        op.drop_index(f"ix_{table}_{column}_key_id", table_name=table)
