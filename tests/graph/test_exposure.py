"""What anonymous callers must never see (issue 9, items 1, 2, 3 and 21).

Every path that returns a review applies the lists' status rule; ``hasReply`` counts
only the replies the caller may read; Mayar ids carry no customer identifier and its
public name is first name and initial; a report can be read back by a server key.
"""

import base64
import json
from typing import Any

import aiohttp

from gateway.config import ApiKey
from gateway.records import Provider
from resolvers.access import digest
from tests.graph.conftest import SERVER_KEY, Gateway, serve_gateway

UNPUBLISHED = ["HIDDEN", "PENDING", "ARCHIVED", "REJECTED"]
LIST = """
query ($filter: ReviewFilter) {
  reviews(first: 100, filter: $filter) {
    edges { node { id provider providerReviewId status } }
  }
}"""
BY_ID = """
query ($id: ID!, $reps: [_Any!]!) {
  review(id: $id) { id status }
  node(id: $id) { id ... on Review { status } }
  _entities(representations: $reps) { ... on Review { id status } }
}"""
PRODUCT_REVIEWS = """
query ($sku: String!, $filter: ReviewFilter) {
  product(sku: $sku) {
    reviews(first: 100, filter: $filter) {
      edges { node { id providerReviewId author { displayName } } }
    }
  }
}"""


def _nodes(data: dict[str, Any], *path: str) -> list[dict[str, Any]]:
    for name in path:
        data = data[name]
    return [e["node"] for e in data["edges"]]


def _id_text(global_id: str) -> str:
    """What an opaque id carries, as anyone can read it."""
    return base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()


def _public_form(full_name: str) -> str:
    """First name and the initial of the last: how platforms show a reviewer."""
    parts = full_name.split()
    return parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0]}."


# --- item 1: one status rule on every path ----------------------------------------


async def _unpublished(gateway: Gateway) -> list[dict[str, Any]]:
    """Up to three reviews of each (platform, status) that is not PUBLISHED."""
    data = await gateway.data(
        LIST, {"filter": {"statuses": UNPUBLISHED}}, key=SERVER_KEY
    )
    picked: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for node in _nodes(data, "reviews"):
        picked.setdefault((node["provider"], node["status"]), []).append(node)
    return [n for group in picked.values() for n in group[:3]]


async def _by_id(gateway: Gateway, global_id: str, key: str | None) -> dict[str, Any]:
    reps = [{"__typename": "Review", "id": global_id}]
    return await gateway.data(BY_ID, {"id": global_id, "reps": reps}, key=key)


async def test_anonymous_callers_read_no_unpublished_review_by_id(
    gateway: Gateway,
) -> None:
    hidden = await _unpublished(gateway)
    assert {n["status"] for n in hidden} == set(UNPUBLISHED)
    assert {n["provider"] for n in hidden} == {p.name for p in Provider}
    for node in hidden:
        anonymous = await _by_id(gateway, node["id"], None)
        assert anonymous == {"review": None, "node": None, "_entities": [None]}, node
        server = await _by_id(gateway, node["id"], SERVER_KEY)
        assert server["review"] == {"id": node["id"], "status": node["status"]}
        assert server["node"] == server["review"]
        assert server["_entities"] == [server["review"]]


