"""Fixtures of the interaction tests."""

from interaction_helpers import codes

__all__ = ["codes"]
