"""Files of a new plugin distribution, filled in by ``govhall plugins new`` (core/cli/scaffold.py)."""
