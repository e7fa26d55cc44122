"""``svidok share …``: exchange packages with partner organisations' Svidok installations."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from . import lazy
from .common import cli_actor, console, print_json, run

sharing = lazy.module("svidok.services.sharing")
share_export = lazy.module("svidok.services.share_export")
share_import = lazy.module("svidok.services.share_import")
share_review = lazy.module("svidok.services.share_review")
share_keys = lazy.module("svidok.services.share_keys")

share_app = typer.Typer(help="Exchange signed, encrypted packages of records with partner organisations.",
                        no_args_is_help=True)
partner_app = typer.Typer(help="Partners: their public keys and what they receive.", no_args_is_help=True)
share_app.add_typer(partner_app, name="partner")


@share_app.command("keys")
def keys(organisation: str = typer.Option(None, "--organisation", help="this installation's organisation (first time only)"),
         rotate: bool = typer.Option(False, "--rotate", help="replace this installation's key pair (the old one is kept "
                                                             "in keys/retired/); send the new public keys to every partner"),
         reason: str = typer.Option(None, "--reason", help="why the keys are replaced (with --rotate; in the ledger)")) -> None:
    """Print this installation's public exchange keys (made once, with --organisation, the first time)."""
    def go(app):
        if rotate:
            return share_keys.rotate_own_keys(app, cli_actor(), reason or "")
        if sharing.identity(app) is None:
            return sharing.create_keys(app, cli_actor(), organisation or "")
        return sharing.public_keys(app)

    print_json(run(go))


@partner_app.command("add")
def partner_add(name: str = typer.Argument(..., help="short name: the partner's namespace is share:NAME"),
                organisation: str = typer.Option(..., "--organisation", help="as the partner's `share keys` prints it"),
                encryption_key: str = typer.Option(..., "--encryption-key", help="the partner's X25519 public key"),
                signing_key: str = typer.Option(..., "--signing-key", help="the partner's Ed25519 public key"),
                notes: str = typer.Option(None, "--notes")) -> None:
    """Add a partner. Compare the key ids printed here with the partner by another channel (phone, in person)."""
    print_json(run(lambda app: sharing.add_partner(app, cli_actor(), name, organisation, encryption_key, signing_key, notes)))


@partner_app.command("keys")
def partner_keys(name: str = typer.Argument(...),
                 encryption_key: str = typer.Option(None, "--encryption-key", help="the partner's new X25519 public key"),
                 signing_key: str = typer.Option(None, "--signing-key", help="the partner's new Ed25519 public key"),
                 reason: str = typer.Option(..., "--reason", help="why, and how the new key ids were checked")) -> None:
    """Replace a partner's public key(s) with the new ones it sent. The old ones are kept as retired: a package
    signed with the old signing key is refused from now on, naming the key and this replacement."""
    print_json(run(lambda app: share_keys.rotate_partner_keys(app, cli_actor(), name, encryption_key=encryption_key,
                                                              signing_key=signing_key, reason=reason)))


@partner_app.command("retired-keys")
def partner_retired_keys(name: str = typer.Argument(None, help="a partner (default: this installation's own keys)")) -> None:
    """Keys replaced so far: when, by whom and why."""
    print_json(run(lambda app: share_keys.retired_keys(app, cli_actor(), name)))


@partner_app.command("rule")
def partner_rule(name: str = typer.Argument(...),
                 filter_json: str = typer.Option(None, "--filter", help='incident filter as JSON, e.g. {"place": "UA63…"}'),
                 ceiling: str = typer.Option(None, "--ceiling", help="highest confidentiality level shared"),
                 consent: str = typer.Option(None, "--consent", help="share_prosecutors | publish: which source consent counts"),
                 coordinates: str = typer.Option(None, "--coordinates", help="hromada | exact"),
                 evidence: str = typer.Option(None, "--evidence", help="hashes | files | none: evidence hashes only, or the files themselves"),
                 victim_names: bool = typer.Option(None, "--victim-names/--no-victim-names",
                                                   help="share named victims as persons, or only anonymous victims")) -> None:
    """Change what a partner receives."""
    flt = json.loads(filter_json) if filter_json else None
    print_json(run(lambda app: sharing.set_rule(app, cli_actor(), name, filter=flt, ceiling=ceiling, consent=consent,
                                                coordinates=coordinates, evidence=evidence, victim_names=victim_names)))


