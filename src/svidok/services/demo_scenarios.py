"""Scenarios of the synthetic demo data: which violations happen, with what means and harm.

Weights follow the shape of public monitoring reports (most documented harm comes from
explosive weapons in populated areas; detention, occupation and mine cases are fewer)
but every number generated from them is synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass

#: KATOTTG prefixes of oblasts where occupation-related scenarios are placed.
OCCUPIED_PREFIXES = ("UA01", "UA85", "UA14", "UA44", "UA23", "UA65")
FRONTLINE_PREFIXES = ("UA14", "UA63", "UA23", "UA65", "UA59", "UA12", "UA44", "UA74", "UA32")


@dataclass(frozen=True)
class Scenario:
    weight: int
    violation_type: str
    means: tuple[str | None, ...]
    harm: str
    victim_status: str
    title_en: str
    title_uk: str
    custody: bool = False
    displacement: bool = False
    hazard: bool = False
    occupied: bool = False
    child_victims: bool = False
    second_act: str | None = None


SCENARIOS = (
    Scenario(30, "killing_of_civilians", ("artillery", "mlrs", "missile", "glide_bomb", "fpv_drone", "loitering_munition"),
             "killed", "civilian", "Strike on a residential area in {place}", "{place}: удар по житловому кварталу",
             second_act="attack_on_civilian_objects"),
    Scenario(24, "injury_of_civilians", ("artillery", "mlrs", "missile", "drone_dropped_munition", "fpv_drone", "cruise_missile"),
             "injured", "civilian", "Shelling injures residents of {place}", "{place}: обстріл поранив мешканців",
             second_act="indiscriminate_attack"),
    Scenario(4, "attack_on_cultural_property", ("missile", "artillery"), "property_loss", "civilian",
             "Museum and library damaged in {place}", "{place}: пошкоджено музей і бібліотеку"),
    Scenario(3, "attack_on_religious_property", ("artillery", "glide_bomb"), "property_loss", "civilian",
             "Church hit by shelling in {place}", "{place}: обстріл влучив у храм"),
    Scenario(3, "attack_on_medical_facility", ("missile", "glide_bomb"), "injured", "civilian",
             "Hospital struck in {place}", "{place}: удар по лікарні"),
    Scenario(6, "torture_and_ill_treatment", ("beating", "electric_shock", "asphyxiation", "mock_execution"),
             "ill_treated", "civilian", "Detention and torture of a resident of {place}",
             "{place}: затримання та катування місцевого мешканця", custody=True, occupied=True),
    Scenario(4, "enforced_disappearance", (None,), "disappeared", "civilian",
             "Resident of {place} taken away, whereabouts unknown", "{place}: мешканця вивезли, місцеперебування невідоме",
             custody=True, occupied=True),
    Scenario(3, "arbitrary_detention", (None,), "detained", "civilian", "Arbitrary detention in {place}",
             "{place}: свавільне затримання", custody=True, occupied=True, second_act="incommunicado_detention"),
    Scenario(3, "torture_of_prisoners_of_war", ("beating", "electric_shock", "stress_positions"), "ill_treated",
             "prisoner_of_war", "Ill-treatment of prisoners of war captured near {place}",
             "{place}: жорстоке поводження з військовополоненими, захопленими поблизу", custody=True),
    Scenario(2, "denial_of_fair_trial", (None,), "detained", "civilian", "Sham trial of a resident of {place}",
             "{place}: показовий суд над місцевим мешканцем", custody=True, occupied=True),
    Scenario(1, "forced_labour", (None,), "detained", "civilian", "Detainees from {place} forced to dig trenches",
             "{place}: затриманих місцевих мешканців змушували копати окопи", custody=True, occupied=True),
    Scenario(1, "sexual_violence", (None,), "sexually_abused", "civilian", "Sexual violence during occupation of {place}",
             "{place}: сексуальне насильство під час окупації", occupied=True),
    Scenario(3, "deportation_or_forcible_transfer", (None,), "displaced", "civilian",
             "Residents of {place} forcibly transferred", "{place}: примусове переміщення мешканців",
             displacement=True, occupied=True),
    Scenario(1, "deportation_of_children", (None,), "displaced", "civilian", "Children from {place} deported",
             "{place}: депортація дітей", displacement=True, occupied=True, child_victims=True),
    Scenario(1, "transfer_of_occupier_civilians", (None,), "rights_restricted", "unknown",
             "Settlement of the occupier's civilians in {place}", "{place}: заселення цивільних держави-окупанта",
             occupied=True),
    Scenario(2, "restriction_of_language_and_education", (None,), "rights_restricted", "civilian",
             "Ukrainian-language schooling banned in {place}", "{place}: заборона навчання українською мовою",
             occupied=True),
    Scenario(1, "religious_persecution", (None,), "rights_restricted", "civilian",
             "Religious community persecuted in {place}", "{place}: переслідування релігійної громади", occupied=True),
    Scenario(3, "use_of_anti_personnel_mines", ("anti_personnel_mine", "explosive_remnants_of_war"), "injured",
             "civilian", "Mine blast injures civilians near {place}", "{place}: цивільні підірвалися на міні поблизу", hazard=True),
    Scenario(2, "use_of_cluster_munitions", ("cluster_munition",), "killed", "civilian",
             "Cluster munition strike on {place}", "{place}: касетний удар", hazard=True),
    Scenario(1, "obstruction_of_humanitarian_access", (None,), "unknown", "civilian",
             "Humanitarian convoy blocked near {place}", "{place}: гуманітарний конвой заблоковано поблизу"),
    Scenario(2, "pillage", (None,), "property_loss", "civilian", "Homes looted in {place}",
             "{place}: пограбування будинків", occupied=True),
)

FACILITY_OUTCOMES = (("in_custody", 45), ("released", 15), ("exchanged", 20), ("returned_home", 8),
                     ("died_in_custody", 4), ("unknown", 8))
HOST_COUNTRIES = (("PL", "eu_temporary_protection"), ("DE", "eu_temporary_protection"), ("CZ", "eu_temporary_protection"),
                  ("US", "us_u4u_parole"), ("US", "us_tps"), ("RU", "none"), ("GB", "refugee_status"))
