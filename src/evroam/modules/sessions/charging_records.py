"""The CPO's charging record of each of its own Sessions: what the charge point reported.

Beside the Session (the OCPI object pushed to the eMSP) we keep what billing needs and what
must survive a restart: the charger's own session id, the reservation it came from, the
Location (only the EVSE and connector used) and the Tariff as they were at the start (the CDR
is sealed with them, CONFORMANCE G.200), and the meter with every reading. `open` is true while
the charge point still has the session or reservation; `billed` once its CDR was issued (or it
was found to owe nothing), so a CDR is issued exactly once, even across a restart.
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    insert,
    or_,
    select,
    update,
)

from evroam.modules.cdrs.model import SignedData
from evroam.modules.locations.model import Location
from evroam.modules.sessions.metering import Meter
from evroam.modules.tariffs.model import Tariff
from evroam.platform import Platform
from evroam.protocol.timestamps import utc_now
from evroam.protocol.types import ci_key
from evroam.storage.documents import ObjectKey
from evroam.storage.tables import JsonDocument, UtcDateTime, metadata

charging_records = Table(
    "charging_records",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("country_code", String(2), nullable=False),
    Column("party_id", String(3), nullable=False),
    Column("session_id", String(36), nullable=False),
    Column("charger_session_id", String(64)),
    Column("reservation_id", String(48)),
    Column("open", Boolean, nullable=False),
    Column("billed", Boolean, nullable=False),
    Column("record", JsonDocument, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("country_code", "party_id", "session_id", name="uq_charging_records_key"),
    Index("ix_charging_records_charger", "charger_session_id"),
    Index("ix_charging_records_reservation", "reservation_id"),
    Index("ix_charging_records_unfinished", "open", "billed"),
)


class ChargingRecord(BaseModel):
    """One of our sessions as the charge point reported it (module docstring)."""

    country_code: str
    party_id: str
    session_id: str
    charger_session_id: str | None = None
    reservation_id: str | None = None
    reserved_at: datetime | None = None
    location: Location
    tariff: Tariff | None = None
    meter: Meter | None = None
    period_start: datetime  # where the next Session charging period starts
    remark: str | None = None
    signed_data: SignedData | None = None  # the meter's, for the CDR as it came (G.210)
    expired: bool = False  # a reservation that ended unused by expiry (not cancelled)
    open: bool = True
    billed: bool = False

    @property
    def key(self) -> ObjectKey:
        return ObjectKey(self.country_code, self.party_id, self.session_id)


def _columns(record: ChargingRecord) -> dict[str, Any]:
    return {
        "charger_session_id": record.charger_session_id,
        "reservation_id": record.reservation_id,
        "open": record.open,
        "billed": record.billed,
        "record": record.model_dump(mode="json", exclude_none=True),
        "updated_at": utc_now(),
    }


async def add_record(platform: Platform, record: ChargingRecord) -> None:
    key = record.key.normalised()
    values = {
        "country_code": key.country_code,
        "party_id": key.party_id,
        "session_id": key.object_id,
        **_columns(record),
    }
    async with platform.unit_of_work() as db:
        await db.execute(insert(charging_records).values(**values))


async def save_record(platform: Platform, record: ChargingRecord) -> None:
    c, key = charging_records.c, record.key.normalised()
    query = (
        update(charging_records)
        .where(
            c.country_code == key.country_code,
            c.party_id == key.party_id,
            c.session_id == key.object_id,
        )
        .values(**_columns(record))
    )
    async with platform.unit_of_work() as db:
        await db.execute(query)


async def _find(platform: Platform, *where: Any) -> list[ChargingRecord]:
    query = select(charging_records.c.record).where(*where).order_by(charging_records.c.pk)
    async with platform.sessions() as db:
        found = (await db.execute(query)).scalars().all()
    return [ChargingRecord.model_validate(document) for document in found]


async def open_by_charger(platform: Platform, charger_session_id: str) -> ChargingRecord | None:
    """The open record of a charger's session."""
    c = charging_records.c
    found = await _find(platform, c.charger_session_id == charger_session_id, c.open.is_(True))
    return found[-1] if found else None


async def open_by_reservation(platform: Platform, reservation_id: str) -> ChargingRecord | None:
    """The open record of a reservation still waiting for its driver."""
    c = charging_records.c
    found = await _find(
        platform,
        c.reservation_id == reservation_id,
        c.charger_session_id.is_(None),
        c.open.is_(True),
    )
    return found[-1] if found else None


async def record_of(platform: Platform, key: ObjectKey) -> ChargingRecord | None:
    c, norm = charging_records.c, key.normalised()
    found = await _find(
        platform,
        c.country_code == norm.country_code,
        c.party_id == norm.party_id,
        c.session_id == ci_key(norm.object_id),
    )
    return found[0] if found else None


async def unfinished(platform: Platform) -> list[ChargingRecord]:
    """Records still open at the charge point or not billed yet, oldest first."""
    c = charging_records.c
    return await _find(platform, or_(c.open.is_(True), c.billed.is_(False)))
