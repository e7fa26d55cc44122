"""Media type of an evidence file from its first bytes (the name can lie, the bytes cannot)."""

from __future__ import annotations

import mimetypes

OCTET_STREAM = "application/octet-stream"

# (offset, magic bytes, media type); checked in order.
_MAGIC: list[tuple[int, bytes, str]] = [
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"BM", "image/bmp"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"\x1aE\xdf\xa3", "video/webm"),  # EBML: WebM or Matroska
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"WARC/", "application/warc"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"\x1f\x8b", "application/gzip"),
]
_RIFF = {b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo", b"WEBP": "image/webp"}
_FTYP = {
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/mp4",
    b"M4V ": "video/mp4",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"avif": "image/avif",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
}


def sniff_media_type(head: bytes, original_name: str | None = None, declared: str | None = None) -> str:
    """Type from magic bytes; else the declared type; else a guess from the name."""
    sniffed = _sniff(head)
    if sniffed:
        return sniffed
    if declared and "/" in declared:
        return declared.strip().lower()
    if original_name:
        guessed, _ = mimetypes.guess_type(original_name)
        if guessed:
            return guessed
    return OCTET_STREAM


def _sniff(head: bytes) -> str | None:
    for offset, magic, media_type in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            if media_type == "video/webm" and b"matroska" in head[:64]:
                return "video/x-matroska"
            return media_type
    if head[:4] == b"RIFF" and head[8:12] in _RIFF:
        return _RIFF[head[8:12]]
    if head[4:8] == b"ftyp":
        return _FTYP.get(head[8:12], "video/mp4")
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio/mpeg"  # MPEG audio frame sync
    text = head.lstrip()[:512].lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    if text.startswith(b"mime-version:") and b"multipart/related" in text:
        return "multipart/related"  # MHTML web capture
    return None
