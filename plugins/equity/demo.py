"""placeholder"""

from typing import Any


def load(session: Any, directory: Any) -> None:
    return None
