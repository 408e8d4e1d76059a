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
  [ARCHIVED]``. An unknown review is NOT_FOUND on both platforms.
- updateReview, deleteReview name the review by ``reviewId`` or by the deprecated
  ``id`` (``writes.IdInput``); refusals about it name the field given.
- A missing review is NOT_FOUND at the field naming it. Mayar's bulk status call
  refuses a batch as a whole without saying which review it lacks: only then are
  the batch's reviews read (as after a successful change), and each entry whose
  review is gone is NOT_FOUND at its ``reviewId``; should that read fail, the
  refusal stays INVALID_REVIEWS at ``reviews``. An update with an e-mail that Mayar
  refuses with a bare 404 stays REVIEW_OR_TRANSACTION_NOT_FOUND: the review or
  the buyer's sale is missing, and Mayar does not say which.
- setReviewStatus re-reads the changed reviews after its one bulk call (one more
  call per review, concurrently); a review that cannot be read back is missing from
  ``reviews`` but its id is in ``reviewIds``: its status was set all the same.
- An unsupported operation is reported at the input field that chose the platform:
  ``provider`` for createReview, the review id otherwise.
- Texts are trimmed before they are checked, and sent trimmed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Final, TypeVar

from gateway.errors import ProviderRejected
from gateway.providers.mayar import MayarClient
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
    trimmed_edit,
    trimmed_review,
    utc,
)
from resolvers.reviews import readable
from resolvers.writes import (
    NOT_FOUND,
    Checks,
    FieldPath,
    IdInput,
    Known,
    WriteResult,
    not_found,
    perform,
)

T = TypeVar("T")
Write = Callable[[], Awaitable[WriteResult[T]]]

TRUSTOO_SOURCE: Final = "Shop"
EMAIL_PATH: Final[FieldPath] = ("authorEmail",)
SKU_PATH: Final[FieldPath] = ("sku",)


@dataclass(frozen=True, slots=True)
class StatusChanges:
    """What setReviewStatus changed: every id, and the reviews read back."""

    review_ids: tuple[str, ...]
    reviews: tuple[Review, ...]


def _visible(ctx: Context, result: WriteResult[Review]) -> WriteResult[Review]:
    """The written review under the lists' status rule (``reviews.readable``).

    A key with ``write`` but not ``read:private`` changes reviews it may not read:
    a HIDDEN one comes back as no review, like every read of it.
    """
    if result.value is None or readable(ctx, result.value):
        return result
    return replace(result, value=None)


async def _its_key(review: Review) -> list[ReviewKey]:
    """The written review itself: what the index refreshes after the write."""
    return [review.key]


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

    return write


MAYAR_CREATE_REFUSALS: Final[Known] = {
    "NOT_A_BUYER": ("NOT_A_BUYER", EMAIL_PATH),
    "ALREADY_REVIEWED": ("ALREADY_REVIEWED", EMAIL_PATH),
    "REVIEW_REFUSED": ("REVIEW_REFUSED", EMAIL_PATH),
}


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

    return write


async def create_review(
    ctx: Context, new: NewReview, client_mutation_id: str | None
) -> WriteResult[Review]:
    """Create a review on TRUSTOO or MAYAR (the module docstring has the mapping).

    A product the platform does not know is NOT_FOUND at ``sku``.
    """
    checks, new = Checks(), trimmed_review(new)
    check_create(ctx, checks, new)
    trustoo = new.provider is Provider.TRUSTOO
    make = _trustoo_create if trustoo else _mayar_create
    op = "createReview"
    result = await perform(
        ctx,
        new.provider,
        op,
        client_mutation_id,
        (op, new),
        checks,
        make(ctx, new),
        subject=SKU_PATH,
        known=None if trustoo else MAYAR_CREATE_REFUSALS,
        touched=_its_key,
    )
    return _visible(ctx, result)


# --- updateReview ----------------------------------------------------------------


async def _missing(client: MayarClient, keys: Sequence[ReviewKey]) -> list[int] | None:
    """The positions of ``keys`` whose review is gone; None when that is unknown."""
    found = await client.reviews_by_keys(keys)
    if any(isinstance(r, Exception) for r in found):
        return None
    return [i for i, review in enumerate(found) if review is None]


