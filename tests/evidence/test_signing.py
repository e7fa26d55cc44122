"""Installation key and signed tree heads, including the openssl command documented for recipients."""

import dataclasses
import os
import shutil
import subprocess

import pytest

from svidok.evidence.signing import (
    SignatureError,
    key_id,
    key_path,
    load_or_create_key,
    load_public_key,
    public_key_pem,
    sign_tree_head,
    verify_tree_head,
)


def test_key_is_created_once_owner_only_and_reloaded(tmp_path):
    k1 = load_or_create_key(tmp_path)
    assert key_path(tmp_path).stat().st_mode & 0o777 == 0o600
    k2 = load_or_create_key(tmp_path)
    assert public_key_pem(k1) == public_key_pem(k2)
    assert public_key_pem(k1).startswith(b"-----BEGIN PUBLIC KEY-----")


def test_signed_tree_head_verifies_and_forgeries_are_named(tmp_path):
    key = load_or_create_key(tmp_path / "a")
    pub = load_public_key(public_key_pem(key))
    sth = sign_tree_head(key, 42, bytes(range(32)))
    verify_tree_head(sth, pub)
    forged = dataclasses.replace(sth, tree_size=41)
    with pytest.raises(SignatureError, match="does not verify \\(tree_size=41"):
        verify_tree_head(forged, pub)
    other = load_or_create_key(tmp_path / "b")
    with pytest.raises(SignatureError, match=f"signed by key {key_id(key)}, not by the given key"):
        verify_tree_head(sth, load_public_key(public_key_pem(other)))


def test_unusable_key_file_is_named(tmp_path):
    path = key_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage")
    with pytest.raises(SignatureError, match="not a usable private key"):
        load_or_create_key(tmp_path)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_openssl_verifies_the_signed_bytes(tmp_path):
    key = load_or_create_key(tmp_path)
    sth = sign_tree_head(key, 7, os.urandom(32))
    (tmp_path / "pub.pem").write_bytes(public_key_pem(key))
    (tmp_path / "head.json").write_bytes(sth.signed_bytes())
    import base64

    (tmp_path / "head.sig").write_bytes(base64.b64decode(sth.signature))
    cmd = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "head.json",
           "-sigfile", "head.sig"]
    ok = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    (tmp_path / "head.json").write_bytes(sth.signed_bytes().replace(b'"tree_size":7', b'"tree_size":8'))
    bad = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode != 0
