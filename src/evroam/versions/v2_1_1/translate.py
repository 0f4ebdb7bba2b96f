"""Which conversion a 2.1.1 request and its answer take, by module, interface and method.

`request_in` turns a 2.1.1 body into the 2.2.1 body our routes take (plus any query the 2.2.1
URL needs); `response_out` turns the 2.2.1 data of the answer into what the 2.1.1 peer reads.
Both are called by the edge (edge.py) with the request's `Call`.
"""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from evroam.errors import InvalidParameters, NotFound
from evroam.partners.model import InterfaceRole
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime, utc_now
from evroam.versions.v2_1_1 import cdrs, commands, locations, sessions, tariffs, tokens
from evroam.versions.v2_1_1.lookups import (
    location_document,
    our_party,
    session_of_cdr,
    token_by_contract,
    token_type_of,
)

Doc = dict[str, Any]
SENDER, RECEIVER = InterfaceRole.SENDER, InterfaceRole.RECEIVER
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
Inner = Callable[[str, Any, dict[str, str]], Awaitable[Answer]]
CDR_ID_LENGTH = 36  # 2.1.1 CDR.id; 2.2.1 allows 39


@dataclass(frozen=True)
class Call:
    """One 2.1.1 functional request: our interface, its method and the path after it."""

    platform: Platform
    module: str
    role: InterfaceRole
    method: str
    rest: list[str]
    owner: tuple[str, str] | None  # the calling peer's party, from its credentials

    @property
    def url_owner(self) -> tuple[str, str]:
        """The owner a Receiver URL names (`/{country_code}/{party_id}/…`)."""
        if len(self.rest) < 3:
            raise InvalidParameters("The URL must name country_code, party_id and the object id")
        return self.rest[0], self.rest[1]


def _object(body: Any) -> Doc:
    if not isinstance(body, dict):
        raise InvalidParameters("The body must be a JSON object")
    return body


def _stamped(patch: Doc) -> Doc:
    """2.1.1 PATCHes need no last_updated; our 2.2.1 routes do: it is the time received."""
    return patch if patch.get("last_updated") else patch | {"last_updated": _now()}


def _now() -> str:
    return format_datetime(utc_now())


# ── requests: 2.1.1 body → 2.2.1 body ───────────────────────────────────────────────────────


async def request_in(call: Call, body: Any) -> tuple[Any, dict[str, str]]:
    """The 2.2.1 body (and extra query parameters) for a 2.1.1 request."""
    if call.method not in ("PUT", "PATCH", "POST") or body is None:
        return body, {}
    doc = _object(body)
    if call.role is RECEIVER:
        return await _receiver_in(call, doc)
    if call.module == "tokens":  # POST {uid}/authorize with LocationReferences
        return tokens.location_references_in(doc), {}
    if call.module == "commands":  # a CPO's callback to a response_url: a CommandResponse
        return commands.command_result_in(doc), {}
    return doc, {}


async def query_in(call: Call) -> dict[str, str]:
    """What a 2.2.1 URL needs that a 2.1.1 URL does not say: a Token Receiver URL names the
    Token by uid alone in 2.1.1, by uid and type (default RFID) in 2.2.1."""
    if call.module != "tokens" or call.role is not RECEIVER or len(call.rest) < 3:
        return {}
    kind = await token_type_of(call.platform, call.url_owner, call.rest[2])
    return {"type": kind} if kind else {}


async def _receiver_in(call: Call, doc: Doc) -> tuple[Any, dict[str, str]]:
    platform, module = call.platform, call.module
    if module == "locations":
        return _location_in(call, doc), {}
    if module == "tariffs":  # the spec's own PUT example has no last_updated: received now
        return _stamped(tariffs.tariff_in(doc, call.url_owner)), {}
    if module == "tokens":
        if call.method == "PATCH":
            return _stamped(tokens.token_patch_in(doc)), {}
        return tokens.token_in(doc, call.url_owner), {"type": str(doc.get("type") or "RFID")}
    if module == "sessions":
        if call.method == "PATCH":
            return _stamped(sessions.session_patch_in(doc)), {}
        return await session_received(platform, doc, call.url_owner), {}
    if module == "cdrs" and call.owner is not None:
        return await cdr_received(platform, doc, call.owner), {}
    if module == "commands" and call.rest and call.owner is not None:
        return commands.command_in(call.rest[0].upper(), doc, call.owner), {}
    return doc, {}


