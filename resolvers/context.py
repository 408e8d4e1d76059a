"""The per-request context: the long-lived services, fresh loaders and error sink.

``Services`` is built once at start-up (clients over pooled sessions, the result cache,
the catalog); ``build_context`` makes a ``Context`` per request with new dataloaders,
so batching and the per-request cache never leak across requests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from gateway import trace
from gateway.cache import ResultCache
from gateway.config import ProviderSettings, ReadMode, Settings
from gateway.errors import Forbidden, ProviderError
from gateway.metrics import Metrics
from gateway.providers.etrusted import EtrustedClient
from gateway.providers.mayar import MayarClient
from gateway.providers.trustoo import TrustooClient
from gateway.providers.trustpilot import TrustpilotClient
from gateway.records import Provider
from gateway.resilience import CircuitBreaker
from resolvers.catalog import Catalog
from resolvers.idempotency import IdempotencyStore
from resolvers.loaders import Loaders, build_loaders
from resolvers.sources import (
    AttributeSource,
    ConversationSource,
    ReviewIndex,
    ReviewSource,
    ShopSummarySource,
)

Path = tuple[str | int, ...]
ErrorSink = Callable[[ProviderError], None]


@dataclass(frozen=True, slots=True)
class Clients:
    """The configured platform clients, for the writes each platform alone offers."""

    trustpilot: TrustpilotClient | None = None
    etrusted: EtrustedClient | None = None
    trustoo: TrustooClient | None = None
    mayar: MayarClient | None = None


@dataclass(frozen=True, slots=True)
class Services:
    """What every request shares: platform clients, cache, catalog, settings."""

    settings: Settings
    sources: Mapping[Provider, ReviewSource]
    cache: ResultCache[object]
    catalog: Catalog
    clients: Clients = field(default_factory=Clients)
    idempotency: IdempotencyStore[object] = field(default_factory=IdempotencyStore)
    breakers: Mapping[Provider, CircuitBreaker] = field(default_factory=dict)
    metrics: Metrics | None = None
    conversations: ConversationSource | None = None
    attributes: AttributeSource | None = None
    shop_summaries: Mapping[Provider, ShopSummarySource] = field(default_factory=dict)
    """The platforms that rate the shop itself (eTrusted, Trustoo), when configured."""
    index: ReviewIndex | None = None
    """The synced review index; ``None``: every read goes to the platforms."""

    @property
    def providers(self) -> tuple[Provider, ...]:
        """The configured platforms, in the schema's enum order."""
        return tuple(p for p in Provider if p in self.sources)

    def indexed(self, provider: Provider) -> bool:
        """Whether ``provider``'s public reads come from the index right now.

        A configured platform whose read mode is ``indexed`` and whose backfill is
        done (``ReviewIndex.serves``); every other platform is read live.
        """
        index = self.index
        return index is not None and provider in self.sources and index.serves(provider)

    def stored(self, provider: Provider) -> bool:
        """Whether the index holds ``provider``: read mode ``indexed``.

        Served yet or still backfilling: a write on it is written through.
        """
        options: ProviderSettings | None = getattr(self.settings, provider.value, None)
        return (
            self.index is not None
            and provider in self.sources
            and options is not None
            and options.read_mode is ReadMode.INDEXED
        )


READ_PRIVATE = "read:private"
WRITE = "write"
SCOPES = frozenset({READ_PRIVATE, WRITE})


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking: anonymous (a frontend) or a server key with scopes.

    ``key_digest`` is the SHA-256 hex digest of the key presented: what tells keys
    apart (idempotency is kept per key); ``key_name`` only labels it.
    """

    key_name: str | None = None
    scopes: frozenset[str] = frozenset()
    key_digest: str | None = None

    def require(self, scope: str, what: str) -> None:
        """Raise ``Forbidden`` unless the caller holds ``scope``."""
        if scope not in self.scopes:
            who = "anonymous callers" if self.key_name is None else "this key"
            raise Forbidden(f"{what} needs the {scope} scope, which {who} lack")


ANONYMOUS = Caller()


@dataclass(slots=True)
class ProviderProblem:
    """A platform failure to report beside partial data."""

    error: ProviderError
    path: Path | None


@dataclass(slots=True)
class Context:
    """One request's view of the services, its loaders and the failures it met."""

    services: Services
    loaders: Loaders
    caller: Caller = ANONYMOUS
    problems: list[ProviderProblem] = field(default_factory=list)
    show_trace: bool = False
    """Whether the response carries ``extensions.providers`` (X-Reviews-Trace: 1)."""
    threads_read: set[str] = field(default_factory=set)
    """Reply threads read to apply ``hasReply`` (bounded per request)."""

    def sink(self, path: Path | None = None) -> ErrorSink:
        """A callable that records a platform failure at ``path``.

        The failure left that platform's data out of the object at ``path``: it is
        reported as an error naming the path, and the request trace marks the
        platform ``rate_limited`` or ``error``.
        """

        def report(error: ProviderError) -> None:
            self.problems.append(ProviderProblem(error, path))
            current = trace.current()
            if current is not None:
                current.failed(error)

        return report


def build_context(services: Services, caller: Caller = ANONYMOUS) -> Context:
    """A fresh context for one request (call inside the running loop)."""
    return Context(services, build_loaders(services), caller)
