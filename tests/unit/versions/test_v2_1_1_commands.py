"""2.1.1 Commands converters (versions/v2_1_1/commands.py) against both versions' objects
(2.1.1 mod_commands.md §3 and §4; 2.2.1 Commands chapter 13; CONFORMANCE 326, 327 and 373).

mod_commands.md prints no JSON example: the 2.1.1 bodies below follow its §3.2 to §3.5
tables, with the Token of mod_tokens.md §3.2 (Example).
"""

import copy
from typing import Any

import pytest

from evroam.modules.commands.model import (
    CommandResponse,
    CommandResponseType,
    CommandResult,
    CommandResultType,
    ReserveNow,
    StartSession,
    StopSession,
    UnlockConnector,
)
from evroam.versions.v2_1_1.commands import (
    command_in,
    command_out,
    command_response_in,
    command_response_out,
    command_result_in,
    command_result_out,
)
from tests.examples import example

OWNER = ("NL", "TNM")
RESPONSE_URL = "https://emsp.example.com/ocpi/emsp/2.1.1/commands/START_SESSION/1234"

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
# mod_commands.md §3.3 StartSession, §3.2 ReserveNow, §3.4 StopSession, §3.5 UnlockConnector.
START_2_1_1: dict[str, Any] = {
    "response_url": RESPONSE_URL,
    "token": TOKEN_2_1_1,
    "location_id": "LOC1",
    "evse_uid": "3256",
}
RESERVE_2_1_1: dict[str, Any] = {
    "response_url": RESPONSE_URL,
    "token": TOKEN_2_1_1,
    "expiry_date": "2015-06-29T23:39:09Z",
    "reservation_id": 42,
    "location_id": "LOC1",
    "evse_uid": "3256",
}
STOP_2_1_1: dict[str, Any] = {"response_url": RESPONSE_URL, "session_id": "101"}
UNLOCK_2_1_1: dict[str, Any] = {
    "response_url": RESPONSE_URL,
    "location_id": "LOC1",
    "evse_uid": "3256",
    "connector_id": "1",
}


def start_2_2_1() -> dict[str, Any]:
    return {
        "response_url": RESPONSE_URL,
        "token": example("token_example_2_full_rfid.json"),
        "location_id": "LOC1",
        "evse_uid": "3256",
        "connector_id": "1",
        "authorization_reference": "REF-1",
    }


def reserve_2_2_1(reservation_id: str = "42") -> dict[str, Any]:
    return {
        "response_url": RESPONSE_URL,
        "token": example("token_example_1_app_user.json"),
        "expiry_date": "2015-06-29T23:39:09Z",
        "reservation_id": reservation_id,
        "location_id": "LOC1",
        "evse_uid": "3256",
        "authorization_reference": "REF-2",
    }


class TestCommandOut:
    def test_start_session_has_exactly_the_2_1_1_fields(self) -> None:
        """CONFORMANCE 373: no connector_id, no authorization_reference, a 2.1.1 Token."""
        out = command_out("START_SESSION", start_2_2_1())
        assert set(out) == {"response_url", "token", "location_id", "evse_uid"}
        assert set(out["token"]) <= TOKEN_FIELDS_2_1_1
        assert out["token"]["auth_id"] == "DE8ACC12E46L89"

    def test_reserve_now_has_an_int_reservation_id(self) -> None:
        """CONFORMANCE 327 (int with 2.1.1 peers) and 373 (a 2.1.1 TokenType)."""
        out = command_out("RESERVE_NOW", reserve_2_2_1("42"))
        assert out == {
            "response_url": RESPONSE_URL,
            "token": {
                "uid": "bdf21bce-fc97-11e8-8eb2-f2801f1b9fd1",
                "type": "OTHER",
                "auth_id": "DE8ACC12E46L89",
                "issuer": "TheNewMotion",
                "valid": True,
                "whitelist": "ALLOWED",
                "last_updated": "2018-12-10T17:16:15Z",
            },
            "expiry_date": "2015-06-29T23:39:09Z",
            "reservation_id": 42,
            "location_id": "LOC1",
            "evse_uid": "3256",
        }

    @pytest.mark.parametrize("reservation_id", ["R-42", "", "4.2", "-1", " 42", "٤٢"])
    def test_reserve_now_is_refused_when_the_id_is_no_digit_string(
        self, reservation_id: str
    ) -> None:
        """CONFORMANCE 327."""
        with pytest.raises(ValueError, match=r"2\.1\.1 reservation ids are integers"):
            command_out("RESERVE_NOW", reserve_2_2_1(reservation_id))

    @pytest.mark.parametrize(
        ("kind", "doc"), [("STOP_SESSION", STOP_2_1_1), ("UNLOCK_CONNECTOR", UNLOCK_2_1_1)]
    )
    def test_keeps_the_fields_when_stop_or_unlock(self, kind: str, doc: dict[str, Any]) -> None:
        assert command_out(kind, doc | {"x_vendor": 1}) == doc

    def test_cancel_reservation_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"2\.1\.1 has no CANCEL_RESERVATION"):
            command_out("CANCEL_RESERVATION", {"response_url": RESPONSE_URL, "reservation_id": "1"})

    def test_leaves_its_input_unchanged(self) -> None:
        doc = start_2_2_1()
        command_out("START_SESSION", doc)
        assert doc == start_2_2_1()


