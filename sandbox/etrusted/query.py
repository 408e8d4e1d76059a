"""The ``GET /reviews`` family's filters, order and review-id cursor paging.

``parse_filters`` validates the query string the way the API does (a bad value is a
bare 400; a channel outside the account is ``settings.foreign_channel_status``);
``select`` applies the filters and the order; ``page`` cuts one page around the
``after``/``before`` cursors (review ids: ``after`` = older than that review in the
list's order, ``before`` = newer).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from .model import Review
from .settings import REVIEW_TYPES, STATUSES, EtrustedSettings
from .wire import EXTRAS

MAX_COUNT: Final = 1000
ORDER_FIELDS: Final = {
    "submittedAt": "submittedAt",
    "updatedAt": "updatedAt",
    "editedAt": "editedAt",
    # The docs describe editedAt as sorting "using the lastEditedAt date"; clients
    # (Pipedream) send lastEditedAt too.
    "lastEditedAt": "editedAt",
}
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# A '+' of an unencoded offset ("...742+0100") arrives as a space.
_SPACE_OFFSET: Final = re.compile(r" (\d{2}:?\d{2})$")
_RFC822_OFFSET: Final = re.compile(r"([+-]\d{2})(\d{2})$")

SortKey = tuple[datetime, datetime, str]


class BadParameter(ValueError):
    """A query parameter the API refuses, answered with ``status`` and no body."""

    def __init__(self, status: int = 400) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True, slots=True)
class ReviewFilters:
    """The filters of one list/count call (everything but the paging)."""

    channels: frozenset[str]
    submitted_after: datetime | None = None
    submitted_before: datetime | None = None
    ratings: frozenset[int] | None = None
    statuses: frozenset[str] = frozenset(STATUSES)
    types: frozenset[str] | None = None
    has_reply: bool | None = None
    ignore_statements: bool = True
    query: str | None = None
    skus: frozenset[str] | None = None
    order_by: str = "submittedAt"

    def matches(self, review: Review) -> bool:
        """Whether ``review`` passes every filter."""
        return all(check(self, review) for check in _CHECKS)


@dataclass(frozen=True, slots=True)
class Paging:
    """The paging part of a list call."""

    count: int
    after: str | None = None
    before: str | None = None


def parse_filters(
    params: Mapping[str, str],
    account_channels: Collection[str],
    settings: EtrustedSettings,
) -> ReviewFilters:
    """Validate the filter parameters; raise ``BadParameter``."""
    return ReviewFilters(
        channels=_channels(params.get("channels"), account_channels, settings),
        submitted_after=_instant(params.get("submittedAfter")),
        submitted_before=_instant(params.get("submittedBefore")),
        ratings=_ratings(params.get("rating")),
        statuses=_enums(params.get("status"), STATUSES)
        or frozenset(settings.default_statuses),
        types=_enums(params.get("type"), REVIEW_TYPES),
        has_reply=_boolean(params.get("hasReply")),
        ignore_statements=_boolean(params.get("ignoreStatements")) is not False,
        query=params.get("query") or None,
        skus=frozenset(_items(params.get("sku"))) or None,
        order_by=ORDER_FIELDS.get(params.get("orderBy", ""), "submittedAt"),
    )


def parse_paging(params: Mapping[str, str], settings: EtrustedSettings) -> Paging:
    """``count`` (1..1000), ``after`` and ``before``; raise ``BadParameter``."""
    raw = params.get("count")
    count = settings.default_count
    if raw is not None:
        if not raw.strip().isdigit():
            raise BadParameter
        count = int(raw)
        if not 1 <= count <= MAX_COUNT:
            raise BadParameter
    return Paging(count, params.get("after") or None, params.get("before") or None)


def parse_extras(params: Mapping[str, str]) -> frozenset[str]:
    """``additionalInformation``: VETO, ATTACHMENTS, ORIGINAL_REVIEW (``[VETO]`` ok)."""
    raw = params.get("additionalInformation")
    if raw is not None:
        raw = raw.strip().removeprefix("[").removesuffix("]")
    return _enums(raw, EXTRAS) or frozenset()


def _items(raw: str | None) -> list[str]:
    """A comma list; blanks around items (the docs write ``1, 2, 5``) are dropped."""
    if raw is None:
        return []
    return [item.strip() for item in raw.split(",") if item.strip()]


def _channels(
    raw: str | None, account_channels: Collection[str], settings: EtrustedSettings
) -> frozenset[str]:
    wanted = _items(raw)
    if any(channel not in account_channels for channel in wanted):
        raise BadParameter(settings.foreign_channel_status)
    return frozenset(wanted or account_channels)


def _enums(raw: str | None, allowed: Sequence[str]) -> frozenset[str] | None:
    values = [item.upper() for item in _items(raw)]
    if any(value not in allowed for value in values):
        raise BadParameter
    return frozenset(values) or None


def _ratings(raw: str | None) -> frozenset[int] | None:
    values: set[int] = set()
    for item in _items(raw):
        try:
            number = float(item)
        except ValueError:
            raise BadParameter from None
        if number != int(number) or not 1 <= number <= 5:
            raise BadParameter
        values.add(int(number))
    return frozenset(values) or None


def _boolean(raw: str | None) -> bool | None:
    if raw is None or raw == "":
        return None
    lowered = raw.strip().lower()
    if lowered not in ("true", "false"):
        raise BadParameter
    return lowered == "true"


def _instant(raw: str | None) -> datetime | None:
    """``yyyy-MM-dd'T'HH:mm:ss.SSSZ`` (``Z`` or ``+0000``) or any ISO 8601 instant."""
    if raw is None or raw == "":
        return None
    text = _SPACE_OFFSET.sub(r"+\1", raw.strip())
    text = _RFC822_OFFSET.sub(r"\1:\2", text) if "T" in text else text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadParameter from None
    # An instant without an offset is read as UTC, as the API's examples all are.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check_channel(f: ReviewFilters, r: Review) -> bool:
    return r.channel_id in f.channels


def _check_dates(f: ReviewFilters, r: Review) -> bool:
    after_ok = f.submitted_after is None or r.submitted_at > f.submitted_after
    return after_ok and (
        f.submitted_before is None or r.submitted_at < f.submitted_before
    )


def _check_rating(f: ReviewFilters, r: Review) -> bool:
    return f.ratings is None or (r.rating is not None and int(r.rating) in f.ratings)


def _check_kind(f: ReviewFilters, r: Review) -> bool:
    type_ok = f.types is None or r.type in f.types
    return type_ok and r.state in f.statuses


def _check_reply(f: ReviewFilters, r: Review) -> bool:
    return f.has_reply is None or (r.reply is not None) == f.has_reply


def _check_statement(f: ReviewFilters, r: Review) -> bool:
    return not (f.ignore_statements and r.is_statement)


def _check_query(f: ReviewFilters, r: Review) -> bool:
    if f.query is None:
        return True
    needle = f.query.lower()
    haystack = (r.transaction_reference.lower(), r.customer.email.lower())
    return any(needle in field for field in haystack)


def _check_sku(f: ReviewFilters, r: Review) -> bool:
    # sku only makes sense for product reviews: service reviews never match it.
    return f.skus is None or (r.product is not None and r.product.sku in f.skus)


_CHECKS: Final[tuple[Callable[[ReviewFilters, Review], bool], ...]] = (
    _check_channel,
    _check_dates,
    _check_rating,
    _check_kind,
    _check_reply,
    _check_statement,
    _check_query,
    _check_sku,
)


def sort_key(order_by: str) -> Callable[[Review], SortKey]:
    """The descending-order key of ``order_by`` (ties broken by submittedAt, id)."""

    def key(review: Review) -> SortKey:
        if order_by == "updatedAt":
            primary = review.updated_at
        elif order_by == "editedAt":
            # Reviews never edited sort after every edited one.
            primary = review.edited_at or _EPOCH
        else:
            primary = review.submitted_at
        return (primary, review.submitted_at, review.id)

    return key


def select(reviews: Sequence[Review], filters: ReviewFilters) -> list[Review]:
    """The matching reviews, newest first by ``filters.order_by``."""
    matching = [r for r in reviews if filters.matches(r)]
    matching.sort(key=sort_key(filters.order_by), reverse=True)
    return matching


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list and whether more reviews follow it."""

    items: list[Review]
    has_next: bool


def page(
    ordered: list[Review],
    paging: Paging,
    order_by: str,
    cursor: Callable[[str], Review],
) -> Page:
    """Cut one page of ``ordered``; ``cursor`` resolves a review id (or raises).

    The cursor review need not match the filters: its sort key alone places it.
    """
    key = sort_key(order_by)
    low, high = 0, len(ordered)
    if paging.after is not None:
        pivot = key(cursor(paging.after))
        low = sum(1 for r in ordered if key(r) >= pivot)
    if paging.before is not None:
        pivot = key(cursor(paging.before))
        high = sum(1 for r in ordered if key(r) > pivot)
    window = ordered[low:high]
    if paging.before is not None and paging.after is None:
        # The page just newer than the cursor: the previous page.
        items = window[-paging.count :]
    else:
        items = window[: paging.count]
    last = ordered.index(items[-1]) if items else len(ordered)
    return Page(items, has_next=last + 1 < len(ordered))
