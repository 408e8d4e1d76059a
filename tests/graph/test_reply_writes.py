"""Replies and threads: replyToReview, updateComment, setConversationState and
createInvitationLink, end to end through the gateway and the sandbox."""

from typing import Any

import aiohttp
from aiohttp import web

from gateway.records import Provider, ReviewKey
from resolvers.ids import conversation_id, decode_review, review_id
from sandbox.etrusted.model import EtrustedStore
from sandbox.etrusted.routes import STATE_KEY
from sandbox.trustpilot.state import CONTEXT
from sandbox.trustpilot.store import Conversation, TrustpilotStore
from tests.graph.conftest import SERVER_KEY, Gateway, serve_gateway

REPLY = """
mutation ($input: ReplyToReviewInput!) {
  replyToReview(input: $input) {
    review {
      id
      reply { body }
      conversation { id state comments { id body author { type } } }
    }
    userErrors { field message code providerMessage }
    clientMutationId
  }
}
"""
UPDATE = """
mutation ($input: UpdateCommentInput!) {
  updateComment(input: $input) {
    comment { id body author { type } }
    conversation { id state comments { id body } }
    userErrors { field message code providerMessage }
    clientMutationId
  }
}
"""
SET_STATE = """
mutation ($input: SetConversationStateInput!) {
  setConversationState(input: $input) {
    conversation { id state }
    userErrors { field message code providerMessage }
    clientMutationId
  }
}
"""
INVITE = """
mutation ($input: CreateInvitationLinkInput!) {
  createInvitationLink(input: $input) {
    link { id url }
    userErrors { field message code providerMessage }
    clientMutationId
  }
}
"""
REVIEW = """
query ($id: ID!) {
  review(id: $id) {
    reply { body }
    conversation { id state comments { id body author { type } } }
  }
}
"""
CONVERSATION = """
query ($id: ID!) { conversation(id: $id) { state comments { id body } } }
"""
REVIEWS = """
query ($sku: String!, $providers: [Provider!]) {
  product(sku: $sku) {
    reviews(first: 5, filter: {providers: $providers}) { edges { node { id } } }
  }
}
"""


# --- the simulators' own state --------------------------------------------------------


def _sub_app(gateway: Gateway, prefix: str) -> web.Application:
    for resource in gateway.sandbox.sandbox.app.router.resources():
        info = resource.get_info()
        if info.get("prefix") == prefix:
            return info["app"]
    raise LookupError(prefix)


def _trustpilot(gateway: Gateway) -> TrustpilotStore:
    return _sub_app(gateway, "/trustpilot")[CONTEXT].store


def _etrusted(gateway: Gateway) -> EtrustedStore:
    return _sub_app(gateway, "/etrusted")[STATE_KEY].store


def _writes(gateway: Gateway, provider: str) -> list[tuple[str, str]]:
    """The platform's write calls (no token grants), as (method, path)."""
    return [
        (c.method, c.path)
        for c in gateway.calls(provider)
        if c.method != "GET" and "oauth" not in c.path
    ]


def _thread(gateway: Gateway, *authors: str) -> Conversation:
    """A public seeded conversation whose comments are by ``authors``, in order."""
    store = _trustpilot(gateway)
    return next(
        c
        for c in store.conversations.values()
        if c.state == "public"
        and tuple(x.author_type for x in c.comments) == authors
        and store.reviews[c.review_id].state == "published"
    )


def _tp_review(review: str) -> str:
    return review_id(Provider.TRUSTPILOT, ReviewKey(review))


def _tp_thread(conversation: str) -> str:
    return conversation_id(Provider.TRUSTPILOT, conversation)


def _et_review(gateway: Gateway, state: str, *, replied: bool) -> str:
    found = next(
        r
        for r in _etrusted(gateway).reviews
        if r.state == state
        and r.type == "PRODUCT_REVIEW"
        and (r.reply is not None) == replied
    )
    return review_id(Provider.ETRUSTED, ReviewKey(found.id))


