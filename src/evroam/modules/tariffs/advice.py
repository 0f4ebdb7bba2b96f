"""Advice on our own Tariffs before they are published: what the spec asks but cannot validate.

DIGEST §8.2 (Tariff.tariff_alt_text): when a Tariff has `elements`, its alternative text SHALL
hold only information that is not already in them, never the prices again (CONFORMANCE
TAR 224): a driver would otherwise read two prices that drift apart the first time one of them
is edited. Text cannot be checked exactly, so this reports what looks like a price: an amount
next to a currency (`2.00 euro`, `€0,25`, `EUR 1.90`, `25 ct`). It is advice, not a rejection:
the official example `tariff_2_alt_text` itself repeats its price.
"""

import re

from evroam.modules.tariffs.model import Tariff

_AMOUNT = r"\d+(?:[.,]\d+)?"
_MONEY_WORDS = (
    r"€|\$|£|¥|euros?|eur|cents?|ct|dollars?|usd|pounds?|gbp|pence|chf|sek|nok|dkk|kr|zł|pln"
)


def _money(currency: str) -> re.Pattern[str]:
    words = f"{_MONEY_WORDS}|{re.escape(currency.lower())}" if currency else _MONEY_WORDS
    return re.compile(
        rf"(?:(?<![\w])(?:{words})\s?{_AMOUNT})|(?:{_AMOUNT}\s?(?:{words})(?![\w]))",
        re.IGNORECASE,
    )


def alt_text_warnings(tariff: Tariff) -> list[str]:
    """One warning per alternative text that states a price while `elements` give them."""
    if not tariff.elements or not tariff.tariff_alt_text:
        return []
    money = _money(tariff.currency)
    warnings = []
    for text in tariff.tariff_alt_text:
        found = money.search(text.text)
        if found:
            warnings.append(
                f"Tariff {tariff.id}: tariff_alt_text ({text.language}) states a price "
                f"({found.group(0).strip()!r}) that its elements already give; keep only"
                " additional information there (CONFORMANCE 224)."
            )
    return warnings
