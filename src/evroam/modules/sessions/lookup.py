"""The CPO's sessions as STOP_SESSION sees them, read from our stored Sessions.

Implements the commands module's `SessionLookup` (modules/commands/sessions.py): any Session of
ours is known (else UNKNOWN_SESSION, CONFORMANCE K.302), owned by its token's eMSP party (a
session of another eMSP is REJECTED, K.325), and stoppable while it is ACTIVE or PENDING and
still open at the charge point, under the charger's own session id.
"""

from evroam.modules.commands.sessions import SessionRef
from evroam.modules.sessions.charging_records import record_of
from evroam.modules.sessions.model import Session, SessionStatus
from evroam.modules.sessions.repository import SessionRepository
from evroam.platform import Platform
from evroam.protocol.routing import PartyRef
from evroam.storage.documents import ObjectKey

CHARGING = frozenset({SessionStatus.ACTIVE, SessionStatus.PENDING})


class StoredSessions:
    """SessionLookup over the database: survives restarts, shared by every server process."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    async def find_session(self, session_id: str) -> SessionRef | None:
        async with self.platform.sessions() as db:
            row = await SessionRepository(db).own_by_id(session_id)
        if row is None:
            return None
        session = Session.model_validate(row.document)
        key = ObjectKey(session.country_code, session.party_id, session.id)
        record = await record_of(self.platform, key)
        charger_id = record.charger_session_id if record is not None else None
        active = session.status in CHARGING and record is not None and record.open
        token = session.cdr_token
        return SessionRef(
            session_id=session.id,
            owner=PartyRef(token.country_code, token.party_id),
            location_id=session.location_id,
            evse_uid=session.evse_uid,
            connector_id=session.connector_id,
            charger_session_id=charger_id or session.id,
            active=active and charger_id is not None,
        )
