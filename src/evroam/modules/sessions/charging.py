"""The CPO's charging flow: what the charge points report becomes our Sessions and CDRs.

A listener on the charger network (chargers/interface.py), subscribed first so it sees every
event in order (chargers/runtime.py):

- SessionStarted → a Session ACTIVE with the token and authorization_reference the charge point
  was given (a START_SESSION command's, or the one of the tapped card's authorization:
  CONFORMANCE J.287, K.315, F.178), the Location's EVSE and connector, the currency of the
  connector's tariff; a session using a reservation turns that RESERVATION Session ACTIVE.
- MeterValues → the Session's kWh, a total_cost estimate by the tariff engine and the charging
  periods closed by a tariff-relevant change (F.183; modules/sessions/metering.py).
- SessionEnded → COMPLETED with the final figures, then the CDR (modules/cdrs/billing.py).
- ReservationMade → a Session with status RESERVATION (K.317, F.181); expired or cancelled
  unused → COMPLETED (billed only if its tariff prices reservation time).

Each step writes the charging record first (modules/sessions/charging_records.py), then the
Session: a crash in between can lose a period's PATCH, never send one twice. A restart closes
what the charge points lost (modules/sessions/recovery.py).
"""

import asyncio
import logging
import uuid
from datetime import datetime

from evroam.chargers.interface import (
    ChargerEvent,
    MeterValues,
    ReservationCancelled,
    ReservationExpired,
    ReservationMade,
    SessionEnded,
    SessionStarted,
)
from evroam.modules.cdrs.billing import bill_session
from evroam.modules.cdrs.model import AuthMethod, CdrToken
from evroam.modules.sessions.charging_records import (
    ChargingRecord,
    add_record,
    open_by_charger,
    open_by_reservation,
    save_record,
)
from evroam.modules.sessions.lifecycle import SessionUpdate
from evroam.modules.sessions.metering import Meter, read
from evroam.modules.sessions.model import FINAL_STATUSES, Session, SessionStatus
from evroam.modules.sessions.progress import own_session, progress
from evroam.modules.sessions.publish import complete_session, open_session, update_session
from evroam.modules.sessions.sites import Site, site_of
from evroam.platform import Platform

log = logging.getLogger("evroam.sessions")


