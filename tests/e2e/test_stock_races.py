"""Vaccine stock raced by real threads over HTTP against the local server, as `make run` has it (stock
tracked, docs/stock.md): doses drawing the last doses of a vial and of the batch's last vial at once, a
vial running past its open-vial time mid-session (on a server whose policy is 8 seconds), and a session's
close racing its doses. After each: every vial gave exactly the doses recorded against it, never more
than it holds; the batch opened exactly the vials the doses needed; and the stock report says what the
doses actually given and the vials opened say."""
from __future__ import annotations

import json
import secrets
import time
from collections import Counter

import boto3
import pytest
import requests

from chalicelib.config import get_settings
from tests.e2e.helpers import login, receive_stock, together
from tests.e2e.world import World, cowin_day
from tests.helpers import aadhaar
from tests.ledger import _plain

pytestmark = pytest.mark.e2e
TRIALS = 3
JITTER_SECONDS = 0.08
MUMBAI_ADMIN = "9000000003"  # plans and stocks the races' own sites in Mumbai
VACCINE = "SPUTNIK V"


class Stock:
    """The stock tables, read straight from the embedded AWS."""

    def __init__(self, aws_url: str):
        self.dynamodb = boto3.client("dynamodb", endpoint_url=aws_url, region_name=get_settings().region)

    def vials(self, session_id: str, batch: str) -> list[dict]:
        pages = self.dynamodb.get_paginator("query").paginate(
            TableName=get_settings().table_name("stock-vials"), ConsistentRead=True,
            KeyConditionExpression="session_id = :s AND begins_with(#e, :b)", ExpressionAttributeNames={"#e": "entry"},
            ExpressionAttributeValues={":s": {"S": session_id}, ":b": {"S": f"{batch}#"}})
        return [_plain(item) for page in pages for item in page["Items"]]

    def batch(self, center_id: int, batch: str) -> dict:
        return _plain(self.dynamodb.get_item(TableName=get_settings().table_name("stock-batches"), ConsistentRead=True,
                                             Key={"center_id": {"N": str(center_id)}, "batch": {"S": batch}})["Item"])

    def dose_vial(self, ref: str) -> str | None:
        item = self.dynamodb.get_item(TableName=get_settings().table_name("doses"), ConsistentRead=True,
                                      Key={"beneficiary_reference_id": {"S": ref}, "entry": {"S": "dose#1"}})
        return item.get("Item", {}).get("vial", {}).get("S")

    def assert_exact(self, center_id: int, session_id: str, batch: str, given: dict[str, str]) -> list[dict]:
        """`given`: each person the API told was vaccinated, and the vial it named. Every vial's used doses
        are the doses recorded against it, within its doses; the batch opened exactly those vials."""
        assert {ref: self.dose_vial(ref) for ref in given} == given  # what was answered is what is stored
        vials = self.vials(session_id, batch)
        drawn = Counter(given.values())
        assert {f"{batch}#{int(v['number'])}": int(v["used"]) for v in vials} == {
            f"{batch}#{int(v['number'])}": drawn[f"{batch}#{int(v['number'])}"] for v in vials}
        assert sum(drawn.values()) == sum(int(v["used"]) for v in vials)
        assert all(0 <= int(v["used"]) <= int(v["used"]) + int(v["wasted"]) <= int(v["doses"]) for v in vials)
        assert sorted(int(v["number"]) for v in vials) == list(range(1, len(vials) + 1))
        assert int(self.batch(center_id, batch)["vials_opened"]) == len(vials)
        return vials


@pytest.fixture(scope="module")
def stock(server) -> Stock:
    return Stock(server[1])


