"""Render a brief: a Markdown + Jinja2 template whose figures are live queries, into one HTML page
(cover, contents, body, annex of figure references) ready for the browser or for PDF.

A template starts with YAML front matter between ``---`` lines::

    ---
    title: Monthly civilian harm update
    title_uk: Щомісячне оновлення про шкоду цивільним
    params:
      month: {default: "2026-10", help: "the month, YYYY-MM"}
    ---
    In {{ params.month }}, {{ n("victims", harm="killed", date_from=params.month, date_to=params.month) }} …
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import markdown
import yaml
from markdown.extensions.toc import slugify_unicode
from markupsafe import Markup

import svidok
from svidok.core.actors import Actor
from svidok.core.messages import M_
from svidok.figures import queries
from svidok.stats.estimate_strata import json_safe

from .book import Book, BriefError, Figure
from .editions import Edition
from .prefetch import MEMO, Planner, prefetch

if TYPE_CHECKING:
    from svidok.app import Svidok

TEMPLATES = Path(__file__).resolve().parent / "templates"
SUFFIX = ".md.j2"


@dataclass(frozen=True)
class BriefTemplate:
    name: str
    path: Path
    meta: dict

    @property
    def title(self) -> str:
        return self.meta.get("title", self.name)

    def defaults(self) -> dict:
        return {k: (v or {}).get("default") for k, v in (self.meta.get("params") or {}).items()}


@dataclass
class Brief:
    template: BriefTemplate
    edition: Edition
    params: dict
    html: str
    figures: list[Figure]
    headings: list[tuple[int, str, str]] = field(default_factory=list)  # (level, id, text)


def _split_front_matter(text: str, name: str) -> tuple[dict, str]:
    """Front matter and the body, the front matter's lines kept blank so line numbers stay true."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---\n", 4)
    if end < 0:
        raise BriefError(name, 1, "front matter opened with '---' is never closed")
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as exc:
        raise BriefError(name, 1, f"front matter is not valid YAML: {exc}") from None
    blank = "\n" * (text[: end + 5].count("\n"))
    return meta, blank + text[end + 5:]


def load_template(ref: str | Path) -> BriefTemplate:
    """A shipped template by name (``monthly_update``) or a template file by path."""
    path = Path(ref)
    if not path.suffix and not path.exists():
        path = TEMPLATES / f"{ref}{SUFFIX}"
    if not path.is_file():
        raise BriefError(str(ref), None, f"no such template (shipped: {', '.join(t.name for t in list_templates())})")
    name = path.name.removesuffix(SUFFIX)
    meta, _ = _split_front_matter(path.read_text(encoding="utf-8"), path.name)
    return BriefTemplate(name, path, meta)


def list_templates() -> list[BriefTemplate]:
    return [load_template(p) for p in sorted(TEMPLATES.glob(f"*{SUFFIX}"))]


class _Loader(jinja2.BaseLoader):
    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        path = Path(template)
        if not path.is_file():
            path = TEMPLATES / template
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        _, body = _split_front_matter(path.read_text(encoding="utf-8"), path.name)
        mtime = path.stat().st_mtime
        return body, str(path), lambda: path.stat().st_mtime == mtime


