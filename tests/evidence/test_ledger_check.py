"""The ledger check names the entry where a removal, reordering or edit shows."""

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from svidok.domain.ledger import CHAINED_FIELDS, entry_hash
from svidok.evidence.ledger_check import TreeHeadRow, check_chain, check_tree_heads, row_entry_hash
from svidok.evidence.merkle import MerkleTree
from svidok.evidence.signing import load_or_create_key, sign_tree_head

from .ledger_fixture import build_ledger, rows


def ledger(n=10):
    return build_ledger([("incident.create", "incident", i, {"title": f"synthetic {i}"}) for i in range(n)])


def messages(result):
    return [str(p) for p in result.problems]


def test_intact_ledger_has_no_problems():
    result = check_chain(rows(ledger()))
    assert result.problems == [] and result.entries == 10 and len(result.leaves) == 10


def test_removed_entry_is_named():
    entries = ledger()
    del entries[4]  # seq 5
    msgs = messages(check_chain(rows(entries)))
    assert msgs[0] == "ledger seq 6: entries seq 5 are missing here (removed or moved)"
    assert any(m.startswith("ledger seq 6: prev_hash is not the hash") for m in msgs)


def test_reordered_entries_are_named():
    entries = ledger()
    entries[3], entries[4] = entries[4], entries[3]
    msgs = messages(check_chain(rows(entries)))
    assert msgs[0] == "ledger seq 5: entries seq 4 are missing here (removed or moved)"
    assert "ledger seq 4: out of order or duplicated (expected seq 6)" in msgs
    assert any(m.startswith("ledger seq 5: prev_hash") for m in msgs)


def test_reordered_and_renumbered_entries_are_named():
    entries = ledger()
    a, b = dict(entries[4]), dict(entries[3])
    a["seq"], b["seq"] = 4, 5
    entries[3], entries[4] = a, b
    msgs = messages(check_chain(rows(entries)))
    assert msgs[0].startswith("ledger seq 4: fields no longer match entry_hash")
    assert msgs[1].startswith("ledger seq 4: prev_hash")


def test_edited_entry_is_named_even_when_its_hash_is_recomputed():
    entries = ledger()
    entries[6]["actor"] = "someone_else"
    assert messages(check_chain(rows(entries)))[0].startswith("ledger seq 7: fields no longer match entry_hash")
    entries[6]["entry_hash"] = entry_hash(entries[6])  # a careful forger rehashes the entry
    assert messages(check_chain(rows(entries))) == [
        "ledger seq 8: prev_hash is not the hash of the entry before it (an entry was removed, inserted or reordered)"
    ]


def heads_for(entries, key, sizes):
    tree = MerkleTree(bytes.fromhex(e["entry_hash"]) for e in entries)
    out = []
    for i, n in enumerate(sizes, start=1):
        sth = sign_tree_head(key, n, tree.root(n))
        out.append(TreeHeadRow(i, n, sth.root_hash, sth.timestamp, sth.key_id, sth.signature))
    return out


def test_tree_heads_catch_a_rewritten_tail_and_removed_last_entries(tmp_path):
    key = load_or_create_key(tmp_path)
    entries = ledger(20)
    heads = heads_for(entries, key, [5, 12, 20])
    pub = key.public_key()
    assert check_tree_heads(MerkleTree(bytes.fromhex(e["entry_hash"]) for e in entries), heads, pub) == []

    # The whole tail from seq 10 rewritten consistently: the chain alone looks fine...
    forged = [dict(e) for e in entries]
    prev = forged[8]["entry_hash"]
    for e in forged[9:]:
        e["actor"], e["prev_hash"] = "forger", prev
        e["entry_hash"] = prev = entry_hash(e)
    assert check_chain(rows(forged)).problems == []
    tree = MerkleTree(bytes.fromhex(e["entry_hash"]) for e in forged)
    msgs = [str(p) for p in check_tree_heads(tree, heads, pub)]
    assert len(msgs) == 2 and msgs[0].startswith("tree head 2 (size 12") and "no longer hash to the signed root" in msgs[0]

    # Last three entries deleted: only the head sealing 20 can tell.
    short = MerkleTree(bytes.fromhex(e["entry_hash"]) for e in entries[:17])
    msgs = [str(p) for p in check_tree_heads(short, heads, pub)]
    assert msgs == [f"tree head 3 (size 20, signed {heads[2].at}): seals 20 entries but the ledger has only 17 (3 removed from the end)"]
    # One entry removed from the middle: the head's message does not claim the end.
    middle = [e for e in entries if e["seq"] != 5]
    assert "seq 5 are missing" in " ".join(str(p) for p in check_chain(rows(middle)).problems)
    msgs = [str(p) for p in check_tree_heads(MerkleTree(bytes.fromhex(e["entry_hash"]) for e in middle), heads, pub,
                                             chain_intact=False)]
    assert "seals 20 entries but the ledger has only 19 (1 removed; see the ledger problems above for where)" in msgs[-1]
    assert not any("from the end" in m for m in msgs)


def test_forged_tree_head_signature_is_named(tmp_path):
    key = load_or_create_key(tmp_path)
    entries = ledger(8)
    head = heads_for(entries, key, [8])[0]
    forged = dataclasses.replace(head, at="2020-01-01T00:00:00.000000Z")
    tree = MerkleTree(bytes.fromhex(e["entry_hash"]) for e in entries)
    msgs = [str(p) for p in check_tree_heads(tree, [forged], key.public_key())]
    assert msgs == ["tree head 1 (size 8, signed 2020-01-01T00:00:00.000000Z): signature does not verify: the tree head was altered or forged"]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=2**53), st.lists(st.text(), min_size=7, max_size=7))
def test_fast_row_hash_equals_the_domain_definition(seq, texts):
    fields = dict(zip(CHAINED_FIELDS, [seq, *texts], strict=True))
    assert row_entry_hash(tuple(fields[k] for k in CHAINED_FIELDS)) == entry_hash(fields)


def test_unusual_types_fall_back_to_the_domain_definition():
    fields = {"seq": 1, "at": None, "actor": "a", "action": "b", "entity": "c", "record_id": 7,
              "content_hash": "d", "prev_hash": "e"}
    assert row_entry_hash(tuple(fields[k] for k in CHAINED_FIELDS)) == entry_hash(fields)
