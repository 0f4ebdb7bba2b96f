"""Tests of the Locations module."""
