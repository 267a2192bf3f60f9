from datetime import date

import pytest

from chalicelib.domain import errors, inputs
from chalicelib.domain.errors import ApiError

PATTERN = r"[6-9]\d{9}"


def code_of(call) -> str:
    with pytest.raises(ApiError) as raised:
        call()
    return raised.value.error.code


def test_integers_arrive_as_numbers_or_strings():
    assert inputs.integer({"dose": 1}, "dose") == 1
    assert inputs.integer({"dose": " 2 "}, "dose") == 2


@pytest.mark.parametrize("bad", ["one", 1.5, True, [1], {"a": 1}])
def test_other_integer_shapes_are_invalid(bad):
    assert code_of(lambda: inputs.integer({"dose": bad}, "dose")) == errors.INVALID_INPUT.code


@pytest.mark.parametrize("body", [{}, {"name": None}, {"name": "  "}, []])
def test_missing_fields_say_so(body):
    assert code_of(lambda: inputs.text(body, "name")) == errors.INPUT_MISSING.code


def test_mobile_must_match_the_country_pattern():
    assert inputs.mobile({"mobile": 9876543210}, "mobile", PATTERN) == "9876543210"
    for bad in ("12345", "5876543210", "98765432100", "98765abcde", True):
        assert code_of(lambda bad=bad: inputs.mobile({"mobile": bad}, "mobile", PATTERN)) == errors.INVALID_MOBILE.code


def test_cowin_dates_are_day_month_year():
    assert inputs.cowin_date("05-06-2021") == date(2021, 6, 5)
    assert inputs.format_cowin_date(date(2021, 6, 5)) == "05-06-2021"
    for bad in ("2021-06-05", "31-02-2021", "5/6/2021"):
        assert code_of(lambda bad=bad: inputs.cowin_date(bad)) == errors.INVALID_DATE.code
    assert code_of(lambda: inputs.cowin_date(None)) == errors.INPUT_MISSING.code


def test_masking():
    from chalicelib.domain.masking import mask_id_number, mask_mobile

    assert mask_mobile("9876543210") == "******3210"
    assert mask_id_number("3405") == "********3405"


def test_mobile_in_another_scripts_digits_is_refused():
    assert code_of(lambda: inputs.mobile({"mobile": "९८७६५४३२१०"}, "mobile", PATTERN)) == errors.INVALID_MOBILE.code
