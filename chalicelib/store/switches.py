"""Run-time switches: small named flags the national admin flips while the stage runs (e.g. surge mode)."""
from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.base import TeekaModel, table_meta


class SwitchItem(TeekaModel):
    Meta = table_meta("switches")
    name = UnicodeAttribute(hash_key=True)
    on = BooleanAttribute(default=False)
    changed_by = UnicodeAttribute(null=True)
    changed_at = NumberAttribute(null=True)


def read(name: str) -> bool:
    try:
        return bool(SwitchItem.get(name).on)
    except SwitchItem.DoesNotExist:
        return False


def write(name: str, on: bool, by: str, now: int) -> None:
    SwitchItem(name, on=on, changed_by=by, changed_at=now).save()
