"""OCPI 2.1.1 Commands (chapter mod_commands, §3 objects, §4 data types) to and from our
2.2.1 JSON.

Pure functions on plain JSON dicts: they never mutate their input and drop the fields the
target version lacks (DIGEST §17 items 26 and 27). 2.1.1 answers a command twice with the
same CommandResponse {result}, synchronously and at the response_url (CONFORMANCE 326);
2.2.1 answers with CommandResponse {result, timeout, message} and later a CommandResult.
"""

from copy import deepcopy
from typing import Any

from evroam.modules.commands.model import CommandResponseType
from evroam.versions.v2_1_1.tokens import token_in, token_out

__all__ = [
    "command_in",
    "command_out",
    "command_response_in",
    "command_response_out",
    "command_result_in",
    "command_result_out",
]

# The 2.1.1 commands (§4.2) and their bodies' fields (§3.2 to §3.5) in spec order: 2.2.1
# has every one of them under the same name.
_BODY_FIELDS = {
    "RESERVE_NOW": (
        "response_url",
        "token",
        "expiry_date",
        "reservation_id",
        "location_id",
        "evse_uid",
    ),
    "START_SESSION": ("response_url", "token", "location_id", "evse_uid"),
    "STOP_SESSION": ("response_url", "session_id"),
    "UNLOCK_CONNECTOR": ("response_url", "location_id", "evse_uid", "connector_id"),
}
# CommandResult values 2.1.1's CommandResponseType has (§4.1); the others are REJECTED.
_RESULTS_OUT = frozenset({"ACCEPTED", "NOT_SUPPORTED", "REJECTED", "TIMEOUT"})
_RESPONSE_TYPES_2_2_1 = frozenset(kind.value for kind in CommandResponseType)


def _body_fields(kind: str) -> tuple[str, ...]:
    if kind == "CANCEL_RESERVATION":
        raise ValueError(
            "OCPI 2.1.1 has no CANCEL_RESERVATION command (Commands §4.2): a reservation "
            "made with a 2.1.1 peer ends at its expiry_date"
        )
    if kind not in _BODY_FIELDS:
        raise ValueError(f"OCPI 2.1.1 has no {kind!r} command (Commands §4.2)")
    return _BODY_FIELDS[kind]


def _english(text: str) -> list[dict[str, Any]]:
    return [{"language": "en", "text": text}]


def _reservation_id_out(value: Any) -> int:
    """2.1.1 ReserveNow.reservation_id is an int (§3.2, CONFORMANCE 327)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and 0 < int(value) < 2**31:
        return int(value)  # CPOs pass it on to OCPP 1.6's ReserveNow, a 32-bit integer
    raise ValueError(
        f"reservation_id {value!r} cannot go to a 2.1.1 peer: 2.1.1 reservation ids are "
        "integers (Commands §3.2): a string of digits from 1 to 2147483647"
    )


def _reservation_id_in(value: Any) -> str:
    """2.2.1 ReserveNow.reservation_id is a CiString(36) (CONFORMANCE 327)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value  # a lenient 2.1.1 peer's "123"
    raise ValueError(f"reservation_id {value!r} is not an integer (Commands §3.2)")


def command_out(kind: str, doc: dict[str, Any]) -> dict[str, Any]:
    """A 2.2.1 command body of `kind` (CommandType) as its 2.1.1 body.

    StartSession loses connector_id (the Charge Point picks the connector) and both lose
    authorization_reference; the Token goes out as a 2.1.1 Token.
    """
    body = {name: deepcopy(doc[name]) for name in _body_fields(kind) if name in doc}
    if "token" in body:
        body["token"] = token_out(body["token"])
    if "reservation_id" in body:
        body["reservation_id"] = _reservation_id_out(body["reservation_id"])
    return body


def command_in(kind: str, doc: dict[str, Any], owner: tuple[str, str]) -> dict[str, Any]:
    """A 2.1.1 command body of `kind` as its 2.2.1 body; the Token is `owner`'s (the peer's
    country_code, party_id: a 2.1.1 Token does not name its eMSP)."""
    body = {name: deepcopy(doc[name]) for name in _body_fields(kind) if name in doc}
    if "token" in body:
        body["token"] = token_in(body["token"], owner)
    if "reservation_id" in body:
        body["reservation_id"] = _reservation_id_in(body["reservation_id"])
    return body


def command_response_out(doc: dict[str, Any]) -> dict[str, Any]:
    """A 2.2.1 CommandResponse as 2.1.1 (§3.1): the result only, no timeout or message.
    Every 2.2.1 CommandResponseType value exists in 2.1.1."""
    return {"result": doc["result"]}


def command_response_in(doc: dict[str, Any], default_timeout: int) -> dict[str, Any]:
    """A 2.1.1 synchronous CommandResponse as 2.2.1, with `default_timeout` seconds (2.1.1
    names none). 2.2.1's CommandResponseType has no TIMEOUT, so TIMEOUT is REJECTED with a
    message that says why."""
    result = doc["result"]
    if result == "TIMEOUT" and result not in _RESPONSE_TYPES_2_2_1:
        return {
            "result": "REJECTED",
            "timeout": default_timeout,
            "message": _english("timeout: no answer from the Charge Point in reasonable time"),
        }
    return {"result": result, "timeout": default_timeout}


def command_result_out(doc: dict[str, Any]) -> dict[str, Any]:
    """A 2.2.1 CommandResult as the 2.1.1 CommandResponse POSTed to the response_url
    (CONFORMANCE 326): EVSE_OCCUPIED, EVSE_INOPERATIVE, FAILED, CANCELED_RESERVATION and
    UNKNOWN_RESERVATION have no 2.1.1 value (CONFORMANCE 373) and become REJECTED."""
    result = doc["result"]
    return {"result": result if result in _RESULTS_OUT else "REJECTED"}


def command_result_in(doc: dict[str, Any]) -> dict[str, Any]:
    """A 2.1.1 CommandResponse POSTed to our response_url as a 2.2.1 CommandResult.
    UNKNOWN_SESSION is no CommandResultType: it becomes FAILED, with a message."""
    if doc["result"] == "UNKNOWN_SESSION":
        return {"result": "FAILED", "message": _english("unknown session")}
    return {"result": doc["result"]}
