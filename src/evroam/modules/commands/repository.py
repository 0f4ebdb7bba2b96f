"""Commands storage: commands we received (CPO) with the results we owe, and commands we sent
(eMSP) with their deadline and results. Plain rows, not documents: these are messages, not
OCPI objects anyone GETs."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.storage.tables import JsonDocument, UtcDateTime, metadata

# CPO: one row per command received; `result` is set once the charge point answered (or not).
commands_received = Table(
    "commands_received",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE"), nullable=False),
    Column("country_code", String(2), nullable=False),  # the eMSP party that sent it
    Column("party_id", String(3), nullable=False),
    Column("cpo_country_code", String(2), nullable=False),  # our party it was addressed to
    Column("cpo_party_id", String(3), nullable=False),
    Column("command", String(20), nullable=False),
    Column("response_url", String(255), nullable=False),
    Column("location_id", String(36)),
    Column("evse_uid", String(36)),
    Column("connector_id", String(36)),
    Column("session_id", String(36)),
    # the eMSP's reservation_id namespaced by its party: unique across eMSPs (K.318)
    Column("reservation_id", String(48)),
    Column("response", String(20), nullable=False),
    Column("result", String(24)),
    Column("result_message", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("deadline", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Index("ix_commands_received_open", "result", "deadline"),
    Index("ix_commands_received_reservation", "reservation_id"),
)

# CPO: each CommandResult we owe a response_url; delivered by the outbox worker (module
# "commands", object = this row), so it survives restarts and goes to that partner only.
command_callbacks = Table(
    "command_callbacks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column(
        "command_id",
        String(36),
        ForeignKey("commands_received.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("result", String(24), nullable=False),
    Column("message", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime),
    Index("ix_command_callbacks_command", "command_id"),
)

# eMSP: one row per command sent; `result` is the final word (TIMEOUT when none came in time).
commands_sent = Table(
    "commands_sent",
    metadata,
    Column("id", String(36), primary_key=True),  # the uid in our response_url
    Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE"), nullable=False),
    Column("country_code", String(2), nullable=False),  # the CPO party addressed
    Column("party_id", String(3), nullable=False),
    Column("sender_country_code", String(2), nullable=False),  # our eMSP party
    Column("sender_party_id", String(3), nullable=False),
    Column("command", String(20), nullable=False),
    Column("request", JsonDocument, nullable=False),
    Column("response", String(20)),  # None: no usable synchronous answer
    Column("response_message", Text),
    Column("timeout_seconds", Integer),
    Column("created_at", UtcDateTime, nullable=False),
    Column("deadline", UtcDateTime),
    Column("result", String(24)),
    Column("result_message", Text),
    Column("result_at", UtcDateTime),
    Column("results", JsonDocument, nullable=False),  # every CommandResult received, in order
    Column("late", Boolean, nullable=False),
    Column("timed_out_at", UtcDateTime),
    Index("ix_commands_sent_created", "created_at"),
    Index("ix_commands_sent_open", "result", "deadline"),
)


async def add_row(session: AsyncSession, table: Table, values: dict[str, Any]) -> None:
    await session.execute(insert(table).values(**values))


async def row(session: AsyncSession, table: Table, row_id: str) -> dict[str, Any] | None:
    found = (await session.execute(select(table).where(table.c.id == row_id))).first()
    return dict(found._mapping) if found else None


async def settle(session: AsyncSession, table: Table, row_id: str, values: dict[str, Any]) -> bool:
    """Set the result of a row that has none yet; False when another writer was first."""
    done = await session.execute(
        update(table).where(table.c.id == row_id, table.c.result.is_(None)).values(**values)
    )
    return bool(getattr(done, "rowcount", 0))


async def overdue(
    session: AsyncSession, table: Table, now: datetime, *where: ColumnElement[bool]
) -> list[str]:
    """Rows still without a result after their deadline."""
    c = table.c
    query = select(c.id).where(c.result.is_(None), c.deadline < now, *where).order_by(c.deadline)
    return list((await session.execute(query.limit(500))).scalars())


async def add_callback(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(command_callbacks).values(**values))
