"""Writing a case bundle: one uncompressed tar a prosecutor can verify offline.

Layout (all under ``svidok-bundle/``; the full description is docs/bundle-format.md)::

    README.txt          how to verify with sha256sum, openssl and Python
    manifest.json       items, metadata, acquisition, custody, assessments, qualifications,
                        ledger entries with inclusion proofs, tree head, SHA-256 of SHA256SUMS
    manifest.sig        Ed25519 signature of manifest.json (raw 64 bytes)
    SHA256SUMS          sha256sum format, every file except the three above
    tree_head.json      the signed tree head, exactly the signed bytes
    tree_head.sig       its Ed25519 signature (raw 64 bytes)
    public_key.pem      the installation's public key (compare its id out of band)
    verify_bundle.py    the offline verifier (svidok.evidence.bundle_verify)
    files/<sha256>.<ext>  the evidence files, byte for byte

Small files come first so a reader sees the manifest without scanning gigabytes. Tar
headers are canonical (fixed owner, mode and time), so the verifier can check every byte.
Evidence is streamed from the store and re-hashed on the way; a file that no longer
matches its hash stops the export and nothing is left behind.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import mimetypes
import os
import tarfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import bundle_verify as bv
from .merkle import MerkleTree, leaf_hash
from .signing import SignedTreeHead, key_id, public_key_pem

_CHUNK = 4 << 20


class BundleError(ValueError):
    """The bundle cannot be written as asked; the message names the item and the reason."""


@dataclass
class LedgerRecord:
    """One ledger entry about an item: its chained fields (+ ``entry_hash``) and hashed content."""

    leaf_index: int
    entry: dict[str, Any]
    content: dict[str, Any] | None = None


@dataclass
class BundleItem:
    record_id: str
    sha256: str
    size: int
    media_type: str
    #: Where the bytes are read from: a file, or a function opening the original (``BlobStore.open``).
    source: Path | Callable[[], BinaryIO]
    original_name: str | None = None
    acquisition: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    perceptual_hash: str | None = None
    custody_events: list[dict[str, Any]] = field(default_factory=list)
    assessments: list[dict[str, Any]] = field(default_factory=list)
    qualifications: list[dict[str, Any]] = field(default_factory=list)
    ledger: list[LedgerRecord] = field(default_factory=list)


@dataclass(frozen=True)
class BundleSummary:
    path: Path
    items: int
    files: int
    bytes: int
    manifest_sha256: str
    tree_size: int
    root_hash: str


def archive_name(item: BundleItem) -> str:
    ext = Path(item.original_name or "").suffix.lower()
    if not ext or len(ext) > 10 or not ext[1:].isalnum():
        ext = mimetypes.guess_extension(item.media_type) or ""
    return f"files/{item.sha256}{ext}"


def write_bundle(
    out_path: Path | str,
    items: list[BundleItem],
    tree: MerkleTree,
    tree_head: SignedTreeHead,
    key: Ed25519PrivateKey,
    *,
    selection: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    created_by: str = "svidok",
    timestamps: list[dict[str, Any]] | None = None,
    tsa_roots_pem: bytes = b"",
    tsa_certificates_pem: bytes = b"",
    captures: list[dict[str, Any]] | None = None,
) -> BundleSummary:
    """Write the bundle atomically to ``out_path``; raise ``BundleError`` naming what is wrong."""
    out_path = Path(out_path)
    if not items:
        raise BundleError("nothing to export: the selection has no evidence items")
    if key_id(key) != tree_head.key_id:
        raise BundleError("the tree head was signed by another key than the one given")
    if tree.root(tree_head.tree_size).hex() != tree_head.root_hash:
        raise BundleError(
            f"the ledger's first {tree_head.tree_size} entries do not hash to the tree head's root: "
            "the ledger changed since sealing; run `svidok verify`"
        )
    created = datetime.now(UTC).replace(microsecond=0)
    mtime = int(created.timestamp())

    files: dict[str, BundleItem] = {}
    manifest_items = []
    reports: dict[str, bytes] = {}
    for item in items:
        name = archive_name(item)
        files.setdefault(name, item)
        entry = _manifest_item(item, name, tree, tree_head)
        report = provenance_report(item, name)
        if report is not None:  # C2PA / ProofMode results and metadata warnings, readable on their own
            entry["provenance_file"] = f"{bv.PROVENANCE_DIR}/{item.sha256}.json"
            reports[entry["provenance_file"]] = _pretty(report)
        manifest_items.append(entry)
    capture_entries = []
    in_bundle = {f.sha256: n for n, f in files.items()}
    for c in captures or []:
        stem = f"{bv.CAPTURES_DIR}/capture-{c['id']}.json"
        arts = [{**a, "file": in_bundle.get(a.get("sha256"))} for a in c.get("artefacts", [])]
        reports[stem] = _pretty({**c, "artefacts": arts})
        capture_entries.append({"id": c["id"], "url": c.get("url"), "final_url": c.get("final_url"), "file": stem})

    small: dict[str, bytes] = {
        bv.README: _readme(tree_head).encode("utf-8"),
        bv.TREE_HEAD: tree_head.signed_bytes(),
        bv.TREE_HEAD_SIG: base64.b64decode(tree_head.signature),
        bv.PUBLIC_KEY: public_key_pem(key),
        bv.VERIFIER: Path(bv.__file__).read_bytes(),
    }
    # RFC 3161 tokens (``.tsr``) beside the statements they stamp (``.json``): see bundle-format.md.
    stamps = []
    for t in timestamps or []:
        if t.get("kind") == "opentimestamps":  # a .ots proof, pending or complete (``ots upgrade`` / ``ots verify``)
            stem = f"timestamps/{t['subject']}-{t['subject_id']}-ots-{t['id']}"
            small[f"{stem}.json"], small[f"{stem}.ots"] = t["statement"].encode("utf-8"), t["response"]
            stamps.append({"kind": "opentimestamps", "subject": t["subject"], "subject_id": t["subject_id"],
                           "calendars": t["tsa_url"].split(), "status": t["serial"],
                           "statement_file": f"{stem}.json", "proof_file": f"{stem}.ots"})
            continue
        stem = f"timestamps/{t['subject']}-{t['subject_id']}-token-{t['id']}"
        small[f"{stem}.json"], small[f"{stem}.tsr"] = t["statement"].encode("utf-8"), t["response"]
        stamps.append({"kind": "rfc3161", "subject": t["subject"], "subject_id": t["subject_id"], "tsa_url": t["tsa_url"],
                       "time": str(t["time"]), "statement_file": f"{stem}.json", "token_file": f"{stem}.tsr"})
    certs = {}
    if tsa_roots_pem:
        small[bv.TSA_ROOTS] = tsa_roots_pem
        certs["roots_file"] = bv.TSA_ROOTS
    if tsa_certificates_pem:
        small[bv.TSA_CERTS] = tsa_certificates_pem
        certs["certificates_file"] = bv.TSA_CERTS
    small.update(reports)
    sums = {name: hashlib.sha256(data).hexdigest() for name, data in small.items()}
    sums.update({name: item.sha256 for name, item in files.items()})
    sums_bytes = "".join(f"{digest}  {name}\n" for name, digest in sorted(sums.items())).encode("utf-8")
    manifest = {
        "format": bv.BUNDLE_FORMAT,
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "created_by": created_by,
        "selection": selection or {},
        "key_id": tree_head.key_id,
        "tree_head": {"tree_size": tree_head.tree_size, "root_hash": tree_head.root_hash,
                      "timestamp": tree_head.timestamp, "file": bv.TREE_HEAD, "signature_file": bv.TREE_HEAD_SIG},
        "sha256sums": hashlib.sha256(sums_bytes).hexdigest(),
        "items": manifest_items,
        "context": context or {},
        "timestamps": stamps,
        "timestamp_authorities": certs,
        "captures": capture_entries,
    }
    manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
    head = [(bv.README, small[bv.README]), (bv.MANIFEST, manifest_bytes), (bv.MANIFEST_SIG, key.sign(manifest_bytes)),
            (bv.SUMS, sums_bytes)] + [(n, small[n]) for n in (bv.TREE_HEAD, bv.TREE_HEAD_SIG, bv.PUBLIC_KEY, bv.VERIFIER)] \
        + [(n, small[n]) for n in sorted(small) if n.startswith(("timestamps/", "captures/", "provenance/"))]

    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{uuid.uuid4().hex}.part")
    total = 0
    try:
        with open(tmp, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT, copybufsize=_CHUNK) as tf:
                for name, data in head:
                    tf.addfile(_info(name, len(data), mtime), io.BytesIO(data))
                for name, item in sorted(files.items()):
                    total += _add_evidence(tf, name, item, mtime)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return BundleSummary(out_path, len(items), len(files), total,
                         hashlib.sha256(manifest_bytes).hexdigest(), tree_head.tree_size, tree_head.root_hash)


def _pretty(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8") + b"\n"


#: Keys of an item's extracted metadata that make its provenance report.
PROVENANCE_KEYS = ("c2pa", "proofmode", "consistency")


def provenance_report(item: BundleItem, name: str) -> dict[str, Any] | None:
    """What was found about the file's origin on ingest (C2PA, ProofMode, metadata warnings), or None."""
    found = {k: item.metadata[k] for k in PROVENANCE_KEYS if item.metadata.get(k)}
    if not found:
        return None
    return {"record_id": item.record_id, "file": name, "sha256": item.sha256, **found}


