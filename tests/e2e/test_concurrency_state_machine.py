"""A state machine of crowds, over real HTTP against the local server: each step fires a random burst
of bookings, reschedules, cancellations, capacity edits, session cancellations, beneficiary
deletions and doses at the same few people and sessions, all at once, and after every step the
ledger must hold: each session's counters equal the places held in it, per dose and per slot, never
negative nor above capacity, and each person holds at most one live appointment per dose."""
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.e2e.helpers import together
from tests.e2e.world import SLOTS
from tests.helpers import aadhaar

pytestmark = pytest.mark.e2e
PEOPLE, STEPS, RUNS = 6, 10, 3
JITTER_SECONDS = 0.12
KINDS = ("schedule", "reschedule", "cancel", "capacity", "cancel session", "delete", "dose")


def test_crowds_never_unbalance_the_books(world, vaccinator):
    today = world.today()

    class Crowd(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.sessions = [world.session(capacity_dose1=6) for _ in range(2)]
            self.people = [world.person() for _ in range(PEOPLE)]
            self.answers = []

        def booked(self, ref: str) -> dict | None:
            live = [a for a in world.ledger.appointments_of(ref) if a["status"] == "BOOKED"]
            return live[0] if live else None

        def operation(self, kind: str, index: int, choice: int):
            headers, ref, seed, _ = self.people[index % len(self.people)]
            sessions = [*self.sessions, today]
            session_id, slot = sessions[choice % len(sessions)], SLOTS[choice % 2]
            held = self.booked(ref)
            if kind == "schedule":
                return "/v2/appointment/schedule", headers, {"dose": 1, "session_id": session_id, "slot": slot,
                                                             "beneficiaries": [ref]}
            if kind == "reschedule" and held:
                return "/v2/appointment/reschedule", headers, {"appointment_id": held["appointment_id"],
                                                               "session_id": session_id, "slot": slot}
            if kind == "cancel" and held:
                return "/v2/appointment/cancel", headers, {"appointment_id": held["appointment_id"],
                                                           "beneficiariesToCancel": [ref]}
            if kind == "capacity":
                target = self.sessions[choice % 2]
                capacity = choice % 7
                return f"/v2/admin/sessions/{target}/capacity", world.planner, {
                    "capacity_dose1": capacity, "capacity_dose2": 0,
                    "slots": [{"name": SLOTS[0], "capacity": capacity // 2},
                              {"name": SLOTS[1], "capacity": capacity - capacity // 2}]}
            if kind == "cancel session" and choice % 5 == 0:
                return f"/v2/admin/sessions/{self.sessions[choice % 2]}/cancel", world.planner, {}
            if kind == "delete":
                return "/v2/registration/beneficiary/delete", headers, {"beneficiary_reference_id": ref}
            if kind == "dose":
                return "/v2/vaccination/doses", vaccinator, {
                    "beneficiary_reference_id": ref, "session_id": today, "vaccine": "SPUTNIK V",
                    "batch": "SPK2021A", "dose": 1, "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:]}
            return None

        @rule(burst=st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, PEOPLE - 1), st.integers(0, 100)),
                             min_size=2, max_size=6))
        def a_crowd_at_once(self, burst):
            calls = [call for call in (self.operation(*entry) for entry in burst) if call is not None]
            if len(calls) < 2:
                return
            answers = together(calls, lambda call: world.post(call[0], call[2], call[1]), JITTER_SECONDS)
            assert all(a.status_code < 500 for a in answers), [a.text for a in answers if a.status_code >= 500]
            self.answers += [a.status_code for a in answers]
            # Whoever was deleted or vaccinated makes room for someone new.
            for index, (_, ref, _, _) in enumerate(self.people):
                person = world.ledger.beneficiary(ref)
                if person is None or int(person["doses_given"]) > 0:
                    self.people[index] = world.person()

        @invariant()
        def the_books_balance(self):
            world.ledger.assert_books_balance(*self.sessions, today)
            for _, ref, _, _ in self.people:
                world.ledger.assert_person_consistent(ref)

    run_state_machine_as_test(Crowd, settings=settings(max_examples=RUNS, stateful_step_count=STEPS, deadline=None,
                                                       suppress_health_check=list(HealthCheck)))
