"""OCPI 2.1.1 Sessions (chapter mod_sessions, §3.1 Session, §4 data types) to and from our
2.2.1 JSON; also the ChargingPeriod and Token-reference pieces the CDRs chapter shares.

Pure functions on plain JSON dicts: they never mutate their input and drop the fields the
target version lacks (DIGEST §17 items 18 and 21; CONFORMANCE 185 and 373).

PATCH semantics differ and no converter can bridge them alone: a 2.2.1 PATCH of
charging_periods appends, a 2.1.1 PATCH is "the same as PUT" for the fields it carries, so
it replaces them (Sessions §2.2.3). The caller sends or applies whole lists.
"""

from collections.abc import Callable
from copy import deepcopy
from typing import Any

from evroam.modules.cdrs.model import CdrDimensionType
from evroam.modules.sessions.model import NOT_AVAILABLE, Session

__all__ = [
    "auth_method_out",
    "cdr_token_in",
    "charging_periods_in",
    "charging_periods_out",
    "session_in",
    "session_out",
    "session_patch_in",
    "session_patch_out",
    "session_status_out",
    "used_evse_and_connector",
]

Convert = Callable[[Any], Any]

# CdrDimensionType of 2.1.1 (CDRs §4.3) that 2.2.1 also has: FLAT is 2.1.1-only.
_DIMENSIONS_2_1_1 = frozenset({"ENERGY", "MAX_CURRENT", "MIN_CURRENT", "PARKING_TIME", "TIME"})
_DIMENSIONS_2_2_1 = frozenset(kind.value for kind in CdrDimensionType)

# 2.1.1 Session fields (§3.1) in spec order.
_SESSION_FIELDS_2_1_1 = (
    "id",
    "start_datetime",
    "end_datetime",
    "kwh",
    "auth_id",
    "auth_method",
    "location",
    "meter_id",
    "currency",
    "charging_periods",
    "total_cost",
    "status",
    "last_updated",
)
_SESSION_FIELDS_2_2_1 = tuple(Session.model_fields)


def _same(value: Any) -> Any:
    return deepcopy(value)


def _converted(doc: dict[str, Any], table: dict[str, tuple[str, Convert]]) -> dict[str, Any]:
    """The fields of `doc` named in `table`, renamed and converted; a null stays null."""
    return {
        new: None if doc[old] is None else convert(doc[old])
        for old, (new, convert) in table.items()
        if old in doc
    }


