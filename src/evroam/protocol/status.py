"""OCPI status codes (OCPI 2.2.1 Transport and format §5; DIGEST §1.5)."""

from enum import IntEnum


class StatusCode(IntEnum):
    """Every status code the standard defines; custom ranges 19xx/29xx/39xx/49xx are never sent."""

    SUCCESS = 1000
    CLIENT_ERROR = 2000
    INVALID_PARAMETERS = 2001
    NOT_ENOUGH_INFORMATION = 2002
    UNKNOWN_LOCATION = 2003
    UNKNOWN_TOKEN = 2004
    SERVER_ERROR = 3000
    UNABLE_TO_USE_CLIENT_API = 3001
    UNSUPPORTED_VERSION = 3002
    NO_MATCHING_ENDPOINTS = 3003
    HUB_ERROR = 4000
    UNKNOWN_RECEIVER = 4001
    TIMEOUT_ON_FORWARDED_REQUEST = 4002
    CONNECTION_PROBLEM = 4003


def is_success(code: int) -> bool:
    """1xxx codes mean success (including the custom 19xx range a partner may send)."""
    return 1000 <= code < 2000
