"""Settings: declared once with help text and a validator, layered and read by dynaconf.

Layers, lowest first: declared defaults (dynaconf ``Validator(default=...)``) -> settings file
(``GOVHALL_SETTINGS_FILE`` or ./govhall.toml; TOML, YAML, JSON or INI) -> ``GOVHALL_*`` environment
variables (``__`` for a section: ``GOVHALL_HALL__CONTACT_PHONE``) -> per-tenant overlays (only for
settings declared ``per_tenant``), inherited down the tenant tree. dynaconf does the layering and records
where each value came from (its history gives ``Settings.origins``); each value is then validated by a
pydantic adapter built from its declaration (type, choices, range, check). Settings are read once at
start-up; an invalid or unknown value stops start-up with a message naming the setting and its source.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from dynaconf import Dynaconf, Validator
from dynaconf.utils.inspect import get_history
from pydantic import BeforeValidator, TypeAdapter, ValidationError

ENV_PREFIX = "GOVHALL"


class SettingsError(ValueError):
    """A setting is unknown or invalid; the message names it."""


@dataclass(frozen=True)
class SettingSpec:
    """One declared setting. ``key`` is dotted for plugin settings (``approval.yellow_margin_days``)."""

    key: str
    default: Any
    help: str
    type: type = str
    choices: tuple[Any, ...] | None = None
    min: float | None = None
    max: float | None = None
    per_tenant: bool = False
    check: Callable[[Any], str | None] | None = None  # returns an error message or None

    def coerce(self, value: Any, source: str) -> Any:
        """Convert ``value`` (from TOML, env or JSON) to the declared type, or raise SettingsError."""
        where = f"setting {self.key!r} (from {source})"
        try:
            value = _adapter(self.type).validate_python(value)
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"]
            raise SettingsError(f"{where}: expected {self.type.__name__}, got {value!r} ({reason})") from None
        if self.choices is not None and value not in self.choices:
            raise SettingsError(f"{where}: {value!r} is not one of {', '.join(map(str, self.choices))}")
        if self.min is not None and value < self.min:
            raise SettingsError(f"{where}: {value!r} is below the minimum {self.min}")
        if self.max is not None and value > self.max:
            raise SettingsError(f"{where}: {value!r} is above the maximum {self.max}")
        if self.check is not None and (msg := self.check(value)):
            raise SettingsError(f"{where}: {msg}")
        return value


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a yes/no value where a number is expected")
    return value


def _json_text(value: Any) -> Any:
    """A table or list given as JSON text (an environment variable) is parsed first."""
    return json.loads(value) if isinstance(value, str) else value


# One pydantic adapter per declared type: the conversions a value from TOML, the environment or JSON
# may need ("30" -> 30, "yes" -> True, '{"a": "1"}' -> {"a": "1"}); a bool is no number.
_ADAPTERS: dict[type, TypeAdapter[Any]] = {
    int: TypeAdapter(Annotated[int, BeforeValidator(_no_bool)]),
    float: TypeAdapter(Annotated[float, BeforeValidator(_no_bool)]),
    bool: TypeAdapter(bool),
    str: TypeAdapter(str),
    dict: TypeAdapter(Annotated[dict[str, Any], BeforeValidator(_json_text)]),
    list: TypeAdapter(Annotated[list[Any], BeforeValidator(_json_text)]),
}


def _adapter(kind: type) -> TypeAdapter[Any]:
    found = _ADAPTERS.get(kind)
    if found is None:
        found = _ADAPTERS[kind] = TypeAdapter(kind)
    return found


def _check_db_url(value: str) -> str | None:
    if not value.startswith(("sqlite", "postgresql")):
        return "only sqlite:// and postgresql:// URLs are supported"
    return None


DEV_SECRET_KEY = "dev-only-change-me"


def _check_networks(value: list[Any]) -> str | None:
    import ipaddress

    for item in value:
        try:
            ipaddress.ip_network(str(item), strict=False)
        except ValueError:
            return f"{item!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)"
    return None


def check_production(values: Mapping[str, Any]) -> None:
    """With ``env = production``, refuse the development secret key (or a short one): CSRF tokens signed
    with a key everyone can read protect nothing."""
    secret = str(values.get("secret_key", ""))
    if values.get("env") == "production" and (secret == DEV_SECRET_KEY or len(secret) < 32):
        raise SettingsError(
            "env is production but secret_key is the development default or shorter than 32 characters: "
            "set GOVHALL_SECRET_KEY (or secret_key in the settings file) to a long random value, e.g. the "
            "output of `python -c 'import secrets; print(secrets.token_urlsafe(48))'`. Refusing to start.")


def _check_timezone(value: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "not a known IANA time zone (e.g. Asia/Shanghai)"
    return None


CORE_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("database_url", "",
                "SQLAlchemy URL of the database; empty means SQLite at <data_dir>/govhall.db.",
                check=lambda v: _check_db_url(v) if v else None),
    SettingSpec("database_pool_size", 10, "PostgreSQL connections each process keeps open (and as many again "
                "in overflow under load); at least the number of requests a process serves at once.",
                type=int, min=1, max=200),
    SettingSpec("database_pool_timeout", 30.0, "Seconds a request waits for a free pooled connection before "
                "it fails (503).", type=float, min=0.5, max=300),
    SettingSpec("data_dir", "var",
                "Directory for the SQLite file, uploaded materials and other local state."),
    SettingSpec("secret_key", DEV_SECRET_KEY, "Secret for signing CSRF tokens; with env = production it must "
                "be set (at least 32 characters, not the development default) or the platform refuses to "
                "start."),
    SettingSpec("env", "development", "Deployment environment.",
                choices=("development", "production", "test")),
    SettingSpec("log_format", "console", "Log output: one JSON object per line, or human-readable.",
                choices=("json", "console")),
    SettingSpec("log_level", "info", "Minimum log level.", choices=("debug", "info", "warning", "error")),
    SettingSpec("host_map", {}, "Host name -> tenant code, for halls served on their own domain.", type=dict,
                check=lambda v: None if all(isinstance(c, str) and c.isdigit() for c in v.values())
                else "every value must be a tenant code of digits"),
    SettingSpec("https", False, "Served over HTTPS: session cookies get the Secure flag.", type=bool),
    SettingSpec("health_token", "",
                "Token operators send to /healthz (Authorization: Bearer) to see the database's error and "
                "the outage; empty: /healthz only ever says ok or unavailable."),
    SettingSpec("session_days", 14, "Days a login session lasts without use.", type=int, min=1, max=365),
    SettingSpec("watch_interval", 1.0, "Seconds between checks for tenant, plugin and policy changes made by "
                "other processes.", type=float, min=0.1, max=60),
    SettingSpec("upload_max_mb", 50, "Largest multipart request (every file of one form together), in "
                "MiB; counted while it streams in, refused with 413 as soon as it is exceeded.",
                type=int, min=1, max=1024),
    SettingSpec("trusted_proxies", [], "Addresses (or CIDR networks) of the reverse proxies in front of "
                "the app: only a request from one of them has its client address taken from X-Forwarded-For "
                "(login throttling, session records). Empty: the header is ignored.", type=list,
                check=_check_networks),
    SettingSpec("timezone", "Asia/Shanghai", "Time zone in which pages show times (stored times are UTC).",
                check=_check_timezone),
    SettingSpec("default_language", "zh-CN", "Language of pages before the user picks one.",
                choices=("zh-CN", "en")),
    SettingSpec("hall.contact_phone", "12345", "Supervision and complaint hotline shown in the hall footer.",
                per_tenant=True),
    SettingSpec("hall.sms_provider", "log", "Provider that sends inbox messages to people by SMS "
                "(govhall_message_providers); empty: no SMS. ``log`` writes a log line (development).",
                per_tenant=True),
    SettingSpec("hall.email_provider", "log", "Provider that sends inbox messages to people by e-mail; "
                "empty: no e-mail. ``log`` writes a log line (development).", per_tenant=True),
)


@dataclass
class Settings:
    """Effective process-wide settings plus the declarations that validate per-tenant overlays."""

    values: dict[str, Any]
    origins: dict[str, str]
    specs: dict[str, SettingSpec] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    @property
    def database_url(self) -> str:
        url = self.values["database_url"]
        if not url:
            url = f"sqlite:///{Path(self.values['data_dir']).resolve() / 'govhall.db'}"
        return normalise_db_url(url)

    @property
    def data_dir(self) -> Path:
        return Path(self.values["data_dir"]).resolve()

    def with_specs(self, specs: Iterable[SettingSpec]) -> Settings:
        """Add plugin-declared settings (re-validating their values from file and environment)."""
        return load_settings(extra_specs=specs, _file=self.origins.get("__file__"))


def normalise_db_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (sync driver; see docs/operations.md for why)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        full = f"{prefix}{key}".lower()
        if isinstance(value, Mapping) and full not in _TABLES:
            out.update(_flatten(value, prefix=f"{full}."))
        else:
            out[full] = value
    return out


_TABLES = {"host_map"}  # settings whose value is itself a table (not a section of settings)
_DEFAULT_LOADERS = {"set_method", "setdefault", "validation_default"}  # dynaconf's own defaults layer


def _origins(dyn: Dynaconf, keys: Iterable[str], file: str | None) -> dict[str, str]:
    """Where each value came from, read from dynaconf's history: the last layer that changed it."""
    out: dict[str, str] = {}
    for key in keys:
        top, _, rest = key.partition(".")
        origin, last = "default", _MISSING
        for entry in get_history(dyn, key=top.upper()):
            value = _at(entry["value"], rest)
            if entry["loader"] not in _DEFAULT_LOADERS and value is not _MISSING and value != last:
                origin, last = (f"env:{_env_name(key)}" if entry["loader"] == "env_global"
                                else f"file:{file}"), value
        out[key] = origin
    return out


