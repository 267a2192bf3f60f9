"""Every shipped country pack, end to end through the API: OTP login with the country's mobile, its
regions and districts, a centre and session planned there, registration with the country's own photo
ID, booking, the door check, the dose and the certificate, all in the language the citizen chose
among the pack's (the SMS, the error texts, the certificate with English beside it). A single-dose
vaccine's dose 1 gives the final certificate."""
import json
import re
import time
import unicodedata

import pypdfium2
import pytest

from chalicelib.config import COUNTRIES_DIR, Settings, get_settings, load_pack
from chalicelib.domain import errors, messages
from chalicelib.domain.calendar import local_date
from chalicelib.services.booking import security_code_of
from chalicelib.store.auth import StaffItem
from local import carrier, dispatcher
from tests.helpers import bearer, login, post

PACKS = sorted(path.name for path in COUNTRIES_DIR.iterdir() if (path / "pack.toml").is_file())
SLOT = "09:00AM-01:00PM"
# Per pack: mobiles (national admin, vaccinator, verifier, citizen), a district, a postal code, a valid
# photo ID number of type 1 and one that fails its check, a place's coordinates, and the vaccine to give.
JOURNEYS = {
    "in": (("9000000091", "9000000096", "9000000097", "9876500001"), 395, "400012",
           "234123412346", "234123412347", (19.00, 72.84), "COVISHIELD"),
    "ug": (("700000091", "700000096", "700000097", "772000001"), 102, "102",
           "CF85012345678A", "XF85012345678A", (0.35, 32.58), "JANSSEN"),
    "do": (("8090000091", "8090000096", "8090000097", "8295550001"), 1, "10101",
           "00113918205", "00113918204", (18.47, -69.89), "SINOVAC"),
}


def test_every_shipped_pack_has_a_journey():
    assert set(PACKS) == set(JOURNEYS) and {"in", "ug", "do"} <= set(PACKS)


@pytest.fixture(params=PACKS)
def country(request, monkeypatch):
    # Resources are named by country when a process starts (the tables' models, the app's queue
    # consumers): a pack switched in mid-process keeps the names its AWS was provisioned with.
    provisioned = get_settings()
    prefix = provisioned.resource_prefix
    monkeypatch.setattr(Settings, "resource_prefix", property(lambda _: prefix))
    monkeypatch.setenv("TEEKA_SECRETS_PARAMETER", provisioned.secrets_parameter)
    monkeypatch.setenv("TEEKA_CERTIFICATE_BUCKET", provisioned.certificate_bucket)
    monkeypatch.setenv("TEEKA_COUNTRY", request.param)
    get_settings.cache_clear()
    yield request.param
    get_settings.cache_clear()


