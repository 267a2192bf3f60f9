import pytest

from chalicelib.config import CountryProfile, Settings


def test_india_defaults():
    profile = CountryProfile()
    assert profile.max_beneficiaries_per_mobile == 4
    assert profile.otp_validity_seconds == 180 and profile.otp_max_attempts == 3
    assert len(profile.id_types) == 13 and profile.id_types[0].type == "Aadhaar Card"


def test_settings_from_env_prefix_tables_by_stage():
    settings = Settings.from_env({"TEEKA_STAGE": "prod", "AWS_REGION": "ap-south-1"})
    assert settings.table_name("sessions") == "teeka-prod-sessions"
    assert settings.secrets_parameter == "/teeka/prod/secrets"
    assert not settings.is_local


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
