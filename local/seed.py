"""Demo data for `make run`, per country pack: staff for every role, and centres with a week of
sessions in two of the country's districts. India: Mumbai (395) and BBMP Bengaluru (294); Uganda:
Kampala (102) and Wakiso (113); the Dominican Republic: Distrito Nacional (1) and Santiago (25)."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.config import CountryProfile, get_settings
from chalicelib.domain import kycvs
from chalicelib.domain import stock as stock_rules
from chalicelib.domain.calendar import local_date
from chalicelib.domain.planning import Centre, SessionPlan, Slot
from chalicelib.domain.records import BatchRecord, CentreRecord, SessionRecord, StatusCheckerRecord
from chalicelib.services.metadata import district_states
from chalicelib.services.planning import session_id_for
from chalicelib.store import kycvs as kycvs_store
from chalicelib.store import planning as planning_store
from chalicelib.store import stock as stock_store
from chalicelib.store.auth import StaffItem
from chalicelib.store.planning import AllocationItem, CounterItem

MUMBAI, MAHARASHTRA = 395, 21
BBMP, KARNATAKA = 294, 16
SLOT_NAMES = ("09:00AM-11:00AM", "11:00AM-01:00PM", "01:00PM-03:00PM", "03:00PM-06:00PM")
FIRST_DEMO_CENTRES = (100001, 200001)  # the two districts' centre ids start here
DEMO_STOCK_DAYS = 180  # the demo's batches expire this long after the demo starts: past any planning horizon
# DEMO ONLY: a KYC-VS status checker (docs/kycvs.md) with a fixed, published API key, so the README can make a
# request. A real checker's key is random (services/kycvs.add_checker) and shown once; this one is not secret.
DEMO_VERIFIER_KEY = "kyc-demo.DEMO-ONLY-published-key-not-a-secret"
DEMO_VERIFIER = ("demo", "Skyline Airways (demo)", (kycvs.STATUS, kycvs.PRECAUTION), 120)


@dataclass(frozen=True)
class Demo:
    """One country's demo: two districts' centres (name, block/ward, postal code, lat, long), the
    sessions each centre holds every day (vaccine, minimum age, maximum age), fees at paid centres
    (every third), and the staff (mobile, name, role, scope); the facility staff work at the first centre.
    An operator (mobile, name, desk, area) registers and books for citizens at a service centre in the
    first district (docs/assisted-registration.md)."""

    districts: tuple[tuple[int, tuple[tuple[str, str, int, float, float], ...]], ...]
    sessions: tuple[tuple[str, int, int | None], ...]
    paid_fees: dict[str, str]
    staff: tuple[tuple[str, str, str, dict[str, int]], ...]
    operator: tuple[str, str, str, dict[str, int]]
    # Vaccine stock every centre holds (vaccine, batch, vials, doses per vial), received the day the demo
    # starts and expiring DEMO_STOCK_DAYS later, where the pack tracks stock (docs/stock.md).
    stock: tuple[tuple[str, str, int, int], ...] = ()

    @property
    def facility(self) -> int:
        return FIRST_DEMO_CENTRES[0]

    @property
    def facility_admin(self) -> str:
        return next(mobile for mobile, _, role, _ in self.staff if role == "facility_admin")


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



def _facility_staff(mobiles: tuple[str, str, str], names: tuple[str, str, str], state_id: int,
                    district_id: int) -> tuple[tuple[str, str, str, dict[str, int]], ...]:
    scope = {"state_id": state_id, "district_id": district_id, "facility_id": FIRST_DEMO_CENTRES[0]}
    return tuple((mobile, name, role, scope) for mobile, name, role in
                 zip(mobiles, names, ("facility_admin", "vaccinator", "verifier"), strict=True))


DEMOS = {
    "in": Demo(
        districts=((MUMBAI, tuple(MUMBAI_CENTRES)), (BBMP, tuple(BBMP_CENTRES))),
        sessions=(("COVISHIELD", 18, 44), ("COVAXIN", 45, None)),
        paid_fees={"COVISHIELD": "780", "COVAXIN": "1410"},
        staff=(("9000000001", "Asha National", "national_admin", {}),
               ("9000000002", "Ravi Maharashtra", "state_admin", {"state_id": MAHARASHTRA}),
               ("9000000003", "Meera Mumbai", "district_admin", {"state_id": MAHARASHTRA, "district_id": MUMBAI}),
               ("9000000004", "Kiran Bengaluru", "district_admin", {"state_id": KARNATAKA, "district_id": BBMP}),
               *_facility_staff(("9000000005", "9000000006", "9000000007"),
                                ("Farah Facility", "Vikram Vaccinator", "Vani Verifier"), MAHARASHTRA, MUMBAI)),
        operator=("9000000020", "Omkar Operator", "CSC Andheri East",
                  {"state_id": MAHARASHTRA, "district_id": MUMBAI}),
        # The batch numbers the README, the end-to-end tests and the load use; enough at each centre for its
        # week of demo sessions, the sessions planned on top of them (the README's, the races', a few booking
        # storms') and every dose they give.
        stock=(("COVISHIELD", "4121Z025", 400, 10), ("COVAXIN", "CVX21A04", 200, 20),
               ("SPUTNIK V", "SPK2021A", 1000, 5))),
    "ug": Demo(
        districts=((102, (("Mulago National Referral Hospital", "Kawempe", 102, 0.3380, 32.5760),
                          ("Kiruddu National Referral Hospital", "Makindye", 102, 0.2760, 32.6010),
                          ("Naguru China-Uganda Friendship Hospital", "Nakawa", 102, 0.3420, 32.6170),
                          ("Kawempe National Referral Hospital", "Kawempe", 102, 0.3640, 32.5580),
                          ("Kisenyi Health Centre IV", "Central", 102, 0.3090, 32.5680),
                          ("Kiswa Health Centre III", "Nakawa", 102, 0.3230, 32.6230))),
                   (113, (("Entebbe Regional Referral Hospital", "Entebbe", 113, 0.0610, 32.4700),
                          ("Wakiso Health Centre IV", "Busiro", 113, 0.4040, 32.4590),
                          ("Kasangati Health Centre IV", "Kyadondo", 113, 0.4370, 32.6050),
                          ("Namayumba Health Centre IV", "Busiro", 113, 0.5630, 32.3830)))),
        sessions=(("ASTRAZENECA", 18, None), ("JANSSEN", 18, None)),
        paid_fees={"ASTRAZENECA": "0", "JANSSEN": "0"},
        staff=(("700000001", "Sarah National", "national_admin", {}),
               ("700000002", "Joseph Central", "state_admin", {"state_id": 1}),
               ("700000003", "Grace Kampala", "district_admin", {"state_id": 1, "district_id": 102}),
               ("700000004", "Peter Wakiso", "district_admin", {"state_id": 1, "district_id": 113}),
               *_facility_staff(("700000005", "700000006", "700000007"),
                                ("Ruth Facility", "Moses Vaccinator", "Esther Verifier"), 1, 102)),
        operator=("700000020", "Agnes Operator", "Kawempe Service Centre", {"state_id": 1, "district_id": 102})),
    "do": Demo(
        districts=((1, (("Hospital Dr. Francisco Moscoso Puello", "Villa Consuelo", 10306, 18.4860, -69.8990),
                        ("Hospital Dr. Luis Eduardo Aybar", "María Auxiliadora", 10303, 18.4910, -69.8970),
                        ("Hospital Salvador B. Gautier", "Ensanche La Fe", 10514, 18.4880, -69.9200),
                        ("Hospital Infantil Dr. Robert Reid Cabral", "Gascue", 10205, 18.4700, -69.9040),
                        ("Hospital General de la Plaza de la Salud", "Ensanche La Fe", 10514, 18.4900, -69.9220))),
                   (25, (("Hospital Regional José María Cabral y Báez", "Centro", 51000, 19.4530, -70.6970),
                         ("Hospital Metropolitano de Santiago", "Autopista Duarte", 51000, 19.4250, -70.6580),
                         ("Hospital Presidente Estrella Ureña", "Pekín", 51000, 19.4750, -70.7140)))),
        sessions=(("SINOVAC", 18, None), ("PFIZER", 12, 17)),
        paid_fees={"SINOVAC": "0", "PFIZER": "0"},
        staff=(("8090000001", "Carmen Nacional", "national_admin", {}),
               ("8090000002", "Luis Ozama", "state_admin", {"state_id": 40}),
               ("8090000003", "Ana Distrito", "district_admin", {"state_id": 40, "district_id": 1}),
               ("8090000004", "Pedro Santiago", "district_admin", {"state_id": 35, "district_id": 25}),
               *_facility_staff(("8090000005", "8090000006", "8090000007"),
                                ("Rosa Centro", "Miguel Vacunador", "Juana Verificadora"), 40, 1)),
        operator=("8090000020", "Teresa Operadora", "Línea Vacúnate RD", {"state_id": 40, "district_id": 1})),
}


def demo_of(profile: CountryProfile) -> Demo:
    code = profile.country_code.lower()
    if code not in DEMOS:
        raise SystemExit(f"local/seed.py has no demo data for country pack {code!r}: add a Demo to DEMOS")
    return DEMOS[code]


def _centres(demo: Demo, profile: CountryProfile) -> list[CentreRecord]:
    centres = []
    for first_id, (district_id, rows) in zip(FIRST_DEMO_CENTRES, demo.districts, strict=True):
        for offset, (name, block, pincode, lat, long) in enumerate(rows):
            paid = offset % 3 == 2 and any(fee != "0" for fee in demo.paid_fees.values())
            centres.append(planning_store.new_centre(first_id + offset, Centre(
                name=name, address=f"{name}, {block}", block_name=block, district_id=district_id,
                state_id=district_states(profile)[district_id], pincode=pincode, lat=lat, long=long,
                opens="09:00:00", closes="18:00:00", fee_type="Paid" if paid else "Free",
                vaccine_fees=dict(demo.paid_fees) if paid else {},
            )))
    return centres


def _sessions(demo: Demo, centre: CentreRecord, start: date, days: int, rng: random.Random) -> list[SessionRecord]:
    sessions = []
    for day in range(days):
        for vaccine, min_age, max_age in demo.sessions:
            dose1, dose2 = rng.choice((40, 60, 80, 100)), rng.choice((20, 40))
            share = (dose1 + dose2) // len(SLOT_NAMES)
            slots = tuple(Slot(name, share + ((dose1 + dose2) % len(SLOT_NAMES) if i == 0 else 0))
                          for i, name in enumerate(SLOT_NAMES))
            plan = SessionPlan(
                center_id=int(centre.center_id), date=start + timedelta(days=day), vaccine=vaccine,
                min_age_limit=min_age, max_age_limit=max_age, allow_all_age=False, capacity_dose1=dose1,
                capacity_dose2=dose2, slots=slots,
                fee=demo.paid_fees[vaccine] if centre.fee_type == "Paid" else "0",
            )
            session_id = session_id_for(centre.center_id, plan.date, vaccine)
            sessions.append(planning_store.new_session(session_id, centre, plan))
    return sessions


def seed(days: int = 8, rng_seed: int = 2021, now: int | None = None) -> dict[str, int]:
    """Write the demo data of the stage's country; returns how many of each thing were written."""
    profile = get_settings().country
    demo = demo_of(profile)
    rng = random.Random(rng_seed)
    centres = _centres(demo, profile)
    start_time = int(time.time()) if now is None else now
    start = local_date(profile, start_time)
    sessions = [session for centre in centres for session in _sessions(demo, centre, start, days, rng)]
    staff = [StaffItem(mobile, name=name, roles={role}, state_id=scope.get("state_id"),
                       district_id=scope.get("district_id"), facility_id=scope.get("facility_id"))
             for mobile, name, role, scope in demo.staff]
    mobile, name, desk, area = demo.operator
    staff.append(StaffItem(mobile, name=name, roles={"operator"}, desk=desk, state_id=area["state_id"],
                           district_id=area.get("district_id")))
    # The demo vaccinator and verifier work every session of their centre, so the walkthrough can vaccinate.
    allocations = [AllocationItem(s.session_id, mobile, role=role, date=s.date, center_id=int(s.center_id),
                                  allocated_at=start_time, allocated_by=demo.facility_admin)
                   for s in sessions if int(s.center_id) == demo.facility
                   for mobile, _, role, scope in demo.staff if role in ("vaccinator", "verifier")]
    planning_store.load(centres, sessions)
    receipts = _stock(demo, centres, profile, start_time)
    for model, items in ((StaffItem, staff), (AllocationItem, allocations)):
        with model.batch_write() as batch:
            for item in items:
                batch.save(item)
    checker_id, name, scopes, per_minute = DEMO_VERIFIER
    kycvs_store.add_checker(StatusCheckerRecord(checker_id, name, scopes, per_minute,
                                                kycvs.key_digest(DEMO_VERIFIER_KEY), start_time, "demo"))
    # Centre ids handed out by the planning API continue after the demo ones.
    CounterItem("center_id", value=300000).save()
    return {"centres": len(centres), "sessions": len(sessions), "staff": len(staff), "allocations": len(allocations),
            "batches": receipts}


def _stock(demo: Demo, centres: list[CentreRecord], profile: CountryProfile, now: int) -> int:
    """The demo's stock at every centre, as if each batch had been received once by the district's admin
    (written whether or not the pack tracks stock: without it, nothing reads it)."""
    today = local_date(profile, now)
    expiry = today + timedelta(days=DEMO_STOCK_DAYS)
    admins = {scope.get("district_id"): mobile for mobile, _, role, scope in demo.staff if role == "district_admin"}
    receipts, moves = [], []
    for centre in centres:
        for vaccine, batch, vials, per_vial in demo.stock:
            receipt = stock_rules.Receipt(int(centre.center_id), vaccine, batch, expiry, vials, per_vial)
            receipts.append((BatchRecord(int(centre.center_id), batch, vaccine, expiry.isoformat(), per_vial,
                                         int(centre.district_id), int(centre.state_id), now, vials_received=vials),
                             admins.get(int(centre.district_id), demo.facility_admin)))
            moves.append(stock_rules.receipt_moves(receipt, int(centre.district_id), int(centre.state_id), today))
    stock_store.load(receipts, stock_rules.merged(moves))
    return len(receipts)
