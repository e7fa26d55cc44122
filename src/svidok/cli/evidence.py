"""Commands for the evidence vault: evidence, seal, verify, bundle, key.

``register(app)`` adds them all to the main ``svidok`` command.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from svidok.core.errors import FieldError, ValidationFailed

from . import lazy
from .common import actor_named, cli_actor, console, err_console, print_json, run

if TYPE_CHECKING:
    from svidok.app import Svidok

evidence = lazy.module("svidok.services.evidence")
evidence_reading = lazy.module("svidok.services.evidence_reading")
ledger_sealing = lazy.module("svidok.services.ledger_sealing")
evidence_similar = lazy.module("svidok.services.evidence_similar")
evidence_bundles = lazy.module("svidok.services.evidence_bundles")
integrity = lazy.module("svidok.services.integrity")
evidence_migration = lazy.module("svidok.services.evidence_migration")
evidence_c2pa = lazy.module("svidok.services.evidence_c2pa")
ledger_heads = lazy.module("svidok.services.ledger_heads")
row_commitments = lazy.module("svidok.services.row_commitments")


evidence_app = typer.Typer(help="Evidence files: add, show, download, custody, assessments, proofs.", no_args_is_help=True)
bundle_app = typer.Typer(help="Case bundles for a prosecutor: create and verify offline.", no_args_is_help=True)
key_app = typer.Typer(help="The installation's keys: the signing key (Ed25519) and the field-encryption key.",
                      no_args_is_help=True)


def _when(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(FieldError("acquired_at", f"{text!r} is not an ISO date/time such as 2022-03-09T14:20")) from None


@evidence_app.command("add")
def add(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    incident: int = typer.Option(None, help="Incident the item documents"),
    source: int = typer.Option(None, help="Source that supplied it"),
    case: int = typer.Option(None, help="Case it belongs to (need-to-know)"),
    confidentiality: str = typer.Option("restricted"),
    acquired_by: str = typer.Option(None, help="Who collected it"),
    acquired_at: str = typer.Option(None, help="When it was collected (ISO 8601)"),
    method: str = typer.Option(None, help="How: camera, screen_capture, download, handed_over, …"),
    device: str = typer.Option(None, help="Device it was collected with"),
    url: str = typer.Option(None, help="Where it was found online"),
    person: str = typer.Option(None, help="Person who handed it over (pseudonym)"),
    sha256: str = typer.Option(None, help="Declared SHA-256: the upload is refused if it differs"),
    purpose: str = typer.Option(None, help="Why it is collected"),
    graphic: bool = typer.Option(False, "--graphic", help="Graphic content: blurred for users who ask for it"),
) -> None:
    """Store a file in the vault with its acquisition record; print its metadata and look-alikes."""
    def go(app: Svidok):
        fields = {"incident_id": incident, "source_id": source, "case_id": case, "confidentiality": confidentiality,
                  "acquired_by": acquired_by, "acquired_at": _when(acquired_at), "acquisition_method": method,
                  "acquisition_device": device, "acquisition_url": url, "acquisition_person": person,
                  "graphic": graphic or None}
        with open(file, "rb", buffering=0) as fh:
            out = evidence.ingest(app, cli_actor(), fh, original_name=file.name, expected_sha256=sha256,
                                  purpose=purpose, **{k: v for k, v in fields.items() if v is not None})
        console.print(f"[green]Evidence {out['id']} stored[/green]: {out['sha256']} ({out['media_type']}, {out['size']} bytes)")
        for p in (out.get("extracted") or {}).get("problems", []):
            console.print(f"  [yellow]note:[/yellow] {p}")
        for w in out.get("metadata_warnings", []):
            console.print(f"  [yellow]metadata:[/yellow] {w['text']['en']}")
        if out["same_file_as"]:
            console.print(f"  identical file already recorded as evidence {', '.join(map(str, out['same_file_as']))}")
        for hit in out["similar"]:
            console.print(f"  looks like evidence {hit['evidence_id']} (perceptual distance {hit['distance']})")
    run(go)


@evidence_app.command("show")
def show(evidence_id: int, purpose: str = typer.Option(None, help="Why you look (recorded)")) -> None:
    """Print an item with metadata, custody events and assessments (the access is recorded)."""
    run(lambda app: print_json(evidence.record_access(app, cli_actor(), evidence_id, purpose)))


@evidence_app.command("near-duplicates")
def near_duplicates(evidence_id: int, max_distance: int = typer.Option(
        48, help="Most differing bits of 256 (PDQ) for two frames to count as the same")) -> None:
    """Photos and videos sharing a frame with an item (re-posts, re-encodings, stills), nearest first."""
    run(lambda app: print_json(evidence_similar.near_duplicates(app, cli_actor(), evidence_id, max_distance)))


@evidence_app.command("get")
def get(evidence_id: int, output: Path = typer.Option(..., "-o", "--output"),
        purpose: str = typer.Option(..., help="Why you download it (recorded)")) -> None:
    """Copy the original file out of the vault, hashing it on the way (the download is recorded)."""
    def go(app: Svidok):
        dl = evidence_reading.download(app, cli_actor(), evidence_id, purpose, chunk=4 << 20)
        try:
            with open(output, "wb") as out:
                dl.read_all_to(out)
        except BaseException:  # a copy that is not the original is not left behind
            dl.close()
            output.unlink(missing_ok=True)
            raise
        console.print(f"{output}: {dl.info['size']} bytes, sha256 {dl.sha256_read} (checked)")
    run(go)


@evidence_app.command("transfer")
def transfer(evidence_id: int, purpose: str = typer.Option(..., help="To whom and why")) -> None:
    """Record a hand-over of an item in its chain of custody."""
    run(lambda app: print_json(evidence.transfer(app, cli_actor(), evidence_id, purpose)))


@evidence_app.command("assess")
def assess(evidence_id: int, kind: str = typer.Option(..., help="verification_methods term, e.g. geolocation"),
           method: str = typer.Option(..., help="What was done"), result: str = typer.Option(..., help="What was found"),
           confidence: str = typer.Option(..., help="low, medium or high")) -> None:
    """Record a verification assessment of an item."""
    run(lambda app: print_json(evidence.assess(app, cli_actor(), evidence_id, kind=kind, method=method,
                                               result=result, confidence=confidence)))


@evidence_app.command("proof")
def proof(evidence_id: int) -> None:
    """Inclusion proof: the item's acquisition is in the latest signed tree head (JSON)."""
    run(lambda app: print_json(ledger_sealing.inclusion_proof(app, cli_actor(), evidence_id)))


