"""Commands objects: what a CPO accepts and what an eMSP reads (DIGEST §10.3)."""

import pytest
from pydantic import ValidationError

from evroam.errors import PartnerProtocolError
from evroam.modules.commands.client import DEFAULT_TIMEOUT, read_response
from evroam.modules.commands.model import CommandResponseType, StartSession
from tests.contract.commands_support import start


class TestStartSession:
    def test_connector_needs_an_evse(self) -> None:
        """K.313."""
        with pytest.raises(ValidationError, match="evse_uid is required"):
            StartSession.model_validate(start(None, connector_id="1"))

    @pytest.mark.parametrize("url", ["ftp://emsp.test/x", "emsp.test/x", "http:///x"])
    def test_response_url_must_be_http(self, url: str) -> None:
        with pytest.raises(ValidationError, match="http"):
            StartSession.model_validate(start(response_url=url))


class TestReadResponse:
    def test_read_as_sent(self) -> None:
        answer = read_response({"result": "REJECTED", "timeout": 10}, url="u")
        assert (answer.result, answer.timeout) == (CommandResponseType.REJECTED, 10)

    @pytest.mark.parametrize("timeout", [None, 0, -5, "30"])
    def test_unusable_timeout_tolerated(self, timeout: object) -> None:
        data = {"result": "ACCEPTED"} | ({} if timeout is None else {"timeout": timeout})
        assert read_response(data, url="u").timeout == DEFAULT_TIMEOUT

    @pytest.mark.parametrize("data", [None, [], {"result": "MAYBE", "timeout": 5}])
    def test_protocol_error_when_not_a_command_response(self, data: object) -> None:
        with pytest.raises(PartnerProtocolError):
            read_response(data, url="u")
