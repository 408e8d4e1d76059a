"""How a ``ReviewQuery`` becomes eTrusted list parameters, plus what stays client-side.

Pushed down to ``GET /reviews`` (vendors.md 4.5): ``channels`` (the configured channel
set; none = the whole account), ``type`` (``PRODUCT_REVIEW`` when SKUs are given or
``shop`` is False, ``SERVICE_REVIEW`` for ``shop``, absent = both), ``sku`` (comma
list), ``status`` (PUBLISHED -> APPROVED, PENDING -> MODERATION, REJECTED ->
REJECTED; ARCHIVED and HIDDEN have no eTrusted equivalent and select nothing),
``rating``,
``submittedAfter``/``submittedBefore`` and ``hasReply``. ``ignoreStatements`` keeps its
default (true): STATEMENT feedback, which may lack a rating, is never listed.

Checked in the client over the platform's pages:

* ``language``: the platform cannot filter by locale.
* ``ratings``: eTrusted ratings are numbers 1.0..5.0 and the docs do not say how the
  ``rating`` filter treats fractions (the simulator truncates). Our ``rating`` is the
  half-up rounding, so the filter is widened to ``{r-1, r}`` (which contains every
  review rounding to ``r`` under truncation or rounding) and narrowed here.
* dates: the platform takes milliseconds, so ``submittedAfter`` is floored and
  ``submittedBefore`` ceiled to the millisecond and both bounds (exclusive, as the
  platform's are) re-checked here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import quote

from gateway.errors import InvalidInput
from gateway.records import Review, ReviewQuery
from gateway.timestamps import format_iso

from .mapping import STATUS_TO_STATE
from .wire import PRODUCT_REVIEW, SERVICE_REVIEW

POSITION_PREFIX: Final = "after:"
Check = Callable[[Review], bool]


@dataclass(frozen=True, slots=True)
class ListPlan:
    """The filters of one list (no paging) and the client-side check, if any."""

    params: dict[str, str]
    checks: tuple[Check, ...] = ()

    def keeps(self, review: Review) -> bool:
        return all(check(review) for check in self.checks)


def encode_position(after_id: str) -> str:
    """The opaque position of the page after review ``after_id``."""
    return POSITION_PREFIX + after_id


def decode_position(position: str | None) -> str | None:
    """The ``after`` review id a position carries; ``InvalidInput`` if not ours."""
    if position is None:
        return None
    after = position.removeprefix(POSITION_PREFIX)
    if after == position or not after:
        raise InvalidInput("not an eTrusted position")
    return after


def plan_list(
    query: ReviewQuery,
    *,
    channel_ids: Collection[str],
    listed: Callable[[str], bool],
    sku_filter: bool = True,
    has_reply: bool | None = None,
) -> ListPlan | None:
    """The plan for ``query``, or ``None`` when nothing can match (no call).

    ``sku_filter`` False: the endpoint has no ``sku`` parameter (the deprecated list),
    so SKUs are checked on each review's product here.
    """
    states = sorted(
        {STATUS_TO_STATE[s] for s in query.statuses if s in STATUS_TO_STATE}
    )
    skus = _skus(query, listed)
    if not states or skus == () or (query.shop and skus is not None):
        return None
    params: dict[str, str] = {"status": ",".join(states)}
    checks: list[Check] = []
    if channel_ids:
        params["channels"] = ",".join(channel_ids)
    if query.shop:
        params["type"] = SERVICE_REVIEW
    elif skus is not None:
        params["type"] = PRODUCT_REVIEW
        if sku_filter:
            params["sku"] = ",".join(skus)
        else:
            checks.append(_sku_check(frozenset(skus)))
    elif query.shop is False:
        params["type"] = PRODUCT_REVIEW
    if has_reply is not None:
        params["hasReply"] = "true" if has_reply else "false"
    if not _add_ratings(query.ratings, params, checks):
        return None
    _add_dates(query, params, checks)
    if query.language:
        checks.append(_language_check(query.language))
    return ListPlan(params, tuple(checks))


def _skus(query: ReviewQuery, listed: Callable[[str], bool]) -> tuple[str, ...] | None:
    """The query's SKUs eTrusted lists, in order, each once (None: any review)."""
    if query.skus is None:
        return None
    return tuple(sku for sku in dict.fromkeys(query.skus) if listed(sku))


def _add_ratings(
    ratings: Collection[int] | None, params: dict[str, str], checks: list[Check]
) -> bool:
    """Push the widened rating filter down; False when no valid rating is asked."""
    if ratings is None:
        return True
    wanted = frozenset(r for r in ratings if 1 <= r <= 5)
    if not wanted:
        return False
    widened = sorted({v for r in wanted for v in (r - 1, r) if 1 <= v <= 5})
    if wanted != frozenset(range(1, 6)):
        params["rating"] = ",".join(map(str, widened))
        checks.append(lambda review: review.rating in wanted)
    return True


def _add_dates(query: ReviewQuery, params: dict[str, str], checks: list[Check]) -> None:
    after, before = query.created_after, query.created_before
    if after is not None:
        params["submittedAfter"] = format_iso(after)
        checks.append(lambda review: review.created_at > after)
    if before is not None:
        params["submittedBefore"] = format_iso(_ceil_ms(before))
        checks.append(lambda review: review.created_at < before)


def _ceil_ms(moment: datetime) -> datetime:
    spare = moment.microsecond % 1000
    return moment + timedelta(microseconds=1000 - spare) if spare else moment


def _sku_check(skus: frozenset[str]) -> Check:
    return lambda review: review.product is not None and review.product.sku in skus


def _language_check(language: str) -> Check:
    """``en`` matches any ``en_*`` locale; ``en-GB``/``en_GB`` only that one."""
    wanted = language.strip().lower().replace("-", "_")

    def check(review: Review) -> bool:
        if review.language is None:
            return False
        locale = f"{review.language}_{review.author.country or ''}".lower()
        return wanted in (review.language.lower(), locale)

    return check


def chunk_skus(skus: Iterable[str], budget: int) -> list[tuple[str, ...]]:
    """Split SKUs so each comma list stays within ``budget`` URL-encoded characters."""
    chunks: list[tuple[str, ...]] = []
    current: list[str] = []
    used = 0
    for sku in skus:
        # The SKU as it travels in the URL, plus an encoded comma.
        size = len(quote(sku, safe="")) + 3
        if current and used + size > budget:
            chunks.append(tuple(current))
            current, used = [], 0
        current.append(sku)
        used += size
    if current:
        chunks.append(tuple(current))
    return chunks
