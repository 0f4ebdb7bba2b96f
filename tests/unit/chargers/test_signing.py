"""Signed meter values of the simulated charge points (CDRs §10.4.7; CONFORMANCE G.210)."""

from datetime import UTC, datetime
from decimal import Decimal

from evroam.chargers.signing import ENCODING_METHOD, MeterSigner
from evroam.modules.cdrs.model import SignedData

AT = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def signed(seed: int = 7) -> SignedData:
    signer = MeterSigner.for_seed(seed)
    return signer.signed_data("EVSE-1", "S1", (AT, Decimal(1000)), (LATER, Decimal(12345)))


def test_start_and_end_readings_are_signed_and_verify() -> None:
    data = signed()
    assert data.encoding_method == ENCODING_METHOD
    assert [v.nature for v in data.signed_values] == ["Start", "End"]
    assert '"register_wh":"12345"' in data.signed_values[1].plain_data
    assert MeterSigner.for_seed(7).verifies(data)


def test_a_changed_reading_or_another_key_does_not_verify() -> None:
    data = signed()
    tampered = data.model_copy(deep=True)
    tampered.signed_values[1].plain_data = tampered.signed_values[1].plain_data.replace(
        "12345", "12346"
    )
    assert not MeterSigner.for_seed(7).verifies(tampered)
    assert not MeterSigner.for_seed(8).verifies(data)


def test_signed_data_is_a_valid_wire_object() -> None:
    data = signed()
    again = SignedData.model_validate_json(data.model_dump_json(exclude_none=True))
    assert again == data
