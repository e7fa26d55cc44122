"""Internal and public editions: what the public edition hides and how small counts are shown.

The public edition never lists a record that is not public, never shows exact locations
(maps are drawn per oblast) and never shows a count between 1 and ``threshold - 1``: such a
count is suppressed ("<5") or banded ("1–4"). When a breakdown has a shown total and only
one suppressed cell, the next smallest cell is suppressed too, so that no hidden count can
be recovered by subtraction.
"""

from __future__ import annotations

from dataclasses import dataclass

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_

EDITIONS = ("internal", "public")
DEFAULT_THRESHOLD = 5


@dataclass(frozen=True)
class Edition:
    name: str = "internal"
    #: Counts from 1 to threshold - 1 are not shown in the public edition.
    threshold: int = DEFAULT_THRESHOLD
    #: "suppress" shows "<5"; "band" shows "1–4".
    small_counts: str = "suppress"

    def __post_init__(self) -> None:
        errors = []
        if self.name not in EDITIONS:
            errors.append(FieldError("edition", M_("must be one of %(items)s, not %(name)r", items=", ".join(EDITIONS), name=self.name)))
        if not 1 <= self.threshold <= 100:
            errors.append(FieldError("threshold", M_("must be between 1 and 100, not %(threshold)s", threshold=self.threshold)))
        if self.small_counts not in ("suppress", "band"):
            errors.append(FieldError("small_counts", M_("must be 'suppress' or 'band', not %(small_counts)r", small_counts=self.small_counts)))
        if errors:
            raise ValidationFailed(errors)

    @property
    def public(self) -> bool:
        return self.name == "public"

    def hides(self, n: int | None) -> bool:
        """Whether a count must not be shown as it is."""
        return self.public and n is not None and 0 < n < self.threshold

    def small(self) -> str:
        if self.small_counts == "band":
            return f"1–{self.threshold - 1}" if self.threshold > 2 else "1"
        return f"<{self.threshold}"

    def cells(self, values: list[int], total_shown: bool = True) -> list[bool]:
        """Which cells of a breakdown to hide (primary and secondary suppression)."""
        hidden = [self.hides(v) for v in values]
        if self.public and total_shown and sum(hidden) == 1:
            rest = [(v, i) for i, v in enumerate(values) if not hidden[i] and v > 0]
            if rest:
                hidden[min(rest)[1]] = True
        return hidden

    def describe(self) -> str:
        if not self.public:
            return "Internal edition: exact counts, record listings and locations of all records you may see."
        shown = "shown as a band" if self.small_counts == "band" else "suppressed"
        return (f"Public edition: counts from 1 to {self.threshold - 1} are {shown} (“{self.small()}”), with a second "
                "cell suppressed where a total would reveal one; only public records are listed; maps show oblasts, "
                "not places.")
