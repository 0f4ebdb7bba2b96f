"""Tokens Receiver interface (CPO): GET / PUT / PATCH of a partner's Tokens (DIGEST §9.2).

`{country_code}/{party_id}/{token_uid}[?type=]`, type RFID when absent (CONFORMANCE J.273).
Tokens are never deleted and not created by POST: FastAPI answers DELETE and POST with HTTP 405
(J.277). Bodies are parsed by the Token model (2001 on any violation).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query
from starlette.responses import Response

from evroam.deps import Exchange, PlatformDep, exchange_for
from evroam.modules.locations.enums import TokenType
from evroam.modules.tokens import service
from evroam.modules.tokens.model import Token
from evroam.modules.tokens.service import TokenPath
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.settings import Role
from evroam.versions import VersionSpec

CountryCode = Annotated[str, Path(min_length=2, max_length=2, description="Owner eMSP country")]
PartyId = Annotated[str, Path(min_length=3, max_length=3, description="Owner eMSP party id")]
TokenUid = Annotated[str, Path(min_length=1, max_length=36)]
TypeParam = Annotated[TokenType, Query(description="The Token's type; RFID when absent.")]
ReceiverExchange = Annotated[Exchange, Depends(exchange_for(Role.CPO))]
PatchBody = Annotated[
    dict[str, Any], Body(description="Only the fields that change, with last_updated")
]
TOKEN = "/{country_code}/{party_id}/{token_uid}"


def build_receiver_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["tokens"])

    @router.get(TOKEN, response_model=Envelope[Token])
    async def get_token(
        country_code: CountryCode,
        party_id: PartyId,
        token_uid: TokenUid,
        ex: ReceiverExchange,
        platform: PlatformDep,
        type: TypeParam = TokenType.RFID,
    ) -> Response:
        """The Token as we stored it (404 when unknown)."""
        path = TokenPath(country_code, party_id, token_uid, type)
        return OcpiResponse(await service.get_received(platform, ex, path))

    @router.put(TOKEN, response_model=Envelope[None])
    async def put_token(
        country_code: CountryCode,
        party_id: PartyId,
        token_uid: TokenUid,
        body: Token,
        ex: ReceiverExchange,
        platform: PlatformDep,
        type: TypeParam = TokenType.RFID,
    ) -> Response:
        """Create or replace a Token (201 when new)."""
        path = TokenPath(country_code, party_id, token_uid, type)
        created = await service.put_received(platform, ex, path, body)
        return OcpiResponse(http_status=201 if created else 200)

    @router.patch(TOKEN, response_model=Envelope[None])
    async def patch_token(
        country_code: CountryCode,
        party_id: PartyId,
        token_uid: TokenUid,
        body: PatchBody,
        ex: ReceiverExchange,
        platform: PlatformDep,
        type: TypeParam = TokenType.RFID,
    ) -> Response:
        """Change some fields of a Token (typically `valid`); last_updated is required."""
        path = TokenPath(country_code, party_id, token_uid, type)
        await service.patch_received(platform, ex, path, body)
        return OcpiResponse()

    return router
