"""Helpers shared by command modules."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click


def pass_platform(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Inject the started Platform as the first argument."""

    @click.pass_obj
    @functools.wraps(fn)
    def wrapper(state: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(state.platform, *args, **kwargs)

    return wrapper


def tenant_arg(platform: Any, code: str, param: str = "--tenant") -> Any:
    tenant = platform.directory.get(code)
    if tenant is None:
        raise click.BadParameter(f"no tenant with code {code!r}", param_hint=param)
    return tenant


@contextmanager
def progress(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (a start and end line when not a terminal)."""
    with click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True) as bar:
        yield bar.update
