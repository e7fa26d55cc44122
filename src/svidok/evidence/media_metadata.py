"""Metadata extracted from an evidence file on ingest; kept beside the file, never written into it.

Images: EXIF capture time, GPS position, device (Pillow). Video and audio: duration,
creation time, codecs, embedded location (``ffprobe`` from the Debian package ``ffmpeg``;
when it is missing the result says so under ``problems``; WAV duration still comes from
the standard library). PDF: page count, document info and text (pypdf).

Every result is a JSON-ready dict with ``extractor`` (what produced it) and ``problems``
(readable sentences: truncated data, missing tool, unreadable file). Extraction never
raises for a bad file: a damaged file is still evidence and must still be stored.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import wave
from datetime import datetime
from pathlib import Path
from typing import Any

MAX_PDF_TEXT_CHARS = 200_000
FFPROBE_TIMEOUT_S = 60
FFPROBE_MISSING = (
    "ffprobe not found on PATH: duration, creation time and codec were not extracted "
    "(install the Debian package 'ffmpeg')"
)

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_TAG_MAKE, _TAG_MODEL, _TAG_SOFTWARE, _TAG_DATETIME = 0x010F, 0x0110, 0x0131, 0x0132
_TAG_DATETIME_ORIGINAL, _TAG_OFFSET_ORIGINAL = 0x9003, 0x9011
_TAG_BODY_SERIAL, _TAG_LENS_MODEL = 0xA431, 0xA434


def extract_metadata(path: Path | str, media_type: str) -> dict[str, Any]:
    """Metadata of one file by media type; unknown types get only ``problems: []``."""
    path = Path(path)
    if media_type.startswith("image/"):
        return _image_metadata(path)
    if media_type.startswith(("video/", "audio/")):
        return _av_metadata(path, media_type)
    if media_type == "application/pdf":
        return _pdf_metadata(path)
    return {"extractor": None, "problems": []}


# --- images ---------------------------------------------------------------------------


def _image_metadata(path: Path) -> dict[str, Any]:
    from PIL import Image, UnidentifiedImageError

    out: dict[str, Any] = {"extractor": "pillow", "problems": []}
    try:
        with Image.open(path) as img:
            out["image"] = {"format": img.format, "width": img.width, "height": img.height, "mode": img.mode}
            exif = img.getexif()
            try:
                img.load()  # decodes the pixels: a truncated file fails here
            except OSError as exc:
                out["problems"].append(f"image data is damaged or truncated: {exc}")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        out["problems"].append(f"not a readable image: {exc}")
        return out
    if not exif:
        out["problems"].append("no EXIF metadata (capture time, position and device unknown)")
        return out
    sub = exif.get_ifd(_EXIF_IFD)
    device = {
        k: _clean(v)
        for k, v in (
            ("make", exif.get(_TAG_MAKE)),
            ("model", exif.get(_TAG_MODEL)),
            ("software", exif.get(_TAG_SOFTWARE)),
            ("lens", sub.get(_TAG_LENS_MODEL)),
            ("serial", sub.get(_TAG_BODY_SERIAL)),
        )
        if _clean(v)
    }
    if device:
        out["device"] = device
    raw_time = sub.get(_TAG_DATETIME_ORIGINAL) or exif.get(_TAG_DATETIME)
    if raw_time:
        when = _exif_time(str(raw_time), _clean(sub.get(_TAG_OFFSET_ORIGINAL)))
        if when:
            out["capture_time"] = when
        else:
            out["problems"].append(f"EXIF capture time {raw_time!r} is not a valid date")
    gps_ifd = exif.get_ifd(_GPS_IFD)
    if gps_ifd:
        gps, problem = _gps(gps_ifd)
        if gps:
            out["gps"] = gps
        if problem:
            out["problems"].append(problem)
    return out


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", "").strip()
    return text or None


def _exif_time(raw: str, offset: str | None) -> str | None:
    try:
        when = datetime.strptime(raw.strip().replace("\x00", ""), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    iso = when.isoformat()
    # Without an offset tag the camera's clock zone is unknown: say so by leaving it off.
    if offset and re.fullmatch(r"[+-]\d\d:\d\d", offset):
        iso += offset
    return iso


def _gps(ifd: dict) -> tuple[dict[str, float] | None, str | None]:
    try:
        lat = _dms(ifd[2]) * (-1 if str(ifd.get(1, "N")).upper().startswith("S") else 1)
        lon = _dms(ifd[4]) * (-1 if str(ifd.get(3, "E")).upper().startswith("W") else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, "EXIF GPS block present but latitude/longitude unreadable"
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, f"EXIF GPS position out of range: {lat}, {lon}"
    gps = {"lat": round(lat, 7), "lon": round(lon, 7)}
    if 6 in ifd:
        try:
            alt = float(ifd[6])
            gps["alt_m"] = round(-alt if ifd.get(5) in (1, b"\x01") else alt, 2)
        except (TypeError, ValueError, ZeroDivisionError):
            pass
    return gps, None


def _dms(parts: Any) -> float:
    d, m, s = (float(p) for p in parts)
    return d + m / 60 + s / 3600


# --- video and audio -------------------------------------------------------------------


def ffprobe_available() -> bool:
    return shutil.which("ffprobe") is not None


def _av_metadata(path: Path, media_type: str) -> dict[str, Any]:
    if not ffprobe_available():
        out: dict[str, Any] = {"extractor": None, "problems": [FFPROBE_MISSING]}
        if media_type in ("audio/wav", "audio/x-wav"):
            out.update(_wav_metadata(path))
        return out
    out = {"extractor": "ffprobe", "problems": []}
    try:
        proc = subprocess.run(
            ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
            capture_output=True,
            timeout=FFPROBE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        out["problems"].append(f"ffprobe did not finish within {FFPROBE_TIMEOUT_S} s")
        return out
    try:
        probe = json.loads(proc.stdout or b"{}")
    except json.JSONDecodeError:
        probe = {}
    if proc.returncode != 0 or not probe.get("format"):
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        out["problems"].append(f"ffprobe could not read the file: {err[-1] if err else 'no output'}")
        return out
    fmt = probe["format"]
    tags = {k.lower(): v for k, v in (fmt.get("tags") or {}).items()}
    if fmt.get("duration") not in (None, "N/A"):
        out["duration_s"] = round(float(fmt["duration"]), 3)
    out["container"] = fmt.get("format_name")
    if tags.get("creation_time"):
        out["creation_time"] = tags["creation_time"]
    location = tags.get("location") or tags.get("com.apple.quicktime.location.iso6709")
    if location:
        point = _iso6709(location)
        if point:
            out["gps"] = point
    device = {k: tags[t] for k, t in (("make", "com.apple.quicktime.make"), ("model", "com.apple.quicktime.model"),
                                      ("encoder", "encoder")) if tags.get(t)}
    if device:
        out["device"] = device
    streams = []
    for s in probe.get("streams", []):
        entry = {"type": s.get("codec_type"), "codec": s.get("codec_name")}
        if s.get("codec_type") == "video":
            entry.update(width=s.get("width"), height=s.get("height"), frame_rate=s.get("avg_frame_rate"))
        elif s.get("codec_type") == "audio":
            entry.update(sample_rate=s.get("sample_rate"), channels=s.get("channels"))
        streams.append({k: v for k, v in entry.items() if v is not None})
    out["streams"] = streams
    if not streams:
        out["problems"].append("no audio or video streams found")
    return out


def _iso6709(text: str) -> dict[str, float] | None:
    m = re.match(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?", text.strip())
    if not m:
        return None
    lat, lon = float(m.group(1)), float(m.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    point = {"lat": lat, "lon": lon}
    if m.group(3):
        point["alt_m"] = float(m.group(3))
    return point


def _wav_metadata(path: Path) -> dict[str, Any]:
    try:
        with wave.open(str(path), "rb") as w:
            frames, rate = w.getnframes(), w.getframerate()
            return {
                "extractor": "wave",
                "duration_s": round(frames / rate, 3) if rate else None,
                "streams": [{"type": "audio", "codec": "pcm", "sample_rate": rate, "channels": w.getnchannels()}],
            }
    except (wave.Error, EOFError, OSError) as exc:
        return {"problems": [FFPROBE_MISSING, f"not a readable WAV file: {exc}"]}


# --- PDF -------------------------------------------------------------------------------


def _pdf_metadata(path: Path) -> dict[str, Any]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    out: dict[str, Any] = {"extractor": "pypdf", "problems": []}
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            out["encrypted"] = True
            out["problems"].append("PDF is encrypted: page count and text need the password")
            return out
        out["pages"] = len(reader.pages)
        info = reader.metadata or {}
        doc = {k.lstrip("/").lower(): str(v).replace("\x00", "") for k, v in info.items()
               if isinstance(k, str) and v is not None}
        if doc:
            out["document"] = doc
        chunks, total = [], 0
        for i, page in enumerate(reader.pages):
            try:
                text = page.extract_text() or ""
            except Exception as exc:  # pypdf raises many types on odd pages; keep going
                out["problems"].append(f"page {i + 1}: text not extracted ({exc})")
                continue
            chunks.append(text.replace("\x00", ""))  # PostgreSQL JSON cannot hold NUL
            total += len(text)
            if total >= MAX_PDF_TEXT_CHARS:
                out["problems"].append(f"text cut at {MAX_PDF_TEXT_CHARS} characters (page {i + 1})")
                break
        out["text"] = "\n\f".join(chunks)[:MAX_PDF_TEXT_CHARS]
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        out["problems"].append(f"not a readable PDF: {exc}")
    return out
