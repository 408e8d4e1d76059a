"""The frame every write runs in: access, checks, idempotency, errors, invalidation.

A write use case returns a ``WriteResult``: the changed object, or user errors. The
frame around it (``perform``):

1. needs the ``write`` scope (else ``Forbidden``: a GraphQL error);
2. runs the gateway's own checks first; any failure is a user error with the field's
   path and no platform is called;
3. runs the write once per ``clientMutationId`` (see ``idempotency``); a write is never
   retried (the clients retry nothing that is not idempotent);
4. turns a platform's refusal into a user error with a stable code, an English
   message and the platform's own text beside it;
5. on success, forgets the cached reads the write changed and, on a platform read
   from the review index, writes the reviews it touched through to the store
   (``ReviewIndex.refresh``) before the answer is read: the next read shows it
   (read-your-writes). A refresh that fails is logged and leaves the write standing;
   the sync's reconciliation catches up.

The rules every mutation's user errors keep:

- ``field`` is a path through the mutation's own input type (``["input",
  "reviewId"]``), or null when no one field is at fault;
- a missing object is always ``NOT_FOUND`` at the input field that names it: an id
  that decodes but names nothing (the platform's 404), and an id of this graph that
  names another kind of object (no call is made); an id that is not one of this
  graph's at all is ``INVALID_ID``;
- texts are checked (and sent) ``trimmed``: blank text is empty text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Generic, TypeVar, cast, overload

from gateway.errors import (
    InvalidInput,
    ProviderAuthError,
    ProviderBadRequest,
    ProviderError,
    ProviderNotFound,
    ProviderRateLimited,
    ProviderRejected,
    ProviderTimeout,
)
from gateway.records import Provider, ReviewKey
from resolvers import ids
from resolvers.context import WRITE, Context
from resolvers.idempotency import KeyReused

T = TypeVar("T")
N = TypeVar("N", ids.ReviewId, ids.ConversationId)
FieldPath = tuple[str, ...]
Known = Mapping[str, tuple[str, FieldPath]]
"""A platform's refusal code -> (our code, the input field it concerns)."""
Touched = Callable[[T], Awaitable[Sequence[ReviewKey]]]
"""The reviews a successful write changed (its value -> their keys)."""
logger = logging.getLogger(__name__)
NOT_FOUND: Final = "NOT_FOUND"

EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

REFUSALS: Final[dict[str, str]] = {
    "ALREADY_REVIEWED": "This customer has already reviewed this product.",
    "NOT_A_BUYER": "This customer has not bought this product.",
    "NO_TRANSACTION": "No paid transaction of this customer was found.",
    "PRODUCT_NOT_FOUND": "The platform does not know this product.",
    "REVIEW_NOT_FOUND": "The platform does not know this review.",
    "ALREADY_EXISTS": "It already exists at the platform.",
    "INVALID_REVIEWS": "The platform refused one of these reviews.",
    "VALIDATION_FAILED": "The platform refused the input.",
    "INVALID_ARGUMENT": "The platform refused the input.",
    "REVIEW_REFUSED": "The platform refused this review: the customer has not bought "
    "this product, or has already reviewed it.",
    "REVIEW_OR_TRANSACTION_NOT_FOUND": "The platform found no such review, or no paid "
    "transaction of this customer for it.",
    "NOT_FOUND": "The platform does not know this object.",
    "REJECTED": "The platform rejected the operation.",
    "ALREADY_REPORTED": "This review has already been reported; the platform takes "
    "one report a review.",
}
"""English messages for the platforms' refusal codes (``ProviderError.vendor_code``)."""


@dataclass(frozen=True, slots=True)
class UserError:
    """Why a write was refused; ``field`` is the input path it concerns."""

    message: str
    code: str
    field: FieldPath | None = None
    provider_message: str | None = None


@dataclass(frozen=True, slots=True)
class WriteResult(Generic[T]):
    """A write's outcome: the changed object, or why it was refused."""

    value: T | None = None
    user_errors: tuple[UserError, ...] = ()

    @classmethod
    def refused(cls, *errors: UserError) -> WriteResult[T]:
        return cls(None, tuple(errors))


@dataclass(frozen=True, slots=True)
class IdInput:
    """How an input names its object: ``name``, or the deprecated ``id``.

    ``name`` is the field's new name (``reviewId``, ``webhookId``); ``id`` stays
    where an input had it first. Exactly one of the two is given; both mean the
    same. Errors about the object name the field the caller used (``path``).
    """

    name: str
    given: str | None = None
    legacy: str | None = None

    @property
    def path(self) -> FieldPath:
        legacy = self.given is None and self.legacy is not None
        return ("id",) if legacy else (self.name,)