def _environment(app=None) -> jinja2.Environment:
    env = jinja2.Environment(loader=_Loader(), undefined=jinja2.StrictUndefined, autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    if app is not None:
        # {{ "mine_action" | label("intervention_themes", "uk") }}
        env.filters["label"] = lambda code, vocab, lang="en": app.vocab.label(vocab, code, lang)
    return env


def _line_of(tb) -> int | None:
    line = None
    while tb is not None:
        tpl = tb.tb_frame.f_globals.get("__jinja_template__")
        if tpl is not None:
            line = tpl.get_corresponding_lineno(tb.tb_lineno)
        elif tb.tb_frame.f_code.co_filename.endswith(SUFFIX):
            line = tb.tb_lineno  # a frame Jinja rewrote to point at the template line itself
        tb = tb.tb_next
    return line


def _prefetched(app: Svidok, actor: Actor, env: jinja2.Environment, tpl: BriefTemplate, edition: Edition,
                params: dict, progress=None) -> dict:
    """Answers to the template's queries, computed in parallel (empty if planning fails)."""
    planner = Planner(edition.public)
    try:
        env.get_template(str(tpl.path)).render(params=params, edition=edition, meta=tpl.meta, **planner.functions())
    except Exception:
        return {}
    return prefetch(app, actor, planner.planned, progress=progress)


def render(app: Svidok, actor: Actor, ref: str | Path, edition: Edition | None = None,
           params: dict | None = None, prefetch_queries: bool = True, progress=None) -> Brief:
    """Render a template to a complete HTML document; raises :class:`BriefError` on any bad figure.

    The figures' queries are first run in parallel (``prefetch_queries``; ``progress(done, total)``
    as each is answered), then the template is rendered with their answers."""
    edition = edition or Edition()
    tpl = load_template(ref)
    merged = tpl.defaults()
    unknown = set(params or {}) - set(merged)
    if unknown:
        raise BriefError(tpl.path.name, None, f"unknown parameter(s) {', '.join(sorted(unknown))} "
                                              f"(this template takes: {', '.join(merged) or 'none'})")
    merged.update({k: v for k, v in (params or {}).items() if v is not None})
    missing = [k for k, v in merged.items() if v is None]
    if missing:
        raise BriefError(tpl.path.name, None, f"parameter(s) {', '.join(missing)} must be given")
    env = _environment(app)
    memo = _prefetched(app, actor, env, tpl, edition, merged, progress) if prefetch_queries else {}
    with app.db.session() as s:
        s.info[MEMO] = memo
        book = Book(app, s, actor, edition)
        try:
            jt = env.get_template(str(tpl.path))
            body_md = jt.render(params=merged, edition=edition, meta=tpl.meta, **book.functions())
        except BriefError:
            raise
        except jinja2.TemplateSyntaxError as exc:
            raise BriefError(tpl.path.name, exc.lineno, f"template syntax: {exc.message}") from None
        except Exception as exc:
            raise BriefError(tpl.path.name, _line_of(sys.exc_info()[2]), f"{type(exc).__name__}: {exc}") from None
    md = markdown.Markdown(extensions=["tables", "toc", "attr_list", "sane_lists"],
                           extension_configs={"toc": {"slugify": slugify_unicode, "toc_depth": "1-2"}})
    body = md.convert(body_md)
    for token, html in book.blocks.items():
        body = body.replace(f"<p>{token}</p>", html).replace(token, html)
    headings = []

    def walk(tokens: list) -> None:
        for t in tokens:
            headings.append((t["level"], t["id"], t["name"]))
            walk(t["children"])
    walk(md.toc_tokens)
    layout = env.get_template("_layout.html.j2")
    html = layout.render(
        meta=tpl.meta, title=tpl.title, params=merged, edition=edition, body=Markup(body), figures=book.figures,
        headings=headings, generated=datetime.now(UTC), version=svidok.__version__,
        actor=actor, css=Markup((TEMPLATES / "brief.css").read_text(encoding="utf-8")),
    )
    return Brief(tpl, edition, merged, html, book.figures, headings)


def to_pdf(brief: Brief) -> bytes:
    """The brief as a PDF, with page numbers in its table of contents."""
    from .pdf import html_to_pdf

    label = "PUBLIC" if brief.edition.public else "INTERNAL — NOT FOR DISTRIBUTION"
    return html_to_pdf(brief.html, brief.template.title, label, brief.headings)


def write(brief: Brief, out: str | Path) -> Path:
    """Write the brief to ``out``: ``.html`` or ``.pdf`` by the suffix."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".pdf"):
        raise BriefError(brief.template.name, None, f"output must end in .html or .pdf, not {out.name!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".html":
        out.write_text(brief.html, encoding="utf-8")
    else:
        out.write_bytes(to_pdf(brief))
    return out


def reproduce(app: Svidok, actor: Actor, name: str, args: dict) -> dict:
    """One figure's raw result over the records ``actor`` may see, with its data date (``svidok brief query``)."""
    try:
        with app.db.session() as s:
            res = queries.run(app, s, actor, name, **args)
            as_of = queries.data_as_of(s, res.entity, actor)
    except queries.QueryError as exc:
        raise BriefError(M_("query %(name)s", name=name), None, str(exc)) from None
    value = res.value.to_dict() if hasattr(res.value, "to_dict") else res.value
    return {"query": name, "args": args, "kind": res.kind, "value": json_safe(value), "records": res.records,
            "entity": res.entity, "unit": res.unit, "data_as_of": as_of.isoformat() if as_of else None}
