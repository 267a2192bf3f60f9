"""International certificates, as data. The WHO DDCC:VS core data set of one vaccination is built
first (`core_data_set`); the SMART Health Card's FHIR R4 bundle (`shc_claims`) and the EU Digital COVID
Certificate's `eu_dgc_v1` payload (`dcc_payload`) are built from it, so the three never disagree. Pure:
signing and encoding are in chalicelib/verifier.py (JWS, `shc:/`) and chalicelib/hcert.py (COSE, `HC1:`).

Sources: WHO, "Digital documentation of COVID-19 certificates: vaccination status" (DDCC:VS, 2021),
core data set and its logical model (smart.who.int/ddcc, DDCCCoreDataSetVS); SMART Health Cards
(spec.smarthealth.cards) with its vaccination and testing IG; eHealth Network, "Guidelines on Technical
Specifications for EU Digital COVID Certificates" vol. 2 (value sets), vol. 3 (UVCI), vol. 4 (the
schema, ver 1.3.0). docs/certificates.md maps every field.
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from stdnum import luhn

from chalicelib.config import CountryProfile, VaccineCodes
from chalicelib.domain import errors, icao, identity, inputs
from chalicelib.domain.certificates import Content, DoseFacts, Traveller
from chalicelib.domain.errors import ApiError

DCC_SCHEMA_VERSION = "1.3.0"
FHIR_VERSION = "4.0.1"
ICD11 = "http://id.who.int/icd11/mms"
CVX = "http://hl7.org/fhir/sid/cvx"
SNOMED = "http://snomed.info/sct"
ISO3166 = "urn:iso:std:iso:3166"
IDENTIFIER_TYPES = "http://terminology.hl7.org/CodeSystem/v2-0203"  # PPN: passport number
COVID19_SNOMED = "840539006"
# UVCI (eHN guidelines vol. 3, §3): the check character is Luhn mod N over the UVCI without its `#`,
# in this alphabet of the characters a UVCI may hold.
UVCI_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:"
SHC_TYPES = ("https://smarthealth.cards#health-card", "https://smarthealth.cards#immunization")
SHC_COVID19 = "https://smarthealth.cards#covid19"


@dataclass(frozen=True)
class Issuance:
    """Who issues an international certificate, when, and under which identifiers."""

    certificate_id: str
    issued_at: int  # epoch seconds
    country_code: str  # ISO 3166-1 alpha-2
    country_alpha3: str  # ISO 3166-1 alpha-3
    authority: str  # the issuing body's name (EU DCC `is`)
    valid_days: int


def fhir_sex(report_as: str) -> str:
    """FHIR's administrative gender of a pack's gender (its `report_as`)."""
    return report_as if report_as in ("male", "female") else "other"


def is_iso_date(text: str) -> bool:
    """Exactly `YYYY-MM-DD` in ASCII digits, a real day."""
    if len(text) != 10 or not text.isascii():
        return False
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


@dataclass(frozen=True)
class TravelDetails:
    passport_number: str  # normalised
    birth_date: str
    surname: str


def parse_travel_details(body: Mapping[str, Any], profile: CountryProfile, name: str, birth_year: int,
                         today: date) -> TravelDetails:
    """A traveller's passport (the country's passport ID type and its rule), full date of birth (in the
    year they registered) and, optionally, the surname as the passport prints it (the registered name's
    last words; by default its last word)."""
    passport_type = profile.id_type(profile.passport_id_type)
    if passport_type is None:
        raise ApiError(errors.PASSPORTS_NOT_TAKEN)
    number = identity.normalise(inputs.text(body, "passport_number", 20))
    if not identity.is_valid(passport_type, number):
        raise ApiError(errors.INVALID_PASSPORT, f"Invalid passport number: {passport_type.rule}")
    born = inputs.text(body, "birth_date", 10)
    if not is_iso_date(born) or int(born[:4]) != birth_year or date.fromisoformat(born) > today:
        raise ApiError(errors.INVALID_BIRTH_DATE)
    surname = body.get("surname")
    if surname is None:
        family, _ = split_name(name)
    else:
        family = inputs.person_name(surname)
        if split_name(name, family)[0].casefold() != " ".join(family.split()).casefold():
            raise ApiError(errors.INVALID_SURNAME)
    return TravelDetails(number, born, family)


def split_name(name: str, surname: str = "") -> tuple[str, str]:
    """(family, given) of a registered name: `surname` when it is the name's last words, else the last word."""
    words = name.split()
    wanted = surname.split()
    if wanted and len(wanted) <= len(words) and [w.casefold() for w in words[-len(wanted):]] == \
            [w.casefold() for w in wanted]:
        cut = len(words) - len(wanted)
    else:
        cut = max(len(words) - 1, 0)
    return " ".join(words[cut:]), " ".join(words[:cut])


