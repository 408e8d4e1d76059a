"""What the index serves: exact totals and summaries, search, access, private parts."""

import base64
import json
from collections import Counter, defaultdict
from fractions import Fraction
from typing import Any

import pytest

from gateway.config import Settings
from resolvers import cursor as cursors
from resolvers.search import fold
from tests.graph.conftest import SERVER_KEY
from tests.index.conftest import SECRET, Indexed
from tests.index.test_orders import walk

pytestmark = pytest.mark.asyncio(loop_scope="session")

STATUSES = ["PUBLISHED", "PENDING", "REJECTED", "ARCHIVED", "HIDDEN"]

LIST = """
query List($sku: String!, $first: Int!, $after: String, $order: ReviewOrder!,
           $filter: ReviewFilter, $search: String) {
  product(sku: $sku) {
    reviews(first: $first, after: $after, orderBy: $order, filter: $filter,
            search: $search) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id } }
    }
  }
}
"""

DETAILS = """
query Details($sku: String!, $filter: ReviewFilter, $after: String) {
  product(sku: $sku) {
    reviews(first: 100, orderBy: OLDEST, filter: $filter, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node {
        id provider rating ratingExact title body status kind
        attributeRatings { id name rating }
      } }
    }
  }
}
"""

SUMMARY = """
query Summary($sku: String!) {
  product(sku: $sku) {
    ratingSummary {
      count average complete missingProviders
      distribution { oneStar twoStars threeStars fourStars fiveStars }
      providers { provider count average
        distribution { oneStar twoStars threeStars fourStars fiveStars } }
    }
    attributeSummaries { id name count average
      distribution { oneStar twoStars threeStars fourStars fiveStars } }
  }
}
"""

BY_ID = """
query ById($id: ID!, $reps: [_Any!]!) {
  review(id: $id) { id status }
  node(id: $id) { id }
  _entities(representations: $reps) { ... on Review { id } }
}
"""


