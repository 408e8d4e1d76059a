"""Upstream activity on demand: the ``POST /_sandbox/activity`` request and answer.

A sandbox has no customers, so nothing changes upstream unless a test or a person
makes it: this module parses the control route's JSON body into an ``Activity``
(one customer or moderator action on one platform) and defines what every
simulator's ``upstream`` module answers. The actions, in common words::

    {"provider": "trustoo", "action": "create", "sku"?: "...", "rating": 4,
     "title"?: "...", "body"?: "...", "author"?: "...", "status"?: "published"}
    {"provider": ..., "action": "edit", "reviewId": "...", "rating"?, "title"?,
     "body"?}                              (at least one of the three)
    {"provider": ..., "action": "status", "reviewId": "...", "status": "hidden"}
    {"provider": ..., "action": "delete", "reviewId": "..."}
    {"provider": ..., "action": "reply", "reviewId": "...", "body": "..."}

``sku`` absent means a shop review where the platform has them. ``status`` takes
the common words (``published``, ``pending``, ``rejected``, ``archived``,
``hidden``) or the platform's own state name; each platform accepts only the states
it has. ``reviewId`` is the platform's own id as its API shows it (a Trustoo id may
be a JSON number). Unknown fields, wrong types and unknown values are refused with
``ActivityError`` (the route's 400), never applied in part. Activity goes straight to
the simulator's store: it is not a call of the platform's API and is not in the
request log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Protocol

from aiohttp import web

from sandbox.catalog import Catalog

ACTIONS: Final = ("create", "edit", "status", "delete", "reply")
STATUS_WORDS: Final = ("published", "pending", "rejected", "archived", "hidden")
MAX_TEXT: Final = 10_000
_FIELDS: Final[Mapping[str, tuple[frozenset[str], frozenset[str]]]] = {
    # action -> (required fields, optional fields), beyond provider and action
    "create": (
        frozenset({"rating"}),
        frozenset({"sku", "title", "body", "author", "status"}),
    ),
    "edit": (frozenset({"reviewId"}), frozenset({"rating", "title", "body"})),
    "status": (frozenset({"reviewId", "status"}), frozenset()),
    "delete": (frozenset({"reviewId"}), frozenset()),
    "reply": (frozenset({"reviewId", "body"}), frozenset()),
}


class ActivityError(ValueError):
    """An activity the sandbox cannot apply; the message says why (a 400)."""


@dataclass(frozen=True, slots=True)
class Activity:
    """One parsed ``POST /_sandbox/activity`` body."""

    provider: str
    action: str
    review_id: str | None = None
    sku: str | None = None
    rating: int | None = None
    title: str | None = None
    body: str | None = None
    author: str | None = None
    status: str | None = None

    def need_review_id(self) -> str:
        if self.review_id is None:
            raise ActivityError("reviewId is required")
        return self.review_id


Outcome = dict[str, object]
"""The 200 answer: ``provider``, ``action``, ``reviewId``, ``status`` and more."""


class Upstream(Protocol):
    """What one simulator offers the activity and review-listing control routes."""

    def apply(self, activity: Activity) -> Outcome:
        """Apply ``activity`` to the simulator's state; raise ``ActivityError``."""
        ...

    def reviews(self) -> list[dict[str, object]]:
        """Every review the platform holds, any status, in common-word JSON."""
        ...


UpstreamFactory = Callable[[web.Application, Catalog], Upstream]
"""Builds a simulator's ``Upstream`` from its (API) sub-application and catalog."""


def parse_activity(body: object, served: Mapping[str, object]) -> Activity:
    """Validate a control-route body (JSON already decoded) into an ``Activity``."""
    if not isinstance(body, dict):
        raise ActivityError("body must be a JSON object")
    provider = body.get("provider")
    if not isinstance(provider, str) or provider not in served:
        raise ActivityError(f"provider must be one of: {', '.join(served)}")
    action = body.get("action")
    if not isinstance(action, str) or action not in _FIELDS:
        raise ActivityError(f"action must be one of: {', '.join(ACTIONS)}")
    required, optional = _FIELDS[action]
    given = set(body) - {"provider", "action"}
    unknown = sorted(given - required - optional)
    if unknown:
        raise ActivityError(f"unknown field(s) for {action}: {', '.join(unknown)}")
    missing = sorted(required - given)
    if missing:
        raise ActivityError(f"{action} needs: {', '.join(missing)}")
    if action == "edit" and not given & {"rating", "title", "body"}:
        raise ActivityError("edit needs at least one of: rating, title, body")
    return Activity(
        provider=provider,
        action=action,
        review_id=_review_id(body.get("reviewId")),
        sku=_text(body, "sku", empty=False),
        rating=_rating(body.get("rating")),
        title=_text(body, "title"),
        body=_text(body, "body", empty=action != "reply"),
        author=_text(body, "author", empty=False),
        status=_text(body, "status", empty=False),
    )


def _review_id(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip() and len(value) <= 200:
        return value.strip()
    raise ActivityError("reviewId must be a non-empty string (or a number)")


def _rating(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return value
    raise ActivityError("rating must be an integer from 1 to 5")


def _text(body: Mapping[str, object], name: str, *, empty: bool = True) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise ActivityError(f"{name} must be a {'' if empty else 'non-empty '}string")
    if len(value) > MAX_TEXT:
        raise ActivityError(f"{name} must be at most {MAX_TEXT} characters")
    return value


def native_status(wanted: str, states: Mapping[str, str], provider: str) -> str:
    """The platform's state for ``wanted`` (a common word or a native name).

    ``states`` maps each common word the platform has to its native state name.
    """
    if wanted in states:
        return states[wanted]
    if wanted in states.values():
        return wanted
    offered = ", ".join([*states, *states.values()])
    raise ActivityError(
        f"{provider} has no status {wanted[:40]!r}; use one of: {offered}"
    )


def common_status(native: str, states: Mapping[str, str]) -> str:
    """The common word of a native state (the state itself when it has none)."""
    return next((word for word, name in states.items() if name == native), native)


def iso(moment: datetime) -> str:
    """An instant as the common-word JSON writes it: ISO 8601 UTC, ms, ``Z``."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")
