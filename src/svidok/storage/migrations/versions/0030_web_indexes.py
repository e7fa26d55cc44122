"""Incidents outside cases by date: the web list's order (latest first) for everyone outside cases.

The incident list pages in date order (``date_lo`` then id, latest first). For a user who is
not an administrator, need-to-know starts with ``case_id IS NULL``; SQLite, which keeps no
statistics, read every incident outside cases through ``ix_incidents_case_id`` and sorted
them all for each page: 2.9 s at 1,000,000 incidents. Walked in this partial index (outside
cases), a page reads its 51 rows. SQLite is told to walk it (``INDEXED BY``, in
``services.incident_queries``): an index on ``(case_id, date_lo, …)`` would be chosen by itself,
but also for text searches and id lists, which it walked whole instead of looking their few
rows up.

Revision ID: 0030_web_indexes
Revises: 0025_incident_title_i18n
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_web_indexes"
down_revision = "0025_incident_title_i18n"
branch_labels = None
depends_on = None

#: The order's columns, then what need-to-know and a date filter read: a page, and a count of
#: the matches, skip the rows they do not want in the index alone (a date filter on early 2022
#: skipped the 110,000 incidents of the war's first days row by row: 370 ms of CPU per count).
COLUMNS = ["date_lo", "id", "date_hi", "confidentiality", "deleted_at"]
OUTSIDE_CASES = sa.text("case_id IS NULL")


def upgrade() -> None:
    op.create_index("ix_incidents_open_by_date", "incidents", COLUMNS, unique=False,
                    sqlite_where=OUTSIDE_CASES, postgresql_where=OUTSIDE_CASES)


def downgrade() -> None:
    op.drop_index("ix_incidents_open_by_date", table_name="incidents")