def test_a_citizen_is_vaccinated_and_certified(country, api):
    from app import app

    profile = load_pack(country)
    (admin, vaccinator, verifier, citizen), district, postal, good_id, bad_id, (lat, long), vaccine = \
        JOURNEYS[country]
    [state] = [row["state_id"] for row in post_get(api, "/v2/admin/location/states")["states"]
               if district in {d["district_id"] for d in
                               post_get(api, f"/v2/admin/location/districts/{row['state_id']}")["districts"]}]
    StaffItem(admin, name="National Admin", roles={"national_admin"}).save()
    officer = bearer(login(api, admin))

    centre = post(api, "/v2/admin/centers", {
        "name": "Journey Health Centre", "address": "Main Road", "block_name": "Central", "district_id": district,
        "pincode": postal, "lat": lat, "long": long, "fee_type": "Free"}, officer)
    assert centre.status_code == 201, centre.body
    center_id = centre.json_body["center_id"]
    assert centre.json_body["state_id"] == state
    for mobile, role in ((vaccinator, "vaccinator"), (verifier, "verifier")):
        added = post(api, f"/v2/admin/centers/{center_id}/staff", {"mobile": mobile, "name": role.title(),
                                                                    "role": role}, officer)
        assert added.status_code in (200, 201), added.body
    today = local_date(profile, int(time.time())).strftime("%d-%m-%Y")
    session = post(api, "/v2/admin/sessions", {
        "center_id": center_id, "date": today, "vaccine": vaccine, "min_age_limit": 18, "capacity_dose1": 10,
        "capacity_dose2": 0, "slots": [SLOT]}, officer)
    assert session.status_code == 201, session.body
    session_id = session.json_body["session_id"]
    for mobile in (vaccinator, verifier):
        allocated = post(api, f"/v2/admin/sessions/{session_id}/allocations", {"mobile": mobile}, officer)
        assert allocated.status_code in (200, 201), allocated.body

    person = bearer(login(api, citizen))
    language = profile.languages[-1]  # India: Hindi; the Dominican Republic: Spanish; Uganda: English
    words = profile.words(language)
    chosen = api.http.put("/v2/account/settings", headers={**person, "Content-Type": "application/json"},
                          body=json.dumps({"language": language.split("_")[0]}))
    assert chosen.status_code == 200 and chosen.json_body["language"] == language, chosen.body
    body = {"name": "Journey Person", "birth_year": "1988", "gender_id": 2, "photo_id_type": 1,
            "photo_id_number": bad_id}
    refused = post(api, "/v2/registration/beneficiary/new", body, {**person, "Accept-Language": language})
    assert refused.status_code == 400 and refused.json_body["errorCode"] == "BENREG0004", refused.body
    assert refused.json_body["error"].startswith("Invalid")  # CoWIN's English words, whatever the language
    if not language.startswith("en"):
        assert refused.json_body["error_l"] == words.gettext(errors.INVALID_ID_NUMBER.message) != \
            errors.INVALID_ID_NUMBER.message
    else:
        assert "error_l" not in refused.json_body
    registered = post(api, "/v2/registration/beneficiary/new", {**body, "photo_id_number": good_id}, person)
    assert registered.status_code == 200, registered.body
    ref = registered.json_body["beneficiary_reference_id"]

    found = api.http.get(f"/v2/appointment/sessions/public/findByPin?pincode={postal}&date={today}").json_body
    assert [s["session_id"] for s in found["sessions"]] == [session_id]
    booked = post(api, "/v2/appointment/schedule", {"dose": 1, "session_id": session_id, "slot": SLOT,
                                                    "beneficiaries": [ref]}, person)
    assert booked.status_code == 200, booked.body
    appointment_id = booked.json_body["appointment_id"]
    dispatcher.drain(app)
    place = messages.Place("Journey Health Centre", "Main Road", today, SLOT)
    assert carrier.messages_for(citizen)[-1]["message"] == messages.render(
        messages.booked(appointment_id, 1, 1, place, security_code_of(appointment_id)), words)

    checked = post(api, "/v2/vaccination/verify", {
        "appointment_id": appointment_id, "beneficiary_reference_id": ref, "session_id": session_id,
        "photo_id_type": 1, "id_last4": good_id[-4:], "security_code": security_code_of(appointment_id)},
        bearer(login(api, verifier)))
    assert checked.status_code == 200 and checked.json_body["status"] == "verified", checked.body
    given = post(api, "/v2/vaccination/doses", {"beneficiary_reference_id": ref, "session_id": session_id,
                                                "vaccine": vaccine, "batch": "LOT2021A", "dose": 1},
                 bearer(login(api, vaccinator)))
    assert given.status_code == 201, given.body

    dispatcher.drain(app)  # the dose's event issues the certificate
    credential = api.http.get(f"/v2/registration/certificate/credential?beneficiary_reference_id={ref}",
                              headers=person).json_body
    final = profile.vaccine(vaccine).total_doses == 1
    assert credential["status"] == ("final" if final else "provisional"), credential
    status = post_get(api, "/v2/appointment/beneficiaries", person)["beneficiaries"][0]["vaccination_status"]
    assert status == ("Vaccinated" if final else "Partially Vaccinated")
    pdf = api.http.get(f"/v2/registration/certificate/public/download?beneficiary_reference_id={ref}",
                       headers={**person, "Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.body.startswith(b"%PDF")
    text = squeezed(pypdfium2.PdfDocument(pdf.body)[0].get_textpage().get_text_range())
    title = "Final certificate for vaccination" if final else "Provisional certificate for vaccination"
    assert all(squeezed(label) in text for label in (title, words.gettext(title), words.gettext("Beneficiary details")))


def squeezed(text: str) -> str:
    """Text without spaces, control or format characters: a PDF reader places the spaces of shaped
    scripts (Devanagari's vowel signs are drawn before their consonant) where it can, and reads the
    glyphs a shaped cluster draws after its first as zero-width spaces (services/pdf_template.py)."""
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf"))


def post_get(api, path: str, headers: dict | None = None) -> dict:
    response = api.http.get(path, headers=headers or {})
    assert response.status_code == 200, (path, response.body)
    return response.json_body



def test_make_run_seeds_each_countrys_own_demo(country, aws):
    """`make run COUNTRY=<code>`: staff, centres in two of the country's districts, a week of sessions."""
    from chalicelib.domain.planning import is_postal_code
    from chalicelib.services.metadata import district_states
    from chalicelib.store.planning import get_centre
    from local import seed

    profile = load_pack(country)
    counts = seed.seed(days=2)
    demo = seed.demo_of(profile)
    assert counts["centres"] == sum(len(rows) for _, rows in demo.districts)
    assert counts["sessions"] == counts["centres"] * 2 * len(demo.sessions) and counts["staff"] == 7 + 1  # + operator
    for first_id, (district_id, _) in zip(seed.FIRST_DEMO_CENTRES, demo.districts, strict=True):
        centre = get_centre(first_id)
        assert centre is not None and centre.district_id == district_id
        assert centre.state_id == district_states(profile)[district_id]
        assert is_postal_code(str(centre.pincode), profile)
    assert {v for v, _, _ in demo.sessions} <= {v.name for v in profile.vaccines}
    for mobile, _, _, _ in (*demo.staff, demo.operator):
        assert re.fullmatch(profile.mobile_pattern, mobile), mobile
    assert district_states(profile)[demo.operator[3]["district_id"]] == demo.operator[3]["state_id"]
