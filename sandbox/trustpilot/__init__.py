"""Simulator of Trustpilot's Product Reviews API, Conversations API and OAuth.

Served under ``/trustpilot`` with Trustpilot's own paths (``/v1/...``), auth, paging,
shapes and statuses as the seed (shared/seeds/001_b2dedfb9f00f460c.txt) and
shared/vendors.md section 3 describe them. Layout: ``settings`` (the open choices),
``store`` (state and writes), ``seeding`` (``build_store``), ``auth`` (API key, Bearer,
token endpoint), ``params`` (query/body parsing), ``wire`` (JSON shapes), ``errors``,
and the handlers in ``public``, ``private`` and ``conversations``.

Endpoints (API key = ``apikey`` header or ``?apikey=``; OAuth = ``Authorization:
Bearer``)::

    POST /v1/oauth/oauth-business-users-for-applications/accesstoken   Basic key:secret
    POST /v1/oauth/oauth-business-users-for-applications/refresh       Basic key:secret
    GET  /v1/business-units/find?name=<domain>                          API key
    GET  /v1/product-reviews/business-units/{buId}/reviews              API key
    GET  /v1/product-reviews/business-units/{buId}?sku=                 API key
    POST /v1/product-reviews/business-units/{buId}/batch-summaries      API key
    POST /v1/product-reviews/business-units/{buId}/attribute-summaries  API key
    GET  /v1/product-reviews/business-units/{buId}/imported-reviews     API key
    GET  /v1/product-reviews/business-units/{buId}/imported-reviews-summaries  API key
    GET  /v1/conversations/{conversationId}                             API key
    GET  /v1/private/product-reviews/business-units/{buId}/reviews      OAuth
    GET  /v1/private/product-reviews/business-units/{buId}/summaries    OAuth
    POST /v1/private/product-reviews/business-units/{buId}/invitation-links  OAuth
    GET  /v1/private/product-reviews/{reviewId}                         OAuth
    POST /v1/private/product-reviews/{reviewId}/create-conversation     OAuth
    GET  /v1/private/conversations/{conversationId}                     OAuth
    POST /v1/private/conversations/{conversationId}/comments            OAuth
    GET  /v1/private/conversations/{conversationId}/comments/{commentId}  OAuth
    PUT  /v1/private/conversations/{conversationId}/comments/{commentId}  OAuth
    POST /v1/private/conversations/{conversationId}/state               OAuth

Assumptions (where the docs are silent; ``TrustpilotSettings`` field in brackets):

- Rate limits: the documented guidance, 833 calls per 5 minutes and 10,000 per hour,
  is enforced as two sliding windows [rate_limits; ``()`` switches it off], counted
  per API key (``apikey`` header or query, the token endpoint's Basic key, or the
  key a Bearer token was issued to; per client IP when a call names none). Beyond
  it: 429 in the fault envelope (``policies.ratelimit``) with ``Retry-After``
  seconds (headers undocumented). Counted on the injected clock. See ``limits``.

- Error bodies use Apigee's fault envelope ``{"fault": {"faultstring", "detail":
  {"errorcode"}}}``; the token endpoint uses Apigee's OAuthV2 ``{"ErrorCode",
  "Error"}``. Evidence: the token answer is Apigee's (string ``expires_in``; public
  clients read ``issued_at``). Clients must act on the status only.
- Missing key / wrong key / missing, unknown or expired token: 401. A wrong
  ``apikey`` header next to a valid Bearer is a 401 too [check_apikey_with_bearer].
  ``?apikey=`` is accepted [accept_apikey_query].
- Token answer: ``access_token``, ``expires_in`` (string, [access_token_ttl_s] =
  359999 as in the docs' sample), ``issued_at`` (ms, string), ``token_type``
  ``BearerToken``; password and refresh grants add ``refresh_token`` and
  ``refresh_token_expires_in`` [refresh_token_ttl_s] = 30 days. A refresh rotates
  the refresh token. Refreshing sooner than [min_refresh_interval_s] (0 = off) after
  issue is a 429 (the docs say over-refreshing is). Client credentials may also come
  as ``client_id``/``client_secret`` form fields. Any token acts as the business
  unit's one business user (the author of business comments).
- A business unit id other than the sandbox's: 404 [unknown_business_unit_status].
- ``links[]``: ``self`` always; ``next-page`` when more follow; ``prev-page`` after
  page 1 [rel_self, rel_next, rel_prev]; hrefs are absolute and keep the filters.
- Order: newest first (createdAt desc, then id desc) on every list.
- Timestamps: UTC, printed like the docs' samples, ``2013-09-07T13:37:00`` (no
  zone) [timestamp_format].
- ``starsAverage`` to 1 decimal (the sample's 44/14 -> 3.1) [stars_average_decimals];
  attribute ``average`` to 2 [attribute_average_decimals]; no reviews -> 0.0
  [empty_stars_average]. Summaries count published reviews only.
- ``sku`` + ``productUrl`` together: reviews of products matching either. Unknown
  SKUs and URLs match nothing (empty list, zero summary), they are not errors.
- ``attributeIds`` narrows each review's ``attributeRatings`` to those ids
  [attribute_ids_filter_reviews = False; True filters reviews instead].
- ``locale`` picks the attribute names' language (en, da, de, fr, nl, es); other
  locales fall back to English. Default ``en-US`` (documented).
- batch-summaries: one entry per requested SKU in body order, zero for unreviewed;
  at most [batch_max_skus] = 100 SKUs (also attribute-summaries). Attribute
  summaries: one entry per SKU with ``sku`` set (the sample's ``null``, like its
  ``options: [null]``, reads as a doc-generator placeholder); ``options`` ``[]``.
- Private summaries list: one per SKU with published reviews, in SKU order.
- Private list without ``sku``: the whole business unit.
- Invitation links: ``consumer.email``/``name``, ``referenceId``, ``locale`` required;
  ``redirectUri`` optional; products need ``sku``, ``name``, ``productUrl``;
  ``productIds`` must be known Trustpilot product ids; both or neither: 400.
  Answer status [created_status] = 201 (also add-comment).
- create-conversation on a review that has one returns that id with 200
  [existing_conversation = "return"; "conflict" gives 409]. New conversations are
  public.
- Public conversation endpoint: a private conversation is a 404
  [private_conversation_status].
- set-state answers 204 without a body [set_state_status]. Consumer comments carry
  ``author.type`` ``consumer`` [consumer_author_type]; only business comments can
  be edited (a consumer's: 403); an edit keeps ``createdAt``.
- Business-unit find answers ``{links, id, displayName, name{identifying,
  referring}, websiteUrl, status}`` for the sandbox domain (``www.`` optional),
  404 otherwise (no service-review score: service reviews are out of scope).
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from sandbox.catalog import Catalog
from sandbox.control import Clock, ProviderControl
from sandbox.ratelimit import SlidingLimiter

from . import conversations, private, public
from .auth import access_token, refresh_token
from .errors import error_middleware, render_error
from .limits import rate_limit_middleware
from .seeding import build_store
from .settings import TrustpilotSettings
from .state import CONTEXT, TokenRegistry, TrustpilotContext
from .store import TrustpilotStore

__all__ = [
    "TrustpilotSettings",
    "TrustpilotStore",
    "build_store",
    "create_apps",
    "render_error",
]

PREFIX = "/trustpilot"
_BU = "/v1/product-reviews/business-units/{businessUnitId}"
_PRIVATE_BU = "/v1/private/product-reviews/business-units/{businessUnitId}"
_CONVERSATION = "/v1/private/conversations/{conversationId}"
_OAUTH = "/v1/oauth/oauth-business-users-for-applications"


def _add_routes(app: web.Application) -> None:
    router = app.router
    router.add_post(f"{_OAUTH}/accesstoken", access_token)
    router.add_post(f"{_OAUTH}/refresh", refresh_token)
    router.add_get("/v1/business-units/find", public.find_business_unit)
    router.add_get(f"{_BU}/reviews", public.product_reviews)
    router.add_get(_BU, public.product_summary)
    router.add_post(f"{_BU}/batch-summaries", public.batch_summaries)
    router.add_post(f"{_BU}/attribute-summaries", public.attribute_summaries)
    router.add_get(f"{_BU}/imported-reviews", public.imported_reviews)
    router.add_get(f"{_BU}/imported-reviews-summaries", public.imported_summaries)
    router.add_get("/v1/conversations/{conversationId}", public.public_conversation)
    router.add_get(f"{_PRIVATE_BU}/reviews", private.private_reviews)
    router.add_get(f"{_PRIVATE_BU}/summaries", private.private_summaries)
    router.add_post(f"{_PRIVATE_BU}/invitation-links", private.invitation_links)
    router.add_get("/v1/private/product-reviews/{reviewId}", private.private_review)
    router.add_post(
        "/v1/private/product-reviews/{reviewId}/create-conversation",
        private.create_conversation,
    )
    router.add_get(_CONVERSATION, conversations.get_conversation)
    router.add_post(f"{_CONVERSATION}/comments", conversations.add_comment)
    router.add_get(f"{_CONVERSATION}/comments/{{commentId}}", conversations.get_comment)
    router.add_put(
        f"{_CONVERSATION}/comments/{{commentId}}", conversations.edit_comment
    )
    router.add_post(f"{_CONVERSATION}/state", conversations.set_state)


def create_apps(
    catalog: Catalog,
    control: ProviderControl,
    *,
    seed: int,
    clock: Clock,
    settings: TrustpilotSettings | None = None,
) -> Mapping[str, web.Application]:
    """The simulator, mounted at ``/trustpilot``, over a freshly seeded store."""
    settings = settings or TrustpilotSettings()
    middlewares = [control.middleware(render_error, PREFIX)]
    if settings.rate_limits:
        limiter = SlidingLimiter(settings.rate_limits, lambda: clock().timestamp())
        middlewares.append(rate_limit_middleware(limiter))
    app = web.Application(middlewares=[*middlewares, error_middleware])
    app[CONTEXT] = TrustpilotContext(
        store=build_store(catalog, seed, clock),
        settings=settings,
        credentials=catalog.credentials.trustpilot,
        clock=clock,
        tokens=TokenRegistry(seed),
    )
    _add_routes(app)
    return {PREFIX: app}