def _manifest_item(item: BundleItem, name: str, tree: MerkleTree, head: SignedTreeHead) -> dict[str, Any]:
    ledger = []
    for rec in item.ledger:
        entry = dict(rec.entry)
        if bv.entry_hash(entry) != entry.get("entry_hash"):
            raise BundleError(f"item {item.record_id}: ledger entry seq {entry.get('seq')} does not match its hash")
        if rec.leaf_index >= head.tree_size:
            raise BundleError(
                f"item {item.record_id}: ledger entry seq {entry.get('seq')} is newer than the tree head "
                f"(size {head.tree_size}); seal the ledger first"
            )
        if tree.leaf_hash_at(rec.leaf_index) != leaf_hash(bytes.fromhex(entry["entry_hash"])):
            raise BundleError(f"item {item.record_id}: ledger entry seq {entry.get('seq')} is not leaf {rec.leaf_index}")
        proof = tree.inclusion_proof(rec.leaf_index, head.tree_size)
        ledger.append({"leaf_index": rec.leaf_index, "entry": entry, "content": rec.content,
                       "inclusion_proof": [p.hex() for p in proof]})
    return {
        "record_id": item.record_id,
        "file": name,
        "sha256": item.sha256,
        "size": item.size,
        "media_type": item.media_type,
        "original_name": item.original_name,
        "acquisition": item.acquisition,
        "metadata": item.metadata,
        "perceptual_hash": item.perceptual_hash,
        "custody_events": item.custody_events,
        "assessments": item.assessments,
        "qualifications": item.qualifications,
        "ledger": ledger,
    }


