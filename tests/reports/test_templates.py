"""Every shipped template renders on the demo data, and its figures agree with the database."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from svidok.core.actors import SYSTEM
from svidok.figures import queries
from svidok.reports import engine
from svidok.reports.editions import Edition

SHIPPED = [t.name for t in engine.list_templates()]


def test_the_five_briefs_are_shipped() -> None:
    assert set(SHIPPED) >= {"letter_annex", "monthly_update", "detainees_sitrep", "crimea_report", "mine_action"}


@pytest.mark.parametrize("name", SHIPPED)
def test_every_figure_reproduces_from_its_reference(demo_app, name) -> None:
    brief = engine.render(demo_app, SYSTEM, name)
    assert brief.figures, "a brief without figures"
    with demo_app.db.session() as s:
        for f in brief.figures:
            again = queries.run(demo_app, s, SYSTEM, f.query, **f.args)
            assert again.value == f.value, f"{f.label} ({f.template}:{f.line}) does not reproduce"
            assert again.records == f.records
            assert f.line is not None and f.data_as_of is not None
    html = brief.html
    for f in brief.figures:
        assert f'id="ref-{f.label}"' in html and f'href="#ref-{f.label}"' in html
        if f.kind == "number":
            shown = f"{f.value:,}".replace(",", "\u202f")
            assert f'<span class="num">{shown}</span>' in html


def _scalar(app, sql: str, **params) -> int:
    with app.db.session() as s:
        return int(s.execute(text(sql), params).scalar() or 0)


# A person on several lists has one record per list, merged into the first: count people once.
VICTIMS = """SELECT COALESCE(SUM(v.count), 0) FROM victims v JOIN acts a ON a.id = v.act_id
             JOIN incidents i ON i.id = a.incident_id
             WHERE a.deleted_at IS NULL AND i.deleted_at IS NULL
               AND (v.person_id IS NULL OR v.person_id IN
                    (SELECT id FROM persons WHERE merged_into_id IS NULL AND deleted_at IS NULL)) {where}"""


def _figure(brief, query: str, **args):
    hits = [f for f in brief.figures if f.query == query and f.args == args]
    assert hits, f"no figure {query} {args}"
    return hits[0]


def test_monthly_update_counts_match_sql(demo_app) -> None:
    brief = engine.render(demo_app, SYSTEM, "monthly_update", params={"month": "2026-10", "since": "2022-02-24"})
    killed = _scalar(demo_app, VICTIMS.format(where="AND v.harm = 'killed' AND v.status = 'civilian' AND i.date_hi >= :d"),
                     d="2022-02-24")
    assert _figure(brief, "victims", harm="killed", victim_status="civilian", date_from="2022-02-24").value == killed
    in_month = _scalar(demo_app, VICTIMS.format(
        where="AND v.harm = 'injured' AND v.status = 'civilian' AND i.date_hi >= :a AND i.date_lo <= :b"),
        a="2026-10-01", b="2026-10-31")
    fig = _figure(brief, "victims", harm="injured", victim_status="civilian", date_from="2026-10", date_to="2026-10")
    assert fig.value == in_month
    by_sex = _figure(brief, "victims_by", by="sex", harm=["killed", "injured"], victim_status="civilian",
                     date_from="2022-02-24")
    female = _scalar(demo_app, VICTIMS.format(
        where="AND v.harm IN ('killed','injured') AND v.status = 'civilian' AND v.sex = 'female' AND i.date_hi >= :d"),
        d="2022-02-24")
    assert dict((k, v) for k, _, v in by_sex.value)["female"] == female


def test_detainee_and_mine_counts_match_sql(demo_app) -> None:
    sit = engine.render(demo_app, SYSTEM, "detainees_sitrep", params={"as_of": "2026-10-31"})
    people = _scalar(demo_app, "SELECT COUNT(DISTINCT person_id) FROM custody_episodes WHERE deleted_at IS NULL "
                               "AND date_from_lo <= :d", d="2026-10-31")
    assert _figure(sit, "custody_people", date_to="2026-10-31").value == people
    pows = _scalar(demo_app, "SELECT COUNT(DISTINCT c.person_id) FROM custody_episodes c JOIN persons p ON p.id = c.person_id "
                             "WHERE c.deleted_at IS NULL AND p.status = 'prisoner_of_war' AND c.date_from_lo <= :d", d="2026-10-31")
    assert _figure(sit, "custody_people", person_status="prisoner_of_war", date_to="2026-10-31").value == pows
    mines = engine.render(demo_app, SYSTEM, "mine_action")
    for status in ("confirmed", "suspected", "cleared"):
        n = _scalar(demo_app, "SELECT COUNT(*) FROM hazard_areas WHERE deleted_at IS NULL AND status = :s", s=status)
        assert _figure(mines, "hazard_areas", hazard_status=status).value == n


def test_crimea_counts_only_crimea(demo_app) -> None:
    brief = engine.render(demo_app, SYSTEM, "crimea_report")
    n = _scalar(demo_app, "SELECT COUNT(*) FROM incidents i JOIN places p ON p.id = i.place_id WHERE i.deleted_at IS NULL "
                          "AND p.path LIKE (SELECT path FROM places WHERE code = 'UA01000000000013043') || '%' "
                          "AND i.date_hi >= '2014-02-20' AND i.date_lo <= '2026-10-31'")
    assert n > 0
    assert _figure(brief, "incidents", place="UA01000000000013043", date_from="2014-02-20", date_to="2026-10-31").value == n
    assert "Окупований Крим" in brief.html


def test_letter_annex_lists_the_interventions_recommendations(demo_app) -> None:
    brief = engine.render(demo_app, SYSTEM, "letter_annex", params={"intervention": 1})
    fig = next(f for f in brief.figures if f.query == "recommendations")
    assert fig.shown == ["detainees_and_pows", "at_risk_groups", "mine_action"]
    assert "Fund the clearance of landmines" in brief.html


def test_a_viewer_counts_only_what_a_viewer_may_see(demo_app) -> None:
    from tests import fixtures as fx

    viewer = fx.user(demo_app, "viewer", "reader")
    brief = engine.render(demo_app, viewer, "mine_action", edition=Edition("public"))
    public_incidents = _scalar(demo_app, "SELECT COUNT(*) FROM incidents WHERE deleted_at IS NULL AND confidentiality = 'public' "
                                         "AND date_lo <= '2026-10-31' AND id IN (SELECT incident_id FROM acts WHERE violation_type IN "
                                         "('use_of_anti_personnel_mines','use_of_cluster_munitions','use_of_prohibited_weapons'))")
    fig = _figure(brief, "incidents", family="weapons", date_to="2026-10-31")
    assert fig.value == public_incidents
    assert re.search(r"INTERNAL|Internal — not for distribution", brief.html) is None


def test_incident_counts_filtered_by_victims_and_acts(demo_app, tmp_path) -> None:
    path = tmp_path / "inc.md.j2"
    path.write_text("---\ntitle: t\n---\n{{ n('incidents', harm='killed', characteristic='child') }} "
                    "{{ n('incidents', family='detention', victim_status='prisoner_of_war') }}\n", encoding="utf-8")
    brief = engine.render(demo_app, SYSTEM, path)
    child_killed = _scalar(demo_app, "SELECT COUNT(DISTINCT a.incident_id) FROM acts a JOIN victims v ON v.act_id = a.id "
                                     "JOIN incidents i ON i.id = a.incident_id WHERE i.deleted_at IS NULL AND a.deleted_at IS NULL "
                                     "AND v.harm = 'killed' AND v.characteristics LIKE '%|child|%'")
    families = demo_app.vocab.families()["detention"]
    pow_detention = _scalar(demo_app, "SELECT COUNT(DISTINCT a.incident_id) FROM acts a JOIN victims v ON v.act_id = a.id "
                                      "JOIN incidents i ON i.id = a.incident_id WHERE i.deleted_at IS NULL AND a.deleted_at IS NULL "
                                      f"AND v.status = 'prisoner_of_war' AND a.violation_type IN ({','.join(repr(x) for x in families)})")
    assert [f.value for f in brief.figures] == [child_killed, pow_detention]
    assert 0 < child_killed < _scalar(demo_app, "SELECT COUNT(*) FROM incidents")


def test_parallel_prefetch_gives_the_same_figures(demo_app) -> None:
    fast = engine.render(demo_app, SYSTEM, "monthly_update")
    slow = engine.render(demo_app, SYSTEM, "monthly_update", prefetch_queries=False)
    assert [(f.query, f.args, f.value, f.records) for f in fast.figures] == \
        [(f.query, f.args, f.value, f.records) for f in slow.figures]
