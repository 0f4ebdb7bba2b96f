"""CDR storage: one document per CDR received, with its reconciliation (CDRs chapter 10).

CDRs are immutable once sent (CDRs §10.2.3; CONFORMANCE G.197, G.211): `add` never replaces
a stored CDR. Extra columns: the session's start and end (the date filter of statements) and
the latest reconciliation result with its time (modules/cdrs/reconciliation.py); the token
owner's party (`cdr_token`: whom a CDR may be shown or sent to, CONFORMANCE G.196); for our own
CDRs (partner_id NULL) when the token owner's partner confirmed our POST and the `Location` URL
it answered.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, String, Text, select, update

from evroam.modules.cdrs.model import Cdr
from evroam.protocol.types import ci_key
from evroam.storage.documents import DocumentRepository, ObjectKey, document_table
from evroam.storage.tables import JsonDocument, UtcDateTime, metadata

cdrs = document_table(
    "cdrs",
    metadata,
    Column("start_date_time", UtcDateTime, nullable=False),
    Column("end_date_time", UtcDateTime, nullable=False),
    Column("reconciliation", JsonDocument),
    Column("reconciled_at", UtcDateTime),
    Column("token_country_code", String(2)),
    Column("token_party_id", String(3)),
    Column("pushed_at", UtcDateTime),
    Column("pushed_location", Text),
    id_length=39,  # CiString(39): room for a Credit CDR suffix (G.189)
)
Index("ix_cdrs_partner_start", cdrs.c.partner_id, cdrs.c.start_date_time)
Index("ix_cdrs_token_party", cdrs.c.token_country_code, cdrs.c.token_party_id, cdrs.c.last_updated)


def key_of(cdr: Cdr) -> ObjectKey:
    return ObjectKey(cdr.country_code, cdr.party_id, cdr.id)


class CdrRepository(DocumentRepository[Cdr]):
    table = cdrs
    model = Cdr

    async def add(self, cdr: Cdr, *, partner_id: int | None, received_at: datetime) -> bool:
        """Store a CDR once; False, and nothing written, when its id is already stored.

        `last_updated` of the row is when we received it (the Sender's `last_updated` filter
        means creation time for CDRs, DIGEST §7.3); the unique key refuses a racing twin.
        """
        if await self.get_document(key_of(cdr)) is not None:
            return False
        return await self.put(
            key_of(cdr),
            cdr,
            last_updated=received_at,
            partner_id=partner_id,
            start_date_time=cdr.start_date_time,
            end_date_time=cdr.end_date_time,
            token_country_code=ci_key(cdr.cdr_token.country_code),
            token_party_id=ci_key(cdr.cdr_token.party_id),
        )

    async def in_range(self, partner_id: int, start: datetime, end: datetime) -> list[Cdr]:
        """The partner's CDRs whose session started in [start, end), oldest first."""
        c = self.table.c
        query = (
            select(c.document)
            .where(c.partner_id == partner_id, c.start_date_time >= start, c.start_date_time < end)
            .order_by(c.start_date_time, c.pk)
        )
        documents = (await self.session.execute(query)).scalars()
        return [Cdr.model_validate(document) for document in documents]

    async def save_reconciliation(
        self, key: ObjectKey, result: dict[str, Any], *, at: datetime
    ) -> bool:
        """Keep the latest reconciliation beside the CDR (the CDR itself is not touched)."""
        query = update(self.table).where(self.where(key))
        outcome = await self.session.execute(query.values(reconciliation=result, reconciled_at=at))
        return bool(outcome.rowcount)  # type: ignore[attr-defined]

    async def reconciliation(self, key: ObjectKey) -> tuple[dict[str, Any], datetime] | None:
        """The stored reconciliation and when it was made; None when never reconciled."""
        c = self.table.c
        query = select(c.reconciliation, c.reconciled_at).where(self.where(key))
        row = (await self.session.execute(query)).one_or_none()
        if row is None or row.reconciliation is None:
            return None
        return dict(row.reconciliation), row.reconciled_at

    async def mark_pushed(self, key: ObjectKey, *, at: datetime, location: str | None) -> None:
        """Our CDR reached the token owner's partner, which keeps it at `location`."""
        query = update(self.table).where(self.where(key), self.table.c.partner_id.is_(None))
        await self.session.execute(query.values(pushed_at=at, pushed_location=location))

    async def push_state(self, key: ObjectKey) -> tuple[datetime | None, str | None] | None:
        """(pushed_at, pushed_location) of one of our CDRs; None when it is not ours."""
        c = self.table.c
        query = select(c.pushed_at, c.pushed_location).where(
            self.where(key), c.partner_id.is_(None)
        )
        row = (await self.session.execute(query)).one_or_none()
        return None if row is None else (row.pushed_at, row.pushed_location)