def _location_in(call: Call, doc: Doc) -> Doc:
    if call.method == "PATCH":
        return _stamped(locations.patch_in(doc))
    level = len(call.rest) - 2
    if level == 1:
        zone = call.platform.settings.legacy_time_zone
        return locations.location_in(doc, call.url_owner, zone)
    return locations.evse_in(doc) if level == 2 else locations.connector_in(doc)


async def session_received(platform: Platform, doc: Doc, owner: tuple[str, str]) -> Doc:
    """A 2.1.1 Session of the CPO `owner`, pushed or pulled, as we store it: its driver is the
    Token of ours whose contract is the Session's auth_id."""
    token = await _token_of(platform, doc)
    return sessions.session_in(doc, owner, token, token_owner=our_party(platform))


async def cdr_received(platform: Platform, doc: Doc, owner: tuple[str, str]) -> Doc:
    """A 2.1.1 CDR of the CPO `owner`, pushed or pulled, as we store it: its driver found as
    for a Session, its Tariffs owned by the CPO, linked to the Session it settles."""
    token = await _token_of(platform, doc)
    tariff_in = partial(tariffs.tariff_in, owner=owner)
    converted = cdrs.cdr_in(doc, owner, token, tariff_in, token_owner=our_party(platform))
    return await with_session(platform, converted)


async def with_session(platform: Platform, cdr: Doc) -> Doc:
    """The CDR with the id of the Session it settles, where we hold that Session."""
    session_id = await session_of_cdr(platform, cdr)
    return cdr | {"session_id": session_id} if session_id else cdr


async def _token_of(platform: Platform, doc: Doc) -> Doc | None:
    auth_id = doc.get("auth_id")
    return await token_by_contract(platform, auth_id) if isinstance(auth_id, str) else None


def replacing_patch(call: Call, body: Any) -> bool:
    """Whether a 2.1.1 PATCH is served as a PUT of the merged object: a Tariff (2.1.1
    Receivers take PATCH, 2.2.1 has none, H.217) or a Session's charging_periods (a 2.1.1
    PATCH replaces the list, a 2.2.1 PATCH appends to it)."""
    if call.method != "PATCH" or call.role is not RECEIVER:
        return False
    if call.module == "tariffs":
        return True
    return call.module == "sessions" and isinstance(body, dict) and "charging_periods" in body


async def patch_as_put(call: Call, body: Any, inner: Inner) -> Answer:
    """The stored object with the given fields replaced, PUT whole; fields not given keep
    their stored values. (Read and write are two requests: a change between them by the same
    peer would be overwritten, which a peer sending one object's updates in order never does.)"""
    found = await inner("GET", None, {})
    status, _, content = found
    envelope = json.loads(content) if status == 200 else None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("data"), dict):
        return found
    patch = _object(body)
    try:
        if call.module == "tariffs":
            fields = tariffs.patch_in(patch)
        else:
            fields = sessions.session_patch_in(patch)
    except CONVERSION_ERRORS as exc:
        raise unreadable(call, exc) from exc
    return await inner("PUT", envelope["data"] | _stamped(fields), {})


CONVERSION_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def unreadable(call: Call, exc: Exception) -> InvalidParameters:
    """2001 for a 2.1.1 body the converters cannot read, naming a missing field."""
    what = f"missing field {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)[:200]
    return InvalidParameters(f"Not a valid OCPI 2.1.1 {call.module} body: {what}")


# ── answers: 2.2.1 data → 2.1.1 data ────────────────────────────────────────────────────────


