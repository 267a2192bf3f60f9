"""India's photo-ID validators, as its pack declares them: Verhoeff (Aadhaar) against known vectors,
and each type's format and checksum, by example and by property."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import verhoeff

from chalicelib.config import load_pack
from chalicelib.domain import identity

KEY = b"claim-key"
INDIA = load_pack("in")


def kind(id_type: int):
    return INDIA.id_type(id_type)


def aadhaar(first_eleven: str) -> str:
    return first_eleven + verhoeff.calc_check_digit(first_eleven)


@pytest.mark.parametrize("digits, check", [("236", "3"), ("12345", "1"), ("123456789012", "0"), ("142857", "0")])
def test_verhoeff_known_vectors(digits, check):
    assert verhoeff.calc_check_digit(digits) == check
    assert verhoeff.is_valid(digits + check)


def test_verhoeff_rejects_a_wrong_check_digit():
    assert not verhoeff.is_valid("2364")
    assert not verhoeff.is_valid("1234567890121")


elevens = st.from_regex(r"[2-9][0-9]{10}", fullmatch=True)


@given(elevens)
def test_property_a_completed_number_is_valid_aadhaar(first_eleven):
    number = aadhaar(first_eleven)
    # UIDAI issues no palindromes (python-stdnum refuses them): all the others with their check digit pass.
    assert identity.is_valid(kind(1), number) == (number != number[::-1])


@given(elevens, st.integers(min_value=0, max_value=11), st.integers(min_value=1, max_value=9))
def test_property_every_single_digit_error_is_caught(first_eleven, position, shift):
    number = aadhaar(first_eleven)
    wrong = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1:]
    assert not identity.is_valid(kind(1), wrong)


@given(elevens, st.integers(min_value=0, max_value=10))
def test_property_every_adjacent_transposition_is_caught(first_eleven, position):
    number = aadhaar(first_eleven)
    if number[position] == number[position + 1]:
        return
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2:]
    assert not identity.is_valid(kind(1), swapped)


@pytest.mark.parametrize("number", ["034123412346", "134123412346", "23412341234", "2341234123467"])
def test_aadhaar_shape_rules(number):
    assert not identity.is_valid(kind(1), number)


VALID = {
    1: ["234123412346"],
    2: ["MH0220110012345", "KA5120190001234"],
    3: ["ABCPE1234F"],
    4: ["J8369854", "A1234567"],
    5: ["WKH1186253"],  # python-stdnum's own example
    6: ["NPR1234567890"],
    7: ["PPO123456"],
    8: ["SVC1234"],
    9: ["123456789012"],
    10: ["MH0100100200300012"],
    11: ["MLA2019001"],
    12: ["MH0230119780012345"],
    13: ["RC27012345678"],
}
INVALID = {
    2: ["MH022011001234", "1H0220110012345", "MH0218110012345"],
    3: ["ABCCE1234F", "ABCP1234F", "ABCPE12345"],
    4: ["Q1234567", "X1234567", "A123456", "12345678"],
    5: ["AB12345678", "ABC123456", "ABC1234567"],  # the last fails its Luhn check digit
    9: ["12345678", "1234567890123456789", "12345678A"],
    10: ["MH01001", "1234567890123456"],
    12: ["MH023011978001234", "M10230119780012345"],
    13: ["RC12"],
}


@pytest.mark.parametrize("id_type, number", [(t, n) for t, numbers in VALID.items() for n in numbers])
def test_valid_examples(id_type, number):
    assert identity.is_valid(kind(id_type), identity.normalise(number))


@pytest.mark.parametrize("id_type, number", [(t, n) for t, numbers in INVALID.items() for n in numbers])
def test_invalid_examples(id_type, number):
    assert not identity.is_valid(kind(id_type), identity.normalise(number))


@pytest.mark.parametrize("id_type", [t.id for t in INDIA.id_types if not t.check])
def test_property_anything_matching_the_documented_pattern_is_valid(id_type):
    pattern = re.compile(kind(id_type).pattern, flags=re.ASCII)

    @settings(max_examples=40, deadline=None)
    @given(st.from_regex(pattern, fullmatch=True))
    def check(number):
        assert identity.is_valid(kind(id_type), number)

    check()


def test_digits_of_other_scripts_are_the_same_id():
    devanagari = "२३४१ २३४१ २३४६"
    assert identity.normalise(devanagari) == "234123412346"
    assert identity.is_valid(kind(1), identity.normalise(devanagari))


def test_other_unicode_digits_never_pass_as_ascii_patterns():
    assert not kind(9).accepts("\u1c56" * 12)


@given(st.text(max_size=25))
def test_property_validation_never_crashes(text):
    for id_type in range(0, 15):
        identity.is_valid(kind(id_type), identity.normalise(text))


def test_normalising_makes_spellings_one_claim():
    spellings = ["2341 2341 2346", "2341-2341-2346", " 234123412346 "]
    claims = {identity.claim_key(KEY, 1, identity.normalise(s)) for s in spellings}
    assert len(claims) == 1
    assert identity.normalise("abcpe1234f") == "ABCPE1234F"


def test_claims_depend_on_type_number_and_key():
    number = "123456789012"
    assert identity.claim_key(KEY, 1, number) != identity.claim_key(KEY, 9, number)
    assert identity.claim_key(KEY, 9, number) != identity.claim_key(b"other-key", 9, number)
    assert number not in identity.claim_key(KEY, 9, number)


def test_last4():
    assert identity.last4("234123412346") == "2346"
