"""Tree heads kept outside the database: exported for the administrator, checked by `verify --head`.

Someone who can write the database can delete the newest ledger entries together with
the newest tree heads; the chain and the remaining heads then look whole. A head kept
elsewhere (a file the administrator exported, or the head a bundle carries) catches it:
the ledger must still hash to that head's root and may only have grown since.
"""

from __future__ import annotations

import base64
import json
import os
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.evidence import bundle_verify as bv
from svidok.evidence.merkle import MerkleTree
from svidok.evidence.signing import SignatureError, SignedTreeHead, key_id, verify_tree_head

if TYPE_CHECKING:
    from svidok.app import Svidok


def export_head(app: Svidok, path: Path) -> dict:
    """Seal the ledger (if anything is new) and write its newest signed head to ``path``."""
    from .evidence import public_key
    from .ledger_sealing import seal

    head = seal(app)
    sth = SignedTreeHead.from_dict(head)
    body = {**sth.to_dict(), "public_key_pem": public_key(app)["public_key_pem"]}
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(body, indent=1) + "\n")
    os.replace(tmp, path)
    return {**sth.to_dict(), "path": str(path)}


def read_head(path: Path) -> SignedTreeHead:
    """A head exported by :func:`export_head`, or the one inside an evidence bundle (.tar)."""
    path = Path(path)
    try:
        if tarfile.is_tarfile(path):
            with tarfile.open(path) as tar:
                signed = json.loads(tar.extractfile(f"{bv.ROOT_DIR}/{bv.TREE_HEAD}").read())
                signature = tar.extractfile(f"{bv.ROOT_DIR}/{bv.TREE_HEAD_SIG}").read()
            return SignedTreeHead(signed["tree_size"], signed["root_hash"], signed["timestamp"], signed["key_id"],
                                  base64.b64encode(signature).decode("ascii"))
        return SignedTreeHead.from_dict(json.loads(path.read_text()))
    except (OSError, KeyError, TypeError, ValueError, AttributeError, tarfile.TarError) as exc:
        raise ValidationFailed([FieldError("head", M_("%(path)s: not a tree head file or evidence bundle (%(exc)s)", path=path, exc=exc))]) from exc


def check_head(tree: MerkleTree, sth: SignedTreeHead, public_key, where: str) -> list[str]:
    """Problems of the ledger against a head kept outside it (empty: the ledger contains and extends it)."""
    label = f"tree head kept outside the database ({where}: {sth.tree_size} entries, signed {sth.timestamp})"
    try:
        verify_tree_head(sth, public_key)
    except SignatureError as exc:
        return [f"{label}: {exc} (installation key {key_id(public_key)})"]
    if sth.tree_size > tree.size:
        return [f"{label}: the ledger now has only {tree.size} entries, {sth.tree_size - tree.size} fewer than that "
                f"head sealed: entries were removed (the tail cut off, with the tree heads that covered it)"]
    if tree.root(sth.tree_size).hex() != sth.root_hash:
        return [f"{label}: the ledger's first {sth.tree_size} entries no longer hash to its root {sth.root_hash} "
                "(entries rewritten or removed)"]
    return []
