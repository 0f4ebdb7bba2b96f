"""FastAPI dependencies as Annotated aliases: the platform, the caller, the request context."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from evroam.errors import InvalidParameters
from evroam.partners.auth import Caller, Reach, authenticate
from evroam.partners.model import Partner, PartyRole
from evroam.platform import Platform
from evroam.protocol.context import RequestContext, context_of
from evroam.protocol.pagination import (
    CursorParam,
    DateFromParam,
    DateToParam,
    LimitParam,
    OffsetParam,
    PageRequest,
    page_request,
)
from evroam.protocol.routing import PartyRef, parse_routing, routing_headers
from evroam.settings import PartySettings, Role


async def get_platform(request: Request) -> Platform:
    # async: a plain function would be run on a worker thread for every request
    platform = request.app.state.platform
    assert isinstance(platform, Platform)
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]

AuthorizationHeader = Annotated[
    str | None,
    Header(alias="Authorization", description="`Token <base64 of the credentials token>`"),
]


async def versions_caller(
    platform: PlatformDep, authorization: AuthorizationHeader = None
) -> Caller:
    return await authenticate(platform, authorization, Reach.VERSIONS)


async def credentials_caller(
    platform: PlatformDep, authorization: AuthorizationHeader = None
) -> Caller:
    return await authenticate(platform, authorization, Reach.CREDENTIALS)


async def functional_caller(
    platform: PlatformDep, authorization: AuthorizationHeader = None
) -> Caller:
    return await authenticate(platform, authorization, Reach.FUNCTIONAL)


async def page_params(
    platform: PlatformDep,
    offset: OffsetParam = None,
    limit: LimitParam = None,
    date_from: DateFromParam = None,
    date_to: DateToParam = None,
    cursor: CursorParam = None,
) -> PageRequest:
    """The pagination query of a Sender GET-list, capped at the platform's page limit."""
    return page_request(
        offset=offset,
        limit=limit,
        date_from=date_from,
        date_to=date_to,
        cap=platform.settings.http.page_limit,
        cursor=cursor,
    )


PageDep = Annotated[PageRequest, Depends(page_params)]


def request_context(request: Request) -> RequestContext:
    return context_of(request.scope)


VersionsCaller = Annotated[Caller, Depends(versions_caller)]
CredentialsCaller = Annotated[Caller, Depends(credentials_caller)]
FunctionalCaller = Annotated[Caller, Depends(functional_caller)]
ContextDep = Annotated[RequestContext, Depends(request_context)]


@dataclass(frozen=True)
class Exchange:
    """A functional-module request resolved to parties: our addressed party and the sender."""

    caller: Caller
    local: PartySettings
    remote: PartyRole | None
    addressed: bool = False  # the request named our party in OCPI-to-*

    @property
    def partner(self) -> Partner:
        return self.caller.partner


def exchange_for(*roles: Role) -> Callable[..., Awaitable[Exchange]]:
    """Dependency for a functional module served by local parties of `roles` (DIGEST §2.3).

    OCPI-to-* picks our party (default: the first of a fitting role), OCPI-from-* the partner's
    (default: its only party). The response carries them swapped (CONFORMANCE A.29).
    """

    async def resolve(
        request: Request, caller: FunctionalCaller, platform: PlatformDep
    ) -> Exchange:
        routing = parse_routing(request.headers)
        local = _local_party(platform.parties, set(roles), routing.to)
        remote = _remote_party(caller.partner, routing.from_)
        reply_to = PartyRef(remote.country_code, remote.party_id) if remote else routing.from_
        context_of(request.scope).response_headers.update(
            routing_headers(PartyRef(local.country_code, local.party_id), reply_to)
        )
        return Exchange(caller, local, remote, addressed=routing.to is not None)

    return resolve


def _local_party(
    parties: list[PartySettings], roles: set[Role], to: PartyRef | None
) -> PartySettings:
    fitting = [p for p in parties if p.role in roles] or parties
    if to is None:
        return fitting[0]
    for party in fitting:
        if PartyRef(party.country_code, party.party_id) == to:
            return party
    raise InvalidParameters(f"OCPI-to-country-code/party-id {to} is not a party on this platform")


def _remote_party(partner: Partner, sender: PartyRef | None) -> PartyRole | None:
    if sender is None:
        return partner.roles[0] if len(partner.roles) == 1 else None
    for role in partner.roles:
        if PartyRef(role.country_code, role.party_id) == sender:
            return role
    raise InvalidParameters(
        f"OCPI-from-country-code/party-id {sender} is not carried by this connection"
    )
