"""The bulk path writes rows that read back exactly as the ORM would have written them."""

from datetime import date, datetime

from sqlalchemy import select

from svidok.schemas.filters import IncidentFilter
from svidok.services import demo, incident_queries
from svidok.services.actors import SYSTEM
from svidok.storage.models import CustodyEpisode, Incident, LedgerEntry


def test_bulk_rows_read_back_typed_and_filter_correctly(app):
    demo.load(app, size=400, seed=11, batch_size=100)
    with app.db.session() as s:
        incidents = s.scalars(select(Incident)).all()
        assert len(incidents) == 400
        assert all(isinstance(i.date_lo, date) and isinstance(i.created_at, datetime) for i in incidents)
        assert all(isinstance(i.narrative_i18n, dict) for i in incidents)
        expected = sum(1 for i in incidents if i.date_lo <= date(2023, 6, 30) and i.date_hi >= date(2023, 1, 1))
        episodes = s.scalars(select(CustodyEpisode)).all()
        assert episodes and all(isinstance(e.date_from_lo, date) for e in episodes)
        # one ledger entry per committed batch (plus the demo's own records)
        assert s.scalar(select(LedgerEntry.seq).where(LedgerEntry.action == "bulk.load").order_by(LedgerEntry.seq.desc()).limit(1))
    got = incident_queries.count(app, SYSTEM, IncidentFilter(date_from="2023-01", date_to="2023-06"))
    assert got == expected > 0
