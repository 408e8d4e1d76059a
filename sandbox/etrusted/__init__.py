"""Simulator of the Trusted Shops eTrusted Reviews API (provider ``etrusted``).

Two mounts share one token book: ``/etrusted-login`` is login.etrusted.com (Keycloak:
``POST /oauth/token``, client credentials) and ``/etrusted`` is api.etrusted.com
(``/reviews``, ``/reviews-minimal``, ``/reviews/count``, ``/reviews/{id}`` with its
``reply`` and ``vetos``, ``/channels``, the channel aggregate rating and the
deprecated ``/channels/{id}/customer-reviews`` family). Shapes follow the seed
(shared/seeds/002_...) and vendors.md section 4; API errors are bare statuses.

Assumptions (vendors.md ``[??]`` and other gaps; each is an ``EtrustedSettings`` field):

* ``token_lifetime_s=300``: the official auth pages' sample JWTs decode to 300 s.
  The token response is Keycloak's (``access_token``, ``expires_in``,
  ``refresh_expires_in: 0``, ``token_type: "Bearer"``, ``not-before-policy``,
  ``scope``), as in Trusted Shops' Android SDK fixture; ``token_scope`` is its
  ``"email profile"``. ``audience`` is accepted and not checked (Keycloak ignores
  it); HTTP Basic client auth is accepted like Keycloak does. Tokens are opaque
  JWT-shaped strings valid only on the sandbox that issued them.
* ``default_count=20``: the seed's paging example pages in chunks of 20.
* ``default_statuses`` = all three: the seed says "If not set, all customer reviews
  are listed" for ``status``.
* ``foreign_channel_status=403``: a ``channels`` id (or a path channel id) outside
  the account is Forbidden, a status the seed documents; a review outside the path's
  channel is 404.
* ``unknown_cursor_status=400``: an ``after``/``before`` id that is no review.
* ``count_alias=True``: ``/reviews/count`` answers ``{accountId, channelList,
  totalElements}`` (a TypeScript client's ``ChannelReviewCountResponse``; Pipedream
  reads ``totalElements``) plus ``count`` (read by another client, E-py).
* ``omit_empty_cursor=True``: on the last page ``cursor.after`` and ``links.next``
  are left out (the seed: "empty"; the TypeScript client types them optional).
* ``gtin_as_number=False``: ``product.gtin`` is a string per the schema, although
  the seed's sample prints a number (a leading zero would be lost).
* ``unverified_value="UNDEFINED"``: the non-VERIFIED ``verificationType`` (the
  TypeScript client's enum); these are imports, stored later than submitted.
* ``reply_save_status=200`` with the saved reply ``{createdAt, updatedAt, comment,
  sendNotification}``; ``reply_delete_status=204``; deleting a missing reply is 404;
  a reply needs a non-empty ``comment``, ``sendNotification`` defaults to false.
* ``reply_to_rejected=False``: replying to a REJECTED review is 400 (Pipedream only
  offers APPROVED and MODERATION reviews for replies).
* ``repeat_veto_status=400``: a second veto on a review (400 is the seed's only
  veto-specific error). ``veto_reasons`` adds ``INAPPROPRIATE_IMAGE`` (Pipedream).
  ``veto_requires_reporter_email=True`` on ``/reviews/{id}/vetos`` (Pipedream made
  the field required); the deprecated endpoint keeps it optional.
* ``full_review_additional_information=True``: ``GET /reviews/{id}`` (and the
  deprecated single GET) includes every part of ``additionalInformation`` the review
  has, as the seed's single-review sample does; ``additionalInformation=...``
  narrows it. Lists include only the parts asked for, and the key only when asked.
* ``aggregate_distribution=True``: aggregate periods carry ``distribution`` and
  ``period{start, end, first/lastConsideredReviewSubmission, calculatedAt,
  ratingTrend}`` (Trusted Shops' SDK fixture). Only approved, verified, rated service
  reviews count; ``ratingTrend`` compares the period's later half with its earlier.
* ``service_reviews_per_channel=160``.
* Not settings, but choices: ``orderBy=lastEditedAt`` means ``editedAt``; never
  edited reviews sort last under ``editedAt``. ``query`` is a case-insensitive
  substring match on transaction reference and customer e-mail. Timestamps accept
  ``yyyy-MM-dd'T'HH:mm:ss.SSSZ`` (``Z`` or ``+0000``) and plain ISO 8601 (no offset
  = UTC). Repeated query names join as comma lists; ``additionalInformation`` may be
  bracketed (``[VETO]``, the seed's example). ``/reviews-minimal`` items carry
  ``id, accountRef, channelRef, rating, title, comment, submittedAt, state, type``.
  Channels are ``{id, createdAt, updatedAt, name, address, url, locale,
  accountRef}``. Injected faults answer bare statuses on the API and Keycloak error
  JSON on the login host.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from sandbox.catalog import Catalog
from sandbox.control import Clock, ProviderControl

from .auth import (
    CREDENTIALS_KEY,
    TOKEN_PATHS,
    TOKENS_KEY,
    TokenBook,
    render_login_error,
    require_bearer,
    token,
)
from .model import EtrustedStore
from .routes import STATE_KEY, ApiState, add_routes
from .seed import build_store
from .settings import EtrustedSettings

__all__ = [
    "EtrustedSettings",
    "EtrustedStore",
    "build_store",
    "create_apps",
    "render_error",
]

API_PREFIX = "/etrusted"
LOGIN_PREFIX = "/etrusted-login"


def render_error(status: int, message: str) -> web.StreamResponse:
    """The API's own error: the status alone, no body (``message`` is dropped)."""
    del message  # the API documents its errors without a body
    return web.Response(status=status)


def create_apps(
    catalog: Catalog,
    control: ProviderControl,
    *,
    seed: int,
    clock: Clock,
    settings: EtrustedSettings | None = None,
) -> Mapping[str, web.Application]:
    """The API app and the login app, sharing one token book."""
    settings = settings or EtrustedSettings()
    credentials = catalog.credentials.etrusted
    tokens = TokenBook(credentials, settings, clock)
    api = web.Application(
        middlewares=[control.middleware(render_error, API_PREFIX), require_bearer]
    )
    api[TOKENS_KEY] = tokens
    api[STATE_KEY] = ApiState(
        build_store(catalog, seed, settings=settings), settings, clock
    )
    add_routes(api)
    login = web.Application(
        middlewares=[control.middleware(render_login_error, LOGIN_PREFIX)]
    )
    login[TOKENS_KEY] = tokens
    login[CREDENTIALS_KEY] = credentials
    for path in TOKEN_PATHS:
        login.router.add_post(path, token)
    return {API_PREFIX: api, LOGIN_PREFIX: login}
