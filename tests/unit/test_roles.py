from chalicelib.domain.roles import Principal, Role, Scope

MUMBAI = dict(state_id=21, district_id=395)


def staff(role: Role, **scope) -> Principal:
    return Principal("9000000000", frozenset({Role.CITIZEN, role}), Scope(**scope))


def test_national_admin_covers_everything():
    assert staff(Role.NATIONAL_ADMIN).covers(state_id=16, district_id=294, facility_id=1)


def test_district_admin_covers_only_their_district():
    admin = staff(Role.DISTRICT_ADMIN, **MUMBAI)
    assert admin.covers(**MUMBAI, facility_id=100001)
    assert not admin.covers(state_id=16, district_id=294, facility_id=200001)
    assert not admin.covers(state_id=21)  # a whole state is wider than a district


def test_state_admin_covers_every_district_of_their_state():
    admin = staff(Role.STATE_ADMIN, state_id=21)
    assert admin.covers(state_id=21, district_id=395)
    assert not admin.covers(state_id=16, district_id=294)


def test_facility_staff_cover_only_their_facility():
    vaccinator = staff(Role.VACCINATOR, **MUMBAI, facility_id=100001)
    assert vaccinator.covers(**MUMBAI, facility_id=100001)
    assert not vaccinator.covers(**MUMBAI, facility_id=100002)


def test_a_citizen_covers_no_place():
    assert not Principal("9876543210").covers(state_id=21, district_id=395)


def test_scope_claim_leaves_out_empty_levels():
    assert Scope(state_id=21).as_claim() == {"state_id": 21}
