"""Every route of the app with a valid request of its own, the callers who may try it, and the world
they act in: the demo data, the callers logged in, and fresh things to ask about (one module's
worth: the authorization matrix and the junk corpus each run in a world of their own).

The callers are anonymous, the citizen who owns the things asked about and another citizen, and each
staff role twice: once at Seven Hills Hospital (centre 100001, Mumbai, Maharashtra), where every
thing asked about is, and once elsewhere (centre 100002, Bengaluru, Karnataka).
"""
from __future__ import annotations

import itertools
import json
import re
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from moto import mock_aws

from chalicelib.config import get_settings
from tests.conftest import ROOT
from tests.helpers import aadhaar, bearer, last_otp, person, post, sha256

HERE, ELSEWHERE = 100001, 100002
NOW = int(time.time())
# Two days of the demo's sessions: every search has sessions to shape, and moto (which reads a whole
# table for an index Query) has a quarter of the make-run week to read.
SEEDED_DAYS = 2

# name -> (mobile, staff role); no mobile: no token. Everyone with a token is also a citizen (staff log
# in as citizens too). Demo staff are at Seven Hills; the "elsewhere" ones are added below.
CALLERS = {
    "anonymous": (None, None),
    "owner": ("9811100001", None),
    "another citizen": ("9811100002", None),
    "vaccinator here": ("9000000006", "vaccinator"), "vaccinator elsewhere": ("9811100011", "vaccinator"),
    "verifier here": ("9000000007", "verifier"), "verifier elsewhere": ("9811100012", "verifier"),
    "facility admin here": ("9000000005", "facility_admin"),
    "facility admin elsewhere": ("9811100013", "facility_admin"),
    "district admin here": ("9000000003", "district_admin"),
    "district admin elsewhere": ("9000000004", "district_admin"),
    "state admin here": ("9000000002", "state_admin"), "state admin elsewhere": ("9811100014", "state_admin"),
    "national admin": ("9000000001", "national_admin"),
    # Operators act for a citizen under the citizen's consent (X-Consent-Token), in their own area.
    "operator here": ("9000000020", "operator"), "operator elsewhere": ("9811100015", "operator"),
}
OWNER_MOBILE = CALLERS["owner"][0]
# A KYC-VS status checker's routes (docs/kycvs.md) take an API key, not a token: who holds which key. The
# demo checker owns the requests the rows make; the others are made in the world (every_route_world).
KEY_HOLDERS = ("the verifier", "another verifier", "revoked verifier", "forged key")
THE_VERIFIER, ANOTHER_VERIFIER = frozenset({"the verifier"}), frozenset({"the verifier", "another verifier"})
SITE_HERE = frozenset({"vaccinator here", "verifier here"})
AREA_HERE = frozenset({"district admin here", "state admin here", "national admin"})
ADMINS_HERE = AREA_HERE | {"facility admin here"}
OWNER = frozenset({"owner"})
OPERATOR_HERE = frozenset({"operator here"})


@dataclass
class Call:
    method: str
    path: str
    body: dict | None = None
    headers: dict = field(default_factory=dict)
    secret: str | None = None  # must not appear in the answer of a caller who is refused with a 200
    # The document locker's own requests carry its HMAC of the body, not a token: whoever sends them with
    # it gets the same answer (a token neither helps nor hurts), and junk sent in a body is signed again.
    signed: bool = False
    headers_of: dict[str, dict] = field(default_factory=dict)  # a caller's own headers (an operator's consent)


@dataclass
class Row:
    build: Callable[[World], Call]  # the request, against fresh things
    ok: int  # what an allowed caller gets
    allowed: frozenset[str] | None = None  # beyond the role; None: everyone with the role
    refused: tuple[int, str | None] = (403, "USRAUT0022")  # what the others with the role get


