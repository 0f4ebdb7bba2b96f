"""A synthetic CPO network: realistic, valid OCPI Locations, deterministic per seed (§8.3).

Location `n` depends only on (seed, n): a longer run starts with the same Locations as a
shorter one. Objects are drawn as OCPI JSON with the model's field order, so a file can be
written at speed (`location_json`) while `generate_locations` yields validated models; the
tests hold both to the same bytes.
"""

import json
import random
import time
from bisect import bisect
from collections.abc import Iterator, Sequence
from decimal import Decimal
from enum import StrEnum
from functools import cache
from itertools import accumulate
from typing import Any, Generic, TypeVar

from evroam.modules.locations.enums import Capability, ParkingType, Status
from evroam.modules.locations.model import Location
from evroam.modules.tariffs.model import Tariff
from evroam.sim import pricing
from evroam.sim.geography import COUNTRIES, City, Country
from evroam.sim.hardware import SITE_KINDS, Charger, Plug, SiteKind

T = TypeVar("T")
Owner = tuple[str, str]  # the CPO's (country_code, party_id)


class Weighted(Generic[T]):
    """A fixed population drawn by relative weight (cumulative weights computed once)."""

    def __init__(self, options: Sequence[tuple[T, int]]) -> None:
        self.population = [option for option, _ in options]
        self.cumulative = list(accumulate(weight for _, weight in options))

    def pick(self, rng: random.Random) -> T:
        return self.population[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


# All timestamps fall in 2024 (seconds since the Unix epoch), never the clock's time.
EPOCH = 1704067200  # 2024-01-01T00:00:00Z
YEAR_SECONDS = 366 * 24 * 3600
MONTH_SECONDS = 30 * 24 * 3600

STATUSES = Weighted(
    [
        (Status.AVAILABLE, 70),
        (Status.CHARGING, 18),
        (Status.UNKNOWN, 3),
        (Status.OUTOFORDER, 3),
        (Status.INOPERATIVE, 2),
        (Status.BLOCKED, 2),
        (Status.RESERVED, 1),
        (Status.PLANNED, 1),
    ]
)
COUNTRY_CHOICE = Weighted([(country, country.weight) for country in COUNTRIES])
KIND_CHOICE = Weighted([(kind, kind.weight) for kind in SITE_KINDS])
GARAGES = (ParkingType.PARKING_GARAGE, ParkingType.UNDERGROUND_GARAGE)
# Opening hours of the sites that are not 24/7: Monday-Friday, then Saturday, Sunday.
SHOP_HOURS = (("07:00", "21:00"), ("08:00", "20:00"), ("10:00", "18:00"))
GARAGE_HOURS = (("06:00", "23:59"), ("07:00", "23:59"), ("08:00", "22:00"))
POSTAL_LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"


def generate_locations(
    count: int, seed: int, country_code: str = "NL", party_id: str = "CPO"
) -> Iterator[Location]:
    """`count` validated Locations owned by the CPO `country_code`/`party_id`, one at a time."""
    owner = (country_code.upper(), party_id.upper())
    for number in range(1, count + 1):
        yield Location.model_validate(location_data(seed, number, owner))


def generate_tariffs(
    seed: int, country_code: str = "NL", party_id: str = "CPO"
) -> Iterator[Tariff]:
    """Every Tariff the generated connectors reference in `tariff_ids`."""
    return pricing.generate_tariffs(seed, country_code.upper(), party_id.upper())


def location_json(seed: int, number: int, owner: Owner) -> str:
    """Location `number` as compact JSON, byte-equal to the model's `model_dump_json`."""
    return json.dumps(location_data(seed, number, owner), ensure_ascii=False, separators=(",", ":"))


def location_data(seed: int, number: int, owner: Owner) -> dict[str, Any]:
    """Location `number` (from 1) of the network of `seed`, as the OCPI JSON object."""
    rng = random.Random(f"evroam-network:{seed}:{number}")
    country = COUNTRY_CHOICE.pick(rng)
    city = rng.choice(country.cities)
    kind = KIND_CHOICE.pick(rng)
    return _Site(
        rng=rng, number=number, owner=owner, country=country, city=city, kind=kind
    ).location()


class _Site:
    """One Location being drawn: the random source and the choices made so far."""

    def __init__(
        self,
        *,
        rng: random.Random,
        number: int,
        owner: Owner,
        country: Country,
        city: City,
        kind: SiteKind,
    ) -> None:
        self.rng, self.number, self.owner = rng, number, owner
        self.country, self.city, self.kind = country, city, kind
        self.id = f"LOC{number:06d}"
        self.parking_type = rng.choice(kind.parking_types)
        self.updated = EPOCH + rng.randrange(YEAR_SECONDS)
        # One tariff plan per charger class for the whole site.
        self.plans = {c: rng.choice(v) for c, v in pricing.VARIANTS.items()}

    def location(self) -> dict[str, Any]:
        """The object, keys in the model's field order (Locations §8.3.1)."""
        street = self.rng.choice(self.country.streets)
        data: dict[str, Any] = {
            "country_code": self.owner[0],
            "party_id": self.owner[1],
            "id": self.id,
            "publish": True,
        }
        if self.rng.random() < 0.03:
            # A few sites visible to one token group only (§8.3.1 publish_allowed_to).
            data["publish"] = False
            data["publish_allowed_to"] = [{"group_id": f"{self.id}-STAFF"}]
        data |= {
            "name": self._name(street),
            "address": self._address(street),
            "city": self.city.name,
        }
        # Motorway service areas often have no postal code; the spec allows omitting it.
        if self.kind.name != "motorway" or self.rng.random() < 0.5:
            data["postal_code"] = self._postal_code()
        if self.city.state:
            data["state"] = self.city.state
        data["country"] = self.country.alpha3
        data["coordinates"] = self._coordinates()
        data["parking_type"] = self.parking_type.value
        data["evses"] = self._evses()
        data["operator"] = {"name": f"{self.owner[0]}*{self.owner[1]} Charging"}
        if facilities := self._some(self.kind.facilities, most=2):
            data["facilities"] = facilities
        data["time_zone"] = self.city.time_zone
        data.update(self._hours())
        if self.rng.random() < 0.2:
            data["energy_mix"] = {"is_green_energy": True}
        data["last_updated"] = _stamp(self.updated)
        return data

    def _address(self, street: str) -> str:
        house = self.rng.randint(1, 250)
        return f"{house} {street}" if self.country.code == "US" else f"{street} {house}"

    def _name(self, street: str) -> str:
        if self.kind.name == "motorway":
            return f"{self.city.name} Services {self.rng.randint(1, 9)}"
        names = {
            "street": f"{street}, {self.city.name}",
            "garage": f"Parking {street}",
            "destination": f"{self.city.name} {street} car park",
        }
        return names[self.kind.name]

    def _postal_code(self) -> str:
        rng = self.rng
        return "".join(
            str(rng.randrange(10)) if c == "#" else rng.choice(POSTAL_LETTERS) if c == "@" else c
            for c in self.city.postal_code
        )

    def _coordinates(self) -> dict[str, str]:
        spread = 300000 if self.kind.name == "motorway" else 80000  # micro-degrees
        return {
            "latitude": f"{self.city.latitude + self._jitter(spread):.6f}",
            "longitude": f"{self.city.longitude + self._jitter(spread * 3 // 2):.6f}",
        }

    def _jitter(self, micro_degrees: int) -> Decimal:
        return Decimal(self.rng.randint(-micro_degrees, micro_degrees)) / 1000000

    def _evses(self) -> list[dict[str, Any]]:
        lowest, highest = self.kind.evses
        mix = _mix(self.kind, self.country.plugs)
        main = mix.pick(self.rng)
        return [
            self._evse(n, main if self.rng.random() < 0.8 else mix.pick(self.rng))
            for n in range(1, self.rng.randint(lowest, highest) + 1)
        ]

    def _evse(self, n: int, model: Charger) -> dict[str, Any]:
        """One EVSE (§8.3.2); its last_updated is at or before the Location's (E.120)."""
        updated = self.updated - self.rng.randrange(MONTH_SECONDS)
        status = STATUSES.pick(self.rng)
        capabilities = _capabilities(self.kind, model, reservable=self.rng.random() < 0.3)
        evse: dict[str, Any] = {
            "uid": f"{self.id}-{n}",
            "evse_id": f"{self.owner[0]}*{self.owner[1]}*E{self.number}*{n}",
            "status": status.value,
        }
        if status is Status.PLANNED:
            schedule = {"period_begin": _stamp(updated + MONTH_SECONDS), "status": "AVAILABLE"}
            evse["status_schedule"] = [schedule]
        evse["capabilities"] = capabilities
        evse["connectors"] = [
            self._connector(str(i), plug, capabilities, updated)
            for i, plug in enumerate(model.plugs, start=1)
        ]
        if self.parking_type in GARAGES:
            evse["floor_level"] = str(self.rng.randint(-3, 2))
        evse["physical_reference"] = str(n)
        if restrictions := self._some(self.kind.parking_restrictions, most=1):
            evse["parking_restrictions"] = restrictions
        evse["last_updated"] = _stamp(updated)
        return evse

    def _connector(
        self, connector_id: str, plug: Plug, capabilities: tuple[str, ...], evse_updated: int
    ) -> dict[str, Any]:
        """One Connector (§8.3.3) with the site's tariff for its class."""
        tariffs = [
            pricing.tariff_id(self.country, plug.tariff_class, self.plans[plug.tariff_class])
        ]
        if plug.tariff_class != "AC" and Capability.CREDIT_CARD_PAYABLE in capabilities:
            # Card payment at the charger: a second tariff, of another Tariff.type (§8.3.3).
            tariffs.append(pricing.tariff_id(self.country, plug.tariff_class, "ADHOC"))
        return {
            "id": connector_id,
            **_ratings(plug),
            "tariff_ids": tariffs,
            "last_updated": _stamp(evse_updated - self.rng.randrange(MONTH_SECONDS)),
        }

    def _hours(self) -> dict[str, Any]:
        if self.rng.randrange(100) >= self.kind.opening_hours_percent:
            return {"opening_times": {"twentyfourseven": True}}
        table = GARAGE_HOURS if self.kind.name == "garage" else SHOP_HOURS
        days = [(day, table[0]) for day in range(1, 6)] + [(6, table[1])]
        if self.rng.random() < 0.5:
            days.append((7, table[2]))
        regular = [{"weekday": d, "period_begin": b, "period_end": e} for d, (b, e) in days]
        return {
            "opening_times": {"twentyfourseven": False, "regular_hours": regular},
            # Cars parked in a closing garage keep charging; at shops the charger stops.
            "charging_when_closed": self.kind.name == "garage",
        }

    def _some(self, choices: tuple[StrEnum, ...], *, most: int) -> list[str]:
        if not choices:
            return []
        picked = self.rng.sample(choices, k=min(len(choices), self.rng.randint(0, most)))
        return [c.value for c in sorted(picked, key=choices.index)]


@cache
def _mix(kind: SiteKind, region: str) -> Weighted[Charger]:
    return Weighted(kind.chargers[region])


@cache
def _capabilities(kind: SiteKind, model: Charger, *, reservable: bool) -> tuple[str, ...]:
    capabilities = set(kind.capabilities)
    if len(model.plugs) > 1:
        # Several connectors on one OCPP 1.x EVSE: StartSession must name one (§8.4.3).
        capabilities.add(Capability.START_SESSION_CONNECTOR_REQUIRED)
    if reservable:
        capabilities.add(Capability.RESERVABLE)
    return tuple(c.value for c in Capability if c in capabilities)


@cache
def _ratings(plug: Plug) -> dict[str, Any]:
    return {
        "standard": plug.standard.value,
        "format": plug.format.value,
        "power_type": plug.power_type.value,
        "max_voltage": plug.max_voltage,
        "max_amperage": plug.max_amperage,
        "max_electric_power": plug.max_electric_power,
    }


def _stamp(seconds: int) -> str:
    """An OCPI DateTime in UTC with `Z` (Types §16.2), whole seconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
