"""The four real platform clients over a running sandbox, for reading it directly."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from gateway.http import open_session
from gateway.metrics import Metrics
from gateway.providers.etrusted import EtrustedClient
from gateway.providers.mayar import MayarClient
from gateway.providers.trustoo import TrustooClient
from gateway.providers.trustpilot import TrustpilotClient
from gateway.records import Provider
from gateway.sandbox import sandbox_settings
from resolvers.sources import ReviewSource
from sandbox.server import RunningSandbox


@asynccontextmanager
async def clients_of(
    running: RunningSandbox, metrics: Metrics
) -> AsyncIterator[dict[Provider, ReviewSource]]:
    """Each platform's client, as the gateway builds it (no limiter, no retries)."""
    settings = sandbox_settings(running)
    catalog = settings.catalog
    async with AsyncExitStack() as stack:
        clients: dict[Provider, ReviewSource] = {}
        if settings.trustpilot:
            http = await stack.enter_async_context(open_session(settings.trustpilot))
            clients[Provider.TRUSTPILOT] = TrustpilotClient(
                settings.trustpilot, http, catalog=catalog
            )
        if settings.etrusted:
            http = await stack.enter_async_context(open_session(settings.etrusted))
            clients[Provider.ETRUSTED] = EtrustedClient(
                settings.etrusted, http, catalog=catalog
            )
        if settings.trustoo:
            http = await stack.enter_async_context(open_session(settings.trustoo))
            clients[Provider.TRUSTOO] = TrustooClient(
                settings.trustoo, http, catalog=catalog
            )
        if settings.mayar:
            http = await stack.enter_async_context(open_session(settings.mayar))
            clients[Provider.MAYAR] = MayarClient(settings.mayar, http, catalog=catalog)
        yield clients
