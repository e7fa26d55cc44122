"""Keyframes of a video at scene changes, each with a 256-bit PDQ perceptual hash.

ffmpeg picks the first frame and every frame whose scene-change score exceeds a threshold;
frames are scaled down before scoring (decoding dominates, and PDQ works on a 64x64 image
anyway), so a long 1080p clip costs about one decode. PDQ (Meta's photo hash, ``pdqhash``)
gives 64 hex characters and a quality 0-100; re-encoded, rescaled or slightly cropped copies
of a frame usually stay within ``DEFAULT_MAX_DISTANCE`` bits, unrelated frames differ by ~128.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SCENE_THRESHOLD = 0.3
DEFAULT_MAX_FRAMES = 200
DEFAULT_TIMEOUT_S = 1800.0
DEFAULT_MAX_DISTANCE = 48  # of 256 bits; unrelated frames sit near 128 (sd ~8)
SCORING_WIDTH = 480

_PTS = re.compile(r"\bn:\s*(\d+).*?\bpts_time:\s*([-\d.]+)")


class KeyframeError(ValueError):
    """The file could not be read as a video, or extraction took too long."""


@dataclass(frozen=True)
class Keyframe:
    t: float  # seconds from the start
    pdq: str  # 64 hex characters
    quality: int
    png: Path  # a scaled-down copy of the frame, valid while its directory exists


def pdq_hash(image) -> tuple[str, int]:
    """PDQ hash (64 hex characters) and quality of a PIL image."""
    import numpy as np
    import pdqhash

    bits, quality = pdqhash.compute(np.asarray(image.convert("RGB")))
    return np.packbits(bits.astype(np.uint8)).tobytes().hex(), int(quality)


def pdq_file(path: Path | str) -> tuple[str, int]:
    """PDQ hash of an image file (EXIF orientation applied, like ``perceptual.phash``)."""
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        img.draft("RGB", (512, 512))
        return pdq_hash(ImageOps.exif_transpose(img))


def extract_frames(video: Path | str, out_dir: Path, threshold: float = DEFAULT_SCENE_THRESHOLD,
                   max_frames: int = DEFAULT_MAX_FRAMES, timeout_s: float = DEFAULT_TIMEOUT_S) -> list[tuple[float, Path]]:
    """PNGs of the first frame and of scene changes in ``out_dir``: [(seconds, path)], at most ``max_frames``."""
    if shutil.which("ffmpeg") is None:
        raise KeyframeError("ffmpeg is not installed: keyframes need it")
    vf = (f"scale='min({SCORING_WIDTH},iw)':-2,"
          f"select='eq(n\\,0)+gt(scene\\,{threshold})',showinfo")
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "info", "-i", str(video), "-an", "-sn", "-dn",
           "-vf", vf, "-vsync", "vfr", "-frames:v", str(max_frames), str(out_dir / "kf_%05d.png")]
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise KeyframeError(f"{Path(video).name}: keyframe extraction exceeded {timeout_s:.0f} s") from None
    times = [float(m.group(2)) for line in run.stderr.splitlines()
             if "Parsed_showinfo" in line and (m := _PTS.search(line))]
    files = sorted(out_dir.glob("kf_*.png"))
    if run.returncode != 0 or not files:
        tail = " ".join(run.stderr.strip().splitlines()[-2:])[-300:]
        raise KeyframeError(f"{Path(video).name}: no frames read by ffmpeg ({tail})")
    if len(times) < len(files):  # showinfo lines lost: keep order, time unknown rather than wrong
        times += [float("nan")] * (len(files) - len(times))
    return list(zip(times, files, strict=False))


def keyframes(video: Path | str, out_dir: Path, **kwargs) -> list[Keyframe]:
    """Keyframes of ``video`` written into ``out_dir``, each hashed with PDQ."""
    from PIL import Image

    out = []
    for t, png in extract_frames(video, out_dir, **kwargs):
        with Image.open(png) as img:
            h, q = pdq_hash(img)
        out.append(Keyframe(round(t, 3), h, q, png))
    return out


def keyframe_hashes(video: Path | str, **kwargs) -> list[tuple[float, str, int]]:
    """[(timestamp_seconds, pdq_hex, quality)] of ``video``; the frames are not kept."""
    with tempfile.TemporaryDirectory(prefix="svidok-kf-") as tmp:
        return [(k.t, k.pdq, k.quality) for k in keyframes(video, Path(tmp), **kwargs)]


def contact_sheet(frames: list[Keyframe], columns: int = 4, thumb_width: int = 240) -> bytes:
    """One PNG tiling the keyframes, each captioned with its time (h:mm:ss.s)."""
    import io

    from PIL import Image, ImageDraw

    if not frames:
        raise KeyframeError("no keyframes to lay out")
    thumbs = []
    for k in frames:
        with Image.open(k.png) as img:
            img = img.convert("RGB")
            img.thumbnail((thumb_width, thumb_width * 4))
            thumbs.append(img.copy())
    caption = 16
    cell_h = max(t.height for t in thumbs) + caption
    rows = -(-len(thumbs) // columns)
    sheet = Image.new("RGB", (columns * thumb_width, rows * cell_h), "white")
    draw = ImageDraw.Draw(sheet)
    for i, (k, thumb) in enumerate(zip(frames, thumbs, strict=True)):
        x, y = (i % columns) * thumb_width, (i // columns) * cell_h
        sheet.paste(thumb, (x, y))
        draw.text((x + 4, y + thumb.height + 2), f"{format_time(k.t)}  q{k.quality}", fill="black")
    buf = io.BytesIO()
    sheet.save(buf, format="PNG")
    return buf.getvalue()


def format_time(t: float) -> str:
    if t != t:  # NaN: time unknown
        return "?"
    m, s = divmod(t, 60)
    h, m = divmod(int(m), 60)
    return f"{h}:{m:02d}:{s:04.1f}"
