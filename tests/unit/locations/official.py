"""The official OCPI 2.2.1 example files (tag v2.2.1-d2, unmodified) as test fixtures."""

from pathlib import Path

from tests.examples import EXAMPLES, example

__all__ = [
    "FULL_LOCATIONS",
    "HOURS",
    "LOCATION_FRAGMENTS",
    "example",
    "example_text",
    "examples_dir",
]


def examples_dir() -> Path:
    """The committed copy of the official examples (tests/examples.py is the one source)."""
    return EXAMPLES


def example_text(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


# Complete Location objects (Locations §8.3.1 examples).
FULL_LOCATIONS = (
    "location_example.json",
    "location_example_parking_garage_opening_hours.json",
    "location_example_uc2_destination_charger.json",
    "location_example_uc3_destination_charger_not_published.json",
    "location_example_uc4_limited_visibility.json",
    "location_example_uc5_home_charge_point.json",
)
# Fragments of a Location: one field each (energy_mix, opening_times).
LOCATION_FRAGMENTS = (
    "location_energymix_example_complete.json",
    "location_energymix_example_energy_provider.json",
    "location_energymix_example_simple.json",
    "location_regularhours_example.json",
)
# Hours objects on their own (Locations §8.4.14 examples).
HOURS = (
    "location_hours_247_open_exception_closing.json",
    "location_hours_opening_hours_with_exceptional_closing.json",
    "location_hours_opening_hours_with_exceptional_opening.json",
)
