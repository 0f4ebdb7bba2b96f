"""Tariffs module (2.2.1 chapter 11): the version-neutral Tariff model."""
