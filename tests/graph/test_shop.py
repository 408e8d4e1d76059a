"""Trustoo shop administration through the gateway: writes, reads and paging."""

from typing import Any

import aiohttp

from gateway.providers.trustoo import WEBHOOK_TOPICS
from resolvers.merge import page_size
from resolvers.shop import WebhookTopic
from sandbox.control import FaultSettings
from sandbox.trustoo import TrustooStore, build_store
from sandbox.trustoo.context import STATE
from tests.graph.conftest import SERVER_KEY, Gateway, serve_gateway

USER_ERRORS = "userErrors { field message code providerMessage } clientMutationId"
WEBHOOK = "webhook { id topic topicName url createdAt updatedAt }"
CREATE_WEBHOOK = f"""mutation ($input: CreateWebhookInput!) {{
  createWebhook(input: $input) {{ {WEBHOOK} {USER_ERRORS} }} }}"""
UPDATE_WEBHOOK = f"""mutation ($input: UpdateWebhookInput!) {{
  updateWebhook(input: $input) {{ {WEBHOOK} {USER_ERRORS} }} }}"""
DELETE_WEBHOOK = f"""mutation ($input: DeleteWebhookInput!) {{
  deleteWebhook(input: $input) {{ deletedWebhookId {USER_ERRORS} }} }}"""
EXCLUDE = f"""mutation ($input: ExcludeCustomerInput!) {{
  excludeCustomer(input: $input) {{
    exclusion {{ customerId email firstName lastName phone createdAt }}
    {USER_ERRORS} }} }}"""
REMOVE = f"""mutation ($input: RemoveCustomerExclusionInput!) {{
  removeCustomerExclusion(input: $input) {{
    removedCustomerId removedEmail {USER_ERRORS} }} }}"""
UNSUBSCRIBE = f"""mutation ($input: UnsubscribeEmailInput!) {{
  unsubscribeEmail(input: $input) {{
    unsubscription {{ email emailType }} {USER_ERRORS} }} }}"""
UPLOAD = f"""mutation ($input: CreateMediaUploadInput!) {{
  createMediaUpload(input: $input) {{
    upload {{ provider kind fields expiresAt }} {USER_ERRORS} }} }}"""
WEBHOOKS = "{ webhooks { id topic topicName url } }"
EXCLUSIONS = """query ($first: Int!, $after: String) {
  customerExclusions(first: $first, after: $after) {
    edges { cursor node { customerId email firstName } }
    pageInfo { hasNextPage endCursor } totalCount } }"""
ORDERS = """query ($first: Int!, $after: String, $filter: ReviewRequestOrderFilter,
                   $oldest: Boolean! = false) {
  reviewRequestOrders(first: $first, after: $after, filter: $filter,
                      oldestFirst: $oldest) {
    edges { cursor node { id orderNumber customerEmail state createdAt sentAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }"""
EVENTS = """query ($first: Int!, $after: String, $filter: CustomerEventFilter) {
  customerEvents(first: $first, after: $after, filter: $filter) {
    edges { node { id eventType eventSource osType createdAt raw } }
    pageInfo { hasNextPage endCursor } totalCount } }"""
HOOK_URL = "https://hooks.example.com/trustoo"


def _store(gateway: Gateway) -> TrustooStore:
    """The Trustoo simulator's live state (for what no read endpoint shows)."""
    for resource in gateway.sandbox.sandbox.app.router.resources():
        info = resource.get_info()
        if info.get("prefix") == "/trustoo":
            return info["app"][STATE].store
    raise AssertionError("no Trustoo simulator")


def _calls(gateway: Gateway, name: str) -> list[Any]:
    return [c for c in gateway.calls("trustoo") if c.path.endswith("/" + name)]


async def _write(
    gateway: Gateway, mutation: str, payload: str, **fields: Any
) -> dict[str, Any]:
    data = await gateway.data(mutation, {"input": fields}, key=SERVER_KEY)
    return dict(data[payload])


