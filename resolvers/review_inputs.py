"""The review writes' inputs and the gateway's checks of them, before any call.

Each check is a platform's documented constraint (vendors.md 1.7 for Trustoo's
create_review, 2.6 for Mayar's create, update and bulk status endpoints), failing
with the input field's path. Texts are checked as ``writes.trimmed`` makes them,
which is also what is sent. ``review_writes`` runs the writes themselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Final
from urllib.parse import urlsplit

from gateway.records import Media, MediaType, Provider, ReviewKey, ReviewStatus
from resolvers import ids
from resolvers.context import Context
from resolvers.writes import Checks, FieldPath, IdInput, UserError, trimmed

AUTHOR_MAX: Final = 120
TITLE_MAX: Final = 300
TRUSTOO_BODY_MAX: Final = 10_000
MAX_IMAGES: Final = 10
MAX_VIDEOS: Final = 1
MAYAR_BODY_MAX: Final = 2000
MAYAR_EMAIL_LENGTH: Final = (5, 100)
MAX_STATUS_CHANGES: Final = 50
EARLIEST: Final = datetime(1970, 1, 1, tzinfo=UTC)
CLOCK_SKEW: Final = timedelta(minutes=5)

# Stricter than writes.EMAIL: Trustoo refuses an address without a top-level domain
# of two or more letters, Mayar one that ends in a dot.
EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
COUNTRY: Final = re.compile(r"^[A-Za-z]{2}$")
CREATE_PROVIDERS: Final = frozenset({Provider.TRUSTOO, Provider.MAYAR})
DELETE_PROVIDERS: Final = frozenset({Provider.TRUSTOO, Provider.MAYAR})
MAYAR_STATUSES: Final = (
    ReviewStatus.PUBLISHED,
    ReviewStatus.HIDDEN,
    ReviewStatus.ARCHIVED,
)


@dataclass(frozen=True, slots=True)
class NewReview:
    """createReview's input (``sku`` None: a shop review)."""

    provider: Provider
    rating: int
    sku: str | None = None
    title: str | None = None
    body: str | None = None
    author_name: str | None = None
    author_email: str | None = None
    author_country: str | None = None
    created_at: datetime | None = None
    verified: bool | None = None
    published: bool | None = None
    media: tuple[Media, ...] | None = None


@dataclass(frozen=True, slots=True)
class ReviewEdit:
    """updateReview's input; ``author_email`` finds the buyer's transaction."""

    review: IdInput
    """``reviewId``, or the deprecated ``id``."""
    rating: int | None = None
    body: str | None = None
    author_email: str | None = None


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One entry of setReviewStatus: a review's global id and its new status."""

    review_id: str
    status: ReviewStatus


def utc(moment: datetime | None) -> datetime | None:
    """A time without an offset is UTC (the graph's DateTime is UTC)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


# --- shared ----------------------------------------------------------------------


def named_review(checks: Checks, ref: IdInput) -> ids.ReviewId | None:
    """The review ``ref`` names (``reviewId`` or the deprecated ``id``), decoded."""
    value = checks.one_id(ref)
    return None if value is None else checks.review(value, ref.path)


def _configured(
    ctx: Context, checks: Checks, provider: Provider, path: FieldPath
) -> None:
    clients = ctx.services.clients
    client = clients.trustoo if provider is Provider.TRUSTOO else clients.mayar
    if client is None:
        checks.fail(path, f"{provider.name} is not configured", "NOT_CONFIGURED")


def _email(checks: Checks, value: str | None, path: FieldPath) -> None:
    if value is not None and not EMAIL.match(value):
        checks.fail(path, f"{path[-1]} is not an e-mail address", "INVALID_EMAIL")


def _mayar_email(checks: Checks, value: str | None, path: FieldPath) -> None:
    """Mayar's ``customerEmail``: a valid address of 5 to 100 characters."""
    _email(checks, value, path)
    if value is not None and EMAIL.match(value):
        checks.length(value, path, *MAYAR_EMAIL_LENGTH)


