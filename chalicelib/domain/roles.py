"""Who may do what, and where: roles and their geographic scope."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Role(str, Enum):
    CITIZEN = "citizen"
    VACCINATOR = "vaccinator"
    VERIFIER = "verifier"
    FACILITY_ADMIN = "facility_admin"
    DISTRICT_ADMIN = "district_admin"
    STATE_ADMIN = "state_admin"
    NATIONAL_ADMIN = "national_admin"
    # A helpline or service-centre operator: acts for a citizen who consented by OTP, in its area only.
    OPERATOR = "operator"


# The role sets routes and rules are written in: the one place each is defined.
STAFF_ROLES = frozenset(Role) - {Role.CITIZEN}
CITIZENS = frozenset({Role.CITIZEN})
VACCINATORS = frozenset({Role.VACCINATOR})
SITE_STAFF = frozenset({Role.VACCINATOR, Role.VERIFIER})
AREA_ADMINS = frozenset({Role.DISTRICT_ADMIN, Role.STATE_ADMIN, Role.NATIONAL_ADMIN})
ADMINS = AREA_ADMINS | {Role.FACILITY_ADMIN}
SURGE_CONTROLLERS = frozenset({Role.NATIONAL_ADMIN})  # who switches surge mode on and off
# Who adds, lists and revokes KYC-VS status checkers (docs/kycvs.md): a checker may ask about any mobile in
# the country, so only the national admin, whose area that is.
STATUS_CHECKER_ADMINS = frozenset({Role.NATIONAL_ADMIN})
OPERATORS = frozenset({Role.OPERATOR})  # helpline and service-centre operators (docs/assisted-registration.md)
ANYONE_LOGGED_IN = frozenset(Role)


@dataclass(frozen=True)
class Scope:
    """Where a staff member acts. Empty fields are wider: no district means the whole state."""

    facility_id: int | None = None
    district_id: int | None = None
    state_id: int | None = None

    def as_claim(self) -> dict[str, int]:
        return {k: v for k, v in (("facility_id", self.facility_id), ("district_id", self.district_id),
                                  ("state_id", self.state_id)) if v is not None}


@dataclass(frozen=True)
class StaffMember:
    """A staff record: the roles a mobile holds and where (empty ids are wider)."""

    mobile: str
    name: str
    roles: frozenset[str]
    active: bool = True
    state_id: int | None = None
    district_id: int | None = None
    facility_id: int | None = None
    # An operator's helpline or service centre, as the citizen's SMS names it (e.g. "1075 Helpline").
    desk: str | None = None

    @property
    def scope(self) -> Scope:
        return Scope(facility_id=self.facility_id, district_id=self.district_id, state_id=self.state_id)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: the mobile they logged in with, their roles and scope."""

    mobile: str
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.CITIZEN}))
    scope: Scope = field(default_factory=Scope)

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)

    def covers_centre(self, site) -> bool:
        """`covers` for anything located at a centre (a centre, a session, a dose): its state, district and id."""
        return self.covers(state_id=int(site.state_id), district_id=int(site.district_id),
                           facility_id=int(site.center_id))

    def covers(self, *, state_id: int | None = None, district_id: int | None = None,
               facility_id: int | None = None) -> bool:
        """True when the place (given as precisely as known) lies inside this principal's scope."""
        if Role.NATIONAL_ADMIN in self.roles:
            return True
        wanted = (("state_id", state_id), ("district_id", district_id), ("facility_id", facility_id))
        own = {"state_id": self.scope.state_id, "district_id": self.scope.district_id,
               "facility_id": self.scope.facility_id}
        narrowest = [name for name, value in own.items() if value is not None]
        if not narrowest:
            return False
        # Every level this principal is pinned to must match the place at that level.
        return all(value is not None and own[name] == value for name, value in wanted if name in narrowest)
