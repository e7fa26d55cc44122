"""Offline verification of a Svidok case bundle: needs only Python 3.11+ and ``cryptography``.

This file is self-contained on purpose (it imports nothing from Svidok and nothing of a
database) and is copied into every bundle as ``verify_bundle.py``. Usage::

    python3 verify_bundle.py BUNDLE.tar --public-key installation.pem

What it checks (format in docs/bundle-format.md):

1. the archive: only regular files under ``svidok-bundle/``, every tar header exactly as
   Svidok writes it and all padding zero, so that *any* changed byte is noticed;
2. ``manifest.sig``: Ed25519 signature of ``manifest.json`` by the given public key;
3. ``SHA256SUMS``: its own hash is the one in the manifest, and every file matches it;
4. ``tree_head.sig``: the signed tree head is genuine and agrees with the manifest;
5. every evidence item: its file has the recorded SHA-256 and size; each ledger entry
   about it re-hashes to its ``entry_hash`` (and its content to ``content_hash``), and
   its inclusion proof leads to the signed root (RFC 9162); a web archive (WACZ) also
   matches the hashes of its own ``datapackage.json``;
6. RFC 3161 timestamps: each token stamps its statement, the statement matches the
   bundle's tree head or capture, and (when ``rfc3161-client`` is installed) the token's
   signature chains to the bundled ``timestamps/tsa-roots.pem``; otherwise that is left to
   ``openssl ts -verify``;
7. web captures (``captures/``) and provenance reports (``provenance/``) belong to the
   bundle's files; a C2PA manifest or ProofMode bundle that failed on ingest is reported.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

BUNDLE_FORMAT = "svidok-bundle/1"
TREE_HEAD_FORMAT = "svidok-tree-head/1"
ROOT_DIR = "svidok-bundle"
MANIFEST, MANIFEST_SIG, SUMS = "manifest.json", "manifest.sig", "SHA256SUMS"
TREE_HEAD, TREE_HEAD_SIG, PUBLIC_KEY = "tree_head.json", "tree_head.sig", "public_key.pem"
README, VERIFIER = "README.txt", "verify_bundle.py"
TSA_ROOTS, TSA_CERTS = "timestamps/tsa-roots.pem", "timestamps/tsa-certificates.pem"
PROVENANCE_DIR, CAPTURES_DIR = "provenance", "captures"
#: Fields of a ledger entry covered by ``entry_hash`` (svidok.domain.ledger.CHAINED_FIELDS).
CHAINED_FIELDS = ("seq", "at", "actor", "action", "entity", "record_id", "content_hash", "prev_hash")
_CHUNK = 4 << 20


# --- the hash definitions a recipient re-implements (see docs/bundle-format.md) ----------


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical_json({k: entry[k] for k in CHAINED_FIELDS})).hexdigest()


def content_hash(content) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf: bytes, index: int, tree_size: int, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if not 0 <= index < tree_size:
        return False
    fn, sn, r = index, tree_size - 1, hashlib.sha256(b"\x00" + leaf).digest()
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


# --- the report ---------------------------------------------------------------------------


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    items_checked: int = 0
    key_id: str | None = None
    tree_size: int | None = None
    root_hash: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self) -> str:
        lines = [f"ok    {p}" for p in self.passed] + [f"WARN  {w}" for w in self.warnings]
        lines += [f"FAIL  {p}" for p in self.problems]
        verdict = "BUNDLE VERIFIED" if self.ok else f"BUNDLE FAILED VERIFICATION ({len(self.problems)} problem(s))"
        return "\n".join([*lines, verdict])


# --- verification -------------------------------------------------------------------------


def verify_bundle(path: Path | str, public_key_pem: bytes | str | None = None) -> Report:
    """Check a bundle; never raises for a bad bundle, every problem is in the report."""
    report = Report()
    try:
        tf = tarfile.open(path, "r:")
    except (tarfile.TarError, OSError) as exc:
        report.problems.append(f"{path}: not a readable bundle archive ({exc})")
        return report
    with tf, open(path, "rb") as raw:
        members = _check_archive(tf, raw, report)
        if members is None:
            return report
        try:
            _check_contents(tf, members, public_key_pem, report)
        except (KeyError, TypeError, ValueError, AttributeError, tarfile.TarError, OSError) as exc:
            report.problems.append(f"bundle content is malformed or unreadable: {type(exc).__name__}: {exc}")
    return report


def _check_archive(tf: tarfile.TarFile, raw, report: Report) -> dict[str, tarfile.TarInfo] | None:
    members: dict[str, tarfile.TarInfo] = {}
    try:
        infos = tf.getmembers()
    except tarfile.TarError as exc:
        report.problems.append(f"archive structure is damaged: {exc}")
        return None
    end = 0
    for info in infos:
        name = info.name
        if not info.isfile() or not name.startswith(ROOT_DIR + "/") or ".." in name.split("/"):
            report.problems.append(f"archive member {name!r}: unexpected (only files under {ROOT_DIR}/ belong here)")
            continue
        rel = name[len(ROOT_DIR) + 1 :]
        if rel in members:
            report.problems.append(f"archive member {name!r} appears twice")
            continue
        raw.seek(info.offset)
        header = raw.read(info.offset_data - info.offset)
        if header != info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"):
            report.problems.append(f"archive member {name!r}: tar header bytes differ from the canonical header")
        padded = -(-info.size // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE
        raw.seek(info.offset_data + info.size)
        if raw.read(padded - info.size).strip(b"\x00"):
            report.problems.append(f"archive member {name!r}: padding after the file data is not zero")
        end = max(end, info.offset_data + padded)
        members[rel] = info
    raw.seek(end)
    while block := raw.read(_CHUNK):
        if block.strip(b"\x00"):
            report.problems.append(f"archive has non-zero bytes after its last member (from offset {end})")
            break
    if not report.problems:
        report.passed.append(f"archive structure: {len(members)} files, canonical headers, zero padding")
    return members


def _read(tf: tarfile.TarFile, members: dict[str, tarfile.TarInfo], rel: str, report: Report) -> bytes | None:
    info = members.get(rel)
    if info is None:
        report.problems.append(f"{rel}: missing from the bundle")
        return None
    return tf.extractfile(info).read()


def _hash_member(tf: tarfile.TarFile, info: tarfile.TarInfo) -> str:
    h = hashlib.sha256()
    fh = tf.extractfile(info)
    while chunk := fh.read(_CHUNK):
        h.update(chunk)
    return h.hexdigest()


def _load_key(pem: bytes | str, report: Report, what: str) -> Ed25519PublicKey | None:
    try:
        key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    except ValueError as exc:
        report.problems.append(f"{what}: not a PEM public key ({exc})")
        return None
    if not isinstance(key, Ed25519PublicKey):
        report.problems.append(f"{what}: not an Ed25519 public key")
        return None
    return key


def _verify_sig(key: Ed25519PublicKey, sig: bytes, data: bytes) -> bool:
    try:
        key.verify(sig, data)
        return True
    except InvalidSignature:
        return False


def _check_contents(tf, members, public_key_pem, report: Report) -> None:
    embedded = _read(tf, members, PUBLIC_KEY, report)
    if public_key_pem is None:
        if embedded is None:
            return
        key = _load_key(embedded, report, PUBLIC_KEY)
        if key:
            report.warnings.append(
                f"no public key given: used the key inside the bundle (key id {key_id(key)}); "
                "compare this id with the one the sender published"
            )
    else:
        key = _load_key(public_key_pem, report, "given public key")
        if key and embedded is not None:
            inner = _load_key(embedded, report, PUBLIC_KEY)
            if inner and key_id(inner) != key_id(key):
                report.warnings.append(f"{PUBLIC_KEY} in the bundle is not the given key; the given key is used")
    if key is None:
        return
    report.key_id = key_id(key)

    manifest_bytes = _read(tf, members, MANIFEST, report)
    manifest_sig = _read(tf, members, MANIFEST_SIG, report)
    if manifest_bytes is None or manifest_sig is None:
        return
    if not _verify_sig(key, manifest_sig, manifest_bytes):
        report.problems.append(f"{MANIFEST_SIG}: signature of {MANIFEST} does not verify with key {report.key_id}")
    else:
        report.passed.append(f"{MANIFEST} signed by key {report.key_id}")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as exc:
        report.problems.append(f"{MANIFEST}: not valid JSON ({exc})")
        return
    if manifest.get("format") != BUNDLE_FORMAT:
        report.problems.append(f"{MANIFEST}: format {manifest.get('format')!r}, expected {BUNDLE_FORMAT!r}")
        return

    sums = _check_sums(tf, members, manifest, report)
    head = _check_tree_head(tf, members, manifest, key, report)
    for n, item in enumerate(manifest.get("items", []), start=1):
        try:
            _check_item(n, item, sums, members, head, report)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            report.problems.append(f"item {n}: malformed entry in {MANIFEST} ({type(exc).__name__}: {exc})")
        report.items_checked += 1
    if report.items_checked and not report.problems:
        report.passed.append(f"{report.items_checked} evidence item(s): files intact and included in the signed tree head")
    _check_archives(tf, members, manifest, report)
    _check_timestamps(tf, members, manifest, report)
    _check_captures(tf, members, manifest, report)
    _check_provenance(tf, members, manifest, report)


def wacz_problems(fh) -> list[str]:
    """Files of a WACZ whose SHA-256 or size differs from its ``datapackage.json`` (empty when sound)."""
    try:
        z = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError) as exc:
        return [f"not a readable WACZ (zip) archive ({exc})"]
    problems = []
    with z:
        names = set(z.namelist())
        if "datapackage.json" not in names:
            return ["no datapackage.json in the archive"]
        package = z.read("datapackage.json")
        if "datapackage-digest.json" in names:
            digest = json.loads(z.read("datapackage-digest.json"))
            if digest.get("hash") != "sha256:" + hashlib.sha256(package).hexdigest():
                problems.append("datapackage.json does not match datapackage-digest.json")
        for res in json.loads(package).get("resources", []):
            if res.get("path") not in names:
                problems.append(f"{res.get('path')}: listed in datapackage.json but missing")
                continue
            h, n = hashlib.sha256(), 0
            with z.open(res["path"]) as member:
                while chunk := member.read(_CHUNK):
                    h.update(chunk)
                    n += len(chunk)
            if "sha256:" + h.hexdigest() != res.get("hash") or n != res.get("bytes", n):
                problems.append(f"{res['path']}: hash or size differs from datapackage.json")
    return problems


def _check_archives(tf, members, manifest, report: Report) -> None:
    """Web archives are zip files that list their own contents' hashes: check them too."""
    for n, item in enumerate(manifest.get("items", []), start=1):
        name = item.get("file", "")
        if not (name.endswith(".wacz") or item.get("media_type") == "application/wacz") or name not in members:
            continue
        try:
            problems = wacz_problems(tf.extractfile(members[name]))
        except (ValueError, KeyError, zipfile.BadZipFile, OSError) as exc:
            problems = [f"unreadable ({type(exc).__name__}: {exc})"]
        label = f"item {n} ({item.get('record_id', '?')}, {name}): web archive"
        if problems:
            report.problems += [f"{label}: {p}" for p in problems]
        else:
            report.passed.append(f"{label}: every file matches its datapackage.json")


