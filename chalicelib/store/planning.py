"""Planning tables: vaccination centres (facilities) and their sessions."""
from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import TeekaModel, table_meta


class CentersByDistrict(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-district"
        projection = AllProjection()

    district_id = NumberAttribute(hash_key=True)
    center_id = NumberAttribute(range_key=True)


class CenterItem(TeekaModel):
    Meta = table_meta("centers")
    center_id = NumberAttribute(hash_key=True)
    name = UnicodeAttribute()
    address = UnicodeAttribute()
    block_name = UnicodeAttribute()
    district_id = NumberAttribute()
    state_id = NumberAttribute()
    pincode = NumberAttribute()
    lat = NumberAttribute()
    long = NumberAttribute()
    opens = UnicodeAttribute()  # HH:MM:SS, CoWIN's `from`
    closes = UnicodeAttribute()  # HH:MM:SS, CoWIN's `to`
    fee_type = UnicodeAttribute()  # Free | Paid
    vaccine_fees = MapAttribute(default=dict)  # vaccine name -> fee as a string, for paid centres
    active = BooleanAttribute(default=True)
    by_district = CentersByDistrict()


class SlotAttribute(MapAttribute):
    name = UnicodeAttribute()  # e.g. 09:00AM-11:00AM
    capacity = NumberAttribute()
    booked = NumberAttribute(default=0)


class SessionsByCenter(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-center-date"
        projection = AllProjection()

    center_id = NumberAttribute(hash_key=True)
    date = UnicodeAttribute(range_key=True)


class SessionItem(TeekaModel):
    """One centre, one date, one vaccine: capacity per dose and per slot."""

    Meta = table_meta("sessions")
    session_id = UnicodeAttribute(hash_key=True)
    center_id = NumberAttribute()
    date = UnicodeAttribute()  # ISO YYYY-MM-DD, so it sorts
    vaccine = UnicodeAttribute()
    min_age_limit = NumberAttribute()
    max_age_limit = NumberAttribute(null=True)
    allow_all_age = BooleanAttribute(default=False)
    capacity_dose1 = NumberAttribute()
    capacity_dose2 = NumberAttribute()
    booked_dose1 = NumberAttribute(default=0)
    booked_dose2 = NumberAttribute(default=0)
    slots = ListAttribute(of=SlotAttribute)
    fee = UnicodeAttribute(default="0")
    status = UnicodeAttribute(default="ACTIVE")
    by_center = SessionsByCenter()
