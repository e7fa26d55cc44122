"""Interface languages: English and Ukrainian from Babel catalogues in ``svidok/locale``.

Catalogues are compiled (.mo) in the repository; a missing or stale .mo is compiled
from its .po at start-up, so editing a translation needs no build step.
"""

from __future__ import annotations

import contextvars
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

from svidok.core.messages import translated

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = {"en": "English", "uk": "Українська"}
DEFAULT = "en"

#: The language of the request being rendered (set by the session middleware and ``render``).
current = contextvars.ContextVar("svidok_lang", default=DEFAULT)


def _compile_if_stale(lang: str) -> None:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if not po.exists() or (mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime):
        return
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    try:
        with mo.open("wb") as fh:
            write_mo(fh, catalog)
    except OSError:  # read-only install: fall back to the shipped .mo
        pass


@cache
def translations(lang: str) -> NullTranslations:
    if lang == DEFAULT or lang not in LANGUAGES:
        return NullTranslations()
    _compile_if_stale(lang)
    return Translations.load(str(LOCALE_DIR), [lang])


def choose(requested: str | None, accept_language: str | None) -> str:
    """The session's choice, else the browser's preference, else English."""
    if requested in LANGUAGES:
        return requested
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT


def gettext(message: str) -> str:
    return translations(current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current.get()).ngettext(singular, plural, n)


_ = gettext


def field_name(field: str) -> str:
    """A field a service names in an error ("new_password"), as people call it in this language."""
    label = FIELD_NAMES.get(field)
    return gettext(label) if label else field


def say(exc: Any) -> str:
    """A service's error in the interface's language (its ``M_`` messages translated)."""
    said = getattr(exc, "said", None)
    return said(gettext, field_name) if said else str(exc)


def reason(text: Any) -> str:
    """One field error's reason (or any service text) in the interface's language."""
    return translated(text, gettext)


def N_(message: str) -> str:
    """Mark a string for extraction; translated later where it is shown."""
    return message


#: Words shown from data rather than from templates (role names, family codes).
EXTRA_MESSAGES = (
    N_("administrator"), N_("investigator"), N_("analyst"), N_("viewer"),
)
#: Violation families (the ``family`` of violation_types terms) have no vocabulary of their own.
FAMILIES = {
    "attacks_on_civilians": N_("Attacks on civilians"),
    "detention": N_("Detention, disappearance and ill-treatment"),
    "humanitarian": N_("Humanitarian access and at-risk groups"),
    "occupation": N_("Occupation: rights of residents"),
    "property": N_("Property and cultural heritage"),
    "weapons": N_("Prohibited weapons, mines and explosive remnants"),
    "other": N_("Other"),
}

#: Fields that services name in errors shown on a page (not beside a form's own field).
FIELD_NAMES = {
    "username": N_("user name"), "password": N_("password"), "new_password": N_("new password"),
    "current_password": N_("current password"), "role": N_("role"), "level": N_("level"),
    "file": N_("file"), "mapping": N_("mapping"), "mapping_name": N_("mapping"), "version": N_("version"),
    "title": N_("title"), "date_start": N_("start date"), "date_end": N_("end date"), "place": N_("place"),
    "selection": N_("selection"), "purpose": N_("purpose"), "passphrase": N_("passphrase"), "note": N_("note"),
    "form": N_("form"), "body": N_("form"),
}