class TestCommandIn:
    def test_start_session_validates_with_the_owners_token(self) -> None:
        body = StartSession.model_validate(command_in("START_SESSION", START_2_1_1, OWNER))
        assert (body.token.country_code, body.token.party_id) == OWNER
        assert body.token.contract_id == TOKEN_2_1_1["auth_id"]
        assert body.connector_id is None

    def test_reserve_now_has_a_string_reservation_id(self) -> None:
        """CONFORMANCE 327: a CiString(36) in 2.2.1."""
        out = command_in("RESERVE_NOW", RESERVE_2_1_1, OWNER)
        assert out["reservation_id"] == "42"
        assert ReserveNow.model_validate(out).reservation_id == "42"

    @pytest.mark.parametrize(
        ("kind", "doc", "model"),
        [
            ("STOP_SESSION", STOP_2_1_1, StopSession),
            ("UNLOCK_CONNECTOR", UNLOCK_2_1_1, UnlockConnector),
        ],
    )
    def test_keeps_the_fields_when_stop_or_unlock(
        self, kind: str, doc: dict[str, Any], model: type[StopSession | UnlockConnector]
    ) -> None:
        out = command_in(kind, doc | {"x_vendor": 1}, OWNER)
        assert out == doc
        model.model_validate(out)

    def test_round_trip_keeps_what_both_versions_share(self) -> None:
        back = command_out("RESERVE_NOW", command_in("RESERVE_NOW", RESERVE_2_1_1, OWNER))
        assert back == RESERVE_2_1_1

    def test_cancel_reservation_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"2\.1\.1 has no CANCEL_RESERVATION"):
            command_in("CANCEL_RESERVATION", {"response_url": RESPONSE_URL}, OWNER)

    def test_leaves_its_input_unchanged(self) -> None:
        doc = copy.deepcopy(RESERVE_2_1_1)
        command_in("RESERVE_NOW", doc, OWNER)
        assert doc == RESERVE_2_1_1


class TestCommandResponse:
    @pytest.mark.parametrize("result", list(CommandResponseType))
    def test_out_is_the_result_alone(self, result: CommandResponseType) -> None:
        """CONFORMANCE 326: {result}, no timeout, with a 2.1.1 CommandResponseType."""
        doc = {"result": result.value, "timeout": 30, "message": [{"language": "en", "text": "x"}]}
        assert command_response_out(doc) == {"result": result.value}

    @pytest.mark.parametrize("result", ["ACCEPTED", "REJECTED", "NOT_SUPPORTED", "UNKNOWN_SESSION"])
    def test_in_validates_with_the_default_timeout(self, result: str) -> None:
        response = CommandResponse.model_validate(command_response_in({"result": result}, 30))
        assert (response.result, response.timeout) == (result, 30)

    def test_in_is_rejected_when_timeout_which_2_2_1_responses_lack(self) -> None:
        """CONFORMANCE 326: 2.1.1's TIMEOUT; our CommandResponseType has none."""
        assert "TIMEOUT" not in set(CommandResponseType)
        response = CommandResponse.model_validate(command_response_in({"result": "TIMEOUT"}, 30))
        assert response.result is CommandResponseType.REJECTED
        assert response.message


class TestCommandResult:
    @pytest.mark.parametrize("result", list(CommandResultType))
    def test_out_is_a_2_1_1_response_type(self, result: CommandResultType) -> None:
        """CONFORMANCE 326 (the callback body is CommandResponse) and 373."""
        out = command_result_out({"result": result.value, "message": []})
        kept = {"ACCEPTED", "NOT_SUPPORTED", "REJECTED", "TIMEOUT"}
        assert out == {"result": result.value if result.value in kept else "REJECTED"}

    @pytest.mark.parametrize("result", ["ACCEPTED", "REJECTED", "TIMEOUT", "NOT_SUPPORTED"])
    def test_in_keeps_the_result_when_2_2_1_has_it(self, result: str) -> None:
        """CONFORMANCE 326: the 2.1.1 callback body is a CommandResponse."""
        assert command_result_in({"result": result}) == {"result": result}
        CommandResult.model_validate(command_result_in({"result": result}))

    def test_in_is_failed_with_a_message_when_unknown_session(self) -> None:
        out = CommandResult.model_validate(command_result_in({"result": "UNKNOWN_SESSION"}))
        assert out.result is CommandResultType.FAILED
        assert out.message is not None
        assert out.message[0].text == "unknown session"
