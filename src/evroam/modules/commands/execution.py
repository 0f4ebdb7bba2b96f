"""CPO: carrying out accepted commands on the charge points and owing their results.

A result is written with its callback row and an outbox row in one transaction; the outbox
worker POSTs it to the command's response_url, to that partner only, retrying until delivered
(DIGEST §10.1 step 3). A command whose execution was cut short (the server stopped) gets a
TIMEOUT result once its deadline passed, so every accepted command ends in exactly one result.
"""

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.chargers.interface import (
    Answer,
    ChargerEvent,
    ChargerNetwork,
    Listener,
    Outcome,
    ReservationCancelled,
)
from evroam.modules.commands.model import (
    CommandResponseType,
    CommandResult,
    CommandResultType,
    CommandType,
    english,
    plain,
)
from evroam.modules.commands.repository import (
    add_callback,
    commands_received,
    overdue,
    row,
    settle,
)
from evroam.partners.repository import PartnerRepository
from evroam.platform import Platform
from evroam.protocol.timestamps import utc_now
from evroam.push.outbox import Change, enqueue
from evroam.storage.documents import ObjectKey

log = logging.getLogger("evroam.commands")
Run = Callable[[ChargerNetwork], Awaitable[Answer]]
CHARGER_SHARE = 0.8  # of the announced timeout, for the charge point (the rest: delivery)


def result_of(answer: Answer) -> CommandResult:
    """The charge point's answer as a CommandResult (an unknown session is REJECTED)."""
    if answer.outcome is Outcome.UNKNOWN_SESSION:
        return CommandResult(result=CommandResultType.REJECTED, message=english(answer.message))
    return CommandResult(
        result=CommandResultType(answer.outcome.value), message=english(answer.message)
    )


async def execute(platform: Platform, command_id: str, run: Run, timeout: int) -> None:
    """Run the command on the chargers within its share of the timeout, then owe the result."""
    assert platform.chargers is not None
    try:
        answer = await asyncio.wait_for(run(platform.chargers.network), timeout * CHARGER_SHARE)
    except TimeoutError:
        answer = Answer(Outcome.TIMEOUT, "The charge point did not answer in time")
    except Exception:
        log.exception("Command %s could not be passed to the charge point", command_id)
        answer = Answer(Outcome.FAILED, "The command could not be passed to the charge point")
    await conclude(platform, command_id, result_of(answer))


async def conclude(platform: Platform, command_id: str, result: CommandResult) -> bool:
    """Record the command's result and queue its delivery; False when it had one already."""
    now = utc_now()
    values = {
        "result": result.result.value,
        "result_message": plain(result.message),
        "finished_at": now,
    }
    async with platform.unit_of_work() as session:
        if not await settle(session, commands_received, command_id, values):
            return False
        command = await row(session, commands_received, command_id)
        assert command is not None
        await owe(session, command, result, now)
    platform.push_wakeup.set()
    return True


async def owe(
    session: AsyncSession, command: dict[str, Any], result: CommandResult, now: datetime
) -> None:
    """A CommandResult for the command's response_url, delivered to its partner only."""
    partner = await PartnerRepository(session).get(command["partner_id"])
    if partner is None:
        return  # the connection is gone: nobody to tell
    callback_id = uuid.uuid4().hex.upper()  # outbox object ids are stored upper-case
    await add_callback(
        session,
        {
            "id": callback_id,
            "command_id": command["id"],
            "result": result.result.value,
            "message": plain(result.message),
            "created_at": now,
        },
    )
    key = ObjectKey(command["country_code"], command["party_id"], callback_id)
    await enqueue(session, [Change("commands", key, (callback_id,))], now=now, partners=[partner])


async def expire_executions(platform: Platform) -> int:
    """Accepted commands past their deadline without a result (cut short): TIMEOUT."""
    async with platform.sessions() as session:
        accepted = commands_received.c.response == CommandResponseType.ACCEPTED.value
        ids = await overdue(session, commands_received, utc_now(), accepted)
    timeout = CommandResult(
        result=CommandResultType.TIMEOUT,
        message=english("The charge point's answer was lost (the CPO's server restarted)"),
    )
    return sum([await conclude(platform, command_id, timeout) for command_id in ids])


def cancelled_reservations(platform: Platform) -> Listener:
    """A charger event listener: a reservation the CPO's side cancelled is reported (K.321)."""

    async def on_event(event: ChargerEvent) -> None:
        if isinstance(event, ReservationCancelled) and not event.requested:
            await report_cancelled(platform, event.reservation_id, event.reason)

    return on_event


async def report_cancelled(platform: Platform, reservation_id: str, reason: str) -> bool:
    """POST CANCELED_RESERVATION to the response_url of the RESERVE_NOW that made it."""
    c = commands_received.c
    query = (
        select(commands_received)
        .where(
            c.reservation_id == reservation_id,
            c.command == CommandType.RESERVE_NOW.value,
            c.response == CommandResponseType.ACCEPTED.value,
        )
        .order_by(c.created_at.desc())
        .limit(1)
    )
    result = CommandResult(
        result=CommandResultType.CANCELED_RESERVATION,
        message=english(f"Reservation cancelled: {reason}"),
    )
    async with platform.unit_of_work() as session:
        found = (await session.execute(query)).first()
        if found is None:
            return False
        await owe(session, dict(found._mapping), result, utc_now())
    platform.push_wakeup.set()
    return True


async def sweep_forever(platform: Platform, every: float = 5.0) -> None:
    """The server's loop ending commands cut short by a restart."""
    while True:
        try:
            await expire_executions(platform)
        except Exception:  # keep sweeping through a database hiccup
            log.exception("Sweeping overdue commands failed")
        await asyncio.sleep(every)
