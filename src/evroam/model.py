"""Shared object types of the version-neutral domain model (2.2.1-shaped, the superset we store).

Types §16 (DisplayText, Price) and Locations §8.4.2 BusinessDetails, §8.4.15 Image. Module
objects live in `modules/<module>/model.py`; a version package maps its wire shape onto them.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from evroam.protocol.types import URL, CiString4, Number, OcpiEnum, String2, String100, String512


class OcpiObject(BaseModel):
    """Base of every OCPI object: unknown fields tolerated in, never invented out."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ImageCategory(OcpiEnum):
    CHARGER = "CHARGER"
    ENTRANCE = "ENTRANCE"
    LOCATION = "LOCATION"
    NETWORK = "NETWORK"
    OPERATOR = "OPERATOR"
    OTHER = "OTHER"
    OWNER = "OWNER"


class Image(OcpiObject):
    url: URL
    thumbnail: URL | None = None
    category: ImageCategory
    type: CiString4
    width: Annotated[int, Field(ge=0, le=99999)] | None = None
    height: Annotated[int, Field(ge=0, le=99999)] | None = None


class BusinessDetails(OcpiObject):
    name: String100
    website: URL | None = None
    logo: Image | None = None


class DisplayText(OcpiObject):
    language: Annotated[String2, Field(min_length=2)]
    text: String512


class Price(OcpiObject):
    """Money: Decimal, never float (JSON numbers in and out)."""

    excl_vat: Number
    incl_vat: Number | None = None
