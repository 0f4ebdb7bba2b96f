"""OCPI 2.1.1 Tokens (chapter mod_tokens, §3 objects, §4 data types) to and from our 2.2.1 JSON.

Pure functions on plain JSON dicts: they never mutate their input and drop the fields the
target version lacks. 2.1.1 calls the contract id `auth_id` and knows no token owner, group,
profile or energy contract; its TokenType has only OTHER and RFID (DIGEST §17 item 24).
"""

from copy import deepcopy
from typing import Any

__all__ = [
    "authorization_info_in",
    "authorization_info_out",
    "location_references_in",
    "location_references_out",
    "token_in",
    "token_out",
    "token_patch_in",
    "token_patch_out",
    "token_type_out",
]

# Token fields of 2.1.1 (§3.2) in spec order, with the 2.2.1 name where it differs.
_TOKEN_FIELDS = (
    ("uid", "uid"),
    ("type", "type"),
    ("auth_id", "contract_id"),
    ("visual_number", "visual_number"),
    ("issuer", "issuer"),
    ("valid", "valid"),
    ("whitelist", "whitelist"),
    ("language", "language"),
    ("last_updated", "last_updated"),
)
_TOKEN_TYPES = frozenset({"OTHER", "RFID"})  # Tokens §4.3


def token_type_out(value: str) -> str:
    """AD_HOC_USER and APP_USER are 2.2-only: OTHER is the 2.1.1 value that covers them."""
    return value if value in _TOKEN_TYPES else "OTHER"


def token_patch_out(patch: dict[str, Any]) -> dict[str, Any]:
    """The 2.1.1 fields of a (partial) 2.2.1 Token: contract_id becomes auth_id."""
    out = {old: deepcopy(patch[new]) for old, new in _TOKEN_FIELDS if new in patch}
    if out.get("type") is not None:
        out["type"] = token_type_out(out["type"])
    return out


def token_out(doc: dict[str, Any]) -> dict[str, Any]:
    """A 2.2.1 Token as a 2.1.1 Token (CONFORMANCE 298)."""
    return token_patch_out(doc)


def token_patch_in(patch: dict[str, Any]) -> dict[str, Any]:
    """The fields of a (partial) 2.1.1 Token under their 2.2.1 names; unknown fields dropped.

    A 2.1.1 PATCH need not carry last_updated (2.2.1 requires it): none is invented here.
    """
    return {new: deepcopy(patch[old]) for old, new in _TOKEN_FIELDS if old in patch}


def token_in(doc: dict[str, Any], owner: tuple[str, str]) -> dict[str, Any]:
    """A 2.1.1 Token as a 2.2.1 Token of `owner` (country_code, party_id of the peer's
    credentials: a 2.1.1 Token does not name its eMSP)."""
    country_code, party_id = owner
    return {"country_code": country_code, "party_id": party_id, **token_patch_in(doc)}


def location_references_out(doc: dict[str, Any]) -> dict[str, Any]:
    """2.2.1 LocationReferences as 2.1.1: the same fields, connector_ids simply absent."""
    out: dict[str, Any] = {"location_id": doc["location_id"]}
    if doc.get("evse_uids") is not None:
        out["evse_uids"] = list(doc["evse_uids"])
    return out


def location_references_in(doc: dict[str, Any]) -> dict[str, Any]:
    """2.1.1 LocationReferences as 2.2.1, which has no connector_ids: a request naming
    connectors is asked about their EVSEs instead (2.2 authorizes per EVSE)."""
    return location_references_out(doc)


def authorization_info_out(doc: dict[str, Any]) -> dict[str, Any]:
    """2.2.1 AuthorizationInfo as 2.1.1 (§3.1): allowed, location and info only."""
    out: dict[str, Any] = {"allowed": doc["allowed"]}
    if doc.get("location") is not None:
        out["location"] = location_references_out(doc["location"])
    if doc.get("info") is not None:
        out["info"] = deepcopy(doc["info"])
    return out


def authorization_info_in(doc: dict[str, Any], token: dict[str, Any]) -> dict[str, Any]:
    """2.1.1 AuthorizationInfo as 2.2.1, which requires the Token asked about (`token`, 2.2.1).

    2.1.1 has no authorization_reference, so none is set: Sessions and CDRs of this
    authorization carry none either.
    """
    out: dict[str, Any] = {"allowed": doc["allowed"], "token": deepcopy(token)}
    if doc.get("location") is not None:
        out["location"] = location_references_in(doc["location"])
    if doc.get("info") is not None:
        out["info"] = deepcopy(doc["info"])
    return out
