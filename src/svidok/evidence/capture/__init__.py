"""Web capture: load a page in Chromium, record it as a WACZ, screenshot, text, metadata, media.

Pure pipeline (no database): ``urls`` (what may be fetched), ``fetch`` (guarded, capped
HTTP), ``wacz`` (WARC + WACZ packaging), ``page_js`` (what is read from the page),
``browser`` (the Playwright capture), ``diff`` (what changed between two captures).
The use case around it (batches, evidence items, custody) is ``svidok.services.captures``.
"""
