"""Management: our own Tokens (eMSP) issued, imported, blocked, unblocked, listed and read.

Every change is stored with its outbox rows in one transaction and pushed to every CPO partner
(PUT for a new or replaced Token, PATCH of `valid` for a block or unblock), as with
`evroam tokens`. A Token's policy (expiry, credit, where it may charge) stays here.
"""

from collections.abc import Awaitable
from typing import Annotated

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel
from starlette.responses import Response

from evroam.deps import PlatformDep
from evroam.errors import EvroamError, InvalidParameters, NotFound
from evroam.management.auth import Admin
from evroam.management.locations import Limit, Listing, Offset, party_of, saved
from evroam.modules.locations.enums import TokenType
from evroam.modules.locations.publish import SaveResult
from evroam.modules.tokens import publish
from evroam.modules.tokens.authorization import TokenPolicy
from evroam.modules.tokens.model import Token
from evroam.modules.tokens.publish import NewToken, NoSuchToken, OwnToken
from evroam.protocol.envelope import Envelope, OcpiResponse

router = APIRouter(prefix="/tokens", tags=["management"], dependencies=[Admin])

TypeParam = Annotated[TokenType, Query(description="The Token's type (default RFID).")]
PartyParam = Annotated[
    str | None, Query(description="`COUNTRY*PARTY` of our eMSP party, when we host several.")
]


async def operated(work: Awaitable[BaseModel]) -> Response:
    """What a service call answers; an unknown Token is 404, another refusal 2001."""
    try:
        result = await work
    except NoSuchToken as exc:
        raise NotFound(str(exc)) from exc
    except EvroamError as exc:
        raise InvalidParameters(str(exc)) from exc
    return OcpiResponse(result)


@router.get("", response_model=Envelope[Listing[Token]])
async def list_tokens(platform: PlatformDep, offset: Offset = 0, limit: Limit = 50) -> Response:
    """Our Tokens, oldest first, with their total."""
    found, total = await publish.own_tokens(platform, offset=offset, limit=limit)
    return OcpiResponse(Listing(total=total, offset=offset, limit=limit, items=found))


@router.get("/{uid}", response_model=Envelope[OwnToken])
async def get_token(
    uid: str, platform: PlatformDep, type: TypeParam = TokenType.RFID, party: PartyParam = None
) -> Response:
    """One of our Tokens with its policy (404 when unknown)."""
    found = await publish.find_own_token(platform, uid, type, party=party_of(party))
    if found is None:
        raise NotFound(f"No {type} token {uid} of ours; GET /manage/tokens lists them.")
    return OcpiResponse(found)


@router.post("", response_model=Envelope[Token], status_code=201)
async def issue_token(platform: PlatformDep, body: NewToken) -> Response:
    """Issue a new Token (uid generated for app users, contract id when absent); pushed (PUT)."""
    response = await operated(publish.issue_token(platform, body))
    response.status_code = 201
    return response


@router.put("", response_model=Envelope[SaveResult])
async def put_tokens(
    platform: PlatformDep,
    body: Annotated[Token | list[Token], Body(description="One Token or a list.")],
) -> Response:
    """Create or replace our Tokens in one transaction; changed ones are pushed (PUT).

    Every Token must belong to one of our eMSP parties, app users need whitelist NEVER and
    group_id at most 20 characters, or nothing is saved (2001)."""
    return await saved(publish.save_tokens(platform, body if isinstance(body, list) else [body]))


@router.post("/{uid}/block", response_model=Envelope[Token])
async def block_token(
    uid: str, platform: PlatformDep, type: TypeParam = TokenType.RFID, party: PartyParam = None
) -> Response:
    """valid=false, PATCHed to every CPO partner at once."""
    return await operated(publish.block_token(platform, uid, type, party=party_of(party)))


@router.post("/{uid}/unblock", response_model=Envelope[Token])
async def unblock_token(
    uid: str, platform: PlatformDep, type: TypeParam = TokenType.RFID, party: PartyParam = None
) -> Response:
    """valid=true again, PATCHed to every CPO partner."""
    return await operated(publish.unblock_token(platform, uid, type, party=party_of(party)))


@router.put("/{uid}/policy", response_model=Envelope[OwnToken])
async def put_policy(
    uid: str,
    platform: PlatformDep,
    body: Annotated[TokenPolicy | None, Body(description="The new policy; null: none.")],
    type: TypeParam = TokenType.RFID,
    party: PartyParam = None,
) -> Response:
    """Replace a Token's policy (expiry, credit, Locations); it decides real-time answers."""
    work = publish.set_policy(platform, uid, type, body, party=party_of(party))
    return await operated(work)
