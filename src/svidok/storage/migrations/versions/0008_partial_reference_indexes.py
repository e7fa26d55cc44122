"""Indexes of mostly empty references cover only the rows that have one.

A person's residence and a perpetrator's unit or person are empty on most records. Their
full indexes held millions of NULLs that no query looks up (a lookup by value, ``= ?`` or
``IN``, uses a partial index as before), cost a bulk load of 1,000,000 incidents ~1 s to
build and every insert a little to keep. Now they index the rows where the reference is
set (``storage.models.base.partial_indexes``), on both engines. ``case_id`` and
``merged_into_id`` keep full indexes: their NULL key is the id-ordered walk of records
outside any case (or not merged) that need-to-know listings use; made partial, an
investigator's "2023 + Donetsk oblast + killed" listing went from 19 to 37 ms.

Revision ID: 0008_partial_reference_indexes
Revises: 0007_pg_victim_filters
"""

from alembic import op

revision = "0008_partial_reference_indexes"
down_revision = "0007_pg_victim_filters"
branch_labels = None
depends_on = None

COLUMNS = [("persons", "residence_place_id"), ("perpetrators", "organisation_id"), ("perpetrators", "person_id")]


def upgrade() -> None:
    for table, column in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}")
        op.execute(f"CREATE INDEX ix_{table}_{column} ON {table} ({column}) WHERE {column} IS NOT NULL")


def downgrade() -> None:
    for table, column in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}")
        op.execute(f"CREATE INDEX ix_{table}_{column} ON {table} ({column})")
