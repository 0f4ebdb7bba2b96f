"""State of one simulated EVSE, its charging session and reservation, and how time moves them.

`advance` is pure: given an EVSE and a moment, it charges the car up to then and returns the
events that happened (meter values every interval, the end when the driver leaves).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from evroam.chargers.interface import (
    Answer,
    ChargerEvent,
    MeterValues,
    Outcome,
    ReservationExpired,
    ReservationMade,
    ReserveRequest,
    SessionEnded,
    SessionStarted,
    StartRequest,
    StatusChanged,
    StopReason,
)
from evroam.chargers.physics import Battery, current_a, evse_limit_w
from evroam.chargers.signing import MeterSigner
from evroam.modules.cdrs.model import AuthMethod, CdrToken
from evroam.modules.locations.enums import Capability, PowerType, Status
from evroam.protocol.types import ci_key

OCCUPIED = frozenset({Status.CHARGING, Status.RESERVED, Status.BLOCKED})
INOPERATIVE = frozenset({Status.INOPERATIVE, Status.OUTOFORDER, Status.PLANNED, Status.REMOVED})


class Fault(StrEnum):
    """Failure modes a simulated EVSE can be switched into."""

    NO_VEHICLE = "NO_VEHICLE"  # nobody plugged in: a remote start fails
    CONNECTOR_STUCK = "CONNECTOR_STUCK"  # unlock fails
    OFFLINE = "OFFLINE"  # no connection: commands fail, status UNKNOWN, no meter values
    METER_RESET = "METER_RESET"  # the meter register restarts from zero at the next reading


@dataclass(frozen=True)
class SimConnector:
    id: str
    power_type: PowerType
    voltage: int
    limit_w: int


@dataclass
class Reservation:
    id: str
    location_id: str
    evse_uid: str
    expiry: datetime
    token: CdrToken
    authorization_reference: str | None


@dataclass
class ChargingSession:
    """A car charging (or parked after charging) at an EVSE."""

    id: str
    connector: SimConnector
    token: CdrToken
    authorization_reference: str | None
    started_at: datetime
    battery: Battery
    departs_at: datetime
    meter_start: float
    last_at: datetime  # charged up to here
    reservation_id: str | None = None
    auth_method: AuthMethod = AuthMethod.COMMAND


@dataclass
class SimEvse:
    """One EVSE as the simulator holds it."""

    location_id: str
    uid: str
    connectors: list[SimConnector]
    capabilities: frozenset[Capability]
    idle_status: Status  # what it reports with no session, reservation or fault
    register_wh: float
    faults: set[Fault] = field(default_factory=set)
    session: ChargingSession | None = None
    reservation: Reservation | None = None
    signer: MeterSigner | None = None  # a signing meter: start and end readings signed

    @property
    def status(self) -> Status:
        if Fault.OFFLINE in self.faults:
            return Status.UNKNOWN
        if self.session is not None:
            return Status.CHARGING
        if self.reservation is not None:
            return Status.RESERVED
        return self.idle_status

    def connector(self, connector_id: str | None) -> SimConnector | None:
        if connector_id is None:
            return self.connectors[0]
        return next((c for c in self.connectors if ci_key(c.id) == ci_key(connector_id)), None)

    def status_event(self, at: datetime) -> StatusChanged:
        return StatusChanged(
            at=at, location_id=self.location_id, evse_uid=self.uid, status=self.status
        )


def wh(value: float) -> Decimal:
    """A meter reading: whole watt-hours, as meters register them."""
    return Decimal(int(value))


def advance(evse: SimEvse, until: datetime, interval: float) -> list[ChargerEvent]:
    """Move the EVSE to `until`: charge, read the meter every interval, end and expire."""
    events: list[ChargerEvent] = []
    session = evse.session
    while session is not None and session.last_at < until:
        reading_at = _next_reading(session, interval)
        step_end = max(min(reading_at, until, session.departs_at), session.last_at)
        power = _charge(evse, session, step_end)
        if step_end == reading_at and Fault.OFFLINE not in evse.faults:
            events.append(_reading(evse, session, power))
        if session.last_at >= session.departs_at:
            events += end_session(evse, session.departs_at, StopReason.EV_DISCONNECTED)
            session = None
    reservation = evse.reservation
    if reservation is not None and reservation.expiry <= until:
        evse.reservation = None
        expired = ReservationExpired(
            at=reservation.expiry,
            reservation_id=reservation.id,
            location_id=evse.location_id,
            evse_uid=evse.uid,
        )
        events += [expired, evse.status_event(reservation.expiry)]
    return events


def _next_reading(session: ChargingSession, interval: float) -> datetime:
    done = (session.last_at - session.started_at).total_seconds()
    return session.started_at + timedelta(seconds=(int(done // interval) + 1) * interval)


def _charge(evse: SimEvse, session: ChargingSession, until: datetime) -> float:
    """Charge the car up to `until`; the power flowing then (W)."""
    connector = session.connector
    seconds = (until - session.last_at).total_seconds()
    metered, power = session.battery.charge(connector.power_type, connector.limit_w, seconds)
    session.last_at = until
    if Fault.METER_RESET in evse.faults:
        evse.faults.discard(Fault.METER_RESET)
        evse.register_wh = 0.0
    evse.register_wh += metered
    return power


def _reading(evse: SimEvse, session: ChargingSession, power: float) -> MeterValues:
    connector = session.connector
    amps = current_a(power, connector.power_type, connector.voltage)
    return MeterValues(
        at=session.last_at,
        session_id=session.id,
        energy_wh=wh(evse.register_wh),
        power_w=Decimal(round(power)),
        current_a=Decimal(str(round(amps, 1))),
        soc_percent=Decimal(str(round(session.battery.soc * 100, 1))),
    )


def end_session(evse: SimEvse, at: datetime, reason: StopReason) -> list[ChargerEvent]:
    """The session ends now: its last reading, and the EVSE free again."""
    session = evse.session
    assert session is not None
    evse.session = None
    meter_stop = wh(evse.register_wh)
    signed = None
    if evse.signer is not None:
        start = (session.started_at, wh(session.meter_start))
        signed = evse.signer.signed_data(evse.uid, session.id, start, (at, meter_stop))
    ended = SessionEnded(
        at=at, session_id=session.id, meter_stop=meter_stop, reason=reason, signed_data=signed
    )
    return [ended, evse.status_event(at)]


def connectors_of(evse: dict[str, Any]) -> list[SimConnector]:
    """The connectors of a stored EVSE document, with what each can deliver."""
    found = []
    for c in evse["connectors"]:
        power_type = PowerType(c["power_type"])
        volts, amps = c["max_voltage"], c["max_amperage"]
        limit = evse_limit_w(power_type, volts, amps, c.get("max_electric_power"))
        found.append(SimConnector(c["id"], power_type, volts, limit))
    return found


def remote_capable(evse: SimEvse) -> bool:
    return Capability.REMOTE_START_STOP_CAPABLE in evse.capabilities


def refusal(evse: SimEvse, needed: Capability, *, inoperative_ok: bool = False) -> Answer | None:
    """Why this EVSE cannot take the command at all, if it cannot."""
    if Fault.OFFLINE in evse.faults:
        return Answer(Outcome.FAILED, "The charge point is offline")
    if needed not in evse.capabilities:
        return Answer(Outcome.NOT_SUPPORTED, f"EVSE {evse.uid} is not {needed.value}")
    if evse.idle_status in INOPERATIVE and not inoperative_ok:
        return Answer(Outcome.EVSE_INOPERATIVE, f"EVSE {evse.uid} is {evse.idle_status.value}")
    return None


def busy_for(evse: SimEvse, request: StartRequest) -> Answer | None:
    """EVSE_OCCUPIED unless the EVSE is free, or reserved for this very token."""
    reserved = evse.reservation
    if reserved is not None and ci_key(reserved.token.uid) != ci_key(request.token.uid):
        return Answer(Outcome.EVSE_OCCUPIED, f"EVSE {evse.uid} is reserved for another driver")
    if evse.session is not None or evse.idle_status in OCCUPIED:
        return Answer(Outcome.EVSE_OCCUPIED, f"EVSE {evse.uid} is in use")
    return None


def free_for(evse: SimEvse, request: ReserveRequest) -> bool:
    if evse.session is not None or evse.idle_status in OCCUPIED | INOPERATIVE:
        return False
    if Fault.OFFLINE in evse.faults:
        return False
    held = evse.reservation
    return held is None or ci_key(held.id) == ci_key(request.reservation_id)


def made(reservation: Reservation, at: datetime) -> ReservationMade:
    """The event of a reservation placed at `at`."""
    return ReservationMade(
        at=at,
        reservation_id=reservation.id,
        location_id=reservation.location_id,
        evse_uid=reservation.evse_uid,
        expiry=reservation.expiry,
        token=reservation.token,
        authorization_reference=reservation.authorization_reference,
    )


def started_event(evse: SimEvse, session: ChargingSession) -> SessionStarted:
    return SessionStarted(
        at=session.started_at,
        session_id=session.id,
        location_id=evse.location_id,
        evse_uid=evse.uid,
        connector_id=session.connector.id,
        token=session.token,
        authorization_reference=session.authorization_reference,
        meter_start=wh(session.meter_start),
        reservation_id=session.reservation_id,
        auth_method=session.auth_method,
    )


def choose(
    evses: dict[tuple[str, str], SimEvse],
    request: StartRequest | ReserveRequest,
    fits: Callable[[SimEvse], bool],
) -> SimEvse | None:
    """The EVSE named, else the first free one of the location that fits (the charge point
    chooses), else any of the location (to say why it cannot)."""
    location = ci_key(request.location_id)
    if request.evse_uid is not None:
        return evses.get((location, ci_key(request.evse_uid)))
    mine = [e for (loc, _), e in evses.items() if loc == location]
    free = [e for e in mine if fits(e)]
    return next(iter(free or mine), None)


def reservable_for(evse: SimEvse, request: ReserveRequest) -> bool:
    return Capability.RESERVABLE in evse.capabilities and free_for(evse, request)


def startable_for(evse: SimEvse, request: StartRequest) -> bool:
    """Free (or reserved for this token), online, and able to start remotely."""
    online = evse.status in (Status.AVAILABLE, Status.RESERVED)
    return online and remote_capable(evse) and busy_for(evse, request) is None
