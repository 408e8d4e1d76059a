"""Mayar (mayar.id) Headless API V2, reviews: the client and its mapping to records.

Mayar is an Indonesian payments platform; a "product" is a payment link
(``paymentLinkId``), mapped to a SKU by the catalog (``CatalogEntry.
mayar_payment_link_id``). Sources: shared/seeds/003 (create review) and
shared/vendors.md section 2 (endpoints, envelope, paging), 5.3/5.4 (mapping).

Modules, each with one job: ``wire`` (TypedDicts of Mayar's JSON), ``mapping``
(pure ``to_review``/``to_rating_summary``, status map, locator), ``envelope`` (the
``{statusCode, messages, data}`` envelope and the refusals as ``ProviderError``),
``listing`` (how ``list_reviews`` plans and merges its pages), ``transport`` (the
Bearer key and one checked call over ``gateway.http``), ``bodies`` (write request
bodies) and ``client`` (``MayarClient``).

Status map: ``ACTIVE`` -> PUBLISHED, ``INACTIVE`` -> HIDDEN, ``ARCHIVED`` ->
ARCHIVED (no PENDING or REJECTED at Mayar). Mayar has no shop reviews, titles,
languages, countries or replies. ``Review.locator`` is the ``paymentLinkId``: Mayar
cannot fetch a review by id, so the client finds it in its payment link's list. The
locator is part of the public review id and never carries the customer id; the
public author name is first name and last initial.

Imports: gateway.records, gateway.errors, gateway.http, gateway.config,
gateway.timestamps, aiohttp and the standard library only; never sandbox,
gateway.sandbox, another provider or GraphQL.
"""

from .bodies import MediaFile
from .client import MayarClient
from .mapping import to_rating_summary, to_review

__all__ = ["MayarClient", "MediaFile", "to_rating_summary", "to_review"]
