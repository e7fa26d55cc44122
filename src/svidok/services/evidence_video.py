"""A contact sheet of a stored video: its keyframes tiled with their times, for the evidence page."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from svidok.core.actors import Actor
from svidok.core.errors import FieldError, StorageUnavailable, ValidationFailed
from svidok.core.messages import M_
from svidok.evidence.blobs import StoreUnavailableError
from svidok.evidence.keyframes import KeyframeError, keyframes
from svidok.evidence.keyframes import contact_sheet as tile

from . import evidence

if TYPE_CHECKING:
    from svidok.app import Svidok


def contact_sheet(app: Svidok, actor: Actor, evidence_id: int, purpose: str | None = "contact sheet") -> bytes:
    """PNG of the video's keyframes; reading the original is an ``access`` custody event.

    The sheet is derived on request and never stored beside the evidence (the original stays
    the only file of record); the decrypted copy lives in a temporary directory removed after.
    """
    with app.db.session() as s:
        item = evidence._require(s, actor, evidence_id)
        if not (item.media_type or "").startswith("video/"):
            raise ValidationFailed(FieldError("evidence_id", M_("item %(evidence_id)s is %(media_type)s, not a video", evidence_id=evidence_id, media_type=item.media_type)))
        evidence.add_custody(s, actor, item, "access", purpose)
        sha256 = item.sha256
    with tempfile.TemporaryDirectory(prefix="svidok-sheet-") as tmp:
        video = Path(tmp) / "video"
        try:
            with evidence.evidence_store(app).open(sha256) as src, video.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except StoreUnavailableError as exc:
            raise StorageUnavailable(str(exc)) from None
        try:
            return tile(keyframes(video, Path(tmp)))
        except KeyframeError as exc:
            raise ValidationFailed(FieldError("evidence_id", str(exc))) from None
