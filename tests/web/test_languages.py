"""English and Ukrainian: the switch, vocabulary labels, and a complete catalogue."""

from __future__ import annotations

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


def test_every_interface_string_has_a_ukrainian_translation():
    """Extract like pybabel does (babel.cfg) and compare with the shipped catalogue and its .mo."""
    method_map = [("src/svidok/web/templates/**.html", "jinja2"), ("src/svidok/web/**.py", "python")]
    options = {"src/svidok/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = {m[2] if isinstance(m[2], str) else m[2][0] for m in extract_from_dir(str(ROOT), method_map, options, keywords)}
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


def test_file_sizes_are_written_in_the_interfaces_language():
    from svidok.web.render import filesize

    token = i18n.current.set("uk")
    try:
        assert [filesize(n) for n in (1, 983, 2600, 14_200_000, 2_100_000_000)] == [
            "1 байт", "983 байти", "2.6 кБ", "14.2 МБ", "2.1 ГБ"]
    finally:
        i18n.current.reset(token)
    assert [filesize(n) for n in (1, 60, 2600)] == ["1 byte", "60 bytes", "2.6 kB"]
