"""structlog configuration: JSON lines in production, readable lines in development; ``observe`` lets a
caller see every event as it is logged (the test suite fails a test during which the app answered 5xx)."""

from __future__ import annotations

import json
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


# One encoder for every line (json.dumps with options builds a new one per call); what JSON cannot encode
# is written as structlog's own fallback writes it.
def _fallback(value: Any) -> Any:
    try:
        return value.__structlog__()
    except AttributeError:
        return repr(value)


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_fallback)


def _json_line(event: Any, **_options: Any) -> str:
    return _ENCODER.encode(event)


def configure_logging(settings: Settings) -> None:
    global _PIPELINE
    level = getattr(logging, settings["log_level"].upper())
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(serializer=_json_line)
        if settings["log_format"] == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    processors: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        _tap,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        renderer,
    ]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.WriteLoggerFactory(file=sys.stderr),  # print(), without print's overhead
        cache_logger_on_first_use=CACHE_LOGGERS,
    )
    _PIPELINE = (level, processors, structlog.WriteLogger(file=sys.stderr))


_LEVELS = {name.lower(): number for name, number in logging.getLevelNamesMapping().items()}
_PIPELINE: tuple[int, list[structlog.types.Processor], structlog.WriteLogger] | None = None


def fast_log(method: str, event: str, /, **fields: Any) -> None:
    """``structlog.get_logger().<method>(event, **fields)`` through the processors and the output
    ``configure_logging`` set up, without the bound logger's machinery, which costs as much as the
    processors themselves: the line every request logs (core.web.middleware) is written this way.
    The same line, the same observers (``observe``), the same level filter."""
    pipeline = _PIPELINE
    if pipeline is None:  # not configured by govhall: structlog's own way
        getattr(structlog.get_logger("govhall.request"), method)(event, **fields)
        return
    level, processors, out = pipeline
    if _LEVELS[method] < level:
        return
    line: Any = {**fields, "event": event}
    for processor in processors:
        line = processor(out, method, line)
    out.msg(line)
