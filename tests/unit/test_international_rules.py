"""The international formats' rules, pure: UVCIs and their check character, names split for passports,
travel details' validation, and the DDCC:VS -> SMART Health Card / EU DCC mappings (the EU DCC payload
validated against the EU's own JSON schema, vendored in tests/fixtures/dcc)."""
import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib import verifier
from chalicelib.config import load_pack
from chalicelib.domain import certificates, international
from chalicelib.domain.errors import ApiError
from chalicelib.services.international import MAX_SHC_DIGITS, SHC_CENTRE_LENGTHS

PROFILE = load_pack("in")
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dcc"


def content(name="Asha Rao", centre="Seven Hills Hospital", dose=2, traveller=True) -> certificates.Content:
    def facts(number):
        return certificates.DoseFacts(number, "COVISHIELD", "Serum Institute of India", f"4121Z02{number}",
                                      1795400000 + number, f"2026-0{number}-23", "Dr. K", centre, "Mumbai",
                                      "Maharashtra")

    family, given_names = international.split_name(name)
    return certificates.Content(
        certificates.Subject("12345678901234", name, 1990, "Female", "Aadhaar Card", "********1234", "female"),
        facts(dose), 2, facts(dose - 1) if dose > 1 else None,
        certificates.Traveller("K1234567", "1990-04-12", family, given_names) if traveller else None)


ISSUANCE = international.Issuance("6f1c2a9e-3b4d-4e5f-8a7b-0c1d2e3f4a5b", 1795400100, "IN", "IND",
                                  "Ministry of Health and Family Welfare, Government of India", 365)
CODES = PROFILE.vaccine("COVISHIELD").codes


def test_the_uvci_check_character_of_the_ehealth_networks_worked_example():
    """eHN guidelines, annex 2 (ehn-dcc-schema FAQ): URN:UVCI:01:NL:187/37512422923 has check character Z."""
    assert international.uvci_is_valid("URN:UVCI:01:NL:187/37512422923#Z")
    assert not international.uvci_is_valid("URN:UVCI:01:NL:187/37512422923#Y")


def test_a_uvci_has_the_eu_form_and_its_luhn_mod_n_check_character():
    uvci = international.uvci("IN", ISSUANCE.certificate_id)
    assert re.fullmatch(r"URN:UVCI:01:IN:[0-9A-F]{32}#[0-9A-Z/:]", uvci)
    assert international.uvci_is_valid(uvci)
    body, check = uvci.split("#")
    assert not any(international.uvci_is_valid(f"{body}#{other}") for other in international.UVCI_ALPHABET
                   if other != check)
    assert not international.uvci_is_valid(body.replace("IN", "NI", 1) + "#" + check)


@given(st.uuids())
def test_every_uvci_validates_and_one_changed_character_does_not(identifier):
    uvci = international.uvci("IN", str(identifier))
    assert international.uvci_is_valid(uvci)
    position = len("URN:UVCI:01:IN:") + identifier.int % 32
    swapped = "0" if uvci[position] != "0" else "1"
    assert not international.uvci_is_valid(uvci[:position] + swapped + uvci[position + 1:])


@pytest.mark.parametrize("name, surname, expected", [
    ("Asha Rao", "", ("Rao", "Asha")),
    ("María García López", "García López", ("García López", "María")),
    ("Madonna", "", ("Madonna", "")),
    ("K. Srinivasan", "srinivasan", ("Srinivasan", "K.")),
    ("Asha Rao", "Kumar", ("Rao", "Asha")),  # not the name's last words: the last word
])
def test_a_name_splits_into_surname_and_given_names(name, surname, expected):
    assert international.split_name(name, surname) == expected


def travel(**body):
    return international.parse_travel_details({"passport_number": "k 123 4567", "birth_date": "1990-04-12", **body},
                                              PROFILE, "María García López", 1990, date(2026, 11, 30))


def test_travel_details_take_the_countrys_passport_rule_and_the_registered_birth_year():
    assert travel() == international.TravelDetails("K1234567", "1990-04-12", "López")
    assert travel(surname="García López").surname == "García López"
    for body, code in (({"passport_number": "Q1234567"}, "BENREG0021"), ({"birth_date": "1989-04-12"}, "BENREG0022"),
                       ({"birth_date": "2026-12-01"}, "BENREG0022"), ({"surname": "García"}, "BENREG0023")):
        with pytest.raises(ApiError) as refused:
            travel(**body)
        assert refused.value.error.code == code


