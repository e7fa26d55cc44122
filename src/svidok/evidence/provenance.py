"""C2PA provenance of an incoming image or video (``c2pa-python``): who signed, with what, what was done.

A valid manifest proves who signed the file and that it was not changed since, not that the
scene is true. ``validation_state`` is the C2PA SDK's verdict: ``Invalid`` (the file or the
manifest was changed: shown as failed, never as valid), ``Valid`` (the signature and hashes
hold; a signer outside the SDK's trust list is reported as ``signingCredential.untrusted``)
or ``Trusted`` (the signer chains to a configured trust anchor: ``trust_anchors``). ``trust`` says it
plainly: ``trusted``, ``unknown`` (valid, but the signer is on no trust list) or ``failed``. Pinned to c2pa-python 0.38.1: 0.38.2 ships no Linux wheels.

A file the SDK cannot parse at all (a truncated JPEG, a malformed PDF, a type it does not read) is
``NotExamined`` (trust ``not examined``), with the SDK's ``reason``: nothing was learnt about its
credentials, which is not a sign that they were changed. ``Invalid`` stays for a manifest that was
found and failed validation, or that was found and could not be decoded.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

CAVEAT = "a valid manifest proves who signed the file and that it is unchanged since, not that the scene is true"
_TYPES = ("image/jpeg", "image/png", "image/webp", "image/tiff", "image/heic", "image/avif", "image/gif",
          "video/mp4", "video/quicktime", "audio/mp4", "audio/mpeg", "audio/wav", "application/pdf")


NOT_EXAMINED = "NotExamined"


def trust_list_id(trust_anchors_pem: str | None) -> str | None:
    """SHA-256 of the trust list a verdict was reached with (None: no list), to tell when it changed."""
    return hashlib.sha256(trust_anchors_pem.encode()).hexdigest() if trust_anchors_pem else None


def _unparsable(c2pa, exc: Exception) -> bool:
    """The SDK could not parse the file itself (so it never reached a manifest): not a verdict on one."""
    errors = c2pa.C2paError
    if not isinstance(exc, errors):
        return True  # an OS or library failure: nothing was examined
    if isinstance(exc, errors.NotSupported | errors.Io):
        return True
    return isinstance(exc, errors.Other) and "asset could not be parsed" in str(exc)


def _context(c2pa, trust_anchors_pem: str | None):
    if not trust_anchors_pem:
        return None
    return c2pa.Context(settings=c2pa.Settings.from_dict({"trust": {"trust_anchors": trust_anchors_pem},
                                                          "verify": {"verify_trust": True}}))


def read_c2pa(path: Path, media_type: str, trust_anchors_pem: str | None = None) -> dict | None:
    """The active manifest's summary and its validation, or None when the file carries no manifest.

    ``trust_anchors_pem``: root certificates (PEM) of the signers you trust."""
    if media_type not in _TYPES:
        return None
    try:
        import c2pa
    except ImportError:
        return {"state": "unchecked", "problems": ["c2pa-python is not installed"]}
    try:
        with path.open("rb") as fh, c2pa.Reader(media_type, fh, context=_context(c2pa, trust_anchors_pem)) as reader:
            store = json.loads(reader.json())
    except Exception as exc:  # C2paError: no manifest in most files, or one that cannot be read
        text = str(exc)
        if "ManifestNotFound" in text or "JumbfNotFound" in text or "no JUMBF" in text.lower():
            return None
        if _unparsable(c2pa, exc):
            return {"state": NOT_EXAMINED, "trust": "not examined", "reason": text[:300], "problems": [],
                    "caveat": CAVEAT}
        return {"state": "Invalid", "trust": "failed", "problems": [f"the manifest could not be read: {text[:300]}"],
                "caveat": CAVEAT}
    active = (store.get("manifests") or {}).get(store.get("active_manifest") or "", {})
    sig = active.get("signature_info") or {}
    gen = active.get("claim_generator") or ", ".join(
        " ".join(str(g.get(k)) for k in ("name", "version") if g.get(k)) for g in active.get("claim_generator_info") or [])
    actions = []
    for a in active.get("assertions") or []:
        if str(a.get("label", "")).startswith("c2pa.actions"):
            actions += [{"action": x.get("action"), "when": x.get("when"), "software": (x.get("softwareAgent") or {})
                         .get("name") if isinstance(x.get("softwareAgent"), dict) else x.get("softwareAgent")}
                        for x in (a.get("data") or {}).get("actions") or []]
    codes = [v.get("code") for v in store.get("validation_status") or [] if v.get("code")]
    state = store.get("validation_state") or ("Invalid" if any(not c.endswith("untrusted") for c in codes) else "Valid")
    trust = {"Trusted": "trusted", "Valid": "unknown"}.get(state, "failed")
    return {"state": state, "trust": trust, "trust_list": bool(trust_anchors_pem),
            "trust_list_sha256": trust_list_id(trust_anchors_pem), "signer": sig.get("common_name"), "issuer": sig.get("issuer"), "signed_at": sig.get("time"),
            "algorithm": sig.get("alg"), "claim_generator": gen or None, "title": active.get("title"),
            "actions": actions, "problems": codes, "manifests": len(store.get("manifests") or {}), "caveat": CAVEAT}
