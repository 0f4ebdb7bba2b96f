"""2.1.1 Tariffs converters (versions/v2_1_1/tariffs.py) against the official examples of both
versions (2.1.1 mod_tariffs.md; 2.2.1 Tariffs chapter 11; CONFORMANCE 217, 373 and 374). The
2.1.1 field lists below are copied from the 2.1.1 text."""

import copy
from decimal import Decimal
from typing import Any

import pytest

from evroam.modules.tariffs.model import Tariff
from evroam.versions.v2_1_1.tariffs import Unsendable, patch_in, tariff_in, tariff_out
from tests.examples import EXAMPLES, example

Doc = dict[str, Any]
OWNER = ("NL", "TNM")
STAMP = "2015-06-29T20:39:09Z"

# OCPI 2.1.1-d2 mod_tariffs.md §3.1 "Tariff Object", Examples.
# "Simple Tariff example 2 euro per hour"
TARIFF_SIMPLE_2_1_1: Doc = {
    "id": "12",
    "currency": "EUR",
    "elements": [{"price_components": [{"type": "TIME", "price": 2.00, "step_size": 300}]}],
    "last_updated": "2015-06-29T20:39:09Z",
}
# "Simple Tariff example with alternative multi language text"
TARIFF_ALT_TEXT_2_1_1: Doc = {
    "id": "12",
    "currency": "EUR",
    "tariff_alt_text": [
        {"language": "en", "text": "2 euro p/hour"},
        {"language": "nl", "text": "2 euro p/uur"},
    ],
    "elements": [{"price_components": [{"type": "TIME", "price": 2.00, "step_size": 300}]}],
    "last_updated": "2015-06-29T20:39:09Z",
}
# "Simple Tariff example with alternative URL"
TARIFF_ALT_URL_2_1_1: Doc = {
    "id": "12",
    "currency": "EUR",
    "tariff_alt_url": "https://company.com/tariffs/12",
    "elements": [{"price_components": [{"type": "TIME", "price": 2.00, "step_size": 300}]}],
    "last_updated": "2015-06-29T20:39:09Z",
}
# "Complex Tariff example" (2.1.1 restricts by power in kW where 2.2.1's tariff_4 uses current).
WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
TARIFF_COMPLEX_2_1_1: Doc = {
    "id": "11",
    "currency": "EUR",
    "tariff_alt_url": "https://company.com/tariffs/11",
    "elements": [
        {"price_components": [{"type": "FLAT", "price": 2.50, "step_size": 1}]},
        {
            "price_components": [{"type": "TIME", "price": 1.00, "step_size": 900}],
            "restrictions": {"max_power": 32.00},
        },
        {
            "price_components": [{"type": "TIME", "price": 2.00, "step_size": 600}],
            "restrictions": {"min_power": 32.00, "day_of_week": WEEKDAYS},
        },
        {
            "price_components": [{"type": "TIME", "price": 1.25, "step_size": 600}],
            "restrictions": {"min_power": 32.00, "day_of_week": ["SATURDAY", "SUNDAY"]},
        },
        {
            "price_components": [{"type": "PARKING_TIME", "price": 5.00, "step_size": 300}],
            "restrictions": {"start_time": "09:00", "end_time": "18:00", "day_of_week": WEEKDAYS},
        },
        {
            "price_components": [{"type": "PARKING_TIME", "price": 6.00, "step_size": 300}],
            "restrictions": {
                "start_time": "10:00",
                "end_time": "17:00",
                "day_of_week": ["SATURDAY"],
            },
        },
    ],
    "last_updated": "2015-06-29T20:39:09Z",
}
# "Free of Charge Tariff example" (step_size 0, as in 2.2.1's tariff_5).
TARIFF_FREE_2_1_1: Doc = {
    "id": "12",
    "currency": "EUR",
    "elements": [{"price_components": [{"type": "FLAT", "price": 0.00, "step_size": 0}]}],
    "last_updated": "2015-06-29T20:39:09Z",
}
TARIFFS_2_1_1 = [
    TARIFF_SIMPLE_2_1_1,
    TARIFF_ALT_TEXT_2_1_1,
    TARIFF_ALT_URL_2_1_1,
    TARIFF_COMPLEX_2_1_1,
    TARIFF_FREE_2_1_1,
]
TARIFF_IDS_2_1_1 = ["simple", "alt_text", "alt_url", "complex", "free"]
# §2.2.2 "PUT Method", Example: New Tariff 2 euro per hour (no last_updated).
TARIFF_PUT_2_1_1: Doc = {
    "id": "12",
    "currency": "EUR",
    "elements": [{"price_components": [{"type": "TIME", "price": 2.00, "step_size": 300}]}],
}
# §2.2.3 "PATCH Method", Example: Change Tariff to 2,50 (printed as "PUT To URL").
TARIFF_PATCH_2_1_1: Doc = {
    "elements": [{"price_components": [{"type": "TIME", "price": 2.50, "step_size": 300}]}],
}

