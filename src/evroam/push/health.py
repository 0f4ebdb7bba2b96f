"""Push health per partner and module: last success, last error, degraded since (sync_state)."""

from datetime import datetime

from sqlalchemy import ColumnElement, insert, select, update

from evroam.platform import Platform
from evroam.protocol.timestamps import utc_now
from evroam.storage.tables import sync_state

PUSH = "push"


async def _upsert(platform: Platform, partner_id: int, module: str, **values: object) -> None:
    where = _key(partner_id, module)
    async with platform.unit_of_work() as session:
        exists = (await session.execute(select(sync_state.c.partner_id).where(*where))).first()
        if exists:
            await session.execute(update(sync_state).where(*where).values(**values))
        else:
            await session.execute(
                insert(sync_state).values(
                    partner_id=partner_id, module=module, direction=PUSH, **values
                )
            )


async def record_success(platform: Platform, partner_id: int, modules: set[str]) -> None:
    for module in modules:
        await _upsert(platform, partner_id, module, last_success_at=utc_now(), degraded_since=None)


async def record_error(platform: Platform, partner_id: int, module: str, error: str) -> None:
    await _upsert(platform, partner_id, module, last_error=error[:500])


async def mark_degraded(platform: Platform, partner_id: int, module: str, error: str) -> None:
    since = await degraded(platform, partner_id, module)
    await _upsert(
        platform, partner_id, module, degraded_since=since or utc_now(), last_error=error[:500]
    )


async def degraded(platform: Platform, partner_id: int, module: str) -> datetime | None:
    """Since when pushes of the module to the partner keep failing (None: healthy)."""
    async with platform.sessions() as session:
        query = select(sync_state.c.degraded_since).where(*_key(partner_id, module))
        row = (await session.execute(query)).first()
    return row.degraded_since if row else None


def _key(partner_id: int, module: str) -> tuple[ColumnElement[bool], ...]:
    c = sync_state.c
    return (c.partner_id == partner_id, c.module == module, c.direction == PUSH)
