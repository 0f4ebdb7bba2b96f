"""OCPI DateTime: UTC on the wire, always written with `Z` (2.2.1 Types §16.2; DIGEST §1.10)."""

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

# RFC 3339 subset the spec allows: Z or no designator (both UTC), optional fractional seconds.
# An explicit offset, even +00:00, is refused: the spec says it "is not the same as UTC".
_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz])?$")


def utc_now() -> datetime:
    """The current instant in UTC, at the millisecond precision we store and emit."""
    return truncate_ms(datetime.now(UTC))


def truncate_ms(value: datetime) -> datetime:
    """Drop sub-millisecond digits so stored and emitted values stay equal (string(25))."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def parse_datetime(value: str) -> datetime:
    """Parse an OCPI DateTime into an aware UTC datetime; raise ValueError on any other form."""
    match = _DATETIME.fullmatch(value)
    if match is None:
        raise ValueError(
            "DateTime must be UTC in the form 2015-06-29T20:39:09Z (no offset such as +02:00)"
        )
    year, month, day, hour, minute, second, fraction, _ = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    moment = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=UTC
    )
    return truncate_ms(moment)


def format_datetime(value: datetime) -> str:
    """Write a datetime as OCPI DateTime: UTC, `Z`, milliseconds only when non-zero."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    millis = value.microsecond // 1000
    if millis:
        text += f".{millis:03d}"
    return text + "Z"


def _coerce(value: object) -> object:
    if isinstance(value, str):
        return parse_datetime(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return truncate_ms(value.replace(tzinfo=UTC))
        return truncate_ms(value.astimezone(UTC))
    return value


OcpiDateTime = Annotated[
    datetime,
    BeforeValidator(_coerce),
    PlainSerializer(format_datetime, return_type=str, when_used="json"),
]
"""A DateTime field of a wire model: parsed strictly, emitted as UTC with `Z`."""
