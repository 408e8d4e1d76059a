"""One story for every mutation's refusals (issue 9, item 18), over real HTTP.

Every mutation is driven through the running gateway with inputs it must refuse;
the mutation documents are built from the schema itself, so a new mutation or input
field is covered (or this file fails) without editing the tables by hand.
"""

from dataclasses import replace
from typing import Any

import aiohttp
from graphql import (
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    build_schema,
)

from gateway.config import Settings
from gateway.records import Provider, ReviewKey
from resolvers.ids import conversation_id, product_id, review_id
from schema import schema
from tests.graph.conftest import SERVER_KEY, Gateway, serve_gateway

SDL = build_schema(str(schema), assume_valid_sdl=True)
MUTATIONS = SDL.mutation_type
assert isinstance(MUTATIONS, GraphQLObjectType)

REVIEWS = """
query ($providers: [Provider!]) {
  reviews(first: 50, filter: {providers: $providers}) {
    edges { node { id conversation { id comments { id author { type } } } } }
  }
}"""
HOOK_URL = "https://hooks.example.com/trustoo"
Refusals = list[tuple[list[str] | None, str]]


def _input_type(mutation: str) -> GraphQLInputObjectType:
    argument = MUTATIONS.fields[mutation].args["input"].type
    assert isinstance(argument, GraphQLNonNull)
    assert isinstance(argument.of_type, GraphQLInputObjectType)
    return argument.of_type


def _document(mutation: str) -> str:
    name = _input_type(mutation).name
    return (
        f"mutation ($input: {name}!) {{ {mutation}(input: $input) "
        "{ userErrors { field code message } } }"
    )


async def _refusals(gateway: Gateway, mutation: str, given: dict[str, Any]) -> Refusals:
    data = await gateway.data(_document(mutation), {"input": given}, key=SERVER_KEY)
    return [(e["field"], e["code"]) for e in data[mutation]["userErrors"]]


def _names_an_input_field(mutation: str, path: list[str]) -> bool:
    """Whether ``path`` (``["input", ...]``) leads through the mutation's input type."""
    if path[:1] != ["input"]:
        return False
    current: GraphQLInputType = _input_type(mutation)
    for segment in path[1:]:
        while isinstance(current, GraphQLNonNull):
            current = current.of_type
        if isinstance(current, GraphQLList):
            if not segment.isdigit():
                return False
            current = current.of_type
        elif isinstance(current, GraphQLInputObjectType):
            if segment not in current.fields:
                return False
            current = current.fields[segment].type
        else:
            return False
    return True


# --- what the sandbox holds ------------------------------------------------------


async def _ids(gateway: Gateway) -> dict[str, str]:
    """A published review id per platform, and a Trustpilot thread and comments."""
    found: dict[str, str] = {}
    for provider in ("TRUSTPILOT", "ETRUSTED", "TRUSTOO", "MAYAR"):
        data = await gateway.data(REVIEWS, {"providers": [provider]})
        edges = data["reviews"]["edges"]
        found[provider] = edges[0]["node"]["id"]
        for edge in edges:
            thread = edge["node"]["conversation"]
            if provider == "TRUSTPILOT" and thread and "thread" not in found:
                authors = {c["author"]["type"]: c["id"] for c in thread["comments"]}
                if "BUSINESS" in authors:
                    found["thread"] = thread["id"]
                    found["business"] = authors["BUSINESS"]
    gateway.sandbox.log.clear()
    return found


FAKE_TRUSTPILOT = review_id(Provider.TRUSTPILOT, ReviewKey("0" * 24))
FAKE_ETRUSTED = review_id(
    Provider.ETRUSTED, ReviewKey("rev-00000000-0000-4000-8000-000000000000")
)
FAKE_TRUSTOO = review_id(Provider.TRUSTOO, ReviewKey("987654321"))
FAKE_MAYAR = review_id(
    Provider.MAYAR, ReviewKey("00000000-0000-4000-8000-0000000000aa")
)
FAKE_THREAD = conversation_id(Provider.TRUSTPILOT, "0" * 24)
A_PRODUCT = product_id("NO-SUCH-SKU")
BUYER = "ana.wijaya@buyer.sandbox.example"