@share_app.command("partners")
def partners() -> None:
    """Partners, their key ids, rules and the last package sent and received."""
    print_json(run(lambda app: sharing.partners(app, cli_actor())))


@share_app.command("export")
def export(partner: str = typer.Argument(...),
           out: Path = typer.Option(None, "--out", "-o", help="file to write (default PARTNER-SEQUENCE.svidok-share)")) -> None:
    """Write a package for PARTNER: signed by this installation, encrypted to the partner."""
    def go(app):
        tmp = Path(f".{partner}.svidok-share.part") if out is None else out.with_name(out.name + ".part")
        try:
            with tmp.open("wb") as fh:
                got = share_export.export(app, cli_actor(), partner, fh)
            target = out or Path(f"{partner}-{got['sequence']:05d}.svidok-share")
            tmp.replace(target)
            got["file"] = str(target)
            return got
        finally:
            tmp.unlink(missing_ok=True)

    got = run(go)
    console.print(f"Package {got['sequence']} for {partner}: {got['file']} ({got['bytes']:,} bytes, sha256 {got['sha256']})")
    console.print(", ".join(f"{k} {v:,}" for k, v in got["counts"].items()))


@share_app.command("import")
def import_(file: Path = typer.Argument(..., exists=True, dir_okay=False),
            dry_run: bool = typer.Option(False, "--dry-run", help="check the package and show what it would change; write nothing")) -> None:
    """Check a partner's package (signature, recipient, sequence) and import it into the partner's namespace."""
    got = run(lambda app: share_import.run(app, cli_actor(), file, dry_run=dry_run))
    head = "Would import" if dry_run else "Imported"
    console.print(f"{head} package {got['sequence']} from {got['organisation']} (partner {got['partner']}):")
    for entity, c in got["counts"].items():
        console.print(f"  {entity + 's':10s} " + ", ".join(f"{k} {v:,}" for k, v in c.items()))
    for what in ("changed", "withdrawn", "conflict"):
        for item in got[what]:
            console.print(f"  {what}: {item['entity']} {item['local_id']} (theirs {item['origin']['id']}): {item['note']}")
    if got["persons_to_review"]:
        console.print(f"{got['persons_to_review']:,} person record(s) from the partner: run `svidok link run`, then "
                      "`svidok review` to match them with your own (nothing is merged without a reviewer).")


@share_app.command("link")
def link(incident: int = typer.Argument(..., help="the partner's copy"), same_as: int = typer.Argument(..., help="your record"),
         reason: str = typer.Option(..., "--reason")) -> None:
    """Record that two incidents are the same, as a reversible incident merge: figures count them once."""
    print_json(run(lambda app: sharing.link(app, cli_actor(), "incident", incident, same_as, reason)))


@share_app.command("unlink")
def unlink(incident: int = typer.Argument(...), reason: str = typer.Option(..., "--reason")) -> None:
    """Take back a link made with `share link` (undoes its merge)."""
    run(lambda app: sharing.unlink(app, cli_actor(), "incident", incident, reason))


@share_app.command("conflicts")
def conflicts(partner: str = typer.Argument(...)) -> None:
    """Records edited here that the partner changed as well: which fields differ, and the partner's values."""
    print_json(run(lambda app: share_review.conflicts(app, cli_actor(), partner)))


@share_app.command("duplicates")
def duplicates(partner: str = typer.Argument(...), limit: int = typer.Option(100, "--limit")) -> None:
    """The partner's incidents on the same day and in the same place as one of yours: link them if they are one."""
    print_json(run(lambda app: share_review.duplicate_candidates(app, cli_actor(), partner, limit)))
