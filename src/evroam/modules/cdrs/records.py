"""CDRs as an operator sees them: ours (with where the partner keeps them) and received."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from evroam.errors import EvroamError
from evroam.modules.cdrs.model import Cdr
from evroam.modules.cdrs.repository import cdrs
from evroam.modules.records import Query, page_rows, partner_names, rows_by_id
from evroam.platform import Platform


class CdrRecord(BaseModel):
    """A stored CDR; `partner` None when it is ours. Ours: when the token owner's partner
    confirmed it and the URL it gave; received: the reconciliation status, if any."""

    partner: str | None
    cdr: Cdr
    pushed_at: datetime | None = None
    pushed_location: str | None = None
    reconciliation: str | None = None


def record(row: Any, names: dict[int, str]) -> CdrRecord:
    reconciled = row.reconciliation or {}
    return CdrRecord(
        partner=None if row.partner_id is None else names.get(row.partner_id, "?"),
        cdr=Cdr.model_validate(row.document),
        pushed_at=row.pushed_at,
        pushed_location=row.pushed_location,
        reconciliation=reconciled.get("status"),
    )


async def list_cdrs(platform: Platform, query: Query) -> tuple[list[CdrRecord], int]:
    """One page of stored CDRs, oldest first, and how many match."""
    async with platform.sessions() as db:
        rows, total = await page_rows(db, cdrs, query)
        names = await partner_names(db)
    return [record(row, names) for row in rows], total


async def find_cdr(
    platform: Platform, cdr_id: str, party: tuple[str, str] | None = None
) -> CdrRecord:
    """The stored CDR with that id; the party is needed only when several have it."""
    async with platform.sessions() as db:
        rows = await rows_by_id(db, cdrs, cdr_id, party)
        names = await partner_names(db)
    if not rows:
        raise EvroamError(f"No CDR {cdr_id} is stored; `evroam cdrs list` shows them.")
    if len(rows) > 1:
        raise EvroamError(f"Several CDRs are called {cdr_id}: name the party (CC*PID).")
    return record(rows[0], names)
