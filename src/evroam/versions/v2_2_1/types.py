"""OCPI 2.2.1 shared types (Types §16): in 2.2.1 they equal the domain's shared types."""

from evroam.model import BusinessDetails, DisplayText, Image, ImageCategory, OcpiObject, Price

Wire = OcpiObject

__all__ = ["BusinessDetails", "DisplayText", "Image", "ImageCategory", "Price", "Wire"]