def _sku(ctx: Context, checks: Checks, sku: str, provider: Provider) -> None:
    catalog = ctx.services.catalog
    if catalog.get(sku) is None:
        checks.fail(("sku",), f"{sku} is not in the catalog", "UNKNOWN_SKU")
    elif not catalog.listed_on(provider, sku):
        checks.fail(("sku",), f"{sku} is not listed on {provider.name}", "NOT_LISTED")


# --- createReview ----------------------------------------------------------------


def _created_at(checks: Checks, value: datetime | None) -> None:
    moment = utc(value)
    if moment is not None and not EARLIEST <= moment <= datetime.now(UTC) + CLOCK_SKEW:
        checks.fail(
            ("createdAt",), "createdAt must be in the past, after 1970", "INVALID_DATE"
        )


def _http_url(value: str | None) -> bool:
    if value is None:
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _media(checks: Checks, media: Sequence[Media]) -> None:
    """Trustoo's media: at most 10 images and one video, all by http(s) URL."""
    images = sum(m.type is MediaType.IMAGE for m in media)
    if images > MAX_IMAGES:
        checks.fail(("media",), f"at most {MAX_IMAGES} images are allowed", "TOO_MANY")
    if len(media) - images > MAX_VIDEOS:
        checks.fail(("media",), f"at most {MAX_VIDEOS} video is allowed", "TOO_MANY")
    for index, item in enumerate(media):
        for name, url in (("url", item.url), ("thumbnailUrl", item.thumbnail_url)):
            if not _http_url(url):
                path = ("media", str(index), name)
                checks.fail(path, f"{name} must be an http(s) URL", "INVALID_URL")


def _check_trustoo(ctx: Context, checks: Checks, new: NewReview) -> None:
    if new.sku is not None:
        _sku(ctx, checks, new.sku, Provider.TRUSTOO)
    if checks.require(new.author_name, ("authorName",)):
        checks.length(new.author_name, ("authorName",), 1, AUTHOR_MAX)
    checks.length(new.title, ("title",), 1, TITLE_MAX)
    checks.length(new.body, ("body",), 1, TRUSTOO_BODY_MAX)
    _email(checks, new.author_email, ("authorEmail",))
    if new.author_country is not None and not COUNTRY.match(new.author_country):
        message = "authorCountry must be an ISO 3166 alpha-2 code"
        checks.fail(("authorCountry",), message, "INVALID_COUNTRY")
    _created_at(checks, new.created_at)
    _media(checks, new.media or ())


def _mayar_cannot_store(new: NewReview) -> dict[str, str]:
    """The inputs Mayar has no place for, each with the reason."""
    given = {
        "title": (new.title is not None, "MAYAR reviews have no title"),
        "authorName": (new.author_name is not None, "MAYAR shows its customer's name"),
        "authorCountry": (new.author_country is not None, "MAYAR stores no country"),
        "createdAt": (new.created_at is not None, "MAYAR stamps the creation time"),
        "verified": (new.verified is False, "MAYAR reviews are all by buyers"),
        "published": (
            new.published is False,
            "MAYAR publishes new reviews; hide one with setReviewStatus",
        ),
        "media": (bool(new.media), "MAYAR attaches uploaded files, not URLs"),
    }
    return {name: reason for name, (bad, reason) in given.items() if bad}


def _check_mayar(ctx: Context, checks: Checks, new: NewReview) -> None:
    if new.sku is None:
        message = "MAYAR has no shop reviews: give a sku"
        checks.fail(("sku",), message, "UNSUPPORTED_BY_PROVIDER")
    else:
        _sku(ctx, checks, new.sku, Provider.MAYAR)
    if checks.require(new.author_email, ("authorEmail",)):
        _mayar_email(checks, new.author_email, ("authorEmail",))
    checks.length(new.body, ("body",), 1, MAYAR_BODY_MAX)
    for name, reason in _mayar_cannot_store(new).items():
        checks.fail((name,), reason, "UNSUPPORTED_BY_PROVIDER")


