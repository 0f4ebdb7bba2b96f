"""How one of our Sessions changes (Sessions §9.1, §9.4.2; DIGEST §6.1), as a pure function.

PENDING → ACTIVE | COMPLETED | INVALID; RESERVATION → ACTIVE (the reserved token starts
charging) | COMPLETED (expired unused) | INVALID; ACTIVE → COMPLETED | INVALID. COMPLETED and
INVALID are final: nothing changes after them (CONFORMANCE F.176). PENDING → ACTIVE moves
start_date_time to the activation moment (F.177). Charging periods are only ever appended.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from evroam.errors import EvroamError
from evroam.model import Price
from evroam.modules.cdrs.model import AuthMethod, ChargingPeriod
from evroam.modules.sessions.model import (
    FINAL_STATUSES,
    NOT_AVAILABLE,
    Session,
    SessionStatus,
)

S = SessionStatus
OPENING = frozenset({S.PENDING, S.ACTIVE, S.RESERVATION})
NEXT: dict[SessionStatus, frozenset[SessionStatus]] = {
    S.PENDING: frozenset({S.ACTIVE, S.COMPLETED, S.INVALID}),
    S.RESERVATION: frozenset({S.ACTIVE, S.COMPLETED, S.INVALID}),
    S.ACTIVE: frozenset({S.COMPLETED, S.INVALID}),
}
SIMPLE_FIELDS = (
    "kwh",
    "total_cost",
    "end_date_time",
    "auth_method",
    "authorization_reference",
    "meter_id",
    "evse_uid",
    "connector_id",
)


@dataclass(frozen=True)
class SessionUpdate:
    """What happened to a session at `at` (default: now); None leaves a field as it is."""

    at: datetime | None = None
    status: SessionStatus | None = None
    kwh: Decimal | None = None
    total_cost: Price | None = None
    charging_periods: Sequence[ChargingPeriod] = ()
    end_date_time: datetime | None = None
    auth_method: AuthMethod | None = None
    authorization_reference: str | None = None  # the eMSP's latest one (F.178)
    meter_id: str | None = None
    evse_uid: str | None = None  # assigned when a reservation without EVSE is used
    connector_id: str | None = None


def check_opening(session: Session) -> None:
    """A new session starts PENDING, ACTIVE or RESERVATION; `#NA` only for a reservation."""
    if session.status not in OPENING:
        raise EvroamError(f"A session opens PENDING, ACTIVE or RESERVATION, not {session.status}.")
    check_assigned(session)


def check_assigned(session: Session, *, was: SessionStatus | None = None) -> None:
    """`#NA` EVSE or connector only for a reservation with none assigned (F.179): while it
    waits, and when it ended unused (a reservation `was` RESERVATION, now final)."""
    unassigned = NOT_AVAILABLE in (session.evse_uid, session.connector_id)
    ended_unused = was is S.RESERVATION and session.status in FINAL_STATUSES
    if unassigned and session.status is not S.RESERVATION and not ended_unused:
        raise EvroamError(
            f"Session {session.id} is {session.status}: name its EVSE and connector (not #NA)."
        )


def apply_update(
    current: Session, change: SessionUpdate, now: datetime
) -> tuple[Session, set[str]]:
    """The session after the change and the names of the fields that changed (none: as is)."""
    if current.status in FINAL_STATUSES:
        raise EvroamError(
            f"Session {current.id} is {current.status}: it no longer changes (F.176)."
        )
    at = change.at or now
    values: dict[str, Any] = {}
    if change.status is not None and change.status is not current.status:
        values |= _transition(current, change.status, at)
    for name in SIMPLE_FIELDS:
        value = getattr(change, name)
        if value is not None and value != getattr(current, name):
            values[name] = value
    if change.charging_periods:
        values["charging_periods"] = [*(current.charging_periods or []), *change.charging_periods]
    if not values:
        return current, set()
    values["last_updated"] = max(at, current.last_updated)
    updated = Session.model_validate(current.model_dump() | values)
    check_assigned(updated, was=current.status)
    return updated, set(values)


def _transition(current: Session, status: SessionStatus, at: datetime) -> dict[str, Any]:
    if status not in NEXT.get(current.status, frozenset()):
        raise EvroamError(f"Session {current.id} cannot go from {current.status} to {status}.")
    values: dict[str, Any] = {"status": status}
    if current.status is S.PENDING and status is S.ACTIVE:
        values["start_date_time"] = at  # the moment it became ACTIVE (F.177)
    if status in FINAL_STATUSES and current.end_date_time is None:
        values["end_date_time"] = at
    return values