async def _graph_review_id(gateway: Gateway, provider: str) -> str:
    sku = gateway.sandbox.catalog.products[0].sku
    data = await gateway.data(REVIEWS, {"sku": sku, "providers": [provider]})
    return str(data["product"]["reviews"]["edges"][0]["node"]["id"])


def _codes(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


# --- replyToReview --------------------------------------------------------------------


async def test_a_trustpilot_reply_creates_the_thread_once_per_key(
    gateway: Gateway,
) -> None:
    store = _trustpilot(gateway)
    stored = next(
        r
        for r in store.reviews.values()
        if r.state == "published" and r.conversation_id is None
    )
    gid = _tp_review(stored.id)
    before = await gateway.data(REVIEW, {"id": gid})  # cached from now on
    assert before["review"] == {"reply": None, "conversation": None}
    text = "Thank you, we are glad the socks fit."
    variables = {"input": {"reviewId": gid, "body": text, "clientMutationId": "r-1"}}
    first = await gateway.data(REPLY, variables, key=SERVER_KEY)
    again = await gateway.data(REPLY, variables, key=SERVER_KEY)
    payload = first["replyToReview"]
    assert payload["userErrors"] == []
    assert payload["clientMutationId"] == "r-1"
    assert payload["review"]["reply"] == {"body": text}
    thread = payload["review"]["conversation"]
    assert thread["state"] == "PUBLIC"
    assert [(c["body"], c["author"]["type"]) for c in thread["comments"]] == [
        (text, "BUSINESS")
    ]
    assert again == first
    writes = _writes(gateway, "trustpilot")
    assert [m for m, _ in writes] == ["POST", "POST"]
    assert writes[0][1].endswith(f"/{stored.id}/create-conversation")
    assert writes[1][1].endswith(f"/{stored.conversation_id}/comments")
    after = await gateway.data(REVIEW, {"id": gid})
    assert after["review"]["reply"] == {"body": text}
    assert after["review"]["conversation"]["id"] == _tp_thread(
        str(stored.conversation_id)
    )
    reused = await gateway.data(
        REPLY,
        {"input": {"reviewId": gid, "body": "other", "clientMutationId": "r-1"}},
        key=SERVER_KEY,
    )
    assert _codes(reused["replyToReview"]) == [
        (["input", "clientMutationId"], "IDEMPOTENCY_KEY_REUSED")
    ]
    assert len(_writes(gateway, "trustpilot")) == 2


async def test_a_second_trustpilot_reply_edits_the_first_answer(
    gateway: Gateway,
) -> None:
    conversation = _thread(gateway, "businessUser", "consumer", "businessUser")
    first_answer, _, follow_up = conversation.comments
    gid = _tp_review(conversation.review_id)
    assert (await gateway.data(REVIEW, {"id": gid}))["review"]["reply"] == {
        "body": first_answer.content
    }
    data = await gateway.data(
        REPLY, {"input": {"reviewId": gid, "body": "Updated answer."}}, key=SERVER_KEY
    )
    assert data["replyToReview"]["userErrors"] == []
    assert _writes(gateway, "trustpilot") == [
        (
            "PUT",
            f"/v1/private/conversations/{conversation.id}/comments/{first_answer.id}",
        )
    ]
    after = (await gateway.data(REVIEW, {"id": gid}))["review"]
    assert after["reply"] == {"body": "Updated answer."}
    bodies = [c["body"] for c in after["conversation"]["comments"]]
    assert bodies[0] == "Updated answer."
    assert bodies[2] == follow_up.content
    assert len(bodies) == 3


async def test_an_etrusted_reply_shows_in_the_next_read(gateway: Gateway) -> None:
    gid = _et_review(gateway, "APPROVED", replied=True)
    old = (await gateway.data(REVIEW, {"id": gid}))["review"]["reply"]
    assert old is not None
    variables = {
        "input": {
            "reviewId": gid,
            "body": "Thanks for the kind words!",
            "notifyCustomer": True,
            "clientMutationId": "e-1",
        }
    }
    first = await gateway.data(REPLY, variables, key=SERVER_KEY)
    again = await gateway.data(REPLY, variables, key=SERVER_KEY)
    assert first["replyToReview"]["userErrors"] == []
    assert first["replyToReview"]["review"]["reply"] == {
        "body": "Thanks for the kind words!"
    }
    assert again == first
    assert [m for m, _ in _writes(gateway, "etrusted")] == ["POST"]
    after = await gateway.data(REVIEW, {"id": gid})
    assert after["review"]["reply"] == {"body": "Thanks for the kind words!"}
    assert after["review"]["conversation"] is None
    stored = _etrusted(gateway).review(decode_review(gid).key.id).reply
    assert stored is not None
    assert (stored.comment, stored.send_notification) == (
        "Thanks for the kind words!",
        True,
    )


async def test_the_platforms_refusal_of_a_reply_is_a_user_error(
    gateway: Gateway,
) -> None:
    rejected = _et_review(gateway, "REJECTED", replied=False)
    data = await gateway.data(
        REPLY, {"input": {"reviewId": rejected, "body": "Hello"}}, key=SERVER_KEY
    )
    payload = data["replyToReview"]
    assert payload["review"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["PROVIDER_BAD_REQUEST"]
    assert len(_writes(gateway, "etrusted")) == 1


# --- updateComment --------------------------------------------------------------------


async def test_a_business_comment_is_edited_once_per_key(gateway: Gateway) -> None:
    conversation = _thread(gateway, "businessUser", "consumer", "businessUser")
    follow_up = conversation.comments[2]
    gid = _tp_thread(conversation.id)
    await gateway.data(CONVERSATION, {"id": gid})  # cached from now on
    variables = {
        "input": {
            "conversationId": gid,
            "commentId": follow_up.id,
            "body": "Edited follow-up.",
            "clientMutationId": "c-1",
        }
    }
    first = await gateway.data(UPDATE, variables, key=SERVER_KEY)
    again = await gateway.data(UPDATE, variables, key=SERVER_KEY)
    payload = first["updateComment"]
    assert payload["userErrors"] == []
    assert payload["comment"] == {
        "id": follow_up.id,
        "body": "Edited follow-up.",
        "author": {"type": "BUSINESS"},
    }
    assert payload["conversation"]["comments"][2]["body"] == "Edited follow-up."
    assert again == first
    assert [m for m, _ in _writes(gateway, "trustpilot")] == ["PUT"]
    assert follow_up.content == "Edited follow-up."
    after = await gateway.data(CONVERSATION, {"id": gid})
    assert after["conversation"]["comments"][2]["body"] == "Edited follow-up."
    variables["input"]["body"] = "Another text."
    reused = await gateway.data(UPDATE, variables, key=SERVER_KEY)
    assert _codes(reused["updateComment"]) == [
        (["input", "clientMutationId"], "IDEMPOTENCY_KEY_REUSED")
    ]
    assert len(_writes(gateway, "trustpilot")) == 1


async def test_comments_the_business_cannot_edit_are_refused_without_trying(
    gateway: Gateway,
) -> None:
    conversation = _thread(gateway, "businessUser", "consumer")
    consumer = conversation.comments[1]
    gid = _tp_thread(conversation.id)
    cases = [
        (gid, consumer.id, (["input", "commentId"], "NOT_EDITABLE")),
        (gid, "0" * 24, (["input", "commentId"], "NOT_FOUND")),
        (
            _tp_thread("0" * 24),
            consumer.id,
            (["input", "conversationId"], "NOT_FOUND"),
        ),
    ]
    for thread, comment, expected in cases:
        data = await gateway.data(
            UPDATE,
            {"input": {"conversationId": thread, "commentId": comment, "body": "x"}},
            key=SERVER_KEY,
        )
        assert _codes(data["updateComment"]) == [expected]
        assert data["updateComment"]["comment"] is None
    assert _writes(gateway, "trustpilot") == []
    assert consumer.content != "x"


# --- setConversationState -------------------------------------------------------------


async def test_a_private_thread_is_hidden_from_anonymous_reads(
    gateway: Gateway,
) -> None:
    conversation = _thread(gateway, "businessUser")
    gid, review = _tp_thread(conversation.id), _tp_review(conversation.review_id)
    public = (await gateway.data(REVIEW, {"id": review}))["review"]
    assert public["conversation"]["state"] == "PUBLIC"
    assert public["reply"] is not None
    variables = {
        "input": {"conversationId": gid, "state": "PRIVATE", "clientMutationId": "s-1"}
    }
    first = await gateway.data(SET_STATE, variables, key=SERVER_KEY)
    again = await gateway.data(SET_STATE, variables, key=SERVER_KEY)
    assert first["setConversationState"] == {
        "conversation": {"id": gid, "state": "PRIVATE"},
        "userErrors": [],
        "clientMutationId": "s-1",
    }
    assert again == first
    assert conversation.state == "private"
    assert [m for m, _ in _writes(gateway, "trustpilot")] == ["POST"]
    anonymous = (await gateway.data(REVIEW, {"id": review}))["review"]
    assert anonymous == {"reply": None, "conversation": None}
    assert (await gateway.data(CONVERSATION, {"id": gid}))["conversation"] is None
    server = await gateway.data(CONVERSATION, {"id": gid}, key=SERVER_KEY)
    assert server["conversation"]["state"] == "PRIVATE"
    variables["input"] |= {"state": "PUBLIC", "clientMutationId": "s-2"}
    await gateway.data(SET_STATE, variables, key=SERVER_KEY)
    shown = await gateway.data(CONVERSATION, {"id": gid})
    assert shown["conversation"]["state"] == "PUBLIC"


async def test_an_unknown_conversation_is_a_user_error(gateway: Gateway) -> None:
    data = await gateway.data(
        SET_STATE,
        {"input": {"conversationId": _tp_thread("0" * 24), "state": "PRIVATE"}},
        key=SERVER_KEY,
    )
    assert data["setConversationState"]["conversation"] is None
    assert _codes(data["setConversationState"]) == [
        (["input", "conversationId"], "NOT_FOUND")
    ]


# --- createInvitationLink -------------------------------------------------------------


def _invitation(**extra: Any) -> dict[str, Any]:
    return {
        "customerEmail": "jane@example.com",
        "customerName": "Jane Roe",
        "referenceId": "ORDER-1",
        **extra,
    }


async def test_an_invitation_link_is_created_once_per_key(gateway: Gateway) -> None:
    sku = gateway.sandbox.catalog.products[0].sku
    variables = {"input": _invitation(skus=[sku], clientMutationId="i-1")}
    first = await gateway.data(INVITE, variables, key=SERVER_KEY)
    again = await gateway.data(INVITE, variables, key=SERVER_KEY)
    payload = first["createInvitationLink"]
    assert payload["userErrors"] == []
    assert payload["link"]["url"].endswith(payload["link"]["id"])
    assert again == first
    store = _trustpilot(gateway)
    (link,) = store.invitation_links
    assert (link.id, link.email, link.name, link.reference_id) == (
        payload["link"]["id"],
        "jane@example.com",
        "Jane Roe",
        "ORDER-1",
    )
    assert (link.locale, link.skus, link.redirect_uri) == ("en-US", (sku,), None)
    by_id = await gateway.data(
        INVITE,
        {
            "input": _invitation(
                productIds=[store.product_ids[sku]],
                locale="da-DK",
                redirectUri="https://sandbox-shop.example/thanks",
            )
        },
        key=SERVER_KEY,
    )
    assert by_id["createInvitationLink"]["userErrors"] == []
    assert store.invitation_links[1].skus == (sku,)
    assert store.invitation_links[1].locale == "da-DK"
    reused = await gateway.data(
        INVITE,
        {"input": _invitation(skus=[sku], clientMutationId="i-1", referenceId="x")},
        key=SERVER_KEY,
    )
    assert _codes(reused["createInvitationLink"]) == [
        (["input", "clientMutationId"], "IDEMPOTENCY_KEY_REUSED")
    ]
    assert len(_writes(gateway, "trustpilot")) == 2


async def test_an_unknown_trustpilot_product_is_the_platforms_refusal(
    gateway: Gateway,
) -> None:
    data = await gateway.data(
        INVITE, {"input": _invitation(productIds=["0" * 24])}, key=SERVER_KEY
    )
    payload = data["createInvitationLink"]
    assert payload["link"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["PROVIDER_BAD_REQUEST"]
    assert _trustpilot(gateway).invitation_links == []


# --- checks before any call, and access -----------------------------------------------


async def test_bad_input_is_refused_before_any_call(gateway: Gateway) -> None:
    trustoo = await _graph_review_id(gateway, "TRUSTOO")
    mayar = await _graph_review_id(gateway, "MAYAR")
    conversation = _thread(gateway, "businessUser")
    tp_review, thread = _tp_review(conversation.review_id), _tp_thread(conversation.id)
    et_review = _et_review(gateway, "APPROVED", replied=False)
    sku = gateway.sandbox.catalog.products[0].sku
    gateway.sandbox.log.clear()

    def reply(**extra: Any) -> dict[str, Any]:
        return {"reviewId": tp_review, "body": "Thanks!", **extra}

    def update(**extra: Any) -> dict[str, Any]:
        return {"conversationId": thread, "commentId": "c1", "body": "x", **extra}

    cases: list[tuple[str, str, dict[str, Any], list[str], str]] = [
        (REPLY, "replyToReview", reply(body=""), ["body"], "REQUIRED"),
        (REPLY, "replyToReview", reply(body="  "), ["body"], "REQUIRED"),
        (REPLY, "replyToReview", reply(body="x" * 4001), ["body"], "INVALID_LENGTH"),
        (REPLY, "replyToReview", reply(reviewId="nope"), ["reviewId"], "INVALID_ID"),
        # An id of another type names no review: NOT_FOUND, still without a call.
        (REPLY, "replyToReview", reply(reviewId=thread), ["reviewId"], "NOT_FOUND"),
        (
            REPLY,
            "replyToReview",
            reply(reviewId=trustoo),
            ["reviewId"],
            "UNSUPPORTED_BY_PROVIDER",
        ),
        (
            REPLY,
            "replyToReview",
            reply(reviewId=mayar),
            ["reviewId"],
            "UNSUPPORTED_BY_PROVIDER",
        ),
        (
            REPLY,
            "replyToReview",
            reply(notifyCustomer=False),
            ["notifyCustomer"],
            "UNSUPPORTED_BY_PROVIDER",
        ),
        (
            REPLY,
            "replyToReview",
            reply(reviewId=et_review, body="y" * 4001),
            ["body"],
            "INVALID_LENGTH",
        ),
        (UPDATE, "updateComment", update(body=""), ["body"], "REQUIRED"),
        (UPDATE, "updateComment", update(body="z" * 4001), ["body"], "INVALID_LENGTH"),
        (UPDATE, "updateComment", update(commentId=" "), ["commentId"], "REQUIRED"),
        (
            UPDATE,
            "updateComment",
            update(conversationId=tp_review),
            ["conversationId"],
            "NOT_FOUND",
        ),
        (
            UPDATE,
            "updateComment",
            update(conversationId=conversation_id(Provider.ETRUSTED, "x")),
            ["conversationId"],
            "UNSUPPORTED_BY_PROVIDER",
        ),
        (
            SET_STATE,
            "setConversationState",
            {"conversationId": "nope", "state": "PRIVATE"},
            ["conversationId"],
            "INVALID_ID",
        ),
        *(
            (INVITE, "createInvitationLink", given, field, code)
            for given, field, code in [
                (
                    _invitation(skus=[sku], customerEmail=""),
                    ["customerEmail"],
                    "REQUIRED",
                ),
                (
                    _invitation(skus=[sku], customerEmail="jane.example.com"),
                    ["customerEmail"],
                    "INVALID_EMAIL",
                ),
                (
                    _invitation(skus=[sku], customerName=" "),
                    ["customerName"],
                    "REQUIRED",
                ),
                (_invitation(skus=[sku], referenceId=""), ["referenceId"], "REQUIRED"),
                (
                    _invitation(skus=[sku], locale="english"),
                    ["locale"],
                    "INVALID_LOCALE",
                ),
                (
                    _invitation(skus=[sku], redirectUri="ftp://sandbox-shop.example"),
                    ["redirectUri"],
                    "INVALID_URL",
                ),
                (_invitation(), ["skus"], "REQUIRED"),
                (_invitation(skus=[], productIds=[]), ["skus"], "REQUIRED"),
                (
                    _invitation(skus=[sku], productIds=["p1"]),
                    ["productIds"],
                    "MUTUALLY_EXCLUSIVE",
                ),
                (_invitation(skus=[sku, "NO-SUCH"]), ["skus", "1"], "UNKNOWN_SKU"),
                (_invitation(productIds=["p1", ""]), ["productIds", "1"], "REQUIRED"),
            ]
        ),
    ]
    for query, name, given, field, code in cases:
        data = await gateway.data(query, {"input": given}, key=SERVER_KEY)
        assert _codes(data[name]) == [(["input", *field], code)], given
    assert gateway.calls() == []


async def test_the_trustoo_refusal_says_replies_come_with_the_review(
    gateway: Gateway,
) -> None:
    trustoo = await _graph_review_id(gateway, "TRUSTOO")
    data = await gateway.data(
        REPLY, {"input": {"reviewId": trustoo, "body": "Hi"}}, key=SERVER_KEY
    )
    (error,) = data["replyToReview"]["userErrors"]
    assert "created" in error["message"]


async def test_anonymous_callers_never_write(gateway: Gateway) -> None:
    conversation = _thread(gateway, "businessUser")
    thread = _tp_thread(conversation.id)
    sku = gateway.sandbox.catalog.products[0].sku
    cases = [
        (REPLY, {"reviewId": _tp_review(conversation.review_id), "body": "Hi"}),
        (
            UPDATE,
            {
                "conversationId": thread,
                "commentId": conversation.comments[0].id,
                "body": "Hi",
            },
        ),
        (SET_STATE, {"conversationId": thread, "state": "PRIVATE"}),
        (INVITE, _invitation(skus=[sku])),
    ]
    for query, given in cases:
        status, body = await gateway.query(query, {"input": given})
        assert status == 200
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert gateway.calls() == []


async def test_an_unconfigured_platform_is_a_user_error(
    http: aiohttp.ClientSession,
) -> None:
    async with serve_gateway(http, trustpilot=None) as gw:
        conversation = _thread(gw, "businessUser")
        sku = gw.sandbox.catalog.products[0].sku
        cases = [
            (
                REPLY,
                "replyToReview",
                {"reviewId": _tp_review(conversation.review_id), "body": "Hi"},
                ["input", "reviewId"],
            ),
            (
                SET_STATE,
                "setConversationState",
                {"conversationId": _tp_thread(conversation.id), "state": "PUBLIC"},
                ["input", "conversationId"],
            ),
            (INVITE, "createInvitationLink", _invitation(skus=[sku]), None),
        ]
        for query, name, given, field in cases:
            data = await gw.data(query, {"input": given}, key=SERVER_KEY)
            assert _codes(data[name]) == [(field, "NOT_CONFIGURED")]
        assert gw.calls("trustpilot") == []