@dataclass(slots=True)
class Checks:
    """Collects the gateway's input checks; each failure names its field path."""

    errors: list[UserError] = field(default_factory=list)

    def fail(self, path: FieldPath, message: str, code: str = "INVALID") -> None:
        self.errors.append(UserError(message, code, path))

    def require(self, value: object, path: FieldPath) -> bool:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.fail(path, f"{path[-1]} is required", "REQUIRED")
            return False
        return True

    def length(self, value: str | None, path: FieldPath, low: int, high: int) -> None:
        if value is not None and not low <= len(value) <= high:
            self.fail(
                path, f"{path[-1]} must be {low} to {high} characters", "INVALID_LENGTH"
            )

    def rating(self, value: int | None, path: FieldPath) -> None:
        if value is not None and not 1 <= value <= 5:
            self.fail(path, "rating must be from 1 to 5", "INVALID_RATING")

    def email(self, value: str | None, path: FieldPath) -> None:
        if value is not None and not EMAIL.match(value):
            self.fail(path, f"{path[-1]} is not an e-mail address", "INVALID_EMAIL")

    def at_most(self, items: Sequence[object] | None, path: FieldPath, n: int) -> None:
        if items is not None and len(items) > n:
            self.fail(path, f"at most {n} {path[-1]} are allowed", "TOO_MANY")

    def one_of(
        self, value: str | None, path: FieldPath, allowed: Iterable[str]
    ) -> None:
        options = tuple(allowed)
        if value is not None and value not in options:
            self.fail(
                path, f"{path[-1]} must be one of {', '.join(options)}", "INVALID_VALUE"
            )

    def provider(
        self,
        provider: Provider,
        supported: Iterable[Provider],
        operation: str,
        path: FieldPath,
    ) -> bool:
        """Whether ``provider`` can do ``operation`` (else UNSUPPORTED_BY_PROVIDER).

        ``path`` is the input field that chose the platform: ``provider`` itself, or
        the id of the object written.
        """
        if provider in tuple(supported):
            return True
        self.fail(
            path, f"{provider.name} cannot {operation}", "UNSUPPORTED_BY_PROVIDER"
        )
        return False

    def one_id(self, ref: IdInput) -> str | None:
        """The id ``ref`` carries: exactly one of its two fields, else a user error."""
        if ref.given is None and ref.legacy is None:
            self.fail((ref.name,), f"{ref.name} is required", "REQUIRED")
            return None
        if ref.given is not None and ref.legacy is not None:
            message = f"give {ref.name} or the deprecated id, not both"
            self.fail(("id",), message, "MUTUALLY_EXCLUSIVE")
            return None
        return ref.given if ref.given is not None else ref.legacy

    def review(self, value: str, path: FieldPath) -> ids.ReviewId | None:
        """The review an id input names (else INVALID_ID or NOT_FOUND at ``path``)."""
        return self._node(value, path, ids.ReviewId, "review")

    def conversation(self, value: str, path: FieldPath) -> ids.ConversationId | None:
        """The thread an id input names (else INVALID_ID or NOT_FOUND at ``path``)."""
        return self._node(value, path, ids.ConversationId, "conversation")

    def _node(self, value: str, path: FieldPath, kind: type[N], what: str) -> N | None:
        try:
            node = ids.decode(value)
        except InvalidInput:
            self.fail(path, f"not a {what} id of this graph", "INVALID_ID")
            return None
        if not isinstance(node, kind):
            # An id of this graph, of another type: no such review (or thread), and
            # no platform needs asking.
            self.errors.append(not_found(path, what))
            return None
        return node


@overload
def trimmed(value: str) -> str: ...
@overload
def trimmed(value: None) -> None: ...
def trimmed(value: str | None) -> str | None:
    """A text input as it is checked and sent: without surrounding whitespace.

    Blank text becomes empty, so the length and REQUIRED checks refuse it.
    """
    return None if value is None else value.strip()


def not_found(path: FieldPath | None, what: str) -> UserError:
    """The one refusal for a missing object: NOT_FOUND at the field naming it."""
    return UserError(f"there is no {what} with this id", NOT_FOUND, path)


