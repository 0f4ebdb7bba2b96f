"""Partial objects of a PATCH, validated field by field (2.2.1 Transport and format §4.1.4.3).

A PATCH carries only the fields that change (plus `last_updated` on Locations, Sessions and
Tokens); each present field must still have the type, length and enum the object allows.
"""

from collections.abc import Iterable
from functools import cache
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import InitErrorDetails

M = TypeVar("M", bound=BaseModel)


def validate_patch(
    model_cls: type[BaseModel], data: dict[str, Any], *, required: Iterable[str] = ()
) -> dict[str, Any]:
    """Validate each known field of `data` as `model_cls` would; unknown fields are dropped.

    `required` names fields the PATCH itself must carry, e.g. `last_updated` on Locations,
    Sessions and Tokens (CONFORMANCE A.38). Returns the validated values by field name. Raises
    one ValidationError listing every bad or missing field, located as for a whole object.

    A null for an optional field is left out, like an omitted one: the spec's `?` means "may be
    omitted or null" alike, and a PATCH cannot remove data, only PUT can (DIGEST §1.7,
    [interpretation]). Without this, `{"evses": null}` deleted every EVSE of a Location, which
    the spec never allows (§5.1). A null for a required field stays an error.
    """
    values: dict[str, Any] = {}
    errors = [_missing(name) for name in required if name not in data]
    for name, raw in data.items():
        if name not in model_cls.model_fields:
            continue  # unknown fields are tolerated, as on whole objects
        try:
            value = _adapter(model_cls, name).validate_python(raw)
        except ValidationError as exc:
            errors.extend(_located(name, exc))
            continue
        if value is not None:
            values[name] = value
    if errors:
        raise ValidationError.from_exception_data(f"{model_cls.__name__} PATCH", errors)
    return values


def apply_patch(current: M, data: dict[str, Any]) -> M:
    """The object after the PATCH: given fields replaced as a whole, then re-validated entire.

    Re-validating the merged object checks the rules that tie fields together (e.g. a Location
    `publish_allowed_to` only when `publish` is false). Lists are replaced, never merged.
    """
    changes = validate_patch(type(current), data)
    merged = {**current.model_dump(exclude_none=True), **_dumped(type(current), changes)}
    return type(current).model_validate(merged)


def dump_patch(model_cls: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """Validated PATCH values (from `validate_patch`) as JSON-ready data, field by field."""
    return {
        name: _adapter(model_cls, name).dump_python(v, mode="json", exclude_none=True)
        for name, v in values.items()
    }


def _dumped(model_cls: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    return {name: _adapter(model_cls, name).dump_python(v) for name, v in values.items()}


@cache
def _adapter(model_cls: type[BaseModel], name: str) -> TypeAdapter[Any]:
    field = model_cls.model_fields[name]
    # The field's own FieldInfo carries its constraints (lengths, patterns, min_length).
    field_type: Any = Annotated[field.annotation, field]
    return TypeAdapter(field_type)


def _missing(name: str) -> InitErrorDetails:
    return InitErrorDetails(type="missing", loc=(name,), input=None)


def _located(name: str, exc: ValidationError) -> list[InitErrorDetails]:
    return [
        InitErrorDetails(
            type=error["type"],
            loc=(name, *error["loc"]),
            input=error["input"],
            ctx=error.get("ctx", {}),
        )
        for error in exc.errors()
    ]
