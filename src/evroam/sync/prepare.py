"""A page of a partner's list made ready to store: validated, each object written out once.

Preparing is the CPU-heavy part of a pull (validating every object, writing its document), so
it may run in worker processes (`workers.py`); this module therefore imports nothing but
pydantic and the model it is given, and returns plain data. A clean page (an OCPI success
envelope whose every object is valid) is validated from its JSON bytes in one pydantic pass;
a page with an invalid object is validated object by object, so the invalid ones are skipped
and reported (B.70); anything else is left to the caller, who unwraps it for its error.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, StrictInt, TypeAdapter, ValidationError

from evroam.protocol.status import is_success

Key = tuple[str, str, str]  # country_code, party_id, id: upper-cased (CiString)


class Prepared(NamedTuple):
    """A valid object as it is stored: key, last_updated, document (compact JSON), columns.

    A named tuple: pages come back from worker processes pickled, and tuples pickle fastest.
    """

    key: Key
    last_updated: datetime
    document: str
    columns: dict[str, Any]


@dataclass(frozen=True)
class Rejected:
    """An invalid object: the key it names when readable, a log name, and why (no values)."""

    key: Key | None
    name: str
    why: str


@dataclass(frozen=True)
class PreparedPage:
    """The objects of one page, in order, and how many items the page held."""

    objects: list[Prepared]
    rejected: list[Rejected]
    count: int


def describe(item: dict[str, Any]) -> str:
    """Which object, for a log line: owner and id only (objects may carry token uids)."""
    parts = (str(item.get(name, "?"))[:36] for name in ("country_code", "party_id", "id"))
    return "{}*{}/{}".format(*parts)


def problems(exc: ValidationError) -> str:
    """The fields that failed and why, without their values."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'object'}: {e['type']}" for e in exc.errors()
    )


def named_key(item: dict[str, Any]) -> Key | None:
    """The key an invalid object names, if its owner and id are at least strings."""
    parts = [item.get(name) for name in ("country_code", "party_id", "id")]
    if not all(isinstance(p, str) for p in parts):
        return None
    return (parts[0].upper(), parts[1].upper(), parts[2].upper())  # type: ignore[union-attr]


@cache
def envelope(model: type[BaseModel]) -> TypeAdapter[Any]:
    """A success envelope whose `data` is a list of `model` (unknown fields ignored)."""

    class Envelope(BaseModel):
        model_config = ConfigDict(extra="ignore")
        status_code: StrictInt
        data: list[model] | None = None  # type: ignore[valid-type]

    return TypeAdapter(Envelope)


def prepared(obj: Any, columns: tuple[str, ...]) -> Prepared:
    """A validated client-owned object (§1.7: it names its owner party and id) written out."""
    key = (obj.country_code.upper(), obj.party_id.upper(), obj.id.upper())
    document = obj.model_dump_json(exclude_none=True)
    return Prepared(key, obj.last_updated, document, {name: getattr(obj, name) for name in columns})


def prepare_items(
    model: type[BaseModel], columns: tuple[str, ...], items: Iterable[Any]
) -> PreparedPage:
    """Each item validated on its own: the valid prepared, the invalid rejected with why."""
    objects: list[Prepared] = []
    rejected: list[Rejected] = []
    count = 0
    for item in items:
        count += 1
        if not isinstance(item, dict):
            rejected.append(
                Rejected(None, describe({}), f"not a JSON object but {type(item).__name__}")
            )
            continue
        try:
            obj = model.model_validate(item)
        except ValidationError as exc:
            rejected.append(Rejected(named_key(item), describe(item), f"invalid ({problems(exc)})"))
            continue
        objects.append(prepared(obj, columns))
    return PreparedPage(objects, rejected, count)


def ready(model: type[BaseModel]) -> str:
    """A worker's first task: unpickling `model` imports its module before pages arrive."""
    return model.__name__


def prepare_page(
    model: type[BaseModel], columns: tuple[str, ...], content: bytes
) -> PreparedPage | None:
    """The page of a 2xx answer prepared; None when its body is not a success envelope with a
    list (or no) `data`: the caller unwraps it for the PartnerError that says why."""
    try:
        body = envelope(model).validate_json(content)
    except ValidationError:
        return _item_by_item(model, columns, content)
    if not is_success(body.status_code):
        return None
    objects = body.data or []
    return PreparedPage([prepared(obj, columns) for obj in objects], [], len(objects))


def _item_by_item(
    model: type[BaseModel], columns: tuple[str, ...], content: bytes
) -> PreparedPage | None:
    try:
        body = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("status_code"), int):
        return None
    data = body.get("data")
    if not is_success(body["status_code"]) or not isinstance(data, list | None):
        return None
    return prepare_items(model, columns, data or [])
