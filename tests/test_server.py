"""The server process's application (``svidok serve``, its workers, the benchmarks)."""

import gc

from fastapi.testclient import TestClient

from svidok.server import serving_app


def test_a_served_app_leaves_its_start_up_heap_out_of_full_collections(sqlite_app):
    """Start-up objects live as long as the process: full collections walking them paused
    requests for ~200 ms (bench/web_pages.py, the map's points); they are frozen instead."""
    assert gc.get_freeze_count() == 0
    try:
        web = serving_app(sqlite_app)
        assert gc.get_freeze_count() > 50_000  # vocabularies, gazetteer, templates, routes…
        assert TestClient(web).get("/login").status_code == 200  # and it serves as before
    finally:
        gc.unfreeze()
