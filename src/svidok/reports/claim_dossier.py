"""A claim dossier for the Register of Damage: PDF in Ukrainian and English, selected evidence, hashes, in one zip.

The dossier is for the claimant or their representative: Svidok prepares the claim and
never submits it. The archive holds ``dossier-uk.pdf``, ``dossier-en.pdf``, the selected
evidence files under ``evidence/`` (each read through the evidence service, so its hash is
checked and its custody records the export), ``manifest.json`` and ``SHA256SUMS``. Files
whose source did not consent to sharing are listed by hash only. The creation, with the
archive's SHA-256, is recorded in the ledger.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from svidok import __version__
from svidok.core.actors import Actor
from svidok.services import claims, evidence_reading

from .pdf import html_to_pdf

if TYPE_CHECKING:
    from svidok.app import Svidok

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The dossier's words: each phrase once, in English and in Ukrainian (the order of ``LANGUAGES``).
LANGUAGES = ("en", "uk")
_WORDS: dict[str, tuple[str, str]] = {
    "title": ("Claim dossier — Register of Damage for Ukraine", "Досьє заяви — Реєстр збитків для України"),
    "not_submitted": (
        "Prepared by Svidok for the claimant or their representative. It has NOT been submitted: claims are "
        "filed by the claimant (or a representative) through the Register's own portal.",
        "Підготовлено у Svidok для заявника або його представника. Заяву НЕ подано: заяви подає заявник (або "
        "представник) через портал самого Реєстру.",
    ),
    "victim": ("Person (victim)", "Особа (потерпілий)"),
    "born": ("born", "нар."),
    "record": ("record", "запис"),
    "register": ("Register", "Реєстр"),
    "categories_as_of": ("categories as of", "категорії станом на"),
    "eligibility": ("Eligibility", "Умови"),
    "prepared": ("Prepared", "Підготовлено"),
    "categories": ("Categories the documented facts support", "Категорії, які підтверджують задокументовані факти"),
    "none": ("No category is supported by the records.", "Записи не підтверджують жодної категорії."),
    "unconfirmed": (
        "category code not confirmed from a published source",
        "код категорії не підтверджено з опублікованого джерела",
    ),
    "who": ("Who may claim", "Хто може подати заяву"),
    "claimant_family": ("close family members of the victim", "члени найближчої родини потерпілого"),
    "claimant_victim": (
        "the victim (for a child: a parent or legal guardian)",
        "потерпілий (за дитину — батьки або законний опікун)",
    ),
    "relationship": ("Relationship", "Родинний зв'язок"),
    "name": ("Name", "Ім'я"),
    "consent": ("Consent recorded", "Згоду зафіксовано"),
    "representative": ("Representative", "Представник"),
    "protected": ("(protected; not shown)", "(захищено; не показано)"),
    "facts": ("Documented facts", "Задокументовані факти"),
    "form_item": ("Claim form asks for", "Форма заяви вимагає"),
    "status": ("Svidok", "Svidok"),
    "detail": ("Detail", "Подробиці"),
    "s_held": ("holds", "має"),
    "s_partly": ("partly", "частково"),
    "s_lacking": ("lacks", "бракує"),
    "s_claimant": ("claimant provides", "надає заявник"),
    "evidence": ("Supporting evidence", "Докази"),
    "no_evidence": ("No evidence files selected.", "Файли доказів не обрано."),
    "file": ("File", "Файл"),
    "in_archive": ("In the archive", "В архіві"),
    "hash_only": ("hash only (source did not consent to sharing)", "лише хеш (джерело не погодилося на передачу)"),
    "verify": (
        "Each file's SHA-256 is listed here and in SHA256SUMS; `sha256sum -c SHA256SUMS` checks the archive.",
        "SHA-256 кожного файлу наведено тут і в SHA256SUMS; `sha256sum -c SHA256SUMS` перевіряє архів.",
    ),
}


def texts(lang: str) -> dict[str, str]:
    """The dossier's words in one language ("en" or "uk")."""
    i = LANGUAGES.index(lang)
    return {key: pair[i] for key, pair in _WORDS.items()}


def _safe(name: str | None) -> str:
    return re.sub(r"[^\w.\-]+", "_", name or "file")[:80]


def render_html(a: dict, lang: str, evidence_rows: list[dict], prepared_by: str, prepared_at: str,
                cats_codes: list[str] | None, app: Svidok) -> str:
    cats = claims.categories(app)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False)
    chosen = [c for c in a["categories"] if cats_codes is None or c["code"] in cats_codes]
    return env.get_template("claim_dossier.html.j2").render(
        a=a, lang=lang, t=texts(lang), categories=chosen, evidence=evidence_rows, version=__version__,
        prepared_by=prepared_by, prepared_at=prepared_at, eligibility=cats.eligibility.get(lang, ""),
        relationships=cats.relationships)


def create(app: Svidok, actor: Actor, person_id: int, out: Path | str, categories: list[str] | None = None,
           evidence_ids: list[int] | None = None, purpose: str | None = None) -> dict:
    """Write the dossier zip for ``person_id``; returns its path, SHA-256, contents and ledger entry."""
    protected = bool(purpose) and actor.can_read_protected  # names of family members only for cleared roles
    a, wanted = claims.dossier_choice(app, actor, person_id, categories, evidence_ids, protected, purpose)
    out = Path(out)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows, sums = [], {}
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for e in a["evidence"]:
            if e["id"] not in wanted:
                continue
            row = {**e, "path": None}
            if e["shareable"]:
                row["path"] = f"evidence/{e['id']}-{e['sha256'][:12]}-{_safe(e['original_name'])}"
                dl = evidence_reading.download(app, actor, e["id"], purpose=f"claim dossier for person {person_id}")
                with z.open(row["path"], "w") as fh:
                    for block in dl:
                        fh.write(block)
                sums[row["path"]] = e["sha256"]
            rows.append(row)
        for lang in ("uk", "en"):
            html = render_html(a, lang, rows, actor.username, now, categories, app)
            pdf = html_to_pdf(html, texts(lang)["title"], "RD4U")
            name = f"dossier-{lang}.pdf"
            z.writestr(name, pdf)
            sums[name] = hashlib.sha256(pdf).hexdigest()
        manifest = {"kind": "svidok-claim-dossier", "version": 1, "svidok": __version__, "person_id": person_id,
                    "prepared_by": actor.username, "prepared_at": now, "submitted": False,
                    "categories": [c["code"] for c in a["categories"] if not categories or c["code"] in categories],
                    "categories_as_of": a["categories_as_of"],
                    "evidence": [{k: r[k] for k in ("id", "sha256", "size", "media_type", "path")} for r in rows]}
        body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        z.writestr("manifest.json", body)
        sums["manifest.json"] = hashlib.sha256(body).hexdigest()
        z.writestr("SHA256SUMS", "".join(f"{h}  {p}\n" for p, h in sorted(sums.items())))
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    tmp.replace(out)
    seq = claims.record_dossier(app, actor, person_id, {"sha256": digest, "categories": manifest["categories"],
                                                        "files": sums, "submitted": False})
    return {"path": str(out), "sha256": digest, "categories": manifest["categories"], "files": sorted(sums),
            "evidence": manifest["evidence"], "ledger_seq": seq}
