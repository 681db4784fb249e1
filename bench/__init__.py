"""Benchmarks: they measure and report ratios against a floor measured in the same run."""
