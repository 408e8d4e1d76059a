"""List cursors are signed and range-checked: a bad one is BAD_USER_INPUT, for free.

Tampering works on the cursor's bytes the way an attacker would: base64url-decode it,
edit the JSON object at its start, then either keep the bytes that follow (the old
tag: the signature must catch it) or, as someone who holds the key would, sign the
edited payload again with HMAC-SHA256 (the range checks must catch it).
"""

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from gateway.config import Secret, Settings
from resolvers import cursor as cursors
from tests.graph.conftest import Gateway, serve_gateway

REVIEWS = """query ($sku: String!, $first: Int, $after: String) {
  product(sku: $sku) {
    reviews(first: $first, after: $after) {
      edges { cursor node { id } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

Edit = Callable[[dict[str, Any]], None]
SECRET = Secret("the-cursor-secret-these-tests-know")
"""The ``cursor_secret`` of the ``signing`` gateway: these tests forge its cursors."""


def tamper(cursor: str, edit: Edit, resign: Secret | None = None) -> str:
    """``cursor`` with its payload edited; signed with ``resign``, else the old tag."""
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    body, end = json.JSONDecoder().raw_decode(raw.decode("latin-1"))
    edit(body)
    edited = json.dumps(body, separators=(",", ":")).encode()
    if resign is None:
        signed = edited + raw[end:]
    else:
        key = resign.reveal().encode()
        signed = edited + hmac.new(key, edited, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(signed).decode().rstrip("=")


def unchanged(body: dict[str, Any]) -> None:
    """No edit: re-signing alone must give a cursor the gateway accepts."""


def every_stream(index: int, value: object) -> Edit:
    def edit(body: dict[str, Any]) -> None:
        for stream in body["s"].values():
            stream[index] = value

    return edit


def rename_stream(body: dict[str, Any]) -> None:
    name = sorted(body["s"])[0]
    body["s"]["shopify"] = body["s"].pop(name)


@pytest.fixture
async def signing(http: aiohttp.ClientSession) -> AsyncIterator[Gateway]:
    """A gateway whose cursors are signed with the known ``SECRET``."""
    async with serve_gateway(http, cursor_secret=SECRET) as running:
        yield running


async def first_cursor(gateway: Gateway, sku: str, first: int = 10) -> str:
    data = await gateway.data(REVIEWS, {"sku": sku, "first": first})
    connection = data["product"]["reviews"]
    assert connection["pageInfo"]["hasNextPage"]
    cursor: str = connection["pageInfo"]["endCursor"]
    return cursor


async def refused(gateway: Gateway, sku: str, after: str) -> dict[str, Any]:
    """Ask for the page after ``after``: it must be refused without upstream calls."""
    gateway.sandbox.log.clear()
    status, body = await gateway.query(
        REVIEWS, {"sku": sku, "first": 100, "after": after}
    )
    assert status == 200, body
    assert gateway.calls() == [], "a refused cursor costs no upstream call"
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "Unexpected" not in error["message"]
    assert "`after`" in error["message"]
    return error


async def test_a_cursor_tampered_to_page_size_one_is_refused_for_free(
    gateway: Gateway,
) -> None:
    """The issue's reproduction: page size 1 in a forged cursor made 103 calls.

    Page size 1 is within range; the old tag, kept, is what refuses it.
    """
    sku = gateway.sandbox.catalog.products[0].sku
    cursor = await first_cursor(gateway, sku)
    error = await refused(gateway, sku, tamper(cursor, every_stream(1, 1)))
    assert "not a cursor this gateway issued" in error["message"]


async def test_a_resigned_but_unedited_cursor_is_accepted(signing: Gateway) -> None:
    """The forgeries below are signed right: only their edits can be refused."""
    sku = signing.sandbox.catalog.products[0].sku
    cursor = await first_cursor(signing, sku)
    forged = tamper(cursor, unchanged, resign=SECRET)
    data = await signing.data(REVIEWS, {"sku": sku, "first": 5, "after": forged})
    assert data["product"]["reviews"]["edges"]


@pytest.mark.parametrize(
    ("edit", "refusal"),
    [
        (every_stream(1, 0), "page size outside"),
        (every_stream(1, 101), "page size outside"),  # over max_page_size
        (every_stream(1, 1000), "page size outside"),
        (every_stream(1, "20"), "malformed page size"),
        (every_stream(2, -1), "count of returned items outside"),
        (every_stream(2, 10**12), "count of returned items outside"),
        (every_stream(3, 7), "end mark outside"),  # neither 0 nor 1
        (rename_stream, "platform this gateway does not know"),
    ],
    ids=[
        "size-0",
        "size-101",
        "size-1000",
        "size-text",
        "consumed-neg",
        "consumed-huge",
        "done-7",
        "unknown-platform",
    ],
)
async def test_out_of_range_cursors_are_bad_user_input(
    signing: Gateway, edit: Edit, refusal: str
) -> None:
    """Signed with the gateway's own key, each edit passes the signature and must
    be refused by its own range check (the message says which)."""
    sku = signing.sandbox.catalog.products[0].sku
    cursor = await first_cursor(signing, sku)
    error = await refused(signing, sku, tamper(cursor, edit, resign=SECRET))
    assert refusal in error["message"]
    stale_tag = await refused(signing, sku, tamper(cursor, edit))
    assert "not a cursor this gateway issued" in stale_tag["message"]


async def test_a_cursor_made_without_the_key_is_refused(gateway: Gateway) -> None:
    sku = gateway.sandbox.catalog.products[0].sku
    cursor = await first_cursor(gateway, sku)
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    body, _ = json.JSONDecoder().raw_decode(raw.decode("latin-1"))
    unsigned = base64.urlsafe_b64encode(json.dumps(body).encode()).decode()
    await refused(gateway, sku, unsigned)
    await refused(gateway, sku, cursor[:-3])  # a truncated tag
    await refused(gateway, sku, "A" * 20_000)  # oversized: not even decoded
    await refused(gateway, sku, "é\ud800" * 8)  # not base64, not even encodable


async def test_signed_cursors_are_still_range_checked(
    http: aiohttp.ClientSession,
) -> None:
    """Should the key leak, or max_page_size shrink, the ranges still hold."""
    secret = Secret("a-test-cursor-secret-of-32-chars!")
    async with serve_gateway(http, cursor_secret=secret) as gateway:
        sku = gateway.sandbox.catalog.products[0].sku
        cursor = await first_cursor(gateway, sku)
        signer = Settings(cursor_secret=secret)
        list_print = _fingerprint_of(cursor)
        for size in (0, 101):
            forged = cursors.encode(
                cursors.Cursor(
                    list_print, {"trustpilot": cursors.StreamPosition(None, size, 0)}
                ),
                signer,
            )
            error = await refused(gateway, sku, forged)
            assert "page size" in error["message"]
        good = cursors.encode(
            cursors.Cursor(
                list_print, {"trustpilot": cursors.StreamPosition(None, 10, 0)}
            ),
            signer,
        )
        status, body = await gateway.query(
            REVIEWS, {"sku": sku, "first": 1, "after": good}
        )
    assert status == 200
    assert "errors" not in body, body["errors"]


def _fingerprint_of(cursor: str) -> str:
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    body, _ = json.JSONDecoder().raw_decode(raw.decode("latin-1"))
    fingerprint: str = body["l"]
    return fingerprint


async def test_a_cursor_of_another_gateway_is_refused(
    http: aiohttp.ClientSession,
) -> None:
    first = Secret("first-gateway-cursor-secret-32chars")
    second = Secret("second-gateway-cursor-secret-32char")
    async with serve_gateway(http, cursor_secret=first) as gateway:
        sku = gateway.sandbox.catalog.products[0].sku
        cursor = await first_cursor(gateway, sku)
    async with serve_gateway(http, cursor_secret=second) as other:
        await refused(other, sku, cursor)
    async with serve_gateway(http, cursor_secret=first) as again:
        data = await again.data(REVIEWS, {"sku": sku, "first": 5, "after": cursor})
    assert data["product"]["reviews"]["edges"], "the same key reads its cursors"


async def test_following_a_one_review_page_does_not_multiply_upstream_calls(
    gateway: Gateway,
) -> None:
    """A genuine cursor of a `first: 1` page, then `first: 100`: the page size that
    the platforms' positions keep must not make each of the 100 a call of its own."""
    sku = gateway.sandbox.catalog.products[0].sku
    cursor = await first_cursor(gateway, sku, first=1)
    gateway.sandbox.log.clear()
    data = await gateway.data(REVIEWS, {"sku": sku, "first": 100, "after": cursor})
    calls = len(gateway.calls())
    platforms = {c.provider for c in gateway.calls()}
    assert len(data["product"]["reviews"]["edges"]) == 100
    # Pages of at least MIN_PAGE_SIZE (20): 100 reviews take at most 100/20 pages
    # in all, plus the page each platform stopped in.
    assert calls <= 100 // 20 + len(platforms), calls
