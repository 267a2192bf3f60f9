import pytest

from chalicelib.config import PackError, Settings, load_pack


def test_india_defaults():
    profile = load_pack("in")
    assert profile.max_beneficiaries_per_mobile == 4
    assert profile.otp_validity_seconds == 180 and profile.otp_max_attempts == 3
    assert len(profile.id_types) == 13 and profile.id_types[0].type == "Aadhaar Card"


def test_settings_from_env_name_every_resource_by_country_and_stage():
    india = Settings.from_env({"TEEKA_STAGE": "prod", "AWS_REGION": "ap-south-1"})
    assert india.table_name("sessions") == "teeka-in-prod-sessions"
    assert india.secrets_parameter == "/teeka/in/prod/secrets"
    assert india.certificate_bucket == "teeka-in-prod-certificates"
    assert not india.is_local
    uganda = Settings.from_env({"TEEKA_STAGE": "prod", "TEEKA_COUNTRY": "ug"})
    assert uganda.table_name("sessions") == "teeka-ug-prod-sessions"
    assert uganda.secrets_parameter == "/teeka/ug/prod/secrets"


def test_country_profile_overrides_from_env():
    settings = Settings.from_env({"TEEKA_COUNTRY_PROFILE": '{"max_beneficiaries_per_mobile": 6}'})
    assert settings.country.max_beneficiaries_per_mobile == 6
    assert settings.country.otp_length == 6


def test_unknown_override_is_refused():
    with pytest.raises(ValueError, match="unknown"):
        Settings.from_env({"TEEKA_COUNTRY_PROFILE": '{"max_beneficiaries": 6}'})


def test_unknown_stage_is_refused():
    with pytest.raises(ValueError, match="TEEKA_STAGE"):
        Settings.from_env({"TEEKA_STAGE": "staging"})


def test_the_country_setting_picks_the_pack_and_an_unknown_one_names_the_packs():
    assert Settings.from_env({"TEEKA_COUNTRY": "IN"}).country.country_code == "IN"
    with pytest.raises(PackError, match=r"no country pack 'zz': the packs are .*in"):
        Settings.from_env({"TEEKA_COUNTRY": "zz"})


@pytest.fixture
def a_pack(tmp_path, monkeypatch):
    """A copy of India's pack as `zz`, for the test to spoil one field of."""
    import shutil

    from chalicelib import config

    shutil.copytree(config.COUNTRIES_DIR / "in", tmp_path / "zz")
    monkeypatch.setattr(config, "COUNTRIES_DIR", tmp_path)
    load_pack.cache_clear()
    pack = tmp_path / "zz" / "pack.toml"
    pack.write_text(pack.read_text(encoding="utf-8").replace('country_code = "IN"', 'country_code = "ZZ"'),
                    encoding="utf-8")
    yield pack
    load_pack.cache_clear()


def spoil(pack, old: str, new: str) -> None:
    text = pack.read_text(encoding="utf-8")
    assert old in text
    pack.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_copied_pack_loads(a_pack):
    assert load_pack("zz").country_code == "ZZ"


@pytest.mark.parametrize("old, new, message", [
    ("otp_length = 6", 'otp_length = "six"', r"pack.toml: otp_length: expected int, not 'six'"),
    ("otp_length = 6", "otp_length = true", r"otp_length: expected int, not True"),
    ("otp_length = 6\n", "", r"pack.toml: missing field 'otp_length'"),
    ("otp_length = 6", "otp_lenght = 6", r"pack.toml: unknown field 'otp_lenght'"),
    ('time_zone = "Asia/Kolkata"', 'time_zone = "Asia/Bombay City"', r"time_zone 'Asia/Bombay City' is not"),
    ('check = "stdnum:in_.aadhaar"', 'check = "stdnum:in_.aadhar"', r"id_types #1: check 'stdnum:in_.aadhar'"),
    ("pattern = '\\d{12}'", "pattern = '(\\d{12}'", r"id_types #1: pattern .* is not a regular expression"),
    ("[[genders]]\nid = 2", "[[genders]]\nid = 1", r"genders must be a non-empty list with distinct ids"),
    ("total_doses = 2", 'total_doses = "2"', r"vaccines #1: total_doses: expected int"),
    ("verifiable_id_types = [1]", "verifiable_id_types = [99]", r"verifiable_id_types names ID type 99"),
    ('languages = ["en_US", "hi_IN"]', "languages = []", r"languages must name"),
    ("[[id_types]]\nid = 1", "[[id_types]]\nid = 1\nsize = 3", r"id_types #1: unknown field 'size'"),
    ("otp_length = 6", "otp_length = ", r"chalicelib/countries/zz/pack.toml: "),
])
def test_a_wrong_field_fails_at_load_naming_the_file_and_the_field(a_pack, old, new, message):
    spoil(a_pack, old, new)
    with pytest.raises(PackError, match=message):
        load_pack("zz")


def test_a_district_of_no_state_fails_at_load(a_pack):
    spoil(a_pack.parent / "locations.json", '"state_id": 21,\n   "district_name": "Ahmednagar"',
          '"state_id": 99,\n   "district_name": "Ahmednagar"')
    with pytest.raises(PackError, match=r"locations.json: district #\d+ \(.*\) names state 99"):
        load_pack("zz")


def test_a_language_without_its_compiled_catalogue_fails_at_load(a_pack):
    spoil(a_pack, 'languages = ["en_US", "hi_IN"]', 'languages = ["en_US", "hi_IN", "ta_IN"]')
    with pytest.raises(PackError, match=r"zz/pack.toml: languages names 'ta_IN', but .*zz/locale/ta_IN/LC_MESSAGES/"
                                        r"teeka.mo is missing \(make catalogues"):
        load_pack("zz")


@pytest.mark.parametrize("asked, matching, language, local", [
    ("hi_IN", "hi_IN", "hi_IN", "hi_IN"), ("hi", "hi_IN", "hi_IN", "hi_IN"), ("hi-IN", "hi_IN", "hi_IN", "hi_IN"),
    ("HI-in", "hi_IN", "hi_IN", "hi_IN"), ("fr-FR, hi;q=0.8, en;q=0.5", "hi_IN", "hi_IN", "hi_IN"),
    ("en-GB,hi", "en_US", "en_US", None), ("en", "en_US", "en_US", None), ("", None, "en_US", None),
    ("fr", None, "en_US", None), (";q=1,,", None, "en_US", None), ("x" * 300, None, "en_US", None),
])
def test_a_requested_language_names_one_of_the_packs_or_the_packs_own(asked, matching, language, local):
    india = load_pack("in")
    assert (india.matching_language(asked), india.language(asked), india.local_language(asked)) == \
        (matching, language, local)
