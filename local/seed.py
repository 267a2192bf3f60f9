"""Demo data for `make run`: staff for every role, and 20+ centres with a week of sessions in
Mumbai (district 395) and BBMP Bengaluru (district 294)."""
from __future__ import annotations

import random
import time
from datetime import date, timedelta

from chalicelib.config import get_settings
from chalicelib.domain.calendar import local_date
from chalicelib.domain.planning import Centre, SessionPlan, Slot
from chalicelib.domain.records import CentreRecord, SessionRecord
from chalicelib.services.planning import session_id_for
from chalicelib.store import planning as planning_store
from chalicelib.store.auth import StaffItem
from chalicelib.store.planning import AllocationItem, CounterItem

MUMBAI, MAHARASHTRA = 395, 21
DEMO_FACILITY = 100001  # Seven Hills Hospital: its admin, vaccinator and verifier are demo staff
FACILITY_ADMIN = "9000000005"
BBMP, KARNATAKA = 294, 16
SLOT_NAMES = ("09:00AM-11:00AM", "11:00AM-01:00PM", "01:00PM-03:00PM", "03:00PM-06:00PM")
PAID_FEES = {"COVISHIELD": "780", "COVAXIN": "1410"}

# (name, block/ward, pincode, lat, long)
MUMBAI_CENTRES = [
    ("Seven Hills Hospital", "Andheri East", 400059, 19.1170, 72.8800),
    ("KEM Hospital Parel", "F South", 400012, 19.0025, 72.8420),
    ("Nair Hospital", "E Ward", 400008, 18.9710, 72.8200),
    ("BKC Jumbo Covid Centre", "H East", 400051, 19.0660, 72.8650),
    ("NESCO Goregaon", "P South", 400063, 19.1550, 72.8530),
    ("Rajawadi Hospital", "N Ward", 400077, 19.0800, 72.9000),
    ("Cooper Hospital", "K West", 400056, 19.1070, 72.8370),
    ("Bhabha Hospital Bandra", "H West", 400050, 19.0550, 72.8330),
    ("Sion Hospital", "F North", 400022, 19.0390, 72.8600),
    ("JJ Hospital", "B Ward", 400008, 18.9630, 72.8330),
    ("St George Hospital", "A Ward", 400001, 18.9410, 72.8380),
    ("GT Hospital", "A Ward", 400001, 18.9450, 72.8350),
    ("Dahisar Jumbo Centre", "R North", 400068, 19.2500, 72.8600),
    ("Mulund Jumbo Centre", "T Ward", 400080, 19.1720, 72.9560),
    ("Kasturba Hospital", "E Ward", 400011, 18.9800, 72.8250),
    ("Bhagwati Hospital Borivali", "R Central", 400092, 19.2300, 72.8560),
    ("Shatabdi Hospital Kandivali", "R South", 400067, 19.2050, 72.8400),
    ("Lilavati Hospital", "H West", 400050, 19.0510, 72.8290),
    ("Hinduja Hospital Mahim", "G North", 400016, 19.0330, 72.8390),
    ("Jaslok Hospital", "D Ward", 400026, 18.9720, 72.8090),
    ("Breach Candy Hospital", "D Ward", 400026, 18.9720, 72.8050),
    ("Kokilaben Hospital Andheri", "K West", 400053, 19.1310, 72.8250),
    ("Wockhardt Hospital Mumbai Central", "E Ward", 400011, 18.9750, 72.8230),
    ("Fortis Hospital Mulund", "T Ward", 400078, 19.1610, 72.9430),
]
BBMP_CENTRES = [
    ("Victoria Hospital", "Chickpet", 560002, 12.9630, 77.5740),
    ("Bowring Hospital", "Shivajinagar", 560001, 12.9830, 77.6040),
    ("KC General Hospital", "Malleshwaram", 560003, 13.0000, 77.5700),
    ("Jayanagar General Hospital", "Jayanagar", 560011, 12.9290, 77.5830),
    ("CV Raman General Hospital", "Indiranagar", 560038, 12.9790, 77.6400),
    ("Sir CV Raman Nagar PHC", "CV Raman Nagar", 560093, 12.9860, 77.6630),
    ("Koramangala UPHC", "Koramangala", 560034, 12.9350, 77.6240),
    ("HSR Layout UPHC", "HSR Layout", 560068, 12.9120, 77.6450),
    ("Yelahanka General Hospital", "Yelahanka", 560064, 13.1000, 77.5960),
    ("Rajajinagar ESI Hospital", "Rajajinagar", 560010, 12.9910, 77.5520),
    ("Banashankari UPHC", "Banashankari", 560050, 12.9250, 77.5460),
    ("Whitefield UPHC", "Mahadevapura", 560066, 12.9690, 77.7500),
    ("Vijayanagar UPHC", "Vijayanagar", 560040, 12.9710, 77.5330),
    ("BTM Layout UPHC", "BTM Layout", 560076, 12.9160, 77.6100),
    ("Hebbal UPHC", "Hebbal", 560024, 13.0350, 77.5970),
    ("Manipal Hospital Old Airport Road", "HAL", 560017, 12.9590, 77.6480),
    ("Narayana Health City", "Bommasandra", 560099, 12.8100, 77.6960),
    ("Apollo Hospital Bannerghatta", "Bannerghatta Road", 560076, 12.8960, 77.5990),
    ("Fortis Hospital Cunningham Road", "Vasanth Nagar", 560052, 12.9860, 77.5950),
    ("Sakra World Hospital", "Bellandur", 560037, 12.9310, 77.6850),
    ("St John's Medical College Hospital", "Koramangala", 560034, 12.9310, 77.6190),
    ("Columbia Asia Hebbal", "Hebbal", 560024, 13.0480, 77.5930),
    ("Aster CMI Hospital", "Sahakar Nagar", 560092, 13.0550, 77.5930),
    ("Ramaiah Memorial Hospital", "Mathikere", 560054, 13.0300, 77.5650),
]

