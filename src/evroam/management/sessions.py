"""Management: the Sessions we hold, ours and received, listed and read (admin token)."""

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from evroam.deps import PlatformDep
from evroam.errors import EvroamError, NotFound
from evroam.management.auth import Admin
from evroam.management.locations import Limit, Listing, Offset
from evroam.modules.records import Origin, query_for
from evroam.modules.sessions import records
from evroam.modules.sessions.model import SessionStatus
from evroam.modules.sessions.records import SessionRecord
from evroam.platform import Platform
from evroam.protocol.envelope import Envelope, OcpiResponse

router = APIRouter(prefix="/sessions", tags=["management"], dependencies=[Admin])

OriginParam = Annotated[Origin, Query(description="own (we are the CPO), received, or all.")]
PartnerParam = Annotated[str | None, Query(description="Only those received from this partner.")]


@router.get("", response_model=Envelope[Listing[SessionRecord]])
async def list_sessions(
    platform: PlatformDep,
    origin: OriginParam = Origin.ALL,
    partner: PartnerParam = None,
    status: Annotated[SessionStatus | None, Query(description="Only in this status.")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Response:
    """Stored Sessions, oldest first, with their total."""
    query = await query_for(platform, origin, partner, offset=offset, limit=limit)
    found, total = await records.list_sessions(platform, query, status)
    return OcpiResponse(Listing(total=total, offset=offset, limit=limit, items=found))


@router.get("/{country_code}/{party_id}/{session_id}", response_model=Envelope[SessionRecord])
async def get_session(
    country_code: str, party_id: str, session_id: str, platform: PlatformDep
) -> Response:
    """One stored Session (404 when unknown)."""
    return OcpiResponse(await find(platform, session_id, (country_code, party_id)))


async def find(platform: Platform, object_id: str, party: tuple[str, str]) -> SessionRecord:
    try:
        return await records.find_session(platform, object_id, party)
    except EvroamError as exc:
        raise NotFound(str(exc)) from exc
