"""ProofMode bundles: a zip of media, each with its proof (``<sha256>.proof.json`` / ``.proof.csv``),
OpenPGP detached signatures (``.asc``) and the device's public key (``pubkey.asc``).

For each proof: does a media file in the bundle have the SHA-256 it names, is the media's
signature good, is the proof's signature good (``pgpy``), and what the phone recorded
(time, location, device). A signature proves the holder of that key signed; the key is the
phone's own, not vouched for by anyone, so its fingerprint is shown for comparison.
"""

from __future__ import annotations

import hashlib
import json
import warnings
import zipfile
from pathlib import Path

SENSOR_KEYS = ("Proof Generated", "Location.Latitude", "Location.Longitude", "Location.Time", "Location.Provider",
               "Manufacturer", "Hardware", "DeviceID", "Network", "DataType", "Notes")
MAX_MEMBER = 512 << 20


def read_bundle(path: Path) -> dict | None:
    """The bundle's verification report, or None when the zip is not a ProofMode bundle."""
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return None
    with z:
        names = {i.filename: i for i in z.infolist() if not i.is_dir() and i.file_size <= MAX_MEMBER}
        proofs = [n for n in names if n.endswith(".proof.json")]
        if not proofs or "pubkey.asc" not in names:
            return None
        key, problems = _key(z.read("pubkey.asc")), []
        if key is None:
            problems.append("pubkey.asc is not an OpenPGP public key")
        media = {hashlib.sha256(z.read(n)).hexdigest(): n for n in names
                 if not n.endswith((".asc", ".proof.json", ".proof.csv", ".gpg")) and n != "pubkey.asc"}
        out = []
        for p in sorted(proofs):
            raw = z.read(p)
            try:
                proof = json.loads(raw)
            except ValueError:
                out.append({"proof": p, "ok": False, "problems": ["not JSON"]})
                continue
            sha = str(proof.get("File Hash SHA256") or "").lower()
            name = media.get(sha)
            entry = {"proof": p, "media": name, "sha256": sha, "media_hash_matches": name is not None,
                     "media_signature": _verified(key, z.read(name), names.get(name + ".asc") and z.read(name + ".asc"))
                     if name else None,
                     "proof_signature": _verified(key, raw, names.get(p + ".asc") and z.read(p + ".asc")),
                     "sensors": {k: proof[k] for k in SENSOR_KEYS if proof.get(k) not in (None, "")}}
            entry["ok"] = bool(name) and entry["media_signature"] == "good" and entry["proof_signature"] == "good"
            out.append(entry)
        return {"fingerprint": str(key.fingerprint) if key is not None else None, "proofs": out,
                "ok": bool(out) and all(e["ok"] for e in out), "problems": problems}


def _key(data: bytes):
    import pgpy

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            key, _ = pgpy.PGPKey.from_blob(data)
        return key
    except Exception:
        return None


def _verified(key, data: bytes, signature: bytes | None) -> str:
    """``good``, ``bad`` (does not match: changed, or another key) or ``missing``."""
    if not signature:
        return "missing"
    if key is None:
        return "bad"
    import pgpy

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "good" if key.verify(data, pgpy.PGPSignature.from_blob(signature)) else "bad"
    except Exception:
        return "bad"