def _ordered(doc: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    return {name: doc[name] for name in order if name in doc}


def _periods(periods: list[dict[str, Any]], kept: frozenset[str]) -> list[dict[str, Any]]:
    out = []
    for period in periods:
        dimensions = [deepcopy(d) for d in period.get("dimensions") or [] if d.get("type") in kept]
        if dimensions:
            out.append({"start_date_time": period["start_date_time"], "dimensions": dimensions})
    return out


def charging_periods_out(periods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """2.2.1 ChargingPeriods as 2.1.1 (CDRs §4.4): no tariff_id, only the dimension types
    2.1.1 knows (a 2.1.1 peer cannot parse POWER, RESERVATION_TIME…, CONFORMANCE 373), and
    no period left without a dimension (`dimensions` is `+`)."""
    return _periods(periods, _DIMENSIONS_2_1_1)


def charging_periods_in(periods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """2.1.1 ChargingPeriods as 2.2.1: FLAT (and any type 2.2.1 lacks) dropped, and the
    periods left empty with it. FLAT is "flat fee, no unit": the fee is in total_cost."""
    return _periods(periods, _DIMENSIONS_2_2_1)


def auth_method_out(value: str) -> str:
    """2.1.1 has AUTH_REQUEST and WHITELIST only (CDRs §4.1). A COMMAND start was authorized
    by the eMSP itself, in its StartSession: the nearest of the two is AUTH_REQUEST."""
    return "AUTH_REQUEST" if value == "COMMAND" else value


def session_status_out(value: str) -> str:
    """2.1.1 has no RESERVATION: a reserved session has not started yet, which is PENDING
    ("not all pre-conditions are met", Sessions §4.1)."""
    return "PENDING" if value == "RESERVATION" else value


def used_evse_and_connector(
    location: dict[str, Any],
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The EVSE and connector of a 2.1.1 Session's or CDR's Location, None where it names
    none. It embeds "only the relevant EVSE and connector" (Sessions §3.1, CDRs §3.1), so the
    first of each; yet `evses` is optional, and a Location we cannot name fully goes without
    (an EVSE whose plug 2.1.1 cannot name, a Location we do not hold: locations.py)."""
    evses = location.get("evses") or []
    evse = evses[0] if evses else None
    connectors = (evse.get("connectors") or []) if evse else []
    return evse, (connectors[0] if connectors else None)


def cdr_token_in(
    auth_id: str, token: dict[str, Any] | None, token_owner: tuple[str, str]
) -> dict[str, Any]:
    """The CdrToken for a 2.1.1 auth_id: from the 2.2.1 Token whose contract_id it is, or,
    when that Token is unknown, uid = contract_id = auth_id and type OTHER for `token_owner`
    (DIGEST §17 mapping hints; 2.1.1 carries neither the uid nor the type)."""
    if token is not None:
        fields = ("country_code", "party_id", "uid", "type", "contract_id")
        return {name: token[name] for name in fields}
    country_code, party_id = token_owner
    return {
        "country_code": country_code,
        "party_id": party_id,
        "uid": auth_id,
        "type": "OTHER",
        "contract_id": auth_id,
    }


_PATCH_OUT: dict[str, tuple[str, Convert]] = {
    "id": ("id", _same),
    "start_date_time": ("start_datetime", _same),
    "end_date_time": ("end_datetime", _same),
    "kwh": ("kwh", _same),
    "cdr_token": ("auth_id", lambda token: token["contract_id"]),
    "auth_method": ("auth_method", auth_method_out),
    "meter_id": ("meter_id", _same),
    "currency": ("currency", _same),
    "charging_periods": ("charging_periods", charging_periods_out),
    "total_cost": ("total_cost", lambda price: price["excl_vat"]),
    "status": ("status", session_status_out),
    "last_updated": ("last_updated", _same),
}


def session_patch_out(patch: dict[str, Any]) -> dict[str, Any]:
    """The 2.1.1 fields of a (partial) 2.2.1 Session.

    location_id, evse_uid and connector_id are dropped: 2.1.1 embeds the whole Location,
    which a patch does not know; a session changing its EVSE goes out as a PUT.
    """
    return _converted(patch, _PATCH_OUT)


def session_out(doc: dict[str, Any], location: dict[str, Any]) -> dict[str, Any]:
    """A 2.2.1 Session as a 2.1.1 Session (CONFORMANCE 185) embedding `location`, the
    2.1.1 Location already cut down to the session's EVSE and connector."""
    out = session_patch_out(doc) | {"location": deepcopy(location)}
    return _ordered(out, _SESSION_FIELDS_2_1_1)


def _location_ids(location: dict[str, Any]) -> dict[str, Any]:
    """`#NA` (not available) stands for an EVSE or connector the Location does not name."""
    evse, connector = used_evse_and_connector(location)
    return {
        "location_id": location["id"],
        "evse_uid": evse["uid"] if evse else NOT_AVAILABLE,
        "connector_id": connector["id"] if connector else NOT_AVAILABLE,
    }


_PATCH_IN: dict[str, tuple[str, Convert]] = {
    "id": ("id", _same),
    "start_datetime": ("start_date_time", _same),
    "end_datetime": ("end_date_time", _same),
    "kwh": ("kwh", _same),
    "auth_method": ("auth_method", _same),
    "meter_id": ("meter_id", _same),
    "currency": ("currency", _same),
    "charging_periods": ("charging_periods", charging_periods_in),
    "total_cost": ("total_cost", lambda number: {"excl_vat": number}),
    "status": ("status", _same),
    "last_updated": ("last_updated", _same),
}


def session_patch_in(patch: dict[str, Any]) -> dict[str, Any]:
    """The fields of a (partial) 2.1.1 Session under their 2.2.1 names; unknown fields dropped.

    A `location` becomes location_id, evse_uid and connector_id. An `auth_id` is dropped: a
    PATCH replaces cdr_token whole, and auth_id alone gives neither the token's uid nor its
    type, so patching it would overwrite the known ones with guesses. A 2.1.1 PATCH need not
    carry last_updated (2.2.1 requires it): none is invented here.
    """
    out = _converted(patch, _PATCH_IN)
    if patch.get("location") is not None:
        out |= _location_ids(patch["location"])
    return _ordered(out, _SESSION_FIELDS_2_2_1)


def session_in(
    doc: dict[str, Any],
    owner: tuple[str, str],
    token: dict[str, Any] | None,
    *,
    token_owner: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A 2.1.1 Session as a 2.2.1 Session of `owner` (the peer's country_code, party_id).

    `token` is the 2.2.1 Token whose contract_id is the session's auth_id, None if unknown;
    then the CdrToken is made for `token_owner` (the eMSP that issued the token, normally
    the receiving party; `owner` when not given).
    """
    country_code, party_id = owner
    out = session_patch_in(doc) | {
        "country_code": country_code,
        "party_id": party_id,
        "cdr_token": cdr_token_in(doc["auth_id"], token, token_owner or owner),
    }
    return _ordered(out, _SESSION_FIELDS_2_2_1)
