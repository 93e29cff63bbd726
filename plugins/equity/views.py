"""placeholder"""

from typing import Any


def routes() -> list[Any]:
    return []
