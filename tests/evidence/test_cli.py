"""The evidence commands as an administrator types them: add, seal, verify, bundle, key."""

import os

import pytest
from typer.testing import CliRunner

from svidok.cli.main import app as cli
from svidok.config import get_settings

from .conftest import jpeg_bytes, synthetic_photo

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SVIDOK_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def invoke(*args):
    result = runner.invoke(cli, [str(a) for a in args])
    result.text = " ".join(result.output.split())  # rich wraps long lines at the terminal width
    return result


def test_add_seal_verify_bundle_round_trip(data_dir, tmp_path):
    assert invoke("init").exit_code == 0
    photo = tmp_path / "strike.jpg"
    photo.write_bytes(jpeg_bytes(synthetic_photo(seed=5)))
    r = invoke("evidence", "add", photo, "--acquired-by", "documenter1", "--method", "camera",
               "--acquired-at", "2022-08-14T10:20", "--purpose", "field documentation")
    assert r.exit_code == 0, r.output
    assert "Evidence 1 stored" in r.text and "no EXIF metadata" in r.text

    r = invoke("evidence", "add", photo, "--sha256", "00" * 32)
    assert r.exit_code == 1 and "hash mismatch: declared sha256 " + "00" * 32 in r.text
    r = invoke("evidence", "add", photo, "--acquired-at", "yesterday")
    assert r.exit_code == 1 and "acquired_at: 'yesterday' is not an ISO date/time" in r.text

    r = invoke("evidence", "get", 1, "-o", tmp_path / "copy.jpg", "--purpose", "court copy")
    assert r.exit_code == 0 and "(checked)" in r.text and (tmp_path / "copy.jpg").read_bytes() == photo.read_bytes()

    r = invoke("seal")
    assert r.exit_code == 0 and "new tree head" in r.text
    r = invoke("verify")
    assert r.exit_code == 0 and "everything matches" in r.text, r.output

    r = invoke("key", "export", "-o", tmp_path / "pub.pem")
    assert r.exit_code == 0 and (tmp_path / "pub.pem").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    r = invoke("bundle", "create", "--evidence", 1, "-o", tmp_path / "b.tar", "--purpose", "prosecutor")
    assert r.exit_code == 0, r.output
    r = invoke("bundle", "verify", tmp_path / "b.tar", "--public-key", tmp_path / "pub.pem")
    assert r.exit_code == 0 and "BUNDLE VERIFIED" in r.text, r.output

    data = bytearray((tmp_path / "b.tar").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "b.tar").write_bytes(data)
    r = invoke("bundle", "verify", tmp_path / "b.tar", "--public-key", tmp_path / "pub.pem")
    assert r.exit_code == 1 and "BUNDLE FAILED VERIFICATION" in r.text

    blob = next((data_dir / "evidence" / "objects").glob("*/*/*"))
    os.chmod(blob, 0o644)
    blob.write_bytes(blob.read_bytes()[:-1])
    r = invoke("verify")
    assert r.exit_code == 1 and f"evidence item 1, file {blob.name}: size changed" in r.text


def test_a_bundle_can_be_made_as_a_named_user(data_dir, tmp_path):
    assert invoke("init").exit_code == 0
    photo = tmp_path / "strike.jpg"
    photo.write_bytes(jpeg_bytes(synthetic_photo(seed=6)))
    assert invoke("evidence", "add", photo, "--confidentiality", "strictly_confidential").exit_code == 0
    r = runner.invoke(cli, ["user", "add", "field1", "--role", "investigator"], input="correct horse battery\n" * 2)
    assert r.exit_code == 0, r.output
    r = invoke("bundle", "create", "--evidence", 1, "-o", tmp_path / "b.tar", "--purpose", "prosecutor", "--as", "field1")
    assert r.exit_code == 1 and "no evidence items you may see" in r.text and not (tmp_path / "b.tar").exists()
    r = invoke("bundle", "create", "--evidence", 1, "-o", tmp_path / "b.tar", "--purpose", "prosecutor")
    assert r.exit_code == 0, r.output


def test_near_duplicates_command_finds_a_still_of_a_clip(data_dir, tmp_path):
    import json
    import shutil
    import subprocess

    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed")
    assert invoke("init").exit_code == 0
    clip, still = tmp_path / "clip.mp4", tmp_path / "still.png"
    run = ["ffmpeg", "-y", "-nostdin", "-loglevel", "error"]
    subprocess.run([*run, "-f", "lavfi", "-t", "1", "-i", "testsrc=size=320x240:rate=10", "-f", "lavfi", "-t", "1",
                    "-i", "smptebars=size=320x240:rate=10", "-filter_complex", "[0][1]concat=n=2:v=1:a=0",
                    "-pix_fmt", "yuv420p", str(clip)], check=True, timeout=60)
    subprocess.run([*run, "-ss", "1.5", "-i", str(clip), "-frames:v", "1", "-vf", "scale=200:-2", str(still)],
                   check=True, timeout=60)
    photo = tmp_path / "other.jpg"
    photo.write_bytes(jpeg_bytes(synthetic_photo(seed=5)))
    for f in (clip, still, photo):
        assert invoke("evidence", "add", f).exit_code == 0
    r = invoke("evidence", "near-duplicates", 1)
    assert r.exit_code == 0, r.output
    hits = json.loads(r.output)
    assert [(h["evidence_id"], h["media_type"]) for h in hits] == [(2, "image/png")]
    assert [(f["t"], f["other_t"]) for f in hits[0]["frames"]] == [(1.0, None)]
