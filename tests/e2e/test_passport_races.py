"""Races over real HTTP on the local server for what touches a traveller's passport: one passport added
for two people at once, one person given several passports at once, and a passport raced against a
correction of the birth year; the stored state is checked after each."""
import requests

from tests.e2e.helpers import login, race, stored_item, together
from tests.e2e.test_dose_capture import register

PASSPORT = "/v2/registration/beneficiary/passport"


def add(headers: dict, ref: str, number: str, birth_date: str = "1990-04-12") -> tuple[dict, dict]:
    return headers, {"beneficiary_reference_id": ref, "passport_number": number, "birth_date": birth_date}


def person(aws_url: str, ref: str) -> dict:
    return stored_item(aws_url, "beneficiaries", {"beneficiary_reference_id": ref})


def test_one_passport_raced_for_eight_people_goes_to_exactly_one(server_url, embedded_aws_url):
    citizens = [login(server_url, f"91234005{n:02d}") for n in range(8)]
    refs = [register(server_url, citizen, 7500 + n) for n, citizen in enumerate(citizens)]
    answers = race(server_url, PASSPORT, [add(citizen, ref, "K7500001") for citizen, ref in zip(citizens, refs)])
    assert sorted(answer.status_code for answer in answers) == [200] + [400] * 7, [a.text for a in answers]
    assert all(answer.json()["errorCode"] == "BENREG0002" for answer in answers if answer.status_code == 400)
    holders = [ref for ref in refs if person(embedded_aws_url, ref).get("passport_number")]
    [winner] = [ref for ref, answer in zip(refs, answers) if answer.status_code == 200]
    assert holders == [winner]


def test_one_person_raced_with_six_passports_keeps_the_one_that_was_answered(server_url, embedded_aws_url):
    citizen = login(server_url, "9123400520")
    ref = register(server_url, citizen, 7520)
    numbers = [f"K75200{n:02d}" for n in range(6)]
    answers = race(server_url, PASSPORT, [add(citizen, ref, number) for number in numbers])
    won = [number for number, answer in zip(numbers, answers) if answer.status_code == 200]
    assert len(won) == 1, [a.text for a in answers]
    assert all(answer.status_code == 409 and answer.json()["errorCode"] in ("BENREG0020", "BENREG0025")
               for answer in answers if answer.status_code != 200)
    assert person(embedded_aws_url, ref)["passport_number"] == won[0]
    # The losers' passports are nobody's: another person can add one.
    other = login(server_url, "9123400521")
    other_ref = register(server_url, other, 7521)
    loser = next(number for number in numbers if number != won[0])
    added = requests.post(f"{server_url}{PASSPORT}", json=add(other, other_ref, loser, "1990-01-01")[1],
                          headers=other, timeout=10)
    assert added.status_code == 200, added.text


def test_a_passport_raced_against_a_birth_year_correction_never_contradicts_it(server_url, embedded_aws_url):
    for round_ in range(4):
        citizen = login(server_url, f"912340053{round_}")
        ref = register(server_url, citizen, 7530 + round_)
        calls = [(f"{server_url}{PASSPORT}", add(citizen, ref, f"K75300{round_:02d}")[1]),
                 (f"{server_url}/v2/registration/beneficiary/correction",
                  {"beneficiary_reference_id": ref, "birth_year": "1991"})]
        passport, correction = together(calls, lambda call, headers=citizen: requests.post(
            call[0], json=call[1], headers=headers, timeout=30), jitter_seconds=0.05)
        stored = person(embedded_aws_url, ref)
        assert passport.status_code == 200 or correction.status_code == 200, (passport.text, correction.text)
        if stored.get("birth_date"):
            assert int(stored["birth_date"][:4]) == int(stored["birth_year"]), stored
        assert (passport.status_code == 200) == bool(stored.get("passport_number")), passport.text
        assert (correction.status_code == 200) == bool(stored.get("corrected")), correction.text
