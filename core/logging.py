"""structlog configuration: JSON lines in production, readable lines in development; ``observe`` lets a
caller see every event as it is logged (the test suite fails a test during which the app answered 5xx)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, MutableMapping
from typing import Any

import structlog

from core.settings import Settings

Observer = Callable[[str, MutableMapping[str, Any]], None]
_OBSERVERS: list[Observer] = []
# Loggers bind their processors on first use (fast). The test suite turns this off (tests/conftest.py)
# so that structlog.testing.capture_logs sees loggers that an earlier test already used.
CACHE_LOGGERS = True


def observe(observer: Observer) -> Callable[[], None]:
    """Call ``observer(level, event)`` for every event logged from now on; returns a function that
    stops it. Observers must not raise or change the event."""
    _OBSERVERS.append(observer)
    return lambda: _OBSERVERS.remove(observer) if observer in _OBSERVERS else None


def _tap(logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for observer in list(_OBSERVERS):
        observer(method, event)
    return event


def configure_logging(settings: Settings) -> None:
    level = getattr(logging, settings["log_level"].upper())
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if settings["log_format"] == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            _tap,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=CACHE_LOGGERS,
    )
