"""Case bundles: written from the store, verified offline; every kind of tampering is named."""

import ast
import io
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from svidok.domain.ledger import content_hash
from svidok.evidence import bundle_verify
from svidok.evidence.bundle_format import BundleError, BundleItem, LedgerRecord, write_bundle
from svidok.evidence.bundle_verify import verify_bundle
from svidok.evidence.merkle import MerkleTree
from svidok.evidence.signing import load_or_create_key, public_key_pem, sign_tree_head
from svidok.evidence.store import EvidenceStore

from .conftest import jpeg_bytes, minimal_pdf, synthetic_photo
from .ledger_fixture import build_ledger


@pytest.fixture
def case(tmp_path):
    """Two evidence items in a store, their ingest and custody entries in a ledger, a sealed head."""
    store = EvidenceStore(tmp_path / "evidence")
    photo = store.put_stream(io.BytesIO(jpeg_bytes(synthetic_photo())), original_name="strike.jpg")
    pdf = store.put_stream(io.BytesIO(minimal_pdf(["Medical report"])), original_name="report.pdf")
    ingest = [
        {"sha256": b.sha256, "size": b.size, "media_type": b.media_type, "original_name": n}
        for b, n in ((photo, "strike.jpg"), (pdf, "report.pdf"))
    ]
    custody = {"action": "transfer", "actor": "verifier2", "purpose": "geolocation", "sha256_seen": photo.sha256}
    contents = [("incident.create", "incident", 1, {"title": "synthetic shelling"})]
    contents += [("evidence.ingest", "evidence_item", i + 1, c) for i, c in enumerate(ingest)]
    contents += [("custody.transfer", "custody_event", 1, custody)]
    contents += [("incident.update", "incident", 1, {"title": f"edit {i}"}) for i in range(7)]
    entries = build_ledger(contents)
    tree = MerkleTree(bytes.fromhex(e["entry_hash"]) for e in entries)
    key = load_or_create_key(tmp_path / "data")
    head = sign_tree_head(key, tree.size, tree.root())
    items = [
        BundleItem("E-1", photo.sha256, photo.size, photo.media_type, photo.path, "strike.jpg",
                   acquisition={"acquired_by": "documenter1", "method": "camera"},
                   metadata={"capture_time": "2022-03-09T14:21:05"}, custody_events=[custody],
                   qualifications=[{"instrument": "rome_statute", "provision": "8(2)(b)(i)"}],
                   ledger=[LedgerRecord(1, entries[1], ingest[0]), LedgerRecord(3, entries[3], custody)]),
        BundleItem("E-2", pdf.sha256, pdf.size, pdf.media_type, pdf.path, "report.pdf",
                   ledger=[LedgerRecord(2, entries[2], ingest[1])]),
    ]
    out = tmp_path / "case.tar"
    summary = write_bundle(out, items, tree, head, key, selection={"incident": 1})
    return {"out": out, "pem": public_key_pem(key), "summary": summary, "items": items, "tree": tree,
            "head": head, "key": key, "tmp": tmp_path, "entries": entries}


def problems(path, pem):
    return verify_bundle(path, pem).problems


def test_fresh_bundle_verifies(case):
    report = verify_bundle(case["out"], case["pem"])
    assert report.ok, report.text()
    assert report.items_checked == 2 and report.tree_size == 11
    assert report.text().endswith("BUNDLE VERIFIED")
    names = tarfile.open(case["out"]).getnames()
    assert names[:2] == ["svidok-bundle/README.txt", "svidok-bundle/manifest.json"]
    assert f"svidok-bundle/files/{case['items'][0].sha256}.jpg" in names


def test_any_changed_byte_is_detected(case):
    data = case["out"].read_bytes()
    # A byte inside the photo, the manifest, a tar header, the padding and the trailing zeros.
    tf = tarfile.open(case["out"])
    photo = next(m for m in tf.getmembers() if m.name.endswith(".jpg"))
    manifest = tf.getmember("svidok-bundle/manifest.json")
    spots = {
        "photo content": photo.offset_data + 100,
        "manifest": manifest.offset_data + 50,
        "tar header mtime": photo.offset + 140,
        "padding": photo.offset_data + photo.size + 1 if photo.size % 512 else None,
        "end of archive": len(data) - 10,
    }
    for what, pos in spots.items():
        if pos is None:
            continue
        changed = bytearray(data)
        changed[pos] ^= 0x01
        path = case["tmp"] / "changed.tar"
        path.write_bytes(changed)
        found = problems(path, case["pem"])
        assert found, f"a changed byte in the {what} went unnoticed"
    # Every position in the first 3 KiB (README and manifest headers) is covered too.
    for pos in range(0, 3072, 97):
        changed = bytearray(data)
        changed[pos] ^= 0x20
        path = case["tmp"] / "changed.tar"
        path.write_bytes(changed)
        assert problems(path, case["pem"]), f"byte {pos} changed without notice"