async def response_out(call: Call, data: Any) -> Any:
    """The 2.1.1 data of a successful answer."""
    if isinstance(data, list):
        items = [await _object_out(call, item, 1) for item in data if isinstance(item, dict)]
        return [item for item in items if item is not None]
    if not isinstance(data, dict):
        return data
    level = len(call.rest) - 2 if call.role is RECEIVER else len(call.rest)
    converted = await _object_out(call, data, level)
    if converted is None:
        raise NotFound(f"This {call.module} object cannot be expressed in OCPI 2.1.1")
    return converted


async def _object_out(call: Call, doc: Doc, level: int) -> Doc | None:
    module = call.module
    if module == "locations":
        if level <= 1:
            # 2.1.1 cannot say who may see an unpublished Location: its peers see none
            return None if doc.get("publish") is False else locations.location_out(doc)
        if level == 2:
            return locations.evse_out(doc)
        return locations.connector_out(doc)
    if module == "tariffs":
        try:
            return tariffs.tariff_out(doc)
        except tariffs.Unsendable:
            return None
    if module == "tokens":
        if call.method == "POST":
            return tokens.authorization_info_out(doc)
        return tokens.token_out(doc)
    if module == "sessions":
        return sessions.session_out(doc, await embedded_location(call.platform, doc))
    if module == "cdrs":
        return cdr_out(doc, await cdr_location(call.platform, doc))
    if module == "commands":
        return commands.command_response_out(doc)
    return doc


def cdr_out(cdr: Doc, location: Doc) -> Doc:
    """A CDR for a 2.1.1 peer: never a credit CDR (2.1.1 has none: the peer would bill the
    driver again), with the Tariffs 2.1.1 can state (its prices stand in the CDR anyway)."""
    if cdr.get("credit"):
        raise tariffs.Unsendable(f"CDR {cdr.get('id')} is a credit CDR, unknown to 2.1.1")
    if len(str(cdr.get("id", ""))) > CDR_ID_LENGTH:
        raise tariffs.Unsendable(f"CDR id {cdr.get('id')} is longer than 2.1.1's 36 characters")
    sendable = []
    for tariff in cdr.get("tariffs") or []:
        try:
            sendable.append(tariffs.tariff_out(tariff))
        except tariffs.Unsendable:
            continue
    shown = cdr | {"tariffs": sendable} if cdr.get("tariffs") is not None else cdr
    return cdrs.cdr_out(shown, location, lambda converted: converted)


async def embedded_location(platform: Platform, session: Doc) -> Doc:
    """The 2.1.1 Location a Session embeds: the stored one with only its EVSE and connector."""
    where = (session.get("location_id"), session.get("evse_uid"), session.get("connector_id"))
    return await _used_location(platform, session, where) or _unknown_location(session)


async def cdr_location(platform: Platform, cdr: Doc) -> Doc:
    """The 2.1.1 Location a CDR embeds: the stored one, else one built from its CdrLocation."""
    place = cdr.get("cdr_location") or {}
    where = (place.get("id"), place.get("evse_uid"), place.get("connector_id"))
    return await _used_location(platform, cdr, where) or cdrs.location_from_cdr_location(
        place, str(cdr.get("last_updated", _now()))
    )


async def _used_location(platform: Platform, used_by: Doc, where: tuple[Any, ...]) -> Doc | None:
    """The stored Location of the Session's or CDR's owner, with only the EVSE and connector
    used (`where`: location id, EVSE uid, connector id), in 2.1.1; None when we do not hold it."""
    location_id, evse_uid, connector_id = where
    owner = (str(used_by.get("country_code", "")), str(used_by.get("party_id", "")))
    stored = await location_document(platform, owner, str(location_id or ""))
    if stored is None:
        return None
    return locations.location_out(locations.restricted(stored, evse_uid, connector_id))


def _unknown_location(session: Doc) -> Doc:
    """A Session's Location we do not hold: its id, no EVSE (2.1.1 allows none), and 2.1.1's
    required fields empty rather than invented."""
    return {
        "id": session.get("location_id", ""),
        "type": "UNKNOWN",
        "address": "",
        "city": "",
        "postal_code": "",
        "country": locations.country_out(None),
        "coordinates": {"latitude": "0.000000", "longitude": "0.000000"},
        "evses": [],
        "last_updated": session.get("last_updated", _now()),
    }
