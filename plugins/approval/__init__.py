"""The online approval platform (网上审批)."""
