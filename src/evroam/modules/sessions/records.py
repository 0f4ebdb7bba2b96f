"""Sessions as an operator sees them: ours and received, with whose they are."""

from typing import Any

from pydantic import BaseModel

from evroam.errors import EvroamError
from evroam.modules.records import Query, page_rows, partner_names, rows_by_id
from evroam.modules.sessions.model import ChargingPreferences, Session, SessionStatus
from evroam.modules.sessions.repository import sessions
from evroam.platform import Platform


class SessionRecord(BaseModel):
    """A stored Session; `partner` None when it is ours."""

    partner: str | None
    session: Session
    charging_preferences: ChargingPreferences | None = None
    pushed_periods: int | None = None  # ours: periods the token owner's partner confirmed


def record(row: Any, names: dict[int, str]) -> SessionRecord:
    return SessionRecord(
        partner=None if row.partner_id is None else names.get(row.partner_id, "?"),
        session=Session.model_validate(row.document),
        charging_preferences=row.charging_preferences,
        pushed_periods=row.pushed_periods,
    )


async def list_sessions(
    platform: Platform, query: Query, status: SessionStatus | None = None
) -> tuple[list[SessionRecord], int]:
    """One page of stored Sessions, oldest first, and how many match."""
    extra = [] if status is None else [sessions.c.status == status.value]
    async with platform.sessions() as db:
        rows, total = await page_rows(db, sessions, query, *extra)
        names = await partner_names(db)
    return [record(row, names) for row in rows], total


async def find_session(
    platform: Platform, session_id: str, party: tuple[str, str] | None = None
) -> SessionRecord:
    """The stored Session with that id; the party is needed only when several have it."""
    async with platform.sessions() as db:
        rows = await rows_by_id(db, sessions, session_id, party)
        names = await partner_names(db)
    if not rows:
        raise EvroamError(f"No Session {session_id} is stored; `evroam sessions list` shows them.")
    if len(rows) > 1:
        raise EvroamError(f"Several Sessions are called {session_id}: name the party (CC*PID).")
    return record(rows[0], names)
