"""The pull watermark per partner and module, in `sync_state` with direction "pull".

The watermark is the newest `last_updated` a completed pull stored (capped at the time of its
first response); the next incremental pull asks for `date_from = watermark - overlap`.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, insert, select, update

from evroam.platform import Platform
from evroam.protocol.timestamps import utc_now
from evroam.storage.tables import sync_state

PULL = "pull"


@dataclass(frozen=True)
class PullState:
    """What the last pulls of one module from one partner left behind."""

    watermark: datetime | None
    last_success_at: datetime | None
    last_error: str | None


def _where(partner_id: int, module: str) -> ColumnElement[bool]:
    c = sync_state.c
    return and_(c.partner_id == partner_id, c.module == module, c.direction == PULL)


async def read_state(platform: Platform, partner_id: int, module: str) -> PullState:
    c = sync_state.c
    query = select(c.watermark, c.last_success_at, c.last_error).where(_where(partner_id, module))
    async with platform.sessions() as session:
        row = (await session.execute(query)).first()
    if row is None:
        return PullState(None, None, None)
    return PullState(row.watermark, row.last_success_at, row.last_error)


async def _write(platform: Platform, partner_id: int, module: str, **values: object) -> None:
    async with platform.unit_of_work() as session:
        result = await session.execute(
            update(sync_state).where(_where(partner_id, module)).values(**values)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            row = {"partner_id": partner_id, "module": module, "direction": PULL, **values}
            await session.execute(insert(sync_state).values(**row))


async def record_success(
    platform: Platform, partner_id: int, module: str, watermark: datetime | None
) -> None:
    """A pull completed: the new watermark, and no error any more."""
    await _write(
        platform,
        partner_id,
        module,
        watermark=watermark,
        last_success_at=utc_now(),
        last_error=None,
    )


async def record_error(platform: Platform, partner_id: int, module: str, error: str) -> None:
    """A pull failed: the watermark stays where it was, so the next pull repeats the work."""
    await _write(platform, partner_id, module, last_error=error[:500])
