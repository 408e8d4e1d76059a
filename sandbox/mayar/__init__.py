"""Simulator of Mayar's Headless API V2 reviews (seed 003), mounted at ``/mayar``.

Serves, under ``/mayar`` (real paths ``/hl/v2/...``), with ``Authorization: Bearer
<key>`` (Read & Write key: all; Read Only key: GET only):

* ``POST /hl/v2/reviews/create``, ``POST /hl/v2/reviews/{uuId}/update`` (the id is
  read from the body), ``POST /hl/v2/reviews/bulk-status/update``;
* ``GET /hl/v2/reviews`` and ``GET /hl/v2/products/{paymentLinkId}/reviews`` (cursor
  paging: ``limit`` + ``startingAfter``, answers add ``hasMore`` and
  ``nextStartingAfter``), ``GET /hl/v2/products/{paymentLinkId}/reviews/customer``;
* ``GET /hl/v2/products/{paymentLinkId}/reviews/stats`` and
  ``GET /hl/v2/merchants/reviews/stats``.

Facts follow shared/seeds/003 and vendors.md section 2. Answers use the envelope
``{statusCode, messages, data}``; validation failures are HTTP 200 with
``messages: "failed"`` and ``data`` a list of ``{field, reason}``. Lists are newest
first (``createdAt`` descending, ties by id).

Assumptions (where the docs are silent; ``MayarSettings`` field = default):

* ``rate_limit_per_minute = 20`` per client IP (M-rate [OK]; the vendor's agent
  notes say 50 per key [2nd]); 429 in the envelope with ``Retry-After`` seconds.
  Counted on the injected clock, so a test clock can step the window.
* ``open_buyer_domain = "buyer.sandbox.example"``: sandbox convenience, any e-mail
  at that domain is a paid customer of every payment link (customer made on first
  use, named after the address). Seeded buyers also work, including ones who have
  not reviewed yet.
* ``default_limit = 10``, ``max_limit = 100``: the docs' examples use
  ``limit=10``; ``limit`` outside 1..max, or not a number, fails validation.
* ``unauthorized_message = "no authorization"`` (401, V1 Postman [OK]);
  ``read_only_message`` (403) for a Read Only key on a POST endpoint.
* Status of the create/update refusals (the messages are exact [OK]):
  ``product_not_found_status = 404`` (V1: 404 for a missing product),
  ``not_purchased_status = 400``, ``already_reviewed_status = 400`` (Mayar's V1
  status list has 400 but neither 403 nor 409), ``review_not_found_status = 404``,
  ``transaction_not_found_status = 404``; ``missing_customer_id_status = 400``.
  Error answers carry no ``data``.

Further fixed choices (not worth a knob):

* An unknown ``startingAfter`` fails validation (HTTP 200 ``failed``). A known one
  is placed by its sort position, so a walk stays exact if that review has since
  left the filter. ``nextStartingAfter`` is the last id of the page when
  ``hasMore``, else ``null``.
* ``GET /reviews`` without ``status`` lists every state; product reviews list
  ACTIVE only. The customer endpoint returns that customer's review in any state.
* Update: ``paymentLinkId``/``customerId``/``customerEmail`` narrow the lookup.
  An e-mail without a paid transaction for the review's payment link gives
  ``Transaksi tidak ditemukan``; an id, or a payment link or customer that does
  not match the review, gives ``Review tidak ditemukan``. ``deleteContentReview``
  takes media ids (strings or ``{id}`` objects); ``contentReview`` appends.
* Bulk status is all or nothing: one unknown id (or mismatched ``paymentLinkId``)
  gives 400 ``Review is not valid! Please check your payload.`` and nothing changes.
* ``contentReview`` images join ``multipleImage`` (``fileType`` "png"); videos join
  ``content`` (``video/mp4``, size 0: the upload API is not simulated).
* A malformed or non-object JSON body is a validation failure (field ``body``).
  Unknown paths answer 404 ``Not Found`` in the envelope. The save-failure messages
  (``Gagal menambahkan ulasan``) only come from fault injection (``render_error``).
* Payment links are the catalog's Mayar products: ``type`` "physical_product",
  ``link`` the catalog handle, ``subType`` null. No reply concept on Mayar.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from sandbox.catalog import Catalog
from sandbox.control import Clock, ProviderControl
from sandbox.mayar.auth import (
    RateLimiter,
    auth_middleware,
    rate_limit_middleware,
)
from sandbox.mayar.routes import STATE, MayarState, add_routes, fallback
from sandbox.mayar.seeding import build_store
from sandbox.mayar.settings import MayarSettings
from sandbox.mayar.store import MayarStore
from sandbox.mayar.wire import envelope

__all__ = [
    "MayarSettings",
    "MayarStore",
    "build_store",
    "create_apps",
    "render_error",
]

PREFIX = "/mayar"


def render_error(status: int, message: str) -> web.StreamResponse:
    """Mayar's own error answer: the V2 envelope at ``status`` (faults: 429/5xx)."""
    return envelope(status, message)


def create_apps(
    catalog: Catalog,
    control: ProviderControl,
    *,
    seed: int,
    clock: Clock,
    settings: MayarSettings | None = None,
) -> Mapping[str, web.Application]:
    """The Mayar app at ``/mayar``: faults/log, rate limit, key check, routes."""
    settings = settings or MayarSettings()
    middlewares = [control.middleware(render_error, PREFIX)]
    if settings.rate_limit_per_minute is not None:
        limiter = RateLimiter(
            settings.rate_limit_per_minute, lambda: clock().timestamp()
        )
        middlewares.append(rate_limit_middleware(limiter))
    middlewares += [auth_middleware(catalog.credentials.mayar, settings), fallback]
    app = web.Application(middlewares=middlewares)
    app[STATE] = MayarState(build_store(catalog, seed, clock), settings)
    add_routes(app)
    return {PREFIX: app}
