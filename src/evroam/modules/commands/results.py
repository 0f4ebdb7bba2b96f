"""eMSP: results arriving at our response_url, and TIMEOUT when none came in time (K.308, K.309).

A result is accepted only from the partner the command was sent to and for that command; the
same result delivered twice is recorded once; a result after TIMEOUT is kept, marked late.
"""

import asyncio
import logging
from typing import Any

from sqlalchemy import select, update

from evroam.errors import NotFound
from evroam.exchange import Exchange
from evroam.modules.commands.model import CommandResult, CommandResultType, plain
from evroam.modules.commands.repository import commands_sent, overdue, row, settle
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime, utc_now
from evroam.settings import Role

log = logging.getLogger("evroam.commands")


async def expire(platform: Platform, uid: str) -> bool:
    """TIMEOUT for a command whose deadline passed without a result (K.309)."""
    async with platform.unit_of_work() as session:
        found = await row(session, commands_sent, uid)
        if found is None or found["result"] is not None:
            return False
        values = {
            "result": CommandResultType.TIMEOUT.value,
            "result_message": f"No result within {found['timeout_seconds']} s",
            "timed_out_at": utc_now(),
        }
        return await settle(session, commands_sent, uid, values)


async def expire_overdue(platform: Platform) -> int:
    async with platform.sessions() as session:
        ids = await overdue(session, commands_sent, utc_now())
    return sum([await expire(platform, uid) for uid in ids])


async def expire_forever(platform: Platform, every: float = 1.0) -> None:
    """The eMSP server's loop turning overdue commands into TIMEOUT."""
    while True:
        try:
            await expire_overdue(platform)
        except Exception:  # keep going through a database hiccup
            log.exception("Expiring overdue commands failed")
        await asyncio.sleep(every)


def expiry_tasks(platform: Platform) -> list[asyncio.Task[None]]:
    if Role.EMSP not in platform.local_roles:
        return []
    return [asyncio.create_task(expire_forever(platform))]


async def receive_result(
    platform: Platform, exchange: Exchange, kind_text: str, uid: str, result: CommandResult
) -> None:
    """Record a CommandResult POSTed to our response_url by the partner it was sent to."""
    async with platform.unit_of_work() as session:
        query = select(commands_sent).where(commands_sent.c.id == uid).with_for_update()
        found = (await session.execute(query)).first()
        sent = dict(found._mapping) if found else None
        if (
            sent is None
            or sent["partner_id"] != exchange.partner.id
            or sent["command"] != kind_text.upper()
        ):
            raise NotFound(f"No command {uid} was sent to you")
        entry = {
            "result": result.result.value,
            "message": plain(result.message),
            "at": format_datetime(utc_now()),
            "late": sent["timed_out_at"] is not None and not sent["results"],
        }
        if sent["results"] and _same(sent["results"][-1], entry):
            return  # the same result delivered again (the CPO retried): already recorded
        values = {
            "result": entry["result"],
            "result_message": entry["message"],
            "result_at": utc_now(),
            "results": [*sent["results"], entry],
            "late": sent["late"] or entry["late"],
        }
        await session.execute(
            update(commands_sent).where(commands_sent.c.id == uid).values(**values)
        )


def _same(earlier: dict[str, Any], entry: dict[str, Any]) -> bool:
    return (earlier["result"], earlier["message"]) == (entry["result"], entry["message"])


def _addressed(sent: dict[str, Any] | None, exchange: Exchange, kind_text: str) -> bool:
    """The command exists, went to this partner, and the URL names its type."""
    if sent is None or sent["partner_id"] != exchange.partner.id:
        return False
    return bool(sent["command"] == kind_text.upper())
