"""What changed between two captures of the same URL: text lines, artefact hashes, page facts."""

from __future__ import annotations

import difflib

FACTS = ("final_url", "http_status", "title", "author", "published")


def summary(before: dict, after: dict, before_text: str | None, after_text: str) -> dict:
    """A short account (stored with the later capture): counts of lines, hashes and facts that differ.

    ``before``/``after``: ``{"artefacts": [{role, sha256, name}], <FACTS>…}``.
    """
    out: dict = {"facts": {}, "artefacts": []}
    for k in FACTS:
        if before.get(k) != after.get(k):
            out["facts"][k] = {"before": before.get(k), "after": after.get(k)}
    by_role = lambda caps: {(a["role"], a["name"] if a["role"] == "media" else ""): a["sha256"]  # noqa: E731 - a key for both captures
                            for a in caps.get("artefacts") or []}
    b, a = by_role(before), by_role(after)
    for key in sorted(set(b) | set(a)):
        if b.get(key) != a.get(key):
            out["artefacts"].append({"role": key[0], "name": key[1] or None, "before": b.get(key), "after": a.get(key)})
    if before_text is None:
        out["text"] = None
    else:
        added = removed = 0
        for line in difflib.unified_diff(before_text.splitlines(), after_text.splitlines(), lineterm="", n=0):
            if line.startswith("+") and not line.startswith("+++"):
                added += 1
            elif line.startswith("-") and not line.startswith("---"):
                removed += 1
        out["text"] = {"changed": before_text != after_text, "lines_added": added, "lines_removed": removed}
    out["changed"] = bool(out["facts"] or (out["text"] or {}).get("changed")
                          or any(x["role"] in ("text", "media") for x in out["artefacts"]))
    return out


def text_diff(before_text: str, after_text: str, before_name: str, after_name: str) -> str:
    """A unified diff of the two pages' text."""
    return "\n".join(difflib.unified_diff(before_text.splitlines(), after_text.splitlines(),
                                          before_name, after_name, lineterm=""))