def uvci(country_code: str, certificate_id: str) -> str:
    """`URN:UVCI:01:<CC>:<opaque>#<check>`: schema 01 (identifier with no semantics), the certificate's
    UUID as its opaque part."""
    body = f"URN:UVCI:01:{country_code.upper()}:{certificate_id.replace('-', '').upper()}"
    return f"{body}#{luhn.calc_check_digit(body, alphabet=UVCI_ALPHABET)}"


def uvci_is_valid(text: str) -> bool:
    body, _, check = text.rpartition("#")
    return bool(body) and len(check) == 1 and set(body) <= set(UVCI_ALPHABET) and \
        luhn.checksum(body + check, alphabet=UVCI_ALPHABET) == 0


def rid(kid: str, certificate_id: str) -> str:
    """A SMART Health Card's revocation id: 64 bits of SHA-256 over the key and the certificate id,
    base64url (11 characters). Nothing about the person can be read from it."""
    digest = hashlib.sha256(f"{kid}.{certificate_id}".encode()).digest()[:8]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _coding(system: str, code: str, display: str = "") -> dict[str, str]:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def core_data_set(content: Content, codes: VaccineCodes, issuance: Issuance) -> dict[str, Any]:
    """The DDCC:VS core data set of the certificate's dose, in the element names of WHO's logical model."""
    traveller = content.traveller
    if traveller is None:
        raise ValueError("an international certificate needs the traveller's passport and date of birth")
    dose = content.dose
    issued = datetime.fromtimestamp(issuance.issued_at, UTC)
    certificate_uvci = uvci(issuance.country_code, issuance.certificate_id)
    return {
        "resourceType": "DDCCCoreDataSetVS",
        "name": content.subject.name,
        "birthDate": traveller.birth_date,
        "identifier": {"type": {"coding": [_coding(IDENTIFIER_TYPES, "PPN")]},
                       "system": f"{ISO3166}:{issuance.country_code}:passport", "value": traveller.passport_number},
        "sex": content.subject.sex,
        "vaccination": {
            "vaccine": _coding(ICD11, codes.icd11),
            "brand": _coding(ICD11, codes.icd11_brand, dose.vaccine) if codes.icd11_brand else
            _coding("https://teeka.health/vaccines", dose.vaccine, dose.vaccine),
            "manufacturer": _coding("https://teeka.health/manufacturers", codes.eu_ma or dose.manufacturer,
                                    dose.manufacturer),
            "lot": dose.batch,
            "date": dose.given_on,
            "validFrom": dose.given_on,
            "dose": dose.dose,
            "totalDoses": content.total_doses,
            "country": _coding(ISO3166, issuance.country_alpha3),
            "centre": dose.center_name,
            "disease": _coding(ICD11, codes.disease_icd11),
        },
        "certificate": {
            "issuer": {"identifier": {"value": issuance.authority}},
            "hcid": {"value": certificate_uvci},
            "version": "RC-2.0",
            "period": {"start": issued.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "end": (issued + timedelta(days=issuance.valid_days)).strftime("%Y-%m-%dT%H:%M:%SZ")},
        },
    }


# -- SMART Health Card -------------------------------------------------------------------------------

