"""Metadata on ingest: EXIF time, GPS and device; ffprobe for video; pypdf for PDF."""

import shutil
import subprocess
import wave

import pytest
from PIL import Image

from svidok.evidence import media_metadata
from svidok.evidence.media_metadata import FFPROBE_MISSING, extract_metadata

from .conftest import jpeg_bytes, minimal_pdf, synthetic_photo


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SynthCam"
    exif[0x0110] = "Model X1"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2022:03:09 14:21:05"
    sub[0x9011] = "+02:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (47.0, 5.0, 48.0)
    gps[3], gps[4] = "E", (37.0, 32.0, 24.0)
    return exif


def test_image_capture_time_gps_and_device(tmp_path):
    path = tmp_path / "p.jpg"
    path.write_bytes(jpeg_bytes(synthetic_photo(), exif=exif_with_gps()))
    meta = extract_metadata(path, "image/jpeg")
    assert meta["capture_time"] == "2022-03-09T14:21:05+02:00"
    assert meta["gps"] == {"lat": pytest.approx(47.0966667), "lon": pytest.approx(37.54)}
    assert meta["device"] == {"make": "SynthCam", "model": "Model X1"}
    assert meta["image"]["width"] == 800 and meta["problems"] == []


def test_image_without_exif_says_so(tmp_path):
    path = tmp_path / "p.png"
    synthetic_photo().save(path)
    meta = extract_metadata(path, "image/png")
    assert "capture_time" not in meta
    assert meta["problems"] == ["no EXIF metadata (capture time, position and device unknown)"]


def test_truncated_image_is_reported(tmp_path):
    data = jpeg_bytes(synthetic_photo(), exif=exif_with_gps())
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    meta = extract_metadata(path, "image/jpeg")
    assert any("truncated" in p for p in meta["problems"])
    assert meta["capture_time"] == "2022-03-09T14:21:05+02:00"  # the header survived


def test_pdf_pages_and_text(tmp_path):
    path = tmp_path / "d.pdf"
    path.write_bytes(minimal_pdf(["Witness statement page one", "Second page of the report"]))
    meta = extract_metadata(path, "application/pdf")
    assert meta["pages"] == 2
    assert "Witness statement page one" in meta["text"] and "Second page" in meta["text"]


def test_broken_pdf_is_reported(tmp_path):
    path = tmp_path / "d.pdf"
    path.write_bytes(b"%PDF-1.4\nnot really a pdf")
    meta = extract_metadata(path, "application/pdf")
    assert "pages" not in meta and meta["problems"][0].startswith("not a readable PDF")


def make_wav(path, seconds=1.5, rate=8000):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(seconds * rate))


def test_without_ffprobe_the_gap_is_stated(tmp_path, monkeypatch):
    monkeypatch.setattr(media_metadata.shutil, "which", lambda name: None)
    make_wav(tmp_path / "a.wav")
    meta = extract_metadata(tmp_path / "a.wav", "audio/wav")
    assert FFPROBE_MISSING in meta["problems"]
    assert meta["duration_s"] == 1.5  # the standard library still reads WAV
    video = extract_metadata(tmp_path / "a.wav", "video/mp4")
    assert video["problems"] == [FFPROBE_MISSING] and "duration_s" not in video


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the Debian package ffmpeg")
def test_video_duration_creation_time_codec_with_ffprobe(tmp_path):
    path = tmp_path / "v.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=160x120:rate=10",
         "-metadata", "creation_time=2022-04-02T08:30:00Z", "-metadata", "location=+50.4501+030.5234/",
         "-c:v", "mpeg4", str(path)],
        check=True,
    )
    meta = extract_metadata(path, "video/mp4")
    assert meta["extractor"] == "ffprobe"
    assert meta["duration_s"] == pytest.approx(2.0, abs=0.2)
    assert meta["creation_time"].startswith("2022-04-02T08:30:00")
    assert meta["streams"][0]["codec"] == "mpeg4" and meta["streams"][0]["width"] == 160
    assert meta["gps"] == {"lat": 50.4501, "lon": 30.5234}


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="needs the Debian package ffmpeg")
def test_ffprobe_reports_an_unreadable_video(tmp_path):
    path = tmp_path / "v.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    meta = extract_metadata(path, "video/mp4")
    assert meta["problems"] and meta["problems"][0].startswith("ffprobe could not read the file")