def _sku(gateway: Gateway) -> str:
    return gateway.sandbox.catalog.products[0].sku


# --- a. one not-found story ------------------------------------------------------


async def test_a_missing_object_is_not_found_at_the_field_that_names_it(
    gateway: Gateway,
) -> None:
    ids = await _ids(gateway)
    thread, other_type = ids["thread"], ids["thread"]
    cases: list[tuple[str, dict[str, Any], list[str]]] = [
        # A review id that decodes but names no review, on each platform's path.
        ("updateReview", {"reviewId": FAKE_MAYAR, "rating": 2}, ["reviewId"]),
        (
            "updateReview",
            {"reviewId": FAKE_MAYAR, "rating": 2, "authorEmail": BUYER},
            ["reviewId"],
        ),
        ("deleteReview", {"reviewId": FAKE_TRUSTOO}, ["reviewId"]),
        ("deleteReview", {"reviewId": FAKE_MAYAR}, ["reviewId"]),
        (
            "setReviewStatus",
            {
                "reviews": [
                    {"reviewId": ids["MAYAR"], "status": "HIDDEN"},
                    {"reviewId": FAKE_MAYAR, "status": "HIDDEN"},
                ]
            },
            ["reviews", "1", "reviewId"],
        ),
        ("replyToReview", {"reviewId": FAKE_TRUSTPILOT, "body": "Hi"}, ["reviewId"]),
        ("replyToReview", {"reviewId": FAKE_ETRUSTED, "body": "Hi"}, ["reviewId"]),
        (
            "reportReview",
            {
                "reviewId": FAKE_ETRUSTED,
                "reason": "ABUSIVE",
                "comment": "Insults our staff.",
                "reporterEmail": "moderation@sandbox-shop.example",
            },
            ["reviewId"],
        ),
        # A thread or a comment that does not exist.
        (
            "updateComment",
            {"conversationId": FAKE_THREAD, "commentId": "c1", "body": "x"},
            ["conversationId"],
        ),
        (
            "updateComment",
            {"conversationId": thread, "commentId": "0" * 24, "body": "x"},
            ["commentId"],
        ),
        (
            "setConversationState",
            {"conversationId": FAKE_THREAD, "state": "PRIVATE"},
            ["conversationId"],
        ),
        # A platform's 404 on the shop's own objects.
        ("updateWebhook", {"webhookId": "999999", "url": HOOK_URL}, ["webhookId"]),
        ("deleteWebhook", {"webhookId": "999999"}, ["webhookId"]),
        ("deleteWebhook", {"id": "999999"}, ["id"]),
        ("removeCustomerExclusion", {"customerId": "999999"}, ["customerId"]),
    ]
    for mutation, given, field in cases:
        refused = await _refusals(gateway, mutation, given)
        assert refused == [(["input", *field], "NOT_FOUND")], (mutation, given)
    # An id of another type names no review (or thread): refused before any call.
    gateway.sandbox.log.clear()
    reply = {"body": "Hi"}
    other: list[tuple[str, dict[str, Any], list[str]]] = [
        ("updateReview", {"reviewId": other_type, "rating": 2}, ["reviewId"]),
        ("deleteReview", {"reviewId": A_PRODUCT}, ["reviewId"]),
        (
            "setReviewStatus",
            {"reviews": [{"reviewId": A_PRODUCT, "status": "HIDDEN"}]},
            ["reviews", "0", "reviewId"],
        ),
        ("replyToReview", {"reviewId": other_type, **reply}, ["reviewId"]),
        (
            "updateComment",
            {"conversationId": ids["TRUSTPILOT"], "commentId": "c1", "body": "x"},
            ["conversationId"],
        ),
        (
            "setConversationState",
            {"conversationId": A_PRODUCT, "state": "PUBLIC"},
            ["conversationId"],
        ),
    ]
    for mutation, given, field in other:
        refused = await _refusals(gateway, mutation, given)
        assert refused == [(["input", *field], "NOT_FOUND")], (mutation, given)
    assert gateway.calls() == []