def refusal(
    error: ProviderError, subject: FieldPath | None = None, known: Known | None = None
) -> UserError:
    """A platform's refusal (or failure) as a user error with a stable code.

    ``known`` puts the refusals an operation understands under our code and at
    their field; any other "not found" is NOT_FOUND at ``subject``, the input field
    naming the object written. Other refusals concern no one field.
    """
    code = error.vendor_code or error.code
    refused = isinstance(error, ProviderBadRequest | ProviderNotFound)
    if refused and known and code in known:
        ours, path = known[code]
        message = REFUSALS.get(ours, f"{error.provider.upper()} refused the request.")
        return UserError(message, ours, path, error.vendor_message)
    if isinstance(error, ProviderNotFound):
        message = REFUSALS.get(code, REFUSALS[NOT_FOUND])
        return UserError(message, NOT_FOUND, subject, error.vendor_message)
    if isinstance(error, ProviderRejected | ProviderBadRequest):
        message = REFUSALS.get(code, f"{error.provider.upper()} refused the request.")
    elif isinstance(error, ProviderTimeout):
        message = (
            f"{error.provider.upper()} did not answer in time; the write may or may "
            "not have happened. Read before trying again."
        )
    elif isinstance(error, ProviderRateLimited):
        message = f"{error.provider.upper()} is rate limiting; try again later."
    elif isinstance(error, ProviderAuthError):
        message = f"{error.provider.upper()} refused the gateway's credentials."
    else:
        message = f"{error.provider.upper()} is unavailable; nothing was written."
    return UserError(message, code, None, error.vendor_message)


def _replayable(result: WriteResult[object]) -> bool:
    """Keep results whose state is known: successes and refusals, not outages."""
    transport = {"PROVIDER_UNAVAILABLE", "PROVIDER_TIMEOUT", "PROVIDER_RATE_LIMITED"}
    return not any(e.code in transport for e in result.user_errors)


async def perform(
    ctx: Context,
    provider: Provider,
    operation: str,
    client_mutation_id: str | None,
    fingerprint: Hashable,
    checks: Checks,
    write: Callable[[], Awaitable[WriteResult[T]]],
    *,
    subject: FieldPath | None = None,
    known: Known | None = None,
    touched: Touched[T] | None = None,
) -> WriteResult[T]:
    """Run one write in the frame described in the module docstring.

    ``subject`` and ``known`` place the platform's refusals (see ``refusal``);
    ``touched`` names the reviews a successful write changed, for the index.
    """
    ctx.caller.require(WRITE, operation)
    if checks.errors:
        return WriteResult.refused(*checks.errors)

    async def guarded() -> WriteResult[T]:
        try:
            result = await write()
        except ProviderError as error:
            return WriteResult.refused(refusal(error, subject, known))
        finally:
            # Whatever happened upstream, the cached reads may now be wrong.
            forget(ctx, provider)
        value = result.value
        if touched is not None and value is not None:
            await write_through(ctx, provider, lambda: touched(value))
        return result

    if client_mutation_id is None:
        return await guarded()
    key = (ctx.caller.key_digest, operation, client_mutation_id)
    outcome = await ctx.services.idempotency.run(
        key,
        fingerprint,
        guarded,
        keep=lambda result: _replayable(cast("WriteResult[object]", result)),
    )
    if isinstance(outcome, KeyReused):
        return WriteResult.refused(
            UserError(
                "this clientMutationId was used before with a different input",
                "IDEMPOTENCY_KEY_REUSED",
                ("clientMutationId",),
            )
        )
    return cast("WriteResult[T]", outcome)


async def write_through(
    ctx: Context,
    provider: Provider,
    keys: Callable[[], Awaitable[Sequence[ReviewKey]]],
) -> None:
    """Refresh the reviews ``keys`` names in the index, when it holds ``provider``.

    Also while the platform is still backfilling: the backfill may have passed
    the review already.

    Never raises: the write it follows has happened. A failure (the platform
    refusing the read, the store) is logged without its text (which may hold an
    upstream URL) and left to the sync's reconciliation.
    """
    index = ctx.services.index
    if index is None or not ctx.services.stored(provider):
        return
    try:
        found = await keys()
        if found:
            await index.refresh(provider, found)
    except Exception as error:  # the write stands whatever the refresh does
        code = error.code if isinstance(error, ProviderError) else None
        logger.warning(
            "write-through to the review index failed; the sync will catch up",
            extra={
                "provider": provider.value,
                "error": type(error).__name__,
                "code": code,
            },
        )
    ctx.loaders.stored_review.clear_all()


def forget(ctx: Context, provider: Provider) -> None:
    """Drop the cached reads of ``provider`` that a write may have changed."""
    ctx.services.cache.invalidate(lambda key: key[0] == provider)
