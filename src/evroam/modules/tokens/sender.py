"""Tokens Sender interface (eMSP): our Tokens, paginated, and real-time authorization
(DIGEST §9.3). There is no `POST {token_uid}` without `/authorize` (CONFORMANCE J.285)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from starlette.responses import Response

from evroam.deps import LIST_PARAMETERS, Exchange, PlatformDep, exchange_for, sender_list
from evroam.modules.locations.enums import TokenType
from evroam.modules.tokens import service
from evroam.modules.tokens.model import AuthorizationInfo, LocationReferences
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.settings import Role
from evroam.versions import VersionSpec

sender_exchange = exchange_for(Role.EMSP)
SenderExchange = Annotated[Exchange, Depends(sender_exchange)]
TokenUid = Annotated[str, Path(min_length=1, max_length=36)]
TypeParam = Annotated[TokenType, Query(description="The Token's type; RFID when absent.")]
Where = Annotated[
    LocationReferences | None,
    Body(description="Where the driver wants to charge (optional)."),
]


def build_sender_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["tokens"])

    @router.get("", response_model=Envelope[list[dict[str, Any]]], openapi_extra=LIST_PARAMETERS)
    async def get_tokens(request: Request) -> Response:
        """Our Tokens, oldest first, with date_from/date_to/offset/limit."""
        return await sender_list(request, sender_exchange, service.list_own)

    @router.post("/{token_uid}/authorize", response_model=Envelope[AuthorizationInfo])
    async def post_authorize(
        token_uid: TokenUid,
        ex: SenderExchange,
        platform: PlatformDep,
        type: TypeParam = TokenType.RFID,
        location: Where = None,
    ) -> Response:
        """Real-time authorization: may this Token charge (here)? HTTP 404 with 2004 when the
        Token is unknown; 2002 when its rules need LocationReferences and none were sent."""
        info = await service.authorize_own(platform, ex, token_uid, type, location)
        return OcpiResponse(info)

    return router
