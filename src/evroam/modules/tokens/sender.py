"""Tokens Sender interface (eMSP): our Tokens, paginated, and real-time authorization
(DIGEST §9.3). There is no `POST {token_uid}` without `/authorize` (CONFORMANCE J.285)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from starlette.responses import Response

from evroam.deps import Exchange, PageDep, PlatformDep, exchange_for
from evroam.modules.locations.enums import TokenType
from evroam.modules.tokens import service
from evroam.modules.tokens.model import AuthorizationInfo, LocationReferences
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.protocol.pagination import text_page_response
from evroam.settings import Role
from evroam.versions import VersionSpec

SenderExchange = Annotated[Exchange, Depends(exchange_for(Role.EMSP))]
TokenUid = Annotated[str, Path(min_length=1, max_length=36)]
TypeParam = Annotated[TokenType, Query(description="The Token's type; RFID when absent.")]
Where = Annotated[
    LocationReferences | None,
    Body(description="Where the driver wants to charge (optional)."),
]


def build_sender_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["tokens"])

    @router.get("", response_model=Envelope[list[dict[str, Any]]])
    async def get_tokens(
        request: Request, page: PageDep, ex: SenderExchange, platform: PlatformDep
    ) -> Response:
        """Our Tokens, oldest first, with date_from/date_to/offset/limit."""
        found = await service.list_own(platform, ex, page)
        return text_page_response(
            public_url=platform.settings.public_url,
            path=request.url.path,
            query=request.url.query,
            page=page,
            documents=found.documents,
            total=found.total,
            end=found.end,
        )

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
