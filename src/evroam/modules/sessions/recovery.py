"""Restart safety of the charging flow: what the charge points lost is closed and billed once.

The simulated charge points live in the server's memory (README, Charge points): when the CPO's
server stops in the middle of a session, the car's session dies with it. Our decision: at
start-up every open charging record the charge points no longer know is closed consistently:
a charging session is COMPLETED at its last meter value and billed up to there (the CDR notes
why); a reservation is COMPLETED unbilled and its eMSP told CANCELED_RESERVATION (K.321); the
EVSE is published AVAILABLE again. A record closed but not billed (a stop between the Session
update and the CDR) is billed now. The CDR's id is the Session's, so nothing is billed twice.
A network that cannot say which sessions it holds (KnowsSessions) keeps them open: its charge
points report their end themselves (OCPP stop transactions come after a reconnect).
"""

import logging

from evroam.chargers.interface import ChargerNetwork, KnowsSessions
from evroam.errors import EvroamError
from evroam.modules.commands.execution import report_cancelled
from evroam.modules.locations.enums import Status
from evroam.modules.locations.publish import StatusChange, set_evse_statuses
from evroam.modules.sessions.charging import ChargingFlow
from evroam.modules.sessions.charging_records import ChargingRecord, unfinished
from evroam.platform import Platform

log = logging.getLogger("evroam.sessions")
LOST = (
    "The CPO's server restarted and the charge point's session was lost:"
    " billed up to its last meter value"
)


async def recover_sessions(platform: Platform, network: ChargerNetwork, flow: ChargingFlow) -> None:
    """Close and bill what the charge points lost (at server start)."""
    await close_lost(platform, network, flow)


async def close_lost(platform: Platform, network: ChargerNetwork, flow: ChargingFlow) -> int:
    """Close and bill what the charge points lost; how many records were finished."""
    finished = 0
    async with flow.lock:
        for record in await unfinished(platform):
            if record.open and at_charge_point(network, record):
                continue
            try:
                await _finish_lost(platform, flow, record)
            except EvroamError as exc:
                log.error(
                    "Session %s could not be closed after a restart: %s", record.session_id, exc
                )
                continue
            finished += 1
    if finished:
        log.info("Closed %d sessions the charge points lost in a restart", finished)
    return finished


def at_charge_point(network: ChargerNetwork, record: ChargingRecord) -> bool:
    if not isinstance(network, KnowsSessions):
        return True
    if record.charger_session_id is not None:
        return network.has_session(record.charger_session_id)
    return network.has_reservation(record.reservation_id or "")


async def _finish_lost(platform: Platform, flow: ChargingFlow, record: ChargingRecord) -> None:
    meter = record.meter
    if not record.open:  # closed before the restart, the CDR not issued yet
        end = meter.last_at if meter is not None else record.period_start
        await flow.finish(record, meter=meter, at=end, expired=record.expired)
        return
    if meter is None:  # a reservation still waiting for its driver
        assert record.reserved_at is not None
        await flow.finish(record, meter=None, at=record.reserved_at)
        await report_cancelled(
            platform, record.reservation_id or "", "lost in a restart of the CPO's server"
        )
    else:
        await flow.finish(record, meter=meter, at=meter.last_at, remark=LOST)
    evse_uid = record.location.evses[0].uid if record.location.evses else None
    if evse_uid is not None:
        change = StatusChange(record.location.id, evse_uid, Status.AVAILABLE)
        await set_evse_statuses(platform, [change])
