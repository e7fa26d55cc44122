"""The bulk path writes rows that read back exactly as the ORM would have written them."""

from datetime import date, datetime

from sqlalchemy import select

from svidok.core.actors import SYSTEM
from svidok.schemas.filters import IncidentFilter
from svidok.services import demo, incident_queries
from svidok.storage.models import CustodyEpisode, Incident, LedgerEntry

from .bulk_batches import dangling_batch


def test_bulk_rows_read_back_typed_and_filter_correctly(app):
    demo.load(app, size=400, seed=11, batch_size=100)
    with app.db.session() as s:
        incidents = s.scalars(select(Incident)).all()
        assert len(incidents) == 400
        assert all(isinstance(i.date_lo, date) and isinstance(i.created_at, datetime) for i in incidents)
        assert all(isinstance(i.narrative_i18n, dict) for i in incidents)
        # Demo records carry a Ukrainian title and narrative beside the English ones.
        assert all(i.title_i18n["uk"] and i.title_i18n["uk"] != i.title for i in incidents)
        assert all(i.narrative_i18n["uk"].startswith("Синтетичний запис. " + i.title_i18n["uk"]) for i in incidents)
        assert all(i.narrative.startswith("Synthetic record. " + i.title) for i in incidents)
        expected = sum(1 for i in incidents if i.date_lo <= date(2023, 6, 30) and i.date_hi >= date(2023, 1, 1))
        episodes = s.scalars(select(CustodyEpisode)).all()
        assert episodes and all(isinstance(e.date_from_lo, date) for e in episodes)
        # one ledger entry per committed batch (plus the demo's own records)
        assert s.scalar(select(LedgerEntry.seq).where(LedgerEntry.action == "bulk.load").order_by(LedgerEntry.seq.desc()).limit(1))
    got = incident_queries.count(app, SYSTEM, IncidentFilter(date_from="2023-01", date_to="2023-06"))
    assert got == expected > 0


def test_initial_load_sets_indexes_aside_and_rebuilds_them_with_full_text(sqlite_app):
    from svidok.storage import deferred_indexes

    dropped = []
    original = deferred_indexes.set_aside

    def spy(conn, *args, **kwargs):
        got = original(conn, *args, **kwargs)
        dropped.extend(deferred_indexes.missing(conn))
        return got

    deferred_indexes.set_aside = spy
    try:
        demo.load(sqlite_app, size=300, seed=5, batch_size=100)
    finally:
        deferred_indexes.set_aside = original
    assert "ix_persons_case_id" in dropped and "incidents_fts_ai" in dropped  # they really were set aside
    # the ciphertexts' key-id indexes stay live (a load leaves those columns empty; a rebuild would scan)
    assert "ix_persons_address_enc_key_id" not in dropped and "ix_sources_identity_enc_key_id" not in dropped
    with sqlite_app.db.engine.connect() as c:
        assert deferred_indexes.missing(c) == []
        names = {r[0] for r in c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"ix_persons_address_enc_key_id", "ix_sources_identity_enc_key_id"} <= names
        word = c.exec_driver_sql("SELECT title FROM incidents ORDER BY id LIMIT 1").scalar().split()[0]
        with_word = c.exec_driver_sql("SELECT count(*) FROM incidents WHERE title LIKE ?", (f"%{word}%",)).scalar()
    # the full-text index was rebuilt: a word of a title finds at least the incidents whose title has it
    assert incident_queries.count(sqlite_app, SYSTEM, IncidentFilter(q=word)) >= with_word > 0
    # a later load into tables that now hold rows keeps the indexes and the full-text trigger in place
    from svidok.services import bulk, demo_data

    with sqlite_app.db.session() as s:
        gen = demo_data.generator_for(sqlite_app, s, 6)
        run_id = bulk.start_run(s, "second", SYSTEM, "0" * 64, {}).id
    bulk.load(sqlite_app, SYSTEM, run_id, gen.batches(100, 50))
    with sqlite_app.db.engine.connect() as c:
        assert deferred_indexes.missing(c) == []
        last_title = c.exec_driver_sql("SELECT title FROM incidents ORDER BY id DESC LIMIT 1").scalar()
    found = incident_queries.listing(sqlite_app, SYSTEM, IncidentFilter(q=last_title.split()[-1]), limit=200)
    assert any(item["title"] == last_title for item in found["items"])


def test_indexes_left_aside_by_a_killed_load_come_back_at_the_next_start(sqlite_app):
    from svidok.storage import deferred_indexes

    with sqlite_app.db.engine.connect() as c:
        deferred_indexes.set_aside(c, ("persons", "incidents", "victims"))
        c.commit()
        assert "ix_victims_person_id" in deferred_indexes.missing(c)
    sqlite_app.init()  # what every command and the server do first
    with sqlite_app.db.engine.connect() as c:
        assert deferred_indexes.missing(c) == []


