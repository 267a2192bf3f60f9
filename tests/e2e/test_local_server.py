"""Over real HTTP against the local server, as a person following the README would."""
import hashlib
import re
import time

import pytest
import requests

pytestmark = pytest.mark.e2e


def test_otp_login_over_http(server_url):
    # A mobile no other test logs in with: the local server is shared, and a second OTP for a mobile within
    # its resend interval is refused (USRAUT0018).
    mobile = "9123499901"
    # The first request of a fresh server takes seconds (its imports and tables warm up).
    txn = requests.post(f"{server_url}/v2/auth/generateOTP", json={"mobile": mobile}, timeout=30).json()["txnId"]
    outbox = requests.get(f"{server_url}/_local/outbox", params={"mobile": mobile}, timeout=5).json()
    otp = re.search(r"\b(\d{6})\b", outbox[-1]["message"]).group(1)
    confirmed = requests.post(f"{server_url}/v2/auth/confirmOTP", timeout=5,
                              json={"otp": hashlib.sha256(otp.encode()).hexdigest(), "txnId": txn})
    assert confirmed.status_code == 200
    token = confirmed.json()["token"]
    id_types = requests.get(f"{server_url}/v2/registration/beneficiary/idTypes", timeout=5,
                            headers={"Authorization": f"Bearer {token}"})
    assert id_types.status_code == 200 and len(id_types.json()["types"]) == 13


def test_bad_token_over_http_is_cowins_plain_401(server_url):
    response = requests.get(f"{server_url}/v2/registration/beneficiary/genders", timeout=5,
                            headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401 and response.text == "Unauthenticated access!"


def test_public_cowin_client_reads_states_and_districts(server_url, monkeypatch):
    """The PyPI package `cowin` (module cowin_api), with its URL constants pointed at us."""
    from cowin_api import CoWinAPI
    from cowin_api.constants import Constants

    base = f"{server_url}/v2"
    monkeypatch.setattr(Constants, "states_list_url", f"{base}/admin/location/states")
    monkeypatch.setattr(Constants, "districts_list_url", f"{base}/admin/location/districts")
    client = CoWinAPI()
    states = client.get_states()
    assert {"state_id": 16, "state_name": "Karnataka"} in states["states"]
    districts = client.get_districts("16")
    assert {"district_id": 294, "district_name": "BBMP"} in districts["districts"]


def _today_in_india() -> str:
    from chalicelib.config import get_settings
    from chalicelib.domain.calendar import local_date

    return local_date(get_settings().country, int(time.time())).strftime("%d-%m-%Y")


def test_public_cowin_client_reads_the_demo_calendars(server_url, monkeypatch):
    """`cowin` (module cowin_api) parses calendarByDistrict and calendarByPin, with its age filter."""
    from cowin_api import CoWinAPI
    from cowin_api.constants import Constants

    base = f"{server_url}/v2/appointment/sessions/public"
    monkeypatch.setattr(Constants, "availability_by_district_url", f"{base}/calendarByDistrict")
    monkeypatch.setattr(Constants, "availability_by_pin_code_url", f"{base}/calendarByPin")
    client, today = CoWinAPI(), _today_in_india()
    district = client.get_availability_by_district("395", date=today)
    assert len(district["centers"]) >= 24 and district["centers"][0]["name"] == "Seven Hills Hospital"
    over_45 = client.get_availability_by_district("395", date=today, min_age_limt=45)
    assert over_45["centers"] and all(s["min_age_limit"] == 45 for c in over_45["centers"] for s in c["sessions"])
    by_pin = client.get_availability_by_pincode(["560002", "560001"], date=today)
    assert [c["name"] for c in by_pin["centers"]] == ["Victoria Hospital", "Bowring Hospital"]


def test_public_cowin_async_client_reads_calendar_by_pin(server_url, monkeypatch):
    """`cowin-async` (module cowin), its blocking client, with its base URL pointed at us."""
    from cowin.api import Cowin

    monkeypatch.setattr(Cowin, "base_url", property(lambda self: f"{server_url}/v2"))
    sessions = Cowin().get_available_sessions_by_pincode(400059, _today_in_india())
    [centre] = sessions["centers"]
    assert centre["center_id"] == 100001 and centre["pincode"] == 400059
    # The demo data's two vaccines (the races plan SPUTNIK V sessions at this centre on the same server).
    assert {"COVISHIELD", "COVAXIN"} <= {s["vaccine"] for s in centre["sessions"]}
