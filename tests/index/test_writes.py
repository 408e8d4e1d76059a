"""Read-your-writes: a write on an indexed platform shows on the next read.

The index here is filled once at start-up and never synced again: what the next
read shows came through ``ReviewIndex.refresh``, called by the write itself.
"""

from typing import Any

import pytest

from gateway.records import Provider
from tests.graph.conftest import SERVER_KEY, Gateway
from tests.index.conftest import Indexed

pytestmark = pytest.mark.asyncio(loop_scope="module")
ERRORS = "userErrors { field code message }"
CREATE = f"""mutation ($input: CreateReviewInput!) {{
  createReview(input: $input) {{ review {{ id status }} {ERRORS} }} }}"""
UPDATE = f"""mutation ($input: UpdateReviewInput!) {{
  updateReview(input: $input) {{ review {{ id rating body }} {ERRORS} }} }}"""
DELETE = f"""mutation ($input: DeleteReviewInput!) {{
  deleteReview(input: $input) {{ deletedReviewId {ERRORS} }} }}"""
SET_STATUS = f"""mutation ($input: SetReviewStatusInput!) {{
  setReviewStatus(input: $input) {{ reviewIds {ERRORS} }} }}"""
REPLY = f"""mutation ($input: ReplyToReviewInput!) {{
  replyToReview(input: $input) {{ review {{ id reply {{ body }} }} {ERRORS} }} }}"""
PRODUCT = """query ($sku: String!, $providers: [Provider!]) {
  product(sku: $sku) {
    reviews(first: 100, filter: {providers: $providers}) {
      totalCount edges { node { id rating body reply { body } } }
    }
    ratingSummary(providers: $providers) { count }
  } }"""
REVIEW = "query ($id: ID!) { review(id: $id) { id status rating body reply { body } } }"


async def _write(gateway: Gateway, query: str, **input_: Any) -> dict[str, Any]:
    data = await gateway.data(query, {"input": input_}, key=SERVER_KEY)
    payload: dict[str, Any] = next(iter(data.values()))
    assert payload["userErrors"] == [], payload
    return payload


async def _product(gateway: Gateway, provider: str) -> tuple[dict[str, Any], int, int]:
    sku = gateway.sandbox.catalog.products[0].sku
    data = await gateway.data(PRODUCT, {"sku": sku, "providers": [provider]})
    reviews = data["product"]["reviews"]
    by_id = {e["node"]["id"]: e["node"] for e in reviews["edges"]}
    return by_id, reviews["totalCount"], data["product"]["ratingSummary"]["count"]


def _no_list_reads(gateway: Gateway) -> None:
    """Only the writes and their write-through reads went upstream: no list page."""
    lists = [c for c in gateway.calls() if c.method == "GET" and "review" in c.path]
    listing = [c for c in lists if "page" in c.query or "after" in c.query]
    assert listing == [], listing


async def test_created_edited_and_deleted_reviews_show_on_the_next_read(
    indexed: Indexed,
) -> None:
    gateway = indexed.gateway
    sku = gateway.sandbox.catalog.products[0].sku
    before, total, count = await _product(gateway, "TRUSTOO")
    created = await _write(
        gateway,
        CREATE,
        provider="TRUSTOO",
        sku=sku,
        rating=5,
        authorName="Ana W.",
        body="Warm and comfortable.",
    )
    new_id = created["review"]["id"]
    after, total_after, count_after = await _product(gateway, "TRUSTOO")
    assert set(after) == set(before) | {new_id}
    assert (total_after, count_after) == (total + 1, count + 1)
    assert indexed.index.refreshed[-1][0].value == "trustoo"

    await _write(gateway, DELETE, reviewId=new_id)
    again, total_again, _ = await _product(gateway, "TRUSTOO")
    assert set(again) == set(before)
    assert total_again == total
    assert (await gateway.data(REVIEW, {"id": new_id}))["review"] is None

    mayar, _, _ = await _product(gateway, "MAYAR")
    target = next(iter(mayar))
    rating = 1 if mayar[target]["rating"] != 1 else 2
    await _write(
        gateway, UPDATE, reviewId=target, rating=rating, body="Edited after a month."
    )
    read = (await gateway.data(REVIEW, {"id": target}))["review"]
    assert (read["rating"], read["body"]) == (rating, "Edited after a month.")

    await _write(
        gateway, SET_STATUS, reviews=[{"reviewId": target, "status": "HIDDEN"}]
    )
    assert (await gateway.data(REVIEW, {"id": target}))["review"] is None
    hidden = await gateway.data(REVIEW, {"id": target}, key=SERVER_KEY)
    assert hidden["review"]["status"] == "HIDDEN"
    assert target not in (await _product(gateway, "MAYAR"))[0]
    _no_list_reads(gateway)


