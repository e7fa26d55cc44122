"""docs/formats: every linked example exists, and the examples of the importers import cleanly."""

from __future__ import annotations

import re
from pathlib import Path

from svidok.core.actors import SYSTEM
from svidok.interop import builtin
from svidok.services import imports

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_file_the_format_pages_link_to_exists():
    for page in [*(DOCS / "formats").glob("*.md"), DOCS / "import.md"]:
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text(encoding="utf-8")):
            if not target.startswith("http"):
                assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_shipped_mappings_read_their_examples_without_problems(sqlite_app):
    for name, example in (("acled", "acled-example.csv"), ("uwazi", "uwazi-example.csv")):
        report = imports.run(sqlite_app, SYSTEM, DOCS / "formats" / example, builtin.load(name), dry_run=True)
        assert report.problems == [] and report.counts.incidents > 0, name