def _token_signature(token: bytes, statement: bytes, roots_pem: bytes | None, certs_pem: bytes | None) -> str | None:
    """None when the token's signature chains to the bundled roots; else why not, or why it was not checked."""
    if not roots_pem:
        return "unchecked: the bundle carries no TSA root certificate"
    try:
        from cryptography import x509
        from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response
    except ImportError:
        return "unchecked: rfc3161-client is not installed here"
    try:
        resp = decode_timestamp_response(token)
    except ValueError as exc:
        return f"not a readable timestamp response ({exc})"
    roots = x509.load_pem_x509_certificates(roots_pem)
    builder = VerifierBuilder()
    for cert in roots:
        builder = builder.add_root_certificate(cert)
    for cert in x509.load_pem_x509_certificates(certs_pem) if certs_pem else []:
        try:
            ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            ca = False
        if ca and cert not in roots:
            builder = builder.add_intermediate_certificate(cert)
    try:
        builder.build().verify(resp, hashlib.sha256(statement).digest())
    except VerificationError as exc:
        return f"signature does not verify against {TSA_ROOTS} ({exc})"
    return None


def _check_timestamps(tf, members, manifest, report: Report) -> None:
    """RFC 3161 tokens: each stamps its statement, and each statement matches what the bundle holds.

    The token's signature is left to ``openssl ts -verify`` with the TSA's root certificate
    (this script would need an ASN.1 and CMS library); the files are covered by SHA256SUMS.
    """
    head = manifest.get("tree_head", {})
    files = {item.get("sha256") for item in manifest.get("items", [])}
    authorities = manifest.get("timestamp_authorities") or {}
    roots = _read(tf, members, authorities["roots_file"], report) if authorities.get("roots_file") else None
    certs = _read(tf, members, authorities["certificates_file"], report) if authorities.get("certificates_file") else None
    for t in manifest.get("timestamps", []):
        if t.get("kind") == "opentimestamps":
            _check_ots(tf, members, t, head, report)
            continue
        label = f"timestamp {t['token_file']}"
        statement, token = _read(tf, members, t["statement_file"], report), _read(tf, members, t["token_file"], report)
        if statement is None or token is None:
            continue
        # DER carries the SHA-256 of the stamped statement as one 32-byte OCTET STRING (04 20 …).
        if b"\x04\x20" + hashlib.sha256(statement).digest() not in token:
            report.problems.append(f"{label}: does not stamp {t['statement_file']} (another digest)")
            continue
        data = json.loads(statement)
        if t["subject"] == "tree_head":
            same = all(data.get(k) == head.get(k) for k in ("tree_size", "root_hash", "timestamp"))
            if not same:
                report.problems.append(f"{label}: stamps another tree head than this bundle's")
                continue
        else:
            missing = [a["sha256"] for a in data.get("artefacts", []) if a["sha256"] not in files]
            if missing:
                report.warnings.append(f"{label}: {len(missing)} file(s) of the stamped capture are not in this bundle")
        why = _token_signature(token, statement, roots, certs)
        if why and not why.startswith("unchecked"):
            report.problems.append(f"{label}: {why}")
            continue
        signed = f"signed by a TSA under {TSA_ROOTS}" if why is None else f"signature {why}"
        report.passed.append(f"{label}: stamps {t['statement_file']} ({t['subject']}, {t['tsa_url']}, {t['time']}); "
                             f"{signed}; openssl: openssl ts -verify -data {t['statement_file']} "
                             f"-in {t['token_file']} -CAfile {TSA_ROOTS} -untrusted {TSA_CERTS}")


