"""The response envelope (DIGEST §1.4; CONFORMANCE A.13, A.16, A.17, A.20, A.54)."""

import json
import re
from decimal import Decimal

from evroam.model import Price
from evroam.protocol.envelope import MISSING, OcpiResponse, envelope, envelope_bytes
from evroam.protocol.status import StatusCode

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


class TestEnvelope:
    def test_success_envelope_carries_data_status_and_timestamp(self) -> None:
        body = envelope({"a": 1})
        assert body["data"] == {"a": 1}
        assert body["status_code"] == 1000
        assert TIMESTAMP.match(body["timestamp"])
        assert "status_message" not in body

    def test_data_is_left_out_entirely_when_not_given(self) -> None:
        """A.20: omit `data` where the spec defines none."""
        assert "data" not in envelope()
        assert "data" not in envelope(MISSING)

    def test_explicit_none_data_is_kept_as_null(self) -> None:
        assert envelope(None)["data"] is None

    def test_list_data_stays_a_list(self) -> None:
        """A.17."""
        assert envelope([])["data"] == []

    def test_error_envelope_carries_code_and_message(self) -> None:
        body = envelope(status_code=StatusCode.INVALID_PARAMETERS, status_message="bad")
        assert body["status_code"] == 2001
        assert body["status_message"] == "bad"
        assert isinstance(body["status_code"], int)

    def test_models_are_dumped_without_invented_nulls_and_numbers_stay_numbers(self) -> None:
        """A.54: money is a JSON number, not a string; absent optional fields stay absent."""
        body = json.loads(envelope_bytes(Price(excl_vat=Decimal("0.25"))))
        assert body["data"] == {"excl_vat": 0.25}

    def test_response_is_json_with_the_http_status_asked_for(self) -> None:
        response = OcpiResponse(status_code=StatusCode.CLIENT_ERROR, http_status=404)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/json"
        assert json.loads(bytes(response.body))["status_code"] == 2000
