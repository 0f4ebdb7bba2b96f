"""FastAPI dependencies as Annotated aliases: the platform, the caller, the request context."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from starlette.responses import Response

from evroam.errors import InvalidParameters
from evroam.exchange import Exchange as Exchange  # routes take it from here
from evroam.partners.auth import Caller, Reach, authenticate
from evroam.partners.model import Partner, PartyRole
from evroam.platform import Platform
from evroam.protocol.context import RequestContext, context_of
from evroam.protocol.lane import LaneRoute, lane_route
from evroam.protocol.pagination import (
    PageRequest,
    page_request,
    text_page_response,
)
from evroam.protocol.routing import PartyRef, parse_routing, routing_headers
from evroam.settings import PartySettings, Role
from evroam.storage.documents import TextPage


async def get_platform(request: Request) -> Platform:
    # async: a plain function would be run on a worker thread for every request
    platform = request.app.state.platform
    assert isinstance(platform, Platform)
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]

# Sender list query parameters (DIGEST §1.8), as documented in OpenAPI.
OffsetParam = Annotated[int | None, Query(description="Index of the first object (default 0).")]
LimitParam = Annotated[int | None, Query(description="Maximum objects wanted; capped by X-Limit.")]
DateFromParam = Annotated[
    str | None, Query(description="Only objects with last_updated ≥ date_from (UTC).")
]
DateToParam = Annotated[str | None, Query(description="Only objects with last_updated < date_to.")]
CursorParam = Annotated[
    str | None, Query(description="Opaque; set by the server in `Link`, keep it as given.")
]

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


def exchange_for(*roles: Role) -> Callable[..., Awaitable[Exchange]]:
    """Dependency for a functional module served by local parties of `roles` (DIGEST §2.3).

    OCPI-to-* picks our party (default: the first of a fitting role), OCPI-from-* the partner's
    (default: its only party). The response carries them swapped (CONFORMANCE A.29).
    """

    async def resolve(
        request: Request, caller: FunctionalCaller, platform: PlatformDep
    ) -> Exchange:
        # a plain dict of the (lower-cased) headers: a miss on starlette's Headers costs a
        # KeyError, and parse_routing looks for four headers most requests do not carry
        routing = parse_routing(dict(request.headers.items()))
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


# ── Sender GET-lists: resolved in one call ──────────────────────────────────────────────────

ExchangeResolver = Callable[[Request, Caller, Platform], Awaitable[Exchange]]
Lister = Callable[[Platform, Exchange, PageRequest], Awaitable[TextPage]]


async def sender_list(request: Request, resolve: ExchangeResolver, lister: Lister) -> Response:
    """A Sender GET-list answer: caller, parties and page resolved, the page listed by `lister`
    (stored JSON), pagination headers on the public URL.

    The dependencies' own functions are called directly: FastAPI's per-request solving of the
    eight dependencies and seven parameters cost more than serving a page from memory (about
    0.4 ms a request), and these lists are what partners pull most. The route documents the
    parameters with `LIST_PARAMETERS`."""
    platform = await get_platform(request)
    caller = await functional_caller(platform, request.headers.get("authorization"))
    exchange = await resolve(request, caller, platform)
    query = request.query_params
    page = await page_params(
        platform,
        offset=_query_int(query.get("offset"), "offset"),
        limit=_query_int(query.get("limit"), "limit"),
        date_from=query.get("date_from"),
        date_to=query.get("date_to"),
        cursor=query.get("cursor"),
    )
    found = await lister(platform, exchange, page)
    return text_page_response(
        public_url=platform.settings.public_url,
        path=request.scope["path"],
        query=request.scope["query_string"].decode("latin-1"),
        page=page,
        data=found.data,
        returned=found.returned,
        total=found.total,
        end=found.end,
    )


def list_lane(resolve: ExchangeResolver, lister: Lister) -> Callable[[str], list[LaneRoute]]:
    """The fast-lane route of a Sender GET-list served at a path (EndpointSpec.build_lane)."""

    async def answer(request: Request, _: object) -> Response:
        return await sender_list(request, resolve, lister)

    return lambda path: [lane_route("GET", path, answer)]


def _query_int(raw: str | None, name: str) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise InvalidParameters(f"{name} must be an integer, not {raw!r}") from exc


def _query(name: str, description: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": {"type": kind}, "description": description}


LIST_PARAMETERS: dict[str, Any] = {
    "parameters": [
        {
            "name": "Authorization",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": "`Token <base64 of the credentials token>`",
        },
        _query("offset", "Index of the first object (default 0).", "integer"),
        _query("limit", "Maximum objects wanted; capped by X-Limit.", "integer"),
        _query("date_from", "Only objects with last_updated ≥ date_from (UTC)."),
        _query("date_to", "Only objects with last_updated < date_to."),
        _query("cursor", "Opaque; set by the server in `Link`, keep it as given."),
    ]
}
"""OpenAPI parameters of a Sender GET-list answered by `sender_list` (`openapi_extra`)."""