#: The fixed start of an OpenTimestamps proof file: magic, version 1, the SHA-256 operation (then the digest).
OTS_HEADER = b"\x00OpenTimestamps\x00\x00Proof\x00\xbf\x89\xe2\xe8\x84\xe8\x92\x94\x01\x08"


def _check_ots(tf, members, t, head, report: Report) -> None:
    label = f"OpenTimestamps proof {t['proof_file']}"
    statement, proof = _read(tf, members, t["statement_file"], report), _read(tf, members, t["proof_file"], report)
    if statement is None or proof is None:
        return
    if not proof.startswith(OTS_HEADER) or proof[len(OTS_HEADER):len(OTS_HEADER) + 32] != hashlib.sha256(statement).digest():
        report.problems.append(f"{label}: does not commit to {t['statement_file']} (another digest, or not a proof)")
        return
    data = json.loads(statement)
    if t["subject"] == "tree_head" and any(data.get(k) != head.get(k) for k in ("tree_size", "root_hash", "timestamp")):
        report.problems.append(f"{label}: stamps another tree head than this bundle's")
        return
    report.passed.append(f"{label}: commits to {t['statement_file']} ({t.get('status')} when exported); "
                         f"complete and check it: ots upgrade {t['proof_file']} && "
                         f"ots verify -f {t['statement_file']} {t['proof_file']}")