async def test_a_product_the_platform_does_not_know_is_not_found_at_sku(
    http: aiohttp.ClientSession,
) -> None:
    def unknown_ids(settings: Settings) -> Settings:
        """The first SKU points at a Trustoo product and a Mayar link that are gone."""
        first, *rest = settings.catalog
        gone = replace(
            first,
            trustoo_product_id=987_654_321,
            mayar_payment_link_id="00000000-0000-4000-8000-0000000000bb",
        )
        return replace(settings, catalog=(gone, *rest))

    async with serve_gateway(http, adjust=unknown_ids) as gateway:
        sku = _sku(gateway)
        for given in (
            {"provider": "TRUSTOO", "sku": sku, "rating": 4, "authorName": "Ana"},
            {"provider": "MAYAR", "sku": sku, "rating": 4, "authorEmail": BUYER},
        ):
            refused = await _refusals(gateway, "createReview", given)
            assert refused == [(["input", "sku"], "NOT_FOUND")], given
        assert {c.provider for c in gateway.calls()} == {"trustoo", "mayar"}


# --- b. every field names an input field -----------------------------------------


def _refusal_cases(gateway: Gateway, ids: dict[str, str]) -> dict[str, list[Any]]:
    """Per mutation, inputs it must refuse: bad platform, missing, invalid, absent."""
    sku = _sku(gateway)
    trustoo = {"provider": "TRUSTOO", "sku": sku, "rating": 4, "authorName": "Ana"}
    mayar = {"provider": "MAYAR", "sku": sku, "rating": 4, "authorEmail": BUYER}
    report = {
        "reason": "ABUSIVE",
        "comment": "Insults our staff.",
        "reporterEmail": "moderation@sandbox-shop.example",
    }
    invite = {
        "customerEmail": "jane@example.com",
        "customerName": "Jane",
        "referenceId": "O-1",
    }
    etrusted_thread = conversation_id(Provider.ETRUSTED, "x")
    return {
        "createReview": [
            {**trustoo, "provider": "TRUSTPILOT"},
            {**trustoo, "rating": 0},
            {**trustoo, "sku": "NO-SUCH-SKU"},
            {**trustoo, "media": [{"type": "IMAGE", "url": "ftp://x/a.jpg"}]},
            {**mayar, "title": "Nice"},
            {**mayar, "authorEmail": None},
        ],
        "updateReview": [
            {"reviewId": ids["TRUSTOO"], "rating": 2},
            {"reviewId": FAKE_MAYAR, "rating": 2},
            {"reviewId": "nope", "rating": 2},
            {"reviewId": ids["MAYAR"]},
            {"reviewId": ids["MAYAR"], "rating": 9},
            {"rating": 2},
            {"id": ids["TRUSTOO"], "rating": 2},
        ],
        "deleteReview": [
            {"reviewId": ids["ETRUSTED"]},
            {"reviewId": FAKE_TRUSTOO},
            {"reviewId": "nope"},
            {},
            {"id": ids["ETRUSTED"]},
        ],
        "setReviewStatus": [
            {"reviews": []},
            {"reviews": [{"reviewId": ids["TRUSTOO"], "status": "HIDDEN"}]},
            {"reviews": [{"reviewId": ids["MAYAR"], "status": "PENDING"}]},
            {"reviews": [{"reviewId": FAKE_MAYAR, "status": "HIDDEN"}]},
        ],
        "reportReview": [
            {"reviewId": ids["TRUSTOO"], **report},
            {"reviewId": FAKE_ETRUSTED, **report},
            {"reviewId": "nope", **report},
            {"reviewId": ids["ETRUSTED"], **report, "comment": " "},
            {"reviewId": ids["ETRUSTED"], **report, "reporterEmail": "nope"},
        ],
        "replyToReview": [
            {"reviewId": ids["TRUSTOO"], "body": "Hi"},
            {"reviewId": ids["MAYAR"], "body": "Hi"},
            {"reviewId": FAKE_TRUSTPILOT, "body": "Hi"},
            {"reviewId": ids["TRUSTPILOT"], "body": "Hi", "notifyCustomer": True},
            {"reviewId": ids["ETRUSTED"], "body": " "},
        ],
        "updateComment": [
            {"conversationId": etrusted_thread, "commentId": "c1", "body": "x"},
            {"conversationId": FAKE_THREAD, "commentId": "c1", "body": "x"},
            {"conversationId": ids["thread"], "commentId": "0" * 24, "body": "x"},
            {"conversationId": ids["thread"], "commentId": " ", "body": " "},
        ],
        "setConversationState": [
            {"conversationId": etrusted_thread, "state": "PRIVATE"},
            {"conversationId": "nope", "state": "PRIVATE"},
            {"conversationId": FAKE_THREAD, "state": "PRIVATE"},
        ],
        "createInvitationLink": [
            {**invite, "skus": [sku], "productIds": ["p1"]},
            {**invite, "skus": [sku, "NO-SUCH-SKU"]},
            {**invite, "skus": [sku], "customerEmail": "jane", "locale": "english"},
            invite,
        ],
        "createWebhook": [
            {"topic": "REVIEW_CREATED", "url": "http://hooks.example.com"},
            {"topic": "REVIEW_CREATED", "url": " "},
        ],
        "updateWebhook": [
            {"webhookId": "abc", "url": HOOK_URL},
            {"webhookId": "1"},
            {"webhookId": "999999", "url": HOOK_URL},
            {"url": HOOK_URL},
            {"id": "999999", "url": HOOK_URL},
        ],
        "deleteWebhook": [
            {"webhookId": "0"},
            {"webhookId": "999999"},
            {},
            {"id": "1", "webhookId": "1"},
        ],
        "excludeCustomer": [{"email": "nope"}],
        "removeCustomerExclusion": [
            {},
            {"customerId": "1", "email": "a@mail.example"},
            {"customerId": "999999"},
            {"email": "nobody@mail.example"},
        ],
        "unsubscribeEmail": [{"email": "x"}],
        "createMediaUpload": [{"kind": "IMAGE", "fileName": "a.mp4"}],
    }


