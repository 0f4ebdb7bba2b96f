"""Our own Sessions (CPO), the service the charging flow calls: open, update, complete.

Each change is stored and queued for the token owner's partner in one transaction (ARCHITECTURE,
transactional outbox), and for that partner only: a Session belongs to the eMSP whose token
started it, never to anyone else (issue #5 item 4; push/owner.py). The outbox row names the
fields that changed, so the deliverer (client.py) PUTs a new Session and PATCHes the changes.
"""

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from decimal import Decimal
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncSession

from evroam.errors import EvroamError
from evroam.model import Price
from evroam.modules.cdrs.model import ChargingPeriod
from evroam.modules.sessions.lifecycle import SessionUpdate, apply_update, check_opening
from evroam.modules.sessions.model import Session, SessionStatus
from evroam.modules.sessions.repository import SessionRepository, key_of
from evroam.platform import Platform
from evroam.protocol.timestamps import utc_now
from evroam.push.outbox import Change, enqueue
from evroam.push.owner import token_owner_partner
from evroam.storage.documents import ObjectKey

MODULE = "sessions"
_writers: WeakKeyDictionary[Platform, defaultdict[ObjectKey, asyncio.Lock]] = WeakKeyDictionary()


@asynccontextmanager
async def writing(platform: Platform, key: ObjectKey) -> AsyncIterator[AsyncSession]:
    """One transaction per change of one session, one at a time within the process (the row
    is also read FOR UPDATE, which serialises processes sharing PostgreSQL)."""
    lock = _writers.setdefault(platform, defaultdict(asyncio.Lock))[key.normalised()]
    async with lock, platform.unit_of_work() as session:
        yield session


async def _queue(db: AsyncSession, session: Session, fields: set[str] | None) -> None:
    token = session.cdr_token
    owner = await token_owner_partner(db, MODULE, token.country_code, token.party_id)
    if owner is None:
        return  # no connected partner speaks for the token's party: nobody to tell
    change = Change(
        MODULE, key_of(session), (session.id,), None if fields is None else frozenset(fields)
    )
    await enqueue(db, [change], now=utc_now(), partners=[owner])


async def open_session(platform: Platform, session: Session) -> Session:
    """Store a new Session of ours (PENDING, ACTIVE or RESERVATION) and queue its PUT."""
    platform.check_own_cpo(f"Session {session.id}", session.country_code, session.party_id)
    check_opening(session)
    key = key_of(session)
    async with writing(platform, key) as db:
        repo = SessionRepository(db)
        if await repo.row(key) is not None:
            raise EvroamError(f"Session {session.id} exists already; update it instead.")
        await repo.store(session, partner_id=None)
        await _queue(db, session, None)
    platform.push_wakeup.set()
    return session


async def update_session(platform: Platform, key: ObjectKey, change: SessionUpdate) -> Session:
    """Apply what happened to one of our sessions; the changed fields go out as a PATCH."""
    async with writing(platform, key) as db:
        repo = SessionRepository(db)
        row = await repo.row(key, for_update=True)
        if row is None or row.partner_id is not None:
            raise EvroamError(
                f"No Session {key.object_id} of {key.country_code}*{key.party_id} of ours."
            )
        updated, fields = apply_update(Session.model_validate(row.document), change, utc_now())
        if not fields:
            return updated
        await repo.store(updated, partner_id=None)
        await _queue(db, updated, fields)
    platform.push_wakeup.set()
    return updated


async def complete_session(
    platform: Platform,
    key: ObjectKey,
    *,
    at: datetime | None = None,
    kwh: Decimal | None = None,
    total_cost: Price | None = None,
    charging_periods: Sequence[ChargingPeriod] = (),
) -> Session:
    """The session ended (charging and parking): COMPLETED, final from now on (F.176)."""
    change = SessionUpdate(
        at=at,
        status=SessionStatus.COMPLETED,
        kwh=kwh,
        total_cost=total_cost,
        charging_periods=charging_periods,
        end_date_time=at,
    )
    return await update_session(platform, key, change)


async def invalidate_session(
    platform: Platform, key: ObjectKey, *, at: datetime | None = None
) -> Session:
    """The session is declared invalid and will not be billed (final)."""
    return await update_session(platform, key, SessionUpdate(at=at, status=SessionStatus.INVALID))
