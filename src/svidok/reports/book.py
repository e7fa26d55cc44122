"""Figures of a brief: each call in a template runs one query, applies the edition's rules and
records a reference (query, arguments, data date, number of records) for the annex.

Template functions: ``n`` (a number in the text), ``table``, ``chart``, ``map``, ``compare``
(disproportionality), ``estimates`` and ``recommendations``. Each raises
:class:`BriefError` naming the template line when the query is unknown, its arguments are
wrong, the filter matches nothing (unless ``allow_zero=True``) or the figure would show a
record the edition may not show.
"""

from __future__ import annotations

import math
import shlex
import sys
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.figures import incident_figures, queries, record_queries
from svidok.stats.counts_table import CountsError

from . import charts, maps
from .editions import Edition

FIGURE_OPTIONS = {"allow_zero", "title", "caption"}


class BriefError(ValidationFailed):
    """A brief that cannot be rendered correctly; names the template and line."""

    def __init__(self, template: str, line: int | None, reason: str, cause: str | None = None,
                 entity: str | None = None):
        self.template, self.line, self.reason = template, line, reason
        #: What went wrong in the reader's terms: "empty" (no record the reader may see matches a figure
        #: of ``entity``), "not_public" (the public edition would show non-public records), else None.
        self.cause, self.entity = cause, entity
        super().__init__(FieldError(f"{template}:{line}" if line else template, reason))

    @property
    def job_result(self) -> dict:
        """Kept with a failed job so a page can explain the failure to the person who asked for the brief."""
        return {"brief_error": {"cause": self.cause, "entity": self.entity, "template": self.template,
                                "line": self.line}}


def template_line() -> tuple[str, int | None]:
    """The template and line being rendered, found on the call stack (Jinja keeps a line map)."""
    frame = sys._getframe(1)
    while frame is not None:
        tpl = frame.f_globals.get("__jinja_template__")
        if tpl is not None:
            return Path(tpl.name or "<string>").name, tpl.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back
    return "<brief>", None


def fmt(n: int | float) -> str:
    """Thousands grouped with a narrow no-break space: reads right in English and Ukrainian."""
    return f"{n:,}".replace(",", "\u202f") if isinstance(n, int) else f"{n:,.1f}".replace(",", "\u202f")


@dataclass
class Figure:
    number: int
    kind: str
    query: str
    args: dict
    title: str
    records: int
    entity: str
    unit: str
    data_as_of: datetime | None
    template: str
    line: int | None
    #: What the query returned (internal) and what the reader sees (after the edition's rules).
    value: Any = None
    shown: Any = None

    @property
    def label(self) -> str:
        return f"F{self.number}"

    def command(self) -> str:
        """A command that reproduces the figure's numbers from the database."""
        parts = ["svidok", "brief", "query", self.query]
        for k, v in self.args.items():
            for item in v if isinstance(v, list | tuple) else [v]:
                parts += ["--arg", f"{k}={item}"]
        return shlex.join(parts)


