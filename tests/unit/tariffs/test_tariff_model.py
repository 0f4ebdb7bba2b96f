"""The 2.2.1 Tariff model against the official examples (Tariffs chapter 11; CONFORMANCE H)."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from evroam.modules.tariffs.model import Tariff, TariffDimensionType
from tests.examples import EXAMPLES

TARIFF_FILES = sorted(
    p
    for p in [*EXAMPLES.glob("tariff_*.json"), *EXAMPLES.glob("tariffrestriction_*.json")]
    if p.name != "tariff_put_example.json"
)


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(), parse_float=Decimal)
    return data


class TestTariffModel:
    @pytest.mark.parametrize("path", TARIFF_FILES, ids=lambda p: p.name)
    def test_round_trips_unchanged_when_official_example(self, path: Path) -> None:
        raw = json.loads(path.read_text())
        tariff = Tariff.model_validate(raw)
        assert json.loads(tariff.model_dump_json(exclude_none=True)) == raw

    def test_is_rejected_when_last_updated_missing(self) -> None:
        # tariff_put_example.json (a PUT body) omits the required last_updated (§11.3.1).
        with pytest.raises(ValidationError, match="last_updated"):
            Tariff.model_validate(load("tariff_put_example.json"))

    def test_is_rejected_when_elements_empty(self) -> None:
        # CONFORMANCE H.219.
        data = load("tariff_8_simple_025kwh.json") | {"elements": []}
        with pytest.raises(ValidationError, match="elements"):
            Tariff.model_validate(data)

    def test_is_rejected_when_step_size_missing(self) -> None:
        # CONFORMANCE H.220.
        data = load("tariff_8_simple_025kwh.json")
        del data["elements"][0]["price_components"][0]["step_size"]
        with pytest.raises(ValidationError, match="step_size"):
            Tariff.model_validate(data)

    def test_accepts_step_size_zero_when_flat(self) -> None:
        # CONFORMANCE H.221 (tariff_5).
        tariff = Tariff.model_validate(load("tariff_5_free_of_charge.json"))
        component = tariff.elements[0].price_components[0]
        assert (component.type, component.step_size) == (TariffDimensionType.FLAT, 0)

    def test_keeps_vat_absent_distinct_from_zero_when_parsed(self) -> None:
        # CONFORMANCE H.222: omitted vat = no VAT applicable, unlike vat 0.
        data = load("tariff_8_simple_025kwh.json")
        data["elements"].append(
            {"price_components": [{"type": "TIME", "price": 1, "step_size": 1}]}
        )
        data["elements"][0]["price_components"][0]["vat"] = 0
        tariff = Tariff.model_validate(data)
        assert tariff.elements[0].price_components[0].vat == Decimal(0)
        assert tariff.elements[1].price_components[0].vat is None

    @pytest.mark.parametrize("value", ["24:00", "9:00", "09:60", "0900"])
    def test_is_rejected_when_time_does_not_match_regex(self, value: str) -> None:
        # CONFORMANCE H.225: ([0-1][0-9]|2[0-3]):[0-5][0-9].
        data = load("tariff_8_simple_025kwh.json")
        data["elements"][0]["restrictions"] = {"start_time": value}
        with pytest.raises(ValidationError, match="start_time"):
            Tariff.model_validate(data)

    def test_is_rejected_when_reservation_element_prices_energy(self) -> None:
        # CONFORMANCE H.226: reservation elements only have FLAT and TIME.
        data = load("tariff_8_simple_025kwh.json")
        data["elements"][0]["restrictions"] = {"reservation": "RESERVATION"}
        with pytest.raises(ValidationError, match="only FLAT and TIME"):
            Tariff.model_validate(data)

    def test_ignores_unknown_fields_when_parsed(self) -> None:
        data = load("tariff_8_simple_025kwh.json") | {"x_vendor": 1}
        dumped = Tariff.model_validate(data).model_dump(mode="json", exclude_none=True)
        assert "x_vendor" not in dumped
