"""ACLED conflict event data: import with the shipped mapping, export in ACLED's column layout.

The layout is that of ACLED's CSV exports (``event_id_cnty`` … ``timestamp``). Svidok's
violation types become ACLED event and sub-event types by the table below; an incident
with several acts becomes one ACLED event named after its first act.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from svidok.interop import mapping as mapping_mod

if TYPE_CHECKING:
    from svidok.app import Svidok

_RECORDED = re.compile(r"^ACLED: (.+?) / (.+)$")
COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
           "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
           "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
           "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp"]
_REMOTE = ("Political violence", "Explosions/Remote violence")
_CIVILIANS = ("Political violence", "Violence against civilians")
#: means -> ACLED sub-event type for attacks from a distance.
_BY_MEANS = {
    "air_dropped_bomb": "Air/drone strike", "glide_bomb": "Air/drone strike", "drone": "Air/drone strike",
    "fpv_drone": "Air/drone strike", "drone_dropped_munition": "Air/drone strike", "loitering_munition": "Air/drone strike",
    "landmine": "Remote explosive/landmine/IED", "anti_personnel_mine": "Remote explosive/landmine/IED",
    "anti_vehicle_mine": "Remote explosive/landmine/IED", "improvised_explosive_device": "Remote explosive/landmine/IED",
    "explosive_remnants_of_war": "Remote explosive/landmine/IED", "chemical_agent": "Chemical weapon",
}
#: violation type -> (disorder type, event type, sub-event type); attacks from a distance are refined by means.
_BY_TYPE = {
    "enforced_disappearance": (*_CIVILIANS, "Abduction/forced disappearance"),
    "hostage_taking": (*_CIVILIANS, "Abduction/forced disappearance"),
    "deportation_of_children": (*_CIVILIANS, "Abduction/forced disappearance"),
    "sexual_violence": (*_CIVILIANS, "Sexual violence"),
    "arbitrary_detention": ("Strategic developments", "Strategic developments", "Arrests"),
    "incommunicado_detention": ("Strategic developments", "Strategic developments", "Arrests"),
    "pillage": ("Strategic developments", "Strategic developments", "Looting/property destruction"),
    "destruction_of_property": ("Strategic developments", "Strategic developments", "Looting/property destruction"),
}
_REMOTE_TYPES = {"indiscriminate_attack", "disproportionate_attack", "attack_on_civilian_objects",
                 "attack_on_undefended_place", "attack_on_objects_indispensable_to_survival", "attack_on_cultural_property",
                 "attack_on_religious_property", "attack_on_educational_facility", "attack_on_medical_facility",
                 "use_of_anti_personnel_mines", "use_of_cluster_munitions", "use_of_prohibited_weapons"}


def load_mapping() -> mapping_mod.Mapping:
    from . import builtin

    return builtin.load("acled")


def classify(violation_types: list[str], means: list[str], acts: list[dict] = ()) -> tuple[str, str, str]:  # type: ignore[assignment]
    """(disorder_type, event_type, sub_event_type) for an incident's acts.

    An act imported from ACLED keeps ACLED's own types in its description; they win.
    """
    for a in acts:
        m = _RECORDED.match(a.get("description") or "")
        if m:
            event, sub = m.group(1).strip(), m.group(2).strip()
            disorder = "Strategic developments" if event == "Strategic developments" else \
                "Demonstrations" if event in ("Protests", "Riots") else "Political violence"
            return disorder, event, sub
    for vt in violation_types:
        if vt in _BY_TYPE:
            return _BY_TYPE[vt]
        if vt in _REMOTE_TYPES or any(m in _BY_MEANS or m in ("artillery", "mortar", "mlrs", "missile", "cruise_missile",
                                                             "ballistic_missile", "cluster_munition") for m in means):
            sub = next((_BY_MEANS[m] for m in means if m in _BY_MEANS), "Shelling/artillery/missile attack")
            return (*_REMOTE, sub)
    if violation_types:
        return (*_CIVILIANS, "Attack")
    return ("Strategic developments", "Strategic developments", "Other")


_GEO = {"exact": 1, "approximate": 1, "settlement": 1, "hromada": 2, "raion": 2, "oblast": 3, "country": 3}


def _precision(date_start: str) -> int:
    """ACLED time_precision: 1 = the day, 2 = within a week or so, 3 = a month or more."""
    text = date_start.lstrip("~")
    if len(text) == 10:
        return 2 if date_start.startswith("~") else 1
    return 3


def rows(incidents: Iterator[dict]) -> Iterator[dict]:
    now = int(time.time())
    for r in incidents:
        disorder, event, sub = classify(r["violation_types"], r["means"], r.get("acts") or [])
        yield {
            "event_id_cnty": f"SVD{r['id']}", "event_date": r["date_lo"], "year": r["date_lo"][:4],
            "time_precision": _precision(r["date_start"]), "disorder_type": disorder, "event_type": event,
            "sub_event_type": sub, "actor1": "; ".join(r.get("perpetrators") or []), "assoc_actor_1": "",
            "inter1": "", "actor2": "Civilians (Ukraine)" if event == "Violence against civilians" else "",
            "assoc_actor_2": "", "inter2": "", "interaction": "",
            "civilian_targeting": "Civilian targeting" if event == "Violence against civilians" else "",
            "iso": 804, "region": "Europe", "country": "Ukraine", "admin1": r["oblast"] or "", "admin2": "",
            "admin3": "", "location": r["place"] or "", "latitude": r["lat"] if r["lat"] is not None else "",
            "longitude": r["lon"] if r["lon"] is not None else "",
            "geo_precision": _GEO.get(r.get("location_precision") or "", 2),
            "source": "Svidok", "source_scale": "Other", "notes": r["title"], "fatalities": r["killed"],
            "tags": "", "timestamp": now,
        }


def write(app: Svidok, incidents: Iterator[dict], out: IO[str]) -> int:
    w = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    n = 0
    for row in rows(incidents):
        w.writerow(row)
        n += 1
    return n
