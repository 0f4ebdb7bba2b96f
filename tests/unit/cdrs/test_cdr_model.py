"""The 2.2.1 CDR model against the official example (CDRs chapter 10; CONFORMANCE G)."""

import json
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from evroam.modules.cdrs.model import Cdr, CdrDimensionType
from tests.examples import EXAMPLES

EXAMPLE = EXAMPLES / "cdr_example.json"


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(), parse_float=Decimal)
    return data


class TestCdrModel:
    def test_round_trips_unchanged_when_official_example(self) -> None:
        # The example swaps latitude and longitude (DIGEST §14); both still match the regexes.
        raw = json.loads(EXAMPLE.read_text())
        cdr = Cdr.model_validate(raw)
        assert json.loads(cdr.model_dump_json(exclude_none=True)) == raw
        assert cdr.charging_periods[0].dimensions[0].type is CdrDimensionType.TIME

    def test_is_rejected_when_credit_without_reference_g190(self) -> None:
        with pytest.raises(ValidationError, match="credit_reference_id"):
            Cdr.model_validate(example() | {"id": "12345-C", "credit": True})

    def test_is_rejected_when_charging_periods_empty_g191(self) -> None:
        with pytest.raises(ValidationError, match="charging_periods"):
            Cdr.model_validate(example() | {"charging_periods": []})

    @pytest.mark.parametrize(
        "field", ["total_cost", "total_energy", "total_time", "start_date_time", "end_date_time"]
    )
    def test_is_rejected_when_required_total_missing_g192(self, field: str) -> None:
        data = example()
        del data[field]
        with pytest.raises(ValidationError, match=field):
            Cdr.model_validate(data)

    def test_accepts_39_character_id_and_refuses_40_g189(self) -> None:
        assert Cdr.model_validate(example() | {"id": "x" * 39}).id == "x" * 39
        with pytest.raises(ValidationError, match="id"):
            Cdr.model_validate(example() | {"id": "x" * 40})

    def test_refuses_address_over_45_when_cdr_location_g202(self) -> None:
        data = example()
        data["cdr_location"]["address"] = "a" * 46
        with pytest.raises(ValidationError, match="address"):
            Cdr.model_validate(data)

    def test_accepts_5000_character_signed_values_g210(self) -> None:
        signed = {
            "encoding_method": "OCMF",
            "signed_values": [
                {"nature": "Start", "plain_data": "p" * 5000, "signed_data": "s" * 5000}
            ],
        }
        cdr = Cdr.model_validate(example() | {"signed_data": signed})
        assert cdr.signed_data is not None
        assert len(cdr.signed_data.signed_values[0].plain_data) == 5000

    @pytest.mark.parametrize("country", ["DE", "D1U", "DEUT"])
    def test_refuses_cdr_location_country_not_alpha3_145(self, country: str) -> None:
        data = example()
        data["cdr_location"]["country"] = country
        with pytest.raises(ValidationError, match="country"):
            Cdr.model_validate(data)
