"""Messages the services say to people, in English, translatable where they are shown.

A service writes ``M_("user %(name)r not found", name=name)``: the result is the English text (a
``str``, so logs, the CLI and the API's JSON are unchanged) that also keeps its message id and
values. An interface in another language calls ``translated(text, gettext)``; the message id is
extracted by pybabel (``-k M_``) into the same catalogue as the templates' strings, and
``tests/web/test_languages.py`` fails when one has no Ukrainian translation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Text(str):
    """English text with its message id and the values interpolated into it."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: dict[str, Any] | None = None) -> Text:
        params = params or {}
        obj = super().__new__(cls, msgid % params if params else msgid)
        obj.msgid, obj.params = msgid, params
        return obj

    def __reduce__(self):  # a job's error crosses a process boundary as this, not as plain str
        return (Text, (self.msgid, self.params))


def M_(msgid: str, **params: Any) -> Text:
    """Mark a service's message for translation; ``params`` fill its ``%(name)s`` places."""
    return Text(msgid, params)


def translated(text: Any, gettext: Callable[[str], str]) -> str:
    """``text`` in the language of ``gettext``: a ``Text`` by its message id (values that are
    themselves ``Text`` translated too), anything else as it is."""
    if not isinstance(text, Text):
        return "" if text is None else str(text)
    params = {k: translated(v, gettext) if isinstance(v, Text) else v for k, v in text.params.items()}
    said = gettext(text.msgid)
    try:
        return said % params if params else said
    except (KeyError, ValueError, TypeError):  # a broken translation must not hide the message
        return str(text)


def stored(text: Any) -> dict[str, Any]:
    """A ``Text`` as JSON keeps it (message id, values, the English), for text that is saved
    and shown later in another language; :func:`restored` reads it back."""
    if not isinstance(text, Text):
        return {"text": "" if text is None else str(text)}
    params = {k: stored(v) if isinstance(v, Text) else v for k, v in text.params.items()}
    return {"text": str(text), "msgid": text.msgid, "params": params}


def restored(value: Any) -> Any:
    """What :func:`stored` saved, as a ``Text`` again; anything else as it is."""
    if not isinstance(value, dict) or "msgid" not in value:
        return value.get("text", "") if isinstance(value, dict) else value
    params = {k: restored(v) if isinstance(v, dict) else v for k, v in (value.get("params") or {}).items()}
    return Text(value["msgid"], params)
