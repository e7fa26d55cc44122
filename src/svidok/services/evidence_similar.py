"""Near-duplicates of an evidence item across photos and video keyframes (PDQ, 256 bits).

At ingest :func:`visual_hashes` adds to the item's ``extracted`` metadata either ``pdq`` (an
image) or ``keyframes`` (a video: ``[{"t", "pdq", "q"}]``, first frame and scene changes).
:func:`near_duplicates` compares an item's hashes with those of every item the actor may see,
so a clip re-posted with another encoding, size or a slight crop is found, as is a still taken
from it. Hashes live in the JSON column rather than a table of their own: the scan loads them
per request, which is fine for thousands of items; past that, a keyframe table and a cached
:class:`NearDuplicateIndex` would be the next step.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.messages import M_
from svidok.evidence.keyframes import DEFAULT_MAX_DISTANCE, KeyframeError, keyframe_hashes, pdq_file
from svidok.evidence.near_duplicates import NearDuplicateIndex
from svidok.storage.models import EvidenceItem

if TYPE_CHECKING:
    from svidok.app import Svidok

MIN_QUALITY = 50  # PDQ's own advice: hashes of lower quality are unreliable


def visual_hashes(path: Path, media_type: str, readable_image: bool = True) -> dict:
    """``{"pdq": …}`` for an image, ``{"keyframes": […]}`` for a video; problems noted, never raised."""
    try:
        if media_type.startswith("image/") and readable_image:
            h, q = pdq_file(path)
            return {"pdq": h, "pdq_quality": q}
        if media_type.startswith("video/"):
            return {"keyframes": [{"t": t, "pdq": h, "q": q} for t, h, q in keyframe_hashes(path)]}
    except (KeyframeError, OSError, ValueError) as exc:
        return {"problems": [f"no visual hashes: {exc}"]}
    return {}


def item_hashes(extracted: dict | None) -> list[tuple[float | None, str]]:
    """(time in the video or None for a photo, PDQ hex) of an item's ``extracted`` metadata.

    Frames of quality below ``MIN_QUALITY`` (flat colour, black) are left out: all such frames
    hash alike, so two unrelated clips that both fade to black would otherwise "match".
    """
    extracted = extracted or {}
    if extracted.get("pdq"):
        good = extracted.get("pdq_quality", 100) >= MIN_QUALITY
        return [(None, extracted["pdq"])] if good else []
    return [(k.get("t"), k["pdq"]) for k in extracted.get("keyframes") or []
            if k.get("pdq") and k.get("q", 100) >= MIN_QUALITY]


def near_duplicates(app: Svidok, actor: Actor, evidence_id: int,
                    max_distance: int = DEFAULT_MAX_DISTANCE) -> list[dict]:
    """Visible items sharing a frame with ``evidence_id`` within ``max_distance`` bits, nearest first.

    Each result: ``evidence_id``, ``media_type``, best ``distance`` and the matching
    ``frames`` (``t`` in this item, ``other_t`` in the other; None for a photo).
    """
    with app.db.session() as s:
        item = access.require_visible(s.get(EvidenceItem, evidence_id), actor, M_("evidence item %(id)s", id=evidence_id))
        mine = item_hashes(item.extracted)
        if not mine:
            return []
        rows = s.execute(select(EvidenceItem.id, EvidenceItem.media_type, EvidenceItem.extracted).where(
            EvidenceItem.id != item.id, access.visibility_clause(EvidenceItem, actor),
            or_(EvidenceItem.media_type.like("image/%"), EvidenceItem.media_type.like("video/%")))).all()
    index: NearDuplicateIndex[tuple[int, float | None]] = NearDuplicateIndex(256)
    types = {}
    for other_id, media_type, extracted in rows:
        types[other_id] = media_type
        for t, h in item_hashes(extracted):
            index.add((other_id, t), h)
    if not len(index):
        return []
    found: dict[int, list[dict]] = {}
    for t, h in mine:
        for (other_id, other_t), d in index.query(h, max_distance):
            found.setdefault(other_id, []).append({"t": t, "other_t": other_t, "distance": d})
    out = [{"evidence_id": k, "media_type": types[k], "distance": min(f["distance"] for f in frames),
            "frames": sorted(frames, key=lambda f: f["distance"])} for k, frames in found.items()]
    return sorted(out, key=lambda r: (r["distance"], r["evidence_id"]))
