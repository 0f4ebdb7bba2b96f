"""Calls to a 2.1.1 peer: our 2.2.1 bodies converted on the way out, its 2.1.1 data on the
way in (the outbound half of the edge; edge.py is the inbound half).

`PeerEdge` rides on the PartnerClient of a partner connected on 2.1.1 (`Platform.client_for`)
and tells the call's module and interface from its URL under the partner's endpoints, so
every module's client (push, pull, authorization, commands) speaks 2.1.1 unchanged. Routing
headers are not sent (2.1.1 has none); every body is ASCII with whole-second times.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from evroam.errors import PartnerOcpiError, PartnerProtocolError
from evroam.partners.model import InterfaceRole, Partner
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime, utc_now
from evroam.versions.v2_1_1 import commands, locations, sessions, tariffs, tokens
from evroam.versions.v2_1_1.lookups import (
    session_document,
    token_by_uid,
)
from evroam.versions.v2_1_1.text import for_peer
from evroam.versions.v2_1_1.translate import (
    CONVERSION_ERRORS,
    cdr_location,
    cdr_out,
    cdr_received,
    embedded_location,
    session_received,
)

Doc = dict[str, Any]
SENDER, RECEIVER = InterfaceRole.SENDER, InterfaceRole.RECEIVER
DEFAULT_TIMEOUT = 30  # seconds a command may take: 2.1.1's CommandResponse names none


class PeerEdge:
    """The 2.1.1 conversions of one partner's calls."""

    def __init__(self, platform: Platform, partner: Partner) -> None:
        self.platform = platform
        self.partner = partner
        party = partner.roles[0] if len(partner.roles) == 1 else None
        self.owner = (party.country_code, party.party_id) if party else ("", "")
        ranked = sorted(partner.endpoints, key=lambda e: len(e.url), reverse=True)
        self.endpoints = [(e.url.rstrip("/"), e.identifier, e.role) for e in ranked]

    def route(self, url: str) -> tuple[str, InterfaceRole | None, list[str]] | None:
        """The module and interface a URL is under, and its path segments after the endpoint."""
        path = url.split("?", 1)[0].rstrip("/")
        for base, module, role in self.endpoints:
            if path == base or path.startswith(base + "/"):
                return module, role, [s for s in path[len(base) :].split("/") if s]
        return None

    async def outgoing(
        self, method: str, url: str, body: Any, params: dict[str, Any] | None
    ) -> tuple[Any, dict[str, Any] | None]:
        """The 2.1.1 body (and query) of a request we send."""
        route = self.route(url)
        if route is not None and route[0] == "tokens" and route[1] is RECEIVER and params:
            params = {k: v for k, v in params.items() if k != "type"}  # no ?type= in 2.1.1
        if route is None or not isinstance(body, dict):
            return (None if body is None else for_peer(body)), params
        module, role, rest = route
        try:
            converted = await self._out(module, role, method, rest, body)
        except CONVERSION_ERRORS as exc:  # Unsendable is a ValueError
            raise PartnerOcpiError(
                f"Not expressible in OCPI 2.1.1: {exc}",
                url=url,
                status_code=2001,
                status_message=str(exc),
            ) from exc
        return for_peer(converted), params

    async def _out(
        self, module: str, role: InterfaceRole | None, method: str, rest: list[str], body: Doc
    ) -> Doc:
        if role is SENDER:
            if module == "tokens":  # POST {uid}/authorize
                return tokens.location_references_out(body)
            return body
        if module == "locations":
            return self._location_out(method, rest, body)
        if module == "tariffs":
            return tariffs.tariff_out(body)
        if module == "tokens":
            return tokens.token_patch_out(body) if method == "PATCH" else tokens.token_out(body)
        if module == "sessions":
            if method == "PATCH":
                return sessions.session_patch_out(await self._whole_periods(rest, body))
            return sessions.session_out(body, await embedded_location(self.platform, body))
        if module == "cdrs":
            return cdr_out(body, await cdr_location(self.platform, body))
        if module == "commands" and rest:
            return commands.command_out(rest[0].upper(), body)
        return body

    async def _whole_periods(self, rest: list[str], patch: Doc) -> Doc:
        """A Session PATCH with every charging period: a 2.1.1 PATCH replaces the list where
        ours appends the new ones (the stored Session has them all)."""
        if "charging_periods" not in patch or len(rest) < 3:
            return patch
        stored = await session_document(self.platform, (rest[0], rest[1]), rest[2])
        if stored is None:
            return patch
        return patch | {"charging_periods": stored.get("charging_periods") or []}

    @staticmethod
    def _location_out(method: str, rest: list[str], body: Doc) -> Doc:
        if method == "PATCH":
            return locations.patch_out(body)
        level = len(rest) - 2
        converted = (
            locations.location_out(body)
            if level <= 1
            else locations.evse_out(body)
            if level == 2
            else locations.connector_out(body)
        )
        if converted is None:
            raise ValueError("its connectors are of standards 2.1.1 does not name")
        return converted

    def command_result(self, body: Doc) -> Doc:
        """A CommandResult as a 2.1.1 peer's response_url takes it: a CommandResponse."""
        converted: Doc = for_peer(commands.command_result_out(body))
        return converted

    async def incoming(
        self, method: str, url: str, data: Any, params: dict[str, Any] | None = None
    ) -> Any:
        """Our 2.2.1 reading of a 2.1.1 answer's data."""
        route = self.route(url)
        if route is None or data is None:
            return data
        module, role, rest = route
        kind = str((params or {}).get("type") or "RFID")

        async def convert(doc: Any) -> Any:
            return await self._in(module, role, method, rest, doc, kind)

        if isinstance(data, list):
            return [await _tolerant(convert, doc) for doc in data]
        try:
            return await convert(data)
        except CONVERSION_ERRORS as exc:
            raise PartnerProtocolError(f"Not a valid OCPI 2.1.1 {module} answer: {exc!r}") from exc

    async def _in(
        self,
        module: str,
        role: InterfaceRole | None,
        method: str,
        rest: list[str],
        doc: Any,
        kind: str,
    ) -> Any:
        if not isinstance(doc, dict):
            return doc  # left for the caller's validation to refuse
        if module == "commands" and method == "POST":
            return commands.command_response_in(doc, DEFAULT_TIMEOUT)
        if module == "tokens" and method == "POST":
            return tokens.authorization_info_in(doc, await self._token(rest, kind))
        if method != "GET":
            return doc
        level = len(rest) - 2 if role is RECEIVER else len(rest)
        return await self._object_in(module, level, doc)

    async def _object_in(self, module: str, level: int, doc: Doc) -> Doc:
        owner = self.owner
        if module == "locations":
            if level <= 1:
                return locations.location_in(doc, owner, self.platform.settings.legacy_time_zone)
            return locations.evse_in(doc) if level == 2 else locations.connector_in(doc)
        if module == "tariffs":
            return tariffs.tariff_in(doc, owner)
        if module == "tokens":
            return tokens.token_in(doc, owner)
        if module == "sessions":
            return await session_received(self.platform, doc, owner)
        if module == "cdrs":
            return await cdr_received(self.platform, doc, owner)
        return doc

    async def _token(self, rest: list[str], kind: str) -> Doc:
        """The Token an authorization was about (2.1.1's answer does not repeat it): the one we
        hold, else what the request named of it."""
        if not rest:
            raise PartnerProtocolError("An authorization URL without a token uid")
        uid = rest[0]
        known = await token_by_uid(self.platform, self.owner, uid, kind)
        return known or {
            "country_code": self.owner[0],
            "party_id": self.owner[1],
            "uid": uid,
            "type": kind,
            "contract_id": uid,
            "issuer": self.partner.name[:64],
            "valid": True,
            "whitelist": "ALLOWED",
            "last_updated": format_datetime(utc_now()),
        }


async def _tolerant(convert: Callable[[Any], Awaitable[Any]], doc: Any) -> Any:
    """One object of a list: as converted, or as received when it cannot be (the caller's
    validation then skips it and reports it, as any invalid object of a page)."""
    try:
        return await convert(doc)
    except CONVERSION_ERRORS:
        return doc
