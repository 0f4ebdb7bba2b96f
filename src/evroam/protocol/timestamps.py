"""OCPI DateTime: UTC on the wire, always written with `Z` (2.2.1 Types §16.2; DIGEST §1.10)."""

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

# RFC 3339 subset the spec allows: Z or no designator (both UTC), optional fractional seconds.
# An explicit offset, even +00:00, is refused: the spec says it "is not the same as UTC".
_FORM = (
    "DateTime must be a valid UTC date and time in the form 2015-06-29T20:39:09Z"
    " (no offset such as +02:00)"
)
_ZERO = timedelta(0)
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz])?$", re.ASCII
)


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
        raise ValueError(_FORM)
    year, month, day, hour, minute, second, fraction, _ = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    moment = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=UTC
    )
    return truncate_ms(moment)


def format_datetime(value: datetime) -> str:
    """Write a datetime as OCPI DateTime: UTC, `Z`, milliseconds only when non-zero."""
    if value.microsecond == 0 and value.utcoffset() == _ZERO:  # the usual value, at its fastest
        return value.isoformat()[:-6] + "Z"  # "+00:00"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    elif value.utcoffset():
        value = value.astimezone(UTC)
    # isoformat truncates to the unit asked for, and always writes four year digits
    text = value.isoformat(timespec="milliseconds" if value.microsecond >= 1000 else "seconds")
    return text[:-6] + "Z"  # "+00:00"


def _coerce(value: object) -> datetime:
    """Any input of a DateTime field that is not in the canonical form (see `_DateTimeField`)."""
    if isinstance(value, str):
        return parse_datetime(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return truncate_ms(value.replace(tzinfo=UTC))
        return truncate_ms(value.astimezone(UTC))
    raise ValueError("DateTime must be a string such as 2015-06-29T20:39:09Z")


# The form every DateTime we send has (`Z`, whole seconds or milliseconds), which most partners
# send too: validated in pydantic-core (pattern, then its own parser), no Python call per value.
_CANONICAL = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,3})?Z$"


class _DateTimeField:
    """The schema of `OcpiDateTime`: the canonical form natively, any other input by `_coerce`.

    Both ways accept exactly what `parse_datetime` accepts, and hold an aware UTC value at
    millisecond precision (the native way's tzinfo is pydantic's UTC, equal to `UTC`).
    """

    def __get_pydantic_core_schema__(
        self, _source: Any, _handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        canonical = core_schema.chain_schema(
            [core_schema.str_schema(pattern=_CANONICAL), core_schema.datetime_schema()]
        )
        return core_schema.union_schema(
            [canonical, core_schema.no_info_plain_validator_function(_coerce)],
            mode="left_to_right",
            # one error, as `parse_datetime` raising would give, not one per branch
            custom_error_type="value_error",
            custom_error_context={"error": _FORM},
            serialization=core_schema.plain_serializer_function_ser_schema(
                format_datetime, return_schema=core_schema.str_schema(), when_used="json"
            ),
        )

    def __get_pydantic_json_schema__(
        self, _schema: CoreSchema, _handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "format": "date-time"}


OcpiDateTime = Annotated[datetime, _DateTimeField()]
"""A DateTime field of a wire model: parsed strictly, emitted as UTC with `Z`."""
