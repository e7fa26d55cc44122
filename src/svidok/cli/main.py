"""The ``svidok`` command: a thin shell over the services.

Every command is declared once in :data:`COMMANDS` (its name, where it lives, its one-line
help) and its module is imported only when that command runs or shows its own help, so
``svidok --help`` needs none of the numeric, linkage or database libraries.
"""

from __future__ import annotations

import importlib

import click
import typer
from typer.core import TyperGroup

#: name -> ("module:attribute", one-line help). The attribute is a Typer app (a group, or a
#: single command) or a command function. tests/cli/test_cli_main.py checks the help lines
#: against the commands' own.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("svidok.cli.admin:init", "Create or upgrade the database in the data directory, load the gazetteer, create keys."),
    "demo": ("svidok.cli.admin:demo_cmd", "Create an SQLite database in the data directory (SVIDOK_DATA_DIR, default ./svidok-data), load synthetic demo data if it is empty, and serve the web app and API on http://127.0.0.1:8000."),
    "serve": ("svidok.cli.admin:serve", "Serve the web app and the API."),
    "search": ("svidok.cli.admin:search", "Search incidents and persons in any script (Oleksandr finds Олександр and Александр)."),
    "export": ("svidok.cli.dump:export", "Export the whole database, losslessly, as JSON Lines."),
    "import": ("svidok.cli.dump:import_", "Import a whole-database dump into an empty database (all or nothing), or, with --mapping, a spreadsheet."),
    "link": ("svidok.cli.link:link", "Find records of the same person within and across sources; write one cluster per person."),
    "estimate": ("svidok.cli.estimate:estimate", "Estimate the total number of victims, documented or not, from overlapping lists."),
    "disproportion": ("svidok.cli.estimate:disproportion", "Compare victims' age and sex with the population: shares, rate ratios, plain verdicts."),
    "seal": ("svidok.cli.evidence:seal", "Seal the ledger: sign a Merkle tree head over every entry so far (RFC 3161-stamped by each SVIDOK_TSA_URLS)."),
    "ots-upgrade": ("svidok.cli.evidence:ots_upgrade", "Complete pending OpenTimestamps proofs from the configured calendars (needs the network)."),
    "verify": ("svidok.cli.evidence:verify", "Re-read records, ledger, tree heads and evidence files; name everything that no longer matches."),
    "incident": ("svidok.cli.records:incident_app", "Record and read incidents."),
    "person": ("svidok.cli.records:person_app", "Record and read persons."),
    "vocab": ("svidok.cli.admin:vocab_app", "Vocabularies (violation types, legal provisions, …)."),
    "user": ("svidok.cli.admin:user_app", "Accounts and API tokens."),
    "evidence": ("svidok.cli.evidence:evidence_app", "Evidence files: add, show, download, custody, assessments, proofs."),
    "bundle": ("svidok.cli.evidence:bundle_app", "Case bundles for a prosecutor: create and verify offline."),
    "key": ("svidok.cli.keys:key_app", "The installation's keys: the signing key (Ed25519) and the field-encryption key."),
    "brief": ("svidok.cli.brief:brief_app", "Briefs: Markdown + Jinja2 templates whose figures are live, referenced queries."),
    "intervention": ("svidok.cli.advocacy:intervention_app", "Advocacy interventions: letters and appeals with recommendations and status."),
    "interop": ("svidok.cli.interop:interop_app", "Formats of other systems (ACLED, Uwazi, ODK/Kobo), exports and open data."),
    "claims": ("svidok.cli.claims:claims_app", "Claims to the Register of Damage (RD4U): categories, who may claim, checklists, dossiers."),
    "custody": ("svidok.cli.custody:custody_app", "Detainees, prisoners of war and the disappeared; displacement."),
    "review": ("svidok.cli.review:review_app", "Find records of the same person; accept, reject or undo."),
    "duplicates": ("svidok.cli.duplicates:duplicates_app", "Find incidents reported more than once; same, different or undo."),
    "stats": ("svidok.cli.stats:stats_app", "Statistics on the records: breakdowns of victims."),
    "ledger": ("svidok.cli.evidence:ledger_app", "The hash-chained ledger: heads kept outside the database."),
    "capture": ("svidok.cli.capture:capture", "Preserve web pages: WACZ archive, screenshot, text, metadata and media, each stored as evidence."),
    "captures": ("svidok.cli.capture:captures_app", "Web captures: show one, a batch's state, retry failed URLs, resume a batch, export timestamps."),
    "jobs": ("svidok.cli.jobs:jobs_app", "Background jobs: imports, linkage runs, briefs, bundles, verify."),
    "worker": ("svidok.cli.jobs:worker", "Run background jobs until stopped (SIGTERM or Ctrl-C finish the current job first)."),
    "share": ("svidok.cli.share:share_app", "Exchange signed, encrypted packages of records with partner organisations."),
    "backup": ("svidok.cli.backup:backup_app", "Back up and restore database, evidence files and keys together."),
}


def load(name: str) -> click.Command:
    """The click command of ``name``, importing its module."""
    where, attr = COMMANDS[name][0].split(":")
    target = getattr(importlib.import_module(where), attr)
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)
    else:  # a command function: a one-command app is that command
        single = typer.Typer()
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    # Shell completion is offered once, by ``svidok`` itself, not by each subcommand.
    command.params = [p for p in command.params if p.name not in ("install_completion", "show_completion")]
    return command


class LazyGroup(TyperGroup):
    """Lists :data:`COMMANDS` from their help lines; imports a command's module only to run it."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        if self._listing:
            return click.Command(cmd_name, help=COMMANDS[cmd_name][1])
        return load(cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="svidok",
    cls=LazyGroup,
    help="Svidok: document violations, keep evidence verifiable, turn records into figures.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root() -> None:
    """Svidok: document violations, keep evidence verifiable, turn records into figures."""



def main() -> None:  # pragma: no cover - entry point
    app()
