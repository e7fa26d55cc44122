"""Each shipped brief prints to a PDF a person would send: page numbers, contents with pages,
DejaVu fonts embedded (Latin and Cyrillic), charts and maps as vectors, no fetches."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from svidok.core.actors import SYSTEM
from svidok.reports import engine, pdf
from svidok.reports.editions import Edition

try:
    pdf.chromium_path()
    HAVE_CHROMIUM = True
except Exception:
    HAVE_CHROMIUM = False

needs_chromium = pytest.mark.skipif(not HAVE_CHROMIUM, reason="Chromium not installed (apt-get install -y chromium)")


def _fonts(reader: PdfReader) -> set[str]:
    out = set()
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            out.add(str(font.get_object().get("/BaseFont")))
    return out


def _images(reader: PdfReader) -> int:
    n = 0
    for page in reader.pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {}) or {}
        n += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
    return n


@needs_chromium
@pytest.mark.parametrize("name, edition", [("monthly_update", "internal"), ("detainees_sitrep", "public"),
                                           ("crimea_report", "public"), ("mine_action", "internal"),
                                           ("letter_annex", "public")])
def test_brief_prints_well(demo_app, tmp_path, name, edition) -> None:
    brief = engine.render(demo_app, SYSTEM, name, edition=Edition(edition))
    out = engine.write(brief, tmp_path / f"{name}.pdf")
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    pages = len(reader.pages)
    assert pages >= 4
    texts = [p.extract_text() for p in reader.pages]
    for i, t in enumerate(texts, start=1):
        assert f"{i} / {pages}" in t, f"page {i} has no page number"
    assert ("PUBLIC" if edition == "public" else "INTERNAL") in texts[1]
    # contents: every heading with the page the outline says it is on
    outline = {"".join(title.split()): page for title, page in pdf.heading_pages(out.read_bytes())}
    toc = "".join(texts[1].split())
    for level, _, heading in brief.headings:
        if level == 1:
            page = outline["".join(heading.split())]
            assert page >= 3 and "".join(heading.split()) + str(page) in toc, (heading, page)
    assert any("DejaVu" in f for f in _fonts(reader)), _fonts(reader)
    assert _images(reader) == 0, "charts and maps must be vectors, not images"
    assert re.search("[А-Яа-яІіЇїЄє]{4,}", "".join(texts)), "Ukrainian text missing"
    assert "Annex" in texts[-1] or any("Annex" in t for t in texts[-3:])


@needs_chromium
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pages_render_as_images_with_ink(demo_app, tmp_path) -> None:
    brief = engine.render(demo_app, SYSTEM, "monthly_update")
    out = engine.write(brief, tmp_path / "b.pdf")
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(out), str(tmp_path / "p")], check=True, capture_output=True)
    for png in sorted(tmp_path.glob("p-*.png")):
        gray = Image.open(png).convert("L")
        dark = gray.point(lambda px: 255 if px < 200 else 0).histogram()[255] / (gray.width * gray.height)
        assert dark > 0.003, f"{png.name} looks blank"


def test_html_output_and_bad_suffix(demo_app, tmp_path) -> None:
    brief = engine.render(demo_app, SYSTEM, "mine_action")
    out = engine.write(brief, tmp_path / "m.html")
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    with pytest.raises(engine.BriefError, match=".html or .pdf"):
        engine.write(brief, tmp_path / "m.docx")
