"""The incident form: flat field names (``acts[0].victims[1].harm``, the services' own error
paths) to the API's input schema and back. Blank act, victim and perpetrator rows are skipped;
errors are mapped back to the row the user typed them in."""

from __future__ import annotations

import re
from typing import Any

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_

from .views.common import listed, text

SCALARS = ("title", "narrative", "date_start", "date_end", "place", "lat", "lon", "location_precision",
           "verification_status", "confidentiality", "case_id")
REQUIRED = ("title", "date_start", "verification_status", "confidentiality")
VICTIM_FIELDS = ("person_id", "person.full_name", "count", "group_description", "harm", "status", "sex", "age",
                 "characteristics")
ACT_FIELDS = ("violation_type", "means", "description", "date_start", "qualifications")
PERP_FIELDS = ("description", "mode", "organisation_id")
#: The title and narrative in each interface language, beside the ones as recorded
#: (form fields ``title_i18n.uk``, ``narrative_i18n.en``...).
TRANSLATED = ("title_i18n", "narrative_i18n")
LANGUAGES = ("en", "uk")


def _indices(form: dict, pattern: str) -> list[int]:
    rx = re.compile(pattern)
    return sorted({int(m.group(1)) for k in form if (m := rx.match(k))})


class IncidentForm:
    """Parse once; ``data`` is the dict for IncidentIn/IncidentUpdate; ``remap`` fixes error paths."""

    def __init__(self, form: dict[str, Any], for_update: bool = False):
        self.form = form
        self.act_map: dict[int, int] = {}          # compact act index -> form act index
        self.victim_map: dict[tuple[int, int], int] = {}
        self.perp_map: dict[tuple[int, int], int] = {}
        self.missing = [FieldError(f, M_("required")) for f in REQUIRED
                        if not text(form.get(f)) and (for_update or f in ("title", "date_start"))]
        data: dict[str, Any] = {}
        for f in SCALARS:
            value = text(form.get(f))
            if value is not None or for_update:
                data[f] = value
        for f in TRANSLATED:
            given = {lang: value for lang in LANGUAGES if (value := text(form.get(f"{f}.{lang}")))}
            if given or for_update:  # on an update, all blank clears the translations
                data[f] = given or None
        data["acts"] = self._acts()
        if for_update:
            data["version"] = text(form.get("version"))
        self.data = data

    def _acts(self) -> list[dict]:
        form = self.form
        acts = []
        for i in _indices(form, r"^acts\[(\d+)\]\."):
            p = f"acts[{i}]"
            victims = []
            for j in _indices(form, rf"^acts\[{i}\]\.victims\[(\d+)\]\."):
                q = f"{p}.victims[{j}]"
                v = {f: text(form.get(f"{q}.{f}")) for f in VICTIM_FIELDS if f != "characteristics"}
                chars = listed(form.get(f"{q}.characteristics"))
                if not (v["harm"] or v["person_id"] or v["person.full_name"] or v["group_description"]):
                    continue
                row = {"harm": v["harm"], "count": v["count"] or 1, "status": v["status"] or "unknown",
                       "sex": v["sex"] or "unknown", "age": v["age"], "characteristics": chars,
                       "group_description": v["group_description"]}
                if v["person_id"]:
                    row["person_id"] = v["person_id"]
                elif v["person.full_name"]:
                    row["person"] = {"full_name": v["person.full_name"], "sex": row["sex"], "status": row["status"]}
                self.victim_map[(len(acts), len(victims))] = j
                victims.append({k: val for k, val in row.items() if val is not None})
            perps = []
            for j in _indices(form, rf"^acts\[{i}\]\.perpetrators\[(\d+)\]\."):
                q = f"{p}.perpetrators[{j}]"
                r = {f: text(form.get(f"{q}.{f}")) for f in PERP_FIELDS}
                if not (r["description"] or r["organisation_id"]):
                    continue
                self.perp_map[(len(acts), len(perps))] = j
                perps.append({"description": r["description"], "mode": r["mode"] or "unknown",
                              **({"organisation_id": r["organisation_id"]} if r["organisation_id"] else {})})
            vt = text(form.get(f"{p}.violation_type"))
            description = text(form.get(f"{p}.description"))
            if not (vt or victims or perps or description):
                continue
            self.act_map[len(acts)] = i
            acts.append({
                "violation_type": vt, "means": text(form.get(f"{p}.means")), "description": description,
                "date_start": text(form.get(f"{p}.date_start")),
                "qualifications": listed(form.get(f"{p}.qualifications")),
                "victims": victims, "perpetrators": perps,
            })
        return acts

    def model(self, schema: type):
        """The schema's model; every problem of the form (required fields included) reported at once."""
        from .views.common import parse

        missing = {e.field for e in self.missing}
        data = {k: v for k, v in self.data.items() if k not in missing}
        try:
            model = parse(schema, data)
        except ValidationFailed as exc:
            raise ValidationFailed(self.missing + [e for e in exc.errors if e.field not in missing]) from None
        if self.missing:
            raise ValidationFailed(self.missing)
        return model

    def remap(self, exc: ValidationFailed) -> ValidationFailed:
        def fix(path: str) -> str:
            m = re.match(r"^acts\[(\d+)\](.*)$", path)
            if not m:
                return path
            a, rest = int(m.group(1)), m.group(2)
            fa = self.act_map.get(a, a)
            m2 = re.match(r"^\.(victims|perpetrators)\[(\d+)\](.*)$", rest)
            if m2:
                table = self.victim_map if m2.group(1) == "victims" else self.perp_map
                rest = f".{m2.group(1)}[{table.get((a, int(m2.group(2))), int(m2.group(2)))}]{m2.group(3)}"
            # an error on an inline person is shown beside the victim's name field
            rest = re.sub(r"\.person\.(?!full_name).*$", ".person.full_name", rest)
            return f"acts[{fa}]{rest}"

        return ValidationFailed([FieldError(fix(e.field), e.reason, e.row) for e in exc.errors])


