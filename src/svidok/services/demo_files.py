"""Synthetic evidence files for the demo: a picture, a one-page PDF and a short sound, drawn
here (no photograph or recording of anyone), attached to demo incidents through the evidence
service so the evidence pages, custody chain and proofs have something to show on first run."""

from __future__ import annotations

import io
import struct
import wave
import zlib
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from svidok.core.actors import SYSTEM
from svidok.storage.models import EvidenceItem, Incident

from . import evidence

if TYPE_CHECKING:
    from svidok.app import Svidok


def synthetic_png(width: int = 480, height: int = 300) -> bytes:
    """A sky-and-ground gradient with a dark block (a "building"), as a PNG written by hand."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    def pixel(x: int, y: int) -> bytes:
        if width // 3 < x < width // 2 and y > height // 3:
            return bytes((60, 60, 70))
        if y < height * 2 // 3:
            return bytes((120 + y * 100 // height, 160 + y * 60 // height, 230))
        return bytes((110, 90 + x * 40 // width, 60))

    raw = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(width)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def synthetic_pdf(lines: tuple[str, ...] = ("Synthetic field report (Svidok demo)",
                                            "No real person, place or event is described.")) -> bytes:
    """A one-page PDF with a few lines of ASCII text, offsets computed."""
    text = b"BT /F1 16 Tf 60 780 Td 22 TL " + b" ".join(
        b"(" + ln.encode("ascii").replace(b"(", b"\\(").replace(b")", b"\\)") + b") Tj T*" for ln in lines) + b" ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def synthetic_wav(seconds: float = 1.5, rate: int = 8000) -> bytes:
    """A square-wave tone (a stand-in for a recorded call), 8-bit mono."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(bytes(128 + (40 if (i // 20) % 2 else -40) for i in range(int(seconds * rate))))
    return buf.getvalue()


FILES = (("street_after_the_strike_synthetic.png", synthetic_png, "image/png", "phone camera"),
         ("field_report_synthetic.pdf", synthetic_pdf, "application/pdf", "document received"),
         ("witness_call_synthetic.wav", synthetic_wav, "audio/x-wav", "phone recording"))


def attach(app: Svidok, incidents: int = 2) -> list[int]:
    """Attach the synthetic files to the newest demo incidents; nothing if evidence exists already."""
    with app.db.session() as s:
        if s.scalar(select(func.count()).select_from(EvidenceItem)):
            return []
        targets = list(s.execute(select(Incident.id, Incident.confidentiality)
                                 .where(Incident.synthetic.is_(True), Incident.deleted_at.is_(None))
                                 .order_by(Incident.id.desc()).limit(incidents)))
    made = []
    for n, (incident_id, confidentiality) in enumerate(targets):
        for name, draw, media_type, method in FILES if n == 0 else FILES[:1]:
            item = evidence.ingest(app, SYSTEM, io.BytesIO(draw()), original_name=name, media_type=media_type,
                                   incident_id=incident_id, confidentiality=confidentiality,
                                   acquired_by="demo field team (synthetic)", acquisition_method=method,
                                   purpose="synthetic demo data")
            made.append(item["id"])
    return made
