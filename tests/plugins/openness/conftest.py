"""Fixtures of the openness tests (helpers in openness_helpers.py)."""