async def test_every_user_error_field_names_a_field_of_the_mutations_input(
    gateway: Gateway,
) -> None:
    ids = await _ids(gateway)
    cases = _refusal_cases(gateway, ids)
    assert set(cases) == set(MUTATIONS.fields), "every mutation has refusal cases"
    wrong = []
    for mutation, inputs in cases.items():
        for given in inputs:
            refused = await _refusals(gateway, mutation, given)
            assert refused, (mutation, given)  # each case is refused
            wrong += [
                (mutation, given, field, code)
                for field, code in refused
                if field is not None and not _names_an_input_field(mutation, field)
            ]
    assert wrong == []


# --- c. a second veto ------------------------------------------------------------


async def test_a_second_report_of_a_review_is_already_reported(
    gateway: Gateway,
) -> None:
    ids = await _ids(gateway)
    given = {
        "reviewId": ids["ETRUSTED"],
        "reason": "UNTRUTHFUL",
        "comment": "Never bought from us.",
        "reporterEmail": "moderation@sandbox-shop.example",
    }
    assert await _refusals(gateway, "reportReview", given) == []
    again = await _refusals(gateway, "reportReview", {**given, "reason": "ABUSIVE"})
    assert again == [(["input", "reviewId"], "ALREADY_REPORTED")]
    posts = [
        c
        for c in gateway.calls("etrusted")
        if c.method == "POST" and c.path.endswith("/vetos")
    ]
    assert len(posts) == 2  # the platform refused the second: it was asked


# --- d. bodies are trimmed before they are checked -------------------------------


