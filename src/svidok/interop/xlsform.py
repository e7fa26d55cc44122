"""An XLSForm (ODK Collect, KoboToolbox) built from Svidok's vocabularies, in English and Ukrainian.

Question names are the paths that ``svidok interop form-import`` reads back
(``incident/title``, ``victims/harm``, ``media/photo`` …) and choice names are
vocabulary codes, so a submission needs no translation table. The form is checked with
pyxform before it is written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from svidok.domain.vocab import Vocabularies

EN, UK = "label::English (en)", "label::Українська (uk)"
HINT_EN, HINT_UK = "hint::English (en)", "hint::Українська (uk)"
#: Choice lists: list name -> vocabulary.
LISTS = {"violation_types": "violation_types", "means": "means", "sex": "sex", "harms": "harms",
         "person_status": "person_status", "characteristics": "victim_characteristics", "source_types": "source_types"}

# (type, name, English label, Ukrainian label, required, hint en, hint uk)
SURVEY: list[tuple] = [
    ("begin group", "incident", "Incident", "Подія"),
    ("text", "title", "Short title", "Коротка назва", True),
    ("date", "date", "Date (or the first day, if unsure)", "Дата (або перший день, якщо точно невідомо)", True),
    ("select_one date_certainty", "date_certainty", "How sure is the date?", "Наскільки точна дата?", True),
    ("text", "place", "Settlement (name or KATOTTG code)", "Населений пункт (назва або код КАТОТТГ)", False,
     "e.g. Kharkiv, Izium, UA63000000000041885", "напр. Харків, Ізюм, UA63000000000041885"),
    ("geopoint", "location", "Location", "Місце на мапі"),
    ("select_one violation_types", "violation_type", "What happened (violation)", "Що сталося (порушення)", True),
    ("select_one means", "means", "Means or weapon", "Засіб або зброя"),
    ("text", "narrative", "What happened, in the witness's words", "Що сталося, словами свідка", False),
    ("end group", "incident"),
    ("begin repeat", "victims", "Victim", "Потерпіла особа"),
    ("text", "name", "Name (if known and consented)", "Ім'я (якщо відоме і є згода)"),
    ("select_one sex", "sex", "Sex", "Стать"),
    ("integer", "age", "Age in years", "Вік (років)"),
    ("select_one harms", "harm", "Harm", "Шкода", True),
    ("select_one person_status", "status", "Status", "Статус"),
    ("select_multiple characteristics", "characteristics", "Characteristics", "Особливості"),
    ("end repeat", "victims"),
    ("begin group", "source", "Source", "Джерело інформації"),
    ("select_one source_types", "kind", "Who gave the information", "Хто надав інформацію", True),
    ("text", "description", "Description (no name)", "Опис (без імені)"),
    ("text", "identity", "Name of the source (stored encrypted)", "Ім'я джерела (зберігається зашифрованим)"),
    ("text", "contact", "Contact (stored encrypted)", "Контакт (зберігається зашифрованим)"),
    ("end group", "source"),
    ("begin group", "consent", "Consent", "Згода"),
    ("select_one yes_no", "contact", "May we contact the source again?", "Чи можна знову зв'язатися з джерелом?", True),
    ("select_one yes_no", "share_prosecutors", "May the information be shared with prosecutors?",
     "Чи можна передати інформацію прокурорам?", True),
    ("select_one yes_no", "publish", "May the information be published (without names)?",
     "Чи можна оприлюднити інформацію (без імен)?", True),
    ("end group", "consent"),
    ("begin repeat", "media", "Photo, video or document", "Фото, відео або документ"),
    ("image", "photo", "Photo", "Фото"),
    ("video", "video", "Video", "Відео"),
    ("file", "document", "Document", "Документ"),
    ("end repeat", "media"),
]
EXTRA_CHOICES = {
    "yes_no": [("yes", "Yes", "Так"), ("no", "No", "Ні")],
    "date_certainty": [("exact", "Exact day", "Точний день"), ("approximate", "About that day", "Приблизно"),
                       ("month", "Only the month", "Лише місяць"), ("year", "Only the year", "Лише рік")],
}


def sheets(vocab: Vocabularies, form_id: str = "svidok_incident", version: str | None = None,
           title: str = "Svidok: incident report") -> dict[str, list[list]]:
    """The three sheets of the XLSForm as rows (header first)."""
    survey = [["type", "name", EN, UK, "required", HINT_EN, HINT_UK]]
    survey += [["start", "start", "", "", "", "", ""], ["end", "end", "", "", "", "", ""]]
    for row in SURVEY:
        kind, name = row[0], row[1]
        if kind.startswith("end"):
            survey.append([kind, "", "", "", "", "", ""])
            continue
        en, uk = row[2], row[3]
        required = "yes" if len(row) > 4 and row[4] else ""
        hints = list(row[5:7]) if len(row) > 5 else ["", ""]
        survey.append([kind, name, en, uk, required, *hints])
    choices = [["list_name", "name", EN, UK]]
    for list_name, vocab_name in LISTS.items():
        for term in vocab[vocab_name].terms.values():
            choices.append([list_name, term.code, term.label("en"), term.label("uk")])
    for list_name, items in EXTRA_CHOICES.items():
        choices += [[list_name, code, en, uk] for code, en, uk in items]
    settings = [["form_title", "form_id", "version", "default_language"],
                [title, form_id, version or date.today().strftime("%Y%m%d"), "English (en)"]]
    return {"survey": survey, "choices": choices, "settings": settings}


def check(path: Path) -> list[str]:
    """pyxform's conversion of the written file; raises its error when the form is invalid, else returns warnings."""
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    convert(xlsform=str(path), warnings=warnings)
    return warnings


def write(vocab: Vocabularies, path: Path | str, form_id: str = "svidok_incident", version: str | None = None) -> list[str]:
    """Write the XLSForm and check it with pyxform; returns pyxform's warnings."""
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets(vocab, form_id, version).items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return check(path)
