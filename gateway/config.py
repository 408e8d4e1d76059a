"""Configuration: a TOML file for the shape, ``GATEWAY_*`` environment variables on top.

Layout of the file (every key may instead come from the environment)::

    [gateway]                    # GATEWAY_CACHE_TTL_S, GATEWAY_MAX_PAGE_SIZE, ...
    cache_ttl_s = 60

    [providers.trustpilot]       # GATEWAY_TRUSTPILOT_API_KEY, ...
    api_key = "..."

    [store]                      # GATEWAY_STORE_PATH: the review index (SQLite)
    path = "data/reviews.sqlite3"

    [sync]                       # GATEWAY_SYNC_INTERVAL_S, GATEWAY_SYNC_PUBLIC_URL, ...
    interval_s = 60
    public_url = "https://gateway.example.com"

    [[catalog]]                  # SKU -> Trustoo product id, Mayar payment link
    sku = "OUT-1007"
    trustoo_product_id = 7100000009973
    mayar_payment_link_id = "5b0c..."

A provider is configured when its section or any of its variables is present; then
every required key must be there. A missing or malformed key raises ``ConfigError``
naming the key and its variable. Secrets are held as ``Secret`` so that no ``repr``,
log line or error message ever shows them.
"""

from __future__ import annotations

import secrets
import tomllib
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Final,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from gateway.errors import ConfigError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

ENV_PREFIX: Final = "GATEWAY_"
PROVIDER_NAMES: Final = ("trustpilot", "etrusted", "trustoo", "mayar")
S = TypeVar("S", bound="DataclassInstance")


class Secret:
    """A credential: compared and used, never printed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The credential itself, for the one place that sends it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class Mode(StrEnum):
    """Where the providers point: the real platforms, or the embedded sandbox."""

    LIVE = "live"
    SANDBOX = "sandbox"


class ReadMode(StrEnum):
    """Where a platform's public reads come from.

    ``indexed``: the local review index, kept fresh by the sync (the default);
    ``live``: a call to the platform per read, for a platform the shop does not want
    stored. Private fields (``customer``, ``raw``) and writes are always live.
    """

    INDEXED = "indexed"
    LIVE = "live"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderSettings:
    """What every provider client needs: where the API is and how long to wait."""

    base_url: str
    timeout_s: float = 5.0
    connect_timeout_s: float = 2.0
    max_connections: int = 20
    max_retries: int = 2
    retry_base_s: float = 0.1
    retry_cap_s: float = 2.0
    breaker_failures: int = 5
    breaker_reset_s: float = 30.0
    rate_limit_calls: int | None = None
    """The platform's documented limit: calls per ``rate_limit_window_s``. The
    gateway's own calls (live reads, writes and the sync together) stay under it."""
    rate_limit_window_s: float = 60.0
    rate_limit_max_wait_s: float = 2.0
    hourly_limit: int | None = None
    """A second documented limit, in calls per hour (Trustpilot's 10,000)."""
    read_mode: ReadMode = ReadMode.INDEXED

    def __post_init__(self) -> None:
        if not self.base_url.endswith("/"):
            object.__setattr__(self, "base_url", self.base_url + "/")


@dataclass(frozen=True, slots=True, kw_only=True)
class TrustpilotSettings(ProviderSettings):
    """Trustpilot: API key pair, business user login and the business unit."""

    base_url: str = "https://api.trustpilot.com/"
    rate_limit_calls: int | None = 833  # per 5 minutes, Trustpilot's guidance
    rate_limit_window_s: float = 300.0
    hourly_limit: int | None = 10_000  # Trustpilot's guidance; plans allow less
    token_url: str = (
        "https://api.trustpilot.com/v1/oauth/oauth-business-users-for-applications/"
        "accesstoken"
    )
    api_key: Secret
    api_secret: Secret
    business_unit_id: str
    username: str | None = None
    password: Secret | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EtrustedSettings(ProviderSettings):
    """eTrusted: an API client (client credentials) and the channels to read."""

    base_url: str = "https://api.etrusted.com/"
    token_url: str = "https://login.etrusted.com/oauth/token"
    audience: str = "https://api.etrusted.com"
    client_id: str
    client_secret: Secret
    channel_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TrustooSettings(ProviderSettings):
    """Trustoo: the shop's public token and the private token that signs calls."""

    base_url: str = "https://rapi.trustoo.io/"
    public_token: str
    private_token: Secret


