"""Person names across scripts: search keys, derived forms, patronymics.

A person is documented by Ukrainian, Russian, Crimean Tatar and English-language
sources, so one name reaches Svidok as "Олександр", "Александр", "Oleksandr" or
"Alexander". Two things are derived here:

* ``search_keys`` / ``name_key``: one lowercase ASCII key per name token, equal for
  spellings of the same name in any of those scripts (used for search and blocking);
* ``name_forms``: the forms a reader expects to see (official Ukrainian Latin, the
  Russian spelling, the common English form, Crimean Tatar Latin and Cyrillic).

Transliteration comes from ``translitua`` (KMU 2010, Russian passport tables) and the
Ukrainian -> Russian name dictionary from ``names-translator``; the English forms and
the Crimean Tatar alphabet are Svidok's own data files under ``data/names/``.

The work is done in ``names_keys`` (tokens and search keys), ``names_patronymics``,
``names_order`` (``split_full_name``) and ``names_forms`` (``name_forms``), on top of
``names_scripts`` (script detection, the skeleton); this module is their public face.
"""

from __future__ import annotations

from svidok.domain.names_forms import name_forms
from svidok.domain.names_keys import (
    diminutive_base,
    given_key,
    given_name_keys,
    is_given_name,
    key_spellings,
    name_key,
    name_tokens,
    search_keys,
)
from svidok.domain.names_order import (
    FAMILY_FIRST,
    GIVEN_FIRST,
    NameParts,
    name_order,
    read_full_name,
    split_full_name,
)
from svidok.domain.names_patronymics import is_patronymic, patronymic_key

__all__ = [
    "NameParts",
    "diminutive_base",
    "given_key",
    "given_name_keys",
    "is_given_name",
    "key_spellings",
    "is_patronymic",
    "name_forms",
    "name_key",
    "name_tokens",
    "patronymic_key",
    "search_keys",
    "split_full_name",
    "name_order",
    "read_full_name",
    "GIVEN_FIRST",
    "FAMILY_FIRST",
]
