"""English and Ukrainian: the switch, vocabulary labels, and a complete catalogue."""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from svidok.web import i18n
from tests import fixtures as fx
from tests.web.conftest import csrf

ROOT = Path(__file__).resolve().parents[2]


def test_switch_to_ukrainian_and_back(web, client_for):
    core, _ = web
    inc = fx.incident(core)
    c = client_for("investigator")
    assert "Dashboard" in c.get("/").text
    r = c.post("/language", data={"csrf_token": csrf(c), "lang": "uk", "next": f"/incidents/{inc['id']}"},
               follow_redirects=False)
    assert r.headers["location"] == f"/incidents/{inc['id']}"
    page = c.get(r.headers["location"]).text
    assert '<html lang="uk">' in page
    assert "Огляд" in page and "Діяння" in page and "Потерпілі" in page
    assert "Вбивство цивільних осіб" in page  # vocabulary label in Ukrainian
    assert "Killing of civilians" not in page
    c.post("/language", data={"csrf_token": csrf(c), "lang": "en"})
    assert "Killing of civilians" in c.get(f"/incidents/{inc['id']}").text


def test_browser_preference_chooses_the_language_before_sign_in(client_for):
    c = client_for(None)
    assert "Увійти" in c.get("/login", headers={"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"}).text
    assert "Sign in" in c.get("/login", headers={"Accept-Language": "de-DE,en;q=0.5"}).text


def test_ukrainian_plurals():
    tr = i18n.translations("uk")
    one, few, many = (tr.ngettext("%(num)s incident you may see.", "%(num)s incidents you may see.", n) % {"num": n}
                      for n in (21, 3, 11))
    assert one.startswith("21 інцидент,") and few.startswith("3 інциденти,") and many.startswith("11 інцидентів,")


#: Where the interface's strings (templates, N_, _) and the services' messages (M_) are written.
SOURCES = ("src/svidok/web", "src/svidok/core", "src/svidok/services", "src/svidok/figures", "src/svidok/reports")
#: Service errors whose message a person reads; their message must be marked with M_.
SERVICE_ERRORS = {"ServiceError", "ValidationFailed", "NotFound", "Forbidden", "Conflict", "StorageUnavailable",
                  "RangeNotSatisfiable", "EstimateFailed", "QueueUnreachable", "PdfUnavailable", "StoredFileChanged",
                  "BriefError"}


def _extracted() -> set[str]:
    """Extract like pybabel does (babel.cfg, -k N_ -k M_)."""
    method_map = [("src/svidok/web/templates/**.html", "jinja2")] + [(f"{d}/**.py", "python") for d in SOURCES]
    options = {"src/svidok/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "M_": None}
    return {m[2] if isinstance(m[2], str) else m[2][0] for m in extract_from_dir(str(ROOT), method_map, options, keywords)}


def test_every_interface_string_and_service_message_has_a_ukrainian_translation():
    """Compare what is marked with the shipped catalogue and its .mo."""
    found = _extracted()
    po_path = i18n.LOCALE_DIR / "uk" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale="uk")
    translated = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog
                  if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    missing = sorted(found - translated)
    assert not missing, f"untranslated (run pybabel extract/update, then translate): {missing}"
    compiled = i18n.translations("uk")
    untranslated_in_mo = [s for s in found if isinstance(s, str) and compiled.gettext(s) == s and s not in ("Svidok",)]
    assert not untranslated_in_mo, f"the .mo is older than the .po (run pybabel compile): {untranslated_in_mo[:5]}"


def _unmarked_messages(source: str) -> list[int]:
    """Lines where a service error or a field error is given a bare string or f-string (not M_(...))."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        said = (node.args[:1] if name in SERVICE_ERRORS else
                node.args[1:2] + [k.value for k in node.keywords if k.arg == "reason"] if name == "FieldError" else [])
        lines += [a.lineno for a in said if isinstance(a, ast.JoinedStr | ast.Constant) and isinstance(
            getattr(a, "value", ""), str)]
    return lines


def test_every_service_error_message_is_marked_for_translation():
    """An unmarked message would reach the Ukrainian interface in English with no test noticing."""
    unmarked = {}
    for d in SOURCES:
        for path in sorted((ROOT / d).rglob("*.py")):
            if lines := _unmarked_messages(path.read_text(encoding="utf-8")):
                unmarked[str(path.relative_to(ROOT))] = lines
    assert not unmarked, f"wrap these messages in M_(...) from svidok.core.messages: {unmarked}"


def test_the_checker_sees_an_unmarked_message():
    assert _unmarked_messages('raise NotFound(f"user {name} not found")\nFieldError("x", "required")\n') == [1, 2]
    assert _unmarked_messages('raise NotFound(M_("user %(n)s not found", n=name))\nFieldError("x", M_("required"))') == []


def test_a_service_message_is_shown_in_the_interfaces_language_with_its_values():
    from svidok.core.errors import FieldError, NotFound, ValidationFailed
    from svidok.core.messages import M_

    missing = NotFound(M_("%(what)s not found", what=M_("person %(id)s", id=7)))
    invalid = ValidationFailed([FieldError("password", M_("at least %(min_password)s characters", min_password=12))])
    assert str(missing) == "person 7 not found" and str(invalid) == "password: at least 12 characters"
    token = i18n.current.set("uk")
    try:
        uk_missing, uk_invalid = i18n.say(missing), i18n.say(invalid)
    finally:
        i18n.current.reset(token)
    tr = i18n.translations("uk")
    assert uk_missing == tr.gettext("%(what)s not found") % {"what": tr.gettext("person %(id)s") % {"id": 7}}
    assert "7" in uk_missing and "not found" not in uk_missing and "person" not in uk_missing
    assert uk_invalid.startswith(tr.gettext("password") + ": ") and "12" in uk_invalid and "characters" not in uk_invalid


def test_file_sizes_are_written_in_the_interfaces_language():
    from svidok.web.render import filesize

    token = i18n.current.set("uk")
    try:
        assert [filesize(n) for n in (1, 983, 2600, 14_200_000, 2_100_000_000)] == [
            "1 байт", "983 байти", "2.6 кБ", "14.2 МБ", "2.1 ГБ"]
    finally:
        i18n.current.reset(token)
    assert [filesize(n) for n in (1, 60, 2600)] == ["1 byte", "60 bytes", "2.6 kB"]


def test_service_errors_reach_the_ukrainian_interface_in_ukrainian(web, client_for):
    c = client_for("administrator")
    c.post("/language", data={"csrf_token": csrf(c), "lang": "uk"})
    missing = c.get("/persons/987654")
    assert missing.status_code == 404
    assert "особа 987654: не знайдено" in missing.text and "not found" not in missing.text
    r = c.post("/admin/users", data={"csrf_token": csrf(c, "/admin/users"), "username": "investigator",
                                     "password": "a-long-enough-password", "password_again": "a-long-enough-password",
                                     "role": "investigator"})
    assert r.status_code == 409
    assert "користувач &#39;investigator&#39; уже існує" in r.text and "exists" not in r.text
    r = c.post("/admin/users", data={"csrf_token": csrf(c, "/admin/users"), "username": "new.one", "password": "short",
                                     "password_again": "short", "role": "investigator"})
    assert r.status_code == 422 and "щонайменше" in r.text and "characters" not in r.text
