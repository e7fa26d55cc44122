"""Spreadsheet imports: validate every row, then write whole batches, resumably.

``run(app, actor, path, mapping, dry_run=True)`` reads and checks the whole file and
reports each bad row with the reason, writing nothing. Without ``dry_run`` the good
rows go in one transaction per batch; each batch commits with its ledger entry and the
import run's progress (``ImportRun``), so a process killed at any moment leaves whole
batches only. Running the same file again resumes an unfinished run, and source keys
(``import_source`` + ``source_key``) make rows already stored add nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.domain.ledger import content_hash
from svidok.interop import mapping as mapping_mod
from svidok.interop.convert import ParsedRow, Problem, RowConverter
from svidok.interop.tables import Table, TableError, read_table
from svidok.storage.models import ImportRun

from . import bulk, import_pipeline, ledger, places, row_commitments
from .demo_data import TABLES, Batch
from .import_rows import BatchCounts, BatchWriter, Group

if TYPE_CHECKING:
    from svidok.app import Svidok

MAX_PROBLEMS = 100_000
_PLACE_KINDS = ("raion", "hromada", "oblast", "район", "територіальна громада", "область")
_PLACE_PREFIXES = ("м. ", "м.", "с. ", "с.", "смт ", "смт. ", "селище ", "місто ", "city of ")


@dataclass
class ImportReport:
    file: str
    sha256: str
    mapping: str
    dry_run: bool
    rows_read: int = 0
    rows_bad: int = 0
    rows_skipped: int = 0
    counts: BatchCounts = field(default_factory=BatchCounts)
    problems: list[Problem] = field(default_factory=list)
    problems_not_listed: int = 0
    notes: list[str] = field(default_factory=list)
    run_id: int | None = None
    resumed_after_batches: int = 0
    batches: int = 0

    @property
    def rows_ok(self) -> int:
        return self.rows_read - self.rows_bad - self.rows_skipped

    def problem(self, p: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(p)
        else:
            self.problems_not_listed += 1

    def to_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k not in ("problems", "counts")}
        out.update(rows_ok=self.rows_ok, counts=asdict(self.counts),
                   problems=[asdict(p) for p in self.problems])
        return out


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def place_lookup(app: Svidok) -> Callable[[str], tuple]:
    """``places.resolve`` by name or code, also without a "м."/"с." prefix; one query per distinct value."""

    def lookup(ref: str) -> tuple:
        candidates = [ref] + [ref[len(p):].strip() for p in _PLACE_PREFIXES if ref.lower().startswith(p)]
        # "Iziumskyi" / "Iziumska" as ACLED and others write raions and hromadas
        candidates += [f"{ref} {kind}" for kind in _PLACE_KINDS]
        with app.db.session() as s:
            for c in candidates:
                try:
                    place = places.resolve(s, c)
                except ValidationFailed:
                    continue
                if place is not None:
                    # A settlement without coordinates gets those of the smallest unit around it that has them.
                    located = next((p for p in reversed(places.ancestors(s, place)) if p.lat is not None), None)
                    if located is None:
                        return place.id, None, None, place.level
                    return place.id, located.lat, located.lon, located.level
        raise ValueError(f"unknown place {ref!r} (give a gazetteer code, or the exact English or Ukrainian name)")

    return lookup


def open_file(app: Svidok, path: Path, mapping: mapping_mod.Mapping, table: Table | None = None) -> tuple[Table, RowConverter]:
    """The table (read from ``path`` unless given) and the compiled mapping; ValidationFailed naming every mapping problem."""
    if table is None:
        try:
            table = read_table(path, mapping.encoding, mapping.delimiter, mapping.sheet, mapping.header_row)
        except (TableError, OSError) as exc:
            raise ValidationFailed(FieldError("file", str(exc))) from None
    problems = mapping.check(table.header)
    if problems:
        raise ValidationFailed([FieldError("mapping", p) for p in problems])
    return table, RowConverter(mapping, table.header, app.vocab, place_lookup(app))


def checked_rows(table: Table, conv: RowConverter, report: ImportReport) -> Iterator[ParsedRow]:
    """Good rows; bad ones (and duplicate row keys) go to the report with their reasons."""
    seen: dict[str, int] = {}
    keyed = bool(conv.mapping.keys.row)
    try:
        for number, raw in table.rows:
            report.rows_read += 1
            if conv.skip and conv.skipped(raw):
                report.rows_skipped += 1
                continue
            row, problems = conv.convert(number, raw)
            if row is not None and keyed:
                first = seen.setdefault(row.row_key, number)
                if first != number:
                    problems = [Problem(number, "keys.row", f"duplicate row key {row.row_key!r} (first used on row {first})",
                                        column=conv.mapping.keys.row[0], value=row.row_key)]
                    row = None
            if row is None:
                report.rows_bad += 1
                for p in problems:
                    report.problem(p)
                continue
            row.notes = table.row_notes.get(number, [])
            yield row
    except TableError as exc:
        # The rest of the file cannot be read (e.g. a byte that is not in the encoding): say where, keep what was read.
        report.problem(Problem(report.rows_read + 1, "file", str(exc)))
        report.rows_bad += 1


def batches(rows: Iterator[ParsedRow], size: int) -> Iterator[list[Group]]:
    """Groups of rows by incident key, cut into batches of about ``size`` rows between incidents."""
    groups: dict[str, Group] = {}
    n = 0
    last = None
    for row in rows:
        if n >= size and row.incident_key != last:
            yield list(groups.values())
            groups, n = {}, 0
        g = groups.get(row.incident_key)
        if g is None:
            g = groups[row.incident_key] = Group(row.incident_key)
        g.rows.append(row)
        n += 1
        last = row.incident_key
    if groups:
        yield list(groups.values())


def _find_run(app: Svidok, name: str, sha: str) -> ImportRun | None:
    with app.db.session() as s:
        return s.scalar(select(ImportRun).where(ImportRun.name == name, ImportRun.file_sha256 == sha,
                                                ImportRun.status == "running").order_by(ImportRun.id.desc()).limit(1))


def run(app: Svidok, actor: Actor, path: Path | str, mapping: mapping_mod.Mapping, dry_run: bool = False,
        progress: Callable[[int], None] | None = None, table: Table | None = None,
        parallel: bool = False) -> ImportReport:
    """Validate (and unless ``dry_run`` write) a spreadsheet; see the module docstring.

    ``table``: rows already read from ``path`` by another reader (e.g. form submissions).
    ``parallel``: validate in a forked second process while this one writes
    (``services.import_pipeline``; command line only, never inside a server).
    """
    path = Path(path)
    if not dry_run:
        access.require_writer(actor)
    sha = file_sha256(path)
    table, conv = open_file(app, path, mapping, table)
    report = ImportReport(path.name, sha, mapping.name, dry_run, notes=list(table.notes))
    if table.encoding:
        report.notes.append(f"read as {table.encoding}, separator {table.delimiter!r}")
    writer = BatchWriter(app, actor, mapping.name, mapping.synthetic)
    mapping_dump = mapping.model_dump(mode="json", exclude_defaults=True)
    run_name = f"import:{mapping.name}"
    run_id, skip = None, 0
    if not dry_run:
        old = _find_run(app, run_name, sha)
        with app.db.session() as s:
            if old is not None and old.mapping == mapping_dump:
                run_id, skip = old.id, (old.counts or {}).get("batches", 0)
                for k, v in ((old.counts or {}).get("added") or {}).items():
                    setattr(report.counts, k, v)
            else:
                r = ImportRun(name=run_name, file_sha256=sha, mapping=mapping_dump, actor=actor.username,
                              counts={"batches": 0}, status="running", notes=f"file {path.name}")
                s.add(r)
                s.flush()
                run_id = r.id
                ledger.append(s, actor.username, "import.start", "import_run", run_id,
                              {"file_sha256": sha, "mapping": content_hash(mapping_dump), "file": path.name})
        report.run_id, report.resumed_after_batches = run_id, skip
    # One connection set up for bulk writing (services.bulk.loading); into empty SQLite tables
    # indexes are built once at the end, except the acts-by-incident index: a re-imported
    # incident's stored acts are looked up with it.
    loading = nullcontext() if dry_run else bulk.loading(app.db.engine, TABLES, keep={"ix_acts_incident_id"})
    def produce() -> Iterator[Pending]:
        for groups in batches(checked_rows(table, conv, report), mapping.batch_size):
            yield Pending(sum(len(g.rows) for g in groups), groups[0].key, groups[-1].key, groups)

    def planned() -> Iterator[Pending]:
        # In the child: rows are built here too, ahead of the writer; the parent only inserts.
        with app.db.session() as s:
            writer.ahead_of_the_writer(s)
        for i, p in enumerate(produce()):
            if i >= skip:  # a short read transaction per batch: the writer commits in between
                with app.db.session() as s:
                    p.rows, p.counts = writer.plan(s, p.groups)
                    if p.rows is not None:
                        row_commitments.pre_seal(p.rows)  # in the planning child when there is one
            p.groups = None
            yield p

    ahead = parallel and not dry_run and app.db.dialect == "sqlite"
    with bulk.no_gc_pauses(), loading as conn:
        pending = import_pipeline.batches_from_child(app, planned, report) if ahead else produce()
        for i, p in enumerate(pending):
            report.batches = i + 1
            if i >= skip:  # earlier batches were committed by the interrupted run
                _write_batch(app, conn, actor, writer, p, i, run_id, report, dry_run)
            if progress:
                progress(p.rows_in)
    if not dry_run:
        summary = {"batches": report.batches, "added": asdict(report.counts), "rows_read": report.rows_read,
                   "rows_bad": report.rows_bad, "problems": len(report.problems) + report.problems_not_listed}
        with app.db.session() as s:
            s.execute(update(ImportRun).where(ImportRun.id == run_id).values(
                counts=summary, status="finished", finished_at=datetime.now(UTC)))
            ledger.append(s, actor.username, "import.finish", "import_run", run_id,
                          {"file_sha256": sha, "mapping": content_hash(mapping_dump), "counts": summary})
    return report


@dataclass
class Pending:
    """One batch of the file on its way to the database: its groups of rows, or (planned
    ahead in ``import_pipeline``'s child) the table rows to insert and their counts."""

    rows_in: int
    first_key: str
    last_key: str
    groups: list[Group] | None
    rows: Batch | None = None
    counts: BatchCounts | None = None


def _write_batch(app: Svidok, conn: Connection | None, actor: Actor, writer: BatchWriter, p: Pending, i: int,
                 run_id: int | None, report: ImportReport, dry_run: bool) -> None:
    """One transaction: the batch's rows, its ledger entry and the run's progress (or, dry, only the counts)."""
    with (app.db.session() if conn is None else _session_on(conn)) as s:
        s.info["svidok_actor"] = actor.username  # the rows' ledger commitment is made in their name
        if p.counts is None:
            got = writer.write(s, p.groups, dry=dry_run)
        else:
            got = p.counts
            if p.rows is not None:
                bulk.insert_batch(s, p.rows, actor.username)
        if not dry_run:
            ledger.append(s, actor.username, "import.batch", "import_run", run_id, {
                "batch": i, "first_key": p.first_key, "last_key": p.last_key, "counts": asdict(got)})
            total = BatchCounts(**asdict(report.counts))
            total.add(got)
            s.execute(update(ImportRun).where(ImportRun.id == run_id).values(
                counts={"batches": i + 1, "added": asdict(total)}))
    report.counts.add(got)  # only once the transaction has committed


@contextmanager
def _session_on(conn: Connection) -> Iterator[Session]:
    with Session(bind=conn) as s, s.begin():
        yield s


def run_file(app: Svidok, actor: Actor, path: Path | str, mapping_path: Path | str, dry_run: bool = False,
             progress: Callable[[int], None] | None = None) -> ImportReport:
    try:
        mapping = mapping_mod.load(mapping_path)
    except mapping_mod.MappingError as exc:
        raise ValidationFailed(FieldError("mapping", str(exc))) from None
    return run(app, actor, path, mapping, dry_run, progress, parallel=import_pipeline.worth_it(Path(path)))
