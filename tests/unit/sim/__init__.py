"""Tests of the synthetic network generator."""