async def _error(
    gateway: Gateway,
    query: str,
    variables: dict[str, Any],
    *,
    key: str | None = SERVER_KEY,
) -> dict[str, Any]:
    """The one error of a request that failed as a whole (HTTP 200, data null)."""
    status, body = await gateway.query(query, variables, key=key)
    assert status == 200, body
    assert body.get("data") is None, body
    [error] = body["errors"]
    return dict(error)


async def _webhooks(gateway: Gateway) -> list[dict[str, Any]]:
    return list((await gateway.data(WEBHOOKS, key=SERVER_KEY))["webhooks"])


async def _walk(
    gateway: Gateway, query: str, field: str, first: int, **variables: Any
) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = await gateway.data(
            query, {"first": first, "after": after, **variables}, key=SERVER_KEY
        )
        page = data[field]
        assert len(page["edges"]) <= first
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(nodes)
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_webhook_writes_show_in_the_next_read(gateway: Gateway) -> None:
    seeded = await _webhooks(gateway)  # the cache now holds the list
    assert [h["topic"] for h in seeded] == ["REVIEW_CREATED"]
    created = await _write(
        gateway, CREATE_WEBHOOK, "createWebhook", topic="REVIEW_DELETED", url=HOOK_URL
    )
    assert created["userErrors"] == []
    hook = created["webhook"]
    assert (hook["topic"], hook["topicName"]) == ("REVIEW_DELETED", "review/deleted")
    assert _store(gateway).webhooks[int(hook["id"])].url == HOOK_URL
    listed = await _webhooks(gateway)
    assert [h["id"] for h in listed] == [seeded[0]["id"], hook["id"]]

    new_url = HOOK_URL + "/v2"
    updated = await _write(
        gateway, UPDATE_WEBHOOK, "updateWebhook", webhookId=hook["id"], url=new_url
    )
    assert updated["webhook"]["url"] == new_url
    assert updated["webhook"]["topic"] == "REVIEW_DELETED"
    assert (await _webhooks(gateway))[1]["url"] == new_url

    # The deprecated `id` still names the webhook, as webhookId does.
    deleted = await _write(gateway, DELETE_WEBHOOK, "deleteWebhook", id=hook["id"])
    assert deleted == {
        "deletedWebhookId": hook["id"],
        "userErrors": [],
        "clientMutationId": None,
    }
    assert await _webhooks(gateway) == seeded
    assert int(hook["id"]) not in _store(gateway).webhooks
    assert len(_calls(gateway, "get_shop_webhooks")) == 4


async def test_platform_refusals_are_user_errors(gateway: Gateway) -> None:
    seeded = (await _webhooks(gateway))[0]
    again = await _write(
        gateway,
        CREATE_WEBHOOK,
        "createWebhook",
        topic=seeded["topic"],
        url=seeded["url"],
    )
    assert again["webhook"] is None
    assert [e["code"] for e in again["userErrors"]] == ["ALREADY_EXISTS"]
    assert again["userErrors"][0]["providerMessage"]
    gone = await _write(gateway, DELETE_WEBHOOK, "deleteWebhook", webhookId="999999")
    assert gone["deletedWebhookId"] is None
    assert [(e["field"], e["code"]) for e in gone["userErrors"]] == [
        (["input", "webhookId"], "NOT_FOUND")
    ]
    excluded = next(iter(_store(gateway).exclusions.values()))
    twice = await _write(gateway, EXCLUDE, "excludeCustomer", email=excluded.email)
    assert [e["code"] for e in twice["userErrors"]] == ["ALREADY_EXISTS"]
    assert len(_calls(gateway, "create_shop_webhook")) == 1
    assert len(_calls(gateway, "create_customer_exclude")) == 1


