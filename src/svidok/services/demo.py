"""``svidok demo``: an installation with synthetic data and demo accounts, in one call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from svidok.core.actors import SYSTEM
from svidok.schemas.others import InterventionIn, RecommendationIn
from svidok.schemas.records import SourceIn
from svidok.storage.models import ImportRun, Incident, Intervention, User

from . import accounts, bulk, bulk_spill, demo_data, demo_files, records, sources

if TYPE_CHECKING:
    from svidok.app import Svidok

DEMO_PASSWORD = "svidok-demo-2026"
DEMO_USERS = (("admin", "administrator"), ("investigator", "investigator"), ("analyst", "analyst"), ("viewer", "viewer"))


def ensure_users(app: Svidok) -> list[str]:
    made = []
    with app.db.session() as s:
        existing = set(s.scalars(select(User.username)))
    for username, role in DEMO_USERS:
        if username not in existing:
            accounts.create_user(app, SYSTEM, username, DEMO_PASSWORD, role, display_name=f"Demo {role}")
            made.append(username)
    return made


def load(app: Svidok, size: int = 2000, seed: int = 2022, batch_size: int = 2000,
         progress: Callable[[int], None] | None = None, parallel: bool | None = None) -> dict:
    """Load ``size`` synthetic incidents unless the database already has incidents.

    Resumable: a run interrupted half-way continues where it stopped when called again.
    ``parallel`` (default: where it can, see ``bulk_spill.worth_it``): the batches are made
    in a forked process that hands them over as scratch files. Not inside a server.
    """
    app.init()
    name = f"demo:seed={seed}:size={size}"
    with app.db.session() as s:
        run = s.scalar(select(ImportRun).where(ImportRun.name == name).order_by(ImportRun.id.desc()).limit(1))
        has_data = (s.scalar(select(func.count()).select_from(Incident)) or 0) > 0
        if run is None and has_data:
            return {"loaded": 0, "note": "the database already has incidents; nothing loaded"}
        if run is not None and run.status == "finished":
            return {"loaded": 0, "note": "demo data already loaded"}
        if run is None:
            gen = demo_data.generator_for(app, s, seed)
            run = bulk.start_run(s, name, SYSTEM, "0" * 64, {"seed": seed, "size": size, "batch_size": batch_size,
                                                             "start_ids": gen.ids.next})
        run_id, mapping, skip = run.id, run.mapping, (run.counts or {}).get("batches", 0)
    with app.db.session() as s:
        gen = demo_data.generator_for(app, s, seed)
    gen.ids.next = dict(mapping["start_ids"])
    batches = gen.batches(size, mapping["batch_size"])
    if bulk_spill.worth_it(app) if parallel is None else parallel:
        batches = bulk_spill.spilled_batches(app, batches, skip)
    loaded = bulk.load(app, SYSTEM, run_id, batches, skip, progress)
    extras(app)
    return {"loaded": loaded, "resumed_after_batches": skip}


def extras(app: Svidok) -> None:
    """A few hand-made records that show protected identities, evidence files and advocacy."""
    ensure_users(app)
    demo_files.attach(app)
    with app.db.session() as s:
        if s.scalar(select(func.count()).select_from(Intervention)):
            return
    sources.create(app, SYSTEM, SourceIn(
        kind="witness", description="Synthetic witness to a shelling (demo)", identity="Іваненко Марія Петрівна (synthetic)",
        contact="+380 00 000 0000 (synthetic)", reliability="B", credibility="2", consent_contact=True,
        consent_share_prosecutors=True, consent_publish=False, synthetic=True))
    records.create(app, SYSTEM, "intervention", InterventionIn(
        title="Letter on civilians, detainees and mine action (synthetic demo)", date=date(2026, 9, 1).isoformat(),
        target="Head of State (demo)", status="sent", synthetic=True,
        recommendations=[
            RecommendationIn(theme="detainees_and_pows", text="Demand unimpeded access of independent monitors to prisoners of war and civilian detainees."),
            RecommendationIn(theme="at_risk_groups", text="Ensure aid reaches children, older people and Indigenous peoples."),
            RecommendationIn(theme="mine_action", text="Fund the clearance of landmines and cluster munitions."),
        ]))
