"""The response envelope (DIGEST §1.4; CONFORMANCE A.13, A.16, A.17, A.20, A.54)."""

import json
import re
from collections.abc import MutableMapping
from decimal import Decimal
from typing import Any

from evroam.model import Price
from evroam.protocol.envelope import MISSING, JsonText, OcpiResponse, envelope, envelope_bytes
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


async def body_messages(response: OcpiResponse) -> list[bytes]:
    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request"}

    await response({"type": "http"}, receive, send)
    return [m["body"] for m in sent if m["type"] == "http.response.body"]


class TestBodyPieces:
    async def test_a_small_body_of_stored_json_goes_out_in_one_write(self) -> None:
        """Each piece is a socket write: a real-time authorization answer is one."""
        response = OcpiResponse(JsonText(b'{"uid":"U1"}'))
        [whole] = await body_messages(response)
        assert json.loads(whole)["data"] == {"uid": "U1"}
        assert int(response.headers["content-length"]) == len(whole)

    async def test_a_large_page_goes_out_from_the_bytes_it_is_kept_in(self) -> None:
        page = JsonText(b"[" + b",".join([b'"' + b"x" * 1000 + b'"'] * 100) + b"]")
        response = OcpiResponse(page)
        pieces = await body_messages(response)
        assert len(pieces) == 3
        assert pieces[1] is page
        assert len(json.loads(b"".join(pieces))["data"]) == 100
