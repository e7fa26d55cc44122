"""Video from video platforms (yt-dlp): the video file and what the platform says about it.

Platforms serve video as streams the page assembles in the browser (``blob:`` URLs), so the
page capture alone keeps no video. For URLs on the configured hosts (``SVIDOK_CAPTURE_VIDEO_HOSTS``)
yt-dlp is run in a child process after the page: a bounded wait (the process is killed at
the deadline), a size cap (``--max-filesize``) and no user configuration or cache read.
Unlike the page, yt-dlp fetches by itself, so only the listed hosts are given to it and the
host is checked (no private address) first; its own later requests are not checked.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .urls import CaptureRefused, check_host

#: What of yt-dlp's description of a video is kept in the capture's metadata.
KEPT = ("id", "title", "fulltitle", "description", "uploader", "uploader_id", "uploader_url", "channel", "channel_id",
        "channel_url", "timestamp", "upload_date", "release_timestamp", "duration", "view_count", "like_count",
        "comment_count", "webpage_url", "extractor", "extractor_key", "ext", "width", "height", "fps", "vcodec",
        "acodec", "tags", "categories", "location")


@dataclass
class Video:
    path: Path | None = None
    media_type: str = "video/mp4"
    info_path: Path | None = None
    info: dict = field(default_factory=dict)
    version: str = ""


def wanted(url: str, hosts: list[str] | tuple[str, ...]) -> bool:
    """Whether the URL's host is one of ``hosts`` or below one (``m.youtube.com`` for ``youtube.com``)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return any(host == h or host.endswith("." + h) for h in (x.lower().strip(".") for x in hosts if x))


def version() -> str:
    from yt_dlp.version import __version__

    return __version__


async def fetch_video(url: str, workdir: Path, *, max_bytes: int, timeout: float, allow_private: bool) -> Video:
    """Download the URL's video and its metadata into ``workdir/video``; CaptureRefused says why not."""
    await check_host(url, allow_private)
    out = workdir / "video"
    out.mkdir(exist_ok=True)
    cmd = [sys.executable, "-m", "yt_dlp", "--ignore-config", "--no-cache-dir", "--no-playlist", "--no-progress",
           "--no-mtime", "--no-part", "--write-info-json", "--max-filesize", str(max_bytes),
           "--socket-timeout", str(max(5, min(60, int(timeout)))), "-o", str(out / "video.%(ext)s"), "--", url]
    proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        _stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        shutil.rmtree(out, ignore_errors=True)
        raise CaptureRefused(f"{url}: the video did not arrive within {timeout:g} s") from None
    info_path = out / "video.info.json"
    files = [p for p in out.iterdir() if p.name.startswith("video.") and p != info_path]
    if proc.returncode != 0 or not info_path.is_file():
        reason = _last_error(stderr.decode("utf-8", "replace")) or f"yt-dlp exited with {proc.returncode}"
        raise CaptureRefused(f"{url}: no video ({reason})")
    info = json.loads(info_path.read_text(encoding="utf-8"))
    v = Video(info_path=info_path, info={k: info[k] for k in KEPT if info.get(k) not in (None, "", [])},
              version=version())
    if not files:  # over --max-filesize: yt-dlp skips the download and says so
        v.info["problem"] = f"the video is larger than {max_bytes} bytes; not downloaded"
        return v
    v.path = max(files, key=lambda p: p.stat().st_size)
    v.media_type = {".mp4": "video/mp4", ".webm": "video/webm", ".mkv": "video/x-matroska",
                    ".mov": "video/quicktime", ".m4a": "audio/mp4", ".mp3": "audio/mpeg"}.get(
        v.path.suffix.lower(), "application/octet-stream")
    return v


def _last_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("ERROR")]
    return (errors or lines or [""])[-1][:500]
