"""The shipped country packs load whole, carry their countries' real places, and validate their photo
IDs by the issuers' published rules (python-stdnum's own test numbers where it has them)."""
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from chalicelib.config import load_pack
from chalicelib.domain import identity

# (pack, states, districts, its first language, time zone, mobile prefix)
PACKS = [("in", 37, 756, "en_US", "Asia/Kolkata", "+91"),
         ("ug", 4, 135, "en_UG", "Africa/Kampala", "+256"),
         ("do", 10, 32, "es_DO", "America/Santo_Domingo", "+1")]


@pytest.mark.parametrize("code, states, districts, language, zone, prefix", PACKS)
def test_each_pack_loads_with_its_places(code, states, districts, language, zone, prefix):
    profile = load_pack(code)
    places = json.loads(profile.locations_file.read_text(encoding="utf-8"))
    assert (len(places["states"]), len(places["districts"])) == (states, districts)
    assert (profile.languages[0], profile.time_zone, profile.mobile_country_prefix) == (language, zone, prefix)


def test_ugandas_places_are_iso_3166_2_with_stable_ids():
    places = json.loads(load_pack("ug").locations_file.read_text(encoding="utf-8"))
    assert {s["iso_code"]: s["state_id"] for s in places["states"]} == {"UG-C": 1, "UG-E": 2, "UG-N": 3, "UG-W": 4}
    kampala = next(d for d in places["districts"] if d["district_name"] == "Kampala")
    assert (kampala["iso_code"], kampala["district_id"], kampala["state_id"]) == ("UG-102", 102, 1)


def test_the_dominican_provinces_sit_in_their_regions():
    places = json.loads(load_pack("do").locations_file.read_text(encoding="utf-8"))
    national = next(d for d in places["districts"] if d["iso_code"] == "DO-01")
    ozama = next(s for s in places["states"] if s["state_id"] == national["state_id"])
    assert ozama["state_name"] == "Ozama" and national["district_id"] == 1


CEDULA = load_pack("do").id_type(1)
NIN = load_pack("ug").id_type(1)


@pytest.mark.parametrize("number, valid", [("00113918205", True), ("00113918204", False), ("0011391820A", False),
                                           ("224-0002211-1", True)])
def test_the_cedula_by_python_stdnums_own_numbers(number, valid):
    assert identity.is_valid(CEDULA, identity.normalise(number)) is valid


@given(st.from_regex(r"[0-9]{10}", fullmatch=True))
def test_property_a_cedula_with_its_luhn_digit_passes_and_any_other_digit_fails(first_ten):
    number = first_ten + luhn.calc_check_digit(first_ten)
    assert identity.is_valid(CEDULA, number)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not identity.is_valid(CEDULA, wrong)


@pytest.mark.parametrize("number, valid", [("CM90012345678X", True), ("cf85 0123 4567 8a", True),
                                           ("FM0112345ABCDE", True), ("XM90012345678X", False),
                                           ("CX90012345678X", False), ("CM9001234567", False),
                                           ("CMA0012345678X", False), ("CM90012345678XY", False)])
def test_the_nin_by_nira_s_documented_form(number, valid):
    assert identity.is_valid(NIN, identity.normalise(number)) is valid


@pytest.mark.parametrize("code", ["in", "ug", "do"])
def test_every_pack_names_a_single_or_multi_dose_vaccine_with_a_sane_window(code):
    for vaccine in load_pack(code).vaccines:
        assert vaccine.total_doses >= 1
        assert vaccine.total_doses == 1 or 0 < vaccine.min_interval_days <= vaccine.max_interval_days
