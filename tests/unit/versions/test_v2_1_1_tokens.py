"""2.1.1 Tokens converters (versions/v2_1_1/tokens.py) against the official examples of both
versions (2.1.1 mod_tokens.md; 2.2.1 Tokens chapter 12; CONFORMANCE 298 and 373)."""

import copy
from typing import Any

import pytest

from evroam.modules.tokens.model import AuthorizationInfo, LocationReferences, Token
from evroam.versions.v2_1_1.tokens import (
    authorization_info_in,
    authorization_info_out,
    location_references_in,
    location_references_out,
    token_in,
    token_out,
    token_patch_in,
    token_patch_out,
)
from tests.examples import example

OWNER = ("NL", "TNM")

# OCPI 2.1.1-d2 mod_tokens.md §3.2 "Token Object", Example.
TOKEN_2_1_1: dict[str, Any] = {
    "uid": "012345678",
    "type": "RFID",
    "auth_id": "DE8ACC12E46L89",
    "visual_number": "DF000-2001-8999",
    "issuer": "TheNewMotion",
    "valid": True,
    "whitelist": "ALLOWED",
    "last_updated": "2015-06-29T22:39:09Z",
}
# OCPI 2.1.1-d2 mod_tokens.md §2.1.2 "PUT Method", Example: put a new Token.
TOKEN_PUT_2_1_1: dict[str, Any] = {
    "uid": "012345678",
    "type": "RFID",
    "auth_id": "DE8ACC12E46L89",
    "visual_number": "DF000-2001-8999",
    "issuer": "TheNewMotion",
    "valid": True,
    "whitelist": "ALWAYS",
    "last_updated": "2015-06-29T22:39:09Z",
}
# OCPI 2.1.1-d2 mod_tokens.md §2.1.2 "PATCH Method", Example: invalidate a Token.
TOKEN_PATCH_2_1_1: dict[str, Any] = {"valid": False}

TOKEN_FIELDS_2_1_1 = {
    "uid",
    "type",
    "auth_id",
    "visual_number",
    "issuer",
    "valid",
    "whitelist",
    "language",
    "last_updated",
}
TOKEN_REQUIRED_2_1_1 = {"uid", "type", "auth_id", "issuer", "valid", "whitelist", "last_updated"}
TOKEN_ONLY_2_2_1 = {
    "country_code",
    "party_id",
    "contract_id",
    "group_id",
    "default_profile_type",
    "energy_contract",
}
TOKEN_FILES_2_2_1 = [
    "token_example_1_app_user.json",
    "token_example_2_full_rfid.json",
    "token_put_example.json",
]


class TestTokenOut:
    @pytest.mark.parametrize("name", TOKEN_FILES_2_2_1)
    def test_has_exactly_the_2_1_1_fields_when_official_2_2_1_example(self, name: str) -> None:
        """CONFORMANCE 298 (auth_id, no contract_id/country_code/party_id) and 373."""
        doc = example(name)
        out = token_out(doc)
        assert set(out) <= TOKEN_FIELDS_2_1_1
        assert set(out) >= TOKEN_REQUIRED_2_1_1
        assert not set(out) & TOKEN_ONLY_2_2_1
        assert out["auth_id"] == doc["contract_id"]
        assert out["type"] in {"OTHER", "RFID"}

    def test_keeps_every_shared_field_when_full_rfid_token(self) -> None:
        assert token_out(example("token_example_2_full_rfid.json")) == {
            "uid": "12345678905880",
            "type": "RFID",
            "auth_id": "DE8ACC12E46L89",
            "visual_number": "DF000-2001-8999-1",
            "issuer": "TheNewMotion",
            "valid": True,
            "whitelist": "ALLOWED",
            "language": "it",
            "last_updated": "2018-12-10T17:25:10Z",
        }

    @pytest.mark.parametrize("kind", ["AD_HOC_USER", "APP_USER"])
    def test_type_is_other_when_2_2_only_token_type(self, kind: str) -> None:
        """CONFORMANCE 373: a 2.1.1 peer never receives a TokenType it cannot parse."""
        assert (
            token_out(example("token_example_1_app_user.json") | {"type": kind})["type"] == "OTHER"
        )

    def test_leaves_its_input_unchanged(self) -> None:
        doc = example("token_example_2_full_rfid.json")
        before = copy.deepcopy(doc)
        token_out(doc)
        assert doc == before


