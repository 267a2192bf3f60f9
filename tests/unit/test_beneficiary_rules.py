import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.config import load_pack
from chalicelib.domain import beneficiaries as rules
from chalicelib.domain import errors, inputs
from chalicelib.domain.errors import ApiError

PROFILE = load_pack("in")
YEAR = 2026
GOOD = {"name": "  Asha   Rao ", "birth_year": "1990", "gender_id": 2, "photo_id_type": 1,
        "photo_id_number": "2341 2341 2346", "comorbidity_ind": "n"}


def error_of(call) -> errors.ErrorCode:
    with pytest.raises(ApiError) as raised:
        call()
    return raised.value.error


def test_a_good_registration_is_normalised():
    registration = rules.parse_registration(GOOD, YEAR, PROFILE)
    assert registration.name == "Asha Rao"
    assert registration.birth_year == 1990 and registration.photo_id_number == "234123412346"
    assert registration.comorbidity_ind == "N" and registration.consent_version == "V1"


@pytest.mark.parametrize("year, ok", [(1899, False), (1900, True), (2014, True), (2015, False), (2030, False)])
def test_birth_year_bounds_follow_the_minimum_age(year, ok):  # India registers from 12 (its 12-14 cohort)
    call = lambda: rules.check_birth_year(year, YEAR, PROFILE)  # noqa: E731
    if ok:
        assert call() == year
    else:
        assert error_of(call) is errors.INVALID_BIRTH_YEAR


@pytest.mark.parametrize("name", ["", "   ", "R2D2", "1234", "x" * 101, 42, None, ["Asha"]])
def test_bad_names(name):
    assert error_of(lambda: inputs.person_name(name)) is errors.INVALID_NAME


@pytest.mark.parametrize("name", ["Asha", "आशा राव", "Mary-Jane O'Neil", "J. Kumar"])
def test_names_in_any_script(name):
    assert inputs.person_name(name) == name


@pytest.mark.parametrize("field, value, error", [
    ("gender_id", 9, errors.INVALID_GENDER),
    ("photo_id_type", 14, errors.INVALID_ID_TYPE),
    ("photo_id_number", "234123412345", errors.INVALID_ID_NUMBER),
    ("comorbidity_ind", "maybe", errors.INVALID_COMORBIDITY),
    ("birth_year", "nineteen", errors.INVALID_INPUT),
])
def test_each_field_has_its_own_error(field, value, error):
    assert error_of(lambda: rules.parse_registration({**GOOD, field: value}, YEAR, PROFILE)) is error


@pytest.mark.parametrize("missing", ["name", "birth_year", "gender_id", "photo_id_type", "photo_id_number"])
def test_required_fields(missing):
    body = {k: v for k, v in GOOD.items() if k != missing}
    assert error_of(lambda: rules.parse_registration(body, YEAR, PROFILE)).code in {"USRRES0001", "BENREG0008"}


def test_invalid_id_number_names_the_rule():
    with pytest.raises(ApiError) as raised:
        rules.parse_registration({**GOOD, "photo_id_type": 3, "photo_id_number": "ABCDE1234F"}, YEAR, PROFILE)
    assert "PAN" in raised.value.message


def test_correction_needs_a_field_and_validates_it():
    assert error_of(lambda: rules.parse_correction({}, YEAR, PROFILE)) is errors.NOTHING_TO_CORRECT
    assert rules.parse_correction({"name": " Asha  R "}, YEAR, PROFILE) == {"name": "Asha R"}
    assert error_of(lambda: rules.parse_correction({"gender_id": 7}, YEAR, PROFILE)) is errors.INVALID_GENDER


@given(st.integers(min_value=0, max_value=10_000))
def test_property_reference_ids_are_14_digits(_):
    reference_id = rules.new_reference_id()
    assert len(reference_id) == 14 and reference_id.isdigit() and reference_id[0] != "0"


def test_reference_ids_are_not_sequential():
    ids = sorted(int(rules.new_reference_id()) for _ in range(1000))
    assert len(set(ids)) == 1000
    assert min(b - a for a, b in zip(ids, ids[1:])) > 1


def test_vaccination_status():
    assert rules.vaccination_status(0, 2) == "Not Vaccinated"
    assert rules.vaccination_status(1, 2) == "Partially Vaccinated"
    assert rules.vaccination_status(2, 2) == "Vaccinated"
