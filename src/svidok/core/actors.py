"""Who is acting: a user with a role and case grants (or the system itself)."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("administrator", "investigator", "analyst", "viewer")
LEVELS = ("public", "restricted", "confidential", "strictly_confidential")
#: Highest confidentiality level each role sees outside the cases it is granted.
ROLE_CLEARANCE = {
    "administrator": "strictly_confidential",
    "investigator": "confidential",
    "analyst": "restricted",
    "viewer": "public",
}
#: Roles that may read protected identities, contacts and exact addresses.
PROTECTED_READERS = ("administrator", "investigator")
WRITERS = ("administrator", "investigator")


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    user_id: int | None = None
    #: case id -> highest level the grant opens in that case
    grants: dict[int, str] = field(default_factory=dict, hash=False)

    @property
    def clearance(self) -> int:
        return LEVELS.index(ROLE_CLEARANCE[self.role])

    @property
    def is_admin(self) -> bool:
        return self.role == "administrator"

    @property
    def can_write(self) -> bool:
        return self.role in WRITERS

    @property
    def can_read_protected(self) -> bool:
        return self.role in PROTECTED_READERS

    def levels_visible(self) -> tuple[str, ...]:
        return LEVELS[: self.clearance + 1]


SYSTEM = Actor("system", "administrator")
