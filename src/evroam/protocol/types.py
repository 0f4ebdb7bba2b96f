"""Common OCPI string types (2.2.1 Types §16; DIGEST §1.10)."""

from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, GetCoreSchemaHandler, PlainSerializer, StringConstraints
from pydantic_core import CoreSchema, core_schema

# CiString: case-insensitive, printable ASCII only. string: printable UTF-8, no control chars.
CI_PATTERN = r"^[\x20-\x7E]*$"
STRING_PATTERN = r"^[^\x00-\x1F\x7F]*$"

CiString2 = Annotated[str, StringConstraints(max_length=2, pattern=CI_PATTERN)]
CiString3 = Annotated[str, StringConstraints(max_length=3, pattern=CI_PATTERN)]
CiString4 = Annotated[str, StringConstraints(max_length=4, pattern=CI_PATTERN)]
CiString32 = Annotated[str, StringConstraints(max_length=32, pattern=CI_PATTERN)]
CiString36 = Annotated[str, StringConstraints(max_length=36, pattern=CI_PATTERN)]
CiString39 = Annotated[str, StringConstraints(max_length=39, pattern=CI_PATTERN)]
CiString48 = Annotated[str, StringConstraints(max_length=48, pattern=CI_PATTERN)]
CiString64 = Annotated[str, StringConstraints(max_length=64, pattern=CI_PATTERN)]
CiString255 = Annotated[str, StringConstraints(max_length=255, pattern=CI_PATTERN)]
# Location.country / CdrLocation.country: ISO 3166-1 alpha-3 (CONFORMANCE 145), read in any
# case, or `#NA` where a required value is truly unknown (A.52).
CountryAlpha3 = Annotated[str, StringConstraints(max_length=3, pattern=r"^(?:[A-Za-z]{3}|#NA)$")]
String2 = Annotated[str, StringConstraints(max_length=2, pattern=STRING_PATTERN)]
String3 = Annotated[str, StringConstraints(max_length=3, pattern=STRING_PATTERN)]
String4 = Annotated[str, StringConstraints(max_length=4, pattern=STRING_PATTERN)]
String10 = Annotated[str, StringConstraints(max_length=10, pattern=STRING_PATTERN)]
String16 = Annotated[str, StringConstraints(max_length=16, pattern=STRING_PATTERN)]
String20 = Annotated[str, StringConstraints(max_length=20, pattern=STRING_PATTERN)]
String45 = Annotated[str, StringConstraints(max_length=45, pattern=STRING_PATTERN)]
String64 = Annotated[str, StringConstraints(max_length=64, pattern=STRING_PATTERN)]
String100 = Annotated[str, StringConstraints(max_length=100, pattern=STRING_PATTERN)]
String255 = Annotated[str, StringConstraints(max_length=255, pattern=STRING_PATTERN)]
String512 = Annotated[str, StringConstraints(max_length=512, pattern=STRING_PATTERN)]
String5000 = Annotated[str, StringConstraints(max_length=5000, pattern=STRING_PATTERN)]
URL = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[\x21-\x7E]+$")]
# Credentials token: at most 64 characters, U+0021..U+007E only (Credentials §7.2.1).
CredentialsTokenString = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\x21-\x7E]+$")
]


# The form a CiString is stored and compared in: `NL`, `nl` and `Nl` are the same id. The
# method itself, not a function calling it: bulk paths normalise keys several times an object.
ci_key: Callable[[str], str] = str.upper


def _as_json_number(value: Decimal) -> int | float:
    # OCPI numbers carry about 4 decimals, well within float's 15 significant digits, so the
    # shortest float repr writes back exactly the digits we hold (CONFORMANCE A.54: numbers).
    return int(value) if value == value.to_integral_value() else float(value)


Number = Annotated[
    Decimal,
    Field(allow_inf_nan=False),
    PlainSerializer(_as_json_number, return_type=int | float, when_used="json"),
]
"""A JSON number held as Decimal (money, energy, power); written as a JSON number, not a string."""


class OcpiEnum(StrEnum):
    """An enum of the spec: members equal their (case-sensitive) spec values.

    Validated as pydantic validates any enum; written to JSON as the string it is, inside
    pydantic-core (an Enum's `.value` is a Python-level property, read once per value).
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return {**handler(source), "serialization": core_schema.simple_ser_schema("str")}
