"""Error tree: what can go wrong, raised where detected and translated in one place.

    Exception
    ├── OcpiError                      an inbound request we answer with an OCPI error envelope
    │   ├── ClientError            2000   (HTTP 200 unless stated)
    │   │   ├── InvalidParameters  2001
    │   │   │   ├── MalformedBody  2001   HTTP 400: the body is not JSON
    │   │   │   └── BodyTooLarge   2001   HTTP 413
    │   │   ├── NotEnoughInformation 2002
    │   │   ├── UnknownLocation    2003
    │   │   ├── UnknownToken       2004   HTTP 404 (Tokens authorize)
    │   │   ├── Unauthorized       2000   HTTP 401
    │   │   ├── NotFound           2000   HTTP 404
    │   │   └── MethodNotAllowed   2000   HTTP 405
    │   ├── ServerError            3000
    │   │   ├── UnableToUseClientApi 3001
    │   │   ├── UnsupportedVersion   3002
    │   │   └── NoMatchingEndpoints  3003
    │   └── HubError               4000 (4001 unknown receiver, 4002 timeout, 4003 connection)
    ├── PartnerError                   an outbound call to a partner failed
    │   ├── PartnerUnreachable         transport failure: DNS, refused, timeout, TLS
    │   ├── PartnerHttpError           the partner answered with an HTTP error status
    │   ├── PartnerProtocolError       the answer is not an OCPI envelope we can read
    │   └── PartnerOcpiError           the envelope carries a non-1xxx status_code
    └── EvroamError                    an operator-facing failure (CLI, services)
        ├── ConfigurationError
        ├── PartnerNotFound
        └── InvalidTransition          a credentials lifecycle step not allowed in this state

An authenticated request with valid JSON for an existing resource has "reached the OCPI layer"
and is answered with HTTP 200 and an OCPI status code; the exceptions the spec names carry
their own HTTP status (DIGEST §1.5).
"""

from evroam.protocol.status import StatusCode


class OcpiError(Exception):
    """An error answered to the caller as an OCPI envelope."""

    status_code: StatusCode = StatusCode.SERVER_ERROR
    http_status: int = 200
    default_message: str = "Generic server error"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ClientError(OcpiError):
    status_code = StatusCode.CLIENT_ERROR
    default_message = "Generic client error"


class InvalidParameters(ClientError):
    status_code = StatusCode.INVALID_PARAMETERS
    default_message = "Invalid or missing parameters"


class MalformedBody(InvalidParameters):
    http_status = 400
    default_message = "The request body is not valid JSON"


class BodyTooLarge(InvalidParameters):
    http_status = 413
    default_message = "The request body is larger than this server accepts"


class NotEnoughInformation(ClientError):
    status_code = StatusCode.NOT_ENOUGH_INFORMATION
    default_message = "Not enough information"


class UnknownLocation(ClientError):
    status_code = StatusCode.UNKNOWN_LOCATION
    default_message = "Unknown location"


class UnknownToken(ClientError):
    status_code = StatusCode.UNKNOWN_TOKEN
    http_status = 404
    default_message = "Unknown token"


class Unauthorized(ClientError):
    http_status = 401
    default_message = "Missing or unknown credentials token"


class NotFound(ClientError):
    http_status = 404
    default_message = "Not found"


class MethodNotAllowed(ClientError):
    http_status = 405
    default_message = "Method not allowed"


class ServerError(OcpiError):
    status_code = StatusCode.SERVER_ERROR
    default_message = "Generic server error"


class UnableToUseClientApi(ServerError):
    status_code = StatusCode.UNABLE_TO_USE_CLIENT_API
    default_message = "Unable to use the client's API"


class UnsupportedVersion(ServerError):
    status_code = StatusCode.UNSUPPORTED_VERSION
    default_message = "Unsupported version"


class NoMatchingEndpoints(ServerError):
    status_code = StatusCode.NO_MATCHING_ENDPOINTS
    default_message = "No matching endpoints or expected endpoints missing between parties"


class HubError(OcpiError):
    status_code = StatusCode.HUB_ERROR
    default_message = "Generic hub error"


class UnknownReceiver(HubError):
    status_code = StatusCode.UNKNOWN_RECEIVER
    default_message = "Unknown receiver"


class ForwardTimeout(HubError):
    status_code = StatusCode.TIMEOUT_ON_FORWARDED_REQUEST
    default_message = "Timeout on forwarded request"


class ConnectionProblem(HubError):
    status_code = StatusCode.CONNECTION_PROBLEM
    default_message = "Connection problem: the receiving party is not connected"


class PartnerError(Exception):
    """An outbound call to a partner did not give a usable answer."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        self.url = url
        super().__init__(f"{message} ({url})" if url else message)


class PartnerUnreachable(PartnerError):
    """The partner could not be reached: connection refused, DNS, timeout, TLS."""


class PartnerHttpError(PartnerError):
    """The partner answered with an HTTP error status."""

    def __init__(self, message: str, *, url: str | None = None, http_status: int) -> None:
        self.http_status = http_status
        super().__init__(message, url=url)


class PartnerProtocolError(PartnerError):
    """The partner's answer is not an OCPI response we can read."""


class PartnerOcpiError(PartnerError):
    """The partner answered with an envelope whose status_code is not 1xxx."""

    def __init__(
        self, message: str, *, url: str | None = None, status_code: int, status_message: str
    ) -> None:
        self.status_code = status_code
        self.status_message = status_message
        super().__init__(message, url=url)


class EvroamError(Exception):
    """A failure an operator sees (CLI, management API); the message says what to do next."""


class ConfigurationError(EvroamError):
    """The settings are incomplete or unsafe."""


class PartnerNotFound(EvroamError):
    """No partner of that name is known."""


class InvalidTransition(EvroamError):
    """A credentials lifecycle step that the partner's current state does not allow."""
