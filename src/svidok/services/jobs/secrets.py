"""Secret job parameters (a backup's passphrase): kept in the job's row encrypted with the field
keyring under a ``secret_`` name, never shown in a job's view, and removed when the job ends
well (``JobContext.forget_secrets``)."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_

if TYPE_CHECKING:
    from svidok.app import Svidok

PREFIX = "secret_"


def seal(app: Svidok, name: str, value: str) -> dict:
    """``{"secret_<name>": ciphertext}`` to merge into a job's parameters."""
    blob = app.keyring.encrypt(value, f"job:{name}")
    return {PREFIX + name: base64.b64encode(blob).decode("ascii")} if blob else {}


def reveal(app: Svidok, job_id: int, params: dict, name: str) -> str:
    value = params.get(PREFIX + name)
    if not value:
        raise ValidationFailed(FieldError(name, M_("job %(job_id)s no longer holds its %(name)s; submit it again", job_id=job_id, name=name)))
    return app.keyring.decrypt(base64.b64decode(value), f"job:{name}") or ""


def hidden(params: dict | None) -> dict | None:
    """Parameters as a job's view shows them: secret ones replaced by a mark."""
    if not params:
        return params
    return {k: ("(kept encrypted)" if k.startswith(PREFIX) else v) for k, v in params.items()}


def without(params: dict | None) -> dict:
    return {k: v for k, v in (params or {}).items() if not k.startswith(PREFIX)}
