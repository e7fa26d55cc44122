"""HTML to PDF with Playwright driving the system's Chromium (no network, fonts from the system).

Two passes over one loaded page: the first PDF tells on which page each heading landed (from
the PDF outline Chromium writes); those numbers are written into the table of contents and
the page is printed again.
"""

from __future__ import annotations

import io

from pypdf import PdfReader

from svidok.config import Settings
from svidok.core.errors import ServiceError
from svidok.core.messages import M_

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

HEADER = ('<div style="font-family:\'DejaVu Sans\';font-size:7pt;color:#777;width:100%;margin:0 18mm 0 20mm;'
          'display:flex;justify-content:space-between"><span>{title}</span><span>{edition}</span></div>')
FOOTER = ('<div style="font-family:\'DejaVu Sans\';font-size:7.5pt;color:#555;width:100%;text-align:center">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


class PdfUnavailable(ServiceError):
    status = 503
    title = "PDF rendering unavailable"


def chromium_path() -> str:
    found = Settings().resolved_chromium
    if found:
        return found
    raise PdfUnavailable(M_("no Chromium found: install it (apt-get install -y chromium) or set SVIDOK_CHROMIUM"))


def heading_pages(pdf: bytes) -> list[tuple[str, int]]:
    """(title, 1-based page) of every entry of the PDF outline, in document order."""
    reader = PdfReader(io.BytesIO(pdf))
    out: list[tuple[str, int]] = []

    def walk(items: list) -> None:
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                out.append((str(it.title), reader.get_destination_page_number(it) + 1))
    walk(reader.outline)
    return out


def html_to_pdf(html: str, title: str, edition_label: str, headings: list[tuple[int, str, str]] | None = None) -> bytes:
    """Print ``html`` to an A4 PDF with running header and page numbers.

    With ``headings`` (level, id, text), it is printed twice: the pages the first pass found are
    written into the table of contents (elements ``[data-toc-page=id]``) and the page printed again
    without reloading it."""
    from html import escape

    from playwright.sync_api import sync_playwright

    header = HEADER.format(title=escape(title), edition=escape(edition_label))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            # Nothing may be fetched: everything a brief needs is inline.
            page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(("data:", "about:"))
                       else route.continue_())
            page.set_content(html, wait_until="load")

            def once() -> bytes:
                return page.pdf(format="A4", print_background=True, display_header_footer=True, header_template=header,
                                footer_template=FOOTER, prefer_css_page_size=True, outline=True, tagged=True,
                                margin={"top": "22mm", "bottom": "20mm", "left": "20mm", "right": "18mm"})

            first = once()
            if not headings:
                return first
            pages = _match_pages(heading_pages(first), headings)
            page.evaluate("""pages => { for (const el of document.querySelectorAll('[data-toc-page]')) {
                const n = pages[el.dataset.tocPage]; if (n !== undefined) el.textContent = String(n); } }""", pages)
            return once()
        finally:
            browser.close()


def _match_pages(outline: list[tuple[str, int]], headings: list[tuple[int, str, str]]) -> dict[str, int]:
    """Heading ids -> pages, walking the outline and the headings in the same order."""
    pages: dict[str, int] = {}
    i = 0
    wanted = [(hid, text) for _, hid, text in headings] + [("annex", "Annex")]
    for hid, text in wanted:
        key = _squash(text)[:40]
        for j in range(i, len(outline)):
            # Chromium drops the spaces where a long heading wrapped: compare without whitespace.
            if _squash(outline[j][0]).startswith(key):
                pages[hid] = outline[j][1]
                i = j + 1
                break
    return pages


def _squash(text: str) -> str:
    return "".join(text.split())