async def test_a_key_writes_once_and_an_outage_is_not_replayed(
    gateway: Gateway,
) -> None:
    control = gateway.sandbox.sandbox.controls["trustoo"]
    control.apply(FaultSettings(error_rate=1.0, error_status=503))
    fields = {"topic": "REVIEW_UPDATED", "url": HOOK_URL, "clientMutationId": "wh-1"}
    down = await _write(gateway, CREATE_WEBHOOK, "createWebhook", **fields)
    assert [e["code"] for e in down["userErrors"]] == ["PROVIDER_UNAVAILABLE"]
    control.apply(FaultSettings())
    first = await _write(gateway, CREATE_WEBHOOK, "createWebhook", **fields)
    repeat = await _write(gateway, CREATE_WEBHOOK, "createWebhook", **fields)
    assert first["userErrors"] == []
    assert first["clientMutationId"] == "wh-1"
    assert repeat == first
    assert [c.status for c in _calls(gateway, "create_shop_webhook")] == [503, 200]
    reused = await _write(
        gateway, CREATE_WEBHOOK, "createWebhook", **{**fields, "url": HOOK_URL + "/x"}
    )
    assert [e["code"] for e in reused["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert reused["userErrors"][0]["field"] == ["input", "clientMutationId"]
    assert len(_calls(gateway, "create_shop_webhook")) == 2
    unsub = {"email": "a@mail.example", "clientMutationId": "u-1"}
    for _ in range(2):
        done = await _write(gateway, UNSUBSCRIBE, "unsubscribeEmail", **unsub)
        assert done["unsubscription"] == {"email": "a@mail.example", "emailType": "ALL"}
    assert len(_calls(gateway, "email_unsubscribe")) == 1


async def test_exclusions_show_in_the_next_read(gateway: Gateway) -> None:
    before = (await gateway.data(EXCLUSIONS, {"first": 20}, key=SERVER_KEY))[
        "customerExclusions"
    ]
    assert before["totalCount"] == 5
    known = next(
        c
        for c in _store(gateway).customers.values()
        if c.customer_id not in _store(gateway).exclusions
    )
    made = await _write(gateway, EXCLUDE, "excludeCustomer", email=known.email)
    exclusion = made["exclusion"]
    assert exclusion["customerId"] == str(known.customer_id)
    assert exclusion["firstName"] == known.first_name
    after = (await gateway.data(EXCLUSIONS, {"first": 20}, key=SERVER_KEY))[
        "customerExclusions"
    ]
    assert after["totalCount"] == 6
    assert after["edges"][0]["node"]["email"] == known.email  # newest first

    by_email = await _write(
        gateway, REMOVE, "removeCustomerExclusion", email=known.email
    )
    assert by_email["removedEmail"] == known.email
    assert by_email["removedCustomerId"] is None
    seeded_id = before["edges"][-1]["node"]["customerId"]
    by_id = await _write(
        gateway, REMOVE, "removeCustomerExclusion", customerId=seeded_id
    )
    assert (by_id["removedCustomerId"], by_id["userErrors"]) == (seeded_id, [])
    left = await _walk(gateway, EXCLUSIONS, "customerExclusions", 2)
    assert len(left) == 4
    assert seeded_id not in {n["customerId"] for n in left}
    assert int(seeded_id) not in _store(gateway).exclusions
    missing = await _write(
        gateway, REMOVE, "removeCustomerExclusion", customerId=seeded_id
    )
    assert [e["code"] for e in missing["userErrors"]] == ["NOT_FOUND"]


async def test_unsubscribes_and_uploads_reach_the_platform(gateway: Gateway) -> None:
    one = await _write(
        gateway,
        UNSUBSCRIBE,
        "unsubscribeEmail",
        email="Buyer@Mail.example",
        emailType="REVIEW_REQUEST",
    )
    assert one["unsubscription"]["emailType"] == "REVIEW_REQUEST"
    await _write(gateway, UNSUBSCRIBE, "unsubscribeEmail", email="b@mail.example")
    assert _store(gateway).unsubscribes == {
        ("buyer@mail.example", "review_request"),
        ("b@mail.example", "all"),
    }
    image = await _write(gateway, UPLOAD, "createMediaUpload", kind="IMAGE")
    upload = image["upload"]
    assert (upload["provider"], upload["kind"]) == ("TRUSTOO", "IMAGE")
    assert {"access_id", "host", "policy", "signature", "dir"} <= set(upload["fields"])
    assert upload["expiresAt"]
    video = await _write(
        gateway, UPLOAD, "createMediaUpload", kind="VIDEO", fileName="unboxing.mp4"
    )
    assert video["upload"]["fields"]["upload_url"].startswith("https://")
    assert video["upload"]["fields"]["video_url"].endswith("unboxing.mp4")
    assert [c.path.rsplit("/", 1)[1] for c in gateway.calls("trustoo")] == [
        "email_unsubscribe",
        "email_unsubscribe",
        "get_image_upload_policy_token",
        "get_video_upload_url",
    ]


async def test_bad_input_is_refused_before_any_call(gateway: Gateway) -> None:
    cases: list[tuple[str, str, dict[str, Any], list[str] | None, str]] = [
        (CREATE_WEBHOOK, "createWebhook", {"topic": "REVIEW_CREATED", "url": ""},
         ["input", "url"], "REQUIRED"),
        (CREATE_WEBHOOK, "createWebhook",
         {"topic": "REVIEW_CREATED", "url": "http://hooks.example.com"},
         ["input", "url"], "INVALID_URL"),
        (CREATE_WEBHOOK, "createWebhook",
         {"topic": "REVIEW_CREATED", "url": "https:///no-host"},
         ["input", "url"], "INVALID_URL"),
        (CREATE_WEBHOOK, "createWebhook",
         {"topic": "REVIEW_CREATED", "url": "https://a.example/" + "x" * 2048},
         ["input", "url"], "INVALID_LENGTH"),
        (UPDATE_WEBHOOK, "updateWebhook", {"webhookId": "1"}, None,
         "NOTHING_TO_UPDATE"),
        (UPDATE_WEBHOOK, "updateWebhook", {"webhookId": "abc", "url": HOOK_URL},
         ["input", "webhookId"], "INVALID_ID"),
        (UPDATE_WEBHOOK, "updateWebhook", {"id": "abc", "url": HOOK_URL},
         ["input", "id"], "INVALID_ID"),
        (UPDATE_WEBHOOK, "updateWebhook", {"url": HOOK_URL},
         ["input", "webhookId"], "REQUIRED"),
        (UPDATE_WEBHOOK, "updateWebhook",
         {"webhookId": "1", "id": "1", "url": HOOK_URL},
         ["input", "id"], "MUTUALLY_EXCLUSIVE"),
        (UPDATE_WEBHOOK, "updateWebhook",
         {"webhookId": "1", "url": "ftp://x.example"},
         ["input", "url"], "INVALID_URL"),
        (DELETE_WEBHOOK, "deleteWebhook", {"webhookId": "0"},
         ["input", "webhookId"], "INVALID_ID"),
        (DELETE_WEBHOOK, "deleteWebhook", {"webhookId": ""},
         ["input", "webhookId"], "REQUIRED"),
        (DELETE_WEBHOOK, "deleteWebhook", {"id": ""}, ["input", "id"], "REQUIRED"),
        (DELETE_WEBHOOK, "deleteWebhook", {}, ["input", "webhookId"], "REQUIRED"),
        (EXCLUDE, "excludeCustomer", {"email": "nope"}, ["input", "email"],
         "INVALID_EMAIL"),
        (EXCLUDE, "excludeCustomer", {"email": "a@b.c1"}, ["input", "email"],
         "INVALID_EMAIL"),
        (EXCLUDE, "excludeCustomer", {"email": " "}, ["input", "email"], "REQUIRED"),
        (REMOVE, "removeCustomerExclusion", {}, ["input", "customerId"], "REQUIRED"),
        (REMOVE, "removeCustomerExclusion",
         {"customerId": "1", "email": "a@mail.example"},
         ["input", "email"], "MUTUALLY_EXCLUSIVE"),
        (REMOVE, "removeCustomerExclusion", {"customerId": "x1"},
         ["input", "customerId"], "INVALID_ID"),
        (REMOVE, "removeCustomerExclusion", {"email": "x@"}, ["input", "email"],
         "INVALID_EMAIL"),
        (UNSUBSCRIBE, "unsubscribeEmail", {"email": "x"}, ["input", "email"],
         "INVALID_EMAIL"),
        (UPLOAD, "createMediaUpload", {"kind": "IMAGE", "fileName": "a.mp4"},
         ["input", "fileName"], "INVALID"),
        (UPLOAD, "createMediaUpload", {"kind": "VIDEO", "fileName": "a.exe"},
         ["input", "fileName"], "INVALID"),
    ]  # fmt: skip
    for mutation, payload, fields, field, code in cases:
        data = await _write(gateway, mutation, payload, **fields)
        errors = [(e["field"], e["code"]) for e in data["userErrors"]]
        assert errors == [(field, code)], fields
    # An unknown enum value fails GraphQL validation, before any resolver.
    spam = 'mutation { createWebhook(input: {topic: SPAM, url: "https://a.example"})'
    error = await _error(gateway, spam + " { clientMutationId } }", {})
    assert "WebhookTopic" in error["message"]
    queries: list[tuple[str, dict[str, Any]]] = [
        (EXCLUSIONS, {"first": 101}),
        (EXCLUSIONS, {"first": -1}),
        (EXCLUSIONS, {"first": 5, "after": "bm90LWEtY3Vyc29y"}),
        (ORDERS, {"first": 5, "filter": {"createdAfter": "2026-01-01T00:00:00"}}),
        (
            ORDERS,
            {
                "first": 5,
                "filter": {
                    "sentAfter": "2026-02-01T00:00:00Z",
                    "sentBefore": "2026-01-01T00:00:00Z",
                },
            },
        ),
        (EVENTS, {"first": 5, "filter": {"eventType": "view review"}}),
    ]
    for query, variables in queries:
        error = await _error(gateway, query, variables)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", variables
    assert gateway.calls() == []


async def test_a_cursor_of_another_list_is_refused(gateway: Gateway) -> None:
    data = await gateway.data(ORDERS, {"first": 2}, key=SERVER_KEY)
    cursor = data["reviewRequestOrders"]["pageInfo"]["endCursor"]
    for query, variables in [
        (ORDERS, {"first": 2, "after": cursor, "oldest": True}),
        (EXCLUSIONS, {"first": 2, "after": cursor}),
    ]:
        error = await _error(gateway, query, variables)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "another list" in error["message"]


async def test_anonymous_callers_get_forbidden_and_cause_no_call(
    gateway: Gateway,
) -> None:
    operations: list[tuple[str, dict[str, Any]]] = [
        (CREATE_WEBHOOK, {"input": {"topic": "REVIEW_CREATED", "url": HOOK_URL}}),
        (UPDATE_WEBHOOK, {"input": {"webhookId": "1", "url": HOOK_URL}}),
        (DELETE_WEBHOOK, {"input": {"webhookId": "1"}}),
        (EXCLUDE, {"input": {"email": "a@mail.example"}}),
        (REMOVE, {"input": {"email": "a@mail.example"}}),
        (UNSUBSCRIBE, {"input": {"email": "a@mail.example"}}),
        (UPLOAD, {"input": {"kind": "IMAGE"}}),
        (WEBHOOKS, {}),
        (EXCLUSIONS, {"first": 5}),
        (ORDERS, {"first": 5}),
        (EVENTS, {"first": 5}),
    ]
    for operation, variables in operations:
        error = await _error(gateway, operation, variables, key=None)
        assert error["extensions"]["code"] == "FORBIDDEN", operation
    assert gateway.calls() == []


async def test_orders_page_through_every_order_once(gateway: Gateway) -> None:
    store = build_store(gateway.sandbox.catalog, 1)
    newest = sorted(store.orders, key=lambda o: (o.created_at, o.id), reverse=True)
    nodes = await _walk(gateway, ORDERS, "reviewRequestOrders", 7)
    assert [n["id"] for n in nodes] == [o.order_id for o in newest]
    assert nodes[0]["orderNumber"] == newest[0].order_name
    # Pages of 7 are read 20 at a time (the platforms' page-size floor).
    assert len(_calls(gateway, "get_orders")) == -(-len(newest) // page_size(7, 100))

    gateway.sandbox.log.clear()
    sent = [o for o in newest if o.status == 4]
    low = sent[len(sent) // 2].created_at
    high = sent[3].created_at
    wanted = [o.order_id for o in sent if low <= o.created_at < high]
    assert 5 < len(wanted) < len(sent) - 4  # both bounds cut; `before` is exclusive
    window = {
        "state": "OPENED",
        "createdAfter": low.isoformat(),
        "createdBefore": high.isoformat(),
    }
    found = await _walk(gateway, ORDERS, "reviewRequestOrders", 4, filter=window)
    assert [n["id"] for n in found] == wanted
    assert {n["state"] for n in found} == {"OPENED"}
    oldest = await _walk(gateway, ORDERS, "reviewRequestOrders", 50, oldest=True)
    assert [n["id"] for n in oldest] == [o.order_id for o in reversed(newest)]

    # A different `first` after a cursor resumes exactly after it.
    head = (await gateway.data(ORDERS, {"first": 5}, key=SERVER_KEY))[
        "reviewRequestOrders"
    ]
    rest = (
        await gateway.data(
            ORDERS,
            {"first": 12, "after": head["pageInfo"]["endCursor"]},
            key=SERVER_KEY,
        )
    )["reviewRequestOrders"]
    assert rest["pageInfo"]["hasPreviousPage"] is True
    ids = [e["node"]["id"] for e in head["edges"] + rest["edges"]]
    assert ids == [o.order_id for o in newest[:17]]


async def test_events_page_through_every_event_once(gateway: Gateway) -> None:
    store = build_store(gateway.sandbox.catalog, 1)
    newest = sorted(store.events, key=lambda e: (e.created_at, e.id), reverse=True)
    nodes = await _walk(gateway, EVENTS, "customerEvents", 13)
    assert [n["id"] for n in nodes] == [str(e.id) for e in newest]
    assert nodes[0]["raw"]["customer_email"] == newest[0].customer_email
    clicks = [str(e.id) for e in newest if e.event_type == "CLICK_MEDIA"]
    only = {"eventType": "CLICK_MEDIA"}
    found = await _walk(gateway, EVENTS, "customerEvents", 10, filter=only)
    assert [n["id"] for n in found] == clicks
    calls = len(gateway.calls("trustoo"))
    again = await _walk(gateway, EVENTS, "customerEvents", 10, filter=only)
    assert again == found
    assert len(gateway.calls("trustoo")) == calls  # every page came from the cache


async def test_an_unconfigured_trustoo_is_reported(http: aiohttp.ClientSession) -> None:
    async with serve_gateway(http, trustoo=None) as gw:
        data = await gw.data(UPLOAD, {"input": {"kind": "IMAGE"}}, key=SERVER_KEY)
        errors = data["createMediaUpload"]["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(None, "NOT_CONFIGURED")]
        error = await _error(gw, WEBHOOKS, {})
        assert error["extensions"]["provider"] == "TRUSTOO"
        assert "not configured" in error["message"]
        assert gw.calls("trustoo") == []


def test_the_graphs_topics_are_the_clients() -> None:
    assert tuple(t.value for t in WebhookTopic) == WEBHOOK_TOPICS


async def test_a_one_row_page_does_not_make_the_next_pages_cost_more(
    gateway: Gateway,
) -> None:
    one = await gateway.data(ORDERS, {"first": 1}, key=SERVER_KEY)
    after = one["reviewRequestOrders"]["pageInfo"]["endCursor"]
    gateway.sandbox.log.clear()
    rest = await gateway.data(ORDERS, {"first": 100, "after": after}, key=SERVER_KEY)
    assert len(rest["reviewRequestOrders"]["edges"]) == 100
    # The cursor keeps its page size: read 20 at a time, not 1 at a time.
    assert len(_calls(gateway, "get_orders")) <= -(-101 // page_size(1, 100))
