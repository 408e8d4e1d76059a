"""Review writes: create (TRUSTOO, MAYAR), update (MAYAR), delete, set status (MAYAR).

Every write runs in ``writes.perform`` (scope, the checks of ``review_inputs``
before any call, idempotency, refusals as user errors, cache invalidation).
Decisions where the platforms' docs are silent:

- createReview on TRUSTOO sends ``source`` "Shop" (a review entered by the shop's
  own system: none of Trustoo's other sources fits), ``author`` from ``authorName``
  (required), ``commented_at`` from ``createdAt`` (a time without an offset is UTC;
  default now), ``is_published`` from ``published`` (default true), ``is_verified``
  from ``verified`` (default false). ``sku`` null is a shop review (``product_id``
  0). Should Trustoo answer the seed's bare ``{}``, the review exists but cannot be
  shown: the payload's review is null, with no user error.
- createReview on MAYAR refuses, rather than drops, every input Mayar cannot store:
  ``title``, ``authorName`` (Mayar shows its customer's own name), ``authorCountry``,
  ``createdAt`` (Mayar stamps the time), ``verified: false`` (Mayar reviews are all
  by buyers), ``published: false`` (Mayar creates ACTIVE reviews; hide one with
  setReviewStatus) and ``media`` (Mayar attaches uploaded files by Mayar file id,
  not by URL, and the gateway has no Mayar upload). What is sent is what is stored.
- deleteReview on MAYAR sets the review ARCHIVED (Mayar has no delete): it leaves
  every public read and stays readable with a server key and ``statuses:
  [ARCHIVED]``. An unknown review is REVIEW_NOT_FOUND on both platforms.
- setReviewStatus re-reads the changed reviews after its one bulk call (one more
  call per review, concurrently); a review that cannot be read back is missing from
  ``reviews`` but its id is in ``reviewIds``: its status was set all the same.
- An unsupported operation is reported at the input field that chose the platform:
  ``provider`` for createReview, the review id otherwise.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from gateway.errors import ProviderBadRequest, ProviderError, ProviderNotFound
from gateway.providers.trustoo import ReviewDraft
from gateway.records import Provider, Review, ReviewKey, ReviewStatus
from resolvers import ids
from resolvers.context import Context
from resolvers.review_inputs import (
    NewReview,
    ReviewEdit,
    StatusChange,
    check_create,
    check_delete,
    check_statuses,
    check_update,
    utc,
)
from resolvers.writes import (
    REFUSALS,
    Checks,
    FieldPath,
    UserError,
    WriteResult,
    perform,
    refusal,
)

T = TypeVar("T")
Write = Callable[[], Awaitable[WriteResult[T]]]
Known = Mapping[str, tuple[str, FieldPath]]
"""A platform's refusal code -> (our code, the input field it concerns)."""

TRUSTOO_SOURCE: Final = "Shop"
EMAIL_PATH: Final[FieldPath] = ("authorEmail",)


@dataclass(frozen=True, slots=True)
class StatusChanges:
    """What setReviewStatus changed: every id, and the reviews read back."""

    review_ids: tuple[str, ...]
    reviews: tuple[Review, ...]


def _refine(error: ProviderError, known: Known) -> UserError:
    """A refusal under our code and at its field, where the operation knows it."""
    code = error.vendor_code or error.code
    if code in known and isinstance(error, ProviderBadRequest | ProviderNotFound):
        ours, path = known[code]
        message = REFUSALS.get(ours, f"{error.provider.upper()} refused the request.")
        return UserError(message, ours, path, error.vendor_message)
    return refusal(error)


def _guard(write: Write[T], known: Known) -> Write[T]:
    """``write`` with the refusals it knows put at their fields (others as usual)."""

    async def guarded() -> WriteResult[T]:
        try:
            return await write()
        except ProviderError as error:
            return WriteResult.refused(_refine(error, known))

    return guarded


# --- createReview ----------------------------------------------------------------


def _draft(new: NewReview) -> ReviewDraft:
    country = new.author_country
    return ReviewDraft(
        rating=new.rating,
        author=new.author_name or "",
        sku=new.sku,
        title=new.title,
        body=new.body,
        created_at=utc(new.created_at),
        author_email=new.author_email,
        author_country=None if country is None else country.upper(),
        verified=bool(new.verified),
        published=new.published is not False,
        source=TRUSTOO_SOURCE,
        media=new.media or (),
    )


def _trustoo_create(ctx: Context, new: NewReview) -> Write[Review]:
    client = ctx.services.clients.trustoo

    async def write() -> WriteResult[Review]:
        assert client is not None  # checked: no write without a client
        # None: created, but Trustoo's answer omitted it (the seed's "{}").
        return WriteResult(await client.create_review(_draft(new)))

    return _guard(write, {"NOT_FOUND": ("PRODUCT_NOT_FOUND", ("sku",))})