def _immunization(facts: DoseFacts, codes: VaccineCodes, centre_length: int) -> dict[str, Any]:
    if codes.cvx:
        coding = _coding(CVX, codes.cvx)
    elif codes.snomed:
        coding = _coding(SNOMED, codes.snomed)
    else:
        coding = _coding(ICD11, codes.icd11)
    immunization: dict[str, Any] = {
        "resourceType": "Immunization", "status": "completed", "vaccineCode": {"coding": [coding]},
        "patient": {"reference": "resource:0"}, "occurrenceDateTime": facts.given_on, "lotNumber": facts.batch}
    if centre_length:
        immunization["performer"] = [{"actor": {"display": facts.center_name[:centre_length]}}]
    return immunization


def shc_claims(content: Content, codes: VaccineCodes, previous_codes: VaccineCodes | None, issuer_url: str,
               issued_at: int, revocation_id: str, centre_length: int = 200) -> dict[str, Any]:
    """The JWS payload of a SMART Health Card: the person and each dose of the series as a FHIR R4
    bundle with short `resource:N` references and nothing the card does not need (no ids, no text).
    Centre names are cut to `centre_length` characters (0: left out) where the QR needs the room."""
    traveller = content.traveller
    if traveller is None:
        raise ValueError("an international certificate needs the traveller's passport and date of birth")
    name: dict[str, Any] = {"family": traveller.family_name}
    if traveller.given_name:
        name["given"] = traveller.given_name.split()
    # The previous dose, only with its own vaccine's codes.
    doses = [(content.previous, previous_codes)] if content.previous is not None and previous_codes else []
    doses.append((content.dose, codes))
    entries = [{"resourceType": "Patient", "name": [name], "birthDate": traveller.birth_date}]
    entries += [_immunization(facts, vaccine_codes, centre_length) for facts, vaccine_codes in doses]
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"fullUrl": f"resource:{n}", "resource": resource} for n, resource in enumerate(entries)]}
    types = [*SHC_TYPES, *([SHC_COVID19] if codes.disease_snomed == COVID19_SNOMED else [])]
    return {"iss": issuer_url.rstrip("/"), "nbf": issued_at,
            "vc": {"type": types, "credentialSubject": {"fhirVersion": FHIR_VERSION, "fhirBundle": bundle},
                   "rid": revocation_id}}


# -- EU Digital COVID Certificate ----------------------------------------------------------------------

def dcc_payload(ddcc: dict[str, Any], traveller: Traveller, codes: VaccineCodes, country_code: str) -> dict[str, Any]:
    """The `eu_dgc_v1` payload (schema 1.3.0) of a DDCC:VS core data set: one vaccination entry."""
    if not (codes.eu_mp and codes.eu_ma and codes.eu_vp):
        raise ValueError("the EU DCC value sets do not name this vaccine")
    vaccination = ddcc["vaccination"]
    names: dict[str, str] = {"fn": traveller.family_name[:80], "fnt": icao.transliterate(traveller.family_name)}
    if traveller.given_name:
        names |= {"gn": traveller.given_name[:80], "gnt": icao.transliterate(traveller.given_name)}
    return {
        "ver": DCC_SCHEMA_VERSION, "nam": names, "dob": ddcc["birthDate"],
        "v": [{"tg": codes.disease_snomed, "vp": codes.eu_vp, "mp": codes.eu_mp, "ma": codes.eu_ma,
               "dn": vaccination["dose"], "sd": vaccination["totalDoses"], "dt": vaccination["date"],
               "co": country_code, "is": ddcc["certificate"]["issuer"]["identifier"]["value"][:80],
               "ci": ddcc["certificate"]["hcid"]["value"]}],
    }


def cwt_claims(payload: dict[str, Any], issuance: Issuance) -> dict[int, Any]:
    """The CWT claims (RFC 8392) of an EU DCC: issuer country, issued at, expires, and the hcert (-260)
    holding the payload under key 1."""
    return {1: issuance.country_code, 6: issuance.issued_at,
            4: issuance.issued_at + issuance.valid_days * 86400, -260: {1: payload}}