@dataclass(frozen=True, slots=True, kw_only=True)
class MayarSettings(ProviderSettings):
    """Mayar: a Read & Write API key (Bearer)."""

    base_url: str = "https://api.mayar.id/"
    rate_limit_calls: int | None = 20  # per minute, Mayar's documented limit
    rate_limit_window_s: float = 60.0
    api_key: Secret


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One SKU and its identity at the platforms that do not key by SKU."""

    sku: str
    trustoo_product_id: int | None = None
    mayar_payment_link_id: str | None = None
    name: str | None = None
    gtin: str | None = None
    mpn: str | None = None
    brand: str | None = None
    url: str | None = None
    image_url: str | None = None


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A server key: its name, the SHA-256 hex digest of the key, and its scopes."""

    name: str
    sha256: str
    scopes: tuple[str, ...] = ("read:private", "write")


MIN_CURSOR_SECRET: Final = 32
"""Characters a configured ``cursor_secret`` needs at least."""
_PROCESS_CURSOR_SECRET: Final = Secret(secrets.token_bytes(32).hex())
"""Signs cursors when no ``cursor_secret`` is configured: one per process, so such
cursors stop working at a restart and differ between replicas (configure one then)."""

SANDBOX_SERVER_KEY: Final = "sandbox-server-key"
"""The fixed server key accepted in sandbox mode (all scopes), written in the README."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreSettings:
    """The review index: where the synced public reviews are kept."""

    path: str = "data/reviews.sqlite3"
    """A SQLite file (its directory is created), or ``:memory:`` (one process, lost
    at exit). Relative paths are relative to the working directory."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncSettings:
    """How the index is kept fresh: intervals, budgets and webhooks."""

    enabled: bool = True
    """False: no review index at all (no store, no sync); every read is live."""
    interval_s: float = 60.0
    """Between incremental syncs of a platform (newest first, to the last known)."""
    reconcile_interval_s: float = 3600.0
    """Between full walks that catch edits, status changes and deletions."""
    budget_share: float = 0.5
    """The share of each documented limit the sync may use; the rest is left for
    live private reads and writes."""
    assumed_calls_per_minute: int = 120
    """The budget base for a platform that documents no limit (eTrusted, Trustoo)."""
    lock_ttl_s: float = 30.0
    """How long a process's claim to sync a platform lasts without renewal."""
    public_url: str | None = None
    """The gateway's public base URL; when set, the gateway registers its webhook
    receivers (``/webhooks/trustoo``) with the platforms at start-up."""
    page_size: int = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the gateway reads at start-up."""

    mode: Mode = Mode.LIVE
    graphiql: bool = True
    cache_ttl_s: float = 60.0
    cache_max_entries: int = 10_000
    stale_grace_s: float = 300.0
    request_deadline_s: float = 10.0
    max_page_size: int = 100
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 1024 * 1024
    """A POST body (or GET query string) over this many bytes answers 413."""
    max_list_items: int = 1000
    """A JSON array (in the body, variables or extensions) longer than this: 400."""
    max_cost: int = 2000
    max_skus: int = 100
    max_representations: int = 100
    max_response_bytes: int = 4_000_000
    cors_origins: tuple[str, ...] = ()
    cursor_secret: Secret = field(default_factory=lambda: _PROCESS_CURSOR_SECRET)
    """The HMAC key that signs list cursors (``resolvers.cursor``)."""
    trustpilot: TrustpilotSettings | None = None
    etrusted: EtrustedSettings | None = None
    trustoo: TrustooSettings | None = None
    mayar: MayarSettings | None = None
    sandbox_url: str | None = None
    tuning: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    """Per platform, timeouts/retries/breaker/limits from ``GATEWAY_<P>_*`` variables
    given without credentials: applied to the platform settings a sandbox supplies."""
    catalog: tuple[CatalogEntry, ...] = field(default=())
    api_keys: tuple[ApiKey, ...] = field(default=())
    store: StoreSettings = field(default_factory=StoreSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)

    def gateway_options(self) -> dict[str, object]:
        """The gateway-wide settings, to keep when a sandbox supplies the platforms."""
        skip = {*PROVIDER_NAMES, "catalog", "mode", "sandbox_url"}
        return {
            f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip
        }

    @property
    def configured_providers(self) -> tuple[str, ...]:
        """The platforms with settings, in the usual order."""
        return tuple(name for name in PROVIDER_NAMES if getattr(self, name) is not None)


TUNING_FIELDS: Final = frozenset(
    f.name for f in fields(ProviderSettings) if f.name != "base_url"
)
"""Provider settings that tune a platform's calls rather than say where or who."""