@evidence_app.command("migrate")
def migrate(
    to: str = typer.Option(..., "--to", help="Target store: s3 (configured by the SVIDOK_S3_* settings)"),
    remove_local: bool = typer.Option(False, "--remove-local",
                                      help="Delete each local file once its copy is verified (default: keep them)"),
) -> None:
    """Copy every evidence file to another store, re-hash each copy there; resumes where a crash stopped it."""
    def go(app: Svidok):
        out = evidence_migration.migrate(app, cli_actor(), to=to, remove_local=remove_local,
                                         progress=lambda m: err_console.print(f"migrated {m}"))
        console.print(f"{out['files']} file(s): {out['copied']} copied, {out['already_there']} already in the "
                      f"target, {out['verified_before']} verified by an earlier run, {out['removed']} local file(s) "
                      f"removed; target {out['target']}")
        for f in out["failed"]:
            console.print(f"[red]FAIL[/red]  {f}")
        for sha in out["missing"]:
            console.print(f"[red]MISSING[/red]  evidence file {sha} is in neither store")
        if out["failed"] or out["missing"]:
            raise typer.Exit(1)
        console.print(f"[green]every file verified in {out['target']}[/green]; now set SVIDOK_EVIDENCE_BACKEND={to}")
    run(go)


@evidence_app.command("c2pa-recheck")
def c2pa_recheck(everything: bool = typer.Option(False, "--all",
                                                 help="Every item with C2PA credentials, not only those judged "
                                                      "with another trust list")) -> None:
    """Re-examine C2PA content credentials with the current trust list (SVIDOK_C2PA_TRUST_ANCHORS).

    Run it after changing the trust list: items judged with another list get the new verdict as a
    new version (the old one stays in their history and the ledger); evidence files are only read."""
    def go(app: Svidok):
        out = evidence_c2pa.recheck(app, cli_actor(), everything=everything)
        console.print(f"{out['examined']} item(s) re-examined: {out['changed']} verdict(s) changed, "
                      f"{out['unchanged']} unchanged; {out['skipped']} left as they are (judged with this "
                      "trust list, or failed or not examined: no trust list changes that)")
        for f in out["failed"]:
            console.print(f"[red]FAIL[/red]  {f}")
        if out["failed"]:
            raise typer.Exit(1)
    run(go)


