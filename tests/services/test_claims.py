"""Claims to the Register of Damage: categories, claimants with consent, checklist, figures, dossier."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from svidok.core.actors import SYSTEM
from svidok.core.errors import Forbidden, NotFound, ValidationFailed
from svidok.domain import claims as domain
from svidok.figures import claims as claim_figures
from svidok.reports import claim_dossier
from svidok.schemas import others
from svidok.services import claims, evidence, records
from svidok.storage.models import LedgerEntry
from tests import fixtures as fx

KHERSON_OBLAST = "UA65000000000030969"


def _victim(app, name: str, harm: str, violation: str, confidentiality: str = "restricted", age: int | None = 40,
            place: str = fx.KHARKIV_OBLAST, date: str = "2022-03-05") -> tuple[int, int]:
    p = fx.person(app, full_name=name, birth_date="1980", confidentiality=confidentiality)
    inc = fx.incident(app, date_start=date, place=place, confidentiality=confidentiality, acts=[
        {"violation_type": violation, "victims": [{"harm": harm, "person_id": p["id"], "status": "civilian",
                                                   **({"age": age} if age is not None else {})}]}])
    return p["id"], inc["id"]


@pytest.fixture
def family(app):
    """A killed woman with a consenting son, a detained man, a displaced person, and a hidden victim."""
    killed, inc = _victim(app, "Коваленко Ганна", "killed", "killing_of_civilians")
    claims.add_relative(app, SYSTEM, killed, "child", "Коваленко Петро (synthetic)", consent=True,
                        consent_date="2024-05-02", contact="+380 00 000 00 01", consent_scope="prepare an RD4U claim",
                        representative="Synthetic Legal Aid NGO")
    detained, _ = _victim(app, "Мельник Андрій", "detained", "arbitrary_detention", place=KHERSON_OBLAST)
    displaced = fx.person(app, full_name="Ткач Ірина", birth_date="1990")["id"]
    records.create(app, SYSTEM, "displacement", others.DisplacementIn.model_validate(
        {"person_id": displaced, "kind": "internally_displaced", "from_place": KHERSON_OBLAST, "date": "2022-04-01"}))
    hidden, _ = _victim(app, "Прихована Особа", "killed", "killing_of_civilians", confidentiality="strictly_confidential")
    ev = evidence.ingest(app, SYSTEM, io.BytesIO(b"synthetic photo of the building"), original_name="photo.jpg",
                         media_type="image/jpeg", incident_id=inc)
    return {"killed": killed, "incident": inc, "detained": detained, "displaced": displaced, "hidden": hidden,
            "evidence": ev["id"]}


def test_the_categories_file_names_its_source_and_date_and_marks_unconfirmed_codes():
    cats = domain.load()
    assert cats.as_of and any("rd4u.coe.int" in s for s in cats.source)
    codes = {c.code for c in cats.categories}
    assert {"A1.1", "A2.1", "A2.3", "A2.4", "A2.5", "A2.6", "A2.7", "A3.1"} <= codes
    assert cats.get("A2.1").confirmed and not cats.get("A2.2").confirmed
    assert cats.get("A2.1").relationships == ("parent", "spouse", "civil_partner", "child")


def test_a_broken_categories_file_is_refused_naming_the_entry(tmp_path):
    bad = tmp_path / "c.yaml"
    bad.write_text(domain.SHIPPED.read_text(encoding="utf-8").replace("claimant: family", "claimant: anyone", 1),
                   encoding="utf-8")
    with pytest.raises(domain.CategoriesError, match="A2.1.*claimant"):
        domain.load(bad)


def test_assessment_lists_categories_claimants_checklist_and_evidence(app, family):
    a = claims.assess(app, SYSTEM, family["killed"])
    assert [c["code"] for c in a["categories"]] == ["A2.1"]
    cat = a["categories"][0]
    assert cat["claimant"] == "family" and [r["relationship"] for r in cat["claimants"]] == ["child"]
    assert "name" not in cat["claimants"][0]  # protected unless asked for, with a purpose
    status = {i["key"]: i["status"] for i in cat["checklist"]}
    assert status["claimant_identity"] == "held" and status["relationship"] == "held"
    assert status["relationship_document"] == "claimant" and status["death_proof"] == "partly"
    assert status["supporting_evidence"] == "held" and cat["evidence"] == [family["evidence"]]
    assert [c["code"] for c in claims.assess(app, SYSTEM, family["detained"])["categories"]] == ["A2.6"]
    assert [c["code"] for c in claims.assess(app, SYSTEM, family["displaced"])["categories"]] == ["A1.1"]


def test_a_family_member_is_recorded_only_with_consent(app, family):
    with pytest.raises(ValidationFailed, match="consent"):
        claims.add_relative(app, SYSTEM, family["killed"], "spouse", "X", consent=False, consent_date="2024-05-02")
    with pytest.raises(ValidationFailed, match="relationship"):
        claims.add_relative(app, SYSTEM, family["killed"], "neighbour", "X", consent=True, consent_date="2024-05-02")
    named = claims.relatives(app, SYSTEM, family["killed"], protected=True, purpose="prepare the claim")
    assert named[0]["name"] == "Коваленко Петро (synthetic)"
    with app.db.session() as s:
        assert s.scalar(select(LedgerEntry).where(LedgerEntry.action == "protected.read",
                                                  LedgerEntry.entity == "claim_relative")) is not None
    claims.withdraw_relative(app, SYSTEM, named[0]["id"], "the family withdrew its consent")
    assert claims.assess(app, SYSTEM, family["killed"])["categories"][0]["claimants"] == []


def test_figures_by_oblast_count_victims_and_families_within_need_to_know(app, family):
    admin = claim_figures.by_oblast(app, SYSTEM)
    totals = {t["category"]: t for t in admin["totals"]}
    assert totals["A2.1"]["could_claim"] == 2 and totals["A2.1"]["claimant_recorded"] == 1
    assert totals["A2.6"]["could_claim"] == 1 and totals["A1.1"]["could_claim"] == 1
    cells = {(r["category"], r["oblast_en"]): r["could_claim"] for r in admin["rows"]}
    assert cells[("A2.6", "Khersonska oblast")] == 1 and cells[("A2.1", "Kharkivska oblast")] == 2
    analyst = fx.user(app, "analyst")  # sees restricted records, not the confidential victim
    seen = {t["category"]: t["could_claim"] for t in claim_figures.by_oblast(app, analyst)["totals"]}
    assert seen["A2.1"] == 1
    viewer = fx.user(app, "viewer")
    assert all(t["could_claim"] == 0 for t in claim_figures.by_oblast(app, viewer)["totals"])
    with pytest.raises(NotFound):
        claims.assess(app, analyst, family["hidden"])
    with pytest.raises(Forbidden):  # preparing a dossier is for writers
        claim_dossier.create(app, analyst, family["killed"], app.settings.data_dir / "x.zip")
    investigator = fx.user(app, "investigator")  # a writer, cleared to confidential: the victim stays hidden
    with pytest.raises(NotFound):
        claim_dossier.create(app, investigator, family["hidden"], app.settings.data_dir / "x.zip")
    assert {t["category"]: t["could_claim"] for t in claim_figures.by_oblast(app, investigator)["totals"]}["A2.1"] == 1


def test_dossier_zip_holds_both_pdfs_the_evidence_and_hashes_and_is_in_the_ledger(app, family, tmp_path):
    out = claim_dossier.create(app, SYSTEM, family["killed"], tmp_path / "dossier.zip", purpose="claim for the son")
    with zipfile.ZipFile(out["path"]) as z:
        names = set(z.namelist())
        assert {"dossier-uk.pdf", "dossier-en.pdf", "manifest.json", "SHA256SUMS"} <= names
        ev = [n for n in names if n.startswith("evidence/")]
        assert len(ev) == 1 and z.read(ev[0]) == b"synthetic photo of the building"
        for line in z.read("SHA256SUMS").decode().splitlines():
            digest, name = line.split("  ")
            assert hashlib.sha256(z.read(name)).hexdigest() == digest
        uk = "".join(p.extract_text() for p in PdfReader(io.BytesIO(z.read("dossier-uk.pdf"))).pages)
        en = "".join(p.extract_text() for p in PdfReader(io.BytesIO(z.read("dossier-en.pdf"))).pages)
        manifest = json.loads(z.read("manifest.json"))
    assert "Смерть члена найближчої родини" in uk and "НЕ подано" in uk and "Коваленко Петро" in uk
    assert "Death of an immediate family member" in en and "NOT been submitted" in en
    assert manifest["submitted"] is False and manifest["categories"] == ["A2.1"]
    with app.db.session() as s:
        entry = s.scalar(select(LedgerEntry).where(LedgerEntry.action == "claims.dossier"))
        assert entry.record_id == str(family["killed"]) and entry.seq == out["ledger_seq"]
    totals = {t["category"]: t for t in claim_figures.by_oblast(app, SYSTEM)["totals"]}
    assert totals["A2.1"]["dossier_prepared"] == 1 and totals["A2.1"]["not_yet_prepared"] == 1
    with pytest.raises(ValidationFailed, match="A2.6"):
        claim_dossier.create(app, SYSTEM, family["killed"], tmp_path / "x.zip", categories=["A2.6"])
