"""`svidok verify`: re-read records, ledger, tree heads and evidence files; name what no longer matches.

- ledger: every entry re-hashed and re-chained (``svidok.evidence.ledger_check``);
- tree heads: signed by the installation key, and the ledger still hashes to each root;
- record versions: each version's content is in the ledger; each record's current columns
  equal its latest version (a change made behind Svidok's back shows here);
- record rows: every row of every record table equals the copy its ledger commitment
  keeps, per row or per bulk batch (``services.integrity_rows``);
- custody events: each one's content equals what its ledger entry hashed;
- evidence files: present, right size, right SHA-256; stray files and leftovers noted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from svidok.domain.ledger import content_hash
from svidok.evidence.blobs import StoreUnavailableError
from svidok.evidence.ledger_check import ROW_FIELDS, TreeHeadRow, check_chain, check_tree_heads
from svidok.evidence.merkle import MerkleTree
from svidok.evidence.signing import SignedTreeHead, key_path, load_or_create_key
from svidok.storage.models import Base, CustodyEvent, EvidenceItem, LedgerEntry, RecordVersion, TreeHead

from . import history, integrity_rows, ledger_heads, row_commitments
from .evidence import CUSTODY_ENTITY, custody_content, evidence_store

if TYPE_CHECKING:
    from svidok.app import Svidok

_IGNORED_COLUMNS = {"search_text"}


@dataclass
class IntegrityReport:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"ok": self.ok, "problems": self.problems, "warnings": self.warnings, "counts": self.counts}


def verify(app: Svidok, check_files: bool = True, progress: Callable[[str], None] | None = None,
           heads: Sequence[tuple[str, SignedTreeHead]] = ()) -> IntegrityReport:
    """``heads``: (where, head) kept outside the database, which the ledger must contain and extend."""
    say = progress or (lambda _msg: None)
    report = IntegrityReport()
    with app.db.session() as s:
        say("record versions and custody events")
        versions, latest = _expected_versions(s, report)
        custody = _expected_custody(s, report)
        say("ledger")
        conn = s.connection()  # Core rows: no ORM bookkeeping per ledger entry
        cols = [getattr(LedgerEntry, f) for f in ROW_FIELDS]
        rows = conn.execute(select(*cols).order_by(LedgerEntry.seq).execution_options(yield_per=20_000))
        # One pass over the ledger: the chain check consumes the rows while the tap crosses
        # off every record version and custody event the entry backs.
        commits: dict[int, str] = {}
        chain = check_chain(_tap(rows, versions, custody, commits))
        report.problems += [str(p) for p in chain.problems]
        report.counts["ledger_entries"] = chain.entries
        report.problems += [f"{label}: differs from what the ledger recorded (history edited)"
                            for label in versions.values()]
        report.problems += [f"{label}: {why}" for _hash, (label, why) in custody.values()]
        say("tree heads")
        _tree_heads(app, s, MerkleTree(chain.leaves), report, heads, chain_intact=not chain.problems)
        del chain
        say("records")
        _current_records(s, latest, report)
        say("record rows")
        integrity_rows.check(conn, report, commits, say)
        say("evidence files")
        _files(app, s, report, check_files)
        say("timestamps")
        from . import timestamps

        n, problems, warnings = timestamps.check_all(app, s)
        report.counts["timestamps"] = n
        report.problems += problems
        report.warnings += warnings
    return report


def _tap(rows, versions: dict, custody: dict, commits: dict):
    for row in rows:
        entity, record_id, ch = row[4], row[5], row[6]
        if row[3] in row_commitments.ACTIONS:
            commits[row[0]] = ch
        elif entity == CUSTODY_ENTITY:
            expected = custody.get(record_id)
            if expected is not None:
                if expected[0] == ch:
                    del custody[record_id]
                else:
                    custody[record_id] = (None, (expected[1][0], "differs from what the ledger recorded"))
        elif versions:
            versions.pop((entity, record_id, ch), None)
        yield row


def _tree_heads(app: Svidok, s, tree: MerkleTree, report: IntegrityReport, outside: Sequence[tuple[str, SignedTreeHead]],
                chain_intact: bool) -> None:
    heads = [TreeHeadRow(h.id, h.tree_size, h.root_hash, h.at, h.key_id, h.signature)
             for h in s.scalars(select(TreeHead).order_by(TreeHead.id))]
    report.counts["tree_heads"] = len(heads)
    if not heads and not outside:
        report.warnings.append("the ledger has never been sealed: run `svidok seal`")
        return
    if not key_path(app.settings.data_dir).exists():
        report.problems.append(f"installation key {key_path(app.settings.data_dir)} is missing: tree heads cannot be checked")
        return
    public = load_or_create_key(app.settings.data_dir).public_key()  # exists: checked above
    for where, sth in outside:
        report.problems += ledger_heads.check_head(tree, sth, public, where)
    if not heads:
        report.problems.append("the database has no tree head at all, though one was kept outside it "
                               "(tree heads removed)")
        return
    report.problems += [str(p) for p in check_tree_heads(tree, heads, public, chain_intact)]
    unsealed = tree.size - max(h.tree_size for h in heads)
    if unsealed > 0:
        report.warnings.append(f"{unsealed} ledger entries are newer than the last tree head (run `svidok seal`)")


def _models_by_entity() -> dict[str, type]:
    out = {}
    for mapper in Base.registry.mappers:
        table = getattr(mapper.class_, "__tablename__", "")
        for entity in (table[:-1], table[:-2]):  # incidents -> incident, …
            out.setdefault(entity, mapper.class_)
    return out


def _norm(value):
    """Compare times by instant, whatever zone spelling the database returned."""
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)  # naive times from SQLite are UTC
    if isinstance(value, date):
        return value.isoformat()
    return value


def _expected_versions(s, report: IntegrityReport) -> tuple[dict, dict]:
    """(entity, record_id, content_hash) of every record version, and each record's latest version."""
    expected: dict[tuple[str, str, str], str] = {}
    latest: dict[tuple[str, int], int] = {}
    cols = (RecordVersion.id, RecordVersion.entity, RecordVersion.record_id, RecordVersion.version,
            RecordVersion.op, RecordVersion.at, RecordVersion.after, RecordVersion.reason)
    n = 0
    for vid, entity, rid, version, op, at, after, reason in s.connection().execute(
            select(*cols).order_by(RecordVersion.id).execution_options(yield_per=5_000)):
        n += 1
        key = (entity, str(rid), content_hash({"after": after, "reason": reason}))
        expected[key] = f"{entity} {rid} version {version} ({op}, {at:%Y-%m-%d %H:%M})"
        latest[(entity, rid)] = vid
    report.counts["record_versions"] = n
    report.counts["records"] = len(latest)
    return expected, latest