def test_constant_columns_written_as_literals_keep_quotes_and_types(app):
    """A value shared by a whole batch is inlined in the statement: quoting must not change it."""
    from svidok.services import bulk
    from svidok.services.demo_data import Batch
    from svidok.storage.models import Source

    now = datetime(2026, 11, 1, 12, 0)
    rows = [{"id": 90_001 + i, "version": 1, "created_at": now, "updated_at": now, "created_by": "d'Artagnan",
             "synthetic": True, "confidentiality": "restricted", "description": "Кіт 'Мурчик' \"ТОВ\"",
             "kind": "witness", "pseudonym": f"W-{i}", "reliability": "B", "credibility": "2",
             "identity_protected": False, "url": None, "consent_publish": True, "consent_contact": False,
             "consent_share_prosecutors": False} for i in range(3)]
    batch = Batch()
    batch.rows["sources"] = rows
    with app.db.session() as s:
        bulk.insert_batch(s, batch)
    with app.db.session() as s:
        got = s.scalars(select(Source).where(Source.id >= 90_001).order_by(Source.id)).all()
        assert [g.description for g in got] == ["Кіт 'Мурчик' \"ТОВ\""] * 3
        assert [g.pseudonym for g in got] == ["W-0", "W-1", "W-2"]
        assert all(g.created_by == "d'Artagnan" and g.synthetic is True and g.identity_protected is False
                   and g.consent_publish is True and g.url is None for g in got)
        assert all(g.created_at.replace(tzinfo=None) == now for g in got)


def test_a_dangling_reference_fails_the_whole_batch_during_a_bulk_load(sqlite_app):
    """Foreign keys are checked per batch while a load runs without row-by-row enforcement."""
    import pytest

    from svidok.services import bulk, bulk_sqlite
    from svidok.storage.models import Person, PersonNameKey

    with sqlite_app.db.session() as s:
        run_id = bulk.start_run(s, "dangling", SYSTEM, "0" * 64, {}).id
    with pytest.raises(bulk_sqlite.BrokenReference, match=r"person_name_keys\.person_id = 71000 refers to no row of persons"):
        bulk.load(sqlite_app, SYSTEM, run_id, [dangling_batch(70_001)])
    with sqlite_app.db.session() as s:  # nothing of the batch stays
        assert s.scalar(select(Person).where(Person.id == 70_001)) is None
        assert s.scalar(select(PersonNameKey).where(PersonNameKey.person_id == 70_001)) is None
    # the connection went back with enforcement on, the database to WAL, the indexes in place
    from svidok.storage import deferred_indexes

    with sqlite_app.db.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert deferred_indexes.missing(c) == []


def test_an_initial_load_writes_through_a_rollback_journal_and_returns_to_wal(sqlite_app):
    from svidok.services import bulk

    seen = []
    with bulk.loading(sqlite_app.db.engine) as conn:
        seen.append(conn.exec_driver_sql("PRAGMA journal_mode").scalar())
        seen.append(conn.exec_driver_sql("PRAGMA foreign_keys").scalar())
    with sqlite_app.db.engine.connect() as c:
        seen.append(c.exec_driver_sql("PRAGMA journal_mode").scalar())
    assert seen == ["delete", 0, "wal"]


def test_a_load_stays_in_wal_while_another_connection_reads(sqlite_app):
    """A reader (say, the web server) keeps working: the journal is not switched under it."""
    import sqlite3

    from svidok.services import bulk

    reader = sqlite3.connect(sqlite_app.db.engine.url.database)
    try:
        reader.execute("SELECT count(*) FROM places").fetchone()
        with bulk.loading(sqlite_app.db.engine) as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert reader.execute("SELECT count(*) FROM places").fetchone()[0] > 0
    finally:
        reader.close()


def test_a_dangling_reference_outside_a_load_is_refused_by_the_database(app):
    """Outside a load (and always on PostgreSQL) the database's own constraint refuses the batch."""
    import sqlite3

    import psycopg
    import pytest

    from svidok.services import bulk
    from svidok.storage.models import Person

    refused = (sqlite3.IntegrityError, psycopg.errors.IntegrityError)
    with pytest.raises(refused, match="(?i)foreign key"), app.db.session() as s:
        bulk.insert_batch(s, dangling_batch(70_001))
    with app.db.session() as s:
        assert s.scalar(select(Person).where(Person.id == 70_001)) is None


def test_demo_victims_killed_on_an_incident_are_dead_on_their_person_record(app):
    """As the victim form makes it (services.persons.learn_from_victim), the bulk demo path too."""
    from svidok.storage.models import Person, Victim

    demo.load(app, size=200, seed=5, batch_size=100)
    with app.db.session() as s:
        rows = s.execute(select(Victim.harm, Person.life_status).join(Person, Person.id == Victim.person_id)).all()
    killed = [life for harm, life in rows if harm == "killed"]
    others = {life for harm, life in rows if harm != "killed"}
    assert killed and set(killed) == {"dead"}
    assert others == {"unknown"}