async def test_replies_show_on_the_next_read(indexed: Indexed) -> None:
    gateway = indexed.gateway
    for provider in ("ETRUSTED", "TRUSTPILOT"):
        reviews, _, _ = await _product(gateway, provider)
        target = next(i for i, r in reviews.items() if r["reply"] is None)
        text = f"Thank you, from the shop ({provider})."
        payload = await _write(gateway, REPLY, reviewId=target, body=text)
        assert payload["review"]["reply"] == {"body": text}
        gateway.sandbox.log.clear()
        read = (await gateway.data(REVIEW, {"id": target}))["review"]
        assert read["reply"] == {"body": text}
        listed, _, _ = await _product(gateway, provider)
        assert listed[target]["reply"] == {"body": text}
        assert gateway.calls() == []


async def test_a_failed_refresh_leaves_the_write_standing(indexed: Indexed) -> None:
    gateway = indexed.gateway
    sku = gateway.sandbox.catalog.products[0].sku
    indexed.index.failing = True
    try:
        created = await _write(
            gateway,
            CREATE,
            provider="TRUSTOO",
            sku=sku,
            rating=4,
            authorName="Bo K.",
            body="Fine.",
        )
    finally:
        indexed.index.failing = False
    assert created["review"]["status"] == "PUBLISHED"
    assert indexed.index.refreshed[-1][0].value == "trustoo"
    # The store did not hear of it: the sync's reconciliation will.
    assert created["review"]["id"] not in (await _product(gateway, "TRUSTOO"))[0]


THREAD = """query ($id: ID!) { review(id: $id) { id reply { body }
  conversation { id state comments { id body author { type } } } } }"""
STATE = f"""mutation ($input: SetConversationStateInput!) {{
  setConversationState(input: $input) {{ {ERRORS} }} }}"""
EDIT = f"""mutation ($input: UpdateCommentInput!) {{
  updateComment(input: $input) {{ {ERRORS} }} }}"""


async def test_thread_writes_show_in_the_stored_reply(indexed: Indexed) -> None:
    gateway = indexed.gateway
    reviews, _, _ = await _product(gateway, "TRUSTPILOT")
    target = next(i for i, r in reviews.items() if r["reply"] is not None)
    thread = (await gateway.data(THREAD, {"id": target}, key=SERVER_KEY))["review"]
    conversation = thread["conversation"]
    answer = next(
        c for c in conversation["comments"] if c["author"]["type"] == "BUSINESS"
    )

    await _write(
        gateway,
        EDIT,
        conversationId=conversation["id"],
        commentId=answer["id"],
        body="Edited answer.",
    )
    read = (await gateway.data(REVIEW, {"id": target}))["review"]
    assert read["reply"] == {"body": "Edited answer."}

    await _write(gateway, STATE, conversationId=conversation["id"], state="PRIVATE")
    gateway.sandbox.log.clear()
    assert (await gateway.data(REVIEW, {"id": target}))["review"]["reply"] is None
    listed, _, _ = await _product(gateway, "TRUSTPILOT")
    assert listed[target]["reply"] is None
    assert gateway.calls() == []

    await _write(gateway, STATE, conversationId=conversation["id"], state="PUBLIC")
    read = (await gateway.data(REVIEW, {"id": target}))["review"]
    assert read["reply"] == {"body": "Edited answer."}


async def test_a_write_during_the_backfill_is_written_through(indexed: Indexed) -> None:
    gateway = indexed.gateway
    sku = gateway.sandbox.catalog.products[0].sku
    refreshes = len(indexed.index.refreshed)
    indexed.index.served.discard(Provider.TRUSTOO)  # backfilling: read live
    try:
        created = await _write(
            gateway,
            CREATE,
            provider="TRUSTOO",
            sku=sku,
            rating=3,
            authorName="Cy D.",
            body="Arrived late.",
        )
    finally:
        indexed.index.served.add(Provider.TRUSTOO)
    assert len(indexed.index.refreshed) == refreshes + 1
    assert indexed.index.refreshed[-1][0] is Provider.TRUSTOO
    gateway.sandbox.log.clear()
    assert created["review"]["id"] in (await _product(gateway, "TRUSTOO"))[0]
    assert gateway.calls() == []
