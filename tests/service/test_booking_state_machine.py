"""Any sequence of schedule / reschedule / cancel keeps capacities and appointments in agreement.

A hypothesis state machine drives the booking service against moto on two small sessions and
checks, after every step, that each session's counters (per dose and per slot) equal the booked
appointments in it, never negative and never above capacity, and that each beneficiary holds an
appointment exactly when it has a booked place.
"""
import time
from collections import Counter
from contextlib import ExitStack
from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from chalicelib.config import get_settings
from chalicelib.domain.calendar import local_date
from chalicelib.domain.errors import ApiError
from chalicelib.domain.planning import Centre, SessionPlan, Slot
from chalicelib.services import booking, registration
from chalicelib.store import planning as planning_store
from chalicelib.store.booking import BOOKED, AppointmentItem
from chalicelib.store.planning import SessionItem
from chalicelib.store.registration import BeneficiaryItem
from tests.conftest import fresh_aws
from tests.helpers import person

MOBILES = ("9876500001", "9876500002")
SLOTS = ("09:00AM-11:00AM", "11:00AM-01:00PM")
SESSIONS = ("session-a", "session-b")


class Bookings(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.aws = ExitStack()
        self.aws.enter_context(fresh_aws())
        self.now = int(time.time())
        day = local_date(get_settings().country, self.now) + timedelta(days=1)
        centre = planning_store.new_centre(1, Centre(
            name="PHC", address="Road", block_name="Ward", district_id=395, state_id=21, pincode=400001, lat=19.0,
            long=72.8, opens="09:00:00", closes="17:00:00", fee_type="Free"))
        for session_id in SESSIONS:
            assert planning_store.create_session(planning_store.new_session(session_id, centre, SessionPlan(
                center_id=1, date=day, vaccine="COVISHIELD", min_age_limit=18, max_age_limit=None,
                allow_all_age=False, capacity_dose1=3, capacity_dose2=0, slots=(Slot(SLOTS[0], 2), Slot(SLOTS[1], 1)),
                fee="0")))
        profile = get_settings().country
        self.people = {mobile: [registration.register(mobile, person(10 * m + n), self.now, profile) for n in range(2)]
                       for m, mobile in enumerate(MOBILES)}
        self.appointments: list[tuple[str, str]] = []  # (mobile, appointment id)

    def teardown(self):
        self.aws.close()

    @rule(m=st.integers(0, 1), who=st.sampled_from([(0,), (1,), (0, 1)]), s=st.integers(0, 1), slot=st.integers(0, 1))
    def schedule(self, m, who, s, slot):
        mobile = MOBILES[m]
        body = {"dose": 1, "session_id": SESSIONS[s], "slot": SLOTS[slot],
                "beneficiaries": [self.people[mobile][i] for i in who]}
        try:
            self.appointments.append((mobile, booking.schedule(mobile, body, self.now, get_settings().country)))
        except ApiError as error:
            assert error.error.code in ("APPOIN0040", "APPOIN0024"), error.message

    @rule(pick=st.integers(0, 50), s=st.integers(0, 1), slot=st.integers(0, 1))
    def reschedule(self, pick, s, slot):
        if not self.appointments:
            return
        mobile, appointment_id = self.appointments[pick % len(self.appointments)]
        try:
            booking.reschedule(mobile, {"appointment_id": appointment_id, "session_id": SESSIONS[s],
                                        "slot": SLOTS[slot]}, self.now, get_settings().country)
        except ApiError as error:
            assert error.error.code in ("APPOIN0040", "APPOIN0026", "APPOIN0027"), error.message

    @rule(pick=st.integers(0, 50), first_only=st.booleans())
    def cancel(self, pick, first_only):
        if not self.appointments:
            return
        mobile, appointment_id = self.appointments[pick % len(self.appointments)]
        places = AppointmentItem.query(appointment_id)
        refs = [p.beneficiary_reference_id for p in places][: 1 if first_only else None]
        try:
            booking.cancel(mobile, {"appointment_id": appointment_id, "beneficiariesToCancel": refs}, self.now,
                           get_settings().country)
        except ApiError as error:
            assert error.error.code == "APPOIN0027", error.message

    @invariant()
    def counters_equal_booked_places(self):
        places = [p for p in AppointmentItem.scan() if p.status == BOOKED]
        per_session = Counter(p.session_id for p in places)
        per_slot = Counter((p.session_id, p.slot) for p in places)
        for session in SessionItem.scan():
            assert int(session.booked_dose1) == per_session[session.session_id]
            assert 0 <= int(session.booked_dose1) <= int(session.capacity_dose1)
            for slot in session.slots:
                assert int(slot.booked) == per_slot[(session.session_id, slot.name)]
                assert 0 <= int(slot.booked) <= int(slot.capacity)
        holders = {p.beneficiary_reference_id: p.appointment_id for p in places}
        for beneficiary in BeneficiaryItem.scan():
            lock = beneficiary.appointment_dose1
            assert (lock["appointment_id"] if lock is not None else None) == \
                holders.get(beneficiary.beneficiary_reference_id)


Bookings.TestCase.settings = settings(max_examples=20, stateful_step_count=12, deadline=None)
TestBookings = Bookings.TestCase