def test_changed_evidence_file_is_named(case):
    tf = tarfile.open(case["out"])
    photo = next(m for m in tf.getmembers() if m.name.endswith(".jpg"))
    data = bytearray(case["out"].read_bytes())
    data[photo.offset_data + 2000] ^= 0xFF
    case["out"].write_bytes(data)
    found = problems(case["out"], case["pem"])
    assert f"files/{case['items'][0].sha256}.jpg: content changed (SHA-256 differs from SHA256SUMS)" in found


def rewrite(case, change):
    """Re-pack the bundle after ``change(files)`` edits member bytes (keeps canonical headers)."""
    src = tarfile.open(case["out"])
    files = {m.name.split("/", 1)[1]: src.extractfile(m).read() for m in src.getmembers()}
    change(files)
    out = case["tmp"] / "rewritten.tar"
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(f"svidok-bundle/{name}")
            info.size, info.mtime, info.mode, info.uname, info.gname = len(data), 0, 0o444, "", ""
            tf.addfile(info, io.BytesIO(data))
    return out


def test_forged_manifest_signature_is_named(case):
    def change(files):
        m = json.loads(files["manifest.json"])
        m["items"][0]["qualifications"] = [{"provision": "7(1)(a)"}]
        files["manifest.json"] = json.dumps(m).encode()

    found = problems(rewrite(case, change), case["pem"])
    assert any(p.startswith("manifest.sig: signature of manifest.json does not verify") for p in found)


def test_wrong_key_is_refused(case, tmp_path):
    other = public_key_pem(load_or_create_key(tmp_path / "other"))
    found = problems(case["out"], other)
    assert any("manifest.sig: signature of manifest.json does not verify" in p for p in found)
    assert "tree_head.sig: signature of the tree head does not verify" in found


def test_forged_tree_head_is_named(case):
    def change(files):
        head = json.loads(files["tree_head.json"])
        head["tree_size"] = 10
        files["tree_head.json"] = json.dumps(head, sort_keys=True, separators=(",", ":")).encode()

    found = problems(rewrite(case, change), case["pem"])
    assert "tree_head.sig: signature of the tree head does not verify" in found


def test_bad_inclusion_proof_is_named_even_if_resigned(case):
    """An insider with the key re-signs a manifest whose proof was altered: the proof still fails."""
    key = case["key"]

    def change(files):
        m = json.loads(files["manifest.json"])
        proof = m["items"][1]["ledger"][0]["inclusion_proof"]
        proof[0] = "00" * 32
        files["manifest.json"] = json.dumps(m).encode()
        files["manifest.sig"] = key.sign(files["manifest.json"])

    found = problems(rewrite(case, change), case["pem"])
    assert any("item 2 (E-2" in p and "inclusion proof does not lead to the signed root" in p for p in found)
    assert any("item 2 (E-2" in p and "no ledger entry in the signed tree head records this file" in p for p in found)


def test_malformed_signed_manifest_is_reported_not_crashed(case):
    key = case["key"]

    def change(files):
        m = json.loads(files["manifest.json"])
        m["items"][0]["ledger"][0]["leaf_index"] = "one"
        m["items"][1] = "not an item"
        files["manifest.json"] = json.dumps(m).encode()
        files["manifest.sig"] = key.sign(files["manifest.json"])

    found = problems(rewrite(case, change), case["pem"])
    assert any(p.startswith("item 1: malformed entry in manifest.json (TypeError") for p in found), found
    assert any(p.startswith("item 2: malformed entry in manifest.json (AttributeError") for p in found), found


def test_not_a_bundle_is_named(tmp_path):
    path = tmp_path / "x.tar"
    path.write_bytes(b"hello")
    assert verify_bundle(path).problems[0].startswith(f"{path}: not a readable bundle archive")


def test_refuses_to_export_a_changed_store_file_and_leaves_nothing(case):
    item = case["items"][1]
    item.source.chmod(0o644)
    data = bytearray(item.source.read_bytes())
    data[20] ^= 1
    item.source.write_bytes(data)
    out = case["tmp"] / "second.tar"
    with pytest.raises(BundleError, match="E-2: stored file no longer matches its SHA-256"):
        write_bundle(out, case["items"], case["tree"], case["head"], case["key"])
    assert not out.exists() and not list(case["tmp"].glob(".second.tar.*"))


