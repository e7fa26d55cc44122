"""The columns of a person list to link: what ``svidok link`` reads (and shows in its help)."""

REQUIRED_COLUMNS = ("record_id", "source", "name")
OPTIONAL_COLUMNS = {
    "birth_date": "date of birth: YYYY, YYYY-MM, YYYY-MM-DD, DD.MM.YYYY, MM.YYYY, 2 квітня 1990 or 2 апреля 1990 г.",
    "place": "place of birth or residence (any script)",
    "sex": "m/f (also male/female, ч/ж, м/ж)",
    "age": "age in whole years, when the birth date is unknown",
    "age_date": "date on which that age was reported (e.g. the incident date)",
    "family_name": "family name, when the source records it apart from 'name'",
    "given_name": "given name(s), likewise",
    "patronymic": "patronymic, likewise",
    "facility": "custody facility where the person was held",
    "custody_from": "first known date in custody",
    "document_id": "number of an identity document or tax number (spaces and dashes ignored)",
}
