"""The public edition: no protected record, no small count; the threshold is configurable."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from svidok.core.actors import SYSTEM
from svidok.core.errors import ValidationFailed
from svidok.reports import engine
from svidok.reports.editions import Edition
from svidok.storage.models import Incident, Source


def test_cells_suppress_small_counts_and_a_second_cell_when_one_would_be_revealed() -> None:
    pub = Edition("public", threshold=5)
    assert pub.cells([40, 3, 12, 7]) == [False, True, False, True]  # 7 hidden too: total - rest would reveal 3
    assert pub.cells([40, 3, 2, 12]) == [False, True, True, False]
    assert pub.cells([40, 0, 12]) == [False, False, False]  # a true zero reveals nobody
    assert Edition("internal").cells([1, 2]) == [False, False]
    assert Edition("public", threshold=3, small_counts="band").small() == "1–2"
    with pytest.raises(ValidationFailed, match="threshold"):
        Edition("public", threshold=0)
    with pytest.raises(ValidationFailed, match="edition"):
        Edition("secret")


def _numbers_shown(brief) -> list:
    out = []
    for f in brief.figures:
        if f.kind == "number":
            out.append(f.shown)
        elif f.kind in ("table", "chart", "map") and isinstance(f.shown, list):
            out.extend(v for _, v in f.shown)
    return out


@pytest.mark.parametrize("name", ["monthly_update", "detainees_sitrep", "crimea_report", "mine_action", "letter_annex"])
def test_public_edition_shows_no_count_below_the_threshold(demo_app, name) -> None:
    for threshold in (5, 10):
        brief = engine.render(demo_app, SYSTEM, name, edition=Edition("public", threshold=threshold))
        shown = _numbers_shown(brief)
        assert not [v for v in shown if isinstance(v, int) and 0 < v < threshold]
        hidden = [v for v in shown if v == f"<{threshold}"]
        internal_small = [f for f in engine.render(demo_app, SYSTEM, name).figures
                          if f.kind == "number" and 0 < f.value < threshold]
        assert len([v for v in hidden]) >= len(internal_small)
        assert "Public / Публічне" in brief.html


def test_public_edition_never_shows_a_protected_record(demo_app) -> None:
    with demo_app.db.session() as s:
        hidden_titles = {t for (t,) in s.execute(select(Incident.title).where(Incident.confidentiality != "public"))}
        public_titles = {t for (t,) in s.execute(select(Incident.title).where(Incident.confidentiality == "public"))}
        identities = s.scalars(select(Source.id)).all()
    assert identities  # the demo has a protected witness identity
    brief = engine.render(demo_app, SYSTEM, "monthly_update", edition=Edition("public"))
    listing = next(f for f in brief.figures if f.query == "incident_list")
    rows = re.findall(r"<tr><td>(\d+)</td>", brief.html)
    assert [int(r) for r in rows] == listing.shown and listing.shown
    with demo_app.db.session() as s:
        levels = set(s.scalars(select(Incident.confidentiality).where(Incident.id.in_(listing.shown))))
    assert levels == {"public"}
    only_hidden = hidden_titles - public_titles
    assert not [t for t in only_hidden if f"<td>{t}</td>" in brief.html]
    assert "Іваненко" not in brief.html  # the demo witness's protected identity
    # public maps are drawn per oblast, never at places
    assert "<circle" not in brief.html and "<circle" in engine.render(demo_app, SYSTEM, "monthly_update").html


def test_banded_small_counts(demo_app) -> None:
    brief = engine.render(demo_app, SYSTEM, "crimea_report", edition=Edition("public", threshold=5, small_counts="band"))
    assert "1–4" in brief.html and "&lt;5" not in brief.html


def test_public_listing_leaves_out_incidents_whose_sources_refused_publication(demo_app, tmp_path) -> None:
    from tests import fixtures as fx

    no = fx.source(demo_app, consent_publish=False)
    yes = fx.source(demo_app, consent_publish=True)
    refused = fx.incident(demo_app, confidentiality="public", source_ids=[no["id"]], date_start="2026-10-30",
                          title="Synthetic refused-consent incident")
    mixed = fx.incident(demo_app, confidentiality="public", source_ids=[no["id"], yes["id"]], date_start="2026-10-29",
                        title="Synthetic consented incident")
    path = tmp_path / "listing.md.j2"
    path.write_text("---\ntitle: Listing\n---\n\n{{ table('incident_list', limit=500, only_public=True) }}\n", encoding="utf-8")
    shown = engine.render(demo_app, SYSTEM, path, edition=Edition("public")).figures[0].shown
    assert mixed["id"] in shown  # one consenting source is enough
    assert refused["id"] not in shown
    internal = engine.render(demo_app, SYSTEM, path).figures[0].shown
    assert refused["id"] not in internal  # only_public means publishable in either edition