async def test_blank_texts_are_refused_before_any_call(gateway: Gateway) -> None:
    ids = await _ids(gateway)
    sku, blank = _sku(gateway), " \n\t "
    trustoo = {"provider": "TRUSTOO", "sku": sku, "rating": 4, "authorName": "Ana"}
    mayar = {"provider": "MAYAR", "sku": sku, "rating": 4, "authorEmail": BUYER}
    report = {"reason": "ABUSIVE", "reporterEmail": "moderation@sandbox-shop.example"}
    cases: list[tuple[str, dict[str, Any], list[str], str]] = [
        ("createReview", {**trustoo, "body": blank}, ["body"], "INVALID_LENGTH"),
        ("createReview", {**trustoo, "title": blank}, ["title"], "INVALID_LENGTH"),
        ("createReview", {**trustoo, "authorName": blank}, ["authorName"], "REQUIRED"),
        ("createReview", {**mayar, "body": blank}, ["body"], "INVALID_LENGTH"),
        (
            "updateReview",
            {"reviewId": ids["MAYAR"], "body": blank},
            ["body"],
            "INVALID_LENGTH",
        ),
        (
            "replyToReview",
            {"reviewId": ids["ETRUSTED"], "body": blank},
            ["body"],
            "REQUIRED",
        ),
        (
            "updateComment",
            {
                "conversationId": ids["thread"],
                "commentId": ids["business"],
                "body": blank,
            },
            ["body"],
            "REQUIRED",
        ),
        (
            "reportReview",
            {"reviewId": ids["ETRUSTED"], "comment": blank, **report},
            ["comment"],
            "REQUIRED",
        ),
    ]
    for mutation, given, field, code in cases:
        refused = await _refusals(gateway, mutation, given)
        assert refused == [(["input", *field], code)], (mutation, given)
    assert gateway.calls() == []


async def test_padding_does_not_count_against_the_length_and_is_not_sent(
    gateway: Gateway,
) -> None:
    ids = await _ids(gateway)
    sku = _sku(gateway)
    longest, pad = "x" * 10_000, "  \n"
    created = await gateway.data(
        """mutation ($input: CreateReviewInput!) {
          createReview(input: $input) {
            review { title body } userErrors { code } } }""",
        {
            "input": {
                "provider": "TRUSTOO",
                "sku": sku,
                "rating": 4,
                "authorName": "Ana",
                "title": pad + "Cosy" + pad,
                "body": pad + longest + pad,
            }
        },
        key=SERVER_KEY,
    )
    assert created["createReview"]["userErrors"] == []
    assert created["createReview"]["review"] == {"title": "Cosy", "body": longest}
    reply = await _refusals(
        gateway,
        "replyToReview",
        {"reviewId": ids["ETRUSTED"], "body": pad + "y" * 4000 + pad},
    )
    assert reply == []


# --- e. every review mutation takes reviewId -------------------------------------


async def test_every_review_mutation_takes_review_id(gateway: Gateway) -> None:
    for mutation in ("updateReview", "deleteReview", "replyToReview", "reportReview"):
        assert "reviewId" in _input_type(mutation).fields, mutation
    for mutation, name in (
        ("updateReview", "reviewId"),
        ("deleteReview", "reviewId"),
        ("updateWebhook", "webhookId"),
        ("deleteWebhook", "webhookId"),
    ):
        fields = _input_type(mutation).fields
        assert not isinstance(fields[name].type, GraphQLNonNull), mutation
        assert fields["id"].deprecation_reason, mutation
        assert not isinstance(fields["id"].type, GraphQLNonNull), mutation
    change = SDL.type_map["ReviewStatusChange"]
    assert isinstance(change, GraphQLInputObjectType)
    assert "reviewId" in change.fields
    ids = await _ids(gateway)
    edited = await _refusals(
        gateway, "updateReview", {"reviewId": ids["MAYAR"], "rating": 3}
    )
    assert edited == []
    assert await _refusals(gateway, "deleteReview", {"reviewId": ids["TRUSTOO"]}) == []
    gone = await _refusals(gateway, "deleteReview", {"reviewId": ids["TRUSTOO"]})
    assert gone == [(["input", "reviewId"], "NOT_FOUND")]
    # The deprecated `id` means the same, and errors name the field that was given.
    assert await _refusals(gateway, "deleteReview", {"id": ids["TRUSTOO"]}) == [
        (["input", "id"], "NOT_FOUND")
    ]
    calls = len(gateway.calls())
    for mutation, extra in (("updateReview", {"rating": 3}), ("deleteReview", {})):
        neither = await _refusals(gateway, mutation, extra)
        assert neither == [(["input", "reviewId"], "REQUIRED")], mutation
        both = {"reviewId": ids["MAYAR"], "id": ids["MAYAR"], **extra}
        assert await _refusals(gateway, mutation, both) == [
            (["input", "id"], "MUTUALLY_EXCLUSIVE")
        ], mutation
    assert len(gateway.calls()) == calls
