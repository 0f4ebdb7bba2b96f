"""Helpers for the Tokens contract tests: a registered CPO and eMSP, Token bodies, own Tokens.

The eMSP (DE*MSP) owns Tokens and pushes them to the CPO's (NL*CPO) Receiver; the CPO asks the
eMSP's Sender to authorize them. Bodies follow the spec's field table (DIGEST §9.4).
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from evroam.modules.tokens.authorization import TokenPolicy
from evroam.modules.tokens.model import Token
from evroam.modules.tokens.publish import save_tokens, set_policy
from evroam.settings import Settings
from tests.contract.locations_support import Link
from tests.support import HostRouter, Running, connect, partner_named, platforms

TOKENS_RECEIVER = "/ocpi/2.2.1/receiver/tokens"
TOKENS_SENDER = "/ocpi/2.2.1/sender/tokens"
STAMP = "2026-03-01T10:00:00Z"
LATER = "2026-03-01T11:00:00Z"
REQUIRED = (
    "country_code",
    "party_id",
    "uid",
    "type",
    "contract_id",
    "issuer",
    "valid",
    "whitelist",
    "last_updated",
)


def token(
    uid: str = "012345678",
    token_type: str = "RFID",
    *,
    country_code: str = "DE",
    party_id: str = "MSP",
    **extra: Any,
) -> dict[str, Any]:
    """A Token with every required field (DIGEST §9.4)."""
    return {
        "country_code": country_code,
        "party_id": party_id,
        "uid": uid,
        "type": token_type,
        "contract_id": "DEMSPC12E46L89",
        "issuer": "Drive Co",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": STAMP,
        **extra,
    }


@dataclass
class Roaming:
    """A registered CPO and eMSP and each one's way into the other."""

    router: HostRouter
    cpo: Running
    emsp: Running
    emsp_in: Link  # the eMSP calling the CPO (Tokens Receiver)
    cpo_in: Link  # the CPO calling the eMSP (Tokens Sender)


async def roaming_of(router: HostRouter, cpo: Running, emsp: Running) -> Roaming:
    await connect(emsp, cpo)
    to_cpo = (await partner_named(emsp.platform, "cpo")).token_out
    to_emsp = (await partner_named(cpo.platform, "emsp")).token_out
    assert to_cpo
    assert to_emsp
    router.requests.clear()
    return Roaming(router, cpo, emsp, Link(cpo, to_cpo), Link(emsp, to_emsp))


@asynccontextmanager
async def roaming(make: Callable[..., Settings], **extra: Any) -> AsyncIterator[Roaming]:
    cpo = make("cpo", "CPO:NL:CPO", **extra)
    emsp = make("emsp", "EMSP:DE:MSP", **extra)
    async with platforms(cpo, emsp) as (router, (a, b)):
        yield await roaming_of(router, a, b)


async def own(
    emsp: Running, *documents: dict[str, Any], policy: dict[str, Any] | None = None
) -> None:
    """Store Tokens of the eMSP's own (through the service), with one policy for all."""
    items = [Token.model_validate(d) for d in documents]
    await save_tokens(emsp.platform, items)
    if policy is not None:
        for item in items:
            await set_policy(emsp.platform, item.uid, item.type, TokenPolicy.model_validate(policy))


def status(response: httpx.Response) -> int:
    code = response.json()["status_code"]
    assert isinstance(code, int)
    return code


def data(response: httpx.Response) -> Any:
    assert status(response) == 1000, response.text
    return response.json()["data"]


def authorize_requests(router: HostRouter) -> list[httpx.Request]:
    """The real-time authorization requests that went over the wire."""
    return [r for r in router.requests if r.url.path.endswith("/authorize")]
