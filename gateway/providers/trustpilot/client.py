"""``TrustpilotClient``: the gateway's only way to talk to Trustpilot.

Assembled from its parts: ``transport`` (auth headers, the 401 replay), ``reviews``,
``summaries`` and ``conversations``. Reading choices:

- ``list_reviews`` reads the PRIVATE list, which carries state, updatedAt,
  conversationId and the consumer's e-mail: SKUs (one comma list), states and
  language are pushed down; ratings and dates are filtered here (the private list
  cannot filter stars; the public list could, but lacks those fields and needs SKUs,
  so one endpoint keeps every review record the same shape). Trustpilot's product
  API has no shop reviews: ``shop=True`` is an empty page without a call, and so is
  a query only for REJECTED (no such state).
- A SKU is "listed" when the catalog holds it (every SKU, when no catalog is given);
  others cost no call and yield nothing (zero summaries, empty lists).
- Batches: batch-summaries and attribute-summaries take at most ``MAX_BATCH_SKUS``
  (100, the simulator's documented limit) per call; single reviews and
  conversations are fetched concurrently, one call per distinct id.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar

import aiohttp

from gateway.config import CatalogEntry, TrustpilotSettings
from gateway.records import Provider

from .conversations import ConversationsApi
from .reviews import ReviewsApi
from .summaries import SummariesApi
from .transport import utc_now


class TrustpilotClient(ReviewsApi, SummariesApi, ConversationsApi):
    """Trustpilot Product Reviews + Conversations API (v1) for one business unit."""

    provider: ClassVar[Provider] = Provider.TRUSTPILOT

    def __init__(
        self,
        settings: TrustpilotSettings,
        session: aiohttp.ClientSession,
        *,
        catalog: Sequence[CatalogEntry] = (),
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(
            settings, session, catalog=catalog, monotonic=monotonic, now=now
        )
