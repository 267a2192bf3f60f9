"""Registration invariants under real concurrency: threads, over HTTP, against the moto server."""
import pytest
import requests

from tests.e2e.helpers import login, race
from tests.helpers import aadhaar, person

pytestmark = pytest.mark.e2e
NEW = "/v2/registration/beneficiary/new"


def test_twenty_mobiles_racing_for_one_aadhaar_register_it_once(server_url):
    mobiles = [f"81000000{i:02d}" for i in range(20)]
    headers = [login(server_url, mobile) for mobile in mobiles]
    responses = race(server_url, NEW, [(h, person(500, name=f"Claimant {chr(65 + i)}")) for i, h in enumerate(headers)])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [400] * 19
    assert {r.json()["errorCode"] for r in responses if r.status_code == 400} == {"BENREG0002"}
    registered = [requests.get(f"{server_url}/v2/appointment/beneficiaries", headers=h, timeout=10).json()
                  for h in headers]
    assert sum(len(r["beneficiaries"]) for r in registered) == 1


def test_eight_registrations_racing_on_one_mobile_give_exactly_four(server_url):
    headers = login(server_url, "8200000001")
    responses = race(server_url, NEW, [(headers, person(600 + i)) for i in range(8)])
    assert sorted(r.status_code for r in responses) == [200] * 4 + [400] * 4
    assert {r.json()["errorCode"] for r in responses if r.status_code == 400} == {"BENREG0001"}
    listed = requests.get(f"{server_url}/v2/appointment/beneficiaries", headers=headers, timeout=10).json()
    assert len(listed["beneficiaries"]) == 4
    # The four refused IDs were not claimed: another mobile can register them.
    refused = [aadhaar(600 + i) for i, r in enumerate(responses) if r.status_code == 400]
    other = login(server_url, "8200000002")
    for number in refused:
        body = person(0, photo_id_number=number)
        assert requests.post(f"{server_url}/v2/registration/beneficiary/new", json=body, headers=other,
                             timeout=10).status_code == 200