def test_the_core_data_set_names_whos_elements_and_icd11_codes():
    ddcc = international.core_data_set(content(), CODES, ISSUANCE)
    assert set(ddcc) == {"resourceType", "name", "birthDate", "identifier", "sex", "vaccination", "certificate"}
    vaccination = ddcc["vaccination"]
    assert vaccination["vaccine"]["code"] == "XM9QW8" and vaccination["disease"]["code"] == "RA01"
    assert (vaccination["dose"], vaccination["totalDoses"], vaccination["date"]) == (2, 2, "2026-02-23")
    assert ddcc["certificate"]["hcid"]["value"] == international.uvci("IN", ISSUANCE.certificate_id)
    assert ddcc["certificate"]["period"] == {"start": "2026-11-23T02:15:00Z", "end": "2027-11-23T02:15:00Z"}
    with pytest.raises(ValueError):
        international.core_data_set(content(traveller=False), CODES, ISSUANCE)


def test_a_smart_health_card_holds_a_minimal_fhir_bundle_with_every_dose():
    claims = international.shc_claims(content(), CODES, CODES, "https://teeka.example/", 1795400100, "abc")
    assert claims["iss"] == "https://teeka.example" and claims["vc"]["rid"] == "abc"
    assert claims["vc"]["type"] == [*international.SHC_TYPES, international.SHC_COVID19]
    bundle = claims["vc"]["credentialSubject"]["fhirBundle"]
    assert [entry["fullUrl"] for entry in bundle["entry"]] == ["resource:0", "resource:1", "resource:2"]
    resources = [entry["resource"] for entry in bundle["entry"]]
    assert [r["resourceType"] for r in resources] == ["Patient", "Immunization", "Immunization"]
    assert [r["occurrenceDateTime"] for r in resources[1:]] == ["2026-01-23", "2026-02-23"]
    text = json.dumps(claims)
    assert '"id"' not in text and '"meta"' not in text and '"text"' not in text  # SMART's minimal resources
    short = international.shc_claims(content(), CODES, CODES, "https://t", 1, "abc", centre_length=0)
    entries = short["vc"]["credentialSubject"]["fhirBundle"]["entry"]
    assert all("performer" not in entry["resource"] for entry in entries)


def dcc_schema():
    import jsonschema

    schema = json.loads((FIXTURES / "DCC.combined-schema.json").read_text())
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("pack", ["in", "ug", "do"])
def test_every_packs_eu_dcc_payload_is_valid_under_the_eu_schema_and_value_sets(pack):
    profile = load_pack(pack)
    value_sets = {name: set(json.loads((FIXTURES / "valuesets" / f"{name}.json").read_text())["valueSetValues"])
                  for name in ("vaccine-medicinal-product", "vaccine-mah-manf", "vaccine-prophylaxis",
                               "disease-agent-targeted")}
    for vaccine in profile.vaccines:
        codes = vaccine.codes
        assert codes is not None, vaccine.name
        if not codes.eu_mp:  # not in the EU's value sets (India's CORBEVAX): no EU DCC, by design
            continue
        base = content()
        subject = certificates.DoseFacts(2, vaccine.name, vaccine.manufacturer, "B1", 1795400000, "2026-02-23", "",
                                         "Centre", "", "")
        ddcc = international.core_data_set(certificates.Content(base.subject, subject, 2, None, base.traveller), codes,
                                           ISSUANCE)
        payload = international.dcc_payload(ddcc, base.traveller, codes, profile.country_code)
        dcc_schema().validate(payload)
        [entry] = payload["v"]
        assert entry["mp"] in value_sets["vaccine-medicinal-product"], vaccine.name
        assert entry["ma"] in value_sets["vaccine-mah-manf"], vaccine.name
        assert entry["vp"] in value_sets["vaccine-prophylaxis"], vaccine.name
        assert entry["tg"] in value_sets["disease-agent-targeted"], vaccine.name


names = st.text(st.characters(codec="utf-8", categories=("L", "M", "Zs")), min_size=1, max_size=100).filter(
    lambda text: text.split())


@given(names)
@settings(deadline=None)
def test_any_registered_name_makes_a_schema_valid_eu_dcc(name):
    base = content(name=name)
    payload = international.dcc_payload(international.core_data_set(base, CODES, ISSUANCE), base.traveller, CODES, "IN")
    dcc_schema().validate(payload)


longest_names = st.text(st.characters(codec="utf-8", categories=("L",)), min_size=100, max_size=100)


@given(longest_names, st.text(st.characters(codec="utf-8", categories=("L",)), min_size=200, max_size=200))
@settings(deadline=None)
def test_the_shortest_smart_health_card_of_the_longest_inputs_fits_one_version_22_qr(name, centre):
    """Names of 100 letters in any script and centre names of 200: with the centres left out (the issuer's
    last resort, services.international.SHC_CENTRE_LENGTHS) the JWS stays within 1,195 characters."""
    name = " ".join((name[:50], name[50:]))
    claims = international.shc_claims(content(name=name, centre=centre), CODES, CODES, "https://teeka.health",
                                      1795400100, "AAAAAAAAAAA", SHC_CENTRE_LENGTHS[-1])
    message = verifier.signing_input(claims, "x" * 43)
    assert verifier.qr_digits(message) <= MAX_SHC_DIGITS
