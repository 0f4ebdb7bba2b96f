"""What STOP_SESSION needs to know about the CPO's sessions: which exist, where, and whose.

`SessionLookup` is the small interface the Sessions module implements from the stored
Sessions (modules/sessions/lookup.py); the owner is the party of the session's token.
"""

from dataclasses import dataclass
from typing import Protocol

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
