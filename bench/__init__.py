"""Cityhall benchmarks: real servers under real load, results in bench/results/ (never in tests)."""
