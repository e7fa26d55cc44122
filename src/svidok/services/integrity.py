"""`svidok verify`: re-read records, ledger, tree heads and evidence files; name what no longer matches.

- ledger: every entry re-hashed and re-chained (``svidok.evidence.ledger_check``);
- tree heads: signed by the installation key, and the ledger still hashes to each root;
- record versions: each version's content is in the ledger; each record's current columns
  equal its latest version (a change made behind Svidok's back shows here);
- custody events: each one's content equals what its ledger entry hashed;
- evidence files: present, right size, right SHA-256; stray files and leftovers noted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from svidok.domain.ledger import content_hash
from svidok.evidence.ledger_check import ROW_FIELDS, TreeHeadRow, check_chain, check_tree_heads
from svidok.evidence.merkle import MerkleTree
from svidok.evidence.signing import key_path
from svidok.storage.models import Base, CustodyEvent, EvidenceItem, LedgerEntry, RecordVersion, TreeHead

from . import history
from .evidence import CUSTODY_ENTITY, custody_content, evidence_store, installation_key

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


def verify(app, check_files: bool = True, progress: Callable[[str], None] | None = None) -> IntegrityReport:  # noqa: ANN001
    say = progress or (lambda _msg: None)
    report = IntegrityReport()
    with app.db.session() as s:
        say("ledger")
        cols = [getattr(LedgerEntry, f) for f in ROW_FIELDS]
        rows = s.execute(select(*cols).order_by(LedgerEntry.seq).execution_options(yield_per=20_000))
        chain = check_chain(rows)
        report.problems += [str(p) for p in chain.problems]
        report.counts["ledger_entries"] = chain.entries
        say("tree heads")
        _tree_heads(app, s, MerkleTree(chain.leaves), report)
        del chain
        say("records")
        _records(s, report)
        say("custody events")
        _custody(s, report)
        say("evidence files")
        _files(app, s, report, check_files)
    return report


def _tree_heads(app, s, tree: MerkleTree, report: IntegrityReport) -> None:  # noqa: ANN001
    heads = [TreeHeadRow(h.id, h.tree_size, h.root_hash, h.at, h.key_id, h.signature)
             for h in s.scalars(select(TreeHead).order_by(TreeHead.id))]
    report.counts["tree_heads"] = len(heads)
    if not heads:
        report.warnings.append("the ledger has never been sealed: run `svidok seal`")
        return
    if not key_path(app.settings.data_dir).exists():
        report.problems.append(f"installation key {key_path(app.settings.data_dir)} is missing: tree heads cannot be checked")
        return
    report.problems += [str(p) for p in check_tree_heads(tree, heads, installation_key(app).public_key())]
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


def _norm(value):  # noqa: ANN001, ANN202
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


def _records(s, report: IntegrityReport) -> None:  # noqa: ANN001
    hashes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entity, record_id, ch in s.execute(select(LedgerEntry.entity, LedgerEntry.record_id, LedgerEntry.content_hash)):
        hashes[(entity, record_id)].add(ch)
    latest: dict[tuple[str, int], RecordVersion] = {}
    n = 0
    for v in s.scalars(select(RecordVersion).order_by(RecordVersion.id).execution_options(yield_per=5_000)):
        n += 1
        if content_hash({"after": v.after, "reason": v.reason}) not in hashes.get((v.entity, str(v.record_id)), ()):
            report.problems.append(f"{v.entity} {v.record_id} version {v.version} ({v.op}, {v.at:%Y-%m-%d %H:%M}): "
                                   "differs from what the ledger recorded (history edited)")
        latest[(v.entity, v.record_id)] = v
    report.counts["record_versions"] = n
    models = _models_by_entity()
    for (entity, record_id), v in latest.items():
        model = models.get(entity)
        if model is None or v.after is None:
            continue
        obj = s.get(model, record_id)
        if obj is None:
            report.problems.append(f"{entity} {record_id}: record is gone from the database (its history remains)")
            continue
        columns = {a.key for a in sa_inspect(model).mapper.column_attrs} - _IGNORED_COLUMNS
        now = history.snapshot(obj)
        changed = sorted(k for k in columns if k in v.after and _norm(now.get(k)) != _norm(v.after[k]))
        if changed:
            report.problems.append(f"{entity} {record_id}: {', '.join(changed)} changed outside Svidok "
                                   f"(differs from version {v.version})")
    report.counts["records"] = len(latest)


def _custody(s, report: IntegrityReport) -> None:  # noqa: ANN001
    recorded = dict(s.execute(select(LedgerEntry.record_id, LedgerEntry.content_hash)
                              .where(LedgerEntry.entity == CUSTODY_ENTITY)).all())
    n = 0
    for ev in s.scalars(select(CustodyEvent).order_by(CustodyEvent.id).execution_options(yield_per=10_000)):
        n += 1
        ch = recorded.get(str(ev.id))
        if ch is None:
            report.problems.append(f"custody event {ev.id} (evidence {ev.evidence_id}, {ev.action}): not in the ledger")
        elif content_hash(custody_content(ev)) != ch:
            report.problems.append(f"custody event {ev.id} (evidence {ev.evidence_id}, {ev.action}): "
                                   "differs from what the ledger recorded")
    report.counts["custody_events"] = n


def _files(app, s, report: IntegrityReport, check_files: bool) -> None:  # noqa: ANN001
    store = evidence_store(app)
    known: set[str] = set()
    n = 0
    for item_id, sha, size in s.execute(select(EvidenceItem.id, EvidenceItem.sha256, EvidenceItem.size)
                                        .order_by(EvidenceItem.id)):
        n += 1
        if sha in known:
            continue
        known.add(sha)
        if check_files:
            check = store.verify(sha, size)
            if not check.ok:
                report.problems.append(f"evidence item {item_id}, file {sha}: {check.problem}")
        elif not store.exists(sha):
            report.problems.append(f"evidence item {item_id}, file {sha}: missing from the store")
    report.counts["evidence_items"] = n
    if not check_files:
        report.warnings.append("evidence file contents were not re-hashed (--skip-files)")
    stray = [h for h in store.iter_blobs() if h not in known]
    if stray:
        report.warnings.append(f"{len(stray)} stored file(s) belong to no evidence item, e.g. {stray[0]}")
    stale = store.stale_temp_files()
    if stale:
        report.warnings.append(f"{len(stale)} unfinished upload(s) left in {store.tmp} (safe to delete)")
