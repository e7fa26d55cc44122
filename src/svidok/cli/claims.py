"""``svidok claims …``: claims to the Register of Damage for Ukraine — prepared here, never submitted."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from . import lazy
from .common import cli_actor, console, print_json, run

if TYPE_CHECKING:
    from svidok.app import Svidok

claims = lazy.module("svidok.services.claims")
claim_figures = lazy.module("svidok.figures.claims")
claim_dossier = lazy.module("svidok.reports.claim_dossier")

claims_app = typer.Typer(help="Claims to the Register of Damage (RD4U): categories, who may claim, checklists, dossiers.",
                         no_args_is_help=True)
STATUS = {"held": "[green]holds[/green]", "partly": "[yellow]partly[/yellow]", "lacking": "[red]lacks[/red]",
          "claimant": "[blue]claimant provides[/blue]"}


@claims_app.command("categories")
def categories(as_json: bool = typer.Option(False, "--json")) -> None:
    """The Register's claim categories in force, with their source and date."""
    def go(app: Svidok):
        c = claims.categories(app)
        if as_json:
            print_json([{"code": x.code, "en": x.label("en"), "uk": x.label("uk"), "confirmed": x.confirmed,
                         "claimant": x.claimant} for x in c.categories])
            return
        t = Table(title=f"{c.register}: categories as of {c.as_of}")
        for col in ("code", "category", "категорія", "who claims", "confirmed"):
            t.add_column(col)
        for x in c.categories:
            t.add_row(x.code, x.label("en"), x.label("uk"), x.claimant, "yes" if x.confirmed else "[yellow]no[/yellow]")
        console.print(t)
        console.print("Sources: " + "; ".join(c.source))
    run(go)


@claims_app.command("assess")
def assess(person: int = typer.Argument(..., help="Person id (the victim)"),
           purpose: str = typer.Option(None, help="Show family members' names (cleared roles; the read is logged)"),
           as_json: bool = typer.Option(False, "--json")) -> None:
    """Which categories the documented facts support, who may claim, and the checklist of the claim form."""
    def go(app: Svidok):
        a = claims.assess(app, cli_actor(), person, protected=bool(purpose), purpose=purpose)
        if as_json:
            print_json(a)
            return
        console.print(f"[bold]{a['person']['full_name']}[/bold] (person {person}) — {a['register']}, "
                      f"categories as of {a['categories_as_of']}. Prepared here, never submitted.")
        if not a["categories"]:
            console.print("No category is supported by the documented facts.")
        for c in a["categories"]:
            flag = "" if c["confirmed"] else " [yellow](code not confirmed)[/yellow]"
            console.print(f"\n[bold]{c['code']} {c['en']}[/bold] / {c['uk']}{flag}")
            console.print("  facts: " + "; ".join(f"{f['record']} ({f['date']})" for f in c["facts"]))
            who = ", ".join(f"{r['relationship']}" + (f" {r['name']}" if r.get("name") else "") for r in c["claimants"])
            console.print(f"  claimant: {c['claimant']}" + (f" — recorded: {who}" if who else ""))
            for i in c["checklist"]:
                console.print(f"  {STATUS[i['status']]:>30}  {i['en']}" + (f" — {i['detail']}" if i["detail"] else ""))
            console.print(f"  evidence: {len(c['evidence'])} file(s)")
    run(go)


@claims_app.command("family-add")
def family_add(person: int = typer.Argument(..., help="Person id (the victim)"),
               relationship: str = typer.Option(..., help="parent, spouse, civil_partner, child, sibling, grandparent, "
                                                          "grandchild, legal_guardian, other"),
               consent_date: str = typer.Option(..., help="When the family consented (a partial date)"),
               consent: bool = typer.Option(False, "--consent", help="The family consented to being recorded (required)"),
               name: str = typer.Option(None, help="Stored encrypted"),
               contact: str = typer.Option(None, help="Stored encrypted"),
               scope: str = typer.Option(None, help="What the consent covers"),
               representative: str = typer.Option(None, help="Who acts for the claimant")) -> None:
    """Record a close family member who may claim, with the family's consent."""
    def go(app: Svidok):
        r = claims.add_relative(app, cli_actor(), person, relationship, name, consent, consent_date, contact, scope,
                                representative)
        console.print(f"[green]Family member {r['id']} recorded[/green] ({r['relationship']} of person {person}).")
    run(go)


@claims_app.command("family-withdraw")
def family_withdraw(relative: int = typer.Argument(...), reason: str = typer.Option(...)) -> None:
    """Withdraw a family member (e.g. consent withdrawn); kept with the reason."""
    run(lambda app: (claims.withdraw_relative(app, cli_actor(), relative, reason),
                     console.print(f"Family member {relative} withdrawn.")))


@claims_app.command("dossier")
def dossier(person: int = typer.Argument(...), out: Path = typer.Option(..., "--out", "-o", help="The zip to write"),
            category: list[str] = typer.Option(None, "--category", help="Only these categories (repeatable)"),
            evidence: list[int] = typer.Option(None, "--evidence", help="Only these evidence items (repeatable)"),
            purpose: str = typer.Option(None, help="Include family members' names (cleared roles; logged)")) -> None:
    """Write the claim dossier: PDF in Ukrainian and English, evidence files, SHA256SUMS (recorded in the ledger)."""
    def go(app: Svidok):
        r = claim_dossier.create(app, cli_actor(), person, out, category or None, evidence or None, purpose)
        console.print(f"[green]Dossier written[/green]: {r['path']} (sha256 {r['sha256']}), categories "
                      f"{', '.join(r['categories']) or 'none'}, {len(r['evidence'])} evidence file(s); "
                      f"ledger entry {r['ledger_seq']}. Not submitted: the claimant files it with the Register.")
    run(go)


@claims_app.command("figures")
def figures(as_json: bool = typer.Option(False, "--json"),
            by_oblast: bool = typer.Option(False, "--by-oblast", help="One row per category and oblast")) -> None:
    """How many documented victims and families could claim per category (and oblast), and how many dossiers exist."""
    def go(app: Svidok):
        f = claim_figures.by_oblast(app, cli_actor())
        if as_json:
            print_json(f)
            return
        rows = f["rows"] if by_oblast else f["totals"]
        t = Table(title=f"Could claim to the {f['register']} (categories as of {f['categories_as_of']})")
        for col in ("category", *(("oblast",) if by_oblast else ()), "could claim", "claimant recorded",
                    "dossier prepared", "not yet"):
            t.add_column(col)
        for r in rows:
            who = " (families)" if r["counts_families"] else ""
            t.add_row(f"{r['category']} {r['category_en']}{who}", *((r["oblast_en"],) if by_oblast else ()),
                      str(r["could_claim"]), str(r["claimant_recorded"]), str(r["dossier_prepared"]),
                      str(r["not_yet_prepared"]))
        console.print(t)
    run(go)
