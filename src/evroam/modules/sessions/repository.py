"""Sessions storage: ours (partner_id NULL) and partners', one document per Session.

Query columns beside the document: the token owner's party (`cdr_token` country_code and
party_id: whom a Session may be shown or pushed to, CONFORMANCE F.159), the status, the
charging preferences an eMSP set on one of our sessions (not part of the Session object), and
what our push last confirmed to the token owner's partner: how many charging periods, and a
digest of them, so a PATCH only ever appends periods the partner does not hold yet.
"""

from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Index,
    Integer,
    String,
    and_,
    false,
    or_,
    select,
    update,
)

from evroam.modules.cdrs.model import CdrToken
from evroam.modules.sessions.model import Session
from evroam.protocol.types import ci_key
from evroam.storage.documents import DocumentRepository, ObjectKey, document_table
from evroam.storage.tables import JsonDocument, metadata

sessions = document_table(
    "sessions",
    metadata,
    Column("token_country_code", String(2), nullable=False),
    Column("token_party_id", String(3), nullable=False),
    Column("status", String(12), nullable=False),
    Column("charging_preferences", JsonDocument),
    Column("pushed_periods", Integer),
    Column("pushed_digest", String(64)),
    id_length=36,
)
Index(
    "ix_sessions_token_party",
    sessions.c.token_country_code,
    sessions.c.token_party_id,
    sessions.c.last_updated,
)

Party = tuple[str, str]  # (country_code, party_id)


def key_of(session: Session) -> ObjectKey:
    return ObjectKey(session.country_code, session.party_id, session.id)


def token_party(token: CdrToken) -> dict[str, str]:
    """The query columns of the token owner's party."""
    return {
        "token_country_code": ci_key(token.country_code),
        "token_party_id": ci_key(token.party_id),
    }


def token_columns(session: Session) -> dict[str, Any]:
    return token_party(session.cdr_token) | {"status": session.status.value}


def of_parties(token_country: Any, token_party: Any, parties: list[Party]) -> ColumnElement[bool]:
    """Rows whose token owner is one of `parties` (false when there are none)."""
    wanted = [
        and_(token_country == ci_key(country), token_party == ci_key(party))
        for country, party in parties
    ]
    return or_(*wanted) if wanted else false()


class SessionRepository(DocumentRepository[Session]):
    table = sessions
    model = Session

    async def store(self, session: Session, *, partner_id: int | None, **columns: Any) -> bool:
        """Create or replace a Session; True when created."""
        return await self.put(
            key_of(session),
            session,
            last_updated=session.last_updated,
            partner_id=partner_id,
            **token_columns(session),
            **columns,
        )

    async def row(self, key: ObjectKey, *, for_update: bool = False) -> Any | None:
        """The stored row (document, partner, token owner, push state), or None."""
        query = select(self.table).where(self.where(key))
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).one_or_none()

    async def own_by_id(self, session_id: str, *where: ColumnElement[bool]) -> Any | None:
        """One of our Sessions by id alone (the Sender URL names no party)."""
        c = self.table.c
        query = select(self.table).where(
            c.partner_id.is_(None), c.object_id == ci_key(session_id), *where
        )
        return (await self.session.execute(query.order_by(c.pk).limit(1))).one_or_none()

    async def set_columns(self, key: ObjectKey, **values: Any) -> None:
        await self.session.execute(update(self.table).where(self.where(key)).values(**values))
