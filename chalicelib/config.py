"""One typed settings object, read once from the environment, and one country profile.

Every policy number lives in `CountryProfile` with India's values as defaults; a stage overrides
any of them with the JSON object in `TEEKA_COUNTRY_PROFILE` (e.g. `{"max_beneficiaries_per_mobile": 6}`).
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache

STAGES = ("local", "dev", "prod")


@dataclass(frozen=True)
class IdType:
    id: int
    type: str
    type_l: str = ""


@dataclass(frozen=True)
class Gender:
    id: int
    gender: str
    gender_l: str = ""


# The 13 photo-ID types CoWIN accepts, with CoWIN's ids.
INDIA_ID_TYPES = (
    IdType(1, "Aadhaar Card", "आधार कार्ड"),
    IdType(2, "Driving License", "ड्राइविंग लाइसेंस"),
    IdType(3, "PAN Card", "पैन कार्ड"),
    IdType(4, "Passport", "पासपोर्ट"),
    IdType(5, "Voter ID", "मतदाता पहचान पत्र"),
    IdType(6, "NPR Smart Card", "एनपीआर स्मार्ट कार्ड"),
    IdType(7, "Pension Passbook", "पेंशन पासबुक"),
    IdType(8, "Service Identity Card", "सेवा पहचान पत्र"),
    IdType(9, "Bank/Post Office Passbook", "बैंक/डाकघर पासबुक"),
    IdType(10, "MGNREGA Job Card", "मनरेगा जॉब कार्ड"),
    IdType(11, "Official ID for MPs/MLAs/MLCs", "सांसदों/विधायकों का आधिकारिक पहचान पत्र"),
    IdType(12, "Unique Disability ID", "विशिष्ट विकलांगता पहचान पत्र"),
    IdType(13, "Ration Card with Photo", "फोटो सहित राशन कार्ड"),
)

@dataclass(frozen=True)
class Vaccine:
    """A vaccine the campaign uses: doses, the window between doses, who may receive it."""

    name: str
    manufacturer: str
    total_doses: int
    min_interval_days: int
    max_interval_days: int
    min_age_years: int = 18


INDIA_VACCINES = (
    Vaccine("COVISHIELD", "Serum Institute of India", 2, 84, 112),
    Vaccine("COVAXIN", "Bharat Biotech", 2, 28, 42),
    Vaccine("SPUTNIK V", "Dr. Reddy's Laboratories", 2, 21, 90),
)

INDIA_GENDERS = (
    Gender(1, "Male", "पुरुष"),
    Gender(2, "Female", "महिला"),
    Gender(3, "Others", "अन्य"),
)


@dataclass(frozen=True)
class CountryProfile:
    """A country's policy numbers. Defaults are India's (CoWIN, 2021)."""

    country_code: str = "IN"
    mobile_pattern: str = r"[6-9]\d{9}"
    mobile_country_prefix: str = "+91"
    time_zone: str = "Asia/Kolkata"
    languages: tuple[str, ...] = ("en_US", "hi_IN")
    otp_length: int = 6
    otp_validity_seconds: int = 180
    otp_max_attempts: int = 3
    otp_resend_interval_seconds: int = 180
    token_validity_seconds: int = 900
    max_beneficiaries_per_mobile: int = 4  # registered on one mobile
    max_beneficiaries_per_appointment: int = 4  # booked together in one appointment
    min_age_years: int = 18
    reschedule_limit: int = 3
    # Per-mobile rate limits (fixed windows): answered 429 with Retry-After beyond them.
    otp_sends_per_hour: int = 10
    booking_attempts_per_window: int = 20
    booking_window_seconds: int = 300
    # CoWIN made the captcha optional on schedule; a country can require it (checked server-side).
    captcha_required: bool = False
    metadata_ttl_hours: int = 24
    # ID types a national provider can authenticate online (India: Aadhaar), and whether booking needs it.
    verifiable_id_types: tuple[int, ...] = (1,)
    id_verification_required_for_booking: bool = False
    # Each start texts the ID's linked mobile (someone else's phone): starts per day, per beneficiary
    # and per ID number; and OTP tries per start, each counted before it is judged.
    id_verification_starts_per_beneficiary_per_day: int = 3
    id_verification_starts_per_id_per_day: int = 3
    id_verification_otp_attempts: int = 3
    id_types: tuple[IdType, ...] = INDIA_ID_TYPES
    genders: tuple[Gender, ...] = INDIA_GENDERS
    vaccines: tuple[Vaccine, ...] = INDIA_VACCINES
    # Sessions are planned this many days ahead at most; availability searches cover 7 days.
    planning_horizon_days: int = 60
    # Dose capture: wrong security codes before an appointment locks (a facility admin unlocks it);
    # how old an offline record may be when it syncs; how far ahead of the server a device clock may run.
    security_code_attempts: int = 5
    offline_capture_window_hours: int = 72
    clock_skew_seconds: int = 300
    # Certificates: who signs them, what they print, and whether they carry the birth year.
    certificate_issuer: str = "https://teeka.health/"
    certificate_authority: str = "Ministry of Health and Family Welfare, Government of India"
    nationality: str = "Indian"
    certificate_shows_birth_year: bool = False

    def vaccine(self, name: str) -> Vaccine | None:
        return next((v for v in self.vaccines if v.name == name), None)

    def id_type_name(self, id_type: int) -> str:
        return next((t.type for t in self.id_types if t.id == id_type), "")

    def gender_name(self, gender_id: int) -> str:
        return next((g.gender for g in self.genders if g.id == gender_id), "")

    @classmethod
    def with_overrides(cls, overrides: dict) -> CountryProfile:
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = set(overrides) - set(known)
        if unknown:
            raise ValueError(f"unknown country profile settings: {sorted(unknown)}")
        values = dict(overrides)
        if "id_types" in values:
            values["id_types"] = tuple(IdType(**item) for item in values["id_types"])
        if "genders" in values:
            values["genders"] = tuple(Gender(**item) for item in values["genders"])
        if "vaccines" in values:
            values["vaccines"] = tuple(Vaccine(**item) for item in values["vaccines"])
        for name in ("languages", "verifiable_id_types"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)


@dataclass(frozen=True)
class Settings:
    stage: str = "local"
    region: str = "ap-south-1"
    # Where AWS lives: empty means the real AWS endpoints; locally, the embedded moto server.
    aws_endpoint_url: str = ""
    # SSM SecureString holding the secrets (JWT signing key, OTP pepper, ID-claim HMAC key).
    secrets_parameter: str = ""
    metadata_max_age_seconds: int = 3600
    availability_max_age_seconds: int = 60
    # Surge mode for the whole stage: bookings are queued and confirmed by the worker (an operator
    # can also switch it on at run time, see services.surge).
    surge_mode: bool = False
    # Certificates: the private S3 bucket of PDFs, and how often the sweep issues what events missed.
    certificate_bucket: str = ""
    certificate_sweep_minutes: int = 5
    country: CountryProfile = field(default_factory=CountryProfile)

    def table_name(self, name: str) -> str:
        return f"teeka-{self.stage}-{name}"

    @property
    def is_local(self) -> bool:
        return self.stage == "local"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        stage = env.get("TEEKA_STAGE", "local")
        if stage not in STAGES:
            raise ValueError(f"TEEKA_STAGE must be one of {STAGES}, not {stage!r}")
        profile_json = env.get("TEEKA_COUNTRY_PROFILE", "").strip()
        country = CountryProfile.with_overrides(json.loads(profile_json)) if profile_json else CountryProfile()
        return cls(
            stage=stage,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or cls.region,
            aws_endpoint_url=env.get("AWS_ENDPOINT_URL", ""),
            secrets_parameter=env.get("TEEKA_SECRETS_PARAMETER") or f"/teeka/{stage}/secrets",
            metadata_max_age_seconds=int(env.get("TEEKA_METADATA_MAX_AGE", cls.metadata_max_age_seconds)),
            availability_max_age_seconds=int(env.get("TEEKA_AVAILABILITY_MAX_AGE", cls.availability_max_age_seconds)),
            surge_mode=env.get("TEEKA_SURGE_MODE", "").strip().lower() in ("1", "true", "yes", "on"),
            certificate_bucket=env.get("TEEKA_CERTIFICATE_BUCKET") or f"teeka-{stage}-certificates",
            certificate_sweep_minutes=int(env.get("TEEKA_CERTIFICATE_SWEEP_MINUTES", cls.certificate_sweep_minutes)),
            country=country,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
