"""Operator views of stored objects: ours and partners', filtered, paged, one by id.

The management API and the CLI read Sessions and CDRs the same way (ours: partner_id NULL;
received: a partner's), so the filters are built once here over any document table.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.modules.credentials.service import get_partner
from evroam.partners.repository import PartnerRepository
from evroam.platform import Platform
from evroam.protocol.types import ci_key


class Origin(StrEnum):
    """Whose objects: ours (we are the data owner), received from partners, or both."""

    OWN = "own"
    RECEIVED = "received"
    ALL = "all"


@dataclass(frozen=True)
class Query:
    """What an operator asks for; `partner` is a partner's name, `party` `CC*PID` of the owner."""

    origin: Origin = Origin.ALL
    partner_id: int | None = None
    party: tuple[str, str] | None = None
    offset: int = 0
    limit: int = 50


def conditions(table: Table, query: Query) -> list[ColumnElement[bool]]:
    c = table.c
    found: list[ColumnElement[bool]] = []
    if query.origin is Origin.OWN:
        found.append(c.partner_id.is_(None))
    if query.origin is Origin.RECEIVED:
        found.append(c.partner_id.is_not(None))
    if query.partner_id is not None:
        found.append(c.partner_id == query.partner_id)
    if query.party is not None:
        found += [c.country_code == ci_key(query.party[0]), c.party_id == ci_key(query.party[1])]
    return found


async def page_rows(
    session: AsyncSession, table: Table, query: Query, *extra: ColumnElement[bool]
) -> tuple[list[Any], int]:
    """The rows of one page, oldest first, and how many match."""
    where = [*conditions(table, query), *extra]
    total = (
        await session.execute(select(func.count()).select_from(table).where(*where))
    ).scalar_one()
    rows = await session.execute(
        select(table).where(*where).order_by(table.c.pk).offset(query.offset).limit(query.limit)
    )
    return list(rows.all()), int(total)


async def rows_by_id(
    session: AsyncSession, table: Table, object_id: str, party: tuple[str, str] | None
) -> list[Any]:
    """Every stored object with that id (of that party, if given)."""
    query = Query(party=party, limit=10)
    where = [*conditions(table, query), table.c.object_id == ci_key(object_id)]
    return list((await session.execute(select(table).where(*where).order_by(table.c.pk))).all())


async def partner_names(session: AsyncSession) -> dict[int, str]:
    return {p.id: p.name for p in await PartnerRepository(session).all() if p.id is not None}


async def query_for(
    platform: Platform, origin: Origin, partner: str | None, *, offset: int, limit: int
) -> Query:
    """The filters an operator gave, the partner named by its name (unknown: an error)."""
    partner_id = (await get_partner(platform, partner)).id if partner else None
    return Query(origin=origin, partner_id=partner_id, offset=offset, limit=limit)
