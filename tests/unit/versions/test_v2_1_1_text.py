"""What every document sent to a 2.1.1 peer obeys (versions/v2_1_1/text.py): 2.1.1 types.md
§1.5 `string` is printable ASCII (CONFORMANCE 51) and §1.2 DateTime examples have whole
seconds (CONFORMANCE 45)."""

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest

from evroam.versions.v2_1_1.locations import location_out
from evroam.versions.v2_1_1.tariffs import tariff_out
from evroam.versions.v2_1_1.text import for_peer
from tests.examples import example

PRINTABLE_ASCII = re.compile(r"[\x20-\x7E]*")
# 2.1.1 types.md §1.2: string(25), "2015-06-29T20:39:09Z" or "2015-06-29T20:39:09".
DATETIME_2_1_1 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z?")
DATETIME_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}T.*")


def strings(document: Any) -> Iterator[str]:
    """Every string value in a JSON document."""
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for value in document.values():
            yield from strings(value)
    elif isinstance(document, list):
        for value in document:
            yield from strings(value)


class TestForPeer:
    @pytest.mark.parametrize(
        ("text", "folded"),
        [
            ("é", "e"),
            ("ü", "u"),
            ("Malmö", "Malmo"),
            ("Köln", "Koln"),
            ("Crème brûlée à Liège", "Creme brulee a Liege"),
            ("Ångström", "Angstrom"),
        ],
    )
    def test_folds_accents_when_non_ascii(self, text: str, folded: str) -> None:
        """CONFORMANCE 51."""
        assert for_peer(text) == folded

    @pytest.mark.parametrize(
        ("text", "spelled"),
        [("Krautwigstraße", "Krautwigstrasse"), ("2 €/h", "2 EUR/h"), ("Łódź", "Lodz")],
    )
    def test_spells_letters_that_do_not_decompose(self, text: str, spelled: str) -> None:
        """CONFORMANCE 51, without losing the letters of a street name."""
        assert for_peer({"text": text}) == {"text": spelled}

    def test_a_spelled_string_still_fits_its_field(self) -> None:
        """An address of exactly 2.1.1's 45 characters stays within them (Locations §3.1);
        a string of a field without a known limit keeps its own length."""
        address = "Hauptstraße 100, Gewerbegebiet Nord, Halle 7B"
        assert len(address) == 45
        out = for_peer({"address": address, "note": "Straße"})
        assert out["address"] == "Hauptstrasse 100, Gewerbegebiet Nord, Halle 7"
        assert out["note"] == "Strass"

    @pytest.mark.parametrize("text", ["北京", "Gent 🚗 Zuid"])
    def test_is_printable_ascii_when_nothing_folds(self, text: str) -> None:
        """CONFORMANCE 51: what has no ASCII letter behind it goes (the spec asks no more)."""
        out = for_peer(text)
        assert PRINTABLE_ASCII.fullmatch(out)
        assert out.isascii()

    @pytest.mark.parametrize(
        ("text", "cleaned"),
        [
            ("Gent\tZuid", "Gent Zuid"),
            ("line one\nline two", "line one line two"),
            ("\r\n", " "),
            ("nul\x00", "nul"),
            ("del\x7f", "del"),
            ("esc\x1b[0m", "esc[0m"),
            ("next line\x85", "next line "),
        ],
    )
    def test_drops_control_characters(self, text: str, cleaned: str) -> None:
        """CONFORMANCE 51: printable means U+0020 to U+007E; a line break or tab still
        separates words."""
        assert for_peer(text) == cleaned

    @pytest.mark.parametrize(
        ("value", "whole"),
        [
            ("2015-06-29T20:39:09.123Z", "2015-06-29T20:39:09Z"),
            ("2015-06-29T20:39:09.5Z", "2015-06-29T20:39:09Z"),
            ("2015-06-29T20:39:09.999999999Z", "2015-06-29T20:39:09Z"),
            ("2015-06-29T20:39:09.123", "2015-06-29T20:39:09"),
            ("2015-06-29T20:39:09.9", "2015-06-29T20:39:09"),
        ],
    )
    def test_cuts_fractional_seconds_when_datetime(self, value: str, whole: str) -> None:
        """CONFORMANCE 45; cut, not rounded: never a later instant than the event."""
        assert for_peer(value) == whole
        assert DATETIME_2_1_1.fullmatch(for_peer(value))

    @pytest.mark.parametrize(
        "value",
        [
            "2015-06-29T20:39:09Z",
            "2015-06-29T20:39:09",
            "2015-12-24",
            "13:30",
            "51.047599",
            "-126.104965",
            "3.729944",
            "BE*BEC*E041503001",
            "https://company.com/tariffs/13",
            "2.00 euro p/hour including VAT.",
            "",
        ],
    )
    def test_leaves_other_strings_untouched(self, value: str) -> None:
        assert for_peer(value) == value

    @pytest.mark.parametrize("value", [0, 220, 0.0006, 35.9, -1, True, False, None])
    def test_leaves_numbers_booleans_and_null_untouched(self, value: Any) -> None:
        out = for_peer(value)
        assert out == value
        assert type(out) is type(value)

    def test_walks_nested_lists_and_dicts(self) -> None:
        doc = {
            "name": "Malmö",
            "kwh": 41.12,
            "evses": [
                {
                    "status_schedule": [
                        {"period_begin": "2018-12-25T03:00:00.250Z", "status": "PLANNED"}
                    ],
                    "directions": [{"language": "sv", "text": "Våning\t2"}],
                    "max_voltage": 230,
                }
            ],
            "tags": [["ü", ["2015-06-29T20:39:09.1"]]],
        }
        assert for_peer(doc) == {
            "name": "Malmo",
            "kwh": 41.12,
            "evses": [
                {
                    "status_schedule": [
                        {"period_begin": "2018-12-25T03:00:00Z", "status": "PLANNED"}
                    ],
                    "directions": [{"language": "sv", "text": "Vaning 2"}],
                    "max_voltage": 230,
                }
            ],
            "tags": [["u", ["2015-06-29T20:39:09"]]],
        }

    def test_leaves_its_input_unchanged(self) -> None:
        doc = {"city": "Köln", "periods": [{"at": "2015-06-29T20:39:09.5Z"}]}
        before = copy.deepcopy(doc)
        for_peer(doc)
        assert doc == before

    @pytest.mark.parametrize(
        "name",
        [
            "location_example_parking_garage_opening_hours.json",
            "location_example_uc5_home_charge_point.json",
        ],
    )
    def test_every_string_is_printable_ascii_when_official_location_converted(
        self, name: str
    ) -> None:
        """CONFORMANCE 45 and 51 on Malmö, Köln and Krautwigstraße, with a fractional
        last_updated added."""
        doc = example(name) | {"last_updated": "2019-04-05T17:17:56.789Z"}
        out = for_peer(location_out(doc))
        for value in strings(out):
            assert PRINTABLE_ASCII.fullmatch(value), value
            if DATETIME_LIKE.fullmatch(value):
                assert DATETIME_2_1_1.fullmatch(value), value
        assert out["last_updated"] == "2019-04-05T17:17:56Z"

    def test_every_string_is_printable_ascii_when_tariff_alt_text_is_not(self) -> None:
        doc = example("tariff_2_alt_text.json")
        doc.pop("type", None)  # an AD_HOC_PAYMENT tariff is not sent to 2.1.1 peers at all
        doc["tariff_alt_text"].append({"language": "fr", "text": "2,00 € par heure, TVA incluse"})
        out = for_peer(tariff_out(doc))
        assert out["tariff_alt_text"][2]["text"].endswith("par heure, TVA incluse")
        for value in strings(out):
            assert PRINTABLE_ASCII.fullmatch(value), value
