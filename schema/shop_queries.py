"""Trustoo shop administration in the graph: the reads (ShopQuery) and their filters.

The queries need the read:private scope (they expose customers' e-mails); every
field calls one ``resolvers.shop_lists`` function.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from resolvers import shop, shop_lists
from resolvers.shop import OrderState
from schema._info import Info
from schema.shop_types import (
    CustomerEventConnection,
    CustomerExclusionConnection,
    ReviewRequestOrderConnection,
    Webhook,
)

First = Annotated[
    int, strawberry.argument(description="How many rows (at most the page maximum).")
]
After = Annotated[
    str | None,
    strawberry.argument(description="A cursor from this list: continue after it."),
]
OldestFirst = Annotated[
    bool,
    strawberry.argument(
        description="Oldest first. Stable while rows are added; newest first (the "
        "default) may repeat a row when rows are added while paging."
    ),
]


# --- filters ---------------------------------------------------------------------


@strawberry.input(description="Narrows review-request orders; every field must match.")
class ReviewRequestOrderFilter:
    state: OrderState | None = strawberry.field(
        default=None, description="Only orders whose request is in this state."
    )
    sent_after: datetime | None = strawberry.field(
        default=None, description="Only requests sent at or after this instant."
    )
    sent_before: datetime | None = strawberry.field(
        default=None, description="Only requests sent before this instant."
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Only orders placed at or after this instant."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Only orders placed before this instant."
    )

    def to_record(self) -> shop.OrderFilter:
        return shop.OrderFilter(
            self.state,
            self.sent_after,
            self.sent_before,
            self.created_after,
            self.created_before,
        )


@strawberry.input(
    description="Narrows customer events; values as Trustoo names them (upper case)."
)
class CustomerEventFilter:
    event_type: str | None = strawberry.field(
        default=None, description="Only this event type, e.g. VIEW_REVIEW."
    )
    os_type: str | None = strawberry.field(
        default=None, description="Only this system, e.g. IOS."
    )
    event_source: str | None = strawberry.field(
        default=None, description="Only this source, e.g. STOREFRONT."
    )

    def to_record(self) -> shop.EventFilter:
        return shop.EventFilter(self.event_type, self.os_type, self.event_source)


# --- root ------------------------------------------------------------------------


@strawberry.type
class ShopQuery:
    @strawberry.field(
        description="The shop's Trustoo webhook subscriptions (needs read:private)."
    )
    async def webhooks(self, info: Info) -> list[Webhook]:
        return [Webhook.from_record(w) for w in await shop_lists.webhooks(info.context)]

    @strawberry.field(
        description="Customers excluded from Trustoo's review requests "
        "(needs read:private)."
    )
    async def customer_exclusions(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        oldest_first: OldestFirst = False,
    ) -> CustomerExclusionConnection:
        found = await shop_lists.exclusions(
            info.context, first=first, after=after, oldest_first=oldest_first
        )
        return CustomerExclusionConnection.from_record(found)

    @strawberry.field(
        description="The shop's orders and their Trustoo review requests "
        "(needs read:private)."
    )
    async def review_request_orders(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            ReviewRequestOrderFilter | None,
            strawberry.argument(description="Only the orders matching this."),
        ] = None,
        oldest_first: OldestFirst = False,
    ) -> ReviewRequestOrderConnection:
        found = await shop_lists.review_request_orders(
            info.context,
            first=first,
            after=after,
            order_filter=filter.to_record() if filter else shop.OrderFilter(),
            oldest_first=oldest_first,
        )
        return ReviewRequestOrderConnection.from_record(found)

    @strawberry.field(
        description="Shoppers' interactions with Trustoo's review widgets "
        "(needs read:private)."
    )
    async def customer_events(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            CustomerEventFilter | None,
            strawberry.argument(description="Only the events matching this."),
        ] = None,
        oldest_first: OldestFirst = False,
    ) -> CustomerEventConnection:
        found = await shop_lists.customer_events(
            info.context,
            first=first,
            after=after,
            event_filter=filter.to_record() if filter else shop.EventFilter(),
            oldest_first=oldest_first,
        )
        return CustomerEventConnection.from_record(found)
