"""Perceptual hashes of images, to find the same photo re-posted, resized or recompressed.

``phash`` is the DCT hash of ``imagehash`` (64 bits, 16 hex characters) computed after
applying the EXIF orientation, so a copy that a platform has rotated into place still
matches. Two hashes within ``DEFAULT_MAX_DISTANCE`` bits are treated as the same picture;
resizing and JPEG recompression typically move a hash by 0–4 bits, unrelated photos
differ by about 32.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

DEFAULT_MAX_DISTANCE = 8
K = TypeVar("K")


class NotAnImageError(ValueError):
    pass


def phash(path: Path | str) -> str:
    """64-bit perceptual hash as 16 hex characters; raises ``NotAnImageError`` for non-images."""
    import imagehash
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            # draft() lets the JPEG decoder scale down while decoding: big photos hash fast.
            img.draft("RGB", (512, 512))
            img = ImageOps.exif_transpose(img)
            return str(imagehash.phash(img))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise NotAnImageError(f"{Path(path).name}: no perceptual hash, not a readable image ({exc})") from exc


def hamming(a: str, b: str) -> int:
    """Number of differing bits between two hex hashes of the same length."""
    if len(a) != len(b):
        raise ValueError(f"hashes of different lengths: {a!r} and {b!r}")
    return (int(a, 16) ^ int(b, 16)).bit_count()


def find_similar(
    target: str, candidates: Iterable[tuple[K, str | None]], max_distance: int = DEFAULT_MAX_DISTANCE
) -> list[tuple[K, int]]:
    """Candidates (key, hash) within ``max_distance`` of ``target``, nearest first."""
    t = int(target, 16)
    hits = [
        (key, (t ^ int(h, 16)).bit_count())
        for key, h in candidates
        if h and len(h) == len(target)
    ]
    return sorted((hit for hit in hits if hit[1] <= max_distance), key=lambda hit: hit[1])