class Site:
    """A fresh centre in Mumbai with its own vaccinator and today's session, so that a race may close it and
    its report holds only the race's doses."""

    def __init__(self, world: World, vaccine: str = VACCINE, capacity: int = 100):
        url, admin = world.url, login(world.url, MUMBAI_ADMIN)
        created = world.post("/v2/admin/centers", {
            "name": "Stock Race Clinic", "address": "Parel", "block_name": "F South", "district_id": 395,
            "pincode": 400012, "lat": 19.0, "long": 72.84}, admin)
        assert created.status_code == 201, created.text
        self.center_id = created.json()["center_id"]
        self.url, self.admin = url, admin
        self.batch = receive_stock(url, admin, self.center_id, vaccine, vials=-(-capacity // 10), doses_per_vial=10)
        mobile = f"93{secrets.randbelow(10 ** 8):08d}"
        assert world.post(f"/v2/admin/centers/{self.center_id}/staff", {
            "mobile": mobile, "name": "Race Vaccinator", "role": "vaccinator"}, admin).status_code == 201
        self.vaccinator = login(url, mobile)  # before the allocation's SMS, which would come after the OTP
        planned = world.post("/v2/admin/sessions", {
            "center_id": self.center_id, "date": cowin_day(0), "vaccine": vaccine, "min_age_limit": 18,
            "capacity_dose1": capacity, "capacity_dose2": 0, "slots": ["09:00AM-05:00PM"]}, admin)
        assert planned.status_code == 201, planned.text
        self.session_id = planned.json()["session_id"]
        assert world.post(f"/v2/admin/sessions/{self.session_id}/allocations", {"mobile": mobile},
                          admin).status_code == 201


def dose(world: World, session_id: str, batch: str, headers: dict, vaccine: str = VACCINE) -> tuple[str, tuple]:
    """A fresh person, and the dose call that vaccinates them (the vaccinator checks the photo ID)."""
    _, ref, seed, _ = world.person()
    return ref, ("/v2/vaccination/doses", headers, {
        "beneficiary_reference_id": ref, "session_id": session_id, "vaccine": vaccine, "batch": batch, "dose": 1,
        "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:]})


def at_once(world: World, calls: list[tuple]) -> list[requests.Response]:
    answers = together(calls, lambda call: world.post(call[0], call[2], call[1]), JITTER_SECONDS)
    assert all(a.status_code < 500 for a in answers), [a.text for a in answers if a.status_code >= 500]
    return answers


def report_line(world: World, headers: dict, query: str, vaccine: str = VACCINE) -> dict:
    today = cowin_day(0)
    answer = requests.get(f"{world.url}/v2/stock/reports?{query}&from={today}&to={today}", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    found = [line for line in answer.json()["vaccines"] if line["vaccine"] == vaccine]
    return found[0] if found else {"received": 0, "used": 0, "wasted": 0, "on_hand": 0}


def test_concurrent_doses_draw_the_last_doses_of_a_vial_and_of_the_batchs_last_vial_exactly(world, stock, vaccinator):
    """A batch of 2 vials of 5 at the demo centre, 13 doses at once at today's session: 10 are given, from
    vial 1 and vial 2, 5 each; the other 3 are told no vial is left; the batch opened exactly 2."""
    session_id = world.today()
    admin = login(world.url, "9000000005")
    for _ in range(TRIALS):
        batch = receive_stock(world.url, admin, 100001, VACCINE, vials=2, doses_per_vial=5)
        people = [dose(world, session_id, batch, vaccinator) for _ in range(13)]
        answers = at_once(world, [call for _, call in people])
        given = {ref: answer.json()["vial"] for (ref, _), answer in zip(people, answers, strict=True)
                 if answer.status_code == 201}
        refused = [answer.json()["errorCode"] for answer in answers if answer.status_code != 201]
        assert len(given) == 10 and refused == ["STOCK0008"] * 3, [a.text for a in answers]
        vials = stock.assert_exact(100001, session_id, batch, given)
        assert sorted(int(v["used"]) for v in vials) == [5, 5]


def test_a_close_racing_doses_counts_each_dose_once_and_the_report_is_what_was_given(world, stock):
    """Doses at a site while its session is closed: each dose is given (before the close) or refused
    (VACCIN0021, after it); the close wastes exactly what the vials held then; the facility's report says
    received, used and wasted as the doses given and the vials opened say, and the district's grew by as much."""
    district = login(world.url, MUMBAI_ADMIN)
    for _ in range(TRIALS):
        before = report_line(world, district, "district_id=395")
        site = Site(world, capacity=30)
        early = [dose(world, site.session_id, site.batch, site.vaccinator) for _ in range(7)]
        given = {}
        for ref, call in early:  # 7 given one by one: vial 1 holds 3 more
            answer = world.post(call[0], call[2], call[1])
            assert answer.status_code == 201, answer.text
            given[ref] = answer.json()["vial"]
        racing = [dose(world, site.session_id, site.batch, site.vaccinator) for _ in range(6)]
        close = (f"/v2/stock/sessions/{site.session_id}/close", site.vaccinator, {})
        answers = at_once(world, [close, *[call for _, call in racing]])
        assert answers[0].status_code == 200 and answers[0].json()["already_closed"] is False, answers[0].text
        for (ref, _), answer in zip(racing, answers[1:], strict=True):
            if answer.status_code == 201:
                given[ref] = answer.json()["vial"]
            else:
                assert answer.json()["errorCode"] == "VACCIN0021", answer.text
        vials = stock.assert_exact(site.center_id, site.session_id, site.batch, given)
        opened = sum(int(v["doses"]) for v in vials)
        assert all(int(v["used"]) + int(v["wasted"]) == int(v["doses"]) for v in vials)  # closed: all counted
        assert (answers[0].json()["used"], answers[0].json()["wasted"]) == (len(given), opened - len(given))
        again = world.post(f"/v2/stock/sessions/{site.session_id}/close", {}, site.vaccinator)
        assert again.status_code == 200 and again.json()["already_closed"] is True
        line = report_line(world, site.admin, f"center_id={site.center_id}")
        assert (line["received"], line["used"], line["wasted"]) == (30, len(given), opened - len(given))
        assert line["on_hand"] == 30 - opened
        after = report_line(world, district, "district_id=395")
        assert (after["received"] - before["received"], after["used"] - before["used"],
                after["wasted"] - before["wasted"]) == (30, len(given), opened - len(given))


@pytest.fixture(scope="module")
def short_vials(tmp_path_factory):
    """A server of its own whose open-vial policy is 8 seconds (the pack's, overridden as a stage may)."""
    from tests.e2e.conftest import local_server

    with local_server(tmp_path_factory.mktemp("short-vials") / "server.log",
                      TEEKA_COUNTRY_PROFILE=json.dumps({"open_vial_seconds": 8})) as urls:
        yield urls


def test_a_vial_past_its_open_vial_time_mid_session_is_left_and_the_next_doses_open_another(short_vials):
    """Doses at once from a vial; the vial's 8 seconds pass; doses at once again open vial 2 (one opens
    it, the others use it: never two vials for one need); at the close vial 1's unused doses are wasted
    with vial 2's, and the report says so."""
    url, aws_url = short_vials
    world = World(url, aws_url, mobile_prefix="851000", first_seed=31_000, first_day=12)
    stock = Stock(aws_url)
    site = Site(world, capacity=40)
    first = [dose(world, site.session_id, site.batch, site.vaccinator) for _ in range(3)]
    second = [dose(world, site.session_id, site.batch, site.vaccinator) for _ in range(4)]
    given = {}
    answers = at_once(world, [call for _, call in first])
    assert [a.status_code for a in answers] == [201] * 3, [a.text for a in answers]
    given.update({ref: a.json()["vial"] for (ref, _), a in zip(first, answers, strict=True)})
    opened = stock.vials(site.session_id, site.batch)
    assert len(opened) == 1, opened  # three doses at once opened one vial
    time.sleep(max(float(opened[0]["usable_until"]) - time.time(), 0) + 1.5)  # its 8 seconds are over
    answers = at_once(world, [call for _, call in second])
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    given.update({ref: a.json()["vial"] for (ref, _), a in zip(second, answers, strict=True)})
    assert Counter(given.values()) == {f"{site.batch}#1": 3, f"{site.batch}#2": 4}, given
    stock.assert_exact(site.center_id, site.session_id, site.batch, given)
    closed = world.post(f"/v2/stock/sessions/{site.session_id}/close", {}, site.vaccinator)
    assert closed.status_code == 200 and (closed.json()["used"], closed.json()["wasted"]) == (7, 13), closed.text
    line = report_line(world, site.admin, f"center_id={site.center_id}")
    assert (line["received"], line["used"], line["wasted"], line["on_hand"]) == (40, 7, 13, 20)
    assert line["wastage_rate"] == round(13 / 20, 4)


def test_the_demo_centres_hold_the_batches_the_readme_and_the_tests_use(world):
    """`make run`'s seed receives stock at every demo centre (local/seed.py)."""
    admin = login(world.url, "9000000005")
    for vaccine in ("COVISHIELD", "COVAXIN", VACCINE):
        assert report_line(world, admin, "center_id=100001", vaccine)["on_hand"] >= 4000, vaccine
