"""``svidok link``: cluster person records from a CSV file, one cluster per person."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from svidok.linkage.backends import BACKENDS, BackendError
from svidok.linkage.columns import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

from . import lazy

linkage = lazy.module("svidok.linkage")

_COLUMNS_HELP = "\n\n".join(
    [f"Required columns: {', '.join(REQUIRED_COLUMNS)} (name: the full name as recorded, any script)."]
    + ["Optional columns:"]
    + [f"  {c}: {d}" for c, d in OPTIONAL_COLUMNS.items()]
)


def _read_labels(path: Path) -> list[linkage.LabelledPair]:
    """CSV with record_id_l, record_id_r, decision (accepted/rejected, match/non-match, 1/0)."""
    out = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"record_id_l", "record_id_r", "decision"} - set(reader.fieldnames or [])
        if missing:
            raise linkage.CsvError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for i, row in enumerate(reader, start=1):
            d = row["decision"].strip().lower()
            if d in ("accepted", "match", "1", "yes", "true"):
                out.append(linkage.LabelledPair(row["record_id_l"], row["record_id_r"], True))
            elif d in ("rejected", "non-match", "nonmatch", "0", "no", "false"):
                out.append(linkage.LabelledPair(row["record_id_l"], row["record_id_r"], False))
            else:
                raise linkage.CsvError(f"{path}: row {i}: decision {row['decision']!r} is not accepted/rejected")
    return out


def link(
    persons: Annotated[Path, typer.Argument(help="CSV of person records.", exists=True, dir_okay=False)],
    out: Annotated[Path, typer.Option("--out", help="Write record_id,cluster_id,match_probability here.")],
    pairs: Annotated[Path | None, typer.Option(help="Also write scored candidate pairs (for review).")] = None,
    issues: Annotated[Path | None, typer.Option(help="Write row issues as CSV (default: print them).")] = None,
    labels: Annotated[Path | None, typer.Option(
        help="Reviewed pairs: CSV record_id_l,record_id_r,decision (accepted/rejected).")] = None,
    model_out: Annotated[Path | None, typer.Option("--model-out", help="Save the trained model (JSON).")] = None,
    threshold: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Match probability that joins two records (and two groups of records, "
                               "by all their pairs together).")] = 0.5,
    review_threshold: Annotated[float, typer.Option(min=0.0, max=1.0,
                                                    help="Lowest probability of pairs written to --pairs.")] = 0.5,
    backend: Annotated[str | None, typer.Option(
        help=f"Engine: {' or '.join(BACKENDS)} (default: SVIDOK_LINKAGE_BACKEND or duckdb).")] = None,
    encoding: Annotated[str | None, typer.Option(
        help="Force the file encoding (default: UTF-8, with or without BOM, else Windows-1251).")] = None,
) -> None:
    console = Console(stderr=True)
    for name, value in (("--threshold", threshold), ("--review-threshold", review_threshold)):
        if not 0 < value < 1:  # 0 and 1 are infinite match weights
            console.print(f"[red]error:[/red] {name} must be strictly between 0 and 1, not {value}")
            raise typer.Exit(2)
    for target in (out, pairs, issues, model_out):
        if target is not None and not target.parent.is_dir():
            console.print(f"[red]error:[/red] cannot write {target}: folder {target.parent} does not exist")
            raise typer.Exit(2)
    try:
        with console.status("reading records") as status:
            records = linkage.read_person_csv(persons, encoding=encoding)
            reviewed = _read_labels(labels) if labels else []
            config = linkage.LinkageConfig(threshold=threshold, review_threshold=min(review_threshold, threshold),
                                   backend=backend)
            result = linkage.link_records(records, labels=reviewed, config=config,
                                  progress=lambda msg: status.update(msg))
    except (linkage.CsvError, BackendError) as e:
        console.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None

    _write_csv(out, result.clusters, ["record_id", "cluster_id", "match_probability"])
    if pairs:
        _write_csv(pairs, result.pairs, ["record_id_l", "record_id_r", "match_probability",
                                         "match_weight", "decided"])
    if model_out:
        model_out.write_text(json.dumps(result.model, ensure_ascii=False, indent=1), encoding="utf-8")
    _report_issues(console, result.issues, issues)
    n_clusters = result.clusters["cluster_id"].nunique()
    linked = int(result.clusters["match_probability"].notna().sum())
    console.print(
        f"{len(result.clusters):,} records -> {n_clusters:,} persons "
        f"({linked:,} records linked to another) in "
        f"{sum(result.timings.values()):.1f} s on {os.cpu_count()} cores; written to {out}"
    )


link.__doc__ = "\n\n".join([
    "Find records of the same person within and across sources; write one cluster per person.",
    "The model is trained on the file itself (no labelled data needed); reviewed pairs given "
    "with --labels refine it and are always honoured. Rows that cannot be used are reported by "
    "row number and field, never dropped silently: a record without a usable name gets a "
    "cluster of its own. A missing required column or an unreadable file stops before any work "
    "(exit code 2).",
    "Output: record_id, cluster_id (the smallest record_id in the cluster), match_probability "
    "(the strongest link of the record inside its cluster; empty for a record alone).",
    _COLUMNS_HELP,
])


def _write_csv(path: Path, df, columns: list[str]) -> None:
    df = df[columns].copy()
    if "match_probability" in df:
        df["match_probability"] = df["match_probability"].round(6)
    df.to_csv(path, index=False, encoding="utf-8", na_rep="")


def _report_issues(console: Console, issues: list, path: Path | None) -> None:
    if not issues:
        return
    if path:
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["row", "record_id", "field", "excluded", "message"])
            for i in issues:
                w.writerow([i.row, i.record_id, i.field, "yes" if i.excluded else "no", i.message])
        console.print(f"[yellow]{len(issues):,} row issue(s) written to {path}[/yellow]")
        return
    table = Table(title=f"{len(issues):,} row issue(s)", show_lines=False)
    for col in ("row", "record_id", "field", "problem"):
        table.add_column(col)
    for i in issues[:50]:
        table.add_row(str(i.row), i.record_id, i.field, i.message)
    console.print(table)
    if len(issues) > 50:
        console.print(f"... and {len(issues) - 50:,} more; use --issues FILE to get them all")
