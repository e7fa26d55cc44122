"""Mappings shipped with Svidok for other systems' exports (ACLED, Uwazi)."""

from __future__ import annotations

from pathlib import Path

from . import mapping as mapping_mod

FOLDER = Path(__file__).resolve().parent / "mappings"


def names() -> list[str]:
    return sorted(p.stem for p in FOLDER.glob("*.yaml"))


def load(name: str) -> mapping_mod.Mapping:
    path = FOLDER / f"{name}.yaml"
    if not path.exists():
        raise mapping_mod.MappingError(f"no shipped mapping {name!r} (shipped: {', '.join(names())})")
    return mapping_mod.load(path)