# §3.1, §4.2, §4.3, §4.5: the 2.1.1 fields; §4.4 TariffDimensionType.
TARIFF_FIELDS_2_1_1 = {
    "id",
    "currency",
    "tariff_alt_text",
    "tariff_alt_url",
    "elements",
    "energy_mix",
    "last_updated",
}
TARIFF_REQUIRED_2_1_1 = {"id", "currency", "elements", "last_updated"}
ELEMENT_FIELDS_2_1_1 = {"price_components", "restrictions"}
PRICE_COMPONENT_FIELDS_2_1_1 = {"type", "price", "step_size"}
RESTRICTION_FIELDS_2_1_1 = {
    "start_time",
    "end_time",
    "start_date",
    "end_date",
    "min_kwh",
    "max_kwh",
    "min_power",
    "max_power",
    "min_duration",
    "max_duration",
    "day_of_week",
}
DIMENSIONS_2_1_1 = {"ENERGY", "FLAT", "PARKING_TIME", "TIME"}
TARIFF_ONLY_2_2_1 = {
    "country_code",
    "party_id",
    "type",
    "min_price",
    "max_price",
    "start_date_time",
    "end_date_time",
}
UNSAYABLE_2_1_1 = {"min_current", "max_current", "reservation"}

ALL_TARIFF_FILES_2_2_1 = sorted(p.name for p in EXAMPLES.glob("tariff*.json"))
# Ad hoc and profile Tariffs (TariffType other than REGULAR) are not sent to 2.1.1 peers,
# which have no `type` and would show them as the price for their drivers.
TYPED_TARIFF_FILES = [
    n for n in ALL_TARIFF_FILES_2_2_1 if example(n).get("type") not in (None, "REGULAR")
]
TARIFF_FILES_2_2_1 = [n for n in ALL_TARIFF_FILES_2_2_1 if n not in TYPED_TARIFF_FILES]


def sayable(element: Doc) -> bool:
    """Whether 2.1.1 can state every restriction of this 2.2.1 element."""
    return not set(element.get("restrictions") or {}) & UNSAYABLE_2_1_1


def assert_2_1_1_tariff(out: Doc) -> None:
    """CONFORMANCE 373."""
    assert set(out) <= TARIFF_FIELDS_2_1_1
    assert not set(out) & TARIFF_ONLY_2_2_1
    assert out["elements"]
    for element in out["elements"]:
        assert set(element) <= ELEMENT_FIELDS_2_1_1
        assert element["price_components"]
        for component in element["price_components"]:
            assert set(component) == PRICE_COMPONENT_FIELDS_2_1_1
            assert component["type"] in DIMENSIONS_2_1_1
        assert set(element.get("restrictions") or {}) <= RESTRICTION_FIELDS_2_1_1
    for impact in (out.get("energy_mix") or {}).get("environ_impact") or []:
        assert set(impact) == {"source", "amount"}