PROVIDER_SETTINGS: Final[Mapping[str, type[ProviderSettings]]] = {
    "trustpilot": TrustpilotSettings,
    "etrusted": EtrustedSettings,
    "trustoo": TrustooSettings,
    "mayar": MayarSettings,
}
_GATEWAY_KEYS: Final = (
    "mode",
    "sandbox_url",
    "graphiql",
    "cache_ttl_s",
    "cache_max_entries",
    "stale_grace_s",
    "request_deadline_s",
    "max_page_size",
    "max_depth",
    "max_aliases",
    "max_tokens",
    "max_body_bytes",
    "max_list_items",
    "max_cost",
    "max_skus",
    "max_representations",
    "max_response_bytes",
    "cors_origins",
    "cursor_secret",
)


def _to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no"):
        return False
    raise ValueError("expected true or false")


def _to_number(kind: type[int] | type[float]) -> Callable[[object], object]:
    def convert(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise TypeError(f"expected {kind.__name__}")
        return kind(value)

    return convert


def _to_str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _to_tuple(value: object) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise TypeError("expected a list")
    return tuple(str(i).strip() for i in items if str(i).strip())


_CONVERTERS: Final[Mapping[object, Callable[[object], object]]] = {
    Secret: lambda value: Secret(_to_str(value)),
    bool: _to_bool,
    int: _to_number(int),
    float: _to_number(float),
    str: _to_str,
}


def _coerce(value: object, kind: Any, where: str) -> object:
    """Convert a TOML value or an environment string to the field's type."""
    if get_origin(kind) in (Union, types.UnionType):
        kind = next(a for a in get_args(kind) if a is not type(None))
    convert: Callable[[object], object]
    if get_origin(kind) is tuple:
        convert = _to_tuple
    elif isinstance(kind, type) and issubclass(kind, StrEnum):
        convert = lambda value: kind(str(value).lower())  # noqa: E731
    else:
        convert = _CONVERTERS[kind]
    try:
        return convert(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where} is malformed: {exc}") from None


def _build(
    cls: type[S], section: str, values: Mapping[str, object], env_prefix: str
) -> S:
    hints = get_type_hints(cls)
    unknown = sorted(set(values) - {f.name for f in fields(cls)})
    if unknown:
        raise ConfigError(f"{section}: unknown key(s) {', '.join(unknown)}")
    kwargs: dict[str, object] = {}
    for f in fields(cls):
        where = f"{section}.{f.name}"
        if env_prefix:
            where += f" ({env_prefix}{f.name.upper()})"
        if f.name in values:
            kwargs[f.name] = _coerce(values[f.name], hints[f.name], where)
        elif f.default is MISSING and f.default_factory is MISSING:
            raise ConfigError(f"{where} is required")
    return cls(**kwargs)


def _env_values(
    environ: Mapping[str, str], prefix: str, names: Iterable[str]
) -> dict[str, str]:
    return {
        name: environ[prefix + name.upper()]
        for name in names
        if prefix + name.upper() in environ
    }


def _catalog(raw: object) -> tuple[CatalogEntry, ...]:
    if not isinstance(raw, list):
        raise ConfigError("catalog must be an array of tables ([[catalog]])")
    entries = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ConfigError(f"catalog[{index}] must be a table")
        entries.append(_build(CatalogEntry, f"catalog[{index}]", item, ""))
    skus = [e.sku for e in entries]
    if len(set(skus)) != len(skus):
        raise ConfigError("catalog: a SKU is listed twice")
    return tuple(entries)


def _api_keys(raw: object) -> tuple[ApiKey, ...]:
    if not isinstance(raw, list):
        raise ConfigError("api_keys must be an array of tables ([[api_keys]])")
    keys: list[ApiKey] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ConfigError(f"api_keys[{index}] must be a table")
        key = _build(ApiKey, f"api_keys[{index}]", item, "")
        digest = key.sha256.lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ConfigError(f"api_keys[{index}].sha256 must be a SHA-256 hex digest")
        # Names label logs and metrics: each names one key, and each key one name.
        for earlier in keys:
            if earlier.name == key.name:
                raise ConfigError(f"api_keys[{index}]: the name {key.name!r} is taken")
            if earlier.sha256 == digest:
                raise ConfigError(
                    f"api_keys[{index}]: the same key as {earlier.name!r} (sha256)"
                )
        keys.append(ApiKey(key.name, digest, key.scopes))
    return tuple(keys)


def _tuning(
    cls: type[ProviderSettings], values: Mapping[str, str], prefix: str
) -> dict[str, object]:
    hints = get_type_hints(cls)
    return {
        name: _coerce(value, hints[name], f"{prefix}{name.upper()}")
        for name, value in values.items()
    }


def settings_from(data: Mapping[str, Any], environ: Mapping[str, str]) -> Settings:
    """Build settings from parsed TOML ``data`` with ``environ`` overriding it."""
    sections = {"gateway", "providers", "catalog", "api_keys", "store", "sync"}
    unknown = sorted(set(data) - sections)
    if unknown:
        raise ConfigError(f"unknown section(s): {', '.join(unknown)}")
    gateway = {
        **data.get("gateway", {}),
        **_env_values(environ, ENV_PREFIX, _GATEWAY_KEYS),
    }
    kwargs: dict[str, object] = {}
    base = _build(Settings, "gateway", gateway, ENV_PREFIX)
    if len(base.cursor_secret.reveal()) < MIN_CURSOR_SECRET:
        raise ConfigError(
            f"gateway.cursor_secret ({ENV_PREFIX}CURSOR_SECRET) must be at least "
            f"{MIN_CURSOR_SECRET} characters"
        )
    providers = data.get("providers", {})
    tuning: dict[str, dict[str, object]] = {}
    for name, cls in PROVIDER_SETTINGS.items():
        prefix = f"{ENV_PREFIX}{name.upper()}_"
        from_env = _env_values(environ, prefix, [f.name for f in fields(cls)])
        values = {**providers.get(name, {}), **from_env}
        if name in providers or set(from_env) - TUNING_FIELDS:
            kwargs[name] = _build(cls, f"providers.{name}", values, prefix)
        elif from_env:
            # Only tuning (timeouts, retries, limits): kept for the platform's
            # settings that a sandbox will supply.
            tuning[name] = _tuning(cls, from_env, prefix)
    extra = sorted(set(providers) - set(PROVIDER_SETTINGS))
    if extra:
        raise ConfigError(f"providers: unknown provider(s) {', '.join(extra)}")
    catalog = _catalog(data.get("catalog", []))
    keys = _api_keys(data.get("api_keys", []))
    kwargs["store"] = _section(StoreSettings, "store", data, environ)
    kwargs["sync"] = _section(SyncSettings, "sync", data, environ)
    return Settings(
        **{
            **{f.name: getattr(base, f.name) for f in fields(base)},
            **kwargs,
            "catalog": catalog,
            "api_keys": keys,
            "tuning": tuning,
        }
    )


def _section(
    cls: type[S], name: str, data: Mapping[str, Any], environ: Mapping[str, str]
) -> S:
    """A ``[name]`` table with ``GATEWAY_<NAME>_*`` variables over it."""
    prefix = f"{ENV_PREFIX}{name.upper()}_"
    values = {
        **data.get(name, {}),
        **_env_values(environ, prefix, [f.name for f in fields(cls)]),
    }
    return _build(cls, name, values, prefix)


def with_default_mode(settings: Settings) -> Settings:
    """Sandbox mode when no platform and no sandbox URL is configured at all."""
    if settings.configured_providers or settings.sandbox_url:
        return settings
    return replace(settings, mode=Mode.SANDBOX)


def load_settings(path: str | Path | None, environ: Mapping[str, str]) -> Settings:
    """Read ``path`` (TOML; ``None``: none) and the ``GATEWAY_*`` variables."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(
                f"cannot read config file {path}: {exc.strerror}"
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return settings_from(data, environ)
