"""Exchange packages between two installations on one machine (two data directories, each engine)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.core.errors import Forbidden
from svidok.figures import dashboard, incident_figures
from svidok.interop.share_format import FORMAT_VERSION
from svidok.schemas.records import IncidentUpdate
from svidok.services import incidents, share_export, share_import, share_review, sharing, sources
from svidok.storage.models import Incident, LedgerEntry, Person, ShareRecord, Source
from tests import fixtures
from tests.conftest import TEST_KEY, _admin_engine, _sqlite_app, _with_db, pg_base_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def pair(request, tmp_path, sqlite_template):
    """Two installations, A and B, each with its own data directory and database."""
    apps, dbs = [], []
    for side in ("a", "b", "c"):
        folder = tmp_path / side
        folder.mkdir()
        if request.param == "sqlite":
            apps.append(_sqlite_app(sqlite_template, folder))
            continue
        template = request.getfixturevalue("pg_template")
        name = f"svidok_t_{uuid.uuid4().hex[:10]}"
        with _admin_engine(pg_base_url()).connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        dbs.append(name)
        apps.append(Svidok(Settings(data_dir=folder, field_key=TEST_KEY), database_url=_with_db(pg_base_url(), name)))
    a, b, c = apps
    keys = {}
    for app, org in ((a, "Org A"), (b, "Org B"), (c, "Org C")):
        keys[org] = sharing.create_keys(app, SYSTEM, org)
    for app, name, org in ((a, "orgb", "Org B"), (b, "orga", "Org A"), (a, "orgc", "Org C")):
        sharing.add_partner(app, SYSTEM, name, org, keys[org]["encryption_key"], keys[org]["signing_key"])
    yield a, b, c
    for app in apps:
        app.close()
    if dbs:
        admin = _admin_engine(pg_base_url())
        with admin.connect() as conn:
            for name in dbs:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def export(app, partner: str, path: Path) -> dict:
    with open(path, "wb") as out:
        return share_export.export(app, SYSTEM, partner, out)


def state(app) -> dict:
    """What a user of B would check: records, versions, provenance rows, ledger length."""
    with app.db.session() as s:
        return {
            "incidents": s.execute(select(Incident.id, Incident.version, Incident.title, Incident.deleted_at)
                                   .order_by(Incident.id)).all(),
            "persons": s.scalar(select(func.count()).select_from(Person)),
            "sources": s.scalar(select(func.count()).select_from(Source)),
            "provenance": s.scalar(select(func.count()).select_from(ShareRecord)),
            "ledger": s.scalar(select(func.count()).select_from(LedgerEntry)),
        }


def received(app, title: str) -> Incident:
    with app.db.session() as s:
        inc = s.scalar(select(Incident).where(Incident.title == title, Incident.import_source == "share:orga"))
        s.expunge(inc)
        return inc


def shared_incident(app, title="Shelling of a market", **kw) -> dict:
    witness = fixtures.source(app, consent_share_prosecutors=True, identity="Бондар Марія (synthetic)")
    return fixtures.incident(app, title=title, source_ids=[witness["id"]], place="UA63120270010096107", lat=49.99, lon=36.23,
                             acts=[{"violation_type": "killing_of_civilians", "means": "artillery", "victims": [
                                 {"harm": "killed", "status": "civilian",
                                  "person": {"full_name": "Ткаченко Олена Іванівна", "birth_date": "1950", "sex": "female"}},
                                 {"harm": "injured", "count": 4, "status": "civilian"}]}], **kw)


def test_package_carries_what_the_rule_allows_and_updates_and_withdrawals_follow(pair, tmp_path):
    a, b, _ = pair
    inc = shared_incident(a)
    refused = fixtures.source(a, consent_share_prosecutors=False)
    fixtures.incident(a, title="Only a refusing source", source_ids=[refused["id"]])
    fixtures.incident(a, title="Strictly confidential", confidentiality="strictly_confidential")

    sent = export(a, "orgb", tmp_path / "1.svp")
    assert sent["sequence"] == 1
    assert sent["counts"]["incidents"] == 1 and sent["counts"]["persons"] == 1 and sent["counts"]["sources"] == 1

    before = state(b)
    preview = share_import.run(b, SYSTEM, tmp_path / "1.svp", dry_run=True)
    assert preview["counts"]["incident"]["new"] == 1 and preview["counts"]["person"]["new"] == 1
    assert state(b) == before  # a dry run writes nothing

    done = share_import.run(b, SYSTEM, tmp_path / "1.svp")
    assert done["counts"]["incident"]["new"] == 1
    copy = received(b, "Shelling of a market")
    assert copy.source_key == f"Org A/{inc['id']}"
    # Coordinates rounded to the hromada: the exact point of A does not travel.
    assert (copy.lat, copy.lon) != (49.99, 36.23) and copy.location_precision == "hromada"
    with b.db.session() as s:
        src = s.scalar(select(Source).where(Source.import_source == "share:orga"))
        assert src.identity_enc is None and src.contact_enc is None  # the witness's identity stayed at A
        prov = s.scalar(select(ShareRecord).where(ShareRecord.entity == "incident", ShareRecord.direction == "received"))
        assert (prov.origin_org, prov.origin_id, prov.origin_version) == ("Org A", inc["id"], 1)
        assert s.scalar(select(func.count()).select_from(Incident).where(Incident.import_source == "share:orga")) == 1
        actions = set(s.scalars(select(LedgerEntry.action)))
    assert "share.import" in actions
    with a.db.session() as s:
        assert "share.export" in set(s.scalars(select(LedgerEntry.action)))

    # A changes its incident: the next package brings a new version of B's copy.
    incidents.update(a, SYSTEM, inc["id"], IncidentUpdate(version=1, title="Shelling of the central market"))
    export(a, "orgb", tmp_path / "2.svp")
    done = share_import.run(b, SYSTEM, tmp_path / "2.svp")
    assert done["counts"]["incident"]["changed"] == 1 and done["counts"]["person"]["unchanged"] == 1
    copy = received(b, "Shelling of the central market")
    assert copy.version == 2 and copy.id == received(b, "Shelling of the central market").id

    # An unchanged package changes nothing.
    export(a, "orgb", tmp_path / "3.svp")
    snapshot = state(b)
    done = share_import.run(b, SYSTEM, tmp_path / "3.svp")
    assert done["counts"]["incident"] == {"new": 0, "changed": 0, "unchanged": 1, "withdrawn": 0, "conflict": 0}
    after = state(b)
    assert after["incidents"] == snapshot["incidents"] and after["persons"] == snapshot["persons"]

    # A replay of an older package is refused, nothing imported.
    with pytest.raises(share_import.PackageRefused, match="replay or older than package 3"):
        share_import.run(b, SYSTEM, tmp_path / "2.svp")
    assert state(b) == after

    # A withdraws its incident: B's copy is withdrawn with A's reason, not destroyed.
    incidents.remove(a, SYSTEM, inc["id"], "duplicate of another record")
    export(a, "orgb", tmp_path / "4.svp")
    done = share_import.run(b, SYSTEM, tmp_path / "4.svp")
    assert done["counts"]["incident"]["withdrawn"] == 1
    with b.db.session() as s:
        gone = s.get(Incident, copy.id)
        assert gone.deleted_at is not None and "duplicate of another record" in gone.deleted_reason


def test_conflict_when_both_sides_edited_is_shown_and_not_overwritten(pair, tmp_path):
    a, b, _ = pair
    inc = shared_incident(a)
    export(a, "orgb", tmp_path / "1.svp")
    share_import.run(b, SYSTEM, tmp_path / "1.svp")
    copy = received(b, "Shelling of a market")
    incidents.update(b, SYSTEM, copy.id, IncidentUpdate(version=copy.version, narrative="B's researcher: 5 killed, not 1"))
    incidents.update(a, SYSTEM, inc["id"], IncidentUpdate(version=1, narrative="A: a second strike an hour later"))
    export(a, "orgb", tmp_path / "2.svp")

    preview = share_import.run(b, SYSTEM, tmp_path / "2.svp", dry_run=True)
    assert preview["counts"]["incident"]["conflict"] == 1
    assert preview["conflict"][0]["local_id"] == copy.id
    share_import.run(b, SYSTEM, tmp_path / "2.svp")
    with b.db.session() as s:
        assert s.get(Incident, copy.id).narrative == "B's researcher: 5 killed, not 1"
        prov = s.scalar(select(ShareRecord).where(ShareRecord.local_id == copy.id, ShareRecord.entity == "incident"))
        assert prov.status == "conflict" and prov.pending["data"]["narrative"] == "A: a second strike an hour later"
    listed = share_review.conflicts(b, SYSTEM, "orga")
    assert listed[0]["local_id"] == copy.id and listed[0]["theirs"]["narrative"] == "A: a second strike an hour later"


def _refused(b, path, match):
    before = state(b)
    with pytest.raises(share_import.PackageRefused, match=match):
        share_import.run(b, SYSTEM, path)
    assert state(b) == before


def test_bad_packages_are_refused_with_the_reason_and_nothing_imported(pair, tmp_path):
    a, b, c = pair
    shared_incident(a)
    good = tmp_path / "good.svp"
    export(a, "orgb", good)
    data = bytearray(good.read_bytes())

    tampered = tmp_path / "tampered.svp"
    data2 = bytearray(data)
    data2[len(data2) // 2] ^= 0x01
    tampered.write_bytes(bytes(data2))
    _refused(b, tampered, "altered or damaged")

    cut = tmp_path / "cut.svp"
    cut.write_bytes(bytes(data[: len(data) - 40]))
    _refused(b, cut, "altered or damaged|cut short")

    newer = tmp_path / "newer.svp"
    newer.write_bytes(bytes(data).replace(b'"format":%d' % FORMAT_VERSION, b'"format":%d' % (FORMAT_VERSION + 1), 1))
    _refused(b, newer, "newer Svidok")

    other = tmp_path / "for-c.svp"
    export(a, "orgc", other)
    _refused(b, other, "meant for another installation")

    # C signs a package for B, but B has no partner with C's key.
    sharing.add_partner(c, SYSTEM, "orgb", "Org B", **{k: sharing.public_keys(b)[k] for k in ("encryption_key", "signing_key")})
    shared_incident(c, title="C's record")
    unknown = tmp_path / "from-c.svp"
    export(c, "orgb", unknown)
    _refused(b, unknown, "signed by a key no partner has")

    share_import.run(b, SYSTEM, good)  # the genuine package still imports
    assert received(b, "Shelling of a market") is not None


def test_only_administrators_exchange(pair, tmp_path):
    a, _, _ = pair
    analyst = fixtures.user(a, "analyst")
    with pytest.raises(Forbidden):
        share_export.export(a, analyst, "orgb", open(tmp_path / "x.svp", "wb"))


def test_exchange_keys_are_never_replaced_silently(pair):
    a, _, _ = pair
    first = sharing.public_keys(a)
    assert sharing.create_keys(a, SYSTEM, "Another name") == first
    key = Path(a.settings.data_dir) / "keys" / sharing.ENCRYPTION_FILE
    key.unlink()
    with pytest.raises(sharing.KeyMissing, match="restore it from your backup"):
        sharing.own_keys(a)


def test_figures_count_an_incident_known_to_two_organisations_once(pair, tmp_path):
    a, b, _ = pair
    shared_incident(a)
    own = fixtures.incident(b, title="The same shelling, documented by B", place="UA63120270010096107")
    fixtures.incident(b, title="Another day", place="UA63120270010096107", date_start="2022-03-06")
    export(a, "orgb", tmp_path / "1.svp")
    share_import.run(b, SYSTEM, tmp_path / "1.svp")
    copy = received(b, "Shelling of a market")
    # Suggested (same day, B's place inside the copy's hromada), never linked by itself.
    suggested = share_review.duplicate_candidates(b, SYSTEM, "orga")
    assert [(c["theirs"]["id"], c["yours"]["id"]) for c in suggested] == [(copy.id, own["id"])]
    with b.db.session() as s:
        assert incident_figures.incidents(b, s, SYSTEM).value == 3
    assert dashboard.summary(b, SYSTEM, fresh=True)["total"] == 3
    sharing.link(b, SYSTEM, "incident", copy.id, own["id"], "same time and street; Org A's copy")
    with b.db.session() as s:
        assert incident_figures.incidents(b, s, SYSTEM).value == 2
    assert dashboard.summary(b, SYSTEM, fresh=True)["total"] == 2
    assert share_review.duplicate_candidates(b, SYSTEM, "orga") == []
    # The consenting source's pseudonym travelled, never its identity.
    assert "Бондар" not in str(sources.get(b, SYSTEM, received_source_id(b)))


def received_source_id(b) -> int:
    with b.db.session() as s:
        return s.scalar(select(Source.id).where(Source.import_source == "share:orga"))


def test_received_persons_wait_in_the_linkage_queue(pair, tmp_path):
    from svidok.services import person_linkage

    a, b, _ = pair
    shared_incident(a)
    mine = fixtures.person(b, full_name="Ткаченко Олена Іванівна", birth_date="1950", sex="female")
    export(a, "orgb", tmp_path / "1.svp")
    share_import.run(b, SYSTEM, tmp_path / "1.svp")
    person_linkage.run(b, SYSTEM, review_threshold=0.1)
    pairs = {(p["left"]["id"], p["right"]["id"]) for p in person_linkage.queue(b, SYSTEM)["items"]}
    with b.db.session() as s:
        theirs = s.scalar(select(Person.id).where(Person.import_source == "share:orga"))
        # Proposed for review, never merged by the import.
        assert s.get(Person, theirs).merged_into_id is None and s.get(Person, mine["id"]).merged_into_id is None
    assert tuple(sorted((mine["id"], theirs))) in {tuple(sorted(p)) for p in pairs}


def test_records_pass_on_with_their_origin_and_are_not_echoed_back(pair, tmp_path):
    a, b, c = pair
    inc = fixtures.incident(a, title="Detention at a checkpoint")
    export(a, "orgb", tmp_path / "1.svp")
    share_import.run(b, SYSTEM, tmp_path / "1.svp")
    kb, kc = sharing.public_keys(b), sharing.public_keys(c)
    sharing.add_partner(b, SYSTEM, "orgc", "Org C", kc["encryption_key"], kc["signing_key"])
    sharing.add_partner(c, SYSTEM, "orgb", "Org B", kb["encryption_key"], kb["signing_key"])

    back = export(b, "orga", tmp_path / "back.svp")
    assert back["counts"]["incidents"] == 0  # A's own record is not sent back to A

    on = export(b, "orgc", tmp_path / "on.svp")
    assert on["counts"]["incidents"] == 1
    share_import.run(c, SYSTEM, tmp_path / "on.svp")
    with c.db.session() as s:
        prov = s.scalar(select(ShareRecord).where(ShareRecord.entity == "incident", ShareRecord.direction == "received"))
        assert (prov.origin_org, prov.origin_id) == ("Org A", inc["id"])  # where it was first documented
        assert s.get(Incident, prov.local_id).import_source == "share:orgb"  # from whom C received it
