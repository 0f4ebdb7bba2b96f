"""OCPI 2.2.1 shared types used across chapters (Types §16, Locations §8.4.2 BusinessDetails, §8.4.15 Image)."""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from evroam.protocol.types import URL, CiString4, String100


class Wire(BaseModel):
    """Base of every 2.2.1 wire model: unknown fields tolerated on input, never invented on output."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ImageCategory(StrEnum):
    CHARGER = "CHARGER"
    ENTRANCE = "ENTRANCE"
    LOCATION = "LOCATION"
    NETWORK = "NETWORK"
    OPERATOR = "OPERATOR"
    OTHER = "OTHER"
    OWNER = "OWNER"


class Image(Wire):
    url: URL
    thumbnail: URL | None = None
    category: ImageCategory
    type: CiString4
    width: Annotated[int, Field(ge=0, le=99999)] | None = None
    height: Annotated[int, Field(ge=0, le=99999)] | None = None


class BusinessDetails(Wire):
    name: String100
    website: URL | None = None
    logo: Image | None = None