# (mobile, name, role, scope) — log in with any of these to act as that role.
DEMO_STAFF = [
    ("9000000001", "Asha National", "national_admin", {}),
    ("9000000002", "Ravi Maharashtra", "state_admin", {"state_id": MAHARASHTRA}),
    ("9000000003", "Meera Mumbai", "district_admin", {"state_id": MAHARASHTRA, "district_id": MUMBAI}),
    ("9000000004", "Kiran Bengaluru", "district_admin", {"state_id": KARNATAKA, "district_id": BBMP}),
    (FACILITY_ADMIN, "Farah Facility", "facility_admin",
     {"state_id": MAHARASHTRA, "district_id": MUMBAI, "facility_id": DEMO_FACILITY}),
    ("9000000006", "Vikram Vaccinator", "vaccinator",
     {"state_id": MAHARASHTRA, "district_id": MUMBAI, "facility_id": DEMO_FACILITY}),
    ("9000000007", "Vani Verifier", "verifier",
     {"state_id": MAHARASHTRA, "district_id": MUMBAI, "facility_id": DEMO_FACILITY}),
]


def _centres() -> list[CentreRecord]:
    centres = []
    for first_id, district_id, state_id, rows in ((100001, MUMBAI, MAHARASHTRA, MUMBAI_CENTRES),
                                                  (200001, BBMP, KARNATAKA, BBMP_CENTRES)):
        for offset, (name, block, pincode, lat, long) in enumerate(rows):
            paid = offset % 3 == 2
            centres.append(planning_store.new_centre(first_id + offset, Centre(
                name=name, address=f"{name}, {block}", block_name=block, district_id=district_id,
                state_id=state_id, pincode=pincode, lat=lat, long=long, opens="09:00:00", closes="18:00:00",
                fee_type="Paid" if paid else "Free", vaccine_fees=dict(PAID_FEES) if paid else {},
            )))
    return centres


def _sessions(centre: CentreRecord, start: date, days: int, rng: random.Random) -> list[SessionRecord]:
    sessions = []
    for day in range(days):
        for vaccine, min_age, max_age in (("COVISHIELD", 18, 44), ("COVAXIN", 45, None)):
            dose1, dose2 = rng.choice((40, 60, 80, 100)), rng.choice((20, 40))
            share = (dose1 + dose2) // len(SLOT_NAMES)
            slots = tuple(Slot(name, share + ((dose1 + dose2) % len(SLOT_NAMES) if i == 0 else 0))
                          for i, name in enumerate(SLOT_NAMES))
            plan = SessionPlan(
                center_id=int(centre.center_id), date=start + timedelta(days=day), vaccine=vaccine,
                min_age_limit=min_age, max_age_limit=max_age, allow_all_age=False, capacity_dose1=dose1,
                capacity_dose2=dose2, slots=slots, fee=PAID_FEES[vaccine] if centre.fee_type == "Paid" else "0",
            )
            session_id = session_id_for(centre.center_id, plan.date, vaccine)
            sessions.append(planning_store.new_session(session_id, centre, plan))
    return sessions


def seed(days: int = 8, rng_seed: int = 2021, now: int | None = None) -> dict[str, int]:
    """Write the demo data; returns how many of each thing were written."""
    rng = random.Random(rng_seed)
    centres = _centres()
    start_time = int(time.time()) if now is None else now
    start = local_date(get_settings().country, start_time)
    sessions = [session for centre in centres for session in _sessions(centre, start, days, rng)]
    staff = [StaffItem(mobile, name=name, roles={role}, state_id=scope.get("state_id"),
                       district_id=scope.get("district_id"), facility_id=scope.get("facility_id"))
             for mobile, name, role, scope in DEMO_STAFF]
    # The demo vaccinator and verifier work every session of their centre, so the walkthrough can vaccinate.
    allocations = [AllocationItem(s.session_id, mobile, role=role, date=s.date, center_id=int(s.center_id),
                                  allocated_at=start_time, allocated_by=FACILITY_ADMIN)
                   for s in sessions if int(s.center_id) == DEMO_FACILITY
                   for mobile, _, role, scope in DEMO_STAFF if role in ("vaccinator", "verifier")]
    planning_store.load(centres, sessions)
    for model, items in ((StaffItem, staff), (AllocationItem, allocations)):
        with model.batch_write() as batch:
            for item in items:
                batch.save(item)
    # Centre ids handed out by the planning API continue after the demo ones.
    CounterItem("center_id", value=300000).save()
    return {"centres": len(centres), "sessions": len(sessions), "staff": len(staff), "allocations": len(allocations)}
