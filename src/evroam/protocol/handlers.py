"""The one place errors become envelopes: OcpiError, validation, routing and the unexpected."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from evroam.errors import (
    BodyTooLarge,
    EvroamError,
    InvalidParameters,
    MalformedBody,
    OcpiError,
    PartnerNotFound,
    ServerError,
)
from evroam.protocol.context import BodyLimitExceeded
from evroam.protocol.envelope import OcpiResponse
from evroam.protocol.status import StatusCode

log = logging.getLogger("evroam.errors")


def error_response(error: OcpiError) -> OcpiResponse:
    return OcpiResponse(
        status_code=error.status_code, status_message=error.message, http_status=error.http_status
    )


async def _ocpi_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, OcpiError)
    return error_response(exc)


async def _validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(MalformedBody())
    return error_response(InvalidParameters(describe_validation(errors)))


def describe_validation(errors: object) -> str:
    """A short, readable summary of pydantic errors: `body.roles: List should have…`."""
    parts = []
    for error in list(errors)[:5] if isinstance(errors, (list, tuple)) else []:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "Invalid or missing parameters: " + "; ".join(parts) if parts else "Invalid parameters"


async def _model_error(_: Request, exc: Exception) -> Response:
    # A body validated by hand (PATCH field by field) failed: the caller's data, so 2001.
    assert isinstance(exc, ValidationError)
    return error_response(InvalidParameters(describe_validation(exc.errors())))


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, BodyLimitExceeded):  # FastAPI wraps body-read failures in a 400
        return error_response(BodyTooLarge())
    return OcpiResponse(
        status_code=StatusCode.CLIENT_ERROR,
        status_message=str(exc.detail),
        http_status=exc.status_code,
        headers=dict(exc.headers or {}),
    )


async def _body_too_large(_: Request, exc: Exception) -> Response:
    return error_response(BodyTooLarge())


async def _unexpected(request: Request, exc: Exception) -> Response:
    # A bug, not a partner's fault: log it (no headers, so no token) and answer 3000.
    log.error("Unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return unexpected_response()


def unexpected_response() -> OcpiResponse:
    """The answer to a bug: 3000 with HTTP 500 (the request was not processed)."""
    error = ServerError("Internal error; the request was not processed")
    return OcpiResponse(
        status_code=error.status_code, status_message=error.message, http_status=500
    )


async def _operator_error(_: Request, exc: Exception) -> Response:
    # Service errors meant for operators (management API): the message says what to do next.
    http_status = 404 if isinstance(exc, PartnerNotFound) else 409
    return OcpiResponse(
        status_code=StatusCode.CLIENT_ERROR, status_message=str(exc), http_status=http_status
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OcpiError, _ocpi_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _model_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(BodyLimitExceeded, _body_too_large)
    app.add_exception_handler(EvroamError, _operator_error)
    app.add_exception_handler(Exception, _unexpected)
