"""Checks of Mayar request bodies and query strings, with useful failure detail.

Mayar answers an invalid request with HTTP 200, ``messages: "failed"`` and the
validation detail in ``data`` (M-bulk, M-create, M-update). The docs do not show
the detail's shape; here it is a list of ``{"field", "reason"}`` objects, one per
problem, with nested fields spelled ``contentReview[2].type``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from sandbox.mayar.store import (
    STATUSES,
    CreateInput,
    MediaInput,
    StatusChange,
    UpdateInput,
)

Problem = dict[str, str]
"""One validation failure: ``{"field": ..., "reason": ...}``."""

EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
DIGITS: Final = re.compile(r"^[0-9]+$")
MEDIA_TYPES: Final = ("image", "video")
MAX_MEDIA: Final = 10
MAX_BULK: Final = 50


class Checker:
    """Reads typed fields out of one JSON object, collecting every problem."""

    def __init__(self, body: Mapping[str, object], prefix: str = "") -> None:
        self.body = body
        self.prefix = prefix
        self.problems: list[Problem] = []

    def fail(self, name: str, reason: str) -> None:
        self.problems.append({"field": self.prefix + name, "reason": reason})

    def _present(self, name: str, required: bool) -> bool:
        if self.body.get(name) is not None:
            return True
        if required:
            self.fail(name, "is required")
        return False

    def string(
        self, name: str, low: int, high: int, *, required: bool = False
    ) -> str | None:
        if not self._present(name, required):
            return None
        value = self.body[name]
        if not isinstance(value, str):
            self.fail(name, "must be a string")
            return None
        if not low <= len(value) <= high:
            self.fail(name, f"length must be between {low} and {high} characters")
            return None
        return value

    def email(self, name: str, *, required: bool = False) -> str | None:
        value = self.string(name, 5, 100, required=required)
        if value is not None and not EMAIL.match(value):
            self.fail(name, "must be a valid email")
            return None
        return value

    def integer(
        self, name: str, low: int, high: int, *, required: bool = False
    ) -> int | None:
        if not self._present(name, required):
            return None
        value = self.body[name]
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, "must be an integer")
            return None
        if not low <= value <= high:
            self.fail(name, f"must be between {low} and {high}")
            return None
        return value

    def choice(
        self, name: str, options: Sequence[str], *, required: bool = False
    ) -> str | None:
        value = self.string(name, 1, 100, required=required)
        if value is not None and value not in options:
            self.fail(name, f"must be one of {', '.join(options)}")
            return None
        return value

    def array(
        self, name: str, low: int, high: int, *, required: bool = False
    ) -> list[object]:
        if not self._present(name, required):
            return []
        value = self.body[name]
        if not isinstance(value, list):
            self.fail(name, "must be an array")
            return []
        if not low <= len(value) <= high:
            self.fail(name, f"must contain between {low} and {high} items")
            return []
        return value

    def objects(
        self, name: str, low: int, high: int, *, required: bool = False
    ) -> Iterator[Checker]:
        """A checker per element of an array of objects, bad elements reported.

        A generator, so that problems come out in element order when the caller
        absorbs each element's checker before taking the next.
        """
        for index, item in enumerate(self.array(name, low, high, required=required)):
            where = f"{self.prefix}{name}[{index}]"
            if isinstance(item, dict):
                yield Checker(item, where + ".")
            else:
                self.problems.append({"field": where, "reason": "must be an object"})

    def absorb(self, other: Checker) -> None:
        self.problems.extend(other.problems)


def parse_object(raw: bytes) -> tuple[Mapping[str, object], list[Problem]]:
    """The request body as a JSON object, or the problem that it is not one."""
    try:
        body = json.loads(raw or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}, [{"field": "body", "reason": "must be valid JSON"}]
    if not isinstance(body, dict):
        return {}, [{"field": "body", "reason": "must be a JSON object"}]
    return body, []


def _media(check: Checker, name: str) -> tuple[MediaInput, ...]:
    media = []
    for item in check.objects(name, 0, MAX_MEDIA):
        file_id = item.string("id", 1, 100, required=True)
        kind = item.choice("type", MEDIA_TYPES, required=True)
        multiple = item.string("multipleFileId", 1, 100)
        check.absorb(item)
        if file_id is not None and kind is not None:
            media.append(MediaInput(file_id, kind, multiple))
    return tuple(media)


def create_input(
    body: Mapping[str, object],
) -> tuple[CreateInput | None, list[Problem]]:
    """The create-review body of M-create, or every problem with it."""
    check = Checker(body)
    link = check.string("paymentLinkId", 3, 100, required=True)
    email = check.email("customerEmail", required=True)
    rating = check.integer("rating", 1, 5, required=True)
    message = check.string("message", 1, 2000)
    media = _media(check, "contentReview")
    if check.problems or link is None or email is None or rating is None:
        return None, check.problems
    return CreateInput(link, email, rating, message, media), []


def _deleted_media(check: Checker) -> tuple[str, ...]:
    """``deleteContentReview``: media ids, as strings or ``{"id": ...}`` objects."""
    ids = []
    for index, item in enumerate(check.array("deleteContentReview", 0, MAX_MEDIA)):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            ids.append(item["id"])
        elif isinstance(item, str):
            ids.append(item)
        else:
            check.fail(
                f"deleteContentReview[{index}]", "must be a media id or {id} object"
            )
    return tuple(ids)


def update_input(
    body: Mapping[str, object],
) -> tuple[UpdateInput | None, list[Problem]]:
    """The update-review body of M-update (``id`` from the body), or its problems."""
    check = Checker(body)
    review_id = check.string("id", 3, 100, required=True)
    data = UpdateInput(
        id=review_id or "",
        payment_link_id=check.string("paymentLinkId", 3, 100),
        customer_email=check.email("customerEmail"),
        customer_id=check.string("customerId", 3, 100),
        rating=check.integer("rating", 1, 5),
        message=check.string("message", 1, 2000),
        media=_media(check, "contentReview"),
        delete_media=_deleted_media(check),
    )
    if check.problems:
        return None, check.problems
    return data, []


def bulk_input(
    body: Mapping[str, object],
) -> tuple[list[StatusChange] | None, list[Problem]]:
    """The ``input[]`` of a bulk status update (M-bulk), or its problems."""
    check = Checker(body)
    changes = []
    for item in check.objects("input", 1, MAX_BULK, required=True):
        review_id = item.string("id", 1, 100, required=True)
        status = item.choice("status", STATUSES, required=True)
        link = item.string("paymentLinkId", 1, 100)
        check.absorb(item)
        if review_id is not None and status is not None:
            changes.append(StatusChange(review_id, status, link))
    if check.problems:
        return None, check.problems
    return changes, []


@dataclass(frozen=True, slots=True)
class ListQuery:
    """The query of a review list call, validated."""

    limit: int
    starting_after: str | None = None
    status: str | None = None
    payment_link_id: str | None = None
    rating: int | None = None
    prioritize_message: bool = False


class QueryChecker:
    """Reads typed values out of a query string, collecting every problem."""

    def __init__(self, query: Mapping[str, str]) -> None:
        self.query = query
        self.problems: list[Problem] = []

    def number(self, name: str, low: int, high: int) -> int | None:
        value = self.query.get(name)
        if value is None:
            return None
        if not DIGITS.match(value) or not low <= int(value) <= high:
            self.problems.append(
                {
                    "field": name,
                    "reason": f"must be an integer between {low} and {high}",
                }
            )
            return None
        return int(value)

    def choice(self, name: str, options: Sequence[str]) -> str | None:
        value = self.query.get(name)
        if value is not None and value not in options:
            reason = f"must be one of {', '.join(options)}"
            self.problems.append({"field": name, "reason": reason})
            return None
        return value

    def text(self, name: str) -> str | None:
        value = self.query.get(name)
        if value is not None and not value:
            self.problems.append({"field": name, "reason": "must not be empty"})
            return None
        return value


def list_query(
    query: Mapping[str, str],
    accepts: Collection[str],
    *,
    default_limit: int,
    max_limit: int,
) -> tuple[ListQuery | None, list[Problem]]:
    """The list parameters an endpoint ``accepts``; others are ignored, as usual.

    Known names: ``limit``, ``startingAfter``, ``status``, ``paymentLinkId``,
    ``rating``, ``prioritizeMessage``.
    """
    check = QueryChecker({k: v for k, v in query.items() if k in accepts})
    limit = check.number("limit", 1, max_limit)
    data = ListQuery(
        limit=default_limit if limit is None else limit,
        starting_after=check.text("startingAfter"),
        status=check.choice("status", STATUSES),
        payment_link_id=check.text("paymentLinkId"),
        rating=check.number("rating", 1, 5),
        prioritize_message=check.choice("prioritizeMessage", ("true", "false"))
        == "true",
    )
    if check.problems:
        return None, check.problems
    return data, []
