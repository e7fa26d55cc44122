"""Trusted time: RFC 3161 tokens for sealed tree heads and captures, and their check.

Each configured TSA (``SVIDOK_TSA_URLS``) is asked in turn; a TSA that fails is reported,
never fatal (the seal or capture stands, with one token fewer). Each token is kept with
the exact statement it stamps and appended to the ledger, so a token removed later shows.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from svidok.evidence import timestamps as tsp
from svidok.storage.models import Capture, Timestamp, TreeHead

from . import ledger

if TYPE_CHECKING:
    from svidok.app import Svidok

TREE_HEAD, CAPTURE = "tree_head", "capture"


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
    """Ask every configured TSA for a token over the subject's statement; keep the ones given."""
    if not app.settings.tsa_urls:
        return []
    with app.db.session() as s:
        data = tsp.canonical(statement_of(s, subject, subject_id))
    out = []
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


def of(app: Svidok, subject: str, subject_id: int) -> list[dict]:
    with app.db.session() as s:
        return [{"id": t.id, "tsa_url": t.tsa_url, "time": t.gen_time, "serial": t.serial, "statement": t.statement,
                 "response": t.response}
                for t in s.scalars(select(Timestamp).where(Timestamp.subject == subject,
                                                           Timestamp.subject_id == subject_id).order_by(Timestamp.id))]


def times_of(s, subject: str, ids: list[int]) -> dict[int, list[dict]]:
    """Each subject's tokens (authority and time only), for listings: one query for many ids."""
    out: dict[int, list[dict]] = {}
    for i in range(0, len(ids), 500):
        for t in s.scalars(select(Timestamp).where(Timestamp.subject == subject, Timestamp.subject_id.in_(ids[i:i + 500]))
                           .order_by(Timestamp.id)):
            out.setdefault(t.subject_id, []).append({"tsa_url": t.tsa_url, "time": t.gen_time})
    return out