async def details(
    running: Indexed, sku: str, *, key: str | None = None, **filters: Any
) -> list[dict[str, Any]]:
    """Every review of ``sku`` read live (the gateway without an index)."""
    found: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"sku": sku, "filter": filters or None, "after": after}
        data = await running.live.data(DETAILS, variables, key=key)
        connection = data["product"]["reviews"]
        found += [e["node"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return found
        after = connection["pageInfo"]["endCursor"]


def _distribution(ratings: list[int]) -> dict[str, int]:
    counts = Counter(ratings)
    names = ("oneStar", "twoStars", "threeStars", "fourStars", "fiveStars")
    return {name: counts.get(stars, 0) for stars, name in enumerate(names, 1)}


def _average(values: list[float]) -> float | None:
    if not values:
        return None
    return round(float(sum(map(Fraction, values)) / len(values)), 2)


# --- totals and summaries -----------------------------------------------------------


async def test_totals_are_exact_whatever_the_filters(shared: Indexed) -> None:
    sku = shared.gateway.sandbox.catalog.products[2].sku
    filters: list[dict[str, Any]] = [
        {"withMedia": True},
        {"verified": False},
        {"hasReply": True},
        {"hasReply": False, "ratings": [4, 5]},
        {"language": "en", "withMedia": False},
    ]
    for review_filter in filters:
        variables = {"sku": sku, "first": 7, "order": "NEWEST", "filter": review_filter}
        ids, total = await walk(shared.gateway, LIST, variables)
        # Live, NEWEST has no total for such a filter; a sorted order reads it all.
        live, live_total = await walk(
            shared.live, LIST, {**variables, "first": 100, "order": "OLDEST"}
        )
        assert total == len(ids) == live_total, review_filter
        assert set(ids) == set(live), review_filter


async def test_rating_summaries_equal_the_live_reviews_exactly(shared: Indexed) -> None:
    for product in shared.gateway.sandbox.catalog.products[:8]:
        reviews = await details(shared, product.sku)
        data = await shared.gateway.data(SUMMARY, {"sku": product.sku})
        summary = data["product"]["ratingSummary"]
        assert summary["complete"] is True
        assert summary["count"] == len(reviews)
        assert summary["average"] == _average([r["ratingExact"] for r in reviews])
        assert summary["distribution"] == _distribution([r["rating"] for r in reviews])
        by_provider = defaultdict(list)
        for review in reviews:
            by_provider[review["provider"]].append(review)
        for part in summary["providers"]:
            mine = by_provider[part["provider"]]
            assert part["count"] == len(mine), part
            assert part["average"] == _average([r["ratingExact"] for r in mine]), part
            assert part["distribution"] == _distribution([r["rating"] for r in mine])
        attributes: dict[str, list[int]] = defaultdict(list)
        for review in reviews:
            for rating in review["attributeRatings"]:
                attributes[rating["id"]].append(rating["rating"])
        found = {a["id"]: a for a in data["product"]["attributeSummaries"]}
        assert set(found) == set(attributes)
        for attribute_id, ratings in attributes.items():
            assert found[attribute_id]["count"] == len(ratings)
            assert found[attribute_id]["average"] == _average(list(map(float, ratings)))
            assert found[attribute_id]["distribution"] == _distribution(ratings)


async def test_the_shop_summary_equals_the_live_shop_reviews(shared: Indexed) -> None:
    query = """query($after: String) { reviews(first: 100, after: $after,
      orderBy: OLDEST, filter: {kinds: [SHOP]}) {
        pageInfo { hasNextPage endCursor }
        edges { node { provider rating ratingExact } } } }"""
    reviews: list[dict[str, Any]] = []
    after = None
    while True:
        connection = (await shared.live.data(query, {"after": after}))["reviews"]
        reviews += [e["node"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert reviews
    data = await shared.gateway.data(
        "{ shopRatingSummary { count average providers { provider count average } } }"
    )
    summary = data["shopRatingSummary"]
    assert summary["count"] == len(reviews)
    assert summary["average"] == _average([r["ratingExact"] for r in reviews])
    for part in summary["providers"]:
        mine = [r["ratingExact"] for r in reviews if r["provider"] == part["provider"]]
        assert (part["count"], part["average"]) == (len(mine), _average(mine))


# --- search ---------------------------------------------------------------------------


def _words(review: dict[str, Any]) -> set[str]:
    text = fold(f"{review['title'] or ''} {review['body'] or ''}")
    return set("".join(c if c.isalnum() else " " for c in text).split())


async def test_search_finds_every_review_with_the_words(shared: Indexed) -> None:
    sku = shared.gateway.sandbox.catalog.products[0].sku
    reviews = await details(shared, sku)
    counted = Counter(w for r in reviews for w in _words(r) if len(w) > 4)
    word = next(w for w, n in counted.most_common() if 1 < n < len(reviews))
    expected = {r["id"] for r in reviews if word in _words(r)}
    accented = word.upper().replace("E", "É", 1).replace("A", "À", 1)
    for text in (word, accented, f"  {word}!! "):
        for order in ("NEWEST", "HIGHEST_RATED"):
            variables = {"sku": sku, "first": 3, "order": order, "search": text}
            ids, total = await walk(shared.gateway, LIST, variables)
            assert set(ids) == expected, text
            assert total == len(ids) == len(expected)
            live, live_total = await walk(shared.live, LIST, variables)
            assert live == ids
            # Live, a gateway filter has no total in NEWEST (not read whole).
            assert live_total == (None if order == "NEWEST" else total)
    two = sorted(expected)
    other = next(w for w in _words(next(r for r in reviews if r["id"] == two[0])))
    both = {r["id"] for r in reviews if {word, other} <= _words(r)}
    variables = {
        "sku": sku,
        "first": 50,
        "order": "NEWEST",
        "search": f"{word} {other}",
    }
    ids, _ = await walk(shared.gateway, LIST, variables)
    assert set(ids) == both


async def test_hostile_search_text_is_a_clean_answer(shared: Indexed) -> None:
    sku = shared.gateway.sandbox.catalog.products[0].sku
    for text in (
        '"great"*',
        "NEAR(a b)",
        "') OR 1=1 --",
        'a" OR "b',
        "AND OR NOT",
        "title:good",
        "\\x00 ^ $ {}",
        "😀 great",
    ):
        status, body = await shared.gateway.query(
            LIST, {"sku": sku, "first": 5, "order": "NEWEST", "search": text}
        )
        assert status == 200
        assert "errors" not in body, (text, body)
        assert isinstance(body["data"]["product"]["reviews"]["totalCount"], int)
    for text in (
        "",
        '"',
        "*",
        "!!! ?",
        "x" * 201,
        " ".join(f"w{i}" for i in range(17)),
    ):
        status, body = await shared.gateway.query(
            LIST, {"sku": sku, "first": 5, "order": "NEWEST", "search": text}
        )
        assert status == 200
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", text


# --- access and private parts ----------------------------------------------------


async def test_anonymous_callers_never_get_a_stored_unpublished_review(
    shared: Indexed,
) -> None:
    sku = shared.gateway.sandbox.catalog.products[0].sku
    every = await details(shared, sku, key=SERVER_KEY, statuses=STATUSES)
    hidden = [r for r in every if r["status"] != "PUBLISHED"]
    assert {r["provider"] for r in hidden} >= {"TRUSTPILOT", "MAYAR"}
    shared.gateway.sandbox.log.clear()
    for review in hidden:
        variables = {
            "id": review["id"],
            "reps": [{"__typename": "Review", "id": review["id"]}],
        }
        anonymous = await shared.gateway.data(BY_ID, variables)
        assert anonymous == {"review": None, "node": None, "_entities": [None]}
        private = await shared.gateway.data(BY_ID, variables, key=SERVER_KEY)
        assert private["review"] == {"id": review["id"], "status": review["status"]}
        assert private["_entities"] == [{"id": review["id"]}]
    assert shared.gateway.calls() == []
    ids, _ = await walk(
        shared.gateway, LIST, {"sku": sku, "first": 100, "order": "LOWEST_RATED"}
    )
    assert not {r["id"] for r in hidden} & set(ids)
    status, body = await shared.gateway.query(
        LIST,
        {"sku": sku, "first": 5, "order": "NEWEST", "filter": {"statuses": ["HIDDEN"]}},
    )
    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_customer_and_raw_of_stored_reviews_are_live_reads_for_server_keys(
    shared: Indexed,
) -> None:
    sku = shared.gateway.sandbox.catalog.products[0].sku
    query = """query($sku: String!) { product(sku: $sku) { reviews(first: 8) {
      edges { node { provider customer { name email } raw } } } } }"""
    shared.gateway.sandbox.log.clear()
    data = await shared.gateway.data(query, {"sku": sku}, key=SERVER_KEY)
    nodes = [e["node"] for e in data["product"]["reviews"]["edges"]]
    assert nodes
    assert all(isinstance(n["raw"], dict) and n["raw"] for n in nodes)
    assert any(n["customer"] and n["customer"]["email"] for n in nodes)
    assert shared.gateway.calls(), "customer and raw are read from the platforms"
    status, body = await shared.gateway.query(query, {"sku": sku})
    assert status == 200
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert body["data"] is None or all(
        e["node"] is None or e["node"]["customer"] is None
        for e in body["data"]["product"]["reviews"]["edges"]
    )


async def test_a_store_token_the_store_refuses_is_bad_user_input(
    shared: Indexed,
) -> None:
    sku = shared.gateway.sandbox.catalog.products[0].sku
    variables = {"sku": sku, "first": 2, "order": "NEWEST"}
    data = await shared.gateway.data(LIST, variables)
    cursor = data["product"]["reviews"]["pageInfo"]["endCursor"]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    body, _ = json.JSONDecoder().raw_decode(raw.decode("latin-1"))
    assert set(body["s"]) == {"store"}
    for token in ("not-a-token", body["s"]["store"][0][:-2] + "zz"):
        forged = cursors.encode(
            cursors.Cursor(body["l"], {"store": cursors.StreamPosition(token, 20, 0)}),
            Settings(cursor_secret=SECRET),
        )
        status, answer = await shared.gateway.query(
            LIST, {**variables, "after": forged}
        )
        assert status == 200
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_providers_show_their_sync_to_anyone(shared: Indexed) -> None:
    query = """{ providers { provider sync {
      state lastSuccessAt lagSeconds reviews budgetUsed callsUsed lastError } } }"""
    data = await shared.gateway.data(query)
    for entry in data["providers"]:
        sync = entry["sync"]
        assert sync["state"] == "LIVE"
        assert sync["reviews"] > 0
        assert "://" not in sync["lastError"]
        assert "s3cret" not in sync["lastError"]
    live = await shared.live.data(query)
    assert all(entry["sync"] is None for entry in live["providers"])


async def test_how_many_reviews_are_hidden_is_not_public(shared: Indexed) -> None:
    query = "{ providers { provider sync { reviews } } }"
    counted = """query ($p: Provider!, $statuses: [ReviewStatus!]) {
      reviews(first: 1, filter: { providers: [$p], kinds: [PRODUCT, SHOP],
                                  statuses: $statuses }) { totalCount } }"""
    anonymous = await shared.gateway.data(query)
    server = await shared.gateway.data(query, key=SERVER_KEY)
    for mine, theirs in zip(anonymous["providers"], server["providers"], strict=True):
        provider = mine["provider"]
        public = await shared.gateway.data(counted, {"p": provider})
        every = await shared.gateway.data(
            counted, {"p": provider, "statuses": list(STATUSES)}, key=SERVER_KEY
        )
        assert mine["sync"]["reviews"] == public["reviews"]["totalCount"]
        assert theirs["sync"]["reviews"] == every["reviews"]["totalCount"]
        assert mine["sync"]["reviews"] < theirs["sync"]["reviews"], provider
