"""PostgreSQL: victim filters the planner can start from, and statistics of their combinations.

A victim filter (status, harm) is a semi-join incidents → acts → victims. When it matches
many incidents, the newest-first walk of incidents that probes victims by act finds a page
in a few thousand probes. When it matches few or none ("prisoners of war" + "killed"), that
walk runs through every incident (3–4 s at 1,000,000 incidents); these indexes let the
planner start from the matching victims instead (about 0.1 s), and the extended statistics
tell it when: without them it multiplies the two columns' frequencies as if independent and
expects thousands of matches for a combination that has none. ANALYZE fills the statistics.
The indexes also answer the per-act probe of the walk from the index alone.

SQLite (3.40) runs each filter as a subquery per incident and cannot start from victims,
so it gets neither, and its bulk load keeps its pace. Characteristics ("child") are a
LIKE on a packed string: neither an index nor these statistics help them.

Revision ID: 0007_pg_victim_filters
Revises: 0006_custody_person_marks
"""

from alembic import op

revision = "0007_pg_victim_filters"
down_revision = "0006_custody_person_marks"
branch_labels = None
depends_on = None

#: Outside the models on purpose (PostgreSQL only); tests/storage/test_migrations.py knows them.
INDEXES = {"ix_victims_status_act_id": "(status, act_id)", "ix_victims_harm_act_id": "(harm, act_id)"}
STATISTICS = "st_victims_status_harm"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON victims {columns}")
    op.execute(f"CREATE STATISTICS {STATISTICS} (mcv) ON status, harm FROM victims")
    op.execute("ANALYZE victims")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