async def update_review(
    ctx: Context, edit: ReviewEdit, client_mutation_id: str | None
) -> WriteResult[Review]:
    """Edit a MAYAR review's rating and text; ``author_email`` finds the buyer."""
    checks, edit = Checks(), trimmed_edit(edit)
    review = check_update(ctx, checks, edit)
    client, path = ctx.services.clients.mayar, edit.review.path

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
        # Mayar's bare 404 to an update with an e-mail: the review or the sale.
        "REVIEW_OR_TRANSACTION_NOT_FOUND": ("REVIEW_OR_TRANSACTION_NOT_FOUND", path),
        "NO_TRANSACTION": ("NO_TRANSACTION", EMAIL_PATH),
    }
    op = "updateReview"
    fingerprint = (op, review, edit.rating, edit.body, edit.author_email)
    result = await perform(
        ctx,
        Provider.MAYAR,
        op,
        client_mutation_id,
        fingerprint,
        checks,
        write,
        subject=path,
        known=known,
        touched=_its_key,
    )
    return _visible(ctx, result)


# --- deleteReview ----------------------------------------------------------------


def _delete(ctx: Context, given: str, review: ids.ReviewId | None) -> Write[str]:
    trustoo, mayar = ctx.services.clients.trustoo, ctx.services.clients.mayar

    async def write() -> WriteResult[str]:
        assert review is not None  # checked: no write without a review id
        if review.provider is Provider.TRUSTOO:
            assert trustoo is not None
            await trustoo.delete_review(review.key.id)
        else:
            assert mayar is not None
            await mayar.set_review_statuses([(review.key, ReviewStatus.ARCHIVED)])
        return WriteResult(given)

    return write


async def delete_review(
    ctx: Context, ref: IdInput, client_mutation_id: str | None
) -> WriteResult[str]:
    """Delete a review (TRUSTOO); archive it (MAYAR). The value: its global id."""
    checks = Checks()
    review = check_delete(ctx, checks, ref)
    # Without a decoded id the checks have failed: the provider is never used.
    provider = review.provider if review else Provider.TRUSTOO
    given = ref.given or ref.legacy or ""
    op, write = "deleteReview", _delete(ctx, given, review)
    # Mayar's bulk endpoint refuses a review it does not have as "not valid".
    known = {"INVALID_REVIEWS": (NOT_FOUND, ref.path)}
    fingerprint = (op, review)

    async def touched(_: str) -> list[ReviewKey]:
        # Gone (TRUSTOO) or ARCHIVED (MAYAR): the refresh removes or re-reads it.
        return [] if review is None else [review.key]

    return await perform(
        ctx,
        provider,
        op,
        client_mutation_id,
        fingerprint,
        checks,
        write,
        subject=ref.path,
        known=known,
        touched=touched,
    )


# --- setReviewStatus -------------------------------------------------------------


def _set_statuses(
    ctx: Context, changes: Sequence[StatusChange], keys: Sequence[ReviewKey]
) -> Write[StatusChanges]:
    client = ctx.services.clients.mayar

    async def write() -> WriteResult[StatusChanges]:
        assert client is not None  # checked: no write without a client
        statuses = [change.status for change in changes]
        try:
            await client.set_review_statuses(list(zip(keys, statuses, strict=True)))
        except ProviderRejected as error:
            # All or nothing, and Mayar does not say which review it refused.
            if error.vendor_code != "INVALID_REVIEWS":
                raise
            gone = await _missing(client, keys)
            if not gone:
                raise error
            return WriteResult.refused(
                *(not_found(("reviews", str(i), "reviewId"), "review") for i in gone)
            )
        # Failures come back as values: the write stands whatever the re-read does.
        found = await client.reviews_by_keys(keys)
        read = tuple(r for r in found if isinstance(r, Review))
        return WriteResult(StatusChanges(tuple(c.review_id for c in changes), read))

    return write


async def set_review_statuses(
    ctx: Context, changes: Sequence[StatusChange], client_mutation_id: str | None
) -> WriteResult[StatusChanges]:
    """Set 1..50 MAYAR reviews' statuses in one all-or-nothing call, then re-read."""
    checks = Checks()
    keys = check_statuses(ctx, checks, changes)
    op, write = "setReviewStatus", _set_statuses(ctx, changes, keys)
    fingerprint = (op, tuple(changes))
    known = {"INVALID_REVIEWS": ("INVALID_REVIEWS", ("reviews",))}

    async def touched(_: StatusChanges) -> list[ReviewKey]:
        return list(keys)

    result = await perform(
        ctx,
        Provider.MAYAR,
        op,
        client_mutation_id,
        fingerprint,
        checks,
        write,
        known=known,
        touched=touched,
    )
    done = result.value
    if done is None:
        return result
    shown = tuple(r for r in done.reviews if readable(ctx, r))
    return replace(result, value=replace(done, reviews=shown))
