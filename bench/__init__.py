"""Benchmarks: each runnable with one command; results in the README performance table."""
