"""Sessions Receiver interface (eMSP): GET / PUT / PATCH of a partner's Sessions (DIGEST §6.3).

POST and DELETE are not part of the interface, nor any sub-path of a Session (a PATCH of
`/{session_id}/charging_periods` is not supported, CONFORMANCE F.172): FastAPI answers them
with HTTP 405 or 404. Bodies are parsed by the Session model (2001 on any violation).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path
from starlette.responses import Response

from evroam.deps import Exchange, PlatformDep, exchange_for
from evroam.modules.sessions import service
from evroam.modules.sessions.model import Session
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.settings import Role
from evroam.storage.documents import ObjectKey
from evroam.versions import VersionSpec

CountryCode = Annotated[str, Path(min_length=2, max_length=2, description="Owner CPO country")]
PartyId = Annotated[str, Path(min_length=3, max_length=3, description="Owner CPO party id")]
SessionId = Annotated[str, Path(min_length=1, max_length=36)]
receiver_exchange = exchange_for(Role.EMSP)
ReceiverExchange = Annotated[Exchange, Depends(receiver_exchange)]
PatchBody = Annotated[
    dict[str, Any], Body(description="Only the fields that change, with last_updated")
]
SESSION = "/{country_code}/{party_id}/{session_id}"


def build_receiver_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["sessions"])

    @router.get(SESSION, response_model=Envelope[dict[str, Any]])
    async def get_session(
        country_code: CountryCode,
        party_id: PartyId,
        session_id: SessionId,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """The Session as we hold it."""
        key = ObjectKey(country_code, party_id, session_id)
        return OcpiResponse(await service.get_received(platform, ex, key))

    @router.put(SESSION, response_model=Envelope[None])
    async def put_session(
        country_code: CountryCode,
        party_id: PartyId,
        session_id: SessionId,
        body: Session,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """Create or replace a Session; its charging_periods replace the stored ones."""
        key = ObjectKey(country_code, party_id, session_id)
        created = await service.put_received(platform, ex, key, body)
        return OcpiResponse(http_status=201 if created else 200)

    @router.patch(SESSION, response_model=Envelope[None])
    async def patch_session(
        country_code: CountryCode,
        party_id: PartyId,
        session_id: SessionId,
        body: PatchBody,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """Change some fields; charging_periods given are appended to the stored ones."""
        key = ObjectKey(country_code, party_id, session_id)
        await service.patch_received(platform, ex, key, body)
        return OcpiResponse()

    return router
