"""What a vaccination certificate says: a W3C verifiable credential with the DIVOC / WHO DDCC:VS core
fields, built from plain facts. Pure: signing, QR and PDF are elsewhere.

DDCC:VS core data set -> where it is here:
name -> credentialSubject.name; birth date -> credentialSubject.dob (a year, where the country shows
it) and age; sex -> gender; identifier -> credentialSubject.id (photo-ID type and masked number) and
refId; vaccine/brand -> evidence.vaccine; manufacturer; lot -> batch; date; dose; total doses ->
totalDoses; centre -> facility; practitioner -> verifier.name; country -> facility.address.addressCountry;
certificate issuer -> iss; health certificate identifier -> jti; issuance date and valid from -> nbf.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

# Characters of (name, centre name, vaccinator name) the QR carries, loosest first: the issuer takes the
# first that keeps the QR within version 22. Only very long names in 3-byte scripts need the later ones.
FIT_TIERS = ((100, 80, 40), (100, 40, 20), (60, 24, 12), (40, 16, 8))
CONTEXT = ["https://www.w3.org/2018/credentials/v1", "https://teeka.health/credentials/vaccination/v1"]
PROVISIONAL, FINAL = "provisional", "final"


@dataclass(frozen=True)
class Subject:
    reference_id: str
    name: str
    birth_year: int
    gender: str
    id_type: str
    masked_id: str
    sex: str = "other"  # FHIR's administrative gender (male | female | other), for the international formats


@dataclass(frozen=True)
class Traveller:
    """What a traveller adds once for the international certificates: the passport, the full date of
    birth, and how their registered name splits into surname and given names, as the passport prints it."""

    passport_number: str
    birth_date: str  # ISO 8601 date
    family_name: str
    given_name: str  # may be empty (one-word names)


@dataclass(frozen=True)
class DoseFacts:
    """One dose as the certificate tells it (corrections applied)."""

    dose: int
    vaccine: str
    manufacturer: str
    batch: str
    given_at: int  # epoch seconds
    given_on: str  # ISO date in the country
    vaccinator: str
    center_name: str
    district: str
    state: str


@dataclass(frozen=True)
class Content:
    """Everything a certificate says except its id and issuance time."""

    subject: Subject
    dose: DoseFacts
    total_doses: int
    previous: DoseFacts | None = None
    traveller: Traveller | None = None  # only the international certificates carry it
    # The dose after a completed primary series; its total is then its own number (the EU's booster
    # convention, 3/3), and every format says "precaution dose".
    precaution: bool = False

    @property
    def kind(self) -> str:
        return FINAL if self.dose.dose >= self.total_doses else PROVISIONAL

    @property
    def age(self) -> int:
        return int(self.dose.given_on[:4]) - self.subject.birth_year


def basis(content: Content) -> str:
    """A digest of what the certificate says: a certificate is reissued exactly when it changes."""
    canonical = json.dumps(asdict(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def instant(epoch: int) -> str:
    """An epoch time as the credential writes it: UTC, to the second."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cap(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length - 3].rstrip() + "..."


def claims(content: Content, certificate_id: str, issued_at: int, issuer: str, country_code: str,
           nationality: str, show_birth_year: bool, tier: int = 0) -> dict[str, Any]:
    """The VC-JWT claims (`iss`, `nbf`, `jti`, `vc`) that are signed into the QR; VC-JWT's `iss`, `nbf`
    and `jti` stand for the credential's issuer, issuance date and id. `tier` picks `FIT_TIERS`."""
    name_length, centre_length, vaccinator_length = FIT_TIERS[tier]
    subject = content.subject
    person: dict[str, Any] = {
        "type": "Person", "id": f"did:{subject.id_type}:{subject.masked_id}", "refId": subject.reference_id,
        "name": _cap(subject.name, name_length), "gender": subject.gender, "age": str(content.age),
        "nationality": nationality,
    }
    if show_birth_year:
        person["dob"] = str(subject.birth_year)
    dose = content.dose
    evidence: dict[str, Any] = {
        "type": ["Vaccination"], "status": content.kind,
        "vaccine": dose.vaccine, "manufacturer": dose.manufacturer, "batch": dose.batch,
        "date": instant(dose.given_at), "dose": dose.dose, "totalDoses": content.total_doses,
        **({"precaution": True} if content.precaution else {}),
        "verifier": {"name": _cap(dose.vaccinator, vaccinator_length)},
        "facility": {"name": _cap(dose.center_name, centre_length), "address": {
            "district": dose.district, "addressRegion": dose.state, "addressCountry": country_code}},
    }
    if content.previous is not None:
        earlier = content.previous
        evidence["previousDose"] = {"dose": earlier.dose, "date": instant(earlier.given_at),
                                    "vaccine": earlier.vaccine, "batch": earlier.batch}
    return {
        "iss": issuer, "nbf": issued_at, "jti": f"urn:uuid:{certificate_id}",
        "vc": {"@context": CONTEXT, "type": ["VerifiableCredential", "ProofOfVaccinationCredential"],
               "credentialSubject": person, "evidence": [evidence]},
    }


def summary(claims_: dict[str, Any]) -> dict[str, Any]:
    """The fields a verifier shows a person checking a certificate, from signed claims."""
    vc = claims_["vc"]
    person, [evidence] = vc["credentialSubject"], vc["evidence"]
    return {
        "certificate_id": claims_["jti"].removeprefix("urn:uuid:"), "status": evidence["status"],
        "name": person["name"],
        "age": person["age"], "gender": person["gender"], "id": person["id"], "beneficiary_reference_id":
        person["refId"], "vaccine": evidence["vaccine"], "manufacturer": evidence["manufacturer"],
        "batch": evidence["batch"], "date": evidence["date"], "dose": evidence["dose"],
        "total_doses": evidence["totalDoses"], "precaution": bool(evidence.get("precaution")),
        "vaccinator": evidence["verifier"]["name"],
        "facility": evidence["facility"]["name"], "district": evidence["facility"]["address"]["district"],
        "state": evidence["facility"]["address"]["addressRegion"], "issuer": claims_["iss"],
        "issued_at": instant(int(claims_["nbf"])), **({"dob": person["dob"]} if "dob" in person else {}),
        **({"previous_dose": evidence["previousDose"]} if "previousDose" in evidence else {}),
    }