def _mayar_create(ctx: Context, new: NewReview) -> Write[Review]:
    client = ctx.services.clients.mayar

    async def write() -> WriteResult[Review]:
        assert client is not None  # checked: no write without a client
        assert new.sku is not None
        assert new.author_email is not None
        created = await client.create_review(
            new.sku, new.author_email, new.rating, body=new.body
        )
        return WriteResult(created)

    known = {
        "PRODUCT_NOT_FOUND": ("PRODUCT_NOT_FOUND", ("sku",)),
        "NOT_A_BUYER": ("NOT_A_BUYER", EMAIL_PATH),
        "ALREADY_REVIEWED": ("ALREADY_REVIEWED", EMAIL_PATH),
        "REVIEW_REFUSED": ("REVIEW_REFUSED", EMAIL_PATH),
    }
    return _guard(write, known)


async def create_review(
    ctx: Context, new: NewReview, client_mutation_id: str | None
) -> WriteResult[Review]:
    """Create a review on TRUSTOO or MAYAR (the module docstring has the mapping)."""
    checks = Checks()
    check_create(ctx, checks, new)
    make = _trustoo_create if new.provider is Provider.TRUSTOO else _mayar_create
    op = "createReview"
    return await perform(
        ctx, new.provider, op, client_mutation_id, (op, new), checks, make(ctx, new)
    )


# --- updateReview ----------------------------------------------------------------


async def update_review(
    ctx: Context, edit: ReviewEdit, client_mutation_id: str | None
) -> WriteResult[Review]:
    """Edit a MAYAR review's rating and text; ``author_email`` finds the buyer."""
    checks = Checks()
    review = check_update(ctx, checks, edit)
    client = ctx.services.clients.mayar

    async def write() -> WriteResult[Review]:
        assert client is not None  # checked: no write without a client
        assert review is not None
        updated = await client.update_review(
            review.key,
            rating=edit.rating,
            body=edit.body,
            customer_email=edit.author_email,
        )
        return WriteResult(updated)

    known = {
        "REVIEW_NOT_FOUND": ("REVIEW_NOT_FOUND", ("id",)),
        "REVIEW_OR_TRANSACTION_NOT_FOUND": ("REVIEW_OR_TRANSACTION_NOT_FOUND", ("id",)),
        "NO_TRANSACTION": ("NO_TRANSACTION", EMAIL_PATH),
    }
    op, guarded = "updateReview", _guard(write, known)
    return await perform(
        ctx, Provider.MAYAR, op, client_mutation_id, (op, edit), checks, guarded
    )


# --- deleteReview ----------------------------------------------------------------


def _delete(ctx: Context, review_id: str, review: ids.ReviewId | None) -> Write[str]:
    trustoo, mayar = ctx.services.clients.trustoo, ctx.services.clients.mayar

    async def write() -> WriteResult[str]:
        assert review is not None  # checked: no write without a review id
        if review.provider is Provider.TRUSTOO:
            assert trustoo is not None
            await trustoo.delete_review(review.key.id)
        else:
            assert mayar is not None
            await mayar.set_review_statuses([(review.key, ReviewStatus.ARCHIVED)])
        return WriteResult(review_id)

    missing = ("REVIEW_NOT_FOUND", ("id",))
    return _guard(write, {"NOT_FOUND": missing, "INVALID_REVIEWS": missing})


async def delete_review(
    ctx: Context, review_id: str, client_mutation_id: str | None
) -> WriteResult[str]:
    """Delete a review (TRUSTOO); archive it (MAYAR). The value: its global id."""
    checks = Checks()
    review = check_delete(ctx, checks, review_id)
    # Without a decoded id the checks have failed: the provider is never used.
    provider = review.provider if review else Provider.TRUSTOO
    op, write = "deleteReview", _delete(ctx, review_id, review)
    return await perform(
        ctx, provider, op, client_mutation_id, (op, review_id), checks, write
    )


# --- setReviewStatus -------------------------------------------------------------


def _set_statuses(
    ctx: Context, changes: Sequence[StatusChange], keys: Sequence[ReviewKey]
) -> Write[StatusChanges]:
    client = ctx.services.clients.mayar

    async def write() -> WriteResult[StatusChanges]:
        assert client is not None  # checked: no write without a client
        statuses = [change.status for change in changes]
        await client.set_review_statuses(list(zip(keys, statuses, strict=True)))
        # Failures come back as values: the write stands whatever the re-read does.
        found = await client.reviews_by_keys(keys)
        read = tuple(r for r in found if isinstance(r, Review))
        return WriteResult(StatusChanges(tuple(c.review_id for c in changes), read))

    return _guard(write, {"INVALID_REVIEWS": ("INVALID_REVIEWS", ("reviews",))})


async def set_review_statuses(
    ctx: Context, changes: Sequence[StatusChange], client_mutation_id: str | None
) -> WriteResult[StatusChanges]:
    """Set 1..50 MAYAR reviews' statuses in one all-or-nothing call, then re-read."""
    checks = Checks()
    keys = check_statuses(ctx, checks, changes)
    op, write = "setReviewStatus", _set_statuses(ctx, changes, keys)
    fingerprint = (op, tuple(changes))
    return await perform(
        ctx, Provider.MAYAR, op, client_mutation_id, fingerprint, checks, write
    )