@dataclass
class Book:
    """Collects the figures of one rendering."""

    app: Any
    session: Session
    actor: Actor
    edition: Edition
    figures: list[Figure] = field(default_factory=list)
    blocks: dict[str, str] = field(default_factory=dict)
    _as_of: dict[str, Any] = field(default_factory=dict)

    # -- plumbing -------------------------------------------------------------------------
    def _run(self, kind: str, query: str, kwargs: dict, check_empty: bool = True) -> tuple[Figure, queries.Result]:
        tpl, line = template_line()
        for k, v in kwargs.items():
            if isinstance(v, jinja2.Undefined):
                raise BriefError(tpl, line, f"argument {k}: {v._undefined_message}")
        opts = {k: kwargs.pop(k) for k in list(kwargs) if k in FIGURE_OPTIONS}
        try:
            res = queries.run(self.app, self.session, self.actor, query, **kwargs)
        except (queries.QueryError, CountsError) as exc:
            raise BriefError(tpl, line, str(exc)) from None
        except ValidationFailed as exc:
            raise BriefError(tpl, line, f"query {query!r}: " + "; ".join(map(str, exc.errors))) from None
        except ValueError as exc:  # an unknown vocabulary term, an unparsable date
            raise BriefError(tpl, line, f"query {query!r}: {exc}") from None
        if check_empty and res.records == 0 and not opts.get("allow_zero"):
            filt = ", ".join(f"{k}={v}" for k, v in kwargs.items()) or "no filter"
            raise BriefError(tpl, line, f"query {query!r} with {filt} matches no records; check the filter, or write "
                                        "allow_zero=True if zero is the true answer", cause="empty", entity=res.entity)
        if res.entity not in self._as_of:
            self._as_of[res.entity] = queries.data_as_of(self.session, res.entity, self.actor)
        fig = Figure(len(self.figures) + 1, kind, query, dict(kwargs), opts.get("title") or "", res.records,
                     res.entity, res.unit, self._as_of[res.entity], tpl, line, value=res.value)
        self.figures.append(fig)
        return fig, res

    def _ref(self, fig: Figure) -> str:
        return f'<sup class="ref"><a href="#ref-{fig.label}">{fig.label}</a></sup>'

    def _block(self, fig: Figure, inner: str, caption: str = "") -> str:
        token = f"SVIDOKBLOCK{fig.number:04d}X"
        title = escape(fig.title) if fig.title else ""
        cap = f'<p class="caption">{escape(caption)}</p>' if caption else ""
        self.blocks[token] = (
            f'<figure class="fig fig-{fig.kind}" id="{fig.label}"><figcaption><span class="fignum">{fig.label}</span> '
            f'{title}{self._ref(fig)}</figcaption>{inner}{cap}<p class="source">{self._source(fig)}</p></figure>')
        return f"\n\n{token}\n\n"

    def _source(self, fig: Figure) -> str:
        as_of = fig.data_as_of.strftime("%Y-%m-%d") if fig.data_as_of else "—"
        return f"{fmt(fig.records)} {escape(_records_word(fig.entity, fig.records))} · data as of {as_of} · see annex, {fig.label}"

    def _count(self, v: int) -> str:
        return escape(self.edition.small()) if self.edition.hides(v) else fmt(v)

    def _private_rows(self, fig: Figure, levels: list[str], what: str) -> None:
        hidden = sum(1 for lv in levels if lv != "public")
        if self.edition.public and hidden:
            raise BriefError(fig.template, fig.line, f"{what} would show {hidden} record(s) that are not public in the "
                                                     "public edition; pass only_public=True or keep it to the internal edition",
                             cause="not_public", entity=fig.entity)

    # -- template functions ---------------------------------------------------------------
    def n(self, query: str, **kwargs: Any) -> str:
        """A number in the text, with its reference."""
        fig, res = self._run("number", query, kwargs)
        if res.kind != "number":
            raise BriefError(fig.template, fig.line, f"query {query!r} gives a {res.kind}, not a number: use table() or chart()")
        fig.shown = self.edition.small() if self.edition.hides(res.value) else res.value
        return f'<span class="num">{self._count(res.value)}</span>{self._ref(fig)}'

    def _breakdown(self, kind: str, query: str, kwargs: dict) -> tuple[Figure, list[tuple[str, str, int | None]]]:
        fig, res = self._run(kind, query, kwargs)
        if res.kind != "breakdown":
            raise BriefError(fig.template, fig.line, f"query {query!r} gives a {res.kind}, not a breakdown")
        hidden = self.edition.cells([v for *_, v in res.value])
        rows = [(k, label, None if h else v) for (k, label, v), h in zip(res.value, hidden, strict=True)]
        fig.shown = [(k, v if v is not None else self.edition.small()) for k, _, v in rows]
        return fig, rows

    def table(self, query: str, percent: bool = True, **kwargs: Any) -> str:
        """A breakdown (with total and shares) or a record listing, as a table."""
        tpl, line = template_line()
        if queries.REGISTRY.get(query) and queries.REGISTRY[query].fn is incident_figures.incident_list:
            return self._listing(query, kwargs)
        fig, rows = self._breakdown("table", query, kwargs)
        total = sum(v for *_, v in fig.value) if isinstance(fig.value, list) else 0
        head = f"<tr><th></th><th class='n'>{escape(fig.unit)}</th>" + ("<th class='n'>%</th>" if percent else "") + "</tr>"
        body = []
        for _, label, v in rows:
            pct = f"{100 * v / total:.1f}" if v is not None and total else "—"
            body.append(f"<tr><td>{escape(label)}</td><td class='n'>{fmt(v) if v is not None else escape(self.edition.small())}</td>"
                        + (f"<td class='n'>{pct}</td>" if percent else "") + "</tr>")
        body.append(f"<tr class='total'><td>Total</td><td class='n'>{self._count(total)}</td>"
                    + ("<td class='n'>100.0</td>" if percent else "") + "</tr>")
        return self._block(fig, f"<table>{head}{''.join(body)}</table>", kwargs.get("caption", ""))

    def _listing(self, query: str, kwargs: dict) -> str:
        fig, res = self._run("listing", query, kwargs)
        self._private_rows(fig, res.levels, f"the listing of {query!r}")
        fig.shown = [r[0] for r in res.value]
        rows = "".join(f"<tr><td>{r[0]}</td><td>{escape(r[1])}</td><td>{escape(r[2])}</td><td>{escape(r[3])}</td></tr>"
                       for r in res.value)
        more = f"<p class='caption'>{fmt(len(res.value))} of {fmt(res.records)} shown.</p>" if res.records > len(res.value) else ""
        return self._block(fig, f"<table><tr><th>#</th><th>date</th><th>oblast</th><th>incident</th></tr>{rows}</table>{more}")

    def chart(self, query: str, kind: str = "bar", **kwargs: Any) -> str:
        """A bar chart (categories) or line chart (periods) of a breakdown, as an SVG."""
        tpl, line = template_line()
        if kind not in ("bar", "line"):
            raise BriefError(tpl, line, f"chart kind must be 'bar' or 'line', not {kind!r}")
        fig, rows = self._breakdown("chart", query, kwargs)
        pairs = [(label, v) for _, label, v in rows]
        svg = charts.line(pairs, unit=fig.unit) if kind == "line" else charts.bar(pairs, self.edition.small(), unit=fig.unit)
        return self._block(fig, svg, kwargs.get("caption", ""))

    def map(self, layer: str = "incidents", **kwargs: Any) -> str:
        """A map of incidents or hazard areas: points (internal edition) or shaded oblasts (public)."""
        tpl, line = template_line()
        pick = {"incidents": ("incident_points", "incidents_by_oblast_map"),
                "hazards": ("hazard_points", "hazards_by_oblast_map")}.get(layer)
        if pick is None:
            raise BriefError(tpl, line, f"map layer must be 'incidents' or 'hazards', not {layer!r}")
        title = kwargs.get("title", "")
        if self.edition.public:
            fig, rows = self._breakdown("map", pick[1], kwargs)
            svg = maps.oblast_map({k: v for k, _, v in rows}, title, fig.unit, self.edition.small())
        else:
            fig, res = self._run("map", pick[0], kwargs)
            fig.shown = len(res.value)
            svg = maps.points_map(res.value, title, fig.unit)
        return self._block(fig, svg, kwargs.get("caption", ""))

    def compare(self, **kwargs: Any) -> str:
        """Disproportionality: victims' shares by age (or sex) against the population's."""
        fig, res = self._run("comparison", "disproportionality", kwargs)
        rep = res.value
        rows, shown = [], []
        for g in rep.groups:
            if self.edition.hides(g.victims):
                rows.append(f"<tr><td>{escape(g.group)}</td><td class='n'>{escape(self.edition.small())}</td>"
                            f"<td class='n' colspan='3'>suppressed</td><td>—</td></tr>")
                shown.append((g.group, self.edition.small(), None))
                continue
            rr = "—" if math.isnan(g.rate_ratio) else f"{g.rate_ratio:.2f} ({g.ratio_lower:.2f}–{g.ratio_upper:.2f})"
            rows.append(f"<tr><td>{escape(g.group)}</td><td class='n'>{fmt(g.victims)}</td>"
                        f"<td class='n'>{_pct(g.victim_share)}</td><td class='n'>{_pct(g.population_share)}</td>"
                        f"<td class='n'>{rr}</td><td>{escape(g.verdict)}</td></tr>")
            shown.append((g.group, g.victims, g.verdict))
        fig.shown = shown
        statements = "".join(f"<li>{escape(g.statement)}</li>" for g in rep.groups if not self.edition.hides(g.victims))
        notes = "".join(f"<li>{escape(w)}</li>" for w in rep.warnings + rep.caveats)
        table = ("<table><tr><th>group</th><th class='n'>victims</th><th class='n'>% victims</th>"
                 "<th class='n'>% population</th><th class='n'>rate ratio (95% CI)</th><th>verdict</th></tr>"
                 + "".join(rows) + "</table>")
        body = f"{table}<ul class='statements'>{statements}</ul><ul class='notes'>{notes}</ul>" \
               f"<p class='caption'>Population: {escape(rep.population_source)}.</p>"
        return self._block(fig, body, kwargs.get("caption", ""))

    def estimates(self, **kwargs: Any) -> str:
        """Documented and estimated victims with 95% intervals, per stratum (or why not estimated),
        and the total over strata when there are several."""
        fig, res = self._run("estimate", "estimate", kwargs)
        rows, shown = [], []
        strata, total = res.value["strata"], res.value["total"]
        for e in strata:
            obs = self._count(e["observed"])
            if e["estimate"] is None or self.edition.hides(e["observed"]):
                why = "; ".join(e.get("warnings", [])) or "not estimated"
                rows.append(f"<tr><td>{escape(str(e['stratum']))}</td><td class='n'>{obs}</td><td colspan='2'>{escape(why)}</td></tr>")
                shown.append((e["stratum"], e["observed"], None))
            else:
                upper = fmt(round(e["upper"])) if e["upper"] is not None else "unbounded"
                rows.append(f"<tr><td>{escape(str(e['stratum']))}</td><td class='n'>{obs}</td>"
                            f"<td class='n'>{fmt(round(e['estimate']))}</td><td class='n'>{fmt(round(e['lower']))}–{upper}</td></tr>")
                shown.append((e["stratum"], e["observed"], round(e["estimate"])))
        notes = ""
        if len(strata) > 1 and total["estimate"] is not None and not self.edition.hides(total["observed"]):
            upper = fmt(round(total["upper"])) if total["upper"] is not None else "unbounded"
            rows.append(f"<tr class='total'><td>total</td><td class='n'>{self._count(total['observed'])}</td>"
                        f"<td class='n'>{fmt(round(total['estimate']))}</td><td class='n'>{fmt(round(total['lower']))}"
                        f"–{upper}</td></tr>")
            shown.append(("total", total["observed"], round(total["estimate"])))
            notes = "".join(f"<li>{escape(n)}</li>" for n in [f"total's interval: {total['interval']}", *total["notes"]])
            notes = f"<ul class='notes'>{notes}</ul>"
        fig.shown = shown
        table = ("<table><tr><th>stratum</th><th class='n'>documented</th><th class='n'>estimated</th>"
                 "<th class='n'>95% interval</th></tr>" + "".join(rows) + "</table>")
        return self._block(fig, table + notes, kwargs.get("caption", ""))

    def recommendations(self, intervention_id: int, **kwargs: Any) -> str:
        """An intervention's recommendations by theme, each with the records that support it."""
        fig, res = self._run("recommendations", "recommendations", {"intervention_id": intervention_id, **kwargs})
        self._private_rows(fig, res.levels, "the intervention")
        items = []
        for _rid, theme, text, support in res.value:
            label = self.app.vocab.label("intervention_themes", theme)
            cited, withheld = [], 0
            for entry, level in record_queries.supporting_levels(self.session, self.actor, support):
                if "query" in entry:
                    # a live figure: {"query": "victims", "args": {...}, "label": "civilians killed"}
                    args = dict(entry.get("args") or {})
                    label_text = str(entry.get("label") or entry["query"])
                    cited.append(f"{escape(label_text)}: {self.n(entry['query'], title=label_text, **args)}")
                elif "figure" in entry:
                    cited.append(escape(str(entry["figure"])))
                elif level is None or (self.edition.public and level != "public"):
                    withheld += 1
                else:
                    cited.append(f"{escape(entry['entity'].replace('_', ' '))} {int(entry['id'])}")
            if withheld:
                cited.append(f"{withheld} record(s) not shown in this edition")
            sup = f"<p class='support'>Supported by: {'; '.join(cited)}</p>" if cited else ""
            items.append(f"<li><span class='theme'>{escape(label)}</span> {escape(text)}{sup}</li>")
        fig.shown = [r[1] for r in res.value]
        return self._block(fig, f"<ol class='recs'>{''.join(items)}</ol>", kwargs.get("caption", ""))

    def functions(self) -> dict[str, Any]:
        return {"n": self.n, "table": self.table, "chart": self.chart, "map": self.map, "compare": self.compare,
                "estimates": self.estimates, "recommendations": self.recommendations}


def _pct(x: float) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def _records_word(entity: str, n: int) -> str:
    word = {"incident": "incident", "custody_episode": "custody episode", "displacement": "displacement record",
            "hazard_area": "hazard area", "intervention": "recommendation"}.get(entity, entity)
    return word if n == 1 else word + "s"