def trimmed_review(new: NewReview) -> NewReview:
    """The new review's texts as they are checked and sent (``writes.trimmed``)."""
    return replace(
        new,
        title=trimmed(new.title),
        body=trimmed(new.body),
        author_name=trimmed(new.author_name),
    )


def check_create(ctx: Context, checks: Checks, new: NewReview) -> None:
    """The checks of createReview: the platform can, is set up, takes every input."""
    platforms, operation = CREATE_PROVIDERS, "create reviews"
    if checks.provider(new.provider, platforms, operation, ("provider",)):
        checks.rating(new.rating, ("rating",))
        check = _check_trustoo if new.provider is Provider.TRUSTOO else _check_mayar
        check(ctx, checks, new)
        _configured(ctx, checks, new.provider, ("provider",))


# --- updateReview, deleteReview --------------------------------------------------


def trimmed_edit(edit: ReviewEdit) -> ReviewEdit:
    """The edit's text as it is checked and sent (``writes.trimmed``)."""
    return replace(edit, body=trimmed(edit.body))


def check_update(ctx: Context, checks: Checks, edit: ReviewEdit) -> ids.ReviewId | None:
    """The checks of updateReview (MAYAR); the decoded review id, if it is one."""
    review, path = named_review(checks, edit.review), edit.review.path
    if review and checks.provider(
        review.provider, {Provider.MAYAR}, "update reviews", path
    ):
        _configured(ctx, checks, Provider.MAYAR, path)
    if edit.rating is None and edit.body is None:
        message = "give a rating or a body to change"
        checks.errors.append(UserError(message, "NOTHING_TO_UPDATE"))
    checks.rating(edit.rating, ("rating",))
    checks.length(edit.body, ("body",), 1, MAYAR_BODY_MAX)
    _mayar_email(checks, edit.author_email, ("authorEmail",))
    return review


def check_delete(ctx: Context, checks: Checks, ref: IdInput) -> ids.ReviewId | None:
    """The checks of deleteReview (TRUSTOO, MAYAR); the decoded id, if it is one."""
    review = named_review(checks, ref)
    if review and checks.provider(
        review.provider, DELETE_PROVIDERS, "delete reviews", ref.path
    ):
        _configured(ctx, checks, review.provider, ref.path)
    return review


# --- setReviewStatus -------------------------------------------------------------


def _status_change(
    checks: Checks, index: int, change: StatusChange, seen: set[str]
) -> ReviewKey | None:
    path = ("reviews", str(index))
    review = checks.review(change.review_id, (*path, "reviewId"))
    if change.status not in MAYAR_STATUSES:
        message = (
            f"MAYAR has no status {change.status.name} (PUBLISHED, HIDDEN, ARCHIVED)"
        )
        checks.fail((*path, "status"), message, "UNSUPPORTED_BY_PROVIDER")
    operation = "set review statuses"
    if review is None or not checks.provider(
        review.provider, {Provider.MAYAR}, operation, (*path, "reviewId")
    ):
        return None
    if review.key.id in seen:
        checks.fail((*path, "reviewId"), "this review is listed twice", "DUPLICATE")
        return None
    seen.add(review.key.id)
    return review.key


def check_statuses(
    ctx: Context, checks: Checks, changes: Sequence[StatusChange]
) -> list[ReviewKey]:
    """The checks of setReviewStatus (MAYAR, 1..50); the keys of the reviews."""
    if not changes:
        checks.fail(("reviews",), "give 1 to 50 reviews", "REQUIRED")
    checks.at_most(changes, ("reviews",), MAX_STATUS_CHANGES)
    seen: set[str] = set()
    keys = [_status_change(checks, i, c, seen) for i, c in enumerate(changes)]
    _configured(ctx, checks, Provider.MAYAR, ("reviews",))
    return [key for key in keys if key is not None]
