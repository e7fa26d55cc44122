"""Video keyframes, PDQ hashes, contact sheets and near-duplicates across photos and videos."""

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from svidok.core.actors import Actor
from svidok.core.errors import NotFound
from svidok.evidence.keyframes import KeyframeError, contact_sheet, keyframe_hashes, keyframes
from svidok.evidence.near_duplicates import NearDuplicateIndex, pack
from svidok.services import evidence, evidence_similar

from .test_service import ADMIN, new_incident

pytestmark = pytest.mark.skipif(subprocess.run(["which", "ffmpeg"], capture_output=True).returncode != 0,
                                reason="ffmpeg not installed")


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-y", "-nostdin", "-loglevel", "error", *args], check=True, timeout=120)


def concat(out: Path, sources: list[str], size: str = "320x240") -> Path:
    """Two seconds of each lavfi source, cut hard one after the other (scene changes at 2 s, 4 s, …)."""
    inputs = []
    for src in sources:
        opts = f"size={size}:rate=10"
        inputs += ["-f", "lavfi", "-t", "2", "-i", f"{src}:{opts}" if "=" in src else f"{src}={opts}"]
    chain = "".join(f"[{i}]" for i in range(len(sources))) + f"concat=n={len(sources)}:v=1:a=0"
    ffmpeg(*inputs, "-filter_complex", chain, "-pix_fmt", "yuv420p", "-c:v", "libx264", str(out))
    return out


