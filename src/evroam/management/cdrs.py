"""Management: the CDRs we hold, ours and received, listed and read (admin token)."""

from fastapi import APIRouter
from starlette.responses import Response

from evroam.deps import PlatformDep
from evroam.errors import EvroamError, NotFound
from evroam.management.auth import Admin
from evroam.management.locations import Limit, Listing, Offset
from evroam.management.sessions import OriginParam, PartnerParam
from evroam.modules.cdrs import records
from evroam.modules.cdrs.records import CdrRecord
from evroam.modules.records import Origin, query_for
from evroam.protocol.envelope import Envelope, OcpiResponse

router = APIRouter(prefix="/cdrs", tags=["management"], dependencies=[Admin])


@router.get("", response_model=Envelope[Listing[CdrRecord]])
async def list_cdrs(
    platform: PlatformDep,
    origin: OriginParam = Origin.ALL,
    partner: PartnerParam = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Response:
    """Stored CDRs, oldest first, with their total."""
    query = await query_for(platform, origin, partner, offset=offset, limit=limit)
    found, total = await records.list_cdrs(platform, query)
    return OcpiResponse(Listing(total=total, offset=offset, limit=limit, items=found))


@router.get("/{country_code}/{party_id}/{cdr_id}", response_model=Envelope[CdrRecord])
async def get_cdr(country_code: str, party_id: str, cdr_id: str, platform: PlatformDep) -> Response:
    """One stored CDR (404 when unknown)."""
    try:
        found = await records.find_cdr(platform, cdr_id, (country_code, party_id))
    except EvroamError as exc:
        raise NotFound(str(exc)) from exc
    return OcpiResponse(found)
