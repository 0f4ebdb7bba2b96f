"""OCPI 2.1.1 Tariffs (2.1.1 mod_tariffs.md) ⇄ the 2.2.1 documents we store.

Out: the 2.2.1-only fields go (owner, min/max_price, validity period, `vat`, current and
reservation restrictions), and a Tariff of a type other than REGULAR is not sent at all. An
element restricted by what 2.1.1 cannot say (current, a reservation) is left out rather than
sent unrestricted, which would price other charging with it; a Tariff left with no element
cannot be sent (`Unsendable`). In: the owner comes
from the peer's credentials (O.374). 2.1.1 Receivers also take PATCH (H.217):
`patch_in` names its fields in 2.2.1 and the edge merges them into the stored Tariff.
"""

from typing import Any

from evroam.versions.v2_1_1.locations import energy_mix_in, energy_mix_out

Doc = dict[str, Any]

_TARIFF_FIELDS = ("id", "currency", "tariff_alt_text", "tariff_alt_url", "last_updated")
_RESTRICTIONS = (
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
)
_UNSAYABLE = ("min_current", "max_current", "reservation")


class Unsendable(ValueError):
    """The object has nothing a 2.1.1 peer could be told."""


def element_out(element: Doc) -> Doc | None:
    restrictions = element.get("restrictions") or {}
    if any(restrictions.get(key) is not None for key in _UNSAYABLE):
        return None
    out: Doc = {
        "price_components": [
            {key: c[key] for key in ("type", "price", "step_size") if key in c}
            for c in element.get("price_components") or []
        ]
    }
    kept = {key: restrictions[key] for key in _RESTRICTIONS if restrictions.get(key) is not None}
    if kept:
        out["restrictions"] = kept
    return out


def elements_out(elements: list[Doc]) -> list[Doc]:
    return [e for e in map(element_out, elements) if e is not None]


def tariff_out(tariff: Doc) -> Doc:
    """A stored Tariff as a 2.1.1 peer reads it; Unsendable when no element is left."""
    if tariff.get("type") not in (None, "REGULAR"):
        # an ad hoc or profile price: a 2.1.1 peer, which cannot tell, would show it as the
        # price for its drivers
        raise Unsendable(f"Tariff {tariff.get('id')} is of type {tariff['type']}, unknown to 2.1.1")
    out = {key: tariff[key] for key in _TARIFF_FIELDS if key in tariff}
    out["elements"] = elements_out(tariff.get("elements") or [])
    if not out["elements"]:
        raise Unsendable(f"Tariff {tariff.get('id')}: no element can be expressed in 2.1.1")
    if tariff.get("energy_mix") is not None:
        out["energy_mix"] = energy_mix_out(tariff["energy_mix"])
    return out


def tariff_in(tariff: Doc, owner: tuple[str, str]) -> Doc:
    """A 2.1.1 Tariff as we store it, owned by the peer's party."""
    out = patch_in(tariff)
    out["country_code"], out["party_id"] = owner
    return out


def patch_in(patch: Doc) -> Doc:
    """2.1.1 Tariff fields in 2.2.1 names: the shape is the same but for energy_mix and the
    end of a day, which 2.1.1's time format lets a peer write "24:00" and 2.2.1 writes
    "00:00" (Tariffs §11.4.6)."""
    keep = (*_TARIFF_FIELDS, "elements", "energy_mix")
    out = {key: patch[key] for key in keep if key in patch}
    if out.get("energy_mix") is not None:
        out["energy_mix"] = energy_mix_in(out["energy_mix"])
    if isinstance(out.get("elements"), list):
        out["elements"] = [_element_in(e) for e in out["elements"]]
    return out


def _element_in(element: Any) -> Any:
    restrictions = element.get("restrictions") if isinstance(element, dict) else None
    if not isinstance(restrictions, dict) or restrictions.get("end_time") != "24:00":
        return element
    return {**element, "restrictions": {**restrictions, "end_time": "00:00"}}