@pytest.fixture(scope="module")
def videos(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("videos")
    original = concat(d / "original.mp4", ["testsrc", "smptebars", "color=c=blue", "mandelbrot"])
    repost = d / "repost.mp4"  # 1 % cropped off each side, scaled down, recompressed hard
    ffmpeg("-i", str(original), "-vf", "crop=iw*0.98:ih*0.98,scale=256:-2", "-c:v", "libx264", "-crf", "30",
           str(repost))
    unrelated = concat(d / "unrelated.mp4", ["rgbtestsrc", "color=c=red", "life=ratio=0.5:seed=4:mold=10:mold_color=green",
                                             "testsrc2"])
    return {"original": original, "repost": repost, "unrelated": unrelated}


def test_keyframes_at_scene_changes_with_times_and_hashes(videos, tmp_path):
    frames = keyframe_hashes(videos["original"])
    assert [t for t, _, _ in frames] == [0.0, 2.0, 4.0, 6.0]  # first frame + each hard cut
    assert all(len(h) == 64 and int(h, 16) >= 0 for _, h, _ in frames)
    qualities = [q for _, _, q in frames]
    assert qualities[2] < 50 < min(qualities[:2] + qualities[3:])  # the flat blue scene is low quality
    assert len(keyframe_hashes(videos["original"], max_frames=2)) == 2


def test_contact_sheet_tiles_the_keyframes(videos, tmp_path):
    frames = keyframes(videos["original"], tmp_path)
    sheet = Image.open(io.BytesIO(contact_sheet(frames, columns=2, thumb_width=160)))
    assert sheet.format == "PNG" and sheet.width == 320
    assert sheet.height >= 2 * 120  # two rows of 160x120 thumbnails, plus captions
    blue = np.asarray(sheet.convert("RGB"))[sheet.height // 2 + 40, 40]  # third tile (row 2, col 1) is the blue scene
    assert blue[2] > 150 and blue[0] < 80


def test_not_a_video_is_a_clear_error(tmp_path):
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"not a video at all" * 100)
    with pytest.raises(KeyframeError, match="clip.mp4: no frames read by ffmpeg"):
        keyframe_hashes(bad)


def test_index_finds_hashes_within_distance():
    rng = np.random.default_rng(5)
    hashes = [bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex() for _ in range(1000)]
    index: NearDuplicateIndex[int] = NearDuplicateIndex(256)
    for i, h in enumerate(hashes):
        index.add(i, h)
    near = f"{int(hashes[7], 16) ^ 0b1011:064x}"  # 3 bits flipped
    assert index.query(near, 10) == [(7, 3)]
    assert [(k, d) for k, d in index.query(hashes[9], 0)] == [(9, 0)]
    # brute force as the yardstick
    q = int(hashes[3], 16)
    expected = sorted(d for d in ((q ^ int(h, 16)).bit_count() for h in hashes) if d <= 120)
    assert sorted(d for _, d in index.query(hashes[3], 120)) == expected
    with pytest.raises(ValueError, match="has 64 bits, the index holds 256-bit hashes"):
        index.add(1, "ab" * 8)
    assert pack(hashes[:2], 256).shape == (2, 4)


def ingest_file(app, path: Path, incident_id: int, **kw) -> dict:
    return evidence.ingest(app, ADMIN, io.BytesIO(path.read_bytes()), original_name=path.name,
                           incident_id=incident_id, acquired_by="documenter1", acquisition_method="download", **kw)


def test_reposted_clip_and_still_are_near_duplicates_unrelated_is_not(app, videos, tmp_path):
    inc = new_incident(app)
    original = ingest_file(app, videos["original"], inc)
    assert original["media_type"].startswith("video/")
    assert [k["t"] for k in original["extracted"]["keyframes"]] == [0.0, 2.0, 4.0, 6.0]
    repost = ingest_file(app, videos["repost"], inc)
    unrelated = ingest_file(app, videos["unrelated"], inc)
    still = tmp_path / "still.png"  # a screenshot of the smptebars scene posted as a photo
    ffmpeg("-ss", "3", "-i", str(videos["original"]), "-frames:v", "1", "-vf", "scale=300:-2", str(still))
    photo = ingest_file(app, still, inc)
    assert len(photo["extracted"]["pdq"]) == 64

    hits = evidence_similar.near_duplicates(app, ADMIN, original["id"])
    by_id = {h["evidence_id"]: h for h in hits}
    assert set(by_id) == {repost["id"], photo["id"]}  # the unrelated clip, flat red scene included, is not there
    assert {f["t"] for f in by_id[repost["id"]]["frames"]} >= {0.0, 2.0, 6.0}
    assert {(f["t"], f["other_t"]) for f in by_id[photo["id"]]["frames"]} == {(2.0, None)}
    assert all(f["t"] != 4.0 for h in hits for f in h["frames"])  # the flat blue scene never matches
    from_photo = evidence_similar.near_duplicates(app, ADMIN, photo["id"])
    assert {h["evidence_id"] for h in from_photo} == {original["id"], repost["id"]}
    assert all(f["other_t"] == 2.0 for h in from_photo for f in h["frames"])
    assert evidence_similar.near_duplicates(app, ADMIN, unrelated["id"]) == []


def test_near_duplicates_honour_need_to_know(app, videos):
    inc = new_incident(app)
    original = ingest_file(app, videos["original"], inc, confidentiality="restricted")
    secret = ingest_file(app, videos["repost"], inc, confidentiality="strictly_confidential")
    investigator = Actor("investigator1", "investigator")
    assert evidence_similar.near_duplicates(app, investigator, original["id"]) == []
    assert [h["evidence_id"] for h in evidence_similar.near_duplicates(app, ADMIN, original["id"])] == [secret["id"]]
    with pytest.raises(NotFound):
        evidence_similar.near_duplicates(app, investigator, secret["id"])


def test_contact_sheet_of_a_stored_video_is_an_access(app, videos):
    from svidok.core.errors import ValidationFailed
    from svidok.services import evidence_video

    inc = new_incident(app)
    clip = ingest_file(app, videos["original"], inc)
    png = evidence_video.contact_sheet(app, ADMIN, clip["id"], purpose="review keyframes")
    sheet = Image.open(io.BytesIO(png))
    assert sheet.format == "PNG" and sheet.width == 4 * 240  # four keyframes in one row
    events = evidence.get(app, ADMIN, clip["id"])["custody_events"]
    assert [(e["action"], e["purpose"]) for e in events][-1] == ("access", "review keyframes")
    with pytest.raises(NotFound):
        evidence_video.contact_sheet(app, Actor("viewer1", "viewer"), clip["id"])
    photo = evidence.ingest(app, ADMIN, io.BytesIO(png), original_name="sheet.png", incident_id=inc,
                            acquired_by="documenter1", acquisition_method="download")
    with pytest.raises(ValidationFailed, match="not a video"):
        evidence_video.contact_sheet(app, ADMIN, photo["id"])


def test_extraction_is_bounded_in_time(videos):
    with pytest.raises(KeyframeError, match="original.mp4: keyframe extraction exceeded 0 s"):
        keyframe_hashes(videos["original"], timeout_s=0.001)


def test_a_broken_video_is_stored_with_the_reason(app, videos, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(videos["original"].read_bytes()[:3000])  # a download cut short
    item = ingest_file(app, broken, new_incident(app))
    assert item["media_type"] == "video/mp4" and "keyframes" not in item["extracted"]
    assert any("no visual hashes" in p and "no frames read by ffmpeg" in p for p in item["extracted"]["problems"])
    assert evidence_similar.near_duplicates(app, ADMIN, item["id"]) == []
