"""Trusted time: RFC 3161 tokens for sealed tree heads and captures, and their check.

Each configured TSA (``SVIDOK_TSA_URLS``) is asked in turn; a TSA that fails is reported,
never fatal (the seal or capture stands, with one token fewer). Each token is kept with
the exact statement it stamps and appended to the ledger, so a token removed later shows.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from svidok.evidence import timestamps as tsp
from svidok.storage.models import Capture, Timestamp, TreeHead

from . import ledger

if TYPE_CHECKING:
    from svidok.app import Svidok

TREE_HEAD, CAPTURE = "tree_head", "capture"
RFC3161, OTS = "rfc3161", "opentimestamps"


def tree_head_statement(head: TreeHead) -> dict[str, Any]:
    return {"kind": "svidok signed tree head", "tree_size": head.tree_size, "root_hash": head.root_hash,
            "timestamp": head.at, "key_id": head.key_id, "signature": head.signature}


def capture_statement(c: Capture) -> dict[str, Any]:
    return {"kind": "svidok web capture", "capture_id": c.id, "url": c.url, "final_url": c.final_url,
            "started_at": (c.details or {}).get("started_at"),
            "artefacts": [{"role": a["role"], "name": a["name"], "sha256": a["sha256"]} for a in c.artefacts or []]}


def statement_of(s, subject: str, subject_id: int) -> dict | None:
    if subject == TREE_HEAD:
        row = s.get(TreeHead, subject_id)
        return tree_head_statement(row) if row else None
    row = s.get(Capture, subject_id)
    return capture_statement(row) if row else None


def stamp(app: Svidok, actor_name: str, subject: str, subject_id: int) -> list[dict]:
    """Ask every configured TSA for a token over the subject's statement; keep the ones given.
    A tree head also gets an OpenTimestamps proof when calendars are configured."""
    if not app.settings.tsa_urls and not (subject == TREE_HEAD and app.settings.ots_calendars):
        return []
    with app.db.session() as s:
        data = tsp.canonical(statement_of(s, subject, subject_id))
    out = []
    if subject == TREE_HEAD and app.settings.ots_calendars:
        out.append(_ots_stamp(app, actor_name, subject, subject_id, data))
    for url in app.settings.tsa_urls:
        try:
            tok = tsp.request(url, data, app.settings.tsa_timeout)
        except tsp.TimestampError as exc:
            out.append({"tsa_url": url, "error": str(exc)})
            continue
        with app.db.session() as s:
            row = Timestamp(subject=subject, subject_id=subject_id, tsa_url=url, statement=data.decode(),
                            response=base64.b64encode(tok.response).decode(), gen_time=tok.gen_time,
                            serial=str(tok.serial))
            s.add(row)
            s.flush()
            ledger.append(s, actor_name, "timestamp", "timestamp", row.id,
                          {"subject": subject, "subject_id": subject_id, "tsa_url": url,
                           "response_sha256": hashlib.sha256(tok.response).hexdigest()})
            out.append({"id": row.id, "tsa_url": url, "time": tok.gen_time.isoformat(), "serial": str(tok.serial)})
    return out


def _ots_stamp(app: Svidok, actor_name: str, subject: str, subject_id: int, data: bytes) -> dict:
    from svidok.evidence import opentimestamps as ots

    calendars = list(app.settings.ots_calendars)
    try:
        proof, problems = ots.stamp(data, calendars, app.settings.tsa_timeout)
    except ots.OtsError as exc:
        return {"kind": OTS, "tsa_url": " ".join(calendars), "error": str(exc)}
    with app.db.session() as s:
        row = Timestamp(subject=subject, subject_id=subject_id, tsa_url=" ".join(calendars), statement=data.decode(),
                        response=base64.b64encode(proof).decode(), gen_time=datetime.now(UTC), serial=ots.PENDING,
                        kind=OTS)
        s.add(row)
        s.flush()
        ledger.append(s, actor_name, "timestamp", "timestamp", row.id,
                      {"subject": subject, "subject_id": subject_id, "kind": OTS, "calendars": calendars,
                       "proof_sha256": hashlib.sha256(proof).hexdigest()})
        return {"id": row.id, "kind": OTS, "tsa_url": row.tsa_url, "status": ots.PENDING, "problems": problems}


def upgrade_ots(app: Svidok, actor_name: str) -> list[dict]:
    """Ask the calendars for the finished Bitcoin path of every pending OpenTimestamps proof; keep what
    they give (the proof only grows: the upgraded file still holds everything the pending one did)."""
    from svidok.evidence import opentimestamps as ots

    out = []
    with app.db.session() as s:
        pending = [(t.id, t.response) for t in s.scalars(select(Timestamp).where(
            Timestamp.kind == OTS, Timestamp.serial == ots.PENDING).order_by(Timestamp.id))]
    for ident, response in pending:
        before = base64.b64decode(response)
        after, problems = ots.upgrade(before, list(app.settings.ots_calendars), app.settings.tsa_timeout)
        found = ots.info(after)
        if after != before:
            with app.db.session() as s:
                row = s.get(Timestamp, ident)
                row.response, row.serial = base64.b64encode(after).decode(), found["status"]
                ledger.append(s, actor_name, "timestamp.upgrade", "timestamp", ident,
                              {"kind": OTS, "status": found["status"], "bitcoin_blocks": found["bitcoin_blocks"],
                               "proof_sha256": hashlib.sha256(after).hexdigest()})
        out.append({"id": ident, "status": found["status"], "bitcoin_blocks": found["bitcoin_blocks"],
                    "problems": problems})
    return out


def _check_ots(t: Timestamp, label: str, problems: list[str], warnings: list[str]) -> None:
    from svidok.evidence import opentimestamps as ots

    try:
        found = ots.info(base64.b64decode(t.response))
    except ots.OtsError as exc:
        problems.append(f"{label}: {exc}")
        return
    if found["digest"] != hashlib.sha256(t.statement.encode()).hexdigest():
        problems.append(f"{label}: the proof commits to another digest than the stamped statement's")
    elif found["status"] == ots.PENDING:
        warnings.append(f"{label}: OpenTimestamps proof still pending (run `svidok ots-upgrade` when online)")


def check_all(app: Svidok, s) -> tuple[int, list[str], list[str]]:
    """(tokens checked, problems, warnings) for ``svidok verify``."""
    roots = tsp.load_roots(app.settings.tsa_ca_files)
    problems, warnings, n = [], [], 0
    for t in s.scalars(select(Timestamp).order_by(Timestamp.id)):
        n += 1
        label = f"timestamp {t.id} ({t.subject} {t.subject_id}, {t.tsa_url})"
        expected = statement_of(s, t.subject, t.subject_id)
        if expected is None or tsp.canonical(expected).decode() != t.statement:
            problems.append(f"{label}: the {t.subject} no longer matches the statement that was stamped")
            continue
        if t.kind == OTS:
            _check_ots(t, label, problems, warnings)
            continue
        try:
            _when, why = tsp.check(base64.b64decode(t.response), t.statement.encode(), roots)
        except tsp.TimestampError as exc:
            problems.append(f"{label}: {exc}")
            continue
        if why and why.startswith("signature not checked"):
            warnings.append(f"{label}: {why}")
        elif why:
            problems.append(f"{label}: {why}")
    return n, problems, warnings


def of(app: Svidok, subject: str, subject_id: int, kind: str = RFC3161) -> list[dict]:
    with app.db.session() as s:
        return [{"id": t.id, "tsa_url": t.tsa_url, "time": t.gen_time, "serial": t.serial, "statement": t.statement,
                 "response": t.response, "kind": t.kind}
                for t in s.scalars(select(Timestamp).where(Timestamp.subject == subject, Timestamp.kind == kind,
                                                           Timestamp.subject_id == subject_id).order_by(Timestamp.id))]


def times_of(s, subject: str, ids: list[int]) -> dict[int, list[dict]]:
    """Each subject's tokens (authority and time only), for listings: one query for many ids."""
    out: dict[int, list[dict]] = {}
    for i in range(0, len(ids), 500):
        for t in s.scalars(select(Timestamp).where(Timestamp.subject == subject, Timestamp.kind == RFC3161,
                                                   Timestamp.subject_id.in_(ids[i:i + 500]))
                           .order_by(Timestamp.id)):
            out.setdefault(t.subject_id, []).append({"tsa_url": t.tsa_url, "time": t.gen_time})
    return out
