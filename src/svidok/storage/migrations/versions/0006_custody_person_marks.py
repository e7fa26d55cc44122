"""Custody monitoring by mark from one index: the person's birth range and recorded child /
older-person characteristics copied onto custody episodes by triggers; indexes reshaped.

The monitoring view's filters "children held" / "older people held" read the persons of
every open episode (over 300,000 at 500,000 episodes), which took up to half a second.
The copies let the covering index of open episodes answer them alone. Triggers keep them
right on every path that writes rows (service, bulk load, dump import): on insert, on a
change of person_id, and on every change of a person's birth range or characteristics.

Also: the index of transfers becomes partial (only the few episodes that continue
another; the planner then picks it without a hint), and the persons' birth-date indexes
that only the mark filters used are dropped.

Revision ID: 0006_custody_person_marks
Revises: 0005_pg_search_vector
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_custody_person_marks"
down_revision = "0005_pg_search_vector"
branch_labels = None
depends_on = None

COPIES = ("person_birth_lo", "person_birth_hi", "person_recorded_child", "person_recorded_older")
# The person's values, as one SELECT list over a row of persons aliased p (both engines).
FROM_PERSON = ("p.birth_lo, p.birth_hi, p.characteristics LIKE '%|child|%', "
               "p.characteristics LIKE '%|older_person|%'")
SET_FROM_PERSON = ", ".join(f"{c} = {v.strip()}" for c, v in zip(COPIES, FROM_PERSON.split(", ")))

OPEN_ONLY = "deleted_at IS NULL AND outcome IN ('in_custody', 'unknown')"
OPEN_COLUMNS = ["id", "confidentiality", "case_id", "person_id", "outcome", "date_to", "facility_place_id",
                "acknowledged", "incommunicado", "monitor_access", "date_from_lo"]

SQLITE_TRIGGERS = [
    # SQLite cannot assign NEW in a BEFORE trigger: the row is completed right after it is written.
    f"""CREATE TRIGGER custody_episodes_person_copy_ai AFTER INSERT ON custody_episodes BEGIN
        UPDATE custody_episodes SET {SET_FROM_PERSON} FROM persons p
        WHERE custody_episodes.id = NEW.id AND p.id = NEW.person_id; END""",
    f"""CREATE TRIGGER custody_episodes_person_copy_au AFTER UPDATE OF person_id ON custody_episodes BEGIN
        UPDATE custody_episodes SET {SET_FROM_PERSON} FROM persons p
        WHERE custody_episodes.id = NEW.id AND p.id = NEW.person_id; END""",
    f"""CREATE TRIGGER persons_copy_to_custody_au AFTER UPDATE OF birth_lo, birth_hi, characteristics ON persons
        WHEN OLD.birth_lo IS NOT NEW.birth_lo OR OLD.birth_hi IS NOT NEW.birth_hi
          OR OLD.characteristics IS NOT NEW.characteristics BEGIN
        UPDATE custody_episodes SET {SET_FROM_PERSON} FROM persons p
        WHERE p.id = NEW.id AND custody_episodes.person_id = NEW.id; END""",
]
SQLITE_TRIGGER_NAMES = ["custody_episodes_person_copy_ai", "custody_episodes_person_copy_au", "persons_copy_to_custody_au"]

PG_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION custody_episodes_person_copy() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        SELECT {FROM_PERSON} INTO NEW.{", NEW.".join(COPIES)} FROM persons p WHERE p.id = NEW.person_id;
        -- no such person: the foreign key refuses the row, with its own message
        NEW.person_recorded_child := coalesce(NEW.person_recorded_child, false);
        NEW.person_recorded_older := coalesce(NEW.person_recorded_older, false);
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER custody_episodes_person_copy BEFORE INSERT OR UPDATE OF person_id ON custody_episodes
        FOR EACH ROW EXECUTE FUNCTION custody_episodes_person_copy()""",
    f"""CREATE OR REPLACE FUNCTION persons_copy_to_custody() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE custody_episodes SET {SET_FROM_PERSON} FROM persons p
        WHERE p.id = NEW.id AND custody_episodes.person_id = NEW.id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER persons_copy_to_custody AFTER UPDATE OF birth_lo, birth_hi, characteristics ON persons
        FOR EACH ROW WHEN (OLD.birth_lo IS DISTINCT FROM NEW.birth_lo OR OLD.birth_hi IS DISTINCT FROM NEW.birth_hi
                           OR OLD.characteristics IS DISTINCT FROM NEW.characteristics)
        EXECUTE FUNCTION persons_copy_to_custody()""",
]


def _open_index(extra: list[str]) -> None:
    op.create_index("ix_custody_episodes_open_by_last_sign", "custody_episodes",
                    [sa.text("coalesce(last_proof_of_life, date_from_lo)"), *OPEN_COLUMNS, *extra],
                    unique=False, sqlite_where=sa.text(OPEN_ONLY), postgresql_where=sa.text(OPEN_ONLY))


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column("custody_episodes", sa.Column("person_birth_lo", sa.Date(), nullable=True))
    op.add_column("custody_episodes", sa.Column("person_birth_hi", sa.Date(), nullable=True))
    op.add_column("custody_episodes", sa.Column("person_recorded_child", sa.Boolean(), nullable=False,
                                                server_default=sa.false()))
    op.add_column("custody_episodes", sa.Column("person_recorded_older", sa.Boolean(), nullable=False,
                                                server_default=sa.false()))
    op.execute(f"UPDATE custody_episodes SET {SET_FROM_PERSON} FROM persons p WHERE p.id = custody_episodes.person_id")
    for sql in PG_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(sql)

    op.drop_index("ix_custody_episodes_open_by_last_sign", table_name="custody_episodes")
    _open_index(list(COPIES))
    op.drop_index("ix_custody_episodes_transferred_from_id", table_name="custody_episodes")
    not_null = sa.text("transferred_from_id IS NOT NULL")
    op.create_index("ix_custody_episodes_transfers", "custody_episodes", ["transferred_from_id", "deleted_at"],
                    unique=False, sqlite_where=not_null, postgresql_where=not_null)
    op.drop_index("ix_persons_birth_hi_characteristics", table_name="persons")
    op.drop_index("ix_persons_birth_lo_characteristics", table_name="persons")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_index("ix_persons_birth_lo_characteristics", "persons", ["birth_lo", "characteristics"], unique=False)
    op.create_index("ix_persons_birth_hi_characteristics", "persons", ["birth_hi", "characteristics"], unique=False)
    op.drop_index("ix_custody_episodes_transfers", table_name="custody_episodes")
    op.create_index("ix_custody_episodes_transferred_from_id", "custody_episodes", ["transferred_from_id"], unique=False)
    op.drop_index("ix_custody_episodes_open_by_last_sign", table_name="custody_episodes")
    _open_index([])
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS persons_copy_to_custody ON persons")
        op.execute("DROP TRIGGER IF EXISTS custody_episodes_person_copy ON custody_episodes")
        op.execute("DROP FUNCTION IF EXISTS persons_copy_to_custody()")
        op.execute("DROP FUNCTION IF EXISTS custody_episodes_person_copy()")
    else:
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for column in reversed(COPIES):
        op.drop_column("custody_episodes", column)