def _neighbour(global_id: str, step: int) -> str:
    """The id ``step`` away: decode the opaque id, add to its integer, encode again."""
    parts = json.loads(_id_text(global_id))
    parts[2] = str(int(parts[2]) + step)
    raw = json.dumps(parts, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_sequential_trustoo_ids_do_not_enumerate_hidden_reviews(
    gateway: Gateway,
) -> None:
    """Trustoo numbers its reviews in sequence: an attacker who reads one published
    review can try the integers around it. The unpublished ones must stay null."""
    published = _nodes(
        await gateway.data(LIST, {"filter": {"providers": ["TRUSTOO"]}}), "reviews"
    )
    found: list[tuple[str, str]] = []
    for node in published[:20]:
        assert node["status"] == "PUBLISHED"
        # The attacker's encoding is the graph's: step 0 reads the review itself.
        assert (await _by_id(gateway, _neighbour(node["id"], 0), None))["review"]
        for step in (1, -1, 2, -2, 3, -3):
            guessed = _neighbour(node["id"], step)
            review = (await _by_id(gateway, guessed, SERVER_KEY))["review"]
            if review is not None and review["status"] != "PUBLISHED":
                found.append((guessed, review["status"]))
        if len(found) >= 3:
            break
    assert found, "no unpublished Trustoo review next to a published one"
    for guessed, status in found:
        anonymous = await _by_id(gateway, guessed, None)
        assert anonymous == {"review": None, "node": None, "_entities": [None]}, (
            guessed,
            status,
        )


async def test_a_conversation_does_not_lead_to_its_unpublished_review(
    gateway: Gateway,
) -> None:
    pending = _nodes(
        await gateway.data(
            LIST,
            {"filter": {"providers": ["TRUSTPILOT"], "statuses": ["PENDING"]}},
            key=SERVER_KEY,
        ),
        "reviews",
    )[0]
    replied = await gateway.data(
        """mutation ($input: ReplyToReviewInput!) {
             replyToReview(input: $input) {
               review { id conversation { id } } userErrors { code } } }""",
        {"input": {"reviewId": pending["id"], "body": "Thank you, we are on it."}},
        key=SERVER_KEY,
    )
    payload = replied["replyToReview"]
    assert payload["userErrors"] == []
    thread = payload["review"]["conversation"]["id"]
    query = "query ($id: ID!) { conversation(id: $id) { state review { id } } }"
    anonymous = await gateway.data(query, {"id": thread})
    assert anonymous["conversation"] == {"state": "PUBLIC", "review": None}
    server = await gateway.data(query, {"id": thread}, key=SERVER_KEY)
    assert server["conversation"]["review"] == {"id": pending["id"]}


WRITER = "writer-without-read-private"
HIDE = """
mutation ($input: SetReviewStatusInput!) {
  setReviewStatus(input: $input) { reviewIds reviews { id status } userErrors { code } }
}"""


async def test_a_write_answers_no_review_its_caller_may_not_read(
    http: aiohttp.ClientSession,
) -> None:
    keys = (ApiKey("writer", digest(WRITER), ("write",)),)
    async with serve_gateway(http, api_keys=keys) as gateway:
        listed = await gateway.data(
            LIST, {"filter": {"providers": ["MAYAR"]}}, key=SERVER_KEY
        )
        target = _nodes(listed, "reviews")[0]["id"]
        changes = [{"reviewId": target, "status": "HIDDEN"}]
        data = await gateway.data(HIDE, {"input": {"reviews": changes}}, key=WRITER)
        hidden = data["setReviewStatus"]
        assert hidden["userErrors"] == []
        assert hidden["reviewIds"] == [target]
        # Changed, but without read:private a HIDDEN review does not exist.
        assert hidden["reviews"] == []
        shown = [{"reviewId": target, "status": "PUBLISHED"}]
        data = await gateway.data(HIDE, {"input": {"reviews": shown}}, key=WRITER)
        assert data["setReviewStatus"]["reviews"] == [
            {"id": target, "status": "PUBLISHED"}
        ]


# --- item 2: hasReply sees only the replies the caller may read --------------------

THREADS = """
query ($sku: String!, $filter: ReviewFilter) {
  product(sku: $sku) {
    reviews(first: 100, filter: $filter) {
      edges { node { id reply { body }
        conversation { id state comments { author { type } } } } }
    }
  }
}"""
TRUSTPILOT_ONLY = {"providers": ["TRUSTPILOT"]}


def _conversation_reads(gateway: Gateway) -> int:
    calls = gateway.calls("trustpilot")
    return sum(1 for c in calls if c.method == "GET" and "/conversations/" in c.path)


async def _make_a_thread_private(gateway: Gateway) -> str:
    """Set a public thread with a business answer PRIVATE; its product's SKU."""
    for product in gateway.sandbox.catalog.products:
        data = await gateway.data(
            THREADS, {"sku": product.sku, "filter": TRUSTPILOT_ONLY}, key=SERVER_KEY
        )
        for node in _nodes(data, "product", "reviews"):
            thread = node["conversation"]
            if thread and thread["state"] == "PUBLIC" and node["reply"]:
                changed = await gateway.data(
                    """mutation ($input: SetConversationStateInput!) {
                         setConversationState(input: $input) {
                           userErrors { code } } }""",
                    {"input": {"conversationId": thread["id"], "state": "PRIVATE"}},
                    key=SERVER_KEY,
                )
                assert changed["setConversationState"]["userErrors"] == []
                return product.sku
    raise AssertionError("no seeded Trustpilot review has a public reply")


async def test_has_reply_counts_only_public_replies_for_anonymous_callers(
    gateway: Gateway,
) -> None:
    sku = await _make_a_thread_private(gateway)
    before = _conversation_reads(gateway)

    async def anonymous(has_reply: bool) -> set[str]:
        filter_ = {**TRUSTPILOT_ONLY, "hasReply": has_reply}
        data = await gateway.data(PRODUCT_REVIEWS, {"sku": sku, "filter": filter_})
        return {n["id"] for n in _nodes(data, "product", "reviews")}

    replied, unreplied = await anonymous(True), await anonymous(False)
    cold = _conversation_reads(gateway) - before
    assert await anonymous(True) == replied
    assert _conversation_reads(gateway) - before == cold, "thread states are cached"

    truth = await gateway.data(
        THREADS, {"sku": sku, "filter": TRUSTPILOT_ONLY}, key=SERVER_KEY
    )
    nodes = _nodes(truth, "product", "reviews")
    threads = [n for n in nodes if n["conversation"]]
    public = {
        n["id"]
        for n in threads
        if n["conversation"]["state"] == "PUBLIC"
        and any(
            c["author"]["type"] == "BUSINESS" for c in n["conversation"]["comments"]
        )
    }
    private = {n["id"] for n in threads if n["conversation"]["state"] == "PRIVATE"}
    assert private, "the thread made private above"
    assert replied == public
    assert unreplied == {n["id"] for n in nodes} - public
    # At most one read per thread of the product, however the filter is asked.
    assert cold <= len(threads)
    # A server key sees private threads, and filters on them.
    server = await gateway.data(
        PRODUCT_REVIEWS,
        {"sku": sku, "filter": {**TRUSTPILOT_ONLY, "hasReply": True}},
        key=SERVER_KEY,
    )
    assert private <= {n["id"] for n in _nodes(server, "product", "reviews")}


async def test_only_read_private_sees_private_threads(
    http: aiohttp.ClientSession,
) -> None:
    keys = (ApiKey("writer", digest(WRITER), ("write",)),)
    async with serve_gateway(http, api_keys=keys) as gateway:
        sku = await _make_a_thread_private(gateway)
        filter_ = {**TRUSTPILOT_ONLY, "hasReply": True}
        variables = {"sku": sku, "filter": filter_}
        private = await gateway.data(PRODUCT_REVIEWS, variables, key=SERVER_KEY)
        public = await gateway.data(PRODUCT_REVIEWS, variables)
        writer = await gateway.data(PRODUCT_REVIEWS, variables, key=WRITER)
        seen = {n["id"] for n in _nodes(writer, "product", "reviews")}
        assert seen == {n["id"] for n in _nodes(public, "product", "reviews")}
        assert seen < {n["id"] for n in _nodes(private, "product", "reviews")}


async def test_has_reply_asks_no_platform_without_replies(gateway: Gateway) -> None:
    sku = _mayar_sku(gateway)
    await gateway.data(PRODUCT_REVIEWS, {"sku": sku, "filter": {"hasReply": True}})
    # Mayar reviews have no replies: there is nothing to read there.
    assert gateway.calls("mayar") == []
    await gateway.data(PRODUCT_REVIEWS, {"sku": sku, "filter": {"hasReply": False}})
    assert gateway.calls("mayar") != []


# --- item 3: Mayar ids and names -------------------------------------------------

MAYAR_REVIEWS = """
query ($sku: String!, $filter: ReviewFilter) {
  product(sku: $sku) {
    reviews(first: 100, filter: $filter) {
      edges { node { id providerReviewId status author { displayName }
        customer { name } raw } }
    }
  }
}"""
ONE = """query ($id: ID!) { review(id: $id) { id providerReviewId status
  author { displayName } } }"""


def _mayar_sku(gateway: Gateway) -> str:
    return gateway.sandbox.catalog.on("mayar")[0].sku


async def _mayar_reviews(
    gateway: Gateway, statuses: list[str] | None = None
) -> list[dict[str, Any]]:
    filter_: dict[str, Any] = {"providers": ["MAYAR"]}
    if statuses:
        filter_["statuses"] = statuses
    data = await gateway.data(
        MAYAR_REVIEWS, {"sku": _mayar_sku(gateway), "filter": filter_}, key=SERVER_KEY
    )
    return _nodes(data, "product", "reviews")


async def test_mayar_ids_and_names_carry_no_customer(gateway: Gateway) -> None:
    server = await _mayar_reviews(gateway)
    anonymous = {
        n["providerReviewId"]: n
        for n in _nodes(
            await gateway.data(
                PRODUCT_REVIEWS,
                {"sku": _mayar_sku(gateway), "filter": {"providers": ["MAYAR"]}},
            ),
            "product",
            "reviews",
        )
    }
    assert server
    assert set(anonymous) == {n["providerReviewId"] for n in server}
    for node in server:
        customer_id = node["raw"]["customerId"]
        assert customer_id not in _id_text(node["id"])
        # One id per review, whoever asks (Relay identity).
        public = anonymous[node["providerReviewId"]]
        assert public["id"] == node["id"]
        full_name = node["customer"]["name"]
        assert len(full_name.split()) > 1
        assert public["author"]["displayName"] == _public_form(full_name)
        assert node["author"]["displayName"] == _public_form(full_name)


async def test_a_mayar_review_by_id_costs_one_call(gateway: Gateway) -> None:
    listed = await _mayar_reviews(gateway, ["PUBLISHED", "HIDDEN", "ARCHIVED"])
    published = next(n for n in listed if n["status"] == "PUBLISHED")
    hidden = next(n for n in listed if n["status"] != "PUBLISHED")
    gateway.sandbox.log.clear()
    found = (await gateway.data(ONE, {"id": published["id"]}))["review"]
    assert found == {
        "id": published["id"],
        "providerReviewId": published["providerReviewId"],
        "status": "PUBLISHED",
        "author": {"displayName": _public_form(published["customer"]["name"])},
    }
    assert len(gateway.calls("mayar")) == 1
    assert (await gateway.data(ONE, {"id": published["id"]}))["review"] == found
    assert len(gateway.calls("mayar")) == 1, "a second read is cached"
    assert (await gateway.data(ONE, {"id": hidden["id"]}))["review"] is None
    server = await gateway.data(ONE, {"id": hidden["id"]}, key=SERVER_KEY)
    assert server["review"]["status"] == hidden["status"]
    assert len(gateway.calls("mayar")) <= 2


async def test_mayar_writes_find_the_review_by_its_new_id(gateway: Gateway) -> None:
    target = next(
        n for n in await _mayar_reviews(gateway) if n["status"] == "PUBLISHED"
    )
    gateway.sandbox.log.clear()
    updated = await gateway.data(
        """mutation ($input: UpdateReviewInput!) { updateReview(input: $input) {
             review { id rating } userErrors { code } } }""",
        {"input": {"id": target["id"], "rating": 2}},
        key=SERVER_KEY,
    )
    assert updated["updateReview"] == {
        "review": {"id": target["id"], "rating": 2},
        "userErrors": [],
    }
    assert [(c.method, c.path.rsplit("/", 1)[-1]) for c in gateway.calls("mayar")] == [
        ("POST", "update")
    ]
    gateway.sandbox.log.clear()
    hidden = await gateway.data(
        """mutation ($input: SetReviewStatusInput!) { setReviewStatus(input: $input) {
             reviewIds reviews { id status } userErrors { code } } }""",
        {"input": {"reviews": [{"reviewId": target["id"], "status": "HIDDEN"}]}},
        key=SERVER_KEY,
    )
    assert hidden["setReviewStatus"] == {
        "reviewIds": [target["id"]],
        "reviews": [{"id": target["id"], "status": "HIDDEN"}],
        "userErrors": [],
    }
    # The bulk write, then one read of the product's list to read it back.
    assert [c.method for c in gateway.calls("mayar")] == ["POST", "GET"]
    gateway.sandbox.log.clear()
    deleted = await gateway.data(
        """mutation ($input: DeleteReviewInput!) { deleteReview(input: $input) {
             deletedReviewId userErrors { code } } }""",
        {"input": {"id": target["id"]}},
        key=SERVER_KEY,
    )
    assert deleted["deleteReview"] == {
        "deletedReviewId": target["id"],
        "userErrors": [],
    }
    assert [c.method for c in gateway.calls("mayar")] == ["POST"]
    archived = await gateway.data(ONE, {"id": target["id"]}, key=SERVER_KEY)
    assert archived["review"]["status"] == "ARCHIVED"


# --- item 21: a report can be read back -------------------------------------------

REPORTS = """query ($id: ID!) { review(id: $id) {
  reports { id ticketId reason createdAt } } }"""


def _veto_reads(gateway: Gateway) -> int:
    calls = gateway.calls("etrusted")
    return sum(1 for c in calls if c.method == "GET" and c.path.endswith("/vetos"))


async def test_a_report_is_read_back_by_server_keys(gateway: Gateway) -> None:
    sku = gateway.sandbox.catalog.products[0].sku
    data = await gateway.data(
        PRODUCT_REVIEWS, {"sku": sku, "filter": {"providers": ["ETRUSTED"]}}
    )
    etrusted = _nodes(data, "product", "reviews")[0]["id"]
    status, body = await gateway.query(REPORTS, {"id": etrusted})
    assert status == 200
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert body["data"]["review"] == {"reports": None}
    before = await gateway.data(REPORTS, {"id": etrusted}, key=SERVER_KEY)
    assert before["review"]["reports"] == []
    filed = await gateway.data(
        """mutation ($input: ReportReviewInput!) { reportReview(input: $input) {
             report { id ticketId reason createdAt } userErrors { code } } }""",
        {
            "input": {
                "reviewId": etrusted,
                "reason": "UNTRUTHFUL",
                "comment": "The customer never ordered this.",
                "reporterEmail": "moderation@sandbox-shop.example",
            }
        },
        key=SERVER_KEY,
    )
    report = filed["reportReview"]["report"]
    assert filed["reportReview"]["userErrors"] == []
    assert report["reason"] == "UNTRUTHFUL"
    after = await gateway.data(REPORTS, {"id": etrusted}, key=SERVER_KEY)
    assert after["review"]["reports"] == [report]


async def test_reports_are_batched_cached_and_empty_elsewhere(
    gateway: Gateway,
) -> None:
    query = """query ($sku: String!) { product(sku: $sku) {
      reviews(first: 8) { edges { node { provider reports { id } } } } } }"""
    sku = gateway.sandbox.catalog.products[0].sku
    data = await gateway.data(query, {"sku": sku}, key=SERVER_KEY)
    nodes = _nodes(data, "product", "reviews")
    etrusted = [n for n in nodes if n["provider"] == "ETRUSTED"]
    assert etrusted
    assert len(etrusted) < len(nodes)
    assert all(n["reports"] == [] for n in nodes if n["provider"] != "ETRUSTED")
    assert _veto_reads(gateway) == len(etrusted)
    again = await gateway.data(query, {"sku": sku}, key=SERVER_KEY)
    assert again == data
    assert _veto_reads(gateway) == len(etrusted), "reports are cached"
    # Anonymously the field is refused, and only the field: the list stays.
    status, body = await gateway.query(query, {"sku": sku})
    assert status == 200
    anonymous = _nodes(body["data"], "product", "reviews")
    assert [n["provider"] for n in anonymous] == [n["provider"] for n in nodes]
    assert all(n["reports"] is None for n in anonymous)
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