def _expected_custody(s, report: IntegrityReport) -> dict[str, tuple]:
    """custody event id -> (content hash, (label, reason to report unless the ledger backs it))."""
    out = {}
    for ev in s.scalars(select(CustodyEvent).order_by(CustodyEvent.id).execution_options(yield_per=10_000)):
        label = f"custody event {ev.id} (evidence {ev.evidence_id}, {ev.action})"
        out[str(ev.id)] = (content_hash(custody_content(ev)), (label, "not in the ledger"))
    report.counts["custody_events"] = len(out)
    s.expunge_all()
    return out


def _current_records(s, latest: dict[tuple[str, int], int], report: IntegrityReport) -> None:
    """Each record's columns must equal its latest version (else it was changed behind Svidok's back)."""
    models = _models_by_entity()
    by_entity: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for (entity, rid), vid in latest.items():
        if entity in models:
            by_entity[entity].append((rid, vid))
    for entity, pairs in by_entity.items():
        model = models[entity]
        columns = {a.key for a in sa_inspect(model).mapper.column_attrs} - _IGNORED_COLUMNS
        for i in range(0, len(pairs), 500):
            batch = dict(pairs[i : i + 500])
            objs = {o.id: o for o in s.scalars(select(model).where(model.id.in_(batch)))}
            versions = {v.id: v for v in s.scalars(select(RecordVersion).where(RecordVersion.id.in_(batch.values())))}
            for rid, vid in batch.items():
                v = versions[vid]
                if v.after is None:
                    continue
                obj = objs.get(rid)
                if obj is None:
                    report.problems.append(f"{entity} {rid}: record is gone from the database (its history remains)")
                    continue
                now = history.snapshot(obj)
                changed = sorted(k for k in columns if k in v.after and _norm(now.get(k)) != _norm(v.after[k]))
                if changed:
                    report.problems.append(f"{entity} {rid}: {', '.join(changed)} changed outside Svidok "
                                           f"(differs from version {v.version})")
            s.expunge_all()  # keep memory flat on large databases


def _files(app: Svidok, s, report: IntegrityReport, check_files: bool) -> None:
    """Every evidence item's file is in the store (and, unless skipped, still hashes to its name)."""
    store = evidence_store(app)
    first_item: dict[str, int] = {}
    sizes: dict[str, int] = {}
    n = 0
    for item_id, sha, size in s.execute(select(EvidenceItem.id, EvidenceItem.sha256, EvidenceItem.size)
                                        .order_by(EvidenceItem.id)):
        n += 1
        if sha not in first_item:
            first_item[sha], sizes[sha] = item_id, size
    report.counts["evidence_items"] = n
    try:
        if check_files:
            for check in store.verify_many(sizes.items()):
                if not check.ok:
                    report.problems.append(f"evidence item {first_item[check.sha256]}, file {check.sha256}: "
                                           f"{check.problem}")
        else:
            report.warnings.append("evidence file contents were not re-hashed (--skip-files)")
            for sha in sizes:
                if not store.exists(sha):
                    report.problems.append(f"evidence item {first_item[sha]}, file {sha}: missing from the store")
        stray = [h for h in store.iter_hashes() if h not in first_item]
        if stray:
            report.warnings.append(f"{len(stray)} stored file(s) belong to no evidence item, e.g. {stray[0]}")
        stale = store.unfinished_uploads()
        if stale:
            report.warnings.append(f"{len(stale)} unfinished upload(s) left in {store.location} (safe to delete), "
                                   f"e.g. {stale[0]}")
    except StoreUnavailableError as exc:
        report.problems.append(f"evidence files not checked: {exc}")
