"""`svidok backup create | verify | restore`: database, evidence files and keys, together.

A backup is a folder::

    manifest.json     format, time, engine, the newest signed tree head, every file's SHA-256 and size
    database.sqlite   SQLite: a consistent copy taken with SQLite's online backup API
    database.pgdump   PostgreSQL: ``pg_dump --format=custom`` (when pg_dump is installed) …
    database.jsonl    … or else a logical dump through SQLAlchemy (``services.dump``)
    evidence/<sha256> every evidence file, read through the store's ``iter_blobs``/``open``
    keys.enc          the signing key and the field keyring, encrypted with a passphrase
                      (scrypt, then AES-256-GCM; the manifest's hash binds it to the backup)

``verify`` re-hashes every file against the manifest (and with the passphrase, opens
the keys). ``restore`` refuses a data directory or database that already holds records,
puts everything back and runs ``svidok verify``'s checks. The ledger is sealed before the
copy, so the backup carries a signed head that ``svidok verify --head`` can check later.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from svidok.core.errors import Conflict, FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.evidence.signing import KEY_FILE_NAME, SignedTreeHead, key_path
from svidok.storage import migrate
from svidok.storage.models import LedgerEntry

from . import dump
from .evidence import evidence_store
from .field_crypto import Keyring
from .ledger_sealing import seal

if TYPE_CHECKING:
    from svidok.app import Svidok

FORMAT = "svidok-backup/1"
MANIFEST = "manifest.json"
KEYS = "keys.enc"
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_CHUNK = 1 << 20


def _sha256(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _libpq_url(app: Svidok) -> str:
    url = make_url(app.db.url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


# --- keys ------------------------------------------------------------------------------------


def _key_files(app: Svidok) -> dict[str, Path]:
    from .sharing import key_files

    enc, sig = key_files(app)  # the exchange keys: partners encrypt to and verify against them
    return {KEY_FILE_NAME: key_path(app.settings.data_dir), "field-keys.json": Path(app.key_file),
            enc.name: enc, sig.name: sig}


def _seal_keys(app: Svidok, passphrase: str) -> bytes:
    files = {name: base64.b64encode(p.read_bytes()).decode() for name, p in _key_files(app).items() if p.exists()}
    if app.settings.field_key and "field-keys.json" not in files:
        files["SVIDOK_FIELD_KEY"] = base64.b64encode(app.settings.field_key.encode()).decode()
    salt, nonce = os.urandom(16), os.urandom(12)
    key = Scrypt(salt=salt, length=32, **_SCRYPT).derive(passphrase.encode("utf-8"))
    body = AESGCM(key).encrypt(nonce, json.dumps(files).encode(), FORMAT.encode())
    return json.dumps({"kdf": "scrypt", **_SCRYPT, "salt": salt.hex(), "cipher": "AES-256-GCM",
                       "nonce": nonce.hex(), "ciphertext": base64.b64encode(body).decode()}).encode()


def _open_keys(blob: bytes, passphrase: str) -> dict[str, bytes]:
    data = json.loads(blob)
    key = Scrypt(salt=bytes.fromhex(data["salt"]), length=32, n=data["n"], r=data["r"], p=data["p"]).derive(
        passphrase.encode("utf-8"))
    try:
        plain = AESGCM(key).decrypt(bytes.fromhex(data["nonce"]), base64.b64decode(data["ciphertext"]), FORMAT.encode())
    except InvalidTag:
        raise ValidationFailed([FieldError("passphrase", M_("wrong passphrase, or keys.enc was altered"))]) from None
    return {k: base64.b64decode(v) for k, v in json.loads(plain).items()}


# --- create ----------------------------------------------------------------------------------


def create(app: Svidok, dest: Path, passphrase: str, progress=None) -> dict:
    """Write a backup of database, evidence and keys into the new folder ``dest``;
    ``progress(message)`` is called between steps and after every evidence file."""
    say = progress or (lambda message: None)
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise Conflict(M_("%(dest)s is not empty: give a new folder for the backup", dest=dest))
    if len(passphrase) < 12:
        raise ValidationFailed([FieldError("passphrase", M_("use at least 12 characters"))])
    head = seal(app)  # the backup carries the newest signed head
    dest.mkdir(parents=True, exist_ok=True)
    say("copying the database")
    db_file, method = _dump_database(app, dest)
    store = evidence_store(app)
    (dest / "evidence").mkdir()
    for i, sha in enumerate(store.iter_blobs(), 1):
        with store.open(sha) as src, open(dest / "evidence" / sha, "wb") as out:
            shutil.copyfileobj(src, out, _CHUNK)
        say(f"copying evidence files: {i}")
    say("hashing the copy")
    (dest / KEYS).write_bytes(_seal_keys(app, passphrase))
    files = {}
    for path in sorted(p for p in dest.rglob("*") if p.is_file()):
        sha, size = _sha256(path)
        files[path.relative_to(dest).as_posix()] = {"sha256": sha, "size": size}
    manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "engine": app.db.dialect, "database": {"file": db_file, "method": method},
                "tree_head": {k: head[k] for k in ("format", "tree_size", "root_hash", "timestamp", "key_id", "signature")},
                "files": files}
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return {"path": str(dest), "files": len(files), "bytes": sum(f["size"] for f in files.values()),
            "database": method, "evidence_files": sum(1 for f in files if f.startswith("evidence/")),
            "tree_size": head["tree_size"]}


def _dump_database(app: Svidok, dest: Path) -> tuple[str, str]:
    if app.db.dialect == "sqlite":
        src = sqlite3.connect(app.db.engine.url.database)
        out = sqlite3.connect(dest / "database.sqlite")
        try:
            src.backup(out)  # a consistent copy while writers go on
            out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file (no -wal/-shm beside it)
        finally:
            out.close()
            src.close()
        return "database.sqlite", "sqlite-online-backup"
    if shutil.which("pg_dump"):
        done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dest / "database.pgdump"),
                               _libpq_url(app)], capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return "database.pgdump", "pg_dump"
        (dest / "database.pgdump").unlink(missing_ok=True)  # e.g. pg_dump older than the server: dump logically
    with open(dest / "database.jsonl", "w", encoding="utf-8") as out:
        dump.export(app, out)
    return "database.jsonl", "svidok-dump"


# --- verify ----------------------------------------------------------------------------------


def verify(dest: Path, passphrase: str | None = None) -> dict:
    """Every file against the manifest; evidence files against their names; keys if a passphrase is given."""
    dest = Path(dest)
    try:
        manifest = json.loads((dest / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        return {"ok": False, "problems": [f"{dest / MANIFEST}: unreadable ({exc})"]}
    problems = []
    if manifest.get("format") != FORMAT:
        problems.append(f"{MANIFEST}: not a {FORMAT} manifest")
    files = manifest.get("files", {})
    for rel, want in sorted(files.items()):
        path = dest / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
            continue
        sha, size = _sha256(path)
        if size != want["size"] or sha != want["sha256"]:
            problems.append(f"{rel}: changed (manifest {want['sha256'][:12]}…, {want['size']} bytes; "
                            f"file {sha[:12]}…, {size} bytes)")
        elif rel.startswith("evidence/") and rel.split("/", 1)[1] != sha:
            problems.append(f"{rel}: its content hashes to {sha}, not to its name")
    for path in sorted(p for p in dest.rglob("*") if p.is_file()):
        rel = path.relative_to(dest).as_posix()
        if rel != MANIFEST and rel not in files:
            problems.append(f"{rel}: not in the manifest")
    if passphrase is not None and (dest / KEYS).is_file():
        try:
            _open_keys((dest / KEYS).read_bytes(), passphrase)
        except ValidationFailed as exc:
            problems.append(f"{KEYS}: {exc.errors[0].reason}")
    return {"ok": not problems, "problems": problems, "files": len(files), "created_at": manifest.get("created_at"),
            "engine": manifest.get("engine"), "tree_head": manifest.get("tree_head")}


# --- restore ---------------------------------------------------------------------------------


def restore(app: Svidok, dest: Path, passphrase: str) -> dict:
    """Put a verified backup back into a fresh data directory and an empty database."""
    dest = Path(dest)
    checked = verify(dest, passphrase)
    if not checked["ok"]:
        raise ValidationFailed([FieldError("backup", p) for p in checked["problems"]])
    manifest = json.loads((dest / MANIFEST).read_text())
    keys = _open_keys((dest / KEYS).read_bytes(), passphrase)
    _require_fresh(app)
    if "SVIDOK_FIELD_KEY" in keys and "field-keys.json" not in keys:
        # The source installation took its keyring from the environment: it becomes the key file here.
        keys["field-keys.json"] = Keyring.load(None, keys.pop("SVIDOK_FIELD_KEY").decode()).to_json().encode()
    for name, path in _key_files(app).items():
        if name in keys:
            if path.exists() and path.read_bytes() != keys[name]:
                raise Conflict(M_("%(path)s exists and differs from the backup's key: move it away first", path=path))
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(keys[name])
    app.reload_keyring()
    _restore_database(app, dest, manifest["database"])
    store = evidence_store(app)
    for rel in manifest["files"]:
        if rel.startswith("evidence/"):
            store.put_file(dest / rel, expected_sha256=rel.split("/", 1)[1])
    from .integrity import verify as verify_installation  # after the restore: the same checks as `svidok verify`

    report = verify_installation(app, heads=[("the backup's manifest", SignedTreeHead.from_dict(manifest["tree_head"]))])
    return {"restored": str(dest), "database": manifest["database"]["method"],
            "evidence_files": sum(1 for f in manifest["files"] if f.startswith("evidence/")),
            "verify_ok": report.ok, "problems": report.problems, "warnings": report.warnings}


def _require_fresh(app: Svidok) -> None:
    migrate.upgrade(app.db.engine)
    with app.db.session() as s:
        entries = s.scalar(select(func.count()).select_from(LedgerEntry))
    if entries:
        raise Conflict(M_("the database already holds records (%(entries)s ledger entries): restore into a fresh data directory and an empty database", entries=entries))


def _restore_database(app: Svidok, dest: Path, db: dict) -> None:
    src = dest / db["file"]
    if db["method"] == "sqlite-online-backup":
        if app.db.dialect != "sqlite":
            raise Conflict(M_("this backup holds a SQLite database; restore it with a SQLite database URL"))
        app.db.dispose()
        target = sqlite3.connect(app.db.engine.url.database)
        source = sqlite3.connect(f"file:{src}?mode=ro&immutable=1", uri=True)  # leaves the backup untouched
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    elif db["method"] == "pg_dump":
        if app.db.dialect != "postgresql" or not shutil.which("pg_restore"):
            raise Conflict(M_("this backup holds a pg_dump archive: restore it into PostgreSQL with pg_restore installed"))
        app.db.dispose()
        done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                               "--dbname", _libpq_url(app), str(src)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise Conflict(M_("pg_restore failed: %(value)s", value=done.stderr.strip()[-500:]))
    else:
        from svidok.core.actors import SYSTEM

        with open(src, encoding="utf-8") as fh:
            dump.import_lines(app, SYSTEM, fh)
    app.db.dispose()
    migrate.upgrade(app.db.engine)
