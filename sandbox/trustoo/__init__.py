"""Simulator of the Trustoo "Reviews Data API" (Shopify review app), mid-2025 docs.

Mounted at ``/trustoo``; the vendor's paths ``/api/v1/openapi/<name>`` sit under it
(base ``https://rapi.trustoo.io``). Every call is HMAC-signed (vendors.md 1.3, mode
A, see ``auth.py``); answers use the envelope
``{code, message, time, request_id, data}``; business errors carry the Response
Code table's numbers (3 invalid argument, 5 not found, 6 already exists, 8
rejected, 13 internal, 16 unauthenticated). Seeded state comes from
``build_store(catalog, seed)``. Served (method + name): POST create_shop_webhook,
POST update_shop_webhook, POST delete_shop_webhook, GET get_shop_webhooks, GET
get_reviews, GET get_review, GET get_rating, GET get_orders, GET
get_customer_events, POST email_unsubscribe, GET get_video_upload_url, GET
get_image_upload_policy_token, POST create_review, POST delete_review, POST
create_customer_exclude, POST delete_customer_exclude, GET get_customer_excludes.

Assumptions (the docs are silent; ``TrustooSettings`` field in brackets):

- Signing: string-to-sign as two independent public clients build it (T-code1,
  T-code3): decoded query pairs + ``timestamp``, sorted by key (stable), ``k=v``
  joined by ``&``, then ``|`` + raw body when the body is non-empty. Array keys are
  signed as sent (``product_ids[0]=1`` or ``product_ids=1,2``). Lowercase hex only.
  Timestamp window 15 min both ways [timestamp_tolerance_s=900] (T-qs26). Signature
  and timestamp checks can be switched off; the Public-Token is always checked
  [verify_signature=True]. OAuth2 bearer tokens (2026, after the seed) are not
  served: such a call fails HMAC with code 16.
- HTTP status of business errors: 200 with the non-zero code
  [error_http_status=200], auth failures too [auth_error_http_status=200]; an
  unknown path (or a wrong method) answers the envelope with code 5 at HTTP 404
  (405). Error envelopes carry ``data: null``; so do the answers of
  delete_review, delete_shop_webhook and delete_customer_exclude.
- ``page_size`` at most 100 (T-code4 comment) [max_page_size=100]; larger, zero,
  negative or non-numeric values (and ``page`` < 1) answer code 3. Empty query
  values mean "not given" (the docs' curl samples send ``sort_by=&start_time=``).
  ``total_page`` is ``ceil(count / page_size)`` (0 for no rows).
- create_review answers the envelope with ``data`` = the created review
  [create_review_response="review"]; ``"empty"`` answers the seed's literal ``{}``.
  ``product_id`` may also be a digit string (2026 docs), ``order_id`` a number; an
  unknown product id is code 5; ``reply`` without ``reply_at`` is stamped now; a
  ``reply`` with empty content is ignored. ``media`` also accepts the 2026 array
  form. ``author`` may be empty (the field table says ">= 0 characters").
- get_reviews lists published reviews only, as the storefront widget does
  [list_unpublished=False]; an undocumented ``is_published`` 0/1 filter overrides
  that [is_published_filter=True]. ``is_store_review=1`` means store reviews only,
  ``0`` product reviews only. ``keyword`` is a case-insensitive substring of
  title, content or author. ``sort_by=created-*`` orders by ``commented_at``, then
  id [sort_field="commented_at"]. get_review (param ``id``, T-rd left it open)
  returns unpublished reviews too.
- Review object: vendors.md 1.8 plus ``is_featured``, ``is_published``,
  ``is_top``, ``order_id``, ``tag``, ``author_phone``. Times are UTC
  ``YYYY-MM-DD HH:MM:SS``; ``product_id`` is an integer (0 = store review, with
  empty ``product_title``/``product_handle``); media ``type`` 1 image, 2 video (the
  2026 create example uses ``type: 1``).
- get_rating counts published reviews; flags win in the order is_all_rating,
  is_all_products_rating, is_store_rating, then product_id, then product_handle
  (the docs' sample sends all of them). ``rating_value`` is rounded to one decimal
  with trailing zeros trimmed ("4.5", "4", "0") [rating_decimals=1]; an unknown
  product gives the all-zero answer the docs show [unknown_product_rating_not_found
  =False].
- Paths not retrieved: GET ``get_video_upload_url`` (optional ``file_name``; data
  ``{upload_url, video_url, expire}``) and GET ``get_customer_excludes`` (paged like
  the other lists, sortable by creation). Update/delete webhook are POST with JSON
  ``{id, ...}`` (T-seed nav, T-code4); webhook ids are strings on the wire and
  accepted as number or digit string; a duplicate topic+url is code 6.
- Webhook delivery (vendors.md 1.9; ``webhooks`` has the wire details): the headers
  and body as documented, each review object as ``get_reviews`` lists it plus
  ``my_shopify_domain`` and ``shopify_shop_id`` (the rest of the fields is [??]).
  The signature is the request-signing HMAC over ``timestamp=<ts>|<raw body>``,
  the timestamp from the simulator's clock, signed afresh per attempt; the
  ``RequestId`` stays the same across a delivery's attempts (so a receiver can
  drop repeats). A delivery is acknowledged only by HTTP 200 with ``code`` 0 and
  ``message`` "success"; otherwise up to [webhook_max_attempts=10] attempts,
  attempt n after (n - 1) x [webhook_retry_step_s=180] x [webhook_delay_scale=1.0]
  seconds, each waiting [webhook_timeout_s=10] for the answer. Events: create ->
  ``review/created`` (published or not); a change of rating, text or reply, or
  publishing a hidden review -> ``review/updated``; deleting or hiding ->
  ``review/deleted``. One review per delivery. Only loopback URLs are delivered to.
- Orders (T-ord says 9 fields, not named): ``id, order_id, order_name,
  customer_name, customer_email, status (1..6 as the type filter), created_at,
  scheduled_at, sent_at`` (the last two null until set). Time filters accept
  ``YYYY-MM-DD HH:MM:SS``, ``YYYY-MM-DD`` or Unix seconds; sent filters drop
  unsent orders.
- Customer events: ``id, event_type, event_source, os_type, customer_email,
  product_id, review_id, created_at``. The docs end the enum lists with "etc.":
  the documented values plus MACOS, LINUX, OTHER for os_type are accepted, others
  are code 3 [strict_event_enums=True].
- Exclusions: a known customer (from the seeded orders) keeps their name; an
  unknown e-mail becomes a new customer with empty names. Excluding twice is code
  6. email_unsubscribe is idempotent.
"""

from __future__ import annotations

from .app import create_apps, render_error, webhook_dispatcher
from .seeding import build_store
from .settings import TrustooSettings
from .store import TrustooStore

__all__ = [
    "TrustooSettings",
    "TrustooStore",
    "build_store",
    "create_apps",
    "render_error",
    "webhook_dispatcher",
]
