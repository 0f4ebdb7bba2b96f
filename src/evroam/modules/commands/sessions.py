"""What STOP_SESSION needs to know about the CPO's sessions: which exist, where, and whose.

`SessionLookup` is the small interface the Sessions module implements once it stores
sessions; `ChargerSessions` is the default, fed by the charger network's events (the OCPI
session id is the charger's session id, the owner the party of the session's token).
"""

from dataclasses import dataclass, replace
from typing import Protocol

from evroam.chargers.interface import ChargerEvent, SessionEnded, SessionStarted
from evroam.protocol.routing import PartyRef


@dataclass(frozen=True)
class SessionRef:
    """One CPO session as the commands module sees it."""

    session_id: str
    owner: PartyRef  # the eMSP party owning the session's token
    location_id: str
    evse_uid: str
    connector_id: str
    charger_session_id: str
    active: bool


class SessionLookup(Protocol):
    async def find_session(self, session_id: str) -> SessionRef | None: ...


class ChargerSessions:
    """Sessions known from charger events, in memory (the simulator's own lifetime)."""

    def __init__(self) -> None:
        self._sessions: dict[str, SessionRef] = {}

    async def find_session(self, session_id: str) -> SessionRef | None:
        return self._sessions.get(session_id)

    async def observe(self, event: ChargerEvent) -> None:
        """A charger event listener: remember sessions as they start and end."""
        if isinstance(event, SessionStarted):
            self._sessions[event.session_id] = SessionRef(
                session_id=event.session_id,
                owner=PartyRef(event.token.country_code, event.token.party_id),
                location_id=event.location_id,
                evse_uid=event.evse_uid,
                connector_id=event.connector_id,
                charger_session_id=event.session_id,
                active=True,
            )
        elif isinstance(event, SessionEnded) and event.session_id in self._sessions:
            ended = replace(self._sessions[event.session_id], active=False)
            self._sessions[event.session_id] = ended