def values_of(incident: dict) -> dict[str, Any]:
    """An incident as returned by the services -> the form's flat values."""
    out: dict[str, Any] = {f: incident.get(f) for f in SCALARS if f != "place"}
    out["place"] = (incident.get("place") or {}).get("code") if isinstance(incident.get("place"), dict) else incident.get("place")
    out["version"] = incident.get("version")
    for f in TRANSLATED:
        for lang, value in (incident.get(f) or {}).items():
            out[f"{f}.{lang}"] = value
    for i, act in enumerate(incident.get("acts", [])):
        p = f"acts[{i}]"
        for f in ACT_FIELDS:
            out[f"{p}.{f}"] = act.get(f)
        for j, v in enumerate(act.get("victims", [])):
            q = f"{p}.victims[{j}]"
            for f in VICTIM_FIELDS:
                out[f"{q}.{f}"] = v.get(f)
            out[f"{q}.person.full_name"] = v.get("person_name")
            out[f"{q}.characteristics"] = ", ".join(v.get("characteristics") or [])
        for j, r in enumerate(act.get("perpetrators", [])):
            for f in PERP_FIELDS:
                out[f"{p}.perpetrators[{j}].{f}"] = r.get(f)
    return {k: v for k, v in out.items() if v is not None}


def layout(values: dict[str, Any]) -> list[dict]:
    """How many rows to draw: every filled act/victim/perpetrator row plus one blank of each."""
    acts = _indices(values, r"^acts\[(\d+)\]\.")
    n_acts = (max(acts) + 1 if acts else 0) + 1
    out = []
    for i in range(n_acts):
        vs = _indices(values, rf"^acts\[{i}\]\.victims\[(\d+)\]\.")
        ps = _indices(values, rf"^acts\[{i}\]\.perpetrators\[(\d+)\]\.")
        out.append({"index": i, "victims": list(range((max(vs) + 1 if vs else 0) + 1)),
                    "perpetrators": list(range((max(ps) + 1 if ps else 0) + 1))})
    return out
