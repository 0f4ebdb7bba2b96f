"""Synthetic tariffs: per country and charger class, with time-of-day and energy components.

Tariffs §11.3; prices excl. VAT in the country's currency, Decimal only.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from evroam.modules.tariffs.model import Tariff
from evroam.sim.geography import COUNTRIES, Country

TARIFFS_UPDATED = datetime(2024, 1, 1, tzinfo=UTC)
CENT = Decimal("0.01")
PEAK = {"start_time": "07:00", "end_time": "23:00"}


@dataclass(frozen=True, kw_only=True)
class Plan:
    """One tariff shape: EUR base prices, scaled per country and seed."""

    tariff_class: str  # AC, DC or HPC (see hardware.Plug.tariff_class)
    variant: str  # STANDARD, PEAK, ADHOC…
    text: str  # what the driver reads beside the prices: never the prices again (CONFORMANCE 224)
    elements: tuple[tuple[dict[str, Any], ...], ...]  # (component…, restrictions?) as data


def _energy(price: str) -> dict[str, Any]:
    return {"type": "ENERGY", "price": price, "step_size": 1}


def _per_hour(dimension: str, price: str, step: int = 60) -> dict[str, Any]:
    return {"type": dimension, "price": price, "step_size": step}


# Each element: its price components, then optionally one restrictions dict (last item).
PLANS: tuple[Plan, ...] = (
    Plan(
        tariff_class="AC",
        variant="STANDARD",
        text="Charged by the energy delivered.",
        elements=((_energy("0.32"),),),
    ),
    Plan(
        tariff_class="AC",
        variant="PEAK",
        text="Day rate 07:00-23:00, a lower rate at night.",
        elements=((_energy("0.36"), PEAK), (_energy("0.26"),)),
    ),
    Plan(
        tariff_class="AC",
        variant="DESTINATION",
        text="After 4 hours a time fee is added: please move the car once charged.",
        elements=((_energy("0.30"),), (_per_hour("TIME", "1.20"), {"min_duration": 14400})),
    ),
    Plan(
        tariff_class="DC",
        variant="STANDARD",
        text="A start fee per session, then the energy delivered.",
        elements=(({"type": "FLAT", "price": "0.50", "step_size": 1}, _energy("0.45")),),
    ),
    Plan(
        tariff_class="DC",
        variant="PEAK",
        text="Day rate 07:00-23:00, a lower rate at night.",
        elements=((_energy("0.49"), PEAK), (_energy("0.39"),)),
    ),
    Plan(
        tariff_class="DC",
        variant="ADHOC",
        text="Pay by card at the charger; no subscription needed.",
        elements=((_energy("0.55"),),),
    ),
    Plan(
        tariff_class="HPC",
        variant="STANDARD",
        text="An idle fee applies while the car stays parked without charging.",
        elements=((_energy("0.55"), _per_hour("PARKING_TIME", "12.00")),),
    ),
    Plan(
        tariff_class="HPC",
        variant="PEAK",
        text="Day rate 07:00-23:00; after 45 minutes a time fee is added.",
        elements=(
            (_energy("0.59"), PEAK),
            (_energy("0.45"),),
            (_per_hour("TIME", "6.00"), {"min_duration": 2700}),
        ),
    ),
    Plan(
        tariff_class="HPC",
        variant="ADHOC",
        text="Pay by card at the charger; no subscription needed.",
        elements=((_energy("0.69"),),),
    ),
)
VARIANTS = {
    c: tuple(p.variant for p in PLANS if p.tariff_class == c and p.variant != "ADHOC")
    for c in ("AC", "DC", "HPC")
}


def tariff_id(country: Country, tariff_class: str, variant: str) -> str:
    """`NL-HPC-PEAK`: the id connectors reference (CiString(36))."""
    return f"{country.code}-{tariff_class}-{variant}"


def generate_tariffs(seed: int, country_code: str, party_id: str) -> Iterator[Tariff]:
    """Every tariff the generated Locations can reference, owned by `country_code`/`party_id`."""
    for country in COUNTRIES:
        level = _price_level(seed, country)
        for plan in PLANS:
            yield Tariff.model_validate(
                _tariff(plan, country, level, owner=(country_code, party_id))
            )


def _price_level(seed: int, country: Country) -> Decimal:
    # Each country's prices sit within ±10 % of the base, the same for a given seed.
    jitter = random.Random(f"evroam-tariffs:{seed}:{country.code}").randint(-10, 10)
    return country.price_factor * (100 + jitter) / 100


def _tariff(
    plan: Plan, country: Country, level: Decimal, *, owner: tuple[str, str]
) -> dict[str, Any]:
    elements = [_element(parts, country, level) for parts in plan.elements]
    return {
        "country_code": owner[0],
        "party_id": owner[1],
        "id": tariff_id(country, plan.tariff_class, plan.variant),
        "currency": country.currency,
        "type": "AD_HOC_PAYMENT" if plan.variant == "ADHOC" else "REGULAR",
        "tariff_alt_text": [{"language": "en", "text": plan.text}],
        "elements": elements,
        "last_updated": TARIFFS_UPDATED,
    }


def _element(parts: tuple[dict[str, Any], ...], country: Country, level: Decimal) -> dict[str, Any]:
    components = [p for p in parts if "type" in p]
    restrictions = [p for p in parts if "type" not in p]
    element: dict[str, Any] = {"price_components": [_priced(c, country, level) for c in components]}
    if restrictions:
        element["restrictions"] = restrictions[0]
    return element


def _priced(component: dict[str, Any], country: Country, level: Decimal) -> dict[str, Any]:
    price = (Decimal(component["price"]) * level).quantize(CENT, rounding=ROUND_HALF_UP)
    priced = {**component, "price": price}
    if country.vat is not None:
        priced["vat"] = country.vat
    return priced