class World:
    """The demo data, the callers logged in, and fresh things to ask about."""

    def __init__(self, client):
        from chalicelib.services.planning import session_id_for

        self.client = client
        self.session_here = session_id_for(HERE, self.local_today(), "COVISHIELD")
        self.session_elsewhere = session_id_for(ELSEWHERE, self.local_today(), "COVISHIELD")
        self._seeds = itertools.count(40_000)
        self._days = itertools.count(1)  # Seven Hills has no SPUTNIK V session in the demo data
        self._bookers = (f"98112{n:05d}" for n in itertools.count())
        self.tokens = {name: bearer(self._login(mobile)) for name, (mobile, _) in CALLERS.items() if mobile}
        self.keys = self._status_checkers()

    @staticmethod
    def _status_checkers() -> dict[str, dict]:
        """The X-Api-Key header of each key holder: the demo checker, another, a revoked one, a forged key."""
        from chalicelib.domain.roles import Principal, Role
        from chalicelib.services import kycvs
        from local.seed import DEMO_VERIFIER_KEY

        national = Principal(CALLERS["national admin"][0], frozenset({Role.NATIONAL_ADMIN}))
        spec = {"name": "Another Hotel", "scopes": ["status"], "requests_per_minute": 100}
        another = kycvs.add_checker(national, spec, NOW)["api_key"]
        revoked = kycvs.add_checker(national, spec, NOW)
        kycvs.revoke_checker(national, revoked, NOW)
        return {"the verifier": {"X-Api-Key": DEMO_VERIFIER_KEY}, "another verifier": {"X-Api-Key": another},
                "revoked verifier": {"X-Api-Key": revoked["api_key"]},
                "forged key": {"X-Api-Key": DEMO_VERIFIER_KEY[:-4] + "FAKE"}}

    @staticmethod
    def local_today() -> date:
        from chalicelib.config import get_settings
        from chalicelib.domain.calendar import local_date

        return local_date(get_settings().country, NOW)

    def _login(self, mobile: str) -> str:
        txn = post(self.client, "/v2/auth/public/generateOTP", {"mobile": mobile}).json_body["txnId"]
        return post(self.client, "/v2/auth/public/confirmOTP", {"otp": sha256(last_otp(mobile)),
                                                                "txnId": txn}).json_body["token"]

    def session_here_of(self, vaccine: str) -> str:
        """Today's session of `vaccine` at Seven Hills, from the demo data."""
        from chalicelib.services.planning import session_id_for

        return session_id_for(HERE, self.local_today(), vaccine)

    def fresh_mobile(self) -> str:
        return next(self._bookers)

    def day(self, days_ahead: int = 0) -> str:
        """A day from today, as CoWIN writes it."""
        return (self.local_today() + timedelta(days=days_ahead)).strftime("%d-%m-%Y")

    # -- things ------------------------------------------------------------------------------------

    def beneficiary(self, mobile: str = OWNER_MOBILE) -> tuple[str, int]:
        from chalicelib.services import registration

        seed = next(self._seeds)
        return registration.register(mobile, person(seed), NOW, get_settings().country), seed

    def appointment(self, mobile: str = OWNER_MOBILE) -> tuple[str, str, int]:
        """A beneficiary of `mobile` booked today at Seven Hills: (appointment id, reference id, seed)."""
        from chalicelib.services import booking

        ref, seed = self.beneficiary(mobile)
        appointment_id = booking.schedule(mobile, {"dose": 1, "session_id": self.session_here,
                                                   "slot": "09:00AM-11:00AM", "beneficiaries": [ref]},
                                          NOW, get_settings().country)
        return appointment_id, ref, seed

    def vaccinated(self, mobile: str | None = None) -> str:
        """A beneficiary of `mobile` given dose 1 today at Seven Hills, certificate issued."""
        from chalicelib.domain.roles import Principal, Role, Scope
        from chalicelib.services import certificates, doses

        ref, seed = self.beneficiary(mobile or self.fresh_mobile())
        vaccinator = Principal(CALLERS["vaccinator here"][0], frozenset({Role.VACCINATOR}),
                               Scope(facility_id=HERE, district_id=395, state_id=21))
        doses.record_dose(vaccinator, {"beneficiary_reference_id": ref, "session_id": self.session_here,
                                             "vaccine": "COVISHIELD", "batch": "4121Z025", "dose": 1,
                                             "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:]},
                          NOW, get_settings().country)
        certificates.issue(ref, 1, get_settings().country)
        return ref

    @staticmethod
    def passport() -> str:
        """A fresh Indian passport number."""
        return f"K{uuid.uuid4().int % 10 ** 7:07d}"

    def traveller(self, mobile: str) -> str:
        """A vaccinated beneficiary of `mobile` who added a passport, the certificate reissued with it."""
        from chalicelib.services import certificates, international

        ref = self.vaccinated(mobile)
        international.add_travel_details(mobile, ref, {"passport_number": self.passport(), "birth_date": "1990-01-01"},
                                         NOW, get_settings().country)
        certificates.issue(ref, 1, get_settings().country)
        return ref

    def consent(self, operator: str, mobile: str) -> dict:
        """The X-Consent-Token header of `mobile`'s consent to that operator, as the consent route signs it
        (the consent's own flow is its rows' and tests/api/test_assisted_api.py's)."""
        from chalicelib.adapters.secrets import get_secrets
        from chalicelib.domain import assisted
        from chalicelib.services import tokens
        from chalicelib.store.auth import get_staff

        given = assisted.grant(str(uuid.uuid4()), get_staff(CALLERS[operator][0]), mobile, int(time.time()),
                               get_settings().country)
        return {"X-Consent-Token": tokens.issue_consent(given, get_secrets().jwt_key)}

    def consents(self, mobile: str) -> tuple[dict, dict[str, dict]]:
        """Both operators' consents of `mobile`: the one here as a call's headers, the other as its own."""
        return self.consent("operator here", mobile), {"operator elsewhere": self.consent("operator elsewhere", mobile)}

    def operator(self) -> str:
        """A fresh operator of Mumbai, as its district admin would add them."""
        from chalicelib.domain.assisted import Area
        from chalicelib.store.auth import put_operator

        mobile = self.fresh_mobile()
        assert put_operator(mobile, "Olga Operator", "CSC Kurla", Area(21, 395), None)
        return mobile

    def locked_appointment(self) -> tuple[str, str]:
        from chalicelib.store import booking as booking_store
        from chalicelib.store import vaccination as vaccination_store

        appointment_id, ref, _ = self.appointment(self.fresh_mobile())
        item = booking_store.appointment_of(appointment_id, ref)
        while vaccination_store.spend_code_attempt(item, get_settings().country.security_code_attempts) is not None:
            pass
        return appointment_id, ref

    def new_session(self) -> str:
        from chalicelib.domain.roles import Principal, Role
        from chalicelib.services import planning

        national = Principal(CALLERS["national admin"][0], frozenset({Role.NATIONAL_ADMIN}))
        return planning.create_session(national, self.session_plan(), NOW, get_settings().country)["session_id"]

    def session_to_close(self) -> str:
        """Today's SPUTNIK V session at Seven Hills (the demo has none), the vaccinator here allocated to it:
        the one the stock rows close (closing it twice answers the same), so today's others stay open."""
        if getattr(self, "_to_close", None) is None:
            from chalicelib.domain.roles import Principal, Role
            from chalicelib.services import planning

            national = Principal(CALLERS["national admin"][0], frozenset({Role.NATIONAL_ADMIN}))
            self._to_close = planning.create_session(national, {
                **self.session_plan(), "date": self.day()}, NOW, get_settings().country)["session_id"]
            planning.allocate(national, self._to_close, {"mobile": CALLERS["vaccinator here"][0]}, NOW,
                              get_settings().country)
        return self._to_close

    def stock_receipt(self) -> dict:
        """A fresh batch received at Seven Hills."""
        return {"center_id": HERE, "vaccine": "COVISHIELD", "batch": f"MX{next(self._seeds)}", "expiry_date":
                self.day(90), "vials": 2, "doses_per_vial": 10}

    def session_plan(self) -> dict:
        """A session at Seven Hills that does not exist yet (one centre, date and vaccine each)."""
        return {"center_id": HERE, "date": self.day(next(self._days)), "vaccine": "SPUTNIK V", "min_age_limit": 18,
                "capacity_dose1": 10, "capacity_dose2": 0, "slots": ["09:00AM-01:00PM"]}


def _issued_qr(world: World) -> str:
    from chalicelib.services import certificates

    mobile = world.fresh_mobile()
    return certificates.credential(mobile, {"beneficiary_reference_id": world.vaccinated(mobile)})["qr"]


def _otp_login(world: World, path: str) -> Call:
    mobile = world.fresh_mobile()
    txn = post(world.client, "/v2/auth/public/generateOTP", {"mobile": mobile}).json_body["txnId"]
    return Call("POST", path, {"otp": sha256(last_otp(mobile)), "txnId": txn})


def _verify_id(world: World) -> Call:
    from chalicelib.adapters.national_id import linked_mobile
    from chalicelib.services import registration
    from local import carrier as local_carrier

    ref, seed = world.beneficiary()
    txn = registration.start_id_verification(OWNER_MOBILE, ref, aadhaar(seed), NOW, get_settings().country)["txnId"]
    otp = re.search(r"\b(\d{6})\b", local_carrier.messages_for(linked_mobile(aadhaar(seed)))[-1]["message"]).group(1)
    return Call("POST", "/v2/registration/beneficiary/verifyId/confirm",
                {"beneficiary_reference_id": ref, "txnId": txn, "otp": otp})


def _door(world: World) -> Call:
    from chalicelib.services.booking import security_code_of

    appointment_id, ref, seed = world.appointment(world.fresh_mobile())
    return Call("POST", "/v2/vaccination/verify", {
        "appointment_id": appointment_id, "beneficiary_reference_id": ref, "session_id": world.session_here,
        "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:], "security_code": security_code_of(appointment_id)})


def _offline(world: World) -> Call:
    ref, seed = world.beneficiary(world.fresh_mobile())
    return Call("POST", "/v2/vaccination/offline/sync", {"records": [{
        "uuid": str(uuid.uuid4()), "device_id": "tablet-7", "captured_at": NOW, "vaccinator": None,
        "beneficiary_reference_id": ref, "session_id": world.session_here, "vaccine": "COVISHIELD",
        "batch": "4121Z025", "dose": 1, "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:]}]})


def _search(world: World) -> Call:
    _, ref, _ = world.appointment(world.fresh_mobile())
    return Call("POST", "/v2/vaccination/beneficiaries/search", {"beneficiary_reference_id": ref}, secret=ref)


def _own_list(world: World) -> Call:
    ref, _ = world.beneficiary()
    return Call("GET", "/v2/appointment/beneficiaries", secret=ref)


# Searches from the last day of the demo data: one day of sessions to shape, not seven.
def _public_search(name: str, place: str) -> Callable[[World], Call]:
    last = SEEDED_DAYS - 1
    return lambda world: Call("GET", f"/v2/appointment/sessions/public/{name}?{place}&date={world.day(last)}")


def _protected_search(name: str, place: str) -> Callable[[World], Call]:
    last = SEEDED_DAYS - 1
    return lambda world: Call("GET", f"/v2/appointment/sessions/{name}?{place}&date={world.day(last)}&vaccine=COVAXIN")


def _appointment_call(method: str, path: str, body: Callable[[World, str, str], dict] | None = None,
                      ok: int = 200, headers: dict | None = None) -> Row:
    def build(world: World) -> Call:
        appointment_id, ref, _ = world.appointment()
        return Call(method, path.format(appointment_id=appointment_id),
                    body(world, appointment_id, ref) if body else None, headers or {})

    return Row(build, ok, OWNER, (404, "APPOIN0025"))


def _beneficiary_call(path: str, body: Callable[[World, str, int], dict], ok: int = 200) -> Row:
    def build(world: World) -> Call:
        ref, seed = world.beneficiary()
        return Call("POST", path, body(world, ref, seed))

    return Row(build, ok, OWNER, (400, "BENREG0009"))


def _certificate(path: str, headers: dict | None = None) -> Row:
    def build(world: World) -> Call:
        return Call("GET", f"{path}?beneficiary_reference_id={world.vaccinated(OWNER_MOBILE)}", headers=headers or {})

    return Row(build, 200, OWNER, (400, "BENREG0009"))


def _international(path: str, headers: dict | None = None) -> Row:
    def build(world: World) -> Call:
        return Call("GET", f"{path}?beneficiary_reference_id={world.traveller(OWNER_MOBILE)}", headers=headers or {})

    return Row(build, 200, OWNER, (400, "BENREG0009"))


def _locker_pull(path: str, details: Callable[[str, str], dict]) -> Callable[[World], Call]:
    """The locker's signed pull of a fresh vaccinated owner's certificate, linked to a fresh account."""
    def build(world: World) -> Call:
        from chalicelib.services import locker
        from tests.helpers import locker_envelope, locker_hmac

        ref, account = world.vaccinated(OWNER_MOBILE), str(uuid.uuid4())
        [uri] = locker.link(OWNER_MOBILE, {"beneficiary_reference_id": ref, "locker_id": account}, NOW,
                            get_settings().country)["uris"]
        body = locker_envelope({"format": "json", "DocDetails": details(ref, account) | {"URI": uri}})
        if path.endswith("pullUri"):
            del body["DocDetails"]["URI"]
        return Call("POST", path, body, locker_hmac(json.dumps(body).encode()), secret=ref, signed=True)

    return build


def _revocation_list(world: World) -> Call:
    from chalicelib.adapters import signing

    return Call("GET", f"/.well-known/crl/{signing.signing_key().kid}.json")


def _india_today() -> str:
    """Today in the demo country (the reports refuse a date in its future)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Kolkata")).date().isoformat()


def _own_alert(world: World) -> Call:
    created = post(world.client, "/v2/alerts/subscriptions", {"district_id": 395, "min_age_limit": 18, "dose": 1},
                   world.tokens["owner"])
    subscription_id = created.json_body["subscription_id"]
    return Call("DELETE", f"/v2/alerts/subscriptions/{subscription_id}", secret=subscription_id)


def _allocate(world: World) -> Call:
    return Call("POST", f"/v2/admin/sessions/{world.new_session()}/allocations",
                {"mobile": CALLERS["vaccinator here"][0]})


def _acting(method: str, path: str, body: Callable[[World, str], dict] | None = None,
           refused_elsewhere: bool = False, ok: int = 200) -> Row:
    """An operator's action for a fresh mobile's owner, who consented to both operators: any operator for
    what has no place (the person's registration, their list), only the one here where it does."""
    def build(world: World) -> Call:
        mobile = world.fresh_mobile()
        headers, elsewhere = world.consents(mobile)
        return Call(method, path, body(world, mobile) if body else None, headers, headers_of=elsewhere)

    return Row(build, ok, OPERATOR_HERE if refused_elsewhere else None, (403, "USRAUT0022"))


def _assisted_booking(world: World, mobile: str) -> dict:
    ref, _ = world.beneficiary(mobile)
    return {"dose": 1, "session_id": world.session_here, "slot": "09:00AM-11:00AM", "beneficiaries": [ref]}


def _assisted_cancel(world: World, mobile: str) -> dict:
    appointment_id, ref, _ = world.appointment(mobile)
    return {"appointment_id": appointment_id, "beneficiariesToCancel": [ref]}


def _assisted_list(world: World) -> Call:
    call = _acting("GET", "/v2/assisted/beneficiaries").build(world)
    ref, _ = world.beneficiary(_consented(call))
    return Call(call.method, call.path, None, call.headers, secret=ref, headers_of=call.headers_of)


def _consented(call: Call) -> str:
    from chalicelib.adapters.secrets import get_secrets
    from chalicelib.services import tokens

    return tokens.read_consent(call.headers["X-Consent-Token"], get_secrets().jwt_key).citizen


def _consent_confirmation(world: World) -> Call:
    """The OTP the owner of a fresh mobile read out to the operator here: the other operator's guess with
    it spends nothing of it (the operator here then uses it)."""
    mobile = world.fresh_mobile()
    txn = post(world.client, "/v2/assisted/consent", {"mobile": mobile}, world.tokens["operator here"])
    return Call("POST", "/v2/assisted/consent/confirm", {"txnId": txn.json_body["txnId"],
                                                         "otp": sha256(last_otp(mobile))})


def _operator_actions(world: World) -> Call:
    """What the operator here did today: one registration, in Mumbai (the admins elsewhere see nothing)."""
    from chalicelib.domain.roles import Principal, Role, Scope
    from chalicelib.services import assisted

    mobile = world.fresh_mobile()
    operator = Principal(CALLERS["operator here"][0], frozenset({Role.CITIZEN, Role.OPERATOR}), Scope(None, 395, 21))
    ref = assisted.register(operator, world.consent("operator here", mobile)["X-Consent-Token"],
                            person(next(world._seeds)), int(time.time()), get_settings().country)
    return Call("POST", "/v2/admin/operators/actions", {"mobile": CALLERS["operator here"][0], "from": world.day(),
                                                        "to": world.day()}, secret=ref["beneficiary_reference_id"])


def _done_for_me(world: World) -> Call:
    """The owner was registered once by the operator here (every caller reads their own list)."""
    from chalicelib.domain.roles import Principal, Role, Scope
    from chalicelib.services import assisted

    if not hasattr(world, "assisted_ref"):
        operator = Principal(CALLERS["operator here"][0], frozenset({Role.CITIZEN, Role.OPERATOR}),
                             Scope(None, 395, 21))
        world.assisted_ref = assisted.register(operator, world.consent("operator here", OWNER_MOBILE)[
            "X-Consent-Token"], person(next(world._seeds)), int(time.time()), get_settings().country)[
            "beneficiary_reference_id"]
    return Call("GET", "/v2/assisted/actions", secret=world.assisted_ref)


def _ticket(world: World, mobile: str, *, review: bool = False, close: bool = False) -> str:
    """A fresh grievance raised by `mobile` about a new member of theirs (an unknown member, handled in
    Mumbai), put in review or closed (rejected, so it no longer counts among the mobile's open ones)."""
    from chalicelib.domain.roles import Principal, Role
    from chalicelib.services import grievances

    ref, _ = world.beneficiary(mobile)
    ticket = grievances.raise_issue(Principal(mobile), {"type": "unknown_member", "beneficiary_reference_id": ref,
                                                        "district_id": 395, "description": f"not mine {ref}"},
                                    None, NOW, get_settings())["ticket_id"]
    admin = Principal(CALLERS["national admin"][0], frozenset({Role.CITIZEN, Role.NATIONAL_ADMIN}))
    for action, wanted in (("review", review), ("reject", close)):
        if wanted:
            grievances.act(admin, ticket, action, {"reason": "checked"}, NOW, get_settings())
    return ticket


def _officer_move(action: str) -> Row:
    """An area admin's move of a fresh ticket (resolving one in review: the unknown member is removed)."""
    def build(world: World) -> Call:
        ticket = _ticket(world, world.fresh_mobile(), review=action == "resolve")
        return Call("POST", f"/v2/admin/grievances/{ticket}/{action}", {"reason": "Checked with the centre"})

    return Row(build, 200, AREA_HERE, (404, "GRIEV0001"))


def _own_ticket(world: World) -> Call:
    """The owner's ticket (closed: the owner's open ones stay below the limit), read by its id."""
    ticket = _ticket(world, OWNER_MOBILE, close=True)
    return Call("GET", f"/v2/grievances/{ticket}", secret=ticket)
def _status_request(world: World) -> Call:
    """A request of the demo checker about a fresh mobile: any checker may make one."""
    return Call("POST", "/v2/kycvs/request", {"mobile": world.fresh_mobile()}, world.keys["the verifier"])


def _status_answer(world: World) -> Call:
    """The code a fresh mobile's owner gave the demo checker: another checker's try with it spends nothing of
    it (the demo checker then uses it)."""
    mobile = world.fresh_mobile()
    asked = post(world.client, "/v2/kycvs/request", {"mobile": mobile}, world.keys["the verifier"])
    from local import carrier as local_carrier

    code = re.search(r"code (\d{6})", local_carrier.messages_for(mobile)[-1]["message"]).group(1)
    return Call("POST", "/v2/kycvs/answer", {"request_id": asked.json_body["request_id"], "otp": code},
                world.keys["the verifier"], secret="vaccination_status")


def _asked_about_me(world: World) -> Call:
    """The owner was asked about once by the demo checker (every caller reads their own list). Written as the
    request's own transaction writes it: the owner's OTP resend interval is still running from their login."""
    from chalicelib.domain.records import StatusCheckRecord
    from chalicelib.store import kycvs as kycvs_store
    from chalicelib.store.common import Transaction
    from chalicelib.store.kycvs import StatusCheckItem

    if not hasattr(world, "status_request"):
        world.status_request = str(uuid.uuid4())
        record = StatusCheckRecord(world.status_request, "demo", "Skyline Airways (demo)", OWNER_MOBILE, NOW,
                                   NOW + 180, "asked")
        assert Transaction(StatusCheckItem).attempt(kycvs_store.asking(record)) is None
    return Call("GET", "/v2/kycvs/requests", secret=world.status_request)


def _revocation(world: World) -> Call:
    from chalicelib.domain.roles import Principal, Role
    from chalicelib.services import kycvs

    national = Principal(CALLERS["national admin"][0], frozenset({Role.NATIONAL_ADMIN}))
    made = kycvs.add_checker(national, {"name": "Short Stay Inn", "scopes": ["status"], "requests_per_minute": 5}, NOW)
    return Call("POST", "/v2/admin/kycvs/verifiers/revoke", {"verifier_id": made["verifier_id"]})


PDF = {"Accept": "application/pdf"}
ROWS: dict[tuple[str, str], Row] = {
    # Public: anyone, with or without a token.
    ("GET", "/.well-known/jwks.json"): Row(lambda w: Call("GET", "/.well-known/jwks.json"), 200),
    ("GET", "/_local/outbox"): Row(lambda w: Call("GET", "/_local/outbox?mobile=9811100001"), 200),
    ("GET", "/_local/locker"): Row(lambda w: Call("GET", f"/_local/locker?locker_id={uuid.uuid4()}"), 200),
    ("GET", "/_local/locker/partner"): Row(lambda w: Call("GET", "/_local/locker/partner"), 200),
    # The document locker's pulls: its HMAC, not a token (tests/api/test_locker_api.py refuses the unsigned).
    ("POST", "/v2/locker/issuer/pullUri"): Row(_locker_pull("/v2/locker/issuer/pullUri", lambda ref, account: {
        "DocType": "VACER", "DigiLockerId": account, "UDF1": ref, "FullName": "Asha Rao", "DOB": "01-01-1990",
        "Mobile": OWNER_MOBILE}), 200),
    ("POST", "/v2/locker/issuer/pullDoc"): Row(_locker_pull("/v2/locker/issuer/pullDoc", lambda ref, account: {
        "DigiLockerId": account}), 200),
    ("GET", "/v2/admin/location/states"): Row(lambda w: Call("GET", "/v2/admin/location/states"), 200),
    ("GET", "/v2/admin/location/districts/{state_id}"): Row(
        lambda w: Call("GET", "/v2/admin/location/districts/21"), 200),
    ("GET", "/v2/appointment/centers/public/findByLatLong"): Row(
        lambda w: Call("GET", "/v2/appointment/centers/public/findByLatLong?lat=19.07&long=72.87"), 200),
    ("GET", "/v2/appointment/sessions/public/findByPin"): Row(_public_search("findByPin", "pincode=400059"), 200),
    ("GET", "/v2/appointment/sessions/public/findByDistrict"): Row(
        _public_search("findByDistrict", "district_id=395"), 200),
    ("GET", "/v2/appointment/sessions/public/calendarByPin"): Row(
        _public_search("calendarByPin", "pincode=400059"), 200),
    ("GET", "/v2/appointment/sessions/public/calendarByDistrict"): Row(
        _public_search("calendarByDistrict", "district_id=395"), 200),
    ("GET", "/v2/appointment/sessions/public/calendarByCenter"): Row(
        _public_search("calendarByCenter", "center_id=100001"), 200),
    ("POST", "/v2/auth/public/generateOTP"): Row(
        lambda w: Call("POST", "/v2/auth/public/generateOTP", {"mobile": w.fresh_mobile()}), 200),
    ("POST", "/v2/auth/generateOTP"): Row(
        lambda w: Call("POST", "/v2/auth/generateOTP", {"mobile": w.fresh_mobile()}), 200),
    ("POST", "/v2/auth/generateMobileOTP"): Row(
        lambda w: Call("POST", "/v2/auth/generateMobileOTP", {"mobile": w.fresh_mobile(), "secret": "x"}), 200),
    ("POST", "/v2/auth/public/confirmOTP"): Row(lambda w: _otp_login(w, "/v2/auth/public/confirmOTP"), 200),
    ("POST", "/v2/auth/confirmOTP"): Row(lambda w: _otp_login(w, "/v2/auth/confirmOTP"), 200),
    ("POST", "/v2/auth/validateMobileOtp"): Row(lambda w: _otp_login(w, "/v2/auth/validateMobileOtp"), 200),
    ("GET", "/v2/certificate/revoked"): Row(lambda w: Call("GET", "/v2/certificate/revoked"), 200),
    ("GET", "/.well-known/crl/{file_name}"): Row(_revocation_list, 200),
    ("GET", "/v2/certificate/dcc/trust-list"): Row(lambda w: Call("GET", "/v2/certificate/dcc/trust-list"), 200),
    ("GET", "/v2/certificate/dcc/revoked"): Row(lambda w: Call("GET", "/v2/certificate/dcc/revoked"), 200),
    ("GET", "/v1/reports/v2/getPublicReports"): Row(lambda w: Call(
        "GET", f"/v1/reports/v2/getPublicReports?state_id=21&district_id=395&date={_india_today()}"), 200),
    ("GET", "/v1/reports/v2/openData.csv"): Row(lambda w: Call(
        "GET", f"/v1/reports/v2/openData.csv?state_id=21&date={_india_today()}"), 200),
    ("GET", "/v2/web/texts"): Row(lambda w: Call("GET", "/v2/web/texts?lang=hi"), 200),
    ("POST", "/v2/certificate/verify"): Row(lambda w: Call("POST", "/v2/certificate/verify", {"qr": _issued_qr(w)}),
                                            200),
    # Anyone logged in.
    ("GET", "/v2/appointment/centers/findByLatLong"): Row(
        lambda w: Call("GET", "/v2/appointment/centers/findByLatLong?lat=19.07&long=72.87"), 200),
    ("GET", "/v2/appointment/sessions/findByPin"): Row(_protected_search("findByPin", "pincode=400059"), 200),
    ("GET", "/v2/appointment/sessions/findByDistrict"): Row(_protected_search("findByDistrict", "district_id=395"),
                                                            200),
    ("GET", "/v2/appointment/sessions/calendarByPin"): Row(_protected_search("calendarByPin", "pincode=400059"), 200),
    ("GET", "/v2/appointment/sessions/calendarByDistrict"): Row(
        _protected_search("calendarByDistrict", "district_id=395"), 200),
    ("GET", "/v2/registration/beneficiary/idTypes"): Row(
        lambda w: Call("GET", "/v2/registration/beneficiary/idTypes"), 200),
    ("GET", "/v2/registration/beneficiary/genders"): Row(
        lambda w: Call("GET", "/v2/registration/beneficiary/genders"), 200),
    # A citizen's own account: every caller has one (staff log in as citizens too).
    ("GET", "/v2/account/settings"): Row(lambda w: Call("GET", "/v2/account/settings"), 200),
    ("PUT", "/v2/account/settings"): Row(lambda w: Call("PUT", "/v2/account/settings", {"language": "hi"}), 200),
    ("POST", "/v2/auth/getRecaptcha"): Row(lambda w: Call("POST", "/v2/auth/getRecaptcha", {}), 200),
    ("POST", "/v2/registration/beneficiary/new"): Row(
        lambda w: Call("POST", "/v2/registration/beneficiary/new", person(next(w._seeds))), 200),
    ("GET", "/v2/appointment/beneficiaries"): Row(_own_list, 200, OWNER, (200, None)),
    ("POST", "/v2/alerts/subscriptions"): Row(lambda w: Call("POST", "/v2/alerts/subscriptions", {
        "pincode": "400059", "min_age_limit": 18, "dose": 1}), 201),
    ("GET", "/v2/alerts/subscriptions"): Row(lambda w: Call("GET", "/v2/alerts/subscriptions"), 200),
    ("DELETE", "/v2/alerts/subscriptions/{subscription_id}"): Row(_own_alert, 204, OWNER, (404, "ALERTS0002")),
    # The owner's things: another mobile is told they do not exist.
    ("POST", "/v2/appointment/schedule"): _beneficiary_call(
        "/v2/appointment/schedule", lambda w, ref, seed: {"dose": 1, "session_id": w.session_here,
                                                          "slot": "09:00AM-11:00AM", "beneficiaries": [ref]}),
    ("POST", "/v2/appointment/reschedule"): _appointment_call(
        "POST", "/v2/appointment/reschedule", lambda w, appointment_id, ref: {
            "appointment_id": appointment_id, "session_id": w.session_here, "slot": "11:00AM-01:00PM"}, ok=204),
    ("POST", "/v2/appointment/cancel"): _appointment_call(
        "POST", "/v2/appointment/cancel",
        lambda w, appointment_id, ref: {"appointment_id": appointment_id, "beneficiariesToCancel": [ref]}, ok=204),
    ("GET", "/v2/appointment/appointmentslip/download"): _appointment_call(
        "GET", "/v2/appointment/appointmentslip/download?appointment_id={appointment_id}", headers=PDF),
    ("GET", "/v2/appointment/status/{appointment_id}"): _appointment_call(
        "GET", "/v2/appointment/status/{appointment_id}"),
    ("POST", "/v2/registration/beneficiary/delete"): _beneficiary_call(
        "/v2/registration/beneficiary/delete", lambda w, ref, seed: {"beneficiary_reference_id": ref}, ok=204),
    ("POST", "/v2/registration/beneficiary/correction"): _beneficiary_call(
        "/v2/registration/beneficiary/correction", lambda w, ref, seed: {"beneficiary_reference_id": ref,
                                                                         "name": "Asha R. Rao"}),
    ("POST", "/v2/registration/beneficiary/verifyId/start"): _beneficiary_call(
        "/v2/registration/beneficiary/verifyId/start",
        lambda w, ref, seed: {"beneficiary_reference_id": ref, "photo_id_number": aadhaar(seed)}),
    ("POST", "/v2/registration/beneficiary/verifyId/confirm"): Row(_verify_id, 200, OWNER, (400, "BENREG0009")),
    ("POST", "/v2/registration/beneficiary/passport"): _beneficiary_call(
        "/v2/registration/beneficiary/passport", lambda w, ref, seed: {
            "beneficiary_reference_id": ref, "passport_number": w.passport(), "birth_date": "1990-01-01"}),
    ("GET", "/v2/registration/certificate/international/download"): _international(
        "/v2/registration/certificate/international/download", PDF),
    ("GET", "/v2/registration/certificate/international/ddcc"): _international(
        "/v2/registration/certificate/international/ddcc"),
    ("GET", "/v2/registration/certificate/international/shc"): _international(
        "/v2/registration/certificate/international/shc"),
    ("GET", "/v2/registration/certificate/international/dcc"): _international(
        "/v2/registration/certificate/international/dcc"),
    ("POST", "/v2/locker/link"): _beneficiary_call("/v2/locker/link", lambda w, ref, seed: {
        "beneficiary_reference_id": ref, "locker_id": str(uuid.uuid4())}),
    ("POST", "/v2/locker/unlink"): _beneficiary_call("/v2/locker/unlink", lambda w, ref, seed: {
        "beneficiary_reference_id": ref}, ok=204),
    ("GET", "/v2/registration/certificate/credential"): _certificate("/v2/registration/certificate/credential"),
    ("GET", "/v2/registration/certificate/download"): _certificate("/v2/registration/certificate/download", PDF),
    ("GET", "/v2/registration/certificate/public/download"): _certificate(
        "/v2/registration/certificate/public/download", PDF),
    # Assisted registration: the area's admins manage its operators and read what they did; an operator
    # acts for a consenting citizen, booking and cancelling in their own area; the citizen reads it all.
    ("POST", "/v2/admin/operators"): Row(lambda w: Call("POST", "/v2/admin/operators", {
        "mobile": w.fresh_mobile(), "name": "Olga Operator", "desk": "CSC Kurla", "district_id": 395}), 201,
        AREA_HERE),
    ("POST", "/v2/admin/operators/deactivate"): Row(lambda w: Call("POST", "/v2/admin/operators/deactivate", {
        "mobile": w.operator()}), 200, AREA_HERE, (404, "ASSIST0002")),
    ("POST", "/v2/admin/operators/actions"): Row(_operator_actions, 200, AREA_HERE, (200, None)),
    ("POST", "/v2/assisted/consent"): Row(lambda w: Call("POST", "/v2/assisted/consent", {"mobile": w.fresh_mobile()}),
                                          200),
    ("POST", "/v2/assisted/consent/confirm"): Row(_consent_confirmation, 200, OPERATOR_HERE, (400, "USRAUT0014")),
    ("GET", "/v2/assisted/beneficiaries"): Row(_assisted_list, 200),
    ("POST", "/v2/assisted/beneficiary/new"): _acting("POST", "/v2/assisted/beneficiary/new",
                                                      lambda w, mobile: person(next(w._seeds))),
    ("POST", "/v2/assisted/appointment/schedule"): _acting("POST", "/v2/assisted/appointment/schedule",
                                                           _assisted_booking, refused_elsewhere=True),
    ("POST", "/v2/assisted/appointment/cancel"): _acting("POST", "/v2/assisted/appointment/cancel", _assisted_cancel,
                                                         refused_elsewhere=True, ok=204),
    ("GET", "/v2/assisted/actions"): Row(_done_for_me, 200, OWNER, (200, None)),
    # Grievances (docs/grievances.md): a citizen raises and follows issues about their own members; the
    # admins of the area that holds a ticket move it.
    ("POST", "/v2/grievances"): _beneficiary_call("/v2/grievances", lambda w, ref, seed: {
        "type": "unknown_member", "beneficiary_reference_id": ref, "district_id": 395}, ok=201),
    ("GET", "/v2/grievances"): Row(lambda w: Call("GET", "/v2/grievances"), 200),
    ("POST", "/v2/grievances/transfer-consent"): _beneficiary_call(
        "/v2/grievances/transfer-consent", lambda w, ref, seed: {"beneficiary_reference_id": ref,
                                                                  "to_mobile": w.fresh_mobile()}),
    ("POST", "/v2/grievances/merge-consent"): _beneficiary_call(
        "/v2/grievances/merge-consent", lambda w, ref, seed: {
            "beneficiary_reference_id": ref, "other_reference_id": w.beneficiary(w.fresh_mobile())[0]}),
    ("GET", "/v2/grievances/{ticket_id}"): Row(_own_ticket, 200, OWNER | AREA_HERE, (404, "GRIEV0001")),
    ("GET", "/v2/admin/grievances"): Row(lambda w: Call("GET", "/v2/admin/grievances?district_id=395"), 200,
                                         AREA_HERE),
    ("POST", "/v2/admin/grievances/{ticket_id}/review"): _officer_move("review"),
    ("POST", "/v2/admin/grievances/{ticket_id}/resolve"): _officer_move("resolve"),
    ("POST", "/v2/admin/grievances/{ticket_id}/reject"): _officer_move("reject"),
    # KYC-VS (docs/kycvs.md): the national admin's status checkers; the checkers' routes under their API key
    # (rows for the key holders: tests/api/test_authorization_matrix.py); a person's list of who asked.
    ("POST", "/v2/admin/kycvs/verifiers"): Row(lambda w: Call("POST", "/v2/admin/kycvs/verifiers", {
        "name": "Indigo Hotels", "scopes": ["status", "precaution"], "requests_per_minute": 30}), 201),
    ("GET", "/v2/admin/kycvs/verifiers"): Row(lambda w: Call("GET", "/v2/admin/kycvs/verifiers"), 200),
    ("POST", "/v2/admin/kycvs/verifiers/revoke"): Row(_revocation, 200),
    ("POST", "/v2/kycvs/request"): Row(_status_request, 200, ANOTHER_VERIFIER),
    ("POST", "/v2/kycvs/answer"): Row(_status_answer, 200, THE_VERIFIER, (400, "USRAUT0014")),
    ("GET", "/v2/kycvs/requests"): Row(_asked_about_me, 200, OWNER, (200, None)),
    # The national admin's surge switch.
    ("GET", "/v2/admin/surge"): Row(lambda w: Call("GET", "/v2/admin/surge"), 200),
    ("POST", "/v2/admin/surge"): Row(lambda w: Call("POST", "/v2/admin/surge", {"on": False}), 200),
    # Planning at Seven Hills, by those whose area it is.
    ("GET", "/v2/admin/centers"): Row(lambda w: Call("GET", "/v2/admin/centers?district_id=395"), 200, AREA_HERE),
    ("POST", "/v2/admin/centers"): Row(lambda w: Call("POST", "/v2/admin/centers", {
        "name": "Andheri Camp", "address": "Andheri", "block_name": "K East", "district_id": 395,
        "pincode": 400069, "lat": 19.11, "long": 72.86}), 201, AREA_HERE),
    ("POST", "/v2/admin/centers/{center_id}"): Row(
        lambda w: Call("POST", "/v2/admin/centers/100001", {"name": "Seven Hills Hospital"}), 200, AREA_HERE),
    ("POST", "/v2/admin/centers/{center_id}/staff"): Row(lambda w: Call("POST", "/v2/admin/centers/100001/staff", {
        "mobile": w.fresh_mobile(), "name": "Nisha Nurse", "role": "verifier"}), 201, ADMINS_HERE),
    ("POST", "/v2/admin/sessions"): Row(lambda w: Call("POST", "/v2/admin/sessions", w.session_plan()), 201,
                                        ADMINS_HERE),
    ("POST", "/v2/admin/sessions/plan"): Row(
        lambda w: Call("POST", "/v2/admin/sessions/plan", {"sessions": [w.session_plan()]}), 201, ADMINS_HERE,
        (400, "PLANNG0013")),
    ("POST", "/v2/admin/sessions/{session_id}/allocations"): Row(_allocate, 201, ADMINS_HERE),
    ("POST", "/v2/admin/sessions/{session_id}/cancel"): Row(
        lambda w: Call("POST", f"/v2/admin/sessions/{w.new_session()}/cancel", {}), 200, ADMINS_HERE),
    ("POST", "/v2/admin/sessions/{session_id}/capacity"): Row(
        lambda w: Call("POST", f"/v2/admin/sessions/{w.new_session()}/capacity",
                       {"capacity_dose1": 10, "capacity_dose2": 0}), 200, ADMINS_HERE),
    ("GET", "/v2/vaccination/reports/allowance"): Row(lambda w: Call(
        "GET", f"/v2/vaccination/reports/allowance?center_id=100001&from={w.day()}&to={w.day()}"), 200,
        ADMINS_HERE),
    # At the centre: its staff, allocated to the session, and the admins whose area it is.
    ("GET", "/v2/vaccination/sessions/today"): Row(lambda w: Call("GET", "/v2/vaccination/sessions/today"), 200),
    ("GET", "/v2/vaccinator/sessions"): Row(lambda w: Call("GET", "/v2/vaccinator/sessions"), 200),
    ("GET", "/v2/vaccination/sessions/{session_id}/appointments"): Row(
        lambda w: Call("GET", f"/v2/vaccination/sessions/{w.session_here}/appointments"), 200,
        SITE_HERE | ADMINS_HERE, (403, "VACCIN0001")),
    ("POST", "/v2/vaccination/verify"): Row(_door, 200, SITE_HERE, (403, "VACCIN0001")),
    ("POST", "/v2/vaccination/unlock"): Row(lambda w: Call("POST", "/v2/vaccination/unlock", dict(zip(
        ("appointment_id", "beneficiary_reference_id"), w.locked_appointment()))), 200, ADMINS_HERE),
    ("POST", "/v2/vaccination/doses"): Row(lambda w: (lambda ref, seed: Call("POST", "/v2/vaccination/doses", {
        "beneficiary_reference_id": ref, "session_id": w.session_here, "vaccine": "COVISHIELD", "batch": "4121Z025",
        "dose": 1, "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:]}))(*w.beneficiary(w.fresh_mobile())), 201,
        frozenset({"vaccinator here"}), (403, "VACCIN0001")),
    ("POST", "/v2/vaccination/walkin"): Row(lambda w: Call("POST", "/v2/vaccination/walkin", {
        **person(next(w._seeds)), "mobile": w.fresh_mobile(), "session_id": w.session_here, "vaccine": "COVISHIELD",
        "batch": "4121Z025", "dose": 1}), 201, frozenset({"vaccinator here"}), (403, "VACCIN0001")),
    ("POST", "/v2/vaccination/offline/sync"): Row(_offline, 200, frozenset({"vaccinator here"}), (200, "VACCIN0001")),
    ("GET", "/v2/vaccination/doses"): Row(
        lambda w: Call("GET", f"/v2/vaccination/doses?beneficiary_reference_id={w.vaccinated()}"), 200,
        SITE_HERE | ADMINS_HERE),
    ("POST", "/v2/vaccination/beneficiaries/search"): Row(_search, 200, SITE_HERE | ADMINS_HERE, (200, None)),
    ("POST", "/v2/vaccination/doses/correction"): Row(lambda w: Call("POST", "/v2/vaccination/doses/correction", {
        "beneficiary_reference_id": w.vaccinated(), "dose": 1, "batch": "4121Z026", "reason": "Batch mistyped"}),
        201, frozenset({"vaccinator here", "facility admin here"})),
    # Vaccine stock at Seven Hills (docs/stock.md): its facility admin and the areas' admins receive it and read
    # its report; at today's sessions, the vaccinator allocated and the facility admin open vials and close.
    ("POST", "/v2/stock/receipts"): Row(lambda w: Call("POST", "/v2/stock/receipts", w.stock_receipt()), 201,
                                        ADMINS_HERE),
    ("POST", "/v2/stock/sessions/{session_id}/vials"): Row(lambda w: Call(
        "POST", f"/v2/stock/sessions/{w.session_here_of('COVAXIN')}/vials", {"batch": "CVX21A04"}), 201,
        frozenset({"vaccinator here", "facility admin here"})),
    ("POST", "/v2/stock/sessions/{session_id}/close"): Row(lambda w: Call(
        "POST", f"/v2/stock/sessions/{w.session_to_close()}/close", {}), 200,
        frozenset({"vaccinator here", "facility admin here"})),
    ("GET", "/v2/stock/reports"): Row(lambda w: Call(
        "GET", f"/v2/stock/reports?center_id=100001&from={w.day()}&to={w.day()}"), 200, ADMINS_HERE),
    ("POST", "/v2/vaccination/aefi"): Row(lambda w: Call("POST", "/v2/vaccination/aefi", {
        "beneficiary_reference_id": w.vaccinated(), "dose": 1, "severity": "minor", "symptoms": ["fever"],
        "onset_at": NOW}), 201, SITE_HERE | ADMINS_HERE),
}


@contextmanager
def every_route_world():
    """A module of its own: the demo data once, the callers logged in once. A mobile may hold 40
    beneficiaries here, because the owner owns the things of every row."""
    from chalice.test import Client

    from chalicelib.adapters import secrets
    from chalicelib.config import get_settings
    from chalicelib.services import surge
    from chalicelib.store.auth import StaffItem
    from chalicelib.store.planning import AllocationItem
    from local import carrier as local_carrier
    from local import embedded_aws, seed

    with pytest.MonkeyPatch.context() as patch, mock_aws():
        # India's pack as `make run` has it, stock tracked: every dose here draws on the demo's stock.
        patch.setenv("TEEKA_COUNTRY_PROFILE", json.dumps({"max_beneficiaries_per_mobile": 80, "stock_tracking": True}))
        get_settings.cache_clear()
        embedded_aws.provision()
        local_carrier.clear()
        seed.seed(days=SEEDED_DAYS, now=NOW)
        elsewhere = {"state_id": 16, "district_id": 294}
        for name, role, scope in (("vaccinator elsewhere", "vaccinator", {**elsewhere, "facility_id": ELSEWHERE}),
                                  ("verifier elsewhere", "verifier", {**elsewhere, "facility_id": ELSEWHERE}),
                                  ("facility admin elsewhere", "facility_admin",
                                   {**elsewhere, "facility_id": ELSEWHERE}),
                                  ("state admin elsewhere", "state_admin", {"state_id": 16}),
                                  ("operator elsewhere", "operator", {**elsewhere, "desk": "CSC Jayanagar"})):
            StaffItem(CALLERS[name][0], name=name.title(), roles={role}, **scope).save()
        from app import app

        with Client(app, stage_name="local", project_dir=str(ROOT)) as client:
            built = World(client)
            for name in ("vaccinator elsewhere", "verifier elsewhere"):
                AllocationItem(built.session_elsewhere, CALLERS[name][0], role=name.split()[0],
                               date=built.local_today().isoformat(),
                               center_id=ELSEWHERE, allocated_at=NOW, allocated_by="test").save()
            yield built
        secrets.clear_cache()
        surge.forget_switch()
    get_settings.cache_clear()


