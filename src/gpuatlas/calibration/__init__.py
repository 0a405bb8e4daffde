"""Fitting the performance models to measurements, validating them, case files."""