class TestTariffOut:
    @pytest.mark.parametrize("name", TARIFF_FILES_2_2_1)
    def test_has_only_2_1_1_fields_when_official_2_2_1_example(self, name: str) -> None:
        """CONFORMANCE 373: no owner, type, min/max_price, validity period, `vat`, current or
        reservation restriction. (tariff_put_example.json itself lacks last_updated.)"""
        doc = example(name)
        out = tariff_out(doc)
        assert_2_1_1_tariff(out)
        assert set(out) >= TARIFF_REQUIRED_2_1_1 & set(doc)
        kept = [e for e in doc["elements"] if sayable(e)]
        assert len(out["elements"]) == len(kept)
        for element, original in zip(out["elements"], kept, strict=True):
            assert element["price_components"] == [
                {k: c[k] for k in PRICE_COMPONENT_FIELDS_2_1_1}
                for c in original["price_components"]
            ]

    @pytest.mark.parametrize("name", TYPED_TARIFF_FILES)
    def test_a_tariff_of_another_type_than_regular_is_not_sent(self, name: str) -> None:
        """O.373: 2.1.1 cannot say a price is ad hoc or a profile's."""
        assert TYPED_TARIFF_FILES  # the examples hold ad hoc and profile tariffs
        with pytest.raises(Unsendable):
            tariff_out(example(name))

    def test_leaves_out_elements_restricted_by_current(self) -> None:
        """tariff_4: the TIME elements limited by min_/max_current cannot be said in 2.1.1."""
        out = tariff_out(example("tariff_4_complex.json"))
        assert out["elements"] == [
            {"price_components": [{"type": "FLAT", "price": 2.5, "step_size": 1}]},
            {
                "price_components": [{"type": "PARKING_TIME", "price": 5.0, "step_size": 300}],
                "restrictions": {
                    "start_time": "09:00",
                    "end_time": "18:00",
                    "day_of_week": WEEKDAYS,
                },
            },
            {
                "price_components": [{"type": "PARKING_TIME", "price": 6.0, "step_size": 300}],
                "restrictions": {
                    "start_time": "10:00",
                    "end_time": "17:00",
                    "day_of_week": ["SATURDAY"],
                },
            },
        ]

    @pytest.mark.parametrize(
        "name",
        [
            "tariff_15_reservation_5_euro_per_hour.json",
            "tariff_16_reservation_2_euro_fee_5_euro_per_hour.json",
            "tariff_17_reservation_with_expire_fee.json",
            "tariff_18_reservation_with_expire_time.json",
        ],
    )
    def test_leaves_out_elements_restricted_by_reservation(self, name: str) -> None:
        """2.1.1 has no reservation restriction: only the charging element is left."""
        assert tariff_out(example(name))["elements"] == [
            {
                "price_components": [
                    {"type": "FLAT", "price": 0.5, "step_size": 1},
                    {"type": "ENERGY", "price": 0.25, "step_size": 1},
                ]
            }
        ]

    @pytest.mark.parametrize(
        "restrictions",
        [{"min_current": 32.0}, {"max_current": 16.0}, {"reservation": "RESERVATION"}],
    )
    def test_raises_unsendable_when_no_element_is_left(self, restrictions: Doc) -> None:
        doc = example("tariff_1_simple_2hour.json")
        doc["elements"][0]["restrictions"] = restrictions
        with pytest.raises(Unsendable):
            tariff_out(doc)

    def test_environmental_impact_has_source(self) -> None:
        """mod_locations.md §4.8, which 2.1.1 Tariff.energy_mix refers to."""
        mix = example("location_energymix_example_complete.json")["energy_mix"]
        out = tariff_out(example("tariff_1_simple_2hour.json") | {"energy_mix": mix})
        assert out["energy_mix"]["environ_impact"] == [
            {"source": "NUCLEAR_WASTE", "amount": 0.0006},
            {"source": "CARBON_DIOXIDE", "amount": 372},
        ]
        assert out["energy_mix"]["energy_sources"] == mix["energy_sources"]

    def test_leaves_its_input_unchanged(self) -> None:
        doc = example("tariff_4_complex.json")
        doc["energy_mix"] = example("location_energymix_example_complete.json")["energy_mix"]
        before = copy.deepcopy(doc)
        tariff_out(doc)
        assert doc == before

    @pytest.mark.parametrize("doc", TARIFFS_2_1_1, ids=TARIFF_IDS_2_1_1)
    def test_round_trip_is_identity_when_official_2_1_1_example(self, doc: Doc) -> None:
        assert tariff_out(tariff_in(doc, OWNER)) == doc

    @pytest.mark.parametrize(
        "name",
        [n for n in TARIFF_FILES_2_2_1 if all(map(sayable, example(n)["elements"]))],
    )
    def test_round_trip_keeps_what_both_versions_share(self, name: str) -> None:
        doc = example(name)
        doc.setdefault("last_updated", STAMP)  # tariff_put_example.json has none
        back = tariff_in(tariff_out(doc), (doc["country_code"], doc["party_id"]))
        expected = {k: v for k, v in doc.items() if k not in TARIFF_ONLY_2_2_1} | {
            "country_code": doc["country_code"],
            "party_id": doc["party_id"],
        }
        for element in expected["elements"]:
            for component in element["price_components"]:
                component.pop("vat", None)
        assert Tariff.model_validate(back) == Tariff.model_validate(expected)


