"""How a session stands after its latest reading: kWh, the engine's cost estimate, and the
charging periods to append (pure, except for reading the stored Session)."""

import logging
from datetime import datetime

from evroam.modules.sessions.charging_records import ChargingRecord
from evroam.modules.sessions.lifecycle import SessionUpdate
from evroam.modules.sessions.metering import Closed, Meter, close_periods, timeline_of
from evroam.modules.sessions.model import Session
from evroam.modules.sessions.repository import SessionRepository
from evroam.modules.tariffs.model import Tariff
from evroam.platform import Platform
from evroam.storage.documents import ObjectKey
from evroam.tariffs import PricingResult, SessionTimeline, TimelineError, price_session

log = logging.getLogger("evroam.sessions")
RESET_REMARK = "Meter reset during the session: energy counted across it"


def progress(
    record: ChargingRecord, meter: Meter | None, *, at: datetime, final: bool
) -> tuple[ChargingRecord, SessionUpdate]:
    """The record after a reading (or the end) and the Session change to send for it."""
    end = meter.last_at if meter is not None else at
    timeline = timeline_of(meter, reserved_at=record.reserved_at, end=end, expired=record.expired)
    result = price(record.tariff, timeline, record.location.time_zone)
    closed = Closed([], record.period_start)
    if timeline is not None:
        tariff_id = record.tariff.id if record.tariff is not None else None
        closed = close_periods(
            timeline, result, since=record.period_start, final=final, tariff_id=tariff_id
        )
    remark = RESET_REMARK if meter is not None and meter.resets else record.remark
    updated = record.model_copy(
        update={"meter": meter, "period_start": closed.next_start, "remark": remark}
    )
    change = SessionUpdate(
        at=at,
        kwh=meter.kwh if meter is not None else None,
        total_cost=result.totals.total_cost.as_price() if result is not None else None,
        charging_periods=closed.periods,
    )
    return updated, change


def price(
    tariff: Tariff | None, timeline: SessionTimeline | None, time_zone: str
) -> PricingResult | None:
    """The engine's price of the timeline so far, or None when it cannot be priced."""
    if tariff is None or timeline is None:
        return None
    try:
        return price_session(tariff, timeline, time_zone)
    except TimelineError as exc:
        log.warning("Session timeline not priced with tariff %s: %s", tariff.id, exc)
        return None


async def own_session(platform: Platform, key: ObjectKey) -> Session | None:
    """One of our Sessions as stored (never a partner's)."""
    async with platform.sessions() as db:
        row = await SessionRepository(db).row(key)
    if row is None or row.partner_id is not None:
        return None
    return Session.model_validate(row.document)
