"""One typed settings object, read once from the environment, and the country pack it names.

A country is a folder, `chalicelib/countries/<code>/` (docs/countries.md): `pack.toml` gives every
`CountryProfile` field (policy numbers, ID types with their validators declared as data, genders,
vaccines, certificate texts) and `locations.json` its states and districts. `TEEKA_COUNTRY` picks the
pack (India, `in`, by default); `TEEKA_COUNTRY_PROFILE` may override any field with a JSON object
(e.g. `{"max_beneficiaries_per_mobile": 6}`). A pack is checked whole when it loads, and an error
names the file and the field.
"""
from __future__ import annotations

import dataclasses
import gettext
import importlib
import json
import os
import re
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

STAGES = ("local", "dev", "prod")
COUNTRIES_DIR = Path(__file__).resolve().parent / "countries"


class PackError(ValueError):
    """A country pack that cannot be used: the message names the file and the field."""


@cache  # resolved once per name: a registration checks its number without importing anything
def _named_check(name: str) -> Callable[[str], bool]:
    """A checksum named in a pack: "verhoeff", "luhn", "iso7064_mod_11_2", "iso7064_mod_97_10", or
    "stdnum:<module>" for any of python-stdnum's validators (e.g. "stdnum:in_.aadhaar")."""
    module = {"verhoeff": "verhoeff", "luhn": "luhn", "iso7064_mod_11_2": "iso7064.mod_11_2",
              "iso7064_mod_97_10": "iso7064.mod_97_10"}.get(name)
    if module is None and name.startswith("stdnum:"):
        module = name.removeprefix("stdnum:")
    if module is None or not re.fullmatch(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*", module):
        raise LookupError(name)
    try:
        validator = importlib.import_module(f"stdnum.{module}").is_valid
    except (ImportError, AttributeError):
        raise LookupError(name) from None
    return typing.cast(Callable[[str], bool], validator)


@dataclass(frozen=True)
class IdType:
    """A photo-ID type: CoWIN's id and names, and what a valid number looks like (normalised)."""

    id: int
    type: str
    pattern: str
    rule: str  # the format in words, for the error a wrong number gets
    check: str = ""  # a named checksum (see `_named_check`), or none

    def accepts(self, number: str) -> bool:
        # ASCII: in Python's default (Unicode) mode \d also matches digits of other scripts.
        if re.fullmatch(self.pattern, number, flags=re.ASCII) is None:
            return False
        return not self.check or _named_check(self.check)(number)


@dataclass(frozen=True)
class Gender:
    id: int
    gender: str
    # Where the public reports count this gender: CoWIN's "male", "female" or "others".
    report_as: str = "others"


@dataclass(frozen=True)
class AgeBand:
    """An age band of the public reports: from `from_age` (years, at the dose) to the next band's."""

    key: str  # CoWIN's name of the band in vaccinationByAge, e.g. "vac_18_45" or "above_60"
    from_age: int


@dataclass(frozen=True)
class SmsTemplate:
    """An SMS template's registration with the carriers (India's DLT: one id per template and language)."""

    name: str  # a key of domain.messages.TEMPLATES
    language: str
    template_id: str


@dataclass(frozen=True)
class VaccineCodes:
    """How the international certificates name a vaccine (docs/certificates.md#codes): WHO's ICD-11 for the
    DDCC:VS, CDC's CVX (or SNOMED CT) for a SMART Health Card, the EU value sets for an EU DCC. An empty
    code leaves that format out for the vaccine (the EU DCC is for COVID-19 vaccines only)."""

    icd11: str  # the vaccine type, e.g. XM9QW8 (non-replicating viral vector)
    icd11_brand: str = ""  # the product, e.g. XM97T2 (Covishield)
    disease_icd11: str = "RA01"  # what it protects against, ICD-11 (COVID-19)
    disease_snomed: str = "840539006"  # the same in SNOMED CT: the EU DCC's `tg`
    cvx: str = ""
    snomed: str = ""
    eu_mp: str = ""  # EU DCC medicinal product (vaccine-medicinal-product)
    eu_ma: str = ""  # EU DCC marketing authorisation holder or manufacturer (vaccine-mah-manf)
    eu_vp: str = ""  # EU DCC vaccine or prophylaxis type (vaccine-prophylaxis)


@dataclass(frozen=True)
class Precaution:
    """A precaution (booster) dose of a vaccine, one after a completed primary series: which series it
    may follow (the vaccine's own: homologous; another's: heterologous), how long after the series'
    last dose, and from which date it is given at all."""

    follows: tuple[str, ...]  # the primary series' vaccines it may follow
    min_interval_days: int
    max_interval_days: int = 0  # 0: no upper bound
    opens_on: date | None = None  # none: as soon as a cohort's precaution doses open


@dataclass(frozen=True)
class Vaccine:
    """A vaccine the campaign uses: its primary series (doses, the window between doses), who may
    receive it, and its precaution dose, if the country gives one."""

    name: str
    manufacturer: str
    total_doses: int
    min_interval_days: int
    max_interval_days: int
    min_age_years: int = 18
    precaution: Precaution | None = None
    codes: VaccineCodes | None = None  # none: no international certificate for this vaccine
    # How long an opened vial of this vaccine may be used, when it differs from the country's
    # `open_vial_seconds` (0: the country's).
    open_vial_seconds: int = 0


@dataclass(frozen=True)
class Cohort:
    """Who may be vaccinated, from when, with which vaccines: an age band (in years, reckoned by
    calendar year as CoWIN does), optionally narrowed to occupations or to people with a comorbidity.
    A person in several cohorts may do what any of them allows."""

    key: str
    name: str
    min_age: int
    opens_on: date  # the primary series (dose 1) from this date
    vaccines: tuple[str, ...]  # the primary series' vaccines this cohort may receive
    max_age: int | None = None
    occupations: tuple[str, ...] = ()  # none: anyone of the ages
    comorbidity: bool = False  # only people with a declared comorbidity
    precaution_opens_on: date | None = None  # none: this cohort gets no precaution dose

    def includes(self, age: int, occupation: str | None, comorbidity: bool) -> bool:
        return (self.min_age <= age and (self.max_age is None or age <= self.max_age)
                and (not self.occupations or occupation in self.occupations)
                and (comorbidity or not self.comorbidity))


@dataclass(frozen=True)
class Occupation:
    """An occupation a cohort may name (health worker, front-line worker), as registration declares it."""

    key: str
    name: str


@dataclass(frozen=True)
class CountryProfile:
    """A country's rules and words, as its pack declares them (chalicelib/countries/<code>/pack.toml)."""

    country_code: str  # ISO 3166-1 alpha-2; its lower case names the pack's folder
    mobile_pattern: str
    mobile_country_prefix: str
    # CoWIN calls a centre's postal code its pincode and searches by it (findByPin, calendarByPin).
    postal_code_pattern: str
    time_zone: str
    languages: tuple[str, ...]  # the pack's own language first; the others fill CoWIN's *_l fields
    otp_length: int
    otp_validity_seconds: int
    otp_max_attempts: int
    otp_resend_interval_seconds: int
    token_validity_seconds: int
    max_beneficiaries_per_mobile: int  # registered on one mobile
    max_beneficiaries_per_appointment: int  # booked together in one appointment
    min_age_years: int
    reschedule_limit: int
    # Per-mobile rate limits (fixed windows): answered 429 with Retry-After beyond them.
    otp_sends_per_hour: int
    booking_attempts_per_window: int
    booking_window_seconds: int
    # CoWIN made the captcha optional on schedule; a country can require it (checked server-side).
    captcha_required: bool
    metadata_ttl_hours: int
    # ID types a national provider can authenticate online (India: Aadhaar), and whether booking needs it.
    verifiable_id_types: tuple[int, ...]
    id_verification_required_for_booking: bool
    # Each start texts the ID's linked mobile (someone else's phone): starts per day, per beneficiary
    # and per ID number; and OTP tries per start, each counted before it is judged.
    id_verification_starts_per_beneficiary_per_day: int
    id_verification_starts_per_id_per_day: int
    id_verification_otp_attempts: int
    id_types: tuple[IdType, ...]
    genders: tuple[Gender, ...]
    vaccines: tuple[Vaccine, ...]
    # Sessions are planned this many days ahead at most; availability searches cover 7 days.
    planning_horizon_days: int
    # Dose capture: wrong security codes before an appointment locks (a facility admin unlocks it);
    # how old an offline record may be when it syncs; how far ahead of the server a device clock may run.
    security_code_attempts: int
    offline_capture_window_hours: int
    clock_skew_seconds: int
    # Certificates: who signs them, what they print, and whether they carry the birth year.
    certificate_issuer: str
    certificate_authority: str
    nationality: str
    certificate_shows_birth_year: bool
    # Travellers: the ID type whose numbers are passports (0: travellers cannot add one), and how long
    # an EU DCC is valid from its issuance.
    passport_id_type: int = 0
    international_certificate_valid_days: int = 365
    country_code_alpha3: str = ""  # ISO 3166-1 alpha-3, as the WHO DDCC:VS names countries
    # Slot alerts: subscriptions a mobile may keep, the days one lasts, and alert SMS a mobile gets a day.
    alerts_per_mobile: int = 5
    alert_days: int = 30
    alert_sms_per_day: int = 3
    # Reminders: the local hour of the day-before-appointment SMS, and how many days before dose 2's
    # window closes the last call goes out.
    reminder_hour: int = 9
    dose2_closing_reminder_days: int = 7
    # Assisted registration (docs/assisted-registration.md): how long a citizen's consent lets an operator
    # act for them; the actions (registrations, bookings, cancellations) one operator may do in a local day;
    # and the consent OTPs one operator may have texted to citizens in a local day.
    operator_consent_seconds: int = 900
    operator_actions_per_day: int = 200
    operator_consent_requests_per_day: int = 100
    # Grievances (docs/grievances.md): how many issues one mobile may have open at once.
    grievances_open_per_mobile: int = 3
    # SMS registration where carriers require it (India's DLT): the sender id, the principal entity id,
    # and each template's id per language. With an entity id, every template must be registered.
    sms_sender_id: str = ""
    sms_entity_id: str = ""
    sms_templates: tuple[SmsTemplate, ...] = ()
    # Programmes: who may be vaccinated when and with what (docs/programmes.md); the occupations they name.
    cohorts: tuple[Cohort, ...] = ()
    occupations: tuple[Occupation, ...] = ()
    # The public reports' age bands, youngest first (CoWIN's 2021 dashboard: 18-30, 30-45, 45-60, 60+).
    report_age_bands: tuple[AgeBand, ...] = (AgeBand("vac_18_30", 18), AgeBand("vac_30_45", 30),
                                             AgeBand("vac_45_60", 45), AgeBand("above_60", 60))
    # Vaccine stock (docs/stock.md): whether Teeka keeps each facility's stock, so that every dose draws
    # on an opened vial of its batch (off: the country keeps its stock elsewhere, and no stock rule
    # applies); and how long an opened multi-dose vial may be used (a vaccine's own setting wins).
    stock_tracking: bool = False
    open_vial_seconds: int = 4 * 3600
    # A document locker (India: DigiLocker; docs/document-locker.md): Teeka's issuer id there, the first
    # part of every certificate's document URI (`<issuer>-VACER-<certificate id>`), and the `orgId` the
    # locker names itself by in its signed requests. No issuer id: the country has no locker.
    document_locker_issuer: str = ""
    document_locker_partner: str = ""

    def sms_template_id(self, name: str, language: str) -> str:
        """The registered id of template `name` in `language`; empty where the country registers none.
        Raises LookupError when the country registers templates but not this one (carriers drop it)."""
        if not self.sms_entity_id:
            return ""
        found = next((t.template_id for t in self.sms_templates if (t.name, t.language) == (name, language)), "")
        if not found:
            raise LookupError(f"SMS template {name!r} in {language} has no registered template id")
        return found

    def vaccine(self, name: str) -> Vaccine | None:
        return next((v for v in self.vaccines if v.name == name), None)

    def open_vial_seconds_of(self, vaccine: str) -> int:
        """How long an opened vial of `vaccine` may be used: the vaccine's own policy, else the country's."""
        known = self.vaccine(vaccine)
        return known.open_vial_seconds if known is not None and known.open_vial_seconds else self.open_vial_seconds

    def id_type(self, id_type: int) -> IdType | None:
        return next((t for t in self.id_types if t.id == id_type), None)

    def id_type_name(self, id_type: int) -> str:
        found = self.id_type(id_type)
        return found.type if found else ""

    def gender_name(self, gender_id: int) -> str:
        return next((g.gender for g in self.genders if g.id == gender_id), "")

    @property
    def locations_file(self) -> Path:
        return COUNTRIES_DIR / self.country_code.lower() / "locations.json"

    def matching_language(self, requested: str | None) -> str | None:
        """The pack's language an `Accept-Language` header or an account's setting names ("hi", "hi-IN",
        "hi_IN;q=0.9, en" all name hi_IN in India), if it names one."""
        for tag in (requested or "").split(","):
            asked = tag.split(";")[0].strip().replace("-", "_").lower()
            exact = [language for language in self.languages if language.lower() == asked]
            same = [language for language in self.languages if language.split("_")[0].lower() == asked.split("_")[0]]
            if asked and (exact or same):
                return (exact or same)[0]
        return None

    def language(self, requested: str | None) -> str:
        """The language `requested` names, else the pack's own language."""
        return self.matching_language(requested) or self.languages[0]

    def local_language(self, requested: str | None) -> str | None:
        """The language of CoWIN's `*_l` fields: one of the pack's other languages, when asked for."""
        language = self.language(requested)
        return language if language != self.languages[0] else None

    def words(self, language: str) -> gettext.NullTranslations:
        """The pack's catalogue in `language` (locale/<language>/LC_MESSAGES/teeka.mo); texts without a
        translation, and every text in English, stay as written."""
        return _catalogue(COUNTRIES_DIR / self.country_code.lower() / "locale", language)

    def with_overrides(self, overrides: Mapping[str, Any], where: str = "TEEKA_COUNTRY_PROFILE") -> CountryProfile:
        """This profile with some fields replaced, checked as a pack's would be."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return _built(CountryProfile, {**values, **_raw(overrides, where)}, where)


def _raw(values: Mapping[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(values, Mapping):
        raise PackError(f"{where}: expected a table of settings, not {type(values).__name__}")
    return dict(values)


def _value(kind: Any, value: Any, where: str) -> Any:
    """`value` as the field's type `kind`, or a PackError naming where it is."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is tuple:
        if isinstance(value, tuple):
            value = list(value)
        if not isinstance(value, list):
            raise PackError(f"{where}: expected a list, not {type(value).__name__}")
        return tuple(_value(args[0], item, f"{where} #{n}") for n, item in enumerate(value, 1))
    if origin in (types.UnionType, typing.Union):  # `X | None`
        return None if value is None else _value(next(a for a in args if a is not type(None)), value, where)
    if dataclasses.is_dataclass(kind):
        return value if isinstance(value, kind) else _built(kind, _raw(value, where), where)  # type: ignore[arg-type]
    if kind is date and isinstance(value, str):  # TOML has dates; a JSON override writes them as text
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise PackError(f"{where}: expected a date (YYYY-MM-DD), not {value!r}") from None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PackError(f"{where}: expected {kind.__name__}, not {value!r}")
    return value


def _built(kind: type, values: dict[str, Any], where: str) -> Any:
    hints = typing.get_type_hints(kind)
    fields = {f.name: f for f in dataclasses.fields(kind)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise PackError(f"{where}: unknown field {unknown[0]!r} (a {kind.__name__} has: {', '.join(fields)})")
    missing = [name for name, f in fields.items() if name not in values
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise PackError(f"{where}: missing field {missing[0]!r}")
    built = kind(**{name: _value(hints[name], value, f"{where}: {name}") for name, value in values.items()})
    _check(built, where)
    return built


def _check(built: Any, where: str) -> None:
    """The rules a pack must keep beyond its types."""
    if isinstance(built, IdType):
        try:
            re.compile(built.pattern)
        except re.error as error:
            raise PackError(f"{where}: pattern {built.pattern!r} is not a regular expression ({error})") from None
        if built.check:
            try:
                _named_check(built.check)
            except LookupError:
                raise PackError(f"{where}: check {built.check!r} is not a known checksum or stdnum validator") \
                    from None
    if isinstance(built, CountryProfile):
        try:
            ZoneInfo(built.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise PackError(f"{where}: time_zone {built.time_zone!r} is not an IANA time zone") from None
        try:
            re.compile(built.mobile_pattern)
        except re.error:
            raise PackError(f"{where}: mobile_pattern {built.mobile_pattern!r} is not a regular expression") \
                from None
        try:
            re.compile(built.postal_code_pattern)
        except re.error:
            raise PackError(f"{where}: postal_code_pattern {built.postal_code_pattern!r} is not a regular expression") \
                from None
        if not built.languages:
            raise PackError(f"{where}: languages must name at least the pack's own language")
        for name, items in (("id_types", built.id_types), ("genders", built.genders), ("vaccines", built.vaccines)):
            keys = [getattr(item, "name" if name == "vaccines" else "id") for item in items]
            if not keys or len(set(keys)) != len(keys):
                raise PackError(f"{where}: {name} must be a non-empty list with distinct ids")
        starts = [band.from_age for band in built.report_age_bands]
        if not starts or starts != sorted(set(starts)) or len({b.key for b in built.report_age_bands}) != len(starts):
            raise PackError(f"{where}: report_age_bands must name distinct bands, youngest first")
        if any(gender.report_as not in ("male", "female", "others") for gender in built.genders):
            raise PackError(f"{where}: a gender's report_as is one of male, female, others")
        if built.passport_id_type and built.id_type(built.passport_id_type) is None:
            raise PackError(f"{where}: passport_id_type names ID type {built.passport_id_type}, which the pack lacks")
        if built.open_vial_seconds <= 0 or any(v.open_vial_seconds < 0 for v in built.vaccines):
            raise PackError(f"{where}: open_vial_seconds must be positive (a vaccine's: 0 for the country's)")
        unknown = sorted(set(built.verifiable_id_types) - {t.id for t in built.id_types})
        if unknown:
            raise PackError(f"{where}: verifiable_id_types names ID type {unknown[0]}, which the pack lacks")
        _check_programmes(built, where)


MAX_DOSE_NUMBER = 3  # a beneficiary keeps one appointment and one date per dose number, up to this one


def _check_programmes(profile: CountryProfile, where: str) -> None:
    """Cohorts and schedules name only what the pack has, and every dose has a number Teeka keeps."""
    vaccines = {vaccine.name for vaccine in profile.vaccines}
    occupations = {occupation.key for occupation in profile.occupations}
    if not profile.cohorts or len({cohort.key for cohort in profile.cohorts}) != len(profile.cohorts):
        raise PackError(f"{where}: cohorts must be a non-empty list with distinct keys")
    for cohort in profile.cohorts:
        named = f"{where}: cohort {cohort.key!r}"
        if not cohort.vaccines or not set(cohort.vaccines) <= vaccines:
            raise PackError(f"{named} names a vaccine the pack lacks (or none)")
        if not set(cohort.occupations) <= occupations:
            raise PackError(f"{named} names an occupation the pack lacks")
        if cohort.max_age is not None and cohort.max_age < cohort.min_age:
            raise PackError(f"{named}: max_age is below min_age")
        if cohort.min_age < profile.min_age_years:
            raise PackError(f"{named}: min_age is below min_age_years, so nobody of it could register")
    for vaccine in profile.vaccines:
        if not 1 <= vaccine.total_doses <= MAX_DOSE_NUMBER:
            raise PackError(f"{where}: vaccine {vaccine.name!r}: total_doses must be 1 to {MAX_DOSE_NUMBER}")
        follows = vaccine.precaution.follows if vaccine.precaution else ()
        if not set(follows) <= vaccines:
            raise PackError(f"{where}: vaccine {vaccine.name!r}: its precaution follows a vaccine the pack lacks")
        if any(profile.vaccine(name).total_doses >= MAX_DOSE_NUMBER for name in follows):  # type: ignore[union-attr]
            raise PackError(f"{where}: vaccine {vaccine.name!r}: a precaution dose after {MAX_DOSE_NUMBER} primary "
                            f"doses would be dose {MAX_DOSE_NUMBER + 1}")


CATALOGUE_DOMAIN = "teeka"


@lru_cache(maxsize=16)
def _catalogue(locale_dir: Path, language: str) -> gettext.NullTranslations:
    return gettext.translation(CATALOGUE_DOMAIN, locale_dir, [language], fallback=True)


def _check_catalogues(profile: CountryProfile, where: str) -> None:
    """Every language but English needs its compiled catalogue: without it, people would read English."""
    for language in profile.languages:
        compiled = COUNTRIES_DIR / profile.country_code.lower() / "locale" / language / "LC_MESSAGES" / \
            f"{CATALOGUE_DOMAIN}.mo"
        if not language.startswith("en") and not compiled.is_file():
            shown = compiled.relative_to(COUNTRIES_DIR.parent.parent)
            raise PackError(f"{where}: languages names {language!r}, but {shown} is missing"
                            " (make catalogues compiles it from its .po)")


@cache
def load_pack(code: str) -> CountryProfile:
    """The country pack `chalicelib/countries/<code>/`, checked whole (PackError says what is wrong)."""
    profile = read_pack(code)
    _check_catalogues(profile, f"chalicelib/countries/{code}/pack.toml")
    return profile


def read_pack(code: str) -> CountryProfile:
    """The pack without its compiled catalogues (which `make catalogues` makes from it)."""
    folder = COUNTRIES_DIR / code
    if not re.fullmatch(r"[a-z]{2}", code) or not folder.is_dir():
        packs = sorted(p.name for p in COUNTRIES_DIR.iterdir() if (p / "pack.toml").is_file())
        raise PackError(f"no country pack {code!r}: the packs are {', '.join(packs)} (chalicelib/countries/)")
    where = f"chalicelib/countries/{code}/pack.toml"
    try:
        values = tomllib.loads((folder / "pack.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise PackError(f"{where}: {error}") from None
    profile = typing.cast(CountryProfile, _built(CountryProfile, values, where))
    if profile.country_code.lower() != code:
        raise PackError(f"{where}: country_code {profile.country_code!r} is not the folder's ({code})")
    read_locations(profile.locations_file)
    return profile


@cache
def read_locations(path: Path) -> dict[str, Any]:
    """A pack's locations.json, read and checked once per process."""
    where = f"chalicelib/countries/{path.parent.name}/{path.name}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        states = {state["state_id"] for state in data["states"]}
        for n, district in enumerate(data["districts"], 1):
            if district["state_id"] not in states:
                raise PackError(f"{where}: district #{n} ({district['district_name']}) names state "
                                f"{district['state_id']}, which is not in its states")
    except (OSError, ValueError, KeyError, TypeError) as error:
        if isinstance(error, PackError):
            raise
        raise PackError(f"{where}: {type(error).__name__}: {error} (see docs/countries.md for its shape)") from None
    return typing.cast(dict[str, Any], data)


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
    reports_max_age_seconds: int = 60  # the public reports: near real time, and a storm ends at the CDN
    # Surge mode for the whole stage: bookings are queued and confirmed by the worker (the national admin
    # can also switch it on at run time, see services.surge).
    surge_mode: bool = False
    # Certificates: the private S3 bucket of PDFs, and how often the sweep issues what events missed.
    certificate_bucket: str = ""
    certificate_sweep_minutes: int = 5
    # Where this API is reached from outside (no trailing slash): a SMART Health Card's `iss`, under which
    # verifiers find /.well-known/jwks.json. By default the pack's certificate_issuer.
    public_url: str = ""
    country: CountryProfile = field(default_factory=lambda: load_pack("in"))

    @property
    def resource_prefix(self) -> str:
        """`teeka-<country>-<stage>`: several countries and stages can share one AWS account."""
        return f"teeka-{self.country.country_code.lower()}-{self.stage}"

    def resource_name(self, name: str) -> str:
        """A table, queue, bucket or alias of this country and stage, e.g. `teeka-in-prod-sessions`."""
        return f"{self.resource_prefix}-{name}"

    def table_name(self, name: str) -> str:
        return self.resource_name(name)

    @property
    def is_local(self) -> bool:
        return self.stage == "local"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        stage = env.get("TEEKA_STAGE", "local")
        if stage not in STAGES:
            raise ValueError(f"TEEKA_STAGE must be one of {STAGES}, not {stage!r}")
        country = load_pack(env.get("TEEKA_COUNTRY", "in").strip().lower())
        profile_json = env.get("TEEKA_COUNTRY_PROFILE", "").strip()
        if profile_json:
            country = country.with_overrides(json.loads(profile_json))
        code = country.country_code.lower()
        return cls(
            stage=stage,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or cls.region,
            aws_endpoint_url=env.get("AWS_ENDPOINT_URL", ""),
            secrets_parameter=env.get("TEEKA_SECRETS_PARAMETER") or f"/teeka/{code}/{stage}/secrets",
            metadata_max_age_seconds=int(env.get("TEEKA_METADATA_MAX_AGE", cls.metadata_max_age_seconds)),
            availability_max_age_seconds=int(env.get("TEEKA_AVAILABILITY_MAX_AGE", cls.availability_max_age_seconds)),
            reports_max_age_seconds=int(env.get("TEEKA_REPORTS_MAX_AGE", cls.reports_max_age_seconds)),
            surge_mode=env.get("TEEKA_SURGE_MODE", "").strip().lower() in ("1", "true", "yes", "on"),
            certificate_bucket=env.get("TEEKA_CERTIFICATE_BUCKET") or f"teeka-{code}-{stage}-certificates",
            certificate_sweep_minutes=int(env.get("TEEKA_CERTIFICATE_SWEEP_MINUTES", cls.certificate_sweep_minutes)),
            public_url=(env.get("TEEKA_PUBLIC_URL") or country.certificate_issuer).rstrip("/"),
            country=country,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
