"""Reference data: real CoWIN states and districts, ID types and genders, with HTTP caching."""
import pytest

from tests.helpers import bearer, login


def test_states_are_cowins_37(api):
    response = api.http.get("/v2/admin/location/states")
    assert response.status_code == 200
    body = response.json_body
    assert body["ttl"] == 24 and len(body["states"]) == 37
    assert {"state_id": 21, "state_name": "Maharashtra"} in body["states"]
    assert response.headers["Cache-Control"] == "public, max-age=3600"


def test_districts_of_maharashtra_include_mumbai(api):
    body = api.http.get("/v2/admin/location/districts/21").json_body
    assert {"district_id": 395, "district_name": "Mumbai"} in body["districts"]
    assert body["ttl"] == 24


def test_all_756_districts_are_reachable(api):
    total = sum(len(api.http.get(f"/v2/admin/location/districts/{state_id}").json_body["districts"])
                for state_id in range(1, 38))
    assert total == 756


@pytest.mark.parametrize("state_id", ["0", "38", "999", "abc", "-1"])
def test_unknown_state_is_a_clear_400(api, state_id):
    response = api.http.get(f"/v2/admin/location/districts/{state_id}")
    assert response.status_code == 400
    assert response.json_body == {"errorCode": "USRMET0001", "error": "Invalid state id"}


def test_etag_gives_304(api):
    first = api.http.get("/v2/admin/location/states")
    etag = first.headers["ETag"]
    again = api.http.get("/v2/admin/location/states", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.body == b""
    assert again.headers["ETag"] == etag
    changed = api.http.get("/v2/admin/location/states", headers={"If-None-Match": '"stale"'})
    assert changed.status_code == 200


def test_hindi_adds_localised_names(api):
    body = api.http.get("/v2/admin/location/states", headers={"Accept-Language": "hi_IN"}).json_body
    maharashtra = next(s for s in body["states"] if s["state_id"] == 21)
    assert maharashtra["state_name_l"] == "महाराष्ट्र"
    english = api.http.get("/v2/admin/location/states").json_body["states"][0]
    assert "state_name_l" not in english


def test_etag_differs_by_language(api):
    english = api.http.get("/v2/admin/location/states").headers["ETag"]
    hindi = api.http.get("/v2/admin/location/states", headers={"Accept-Language": "hi_IN"}).headers["ETag"]
    assert english != hindi


def test_id_types_and_genders_need_a_token(api):
    for path in ("/v2/registration/beneficiary/idTypes", "/v2/registration/beneficiary/genders"):
        assert api.http.get(path).status_code == 401


def test_id_types_are_cowins_13(api):
    token = login(api, "9876543210")
    response = api.http.get("/v2/registration/beneficiary/idTypes", headers=bearer(token))
    body = response.json_body
    assert len(body["types"]) == 13 and body["ttl"] == 24
    assert body["types"][0] == {"type": "Aadhaar Card", "type_l": "", "id": 1}
    assert response.headers["Cache-Control"].startswith("private")


def test_genders(api):
    token = login(api, "9876543210")
    body = api.http.get("/v2/registration/beneficiary/genders", headers=bearer(token)).json_body
    assert [g["gender"] for g in body["genders"]] == ["Male", "Female", "Others"]
