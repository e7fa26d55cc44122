"""``Content-Disposition`` for any file name: RFC 6266 with RFC 5987 ``filename*`` and an ASCII fallback.

Header values are Latin-1 on the wire: ``фото_свідка.jpg`` must travel percent-encoded as
``filename*=UTF-8''…``, with ``filename="foto_svidka.jpg"`` (transliterated, quotes and
control characters removed) for clients that read only the old parameter.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from svidok.domain.names_scripts import _CYR_TO_LATIN

_UNSAFE = re.compile(r'[^A-Za-z0-9._() +-]')


def ascii_fallback(name: str) -> str:
    out = []
    for ch in name:
        latin = _CYR_TO_LATIN.get(ch.lower())
        if latin is not None:
            out.append(latin.capitalize() if ch.isupper() else latin)
        else:
            out.append(unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode() or "_")
    text = _UNSAFE.sub("_", "".join(out)).strip(" .") or "download"
    return text[:150]


def content_disposition(name: str, disposition: str = "attachment") -> str:
    clean = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").replace("/", "_").replace("\\", "_")
    fallback = ascii_fallback(clean)
    header = f'{disposition}; filename="{fallback}"'
    if clean != fallback:
        header += f"; filename*=UTF-8''{quote(clean, safe='')}"
    return header


#: Bytes read and sent at a time when evidence is served.
CHUNK = 1 << 20


def download_headers(info: dict) -> dict[str, str]:
    """Length, the recorded hash and a file name any browser decodes (:func:`content_disposition`)."""
    return {"Content-Length": str(info["size"]), "X-Content-SHA256": info["sha256"],
            "Content-Disposition": content_disposition(info["original_name"] or info["sha256"])}


#: Shown in the page itself (<img>, <video>, <audio>, a PDF in an <iframe>); anything else is only downloaded.
INLINE_PREFIXES = ("image/", "video/", "audio/", "application/pdf")


def preview_headers(info: dict) -> dict[str, str]:
    """``inline`` for what the evidence page previews; a PDF may be framed by this site's own pages
    (the installation-wide policy forbids all framing), nothing else may."""
    media_type = info["media_type"] or ""
    if not media_type.startswith(INLINE_PREFIXES) or media_type == "image/svg+xml":
        return {}
    out = {"Content-Disposition": content_disposition(info["original_name"] or info["sha256"], "inline")}
    if media_type == "application/pdf":
        out |= {"X-Frame-Options": "SAMEORIGIN",
                "Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'"}
    return out