def seal(export: Path = typer.Option(None, "--export", dir_okay=False,
                                     help="Also write the signed head to this file, to keep outside the database")) -> None:
    """Seal the ledger: sign a Merkle tree head over every entry so far (RFC 3161-stamped by each SVIDOK_TSA_URLS)."""
    def go(app: Svidok):
        head = ledger_sealing.seal(app)
        state = "new tree head" if head["new"] else "already sealed"
        console.print(f"{state}: {head['tree_size']} entries, root {head['root_hash']}, key {head['key_id']}")
        for t in head.get("timestamps", []):
            if "error" in t:
                err_console.print(f"[yellow]no timestamp[/yellow] from {t['error']}")
            elif t.get("kind") == "opentimestamps":
                console.print(f"OpenTimestamps proof {t['id']} from {t['tsa_url']}: {t['status']} "
                              "(`svidok ots-upgrade` later completes it)")
                for p in t.get("problems", []):
                    err_console.print(f"[yellow]calendar failed[/yellow]: {p}")
            else:
                console.print(f"timestamped by {t['tsa_url']} at {t['time']} (serial {t['serial']})")
        if export is not None:
            ledger_heads.export_head(app, export)
            console.print(f"{export}: keep it outside this machine; `svidok verify --head {export}` checks against it")
    run(go)


@evidence_app.command("graphic")
def graphic_mark(evidence_id: int = typer.Argument(...),
                 off: bool = typer.Option(False, "--off", help="Take the mark away"),
                 reason: str = typer.Option(None, help="Why (kept in the item's history)")) -> None:
    """Mark an item graphic (blurred for users who ask for it), or take the mark away with --off."""
    def go(app: Svidok):
        out = evidence.mark_graphic(app, cli_actor(), evidence_id, not off, reason)
        console.print(f"evidence {evidence_id}: {'marked graphic' if out['graphic'] else 'not marked graphic'} "
                      f"(version {out['version']})")
    run(go)


def ots_upgrade() -> None:
    """Complete pending OpenTimestamps proofs from the configured calendars (needs the network).

    Asks each calendar of SVIDOK_OTS_CALENDARS for the Bitcoin path of each pending proof; run it
    hours after a seal, and again until all are complete."""
    def go(app: Svidok):
        from svidok.services import timestamps

        rows = timestamps.upgrade_ots(app, cli_actor().username)
        for r in rows:
            blocks = ", ".join(map(str, r["bitcoin_blocks"])) or "—"
            console.print(f"proof {r['id']}: {r['status']} (Bitcoin block {blocks})")
            for p in r["problems"]:
                console.print(f"  {p}")
        if not rows:
            console.print("no pending OpenTimestamps proofs")
    run(go)


def export_head(output: Path = typer.Argument(..., dir_okay=False, help="File to write the signed head to")) -> None:
    """Seal the ledger and write its newest signed tree head to a file kept outside the database.

    `svidok verify --head FILE` later shows whether the ledger still contains that head
    (nothing cut off its end, nothing rewritten) and only grew since."""
    def go(app: Svidok):
        out = ledger_heads.export_head(app, output)
        console.print(f"{output}: tree head of {out['tree_size']} entries, root {out['root_hash']}, key {out['key_id']}")
    run(go)


def commit_existing() -> None:
    """Commit to the ledger, as they are now, the record rows no commitment covers yet.

    For an installation upgraded from a version without row commitments (`svidok verify`
    lists such rows as "not committed"): check the data by other means first, then run once."""
    def go(app: Svidok):
        out = row_commitments.adopt(app, cli_actor().username)
        console.print(", ".join(f"{n:,} {t}" for t, n in out.items()) + " committed" if out else
                      "every record row is already committed")
    run(go)


