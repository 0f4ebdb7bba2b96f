"""CDRs Receiver interface (eMSP): POST a CDR, GET it at the URL we answered (DIGEST §7.4).

CDRs cannot be replaced, updated or removed: PUT, PATCH and DELETE are answered with HTTP 405
by FastAPI (CONFORMANCE G.188). Bodies are parsed by the CDR model: a Credit CDR without
credit_reference_id (G.190), no charging periods (G.191) or a missing total (G.192) is 2001.
"""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from evroam.deps import Exchange, PlatformDep, exchange_for
from evroam.modules.cdrs import service
from evroam.modules.cdrs.model import Cdr
from evroam.partners.client import join_url
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.settings import Role
from evroam.storage.documents import ObjectKey
from evroam.versions import VersionSpec

CountryCode = Annotated[str, Path(min_length=2, max_length=2, description="Owner CPO country")]
PartyId = Annotated[str, Path(min_length=3, max_length=3, description="Owner CPO party id")]
CdrId = Annotated[str, Path(min_length=1, max_length=39)]
ReceiverExchange = Annotated[Exchange, Depends(exchange_for(Role.EMSP))]
CDR = "/{country_code}/{party_id}/{cdr_id}"


def cdr_url(public_url: str, path: str, cdr: Cdr) -> str:
    """Where the stored CDR is fetched: `{cdrs_url}/{country_code}/{party_id}/{cdr_id}`."""
    segments = (quote(s, safe="") for s in (cdr.country_code, cdr.party_id, cdr.id))
    return join_url(f"{public_url}{path}", *segments)


def build_receiver_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["cdrs"])

    @router.post("", response_model=Envelope[None])
    async def post_cdr(
        request: Request, body: Cdr, ex: ReceiverExchange, platform: PlatformDep
    ) -> Response:
        """Store a CDR; the `Location` header says where to GET it."""
        created = await service.post_received(platform, ex, body)
        location = cdr_url(platform.settings.public_url, request.url.path, body)
        return OcpiResponse(http_status=201 if created else 200, headers={"Location": location})

    @router.get(CDR, response_model=Envelope[dict[str, Any]])
    async def get_cdr(
        country_code: CountryCode,
        party_id: PartyId,
        cdr_id: CdrId,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """A CDR as we stored it."""
        key = ObjectKey(country_code, party_id, cdr_id)
        return OcpiResponse(await service.get_received(platform, ex, key))

    return router