def _check_captures(tf, members, manifest, report: Report) -> None:
    files = {item.get("sha256"): item.get("file") for item in manifest.get("items", [])}
    for c in manifest.get("captures", []):
        raw = _read(tf, members, c["file"], report)
        if raw is None:
            continue
        data = json.loads(raw)
        label = f"capture {c['id']} ({c.get('url')}, {c['file']})"
        if data.get("id") != c["id"] or data.get("url") != c.get("url"):
            report.problems.append(f"{label}: the file describes another capture than the manifest says")
            continue
        arts = data.get("artefacts", [])
        wrong = [a for a in arts if a.get("file") and files.get(a.get("sha256")) != a["file"]]
        if wrong:
            report.problems.append(f"{label}: {len(wrong)} file(s) named with another SHA-256 than the bundle's items")
            continue
        held = sum(1 for a in arts if a.get("sha256") in files)
        (report.passed if held == len(arts) else report.warnings).append(
            f"{label}: {held} of its {len(arts)} file(s) are in this bundle")


def _check_provenance(tf, members, manifest, report: Report) -> None:
    for n, item in enumerate(manifest.get("items", []), start=1):
        if not item.get("provenance_file"):
            continue
        label = f"item {n} ({item.get('record_id', '?')}, {item.get('file', '?')})"
        raw = _read(tf, members, item["provenance_file"], report)
        if raw is None:
            continue
        data = json.loads(raw)
        if data.get("sha256") != item.get("sha256"):
            report.problems.append(f"{label}: {item['provenance_file']} is about another file")
            continue
        c2pa = data.get("c2pa")
        if c2pa:
            state, signer = c2pa.get("state"), c2pa.get("signer") or "unknown signer"
            if state == "Invalid":
                report.warnings.append(f"{label}: C2PA content credentials FAILED validation on ingest "
                                       f"({', '.join(map(str, c2pa.get('problems') or [])) or 'invalid'})")
            elif state in ("Valid", "Trusted"):
                trust = ("signer on the sender's trust list" if state == "Trusted"
                         else "signer not on a trust list: who signed is what the certificate claims")
                report.passed.append(f"{label}: C2PA content credentials valid on ingest, signed by {signer} ({trust})")
            elif state == "NotExamined":
                report.warnings.append(f"{label}: C2PA content credentials could not be examined on ingest "
                                       f"({c2pa.get('reason') or 'the file could not be parsed'})")
            else:
                report.warnings.append(f"{label}: C2PA content credentials not checked on ingest ({state})")
        pm = data.get("proofmode")
        if pm:
            (report.passed if pm.get("ok") else report.warnings).append(
                f"{label}: ProofMode bundle {'verified' if pm.get('ok') else 'FAILED verification'} on ingest "
                f"(device key {pm.get('fingerprint')})")
        for w in data.get("consistency") or []:
            report.warnings.append(f"{label}: metadata: {w.get('text') if isinstance(w, dict) else w}")


