"""What every document sent to a 2.1.1 peer obeys: ASCII strings and whole-second times.

2.1.1's `string` is printable ASCII (CONFORMANCE A.51) and its DateTime examples carry no
fractional seconds, which some 2.1.1 parsers refuse (A.45). Documents are converted from
2.2.1 first (the module files here), then walked once by `for_peer`.
"""

import re
import unicodedata
from typing import Any

_DATETIME_FRACTION = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.\d+(Z?)$")
_PRINTABLE = re.compile(r"[^\x20-\x7E]")
_SPACES = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")
# Letters NFKD does not decompose into an ASCII letter and a mark
_SPELLED = str.maketrans(
    {"ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "Ł": "L",
     "ł": "l", "Đ": "D", "đ": "d", "Þ": "Th", "þ": "th", "€": "EUR"}
)  # fmt: skip


def ascii_text(value: str) -> str:
    """Printable ASCII: accents folded (é → e), letters without a decomposition spelled
    (ß → ss, ø → o), line breaks and tabs a space, other characters dropped."""
    if value.isascii() and value.isprintable():
        return value
    spelled = _SPACES.sub(" ", value).translate(_SPELLED)
    folded = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii")
    return _PRINTABLE.sub("", folded)


def whole_seconds(value: str) -> str:
    """A DateTime without its fractional seconds (truncated: never later than the event)."""
    match = _DATETIME_FRACTION.match(value)
    return match.group(1) + match.group(2) if match else value


# 2.1.1's maximum lengths of the free-text fields, by name (the shortest where a name is used
# twice: a BusinessDetails name is string(100), a Location's string(255)).
LIMITS = {
    "address": 45,
    "city": 45,
    "postal_code": 10,
    "name": 100,
    "text": 512,
    "issuer": 64,
    "visual_number": 64,
    "supplier_name": 64,
    "energy_product_name": 64,
    "remark": 255,
    "meter_id": 255,
    "floor_level": 4,
    "physical_reference": 16,
}


def for_peer(document: Any, key: str | None = None) -> Any:
    """The document with every string in 2.1.1's alphabet and every DateTime whole-second.

    A string that grew by spelling letters out (ß → ss) is cut back to its field's 2.1.1
    limit, or to its own length in a field without a known limit, so a string that fitted
    still fits."""
    if isinstance(document, str):
        converted = ascii_text(whole_seconds(document))
        if len(converted) > len(document):
            converted = converted[: max(len(document), LIMITS.get(key or "", 0))]
        return converted
    if isinstance(document, dict):
        return {name: for_peer(value, name) for name, value in document.items()}
    if isinstance(document, list):
        return [for_peer(value, key) for value in document]
    return document
