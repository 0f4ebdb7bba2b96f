"""Outbound Tokens calls: pushing our Tokens to CPOs' Receivers, and real-time authorization
at an eMSP's Sender (DIGEST §9.1–§9.3)."""

from typing import Any

from pydantic import ValidationError

from evroam.errors import PartnerError, PartnerHttpError, PartnerProtocolError
from evroam.modules.locations.enums import TokenType
from evroam.modules.tokens.model import AuthorizationInfo, LocationReferences
from evroam.modules.tokens.repository import TokenRepository, ours
from evroam.partners.client import PartnerClient, join_url
from evroam.partners.model import InterfaceRole, Partner
from evroam.platform import Platform
from evroam.protocol.routing import PartyRef, routing_headers
from evroam.protocol.types import ci_key
from evroam.push.routing import receiver_url
from evroam.push.worker import Claimed, Rejected, rejection
from evroam.storage.documents import ObjectKey

# Who receives Tokens: a CPO first, then the roles that may stand for one (DIGEST §2.2).
RECEIVING_ROLES = ("CPO", "HUB", "OTHER")


def to_receiving_party(partner: Partner, owner: PartyRef) -> dict[str, str]:
    """Routing headers from our owning eMSP party to the partner's CPO party."""
    ranked = sorted(
        (r for r in partner.roles if r.role in RECEIVING_ROLES),
        key=lambda r: RECEIVING_ROLES.index(r.role),
    )
    to = PartyRef(ranked[0].country_code, ranked[0].party_id) if ranked else None
    return routing_headers(owner, to)


# ── push: our Tokens to every CPO ──────────────────────────────────────────────────────────


async def deliver_token(
    platform: Platform, client: PartnerClient, partner: Partner, row: Claimed
) -> None:
    """Send the Token as it is now: PATCH of the changed fields (`valid` after a block or
    unblock), else PUT. Tokens are never deleted (J.297), so a vanished row sends nothing."""
    document = await _own_document(platform, row)
    if document is None:
        return
    owner = PartyRef(document["country_code"], document["party_id"])
    url = join_url(receiver_url(partner, "tokens"), owner.country_code, owner.party_id)
    url = join_url(url, document["uid"])
    params = {"type": document["type"]}
    headers = to_receiving_party(partner, owner)
    if row.fields is None:
        await _put(client, url, document, params, headers)
        return
    body = {name: document[name] for name in row.fields if name in document}
    body["last_updated"] = document["last_updated"]
    try:
        await client.request("PATCH", url, json_body=body, params=params, headers=headers)
    except PartnerError as exc:
        if not rejection(exc):
            raise
        await _put(client, url, document, params, headers)  # unknown there: send it whole


async def _own_document(platform: Platform, row: Claimed) -> dict[str, Any] | None:
    key = ObjectKey(row.country_code, row.party_id, row.object_id)
    async with platform.sessions() as session:
        repo = TokenRepository(session)
        found = await repo.find_documents(repo.where(key), ours())
    return found[0] if found else None


async def _put(
    client: PartnerClient,
    url: str,
    document: dict[str, Any],
    params: dict[str, str],
    headers: dict[str, str],
) -> None:
    try:
        await client.request("PUT", url, json_body=document, params=params, headers=headers)
    except PartnerError as exc:
        if rejection(exc):
            raise Rejected(str(exc)) from exc
        raise


# ── real-time authorization at the Token's eMSP ────────────────────────────────────────────


def sender_url(partner: Partner) -> str | None:
    """The partner's Tokens Sender URL, where Tokens are authorized; None if it has none."""
    endpoint = partner.endpoint("tokens", InterfaceRole.SENDER)
    return endpoint.url if endpoint is not None else None


async def request_authorization(
    platform: Platform,
    partner: Partner,
    *,
    uid: str,
    token_type: TokenType,
    location: LocationReferences | None,
    route: tuple[PartyRef, PartyRef | None],
) -> AuthorizationInfo:
    """POST `{tokens_url}/{uid}/authorize?type=` at the partner (Tokens §12.2.2), within the
    settings' authorize timeout. `route` is (our CPO party, the Token's owner if known).
    PartnerError when there is no usable answer; an HTTP 404 means an unknown Token (2004)."""
    base = sender_url(partner)
    if base is None or not partner.token_out:
        raise PartnerProtocolError(f"{partner.name} publishes no Tokens Sender interface")
    http = platform.settings.http.model_copy(
        update={"timeout_seconds": platform.settings.tokens.authorize_timeout_seconds}
    )
    body = None if location is None else location.model_dump(mode="json", exclude_none=True)
    url = join_url(base, uid, "authorize")
    async with PartnerClient(
        token=partner.token_out,
        encoding=platform.encoding_for(partner, partner.version),
        http=http,
        transport=platform.transport,
        routing_headers=routing_headers(*route),
        edge=platform.edge_for(partner),
    ) as client:
        answer = await client.request(
            "POST", url, json_body=body, params={"type": token_type.value}
        )
    return _authorization_info(answer.data, uid, token_type, url)


def _authorization_info(data: Any, uid: str, token_type: TokenType, url: str) -> AuthorizationInfo:
    try:
        info = AuthorizationInfo.model_validate(data)
    except ValidationError as exc:
        problem = f"Not an AuthorizationInfo: {exc.error_count()} errors"
        raise PartnerProtocolError(problem, url=url) from exc
    if ci_key(info.token.uid) != ci_key(uid) or info.token.type is not token_type:
        raise PartnerProtocolError("The AuthorizationInfo is about another Token", url=url)
    return info


def unknown_token(exc: PartnerError) -> bool:
    """The eMSP answered that it does not know the Token (HTTP 404, 2004; J.281)."""
    return isinstance(exc, PartnerHttpError) and exc.http_status == 404