def _info(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(f"{bv.ROOT_DIR}/{name}")
    info.size, info.mtime, info.mode = size, mtime, 0o444
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


class _HashingReader:
    """Hashes what tarfile reads, so the export proves it copied the right bytes."""

    def __init__(self, fh):
        self.fh, self.hasher, self.count = fh, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.hasher.update(data)
        self.count += len(data)
        return data


def _add_evidence(tf: tarfile.TarFile, name: str, item: BundleItem, mtime: int) -> int:
    try:
        if callable(item.source):
            fh, size = item.source(), item.size
        else:
            size = os.stat(item.source).st_size
            fh = open(item.source, "rb")
    except (OSError, ValueError) as exc:
        raise BundleError(f"item {item.record_id}: evidence file {item.sha256} unreadable ({exc})") from exc
    if size != item.size:
        fh.close()
        raise BundleError(f"item {item.record_id}: stored file has {size} bytes, the record says {item.size}")
    with fh:
        reader = _HashingReader(fh)
        try:
            tf.addfile(_info(name, size, mtime), reader)
        except (OSError, ValueError) as exc:  # cut short, or an encrypted chunk that fails authentication
            raise BundleError(f"item {item.record_id}: evidence file {item.sha256} unreadable ({exc}); "
                              "export stopped") from exc
    if reader.hasher.hexdigest() != item.sha256:
        raise BundleError(
            f"item {item.record_id}: stored file no longer matches its SHA-256 {item.sha256}; export stopped"
        )
    return size


def _readme(head: SignedTreeHead) -> str:
    return f"""Svidok case bundle ({bv.BUNDLE_FORMAT})

Signed by installation key id {head.key_id}.
Compare that id with the one the sender gave you through another channel before
trusting anything here. Full description: docs/bundle-format.md in the Svidok sources.

Verify with standard tools (run inside the extracted svidok-bundle/ directory):

  # 1. the key's id (must equal the id above and the one published by the sender)
  openssl pkey -pubin -in public_key.pem -outform DER | tail -c 32 | sha256sum
  # 2. the manifest is signed by that key
  openssl pkeyutl -verify -pubin -inkey public_key.pem -rawin -in manifest.json -sigfile manifest.sig
  # 3. SHA256SUMS is the one the manifest names, and every file matches it
  sha256sum SHA256SUMS          # compare with "sha256sums" in manifest.json
  sha256sum -c SHA256SUMS
  # 4. the ledger's tree head is signed by that key
  openssl pkeyutl -verify -pubin -inkey public_key.pem -rawin -in tree_head.json -sigfile tree_head.sig
  # 5. every item is in the signed ledger (inclusion proofs): all of the above and this, at once:
  python3 verify_bundle.py ../BUNDLE.tar --public-key SENDERS_KEY.pem

Trusted timestamps (RFC 3161), when the bundle has a timestamps/ folder: for each token
  # who stamped it, and when
  openssl ts -reply -in timestamps/NAME.tsr -text
  # the token's signature and the statement it stamps ("Verification: OK")
  openssl ts -verify -data timestamps/NAME.json -in timestamps/NAME.tsr \
          -CAfile timestamps/tsa-roots.pem -untrusted timestamps/tsa-certificates.pem
  # tsa-roots.pem is what the sender trusted: compare its fingerprint with the one the
  # time-stamping authority publishes (or use the authority's own root file instead)
  openssl x509 -in timestamps/tsa-roots.pem -noout -subject -fingerprint -sha256

Captures (captures/capture-N.json) list the files of each web capture with their SHA-256;
provenance/SHA256.json holds what was found on ingest about a file's origin (C2PA content
credentials, a ProofMode check, warnings about its metadata).

Tree head: {head.tree_size} ledger entries, root {head.root_hash}, signed {head.timestamp}.
"""
