"""``GET /channels/{id}/service-reviews/aggregate-rating``: a channel's grades.

The shape follows Trusted Shops' own SDK test fixture (etrusted-android-trustbadge-
library, ``aggregate-rating/good_response.json``): periods ``7days``, ``30days``,
``90days``, ``365days`` and ``overall``, each ``{count, rating, period{start, end,
[first|last]ConsideredReviewSubmission, calculatedAt, ratingTrend}, distribution}``.
Only approved, verified, rated service reviews count (E-agg: "verified reviews only").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from statistics import fmean
from typing import Final

from .model import Review
from .wire import JSON, timestamp

PERIOD_DAYS: Final = {"7days": 7, "30days": 30, "90days": 90, "365days": 365}
_STARS: Final = ("oneStar", "twoStars", "threeStars", "fourStars", "fiveStars")
# A half-period average this much above (below) the earlier half is a trend.
_TREND_STEP: Final = 0.1


def considered(reviews: Sequence[Review], channel_id: str) -> list[Review]:
    """The reviews a channel's grade is computed from, oldest first."""
    chosen = [
        r
        for r in reviews
        if r.channel_id == channel_id
        and r.type == "SERVICE_REVIEW"
        and r.state == "APPROVED"
        and r.verified
        and r.rating is not None
    ]
    return sorted(chosen, key=lambda r: r.submitted_at)


def aggregate_json(
    reviews: Sequence[Review], channel_id: str, now: datetime, *, distribution: bool
) -> JSON:
    """The aggregate-rating body of ``channel_id`` as computed at ``now``."""
    pool = considered(reviews, channel_id)
    now = now.astimezone(UTC)
    end = datetime.combine(now.date(), time.max, now.tzinfo)
    body: JSON = {}
    for name, days in PERIOD_DAYS.items():
        start = datetime.combine(now.date() - timedelta(days=days), time(), now.tzinfo)
        inside = [r for r in pool if start <= r.submitted_at <= end]
        body[name] = _period(inside, start, end, now, distribution, trend=True)
    first = pool[0].submitted_at if pool else end
    body["overall"] = _period(pool, first, end, now, distribution, trend=False)
    return body


def _period(
    inside: list[Review],
    start: datetime,
    end: datetime,
    now: datetime,
    distribution: bool,
    *,
    trend: bool,
) -> JSON:
    period: JSON = {"start": timestamp(start), "end": timestamp(end)}
    ratings = [r.rating for r in inside if r.rating is not None]
    if inside:
        period["lastConsideredReviewSubmission"] = timestamp(inside[-1].submitted_at)
        period["firstConsideredReviewSubmission"] = timestamp(inside[0].submitted_at)
    period["calculatedAt"] = timestamp(now)
    if inside and trend:
        period["ratingTrend"] = _trend(inside, start + (end - start) / 2)
    body: JSON = {
        "count": len(ratings),
        "rating": round(fmean(ratings), 2) if ratings else 0,
        "period": period,
    }
    if distribution:
        body["distribution"] = {
            name: sum(1 for value in ratings if int(value) == stars)
            for stars, name in enumerate(_STARS, start=1)
        }
    return body


def _trend(inside: list[Review], middle: datetime) -> str:
    """POSITIVE/NEGATIVE when the later half rates better/worse than the earlier."""
    early = [r.rating for r in inside if r.submitted_at < middle and r.rating]
    late = [r.rating for r in inside if r.submitted_at >= middle and r.rating]
    if not early or not late:
        return "NEUTRAL"
    change = fmean(late) - fmean(early)
    if change > _TREND_STEP:
        return "POSITIVE"
    return "NEGATIVE" if change < -_TREND_STEP else "NEUTRAL"
