"""The 2.2.1 Token model against the official examples (Tokens chapter 12; CONFORMANCE J)."""

import json
from typing import Any

import pytest
from pydantic import ValidationError

from evroam.modules.tokens.model import AuthorizationInfo, LocationReferences, Token
from evroam.versions.v2_2_1 import tokens as wire
from tests.examples import EXAMPLES, example

TOKEN_FILES = ["token_example_1_app_user.json", "token_example_2_full_rfid.json"]


def official_tokens() -> list[dict[str, Any]]:
    single = example("transport_and_format_get_token_example.json")["data"]
    listed = example("transport_and_format_get_token_list_example.json")["data"]
    return [*(example(n) for n in [*TOKEN_FILES, "token_put_example.json"]), single, *listed]


class TestToken:
    @pytest.mark.parametrize("raw", official_tokens(), ids=lambda raw: str(raw["uid"]))
    def test_round_trips_unchanged_when_official_example(self, raw: dict[str, Any]) -> None:
        token = Token.model_validate(raw)
        assert json.loads(token.model_dump_json(exclude_none=True)) == raw

    def test_wire_model_is_the_domain_model_in_2_2_1(self) -> None:
        assert wire.Token is Token
        assert wire.AuthorizationInfo is AuthorizationInfo

    def test_unknown_fields_are_ignored(self) -> None:
        raw = example("token_example_1_app_user.json")
        assert Token.model_validate({**raw, "x_vendor": 1}) == Token.model_validate(raw)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("country_code", "DEU"),
            ("party_id", "TNMX"),
            ("uid", "U" * 37),
            ("contract_id", "C" * 37),
            ("visual_number", "V" * 65),
            ("issuer", "I" * 65),
            ("group_id", "G" * 37),
            ("language", "ita"),
            ("type", "rfid"),
            ("whitelist", "SOMETIMES"),
            ("default_profile_type", "SLOW"),
            ("uid", "tab\tinside"),
            ("last_updated", "2018-12-10T17:25:10+00:00"),
        ],
    )
    def test_rejected_when_a_field_breaks_its_type(self, field: str, value: str) -> None:
        raw = example("token_example_2_full_rfid.json") | {field: value}
        with pytest.raises(ValidationError, match=field):
            Token.model_validate(raw)

    @pytest.mark.parametrize(
        "field",
        [
            "country_code",
            "party_id",
            "uid",
            "type",
            "contract_id",
            "issuer",
            "valid",
            "whitelist",
            "last_updated",
        ],
    )
    def test_rejected_when_a_required_field_is_missing(self, field: str) -> None:
        """J.294: the fields every Token carries."""
        raw = {k: v for k, v in example("token_example_2_full_rfid.json").items() if k != field}
        with pytest.raises(ValidationError, match=field):
            Token.model_validate(raw)

    def test_longest_values_are_accepted(self) -> None:
        raw = example("token_example_2_full_rfid.json") | {
            "uid": "U" * 36,
            "contract_id": "C" * 36,
            "visual_number": "V" * 64,
            "issuer": "I" * 64,
            "group_id": "G" * 36,
        }
        assert Token.model_validate(raw).uid == "U" * 36


class TestAuthorizationInfo:
    def test_round_trips_with_every_field(self) -> None:
        raw = {
            "allowed": "ALLOWED",
            "token": example("token_example_2_full_rfid.json"),
            "location": {"location_id": "LOC1", "evse_uids": ["BE-BEC-E041503001"]},
            "authorization_reference": "567890",
            "info": {"language": "en", "text": "Welcome"},
        }
        info = AuthorizationInfo.model_validate(raw)
        assert json.loads(info.model_dump_json(exclude_none=True)) == raw

    @pytest.mark.parametrize(
        "changes",
        [
            {"allowed": "MAYBE"},
            {"authorization_reference": "R" * 37},
            {"token": None},
            {"location": {"evse_uids": ["E1"]}},
        ],
    )
    def test_rejected_when_invalid(self, changes: dict[str, Any]) -> None:
        raw = {"allowed": "ALLOWED", "token": example("token_example_1_app_user.json")} | changes
        with pytest.raises(ValidationError):
            AuthorizationInfo.model_validate(raw)

    def test_location_references_need_a_location_id(self) -> None:
        with pytest.raises(ValidationError):
            LocationReferences.model_validate({"location_id": ""})


def test_examples_directory_has_the_token_files() -> None:
    assert all((EXAMPLES / name).exists() for name in TOKEN_FILES)
