"""KYC-VS rules (chalicelib/domain/kycvs.py): API keys, scopes, the 0/1/2 status and the precaution flag,
what an answer reveals, and how a request stands."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.config import load_pack
from chalicelib.domain import kycvs
from chalicelib.domain.errors import ApiError
from chalicelib.domain.records import BeneficiaryRecord, StatusCheckRecord

INDIA = load_pack("in")


def person(doses: int, vaccine: str | None = "COVISHIELD") -> BeneficiaryRecord:
    return BeneficiaryRecord("12345678901234", "9876543210", "Asha Rao", 1990, 2, 1, "claim", "1234", "N", "V1", 0,
                             doses_given=doses, vaccine=vaccine if doses else None)


def test_a_new_key_names_its_checker_and_only_its_digest_matches():
    key = kycvs.new_key("3f9a1c0b7d2e")
    assert kycvs.checker_of_key(key) == "3f9a1c0b7d2e"
    assert kycvs.key_matches(key, kycvs.key_digest(key))
    assert not kycvs.key_matches(key[:-1] + ("A" if key[-1] != "A" else "B"), kycvs.key_digest(key))
    assert kycvs.new_key("x") != kycvs.new_key("x")


@given(st.text(max_size=200))
def test_anything_but_a_well_formed_key_names_no_checker(text):
    found = kycvs.checker_of_key(text)
    assert found is None or text.startswith(f"kyc-{found}.")


@pytest.mark.parametrize(("doses", "status", "precaution"), [(0, 0, False), (1, 1, False), (2, 2, False),
                                                             (3, 2, True)])
def test_the_status_counts_doses_against_the_series_and_a_dose_beyond_it_is_a_precaution(doses, status, precaution):
    assert kycvs.status_of(person(doses), INDIA) == status
    assert kycvs.precaution_taken(person(doses), INDIA) is precaution


def test_a_one_dose_series_is_fully_vaccinated_at_once():
    one_dose = dataclasses.replace(INDIA, vaccines=tuple(dataclasses.replace(v, total_doses=1)
                                                         for v in INDIA.vaccines))
    assert kycvs.status_of(person(1), one_dose) == 2


def test_an_answer_holds_the_name_and_what_the_scopes_allow_nothing_else():
    assert kycvs.person_answer(person(2), ("status",), INDIA) == {"name": "Asha Rao", "vaccination_status": 2}
    assert kycvs.person_answer(person(3), ("status", "precaution"), INDIA) == {
        "name": "Asha Rao", "vaccination_status": 2, "precaution": True}
    no_precaution = dataclasses.replace(INDIA, vaccines=tuple(dataclasses.replace(v, precaution=None)
                                                              for v in INDIA.vaccines))
    assert kycvs.person_answer(person(3), ("status", "precaution"), no_precaution) == {
        "name": "Asha Rao", "vaccination_status": 2}


@pytest.mark.parametrize("scopes", [[], ["status", "everything"], "status", [1], None])
def test_scopes_are_a_non_empty_list_of_known_ones(scopes):
    with pytest.raises(ApiError):
        kycvs.scopes_of(scopes)


def test_scopes_come_in_their_canonical_order():
    assert kycvs.scopes_of(["precaution", "status", "status"]) == ("status", "precaution")


def test_an_unanswered_request_expires_with_its_otp():
    request = StatusCheckRecord("r", "c", "Hotel", "9876543210", 1000, 1180, kycvs.ASKED)
    assert kycvs.standing(request, 1179) == kycvs.ASKED and kycvs.standing(request, 1180) == kycvs.EXPIRED
    assert kycvs.standing(dataclasses.replace(request, status=kycvs.ANSWERED), 9999) == kycvs.ANSWERED
    assert kycvs.standing(dataclasses.replace(request, status=kycvs.REFUSED), 9999) == kycvs.REFUSED