class TestTariffIn:
    @pytest.mark.parametrize("doc", TARIFFS_2_1_1, ids=TARIFF_IDS_2_1_1)
    def test_validates_as_2_2_1_tariff_when_official_2_1_1_example(self, doc: Doc) -> None:
        """CONFORMANCE 374: the owner is the peer's."""
        tariff = Tariff.model_validate(tariff_in(doc, OWNER))
        assert (tariff.country_code, tariff.party_id) == OWNER
        assert tariff.id == doc["id"]
        assert len(tariff.elements) == len(doc["elements"])
        assert tariff.type is None
        assert all(c.vat is None for e in tariff.elements for c in e.price_components)

    def test_validates_when_official_put_example_is_stamped(self) -> None:
        """§2.2.2 prints no last_updated; the edge stamps the time of receipt."""
        out = tariff_in(TARIFF_PUT_2_1_1, OWNER)
        assert out == TARIFF_PUT_2_1_1 | {"country_code": "NL", "party_id": "TNM"}
        Tariff.model_validate(out | {"last_updated": STAMP})

    def test_owner_comes_from_the_credentials_not_the_body(self) -> None:
        """CONFORMANCE 374: 2.1.1 Tariffs carry no owner; a body claiming one is ignored."""
        doc = TARIFF_SIMPLE_2_1_1 | {"country_code": "DE", "party_id": "ALL", "x_vendor": 1}
        out = tariff_in(doc, OWNER)
        assert (out["country_code"], out["party_id"]) == OWNER
        assert "x_vendor" not in out

    def test_environmental_impact_source_becomes_category(self) -> None:
        mix_2_1_1 = {
            "is_green_energy": False,
            "environ_impact": [{"source": "CARBON_DIOXIDE", "amount": 372}],
        }
        tariff = Tariff.model_validate(
            tariff_in(TARIFF_SIMPLE_2_1_1 | {"energy_mix": mix_2_1_1}, OWNER)
        )
        assert tariff.energy_mix is not None
        assert tariff.energy_mix.environ_impact is not None
        assert tariff.energy_mix.environ_impact[0].category == "CARBON_DIOXIDE"

    def test_leaves_its_input_unchanged(self) -> None:
        doc = copy.deepcopy(TARIFF_COMPLEX_2_1_1)
        tariff_in(doc, OWNER)
        assert doc == TARIFF_COMPLEX_2_1_1

    def test_validates_when_end_time_is_24_00(self) -> None:
        doc = copy.deepcopy(TARIFF_COMPLEX_2_1_1)
        doc["elements"][4]["restrictions"]["end_time"] = "24:00"
        tariff = Tariff.model_validate(tariff_in(doc, OWNER))
        restrictions = tariff.elements[4].restrictions
        assert restrictions is not None
        assert restrictions.end_time == "00:00"


class TestTariffPatch:
    def test_keeps_only_tariff_fields(self) -> None:
        """A 2.1.1 PATCH names Tariff fields only: no owner, nothing 2.2-only or unknown."""
        patch = TARIFF_PATCH_2_1_1 | {
            "tariff_alt_url": "https://company.com/tariffs/12",
            "country_code": "DE",
            "party_id": "ALL",
            "type": "REGULAR",
            "x_vendor": 1,
        }
        assert patch_in(patch) == TARIFF_PATCH_2_1_1 | {
            "tariff_alt_url": "https://company.com/tariffs/12"
        }

    def test_updates_only_the_given_fields_when_official_2_1_1_patch(self) -> None:
        """CONFORMANCE 217: §2.2.3's PATCH changes the price; id, currency and owner stay."""
        stored = tariff_in(TARIFF_ALT_TEXT_2_1_1, OWNER)
        merged = Tariff.model_validate(stored | patch_in(TARIFF_PATCH_2_1_1))
        assert merged.elements[0].price_components[0].price == Decimal("2.50")
        assert (merged.id, merged.currency, merged.country_code) == ("12", "EUR", "NL")
        assert merged.tariff_alt_text == Tariff.model_validate(stored).tariff_alt_text

    def test_environmental_impact_source_becomes_category(self) -> None:
        patch = {"energy_mix": {"is_green_energy": True, "environ_impact": []}}
        assert patch_in(patch) == patch
        patch = {
            "energy_mix": {
                "is_green_energy": False,
                "environ_impact": [{"source": "NUCLEAR_WASTE", "amount": 0.0006}],
            }
        }
        assert patch_in(patch)["energy_mix"]["environ_impact"] == [
            {"category": "NUCLEAR_WASTE", "amount": 0.0006}
        ]
        assert patch["energy_mix"]["environ_impact"] == [
            {"source": "NUCLEAR_WASTE", "amount": 0.0006}
        ]
