"""The OcpiError tree and its HTTP mapping (DIGEST §1.5; CONFORMANCE A.12, A.14)."""

import pytest

from evroam import errors
from evroam.protocol.handlers import describe_validation, error_response
from evroam.protocol.status import StatusCode

STANDARD = {1000, 2000, 2001, 2002, 2003, 2004, 3000, 3001, 3002, 3003, 4000, 4001, 4002, 4003}


class TestErrorMapping:
    @pytest.mark.parametrize(
        ("error", "status_code", "http_status"),
        [
            (errors.ClientError, 2000, 200),
            (errors.InvalidParameters, 2001, 200),
            (errors.MalformedBody, 2001, 400),
            (errors.BodyTooLarge, 2001, 413),
            (errors.NotEnoughInformation, 2002, 200),
            (errors.UnknownLocation, 2003, 200),
            (errors.UnknownToken, 2004, 404),
            (errors.Unauthorized, 2000, 401),
            (errors.NotFound, 2000, 404),
            (errors.MethodNotAllowed, 2000, 405),
            (errors.ServerError, 3000, 200),
            (errors.UnableToUseClientApi, 3001, 200),
            (errors.UnsupportedVersion, 3002, 200),
            (errors.NoMatchingEndpoints, 3003, 200),
            (errors.HubError, 4000, 200),
            (errors.UnknownReceiver, 4001, 200),
            (errors.ForwardTimeout, 4002, 200),
            (errors.ConnectionProblem, 4003, 200),
        ],
    )
    def test_each_error_maps_to_its_ocpi_and_http_status(
        self, error: type[errors.OcpiError], status_code: int, http_status: int
    ) -> None:
        response = error_response(error("why"))
        assert error.status_code == status_code
        assert response.status_code == http_status

    def test_every_status_code_is_a_standard_one(self) -> None:
        """A.14 / A.15: no custom-range code is ever defined for standard modules."""
        assert {int(c) for c in StatusCode} == STANDARD

    def test_default_message_is_used_when_none_given(self) -> None:
        assert errors.UnknownToken().message == "Unknown token"

    def test_validation_summary_names_field_and_problem(self) -> None:
        text = describe_validation(
            [{"loc": ("body", "roles"), "msg": "List should have at least 1 item"}]
        )
        assert text == "Invalid or missing parameters: roles: List should have at least 1 item"


class TestHandlers:
    async def test_model_validation_error_becomes_2001(self) -> None:
        """A hand-validated body (PATCH) that fails is the caller's fault: 2001, not 3000."""
        import json

        from pydantic import BaseModel, ValidationError

        from evroam.protocol.handlers import _model_error

        class Thing(BaseModel):
            count: int

        try:
            Thing.model_validate({"count": "many"})
        except ValidationError as exc:
            response = await _model_error(None, exc)  # type: ignore[arg-type]
        body = json.loads(bytes(response.body))
        assert response.status_code == 200
        assert body["status_code"] == 2001
        assert "count" in body["status_message"]
