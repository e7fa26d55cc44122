"""The interactive API documentation, served from this installation (no CDN, no inline script).

Swagger UI's files come from the ``swagger-ui-bundle`` package; the page loads them and a
small start-up file of ours, so the Content-Security-Policy can stay ``'self'`` only.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

INIT = Path(__file__).resolve().parent / "static" / "swagger-init.js"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="{prefix}/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi="{prefix}/openapi.json"></div>
<script src="{prefix}/docs/assets/swagger-ui-bundle.js"></script>
<script src="{prefix}/docs/init.js"></script>
</body></html>"""


def install(api: FastAPI, prefix: str) -> None:
    api.mount(f"{prefix}/docs/assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")

    @api.get(f"{prefix}/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE.format(title=api.title, prefix=prefix))

    @api.get(f"{prefix}/docs/init.js", include_in_schema=False)
    def docs_init() -> FileResponse:
        return FileResponse(INIT, media_type="text/javascript")
