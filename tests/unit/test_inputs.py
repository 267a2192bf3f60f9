from datetime import date

import pytest

from chalicelib.domain import errors, inputs
from chalicelib.domain.calendar import format_cowin_date
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
    assert format_cowin_date(date(2021, 6, 5)) == "05-06-2021"
    for bad in ("2021-06-05", "31-02-2021", "5/6/2021"):
        assert code_of(lambda bad=bad: inputs.cowin_date(bad)) == errors.INVALID_DATE.code
    assert code_of(lambda: inputs.cowin_date(None)) == errors.INPUT_MISSING.code


def test_masking():
    from chalicelib.domain.masking import mask_id_number, mask_mobile

    assert mask_mobile("9876543210") == "******3210"
    assert mask_id_number("3405") == "********3405"


def test_mobile_in_another_scripts_digits_is_refused():
    assert code_of(lambda: inputs.mobile({"mobile": "९८७६५४३२१०"}, "mobile", PATTERN)) == errors.INVALID_MOBILE.code


@pytest.mark.parametrize("raw", ['{"a":' * 20 + "1" + "}" * 20, '{"a": NaN}', '{"a": [Infinity]}', '{"a": 1e999}',
                                 '{"a": "\\ud800"}', '{"a\\u0000": 1}', '{"a": "nul\\u0000"}',
                                 '{"a": ' + "9" * 39 + "}",
                                 '{"a": 1e39}', "[1]", "1", '"x"', "{", b"\xff"])
def test_bodies_no_field_can_hold_are_refused_whole(raw):
    body = raw.encode() if isinstance(raw, str) else raw
    assert code_of(lambda: inputs.json_object(body)) in (errors.INVALID_JSON.code, errors.INVALID_INPUT.code)


def test_a_body_as_deep_as_python_can_parse_is_still_a_clear_refusal():
    assert code_of(lambda: inputs.json_object(("[" * 100_000 + "]" * 100_000).encode())) == errors.INVALID_JSON.code


def test_ordinary_bodies_pass_untouched():
    body = '{"name": "आशा", "dose": 1.0, "slots": [{"name": "09:00AM-11:00AM", "capacity": 10}], "ok": true, "n": null}'
    assert inputs.json_object(body.encode())["slots"][0]["capacity"] == 10
    assert inputs.json_object(b"") == {}


@pytest.mark.parametrize("value", [1, 1.0, 1e0, "1", " 1 ", 10.0])
def test_whole_numbers_in_any_spelling(value):
    assert inputs.integer({"n": value}, "n") == int(float(value))


@pytest.mark.parametrize("value", ["1.0", "1e0", "١", "1_0", float("nan"), 1.5, "x" * 40, "9" * 39])
def test_what_is_not_a_whole_number(value):
    assert code_of(lambda: inputs.integer({"n": value}, "n")) == errors.INVALID_INPUT.code


@pytest.mark.parametrize("name", ["Asha Rao", "आशा राव", "ஆஷா", "O'Brien-Nair", "D’Souza", "J. Kumar", "Zoë",
                                  "क्\u200dषमा", "ശ്രീ\u200cലക്ഷ്മി", "محمد\u200cعلی"])
def test_names_in_any_script(name):
    assert inputs.person_name(name) == name


@pytest.mark.parametrize("name", ["Asha\u0000", "Asha\u202eoaR", "Asha\u200bRao", "\u200dAsha", "Asha\u200d",
                                  "Asha\u2066", "Asha\ufeff", "Asha\U000e0041", "R2D2", "Asha 🙂", "Asha+Rao",
                                  "", "   ", "x" * 101, 7, None])
def test_what_no_name_holds(name):
    assert code_of(lambda: inputs.person_name(name)) == errors.INVALID_NAME.code


def test_a_name_is_normalised_and_its_white_space_collapsed():
    assert inputs.person_name("  A\u0301sha \t Rao\n") == "\u00c1sha Rao"


@pytest.mark.parametrize("label", ["Seven Hills Hospital", "KEM Hospital, Parel (F/South) #2", "अंधेरी शिबिर।"])
def test_labels_take_digits_and_punctuation(label):
    assert inputs.label({"name": label}, "name") == label


@pytest.mark.parametrize("label", ["Camp\u202e", "Camp\u0000", "Camp \u00a9", "12345", "Camp\u200b"])
def test_labels_refuse_the_invisible_and_symbols(label):
    assert code_of(lambda: inputs.label({"name": label}, "name")) == errors.INVALID_INPUT.code


@pytest.mark.parametrize("value", ["x" * 257, "a\u0000b", "a\x1bb", "\ud800"])
def test_query_and_path_values_are_bounded(value):
    assert code_of(lambda: inputs.clean_parameter("p", value)) == errors.INVALID_INPUT.code


@pytest.mark.parametrize("day", ["31-12-9999", "01-01-1999", "31-12-2100"])
def test_dates_keep_to_this_century(day):
    assert code_of(lambda: inputs.cowin_date(day)) == errors.INVALID_DATE.code