def test_refuses_entries_newer_than_the_tree_head(case):
    head = sign_tree_head(case["key"], 2, case["tree"].root(2))
    with pytest.raises(BundleError, match="E-1: ledger entry seq 4 is newer than the tree head \\(size 2\\)"):
        write_bundle(case["tmp"] / "x.tar", case["items"], case["tree"], head, case["key"])


def _modules(nodes) -> set[str]:
    out = {(n.module or "").split(".")[0] for n in nodes if isinstance(n, ast.ImportFrom)}
    return out | {a.name.split(".")[0] for n in nodes if isinstance(n, ast.Import) for a in n.names}


def test_verifier_is_standalone_stdlib_plus_cryptography():
    """Only the standard library and cryptography are needed; rfc3161-client is used when present
    (an import guarded by ``except ImportError``), else token signatures are left to openssl."""
    tree = ast.parse(Path(bundle_verify.__file__).read_text())
    guarded = {id(n) for t in ast.walk(tree) if isinstance(t, ast.Try)
               and any(isinstance(h.type, ast.Name) and h.type.id == "ImportError" for h in t.handlers)
               for b in t.body for n in ast.walk(b)}
    required = _modules([n for n in ast.walk(tree) if id(n) not in guarded])
    allowed = set(sys.stdlib_module_names) | {"cryptography", "__future__"}
    assert required <= allowed, required - allowed
    assert _modules([n for n in ast.walk(tree) if id(n) in guarded]) <= allowed | {"rfc3161_client"}


def test_standard_tools_verify_the_extracted_bundle(case, tmp_path):
    """The README's commands: openssl for signatures, sha256sum for files, the shipped script for proofs."""
    if not (shutil.which("openssl") and shutil.which("sha256sum")):
        pytest.skip("needs openssl and sha256sum")
    dest = tmp_path / "x"
    dest.mkdir()
    subprocess.run(["tar", "-xf", str(case["out"]), "-C", str(dest)], check=True)
    d = dest / "svidok-bundle"
    (tmp_path / "sender.pem").write_bytes(case["pem"])
    for signed, sig in (("manifest.json", "manifest.sig"), ("tree_head.json", "tree_head.sig")):
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "sender.pem"),
                            "-rawin", "-in", signed, "-sigfile", sig], cwd=d, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    assert subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=d).returncode == 0
    manifest = json.loads((d / "manifest.json").read_text())
    sums = subprocess.run(["sha256sum", "SHA256SUMS"], cwd=d, capture_output=True, text=True).stdout.split()[0]
    assert sums == manifest["sha256sums"]
    kid = subprocess.run("openssl pkey -pubin -in public_key.pem -outform DER | tail -c 32 | sha256sum",
                         shell=True, cwd=d, capture_output=True, text=True).stdout.split()[0]
    assert kid == manifest["key_id"]
    r = subprocess.run([sys.executable, "verify_bundle.py", str(case["out"]), "--public-key",
                        str(tmp_path / "sender.pem")], cwd=d, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip().endswith("BUNDLE VERIFIED"), r.stdout + r.stderr


def test_the_documented_python_snippet_checks_a_proof(case):
    """docs/bundle-format.md carries a snippet; run it as a recipient would."""
    doc = Path(__file__).parents[2] / "docs" / "bundle-format.md"
    text = doc.read_text()
    snippet = text.split("```python\n", 1)[1].split("```", 1)[0]
    ns: dict = {}
    exec(compile(snippet, "snippet", "exec"), ns)
    manifest = json.loads(tarfile.open(case["out"]).extractfile("svidok-bundle/manifest.json").read())
    head = json.loads(tarfile.open(case["out"]).extractfile("svidok-bundle/tree_head.json").read())
    sig = tarfile.open(case["out"]).extractfile("svidok-bundle/tree_head.sig").read()
    assert ns["check_item"](manifest["items"][0], head)
    assert ns["check_tree_head"](head, sig, case["pem"])
    manifest["items"][0]["ledger"][0]["content"]["size"] += 1
    assert not ns["check_item"](manifest["items"][0], head)


def test_verifier_hash_rules_match_the_domain():
    e = build_ledger([("evidence.ingest", "evidence_item", 1, {"sha256": "ab" * 32, "name": "фото.jpg"})])[0]
    assert bundle_verify.entry_hash(e) == e["entry_hash"]
    assert bundle_verify.content_hash({"name": "фото.jpg", "n": 1}) == content_hash({"name": "фото.jpg", "n": 1})
