"""The load test's checker fails on what a doubled vaccination or an empty run leaves (load/invariants.py);
tests/e2e/test_load_smoke.py shows it on a real run, an oversell and a lost dose."""
from load import invariants

SESSION = "s1"


def test_a_dose_the_load_never_asked_for_is_a_doubling():
    """The load confirmed dose 1 (record r1) of walk-in P; the table also holds a dose 2 of P (r2) with every
    counter consistent: a person vaccinated twice."""
    doses = [{"beneficiary_reference_id": "P", "dose": 1, "record_id": "r1", "walk_in": True, "session_id": SESSION},
             {"beneficiary_reference_id": "P", "dose": 2, "record_id": "r2", "walk_in": True, "session_id": SESSION}]
    session = {"session_id": SESSION, "booked_dose1": 1, "capacity_dose1": 4, "booked_dose2": 1,
               "capacity_dose2": 4, "slots": []}
    tables = invariants.Tables(sessions={SESSION: session}, appointments=[], doses=doses,
                               beneficiaries={"P": {"beneficiary_reference_id": "P", "doses_given": 2}})
    journal = invariants.Journal(people={"P"}, doses=[{"ref": "P", "dose": 1, "record_id": "r1", "session": SESSION,
                                                       "walk_in": True}])
    journal.events["dose"] = 1
    verdict = invariants.check(tables, journal, {SESSION}, {"P"})
    assert not verdict.ok and any("r2" in problem and "DOUBLED" in problem for problem in verdict.problems)

    journal.doses.append({"ref": "P", "dose": 2, "record_id": "r2", "session": SESSION, "walk_in": True})
    assert invariants.check(tables, journal, {SESSION}, {"P"}).ok  # told of both: nothing doubled


def test_a_run_that_checked_nothing_does_not_pass():
    assert not invariants.check(invariants.Tables({}, [], [], {}), invariants.Journal()).ok
    ran = invariants.Journal()
    ran.events["user"] = 2
    ran.users["vaccinator"] = 1
    verdict = invariants.check(invariants.Tables({}, [], [], {}), ran)
    assert not verdict.ok and "VACUOUS" in verdict.summary()


def test_a_vial_that_gave_other_than_the_doses_naming_it_or_more_than_it_holds_fails():
    doses = [{"beneficiary_reference_id": f"P{n}", "dose": 1, "record_id": f"r{n}", "walk_in": True,
              "session_id": SESSION, "vial": "B1#1"} for n in range(3)]
    session = {"session_id": SESSION, "booked_dose1": 3, "capacity_dose1": 4, "booked_dose2": 0, "capacity_dose2": 0,
               "slots": []}
    people = {f"P{n}": {"beneficiary_reference_id": f"P{n}", "doses_given": 1} for n in range(3)}
    journal = invariants.Journal(people=set(people), doses=[{"ref": f"P{n}", "dose": 1, "record_id": f"r{n}",
                                                             "session": SESSION, "walk_in": True} for n in range(3)])
    journal.events["dose"] = 3

    def verdict(used: int, wasted: int, doses_in_vial: int = 5):
        vial = {"session_id": SESSION, "batch": "B1", "number": 1, "used": used, "wasted": wasted,
                "doses": doses_in_vial}
        return invariants.check(invariants.Tables({SESSION: session}, [], doses, people, vials=[vial]), journal,
                                {SESSION}, set(people))

    assert verdict(3, 2).ok
    assert any("used 2, but 3 doses name it" in problem for problem in verdict(2, 0).problems)
    assert any("OVERDRAWN" in problem for problem in verdict(3, 3).problems)
