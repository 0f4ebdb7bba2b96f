"""Advice on our own Tariffs: alternative texts that repeat prices (CONFORMANCE TAR 224)."""

from typing import Any

import pytest

from evroam.modules.tariffs.advice import alt_text_warnings
from evroam.modules.tariffs.model import Tariff
from tests.unit.tariffs.sessions import official


def tariff(*texts: str, **changes: Any) -> Tariff:
    data = {
        "country_code": "NL",
        "party_id": "CPO",
        "id": "AC",
        "currency": "EUR",
        "tariff_alt_text": [{"language": "en", "text": t} for t in texts],
        "elements": [{"price_components": [{"type": "ENERGY", "price": "0.25", "step_size": 1}]}],
        "last_updated": "2026-05-01T08:00:00Z",
    }
    return Tariff.model_validate(data | changes)


class TestAltTextPrices:
    def test_official_alt_text_example_repeats_its_price_224(self) -> None:
        warnings = alt_text_warnings(official("tariff_2_alt_text"))
        assert len(warnings) == 2  # the English and the Dutch text
        assert "'2.00 euro'" in warnings[0]
        assert "CONFORMANCE 224" in warnings[0]

    @pytest.mark.parametrize(
        "text",
        [
            "0.25 EUR per kWh",
            "€0,25 per kWh",
            "EUR 0.25/kWh",
            "25 ct per kWh",
            "Start fee 1 euro",
            "$ 3.50 per session",
            "0.25eur",
        ],
    )
    def test_amount_beside_a_currency_is_a_price_224(self, text: str) -> None:
        assert len(alt_text_warnings(tariff(text))) == 1

    @pytest.mark.parametrize(
        "text",
        [
            "Open 24 hours; contact 3 for help",
            "Up to 22 kW on AC, 150 kW on DC",
            "After 4 hours a time fee is added",
            "Cheaper between 23:00 and 07:00",
            "Europe's fastest chargers",
        ],
    )
    def test_additional_information_is_fine_224(self, text: str) -> None:
        assert alt_text_warnings(tariff(text)) == []

    def test_no_alt_text_no_advice(self) -> None:
        assert alt_text_warnings(tariff()) == []