def _check_sums(tf, members, manifest, report: Report) -> dict[str, str]:
    sums_bytes = _read(tf, members, SUMS, report)
    if sums_bytes is None:
        return {}
    if hashlib.sha256(sums_bytes).hexdigest() != manifest.get("sha256sums"):
        report.problems.append(f"{SUMS}: its SHA-256 is not the one recorded in {MANIFEST}")
    sums: dict[str, str] = {}
    for lineno, line in enumerate(sums_bytes.decode("utf-8", "replace").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            report.problems.append(f"{SUMS} line {lineno}: not '<sha256>  <file>'")
            continue
        sums[name] = digest
    expected = set(members) - {SUMS, MANIFEST, MANIFEST_SIG}
    for extra in sorted(expected - set(sums)):
        report.problems.append(f"{extra}: in the archive but not listed in {SUMS}")
    bad = 0
    for name, digest in sums.items():
        info = members.get(name)
        if info is None:
            report.problems.append(f"{name}: listed in {SUMS} but missing from the archive")
            bad += 1
        elif _hash_member(tf, info) != digest:
            report.problems.append(f"{name}: content changed (SHA-256 differs from {SUMS})")
            bad += 1
    if not bad:
        report.passed.append(f"{SUMS}: all {len(sums)} files match")
    return sums


def _check_tree_head(tf, members, manifest, key, report: Report) -> dict | None:
    head_bytes = _read(tf, members, TREE_HEAD, report)
    sig = _read(tf, members, TREE_HEAD_SIG, report)
    if head_bytes is None or sig is None:
        return None
    if not _verify_sig(key, sig, head_bytes):
        report.problems.append(f"{TREE_HEAD_SIG}: signature of the tree head does not verify")
        return None
    try:
        head = json.loads(head_bytes)
    except ValueError as exc:
        report.problems.append(f"{TREE_HEAD}: not valid JSON ({exc})")
        return None
    if head.get("format") != TREE_HEAD_FORMAT or head.get("key_id") != report.key_id:
        report.problems.append(f"{TREE_HEAD}: format or key id is not what was expected")
        return None
    claimed = manifest.get("tree_head", {})
    if (claimed.get("tree_size"), claimed.get("root_hash")) != (head["tree_size"], head["root_hash"]):
        report.problems.append(f"{MANIFEST}: tree head differs from the signed {TREE_HEAD}")
    report.tree_size, report.root_hash = head["tree_size"], head["root_hash"]
    report.passed.append(
        f"signed tree head: {head['tree_size']} ledger entries, root {head['root_hash']}, at {head['timestamp']}"
    )
    return head


def _check_item(n: int, item: dict, sums: dict[str, str], members, head: dict | None, report: Report) -> None:
    label = f"item {n} ({item.get('record_id', '?')}, {item.get('file', '?')})"
    sha = item.get("sha256")
    if sums.get(item.get("file")) != sha:
        report.problems.append(f"{label}: file hash in {SUMS} is not the item's sha256 {sha}")
    info = members.get(item.get("file"))
    if info is not None and info.size != item.get("size"):
        report.problems.append(f"{label}: file has {info.size} bytes, the manifest says {item.get('size')}")
    proven_file = False
    for k, rec in enumerate(item.get("ledger", []), start=1):
        where = f"{label}, ledger entry {k} (seq {rec.get('entry', {}).get('seq', '?')})"
        entry = rec.get("entry", {})
        try:
            recomputed = entry_hash(entry)
        except KeyError as exc:
            report.problems.append(f"{where}: field {exc} missing")
            continue
        if recomputed != entry.get("entry_hash"):
            report.problems.append(f"{where}: entry_hash does not match its fields (recomputed {recomputed})")
            continue
        content = rec.get("content")
        if content is not None and content_hash(content) != entry["content_hash"]:
            report.problems.append(f"{where}: content does not match content_hash")
            continue
        if head is None:
            continue
        proof = [bytes.fromhex(p) for p in rec.get("inclusion_proof", [])]
        if not verify_inclusion(
            bytes.fromhex(entry["entry_hash"]), rec.get("leaf_index", -1), head["tree_size"], proof,
            bytes.fromhex(head["root_hash"]),
        ):
            report.problems.append(f"{where}: inclusion proof does not lead to the signed root")
            continue
        if content is not None and content.get("sha256") == sha:
            proven_file = True
    if head is not None and not proven_file:
        report.problems.append(f"{label}: no ledger entry in the signed tree head records this file's sha256")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Svidok case bundle offline.")
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--public-key", type=Path, help="the sender's Ed25519 public key (PEM), obtained separately")
    args = parser.parse_args(argv)
    pem = args.public_key.read_bytes() if args.public_key else None
    report = verify_bundle(args.bundle, pem)
    print(report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
