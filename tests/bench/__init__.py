"""Benchmarks for `make bench`: each module measures one area and prints a table."""
