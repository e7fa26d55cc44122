"""The ``svidok`` command: a thin shell over the services."""

from __future__ import annotations

import typer

from . import admin, dump, records

app = typer.Typer(
    name="svidok",
    help="Svidok: document violations, keep evidence verifiable, turn records into figures.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

app.command("init")(admin.init)
app.command("demo")(admin.demo_cmd)
app.command("serve")(admin.serve)
app.command("search")(admin.search)
app.command("export")(dump.export)
app.command("import")(dump.import_)
app.add_typer(records.incident_app, name="incident")
app.add_typer(records.person_app, name="person")
app.add_typer(admin.vocab_app, name="vocab")
app.add_typer(admin.user_app, name="user")
from svidok.cli import link as _link; app.command("link")(_link.link)  # noqa: E402,E702
from svidok.cli import estimate as _estimate; _estimate.register(app)  # noqa: E402,E702
from svidok.cli import evidence as _evidence; _evidence.register(app)  # noqa: E402,E702
from svidok.cli import keys as _keys; _keys.register(_evidence.key_app)  # noqa: E402,E702
from svidok.cli import advocacy as _adv, brief as _brief; app.add_typer(_brief.brief_app, name="brief"); app.add_typer(_adv.intervention_app, name="intervention")  # noqa: E402,E702
from svidok.cli import interop as _interop; app.add_typer(_interop.interop_app, name="interop")  # noqa: E402,E702
from svidok.cli import custody as _custody, review as _review; app.add_typer(_custody.custody_app, name="custody"); app.add_typer(_review.review_app, name="review")  # noqa: E402,E702
from svidok.cli import stats as _stats; app.add_typer(_stats.stats_app, name="stats")  # noqa: E402,E702
from svidok.cli import jobs as _jobs; app.add_typer(_jobs.jobs_app, name="jobs"); app.command("worker")(_jobs.worker)  # noqa: E402,E702


def main() -> None:  # pragma: no cover - entry point
    app()