def verify(skip_files: bool = typer.Option(False, help="Only check that files exist, do not re-hash them"),
           head: list[Path] = typer.Option([], "--head", exists=True, dir_okay=False,
                                           help="A tree head kept outside the database (from `svidok ledger export-head` "
                                                "or an evidence bundle) that the ledger must contain (repeatable)"),
           as_json: bool = typer.Option(False, "--json")) -> None:
    """Re-read records, ledger, tree heads and evidence files; name everything that no longer matches."""
    def go(app: Svidok):
        outside = [(str(h), ledger_heads.read_head(h)) for h in head]
        report = integrity.verify(app, check_files=not skip_files, heads=outside,
                                  progress=None if as_json else lambda m: err_console.print(f"checking {m} …"))
        if as_json:
            print_json(report.as_dict())
        else:
            console.print(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in report.counts.items()))
            for w in report.warnings:
                console.print(f"[yellow]WARN[/yellow]  {w}")
            for p in report.problems:
                console.print(f"[red]FAIL[/red]  {p}")
            console.print("[green]everything matches[/green]" if report.ok else
                          f"[red]{len(report.problems)} problem(s)[/red]")
        if not report.ok:
            raise typer.Exit(1)
    run(go)


@bundle_app.command("create")
def bundle_create(
    output: Path = typer.Option(..., "-o", "--output", help="The bundle file (.tar)"),
    incident: list[int] = typer.Option([], help="Incident whose evidence goes in (repeatable)"),
    case: int = typer.Option(None, help="Case whose evidence goes in"),
    evidence_id: list[int] = typer.Option([], "--evidence", help="Evidence item (repeatable)"),
    purpose: str = typer.Option(..., help="For whom and why (recorded as an export in each item's custody)"),
    as_user: str = typer.Option(None, "--as", help="The user whose need-to-know applies (default: the "
                                                   "administrator running the CLI)"),
) -> None:
    """Write a self-contained, signed bundle of the selected evidence for offline verification."""
    def go(app: Svidok):
        actor = actor_named(app, as_user) if as_user else cli_actor()
        out = evidence_bundles.create(app, actor, output, incident_ids=incident, case_id=case,
                                      evidence_ids=evidence_id, purpose=purpose)
        console.print(f"[green]{out['path']}[/green]: {out['items']} item(s), {out['bytes']} bytes of evidence; "
                      f"tree head {out['tree_size']} entries, key id {out['key_id']}")
    run(go)


@bundle_app.command("verify")
def bundle_verify(bundle: Path = typer.Argument(..., exists=True, dir_okay=False),
                  public_key: Path = typer.Option(None, exists=True, dir_okay=False,
                                                  help="The sender's public key (PEM), obtained separately")) -> None:
    """Check a bundle offline: archive, signatures, file hashes, inclusion proofs."""
    report = evidence_bundles.verify(bundle, public_key.read_bytes() if public_key else None)
    console.print(report.text(), markup=False, highlight=False)
    if not report.ok:
        raise typer.Exit(1)


@key_app.command("show")
def key_show() -> None:
    """Print the public key (PEM) and its key id, to publish through a separate channel."""
    def go(app: Svidok):
        k = evidence.public_key(app)
        console.print(f"key id: {k['key_id']}")
        console.print(k["public_key_pem"], markup=False, highlight=False)
    run(go)


@key_app.command("export")
def key_export(output: Path = typer.Option(..., "-o", "--output")) -> None:
    """Write the public key (PEM) to a file, for recipients of bundles."""
    def go(app: Svidok):
        k = evidence.public_key(app)
        output.write_text(k["public_key_pem"])
        console.print(f"{output}: key id {k['key_id']}")
    run(go)


ledger_app = typer.Typer(help="The hash-chained ledger: heads kept outside the database.", no_args_is_help=True)
ledger_app.command("export-head")(export_head)
ledger_app.command("commit-existing")(commit_existing)
