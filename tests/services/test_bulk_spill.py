"""Batches handed over as scratch files (services.bulk_spill) store what the direct path stores."""

from pathlib import Path

import pytest
from sqlalchemy import select

from svidok.core.actors import SYSTEM
from svidok.services import bulk, bulk_spill, bulk_sqlite, demo, integrity
from svidok.services.demo_data import TABLES
from svidok.storage.models import LedgerEntry, Person, PersonNameKey, RowCommitment

from ..conftest import TEST_KEY, _sqlite_app
from .bulk_batches import dangling_batch


def _contents(app) -> dict[str, list[tuple]]:
    """Every bulk table's rows, each value with its storage class (a TEXT '5' is not an INTEGER 5)."""
    out = {}
    with app.db.engine.connect() as c:
        for t in TABLES:
            cols = [r[1] for r in c.exec_driver_sql(f"PRAGMA table_info({t})")]
            sel = ", ".join(f"typeof({col}), {col}" for col in cols)
            # the demo's few hand-made records (``demo.extras``, made by the system) hold random ciphertexts
            where = "WHERE created_by IS NOT 'system'" if "created_by" in cols else ""
            out[t] = c.exec_driver_sql(f"SELECT {sel} FROM {t} {where} ORDER BY rowid").all()
    return out


def _bulk_commitments(app) -> tuple[list, list]:
    """The bulk batches' row commitments and ledger entries (the demo's hand-made records come after)."""
    with app.db.session() as s:
        loads = s.execute(select(LedgerEntry.seq, LedgerEntry.content_hash).where(LedgerEntry.action == "bulk.load")
                          .order_by(LedgerEntry.seq)).all()
        rows = s.execute(select(RowCommitment.tbl, RowCommitment.count, RowCommitment.digest)
                         .where(RowCommitment.seq < loads[-1].seq).order_by(RowCommitment.id)).all()
    return [tuple(r) for r in rows], [h for _seq, h in loads]


def test_a_demo_handed_over_as_scratch_files_stores_what_the_direct_path_stores(tmp_path, sqlite_template):
    (tmp_path / "spilled").mkdir()
    (tmp_path / "direct").mkdir()
    spilled = _sqlite_app(sqlite_template, tmp_path / "spilled")
    direct = _sqlite_app(sqlite_template, tmp_path / "direct")
    try:
        assert bulk_spill.worth_it(spilled)  # a file database, two cores: the path under test
        demo.load(spilled, size=1500, seed=9, batch_size=400, parallel=True)
        demo.load(direct, size=1500, seed=9, batch_size=400, parallel=False)
        got, want = _contents(spilled), _contents(direct)
        assert sum(len(v) for v in got.values()) > 15_000
        for t in TABLES:
            assert got[t] == want[t], t
        # the same row commitments and batch entries in the ledger, so verify vouches for the same rows
        assert _bulk_commitments(spilled) == _bulk_commitments(direct)
        report = integrity.verify(spilled, check_files=False)
        assert report.ok, report.problems
        assert report.counts["record_rows"] >= sum(len(v) for v in got.values())
        assert not bulk_spill.scratch_dir(spilled).exists()  # no scratch file left behind
    finally:
        spilled.close()
        direct.close()


def test_scratch_files_a_killed_load_left_are_removed_by_the_next(sqlite_app):
    root = bulk_spill.scratch_dir(sqlite_app)
    root.mkdir()
    (root / "batch-000003.db").write_bytes(b"left by a load killed half-way")
    demo.load(sqlite_app, size=300, seed=4, batch_size=100, parallel=True)
    assert not root.exists()


def test_a_dangling_reference_in_a_scratch_file_fails_the_whole_batch(sqlite_app, tmp_path):
    from svidok.services import row_commitments

    batch = dangling_batch(80_001)
    row_commitments.pre_seal(batch)
    spilled = bulk_spill.spill(sqlite_app.db.engine.dialect, batch, tmp_path / "batch.db")
    with sqlite_app.db.session() as s:
        run_id = bulk.start_run(s, "dangling spilled", SYSTEM, "0" * 64, {}).id
    with pytest.raises(bulk_sqlite.BrokenReference, match=r"person_name_keys\.person_id = 81000 refers to no row of persons"):
        bulk.load(sqlite_app, SYSTEM, run_id, [spilled])
    with sqlite_app.db.session() as s:  # nothing of the batch stays
        assert s.scalar(select(Person).where(Person.id == 80_001)) is None
        assert s.scalar(select(PersonNameKey).where(PersonNameKey.person_id == 80_001)) is None
    with sqlite_app.db.engine.connect() as c:  # the scratch file was detached
        assert bulk_spill.SCHEMA not in [r[1] for r in c.exec_driver_sql("PRAGMA database_list")]


def test_only_a_file_database_on_a_machine_with_a_second_core_forks(tmp_path):
    from svidok.app import Svidok
    from svidok.config import Settings

    memory = Svidok(Settings(data_dir=tmp_path, field_key=TEST_KEY), database_url="sqlite://")
    assert bulk_spill.scratch_dir(memory) is None and not bulk_spill.worth_it(memory)
    assert isinstance(bulk_spill.scratch_dir(Svidok(Settings(data_dir=tmp_path, field_key=TEST_KEY))), Path)