class ChargingFlow:
    """Charger events → Sessions and CDRs, one event at a time, in the order they came."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.lock = asyncio.Lock()

    async def on_event(self, event: ChargerEvent) -> None:
        async with self.lock:
            if isinstance(event, SessionStarted):
                await self._started(event)
            elif isinstance(event, MeterValues):
                await self._metered(event)
            elif isinstance(event, SessionEnded):
                await self._ended(event)
            elif isinstance(event, ReservationMade):
                await self._reserved(event)
            elif isinstance(event, ReservationExpired | ReservationCancelled):
                await self._reservation_ended(event)

    async def _started(self, event: SessionStarted) -> None:
        reserved = None
        if event.reservation_id is not None:
            reserved = await open_by_reservation(self.platform, event.reservation_id)
        if reserved is not None:
            await self._activate(reserved, event)
            return
        site = await site_of(
            self.platform, event.location_id, event.evse_uid, event.connector_id, at=event.at
        )
        record = ChargingRecord(
            country_code=site.location.country_code,
            party_id=site.location.party_id,
            session_id=event.session_id,
            charger_session_id=event.session_id,
            location=site.location,
            tariff=site.tariff,
            meter=Meter.starting(event.at, event.meter_start),
            period_start=event.at,
        )
        session = new_session(
            record,
            site,
            event.at,
            status=SessionStatus.ACTIVE,
            token=event.token,
            auth_method=event.auth_method,
            authorization_reference=event.authorization_reference,
        )
        await add_record(self.platform, record)
        await open_session(self.platform, session)

    async def _activate(self, record: ChargingRecord, event: SessionStarted) -> None:
        """The reserved driver starts charging: the RESERVATION Session becomes ACTIVE."""
        since = record.reserved_at or event.at
        site = await site_of(
            self.platform, event.location_id, event.evse_uid, event.connector_id, at=since
        )
        record = record.model_copy(
            update={
                "charger_session_id": event.session_id,
                "location": site.location,
                "tariff": site.tariff,
                "meter": Meter.starting(event.at, event.meter_start),
            }
        )
        change = SessionUpdate(
            at=event.at,
            status=SessionStatus.ACTIVE,
            evse_uid=event.evse_uid,
            connector_id=event.connector_id,
            auth_method=event.auth_method,
            authorization_reference=event.authorization_reference,  # the latest (F.178)
        )
        await save_record(self.platform, record)
        await update_session(self.platform, record.key, change)

    async def _metered(self, event: MeterValues) -> None:
        record = await open_by_charger(self.platform, event.session_id)
        if record is None or record.meter is None:
            return  # not one of ours, or already closed
        meter = read(
            record.meter,
            event.at,
            event.energy_wh,
            power_w=event.power_w,
            current_a=event.current_a,
        )
        if meter.resets > record.meter.resets:
            log.warning(
                "Session %s: the meter was reset; energy counted across it", record.session_id
            )
        record, change = progress(record, meter, at=event.at, final=False)
        await save_record(self.platform, record)
        await update_session(self.platform, record.key, change)

    async def _ended(self, event: SessionEnded) -> None:
        record = await open_by_charger(self.platform, event.session_id)
        if record is None or record.meter is None:
            return
        meter = read(record.meter, event.at, event.meter_stop)
        if event.signed_data is not None:
            record = record.model_copy(update={"signed_data": event.signed_data})
        await self.finish(record, meter=meter, at=event.at)

    async def _reserved(self, event: ReservationMade) -> None:
        held = await open_by_reservation(self.platform, event.reservation_id)
        if held is not None:  # the same id again, at the same EVSE: it replaces (K.319)
            change = SessionUpdate(
                at=event.at, authorization_reference=event.authorization_reference
            )
            await update_session(self.platform, held.key, change)
            return
        site = await site_of(self.platform, event.location_id, event.evse_uid, None, at=event.at)
        record = ChargingRecord(
            country_code=site.location.country_code,
            party_id=site.location.party_id,
            session_id=uuid.uuid4().hex,
            reservation_id=event.reservation_id,
            reserved_at=event.at,
            location=site.location,
            tariff=site.tariff,
            period_start=event.at,
        )
        session = new_session(
            record,
            site,
            event.at,
            status=SessionStatus.RESERVATION,
            token=event.token,
            auth_method=AuthMethod.COMMAND,  # RESERVE_NOW is a command
            authorization_reference=event.authorization_reference,
        )
        await add_record(self.platform, record)
        await open_session(self.platform, session)

    async def _reservation_ended(self, event: ReservationExpired | ReservationCancelled) -> None:
        record = await open_by_reservation(self.platform, event.reservation_id)
        if record is None:
            return
        expired = isinstance(event, ReservationExpired)
        await self.finish(record, meter=None, at=event.at, expired=expired)

    async def finish(
        self,
        record: ChargingRecord,
        *,
        meter: Meter | None,
        at: datetime,
        expired: bool = False,
        remark: str | None = None,
    ) -> None:
        """Close the record, complete the Session (unless it is final already) and bill it."""
        record, change = progress(record, meter, at=at, final=True)
        record = record.model_copy(
            update={"open": False, "expired": expired, "remark": record.remark or remark}
        )
        await save_record(self.platform, record)
        session = await own_session(self.platform, record.key)
        if session is None:
            log.warning("Session %s of a charging record is not stored", record.session_id)
            return
        if session.status not in FINAL_STATUSES:
            end = meter.last_at if meter is not None else at
            session = await complete_session(
                self.platform,
                record.key,
                at=end,
                kwh=change.kwh,
                total_cost=change.total_cost,
                charging_periods=change.charging_periods,
            )
        await bill_session(self.platform, record, session)


def new_session(
    record: ChargingRecord,
    site: Site,
    at: datetime,
    *,
    status: SessionStatus,
    token: CdrToken,
    auth_method: AuthMethod,
    authorization_reference: str | None,
) -> Session:
    """A new Session of ours at the site, with the token the charge point was given."""
    return Session(
        country_code=record.country_code,
        party_id=record.party_id,
        id=record.session_id,
        start_date_time=at,
        kwh=0,
        cdr_token=token,
        auth_method=auth_method,
        authorization_reference=authorization_reference,
        location_id=site.location.id,
        evse_uid=site.evse_uid,
        connector_id=site.connector_id,
        currency=site.currency,
        status=status,
        last_updated=at,
    )
