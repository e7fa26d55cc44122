"""Near-duplicate photos: resized and recompressed copies match, other photos do not."""


import pytest
from PIL import Image

from svidok.evidence.perceptual import NotAnImageError, find_similar, hamming, phash

from .conftest import jpeg_bytes, synthetic_photo


def save(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_reposted_copies_are_found_and_others_are_not(tmp_path):
    original = synthetic_photo(seed=7, size=(1600, 1200))
    orig_path = save(tmp_path, "orig.jpg", jpeg_bytes(original, quality=95))
    small = original.resize((480, 360), Image.Resampling.LANCZOS)
    repost_path = save(tmp_path, "repost.jpg", jpeg_bytes(small, quality=35))
    png_path = tmp_path / "screenshot.png"
    original.resize((1000, 750)).save(png_path)
    others = [save(tmp_path, f"other{s}.jpg", jpeg_bytes(synthetic_photo(seed=s))) for s in (11, 12, 13)]

    existing = [("orig", phash(orig_path))] + [(p.stem, phash(p)) for p in others]
    hits = find_similar(phash(repost_path), existing)
    assert [key for key, _ in hits] == ["orig"]
    assert [key for key, _ in find_similar(phash(png_path), existing)] == ["orig"]
    assert all(hamming(phash(orig_path), h) > 8 for _, h in existing[1:])


def test_hash_is_16_hex_and_hamming_counts_bits(tmp_path):
    h = phash(save(tmp_path, "a.jpg", jpeg_bytes(synthetic_photo())))
    assert len(h) == 16 and int(h, 16) >= 0
    assert hamming("ff00", "0f00") == 4
    with pytest.raises(ValueError, match="different lengths"):
        hamming("ff", "fff")


def test_not_an_image_is_named(tmp_path):
    with pytest.raises(NotAnImageError, match="notes.txt: no perceptual hash"):
        phash(save(tmp_path, "notes.txt", b"just text"))