def _at(value: Any, rest: str) -> Any:
    """A section key's value within one layer's value of the section (``hall`` -> ``contact_phone``)."""
    if not rest:
        return value
    if not isinstance(value, Mapping):
        return _MISSING
    return {str(k).lower(): v for k, v in value.items()}.get(rest, _MISSING)


def _env_name(key: str) -> str:
    return f"{ENV_PREFIX}_{key.upper().replace('.', '__')}"


_MISSING = object()


def _defaults(specs: Mapping[str, SettingSpec]) -> list[Validator]:
    """The defaults layer: one dynaconf validator per declared setting (``hall.contact_phone`` nests)."""
    return [Validator(key.upper(), default=spec.default) for key, spec in specs.items()]


def load_settings(
    extra_specs: Iterable[SettingSpec] = (),
    overrides: Mapping[str, Any] | None = None,
    _file: str | None = None,
    plugin_names: Iterable[str] = (),
) -> Settings:
    """Layer (dynaconf) and validate every declared setting; raise SettingsError naming the first bad one."""
    specs = {s.key: s for s in (*CORE_SETTINGS, *extra_specs)}
    file = _file or os.environ.get(f"{ENV_PREFIX}_SETTINGS_FILE") or (
        "govhall.toml" if Path("govhall.toml").exists() else None)
    if file and not Path(file).exists():
        raise SettingsError(f"settings file {file!r} (GOVHALL_SETTINGS_FILE) does not exist")
    # Unknown names are refused before layering, naming where they were written: a typo must not pass.
    # loaders=[]: the file alone (dynaconf's own option names are not the file's keys).
    from_file = _flatten(Dynaconf(settings_files=[file], loaders=[]).as_dict()) if file else {}
    env_names = {k[len(ENV_PREFIX) + 1:].lower().replace("__", "."): k for k in os.environ
                 if k.startswith(ENV_PREFIX + "_") and k not in _ENV_NOT_SETTINGS}
    known_plugins = {k.split(".", 1)[0] for k in specs if "." in k} | set(plugin_names)
    for key in from_file:
        if key not in specs and key.split(".", 1)[0] not in _PLUGIN_SECTIONS_UNCHECKED and (
            "." not in key or key.split(".", 1)[0] in known_plugins
        ):
            raise SettingsError(f"unknown setting {key!r} in {file}")
    for key, name in env_names.items():
        if key not in specs and ("." not in key or key.split(".", 1)[0] in known_plugins):
            raise SettingsError(f"unknown setting {key!r} (environment variable {name})")
    # dynaconf layers defaults -> file -> GOVHALL_* environment (merging sections key by key).
    dyn = Dynaconf(envvar_prefix=ENV_PREFIX, settings_files=[file] if file else [], environments=False,
                   load_dotenv=False, merge_enabled=True, validators=_defaults(specs))
    dyn.validators.validate()
    layered = _flatten(dyn.as_dict())
    origins = _origins(dyn, specs, file)
    values: dict[str, Any] = {}
    for key, spec in specs.items():
        if overrides and key in overrides:
            values[key], origins[key] = spec.coerce(overrides[key], "override"), "override"
        else:
            # A default is the declared value itself (dynaconf would read the text "12345" as a number).
            raw = spec.default if origins[key] == "default" else layered.get(key, spec.default)
            if origins[key].startswith("env:") and spec.type is str:
                raw = os.environ[_env_name(key)]  # dynaconf reads "12345" as a number: a text keeps its text
            values[key] = spec.coerce(raw, origins[key])
    origins["__file__"] = file or ""
    check_production(values)
    return Settings(values=values, origins=origins, specs=specs)


# Environment variables with the prefix that are not settings themselves.
_ENV_NOT_SETTINGS = {"GOVHALL_SETTINGS_FILE", "GOVHALL_TEST_DATABASE_URL", "GOVHALL_TEST_BROWSER"}
# Sections a settings file may carry for plugins that are not installed in this process.
_PLUGIN_SECTIONS_UNCHECKED: set[str] = set()


def validate_tenant_value(settings: Settings, key: str, value: Any, source: str) -> Any:
    """Validate a per-tenant overlay value; only settings declared ``per_tenant`` may be overlaid."""
    spec = settings.specs.get(key)
    if spec is None:
        raise SettingsError(f"unknown setting {key!r} ({source})")
    if not spec.per_tenant:
        raise SettingsError(f"setting {key!r} is process-wide and cannot be set per tenant ({source})")
    return spec.coerce(value, source)