class TestTokenIn:
    @pytest.mark.parametrize("doc", [TOKEN_2_1_1, TOKEN_PUT_2_1_1], ids=["object", "put"])
    def test_validates_as_2_2_1_token_when_official_2_1_1_example(
        self, doc: dict[str, Any]
    ) -> None:
        """CONFORMANCE 298: auth_id is the contract_id; the owner comes from the peer."""
        token = Token.model_validate(token_in(doc, OWNER))
        assert token.contract_id == doc["auth_id"]
        assert (token.country_code, token.party_id) == OWNER
        assert token.uid == doc["uid"]

    def test_drops_unknown_fields(self) -> None:
        out = token_in(TOKEN_2_1_1 | {"x_vendor": 1, "contract_id": "NOT-IN-2.1.1"}, OWNER)
        assert "x_vendor" not in out
        assert out["contract_id"] == TOKEN_2_1_1["auth_id"]

    def test_round_trip_is_identity_when_2_1_1_token(self) -> None:
        assert token_out(token_in(TOKEN_2_1_1, OWNER)) == TOKEN_2_1_1

    def test_round_trip_keeps_the_shared_fields_when_2_2_1_token(self) -> None:
        doc = example("token_example_2_full_rfid.json")
        back = token_in(token_out(doc), (doc["country_code"], doc["party_id"]))
        expected = {k: v for k, v in doc.items() if k not in TOKEN_ONLY_2_2_1 - {"contract_id"}}
        assert back == expected | {"country_code": "DE", "party_id": "TNM"}

    def test_leaves_its_input_unchanged(self) -> None:
        doc = copy.deepcopy(TOKEN_2_1_1)
        token_in(doc, OWNER)
        assert doc == TOKEN_2_1_1


class TestTokenPatch:
    def test_patch_in_is_the_same_fields_when_official_2_1_1_patch(self) -> None:
        assert token_patch_in(TOKEN_PATCH_2_1_1) == {"valid": False}

    def test_patch_in_renames_auth_id_and_drops_unknown_fields(self) -> None:
        assert token_patch_in({"auth_id": "X1", "x_vendor": 1}) == {"contract_id": "X1"}

    def test_patch_out_is_the_same_fields_when_official_2_2_1_patch(self) -> None:
        assert token_patch_out(example("token_patch_example.json")) == {
            "valid": False,
            "last_updated": "2019-06-19T02:11:11Z",
        }

    def test_patch_out_maps_only_what_2_1_1_knows(self) -> None:
        """CONFORMANCE 298 and 373."""
        patch = {"contract_id": "C1", "group_id": "G1", "type": "APP_USER", "party_id": "TNM"}
        assert token_patch_out(patch) == {"auth_id": "C1", "type": "OTHER"}


def authorization_2_2_1() -> dict[str, Any]:
    return {
        "allowed": "ALLOWED",
        "token": example("token_example_2_full_rfid.json"),
        "location": {"location_id": "LOC1", "evse_uids": ["3256", "3257"]},
        "authorization_reference": "REF-1",
        "info": {"language": "en", "text": "Welcome"},
    }


class TestAuthorizationInfo:
    def test_out_has_exactly_the_2_1_1_fields(self) -> None:
        """CONFORMANCE 373: no token, no authorization_reference."""
        doc = authorization_2_2_1()
        assert authorization_info_out(doc) == {
            "allowed": "ALLOWED",
            "location": {"location_id": "LOC1", "evse_uids": ["3256", "3257"]},
            "info": {"language": "en", "text": "Welcome"},
        }
        assert doc == authorization_2_2_1()

    def test_out_is_allowed_alone_when_nothing_else_is_given(self) -> None:
        assert authorization_info_out({"allowed": "BLOCKED", "token": {}}) == {"allowed": "BLOCKED"}

    def test_in_validates_with_the_token_asked_about(self) -> None:
        token = example("token_example_2_full_rfid.json")
        doc = {
            "allowed": "NOT_ALLOWED",
            "location": {"location_id": "LOC1", "evse_uids": ["3256"], "connector_ids": ["1"]},
            "info": {"language": "nl", "text": "Niet hier"},
        }
        info = AuthorizationInfo.model_validate(authorization_info_in(doc, token))
        assert info.token == Token.model_validate(token)
        assert info.authorization_reference is None
        assert info.location == LocationReferences(location_id="LOC1", evse_uids=["3256"])

    def test_round_trip_keeps_the_shared_fields(self) -> None:
        doc = authorization_2_2_1()
        back = authorization_info_in(authorization_info_out(doc), doc["token"])
        assert back == {k: v for k, v in doc.items() if k != "authorization_reference"}


class TestLocationReferences:
    def test_in_drops_connector_ids(self) -> None:
        doc = {"location_id": "LOC1", "evse_uids": ["3256"], "connector_ids": ["1", "2"]}
        assert location_references_in(doc) == {"location_id": "LOC1", "evse_uids": ["3256"]}
        assert "connector_ids" in doc

    def test_out_is_the_location_alone_when_no_evses(self) -> None:
        out = location_references_out({"location_id": "LOC1"})
        assert out == {"location_id": "LOC1"}
        LocationReferences.model_validate(location_references_in(out))
