"""The Platform: one object holding what a process needs — settings, database, plugins, tenant directory,
access control — built once by ``Platform.start`` and shared by the web app, the CLI and the jobs."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import select

from core.clock import Clock
from core.db import Database, Scope
from core.db.notify import Listener
from core.registry import Registry
from core.settings import Settings, load_settings
from core.tenancy.directory import DIRECTORY_KEY, Directory, TenantRef, load_directory
from core.tenancy.models import CoreState

if TYPE_CHECKING:
    from starlette.requests import Request

    from core.access import AccessControl
    from core.identity.actor import Actor
    from core.jobs import JobRunner
    from core.web.render import Renderer

log = structlog.get_logger(__name__)
_DIRECTORY_VERSION = select(CoreState.__table__.c.version).where(CoreState.__table__.c.key == DIRECTORY_KEY)


@dataclass
class Platform:
    settings: Settings
    db: Database
    registry: Registry
    _directory: Directory | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _checked_at: float = 0.0
    # core.access.AccessControl, attached by start() (it needs the platform); never None afterwards.
    access: AccessControl = field(default=None)  # type: ignore[assignment]
    listener: Listener | None = None  # PostgreSQL LISTEN/NOTIFY (core.db.notify); started by listen()
    # What the web app, identity and jobs attach once built (typed; was an untyped ``extras`` dict):
    renderer: Renderer | None = None  # core.app.create_app
    authenticate: Callable[[Request], Awaitable[Actor]] | None = None  # core.identity.install
    watchers: list[Callable[[], Any]] = field(default_factory=list)  # run after each directory poll
    demo_loaders: list[Callable[[Platform], Any]] = field(default_factory=list)  # core.demo
    on_start: list[Callable[[], Any]] = field(default_factory=list)  # app lifespan
    on_stop: list[Callable[[], Any]] = field(default_factory=list)
    job_runner: JobRunner | None = None
    job_slots: dict[str, int] = field(default_factory=dict)  # core.jobs: slots this process saw claimed
    openapi: dict[str, Any] | None = None  # core.web.api_docs, built on first use
    page_caches: dict[str, Any] = field(default_factory=dict)  # core.web.hall: rendered hall pages
    _listening: bool = False
    clock: Clock = field(default_factory=Clock)  # today/now and the calendar in force (core.clock)

    @classmethod
    def start(cls, settings: Settings | None = None, *, plugins: list[str] | None = None) -> Platform:
        """Load plugins, validate every setting (core and plugin), open the database."""
        registry = Registry.load(only=plugins)
        base = settings or load_settings()
        overrides = {k: v for k, v in base.values.items() if base.origins.get(k) == "override"}
        full = load_settings(extra_specs=registry.setting_specs, overrides=overrides,
                             _file=base.origins.get("__file__") or None, plugin_names=registry.plugins)
        if full.database_url.startswith("sqlite"):
            full.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(full.database_url, pool_size=full["database_pool_size"],
                      pool_timeout=full["database_pool_timeout"])
        platform = cls(settings=full, db=db, registry=registry, clock=Clock(full["timezone"]))
        from core import clock as _clock

        _clock.use(platform.clock)  # callers without a platform at hand ask this one
        from core.access import AccessControl

        platform.access = AccessControl(platform)
        if db.is_postgres:
            platform.listener = Listener(full.database_url)
        return platform

    def listen(self) -> None:
        """Start hearing version bumps at commit (PostgreSQL): reload the directory and the policy on the
        listener's thread; the once-a-second polls then stand down to a fallback (core.db.notify)."""
        if self.listener is None:
            return
        if not self._listening:
            self._listening = True
            self.listener.on(None, self._on_notice)
        self.listener.start()

    def _on_notice(self) -> None:
        self.refresh()
        self.access.poll()

    @property
    def listening(self) -> bool:
        """Notices arrive (the listener is up): polls may stand down."""
        return self.listener is not None and self.listener.fresh

    # -- directory -------------------------------------------------------------------------------------

    @property
    def directory(self) -> Directory:
        d = self._directory
        if d is None:
            with self._lock:
                if self._directory is None:
                    self._directory = self._load()
                d = self._directory
        return d

    def _load(self) -> Directory:
        infos = {n: p.info for n, p in self.registry.plugins.items()}
        from core import holidays

        with self.db.session(Scope.system()) as s:
            directory = load_directory(s, infos)
            holidays.load(s, self.clock)  # the notices and local holidays ride on the directory's version
            return directory

    def refresh(self, force: bool = False) -> bool:
        """Reload the directory if another process changed the tree, a switch or a setting.
        Builds the new snapshot aside and swaps it in; returns True when it reloaded."""
        current = self._directory
        with self.db.reader.connect() as conn:  # one primary-key read, no BEGIN/ROLLBACK around it
            version = int(conn.execute(_DIRECTORY_VERSION).scalar() or 0)
        if not force and current is not None and current.version == version:
            return False
        fresh = self._load()
        self._directory = fresh
        log.debug("directory.reloaded", version=fresh.version, tenants=len(fresh.by_id))
        return True

    def maybe_refresh(self) -> None:
        """Cheap per-call check, at most once per ``watch_interval`` seconds (CLI and jobs use it)."""
        now = time.monotonic()
        if self.listening:  # reloaded on the listener's thread when another process bumps the version
            return
        if now - self._checked_at >= self.settings["watch_interval"]:
            self._checked_at = now
            self.refresh()

    # -- per-tenant helpers ----------------------------------------------------------------------------

    def enabled(self, tenant: TenantRef) -> frozenset[str]:
        return self.directory.enabled(tenant)

    def hooks(self, tenant: TenantRef) -> Any:
        """Hook callers restricted to the plugins enabled at ``tenant`` (cached per distinct set)."""
        return self.registry.hook_for(self.directory.enabled(tenant))

    def tenant_setting(self, tenant: TenantRef, key: str) -> Any:
        """Effective value of a setting at a tenant: nearest overlay up the tree, else process-wide."""
        found, value, _origin = self.directory.setting(tenant, key)
        return value if found else self.settings[key]

    def tenant_setting_origin(self, tenant: TenantRef, key: str) -> tuple[Any, str]:
        found, value, origin = self.directory.setting(tenant, key)
        if found:
            return value, f"tenant:{origin}"
        return self.settings[key], self.settings.origins.get(key, "default")

    def close(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        self.db.dispose()
