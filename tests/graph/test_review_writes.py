"""createReview, updateReview, deleteReview, setReviewStatus through a real gateway."""

from functools import partial
from typing import Any

from gateway.records import Provider, ReviewKey
from resolvers.ids import review_id
from tests.graph.conftest import SERVER_KEY, Gateway

ERRORS = "userErrors { field message code providerMessage } clientMutationId"
FIELDS = """id provider providerReviewId rating title body status verified createdAt
author { displayName country } product { sku } media { type url thumbnailUrl }"""
CREATE = f"""
mutation ($input: CreateReviewInput!) {{
  createReview(input: $input) {{ review {{ {FIELDS} }} {ERRORS} }}
}}"""
UPDATE = f"""
mutation ($input: UpdateReviewInput!) {{
  updateReview(input: $input) {{ review {{ {FIELDS} }} {ERRORS} }}
}}"""
DELETE = f"""
mutation ($input: DeleteReviewInput!) {{
  deleteReview(input: $input) {{ deletedReviewId {ERRORS} }}
}}"""
SET_STATUS = f"""
mutation ($input: SetReviewStatusInput!) {{
  setReviewStatus(input: $input) {{ reviewIds reviews {{ {FIELDS} }} {ERRORS} }}
}}"""
PRODUCT = """
query ($sku: String!, $filter: ReviewFilter, $providers: [Provider!]) {
  product(sku: $sku) {
    reviews(first: 50, filter: $filter) {
      edges { node { id rating body status } }
    }
    ratingSummary(providers: $providers) { count }
  }
}"""
REVIEW = f"query ($id: ID!) {{ review(id: $id) {{ {FIELDS} customer {{ email }} }} }}"
BUYER = "ana.wijaya@buyer.sandbox.example"


def _sku(gateway: Gateway) -> str:
    return gateway.sandbox.catalog.products[0].sku


def _not_on(gateway: Gateway, provider: str) -> str:
    return next(
        p.sku for p in gateway.sandbox.catalog.products if provider not in p.providers
    )


async def _product(
    gateway: Gateway, provider: str, statuses: list[str] | None = None
) -> tuple[dict[str, dict[str, Any]], int]:
    """The product's reviews on ``provider`` by id, and its rating count there."""
    filter_: dict[str, Any] = {"providers": [provider]}
    if statuses:
        filter_["statuses"] = statuses
    variables = {"sku": _sku(gateway), "filter": filter_, "providers": [provider]}
    key = SERVER_KEY if statuses else None
    data = (await gateway.data(PRODUCT, variables, key=key))["product"]
    edges = data["reviews"]["edges"]
    return {e["node"]["id"]: e["node"] for e in edges}, data["ratingSummary"]["count"]


async def _write(gateway: Gateway, query: str, **input_: Any) -> dict[str, Any]:
    data = await gateway.data(query, {"input": input_}, key=SERVER_KEY)
    return next(iter(data.values()))


def _codes(payload: dict[str, Any]) -> list[tuple[Any, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


def _posts(gateway: Gateway, provider: str, tail: str) -> list[Any]:
    calls = gateway.calls(provider)
    return [c for c in calls if c.method == "POST" and c.path.endswith(tail)]


def _trustoo(gateway: Gateway, **extra: Any) -> dict[str, Any]:
    return {
        "provider": "TRUSTOO",
        "sku": _sku(gateway),
        "rating": 4,
        "authorName": "Ana W.",
        "body": "Warm and comfortable.",
        **extra,
    }


def _mayar(gateway: Gateway, **extra: Any) -> dict[str, Any]:
    return {
        "provider": "MAYAR",
        "sku": _sku(gateway),
        "rating": 5,
        "authorEmail": BUYER,
        "body": "Sangat bagus.",
        **extra,
    }


async def test_a_trustoo_review_is_created_once_per_key_and_read_back(
    gateway: Gateway,
) -> None:
    before, count = await _product(gateway, "TRUSTOO")  # cached from here on
    variables = _trustoo(gateway, title="Cosy", clientMutationId="create-1")
    first = await _write(gateway, CREATE, **variables)
    again = await _write(gateway, CREATE, **variables)
    assert first["userErrors"] == []
    assert again == first
    assert first["clientMutationId"] == "create-1"
    review = first["review"]
    assert (review["provider"], review["rating"], review["title"]) == (
        "TRUSTOO",
        4,
        "Cosy",
    )
    assert review["product"] == {"sku": _sku(gateway)}
    assert review["status"] == "PUBLISHED"
    assert review["verified"] is False
    reused = await _write(gateway, CREATE, **{**variables, "rating": 3})
    assert _codes(reused) == [(["input", "clientMutationId"], "IDEMPOTENCY_KEY_REUSED")]
    assert len(_posts(gateway, "trustoo", "/create_review")) == 1
    after, count_after = await _product(gateway, "TRUSTOO")
    assert set(after) == set(before) | {review["id"]}
    assert count_after == count + 1


async def test_trustoo_stores_every_field_and_takes_shop_reviews(
    gateway: Gateway,
) -> None:
    media = [
        {"type": "IMAGE", "url": "https://cdn.example/a.jpg"},
        {
            "type": "IMAGE",
            "url": "https://cdn.example/b.jpg",
            "thumbnailUrl": "https://cdn.example/b-small.jpg",
        },
        {"type": "VIDEO", "url": "https://cdn.example/c.mp4"},
    ]
    variables = _trustoo(
        gateway,
        sku=None,
        authorEmail="ana@shop.example",
        authorCountry="de",
        createdAt="2026-01-02T03:04:05Z",
        verified=True,
        published=False,
        media=media,
    )
    created = (await _write(gateway, CREATE, **variables))["review"]
    data = await gateway.data(REVIEW, {"id": created["id"]}, key=SERVER_KEY)
    read = data["review"]
    assert read["customer"] == {"email": "ana@shop.example"}
    for review in (created, read):
        assert review["product"] is None
        assert review["status"] == "HIDDEN"
        assert review["verified"] is True
        assert review["author"] == {"displayName": "Ana W.", "country": "DE"}
        assert review["createdAt"] == "2026-01-02T03:04:05+00:00"
        assert [m["type"] for m in review["media"]] == ["IMAGE", "IMAGE", "VIDEO"]
        assert review["media"][1]["thumbnailUrl"] == "https://cdn.example/b-small.jpg"
    public, _ = await _product(gateway, "TRUSTOO")
    assert created["id"] not in public


async def test_a_mayar_review_by_a_sandbox_buyer_and_the_platforms_refusals(
    gateway: Gateway,
) -> None:
    before, count = await _product(gateway, "MAYAR")
    variables = _mayar(gateway, clientMutationId="mayar-1")
    first = await _write(gateway, CREATE, **variables)
    assert await _write(gateway, CREATE, **variables) == first
    review = first["review"]
    assert (review["provider"], review["rating"], review["body"]) == (
        "MAYAR",
        5,
        "Sangat bagus.",
    )
    assert review["status"] == "PUBLISHED"
    assert len(_posts(gateway, "mayar", "/reviews/create")) == 1
    after, count_after = await _product(gateway, "MAYAR")
    assert set(after) == set(before) | {review["id"]}
    assert count_after == count + 1
    twice = await _write(gateway, CREATE, **_mayar(gateway))
    assert _codes(twice) == [(["input", "authorEmail"], "ALREADY_REVIEWED")]
    assert twice["userErrors"][0]["providerMessage"].startswith("Anda sudah")
    stranger = _mayar(gateway, authorEmail="someone@elsewhere.example")
    refused = await _write(gateway, CREATE, **stranger)
    assert _codes(refused) == [(["input", "authorEmail"], "NOT_A_BUYER")]
    assert refused["review"] is None


async def test_update_review_changes_what_the_next_read_shows(
    gateway: Gateway,
) -> None:
    before, _ = await _product(gateway, "MAYAR")
    target, old = next(iter(before.items()))
    rating = 1 if old["rating"] != 1 else 2
    variables = {
        "reviewId": target,
        "rating": rating,
        "body": "Edited after a month.",
        "clientMutationId": "edit-1",
    }
    first = await _write(gateway, UPDATE, **variables)
    assert await _write(gateway, UPDATE, **variables) == first
    assert first["userErrors"] == []
    assert first["review"]["id"] == target
    assert (first["review"]["rating"], first["review"]["body"]) == (
        rating,
        "Edited after a month.",
    )
    reused = await _write(gateway, UPDATE, **{**variables, "body": "Other."})
    assert _codes(reused) == [(["input", "clientMutationId"], "IDEMPOTENCY_KEY_REUSED")]
    assert len(_posts(gateway, "mayar", "/update")) == 1
    after, _ = await _product(gateway, "MAYAR")
    assert (after[target]["rating"], after[target]["body"]) == (
        rating,
        "Edited after a month.",
    )
    read = (await gateway.data(REVIEW, {"id": target}, key=SERVER_KEY))["review"]
    assert read["body"] == "Edited after a month."
    stranger = {
        "reviewId": target,
        "rating": 3,
        "authorEmail": "someone@elsewhere.example",
    }
    refused = await _write(gateway, UPDATE, **stranger)
    assert _codes(refused) == [(["input", "authorEmail"], "NO_TRANSACTION")]


async def test_delete_review_removes_a_trustoo_review(gateway: Gateway) -> None:
    before, count = await _product(gateway, "TRUSTOO")
    target = next(iter(before))
    variables = {"reviewId": target, "clientMutationId": "delete-1"}
    first = await _write(gateway, DELETE, **variables)
    assert await _write(gateway, DELETE, **variables) == first
    assert first == {
        "deletedReviewId": target,
        "userErrors": [],
        "clientMutationId": "delete-1",
    }
    assert len(_posts(gateway, "trustoo", "/delete_review")) == 1
    other = next(i for i in before if i != target)
    reused = await _write(gateway, DELETE, reviewId=other, clientMutationId="delete-1")
    assert _codes(reused) == [(["input", "clientMutationId"], "IDEMPOTENCY_KEY_REUSED")]
    after, count_after = await _product(gateway, "TRUSTOO")
    assert set(after) == set(before) - {target}
    assert count_after == count - 1
    gone = await _write(gateway, DELETE, reviewId=target)
    assert _codes(gone) == [(["input", "reviewId"], "NOT_FOUND")]
    assert gone["deletedReviewId"] is None


async def test_delete_review_archives_a_mayar_review(gateway: Gateway) -> None:
    before, count = await _product(gateway, "MAYAR")
    target = next(iter(before))
    # The deprecated `id` still names the review, as reviewId does.
    deleted = await _write(gateway, DELETE, id=target)
    assert (deleted["deletedReviewId"], deleted["userErrors"]) == (target, [])
    assert len(_posts(gateway, "mayar", "/bulk-status/update")) == 1
    after, count_after = await _product(gateway, "MAYAR")
    assert set(after) == set(before) - {target}
    assert count_after == count - 1
    archived, _ = await _product(gateway, "MAYAR", ["ARCHIVED"])
    assert archived[target]["status"] == "ARCHIVED"


async def test_set_review_status_hides_and_publishes_again(gateway: Gateway) -> None:
    before, count = await _product(gateway, "MAYAR")
    targets = list(before)[:2]
    changes = [{"reviewId": t, "status": "HIDDEN"} for t in targets]
    variables = {"reviews": changes, "clientMutationId": "hide-1"}
    first = await _write(gateway, SET_STATUS, **variables)
    assert await _write(gateway, SET_STATUS, **variables) == first
    assert first["userErrors"] == []
    assert first["reviewIds"] == targets
    assert [(r["id"], r["status"]) for r in first["reviews"]] == [
        (t, "HIDDEN") for t in targets
    ]
    assert len(_posts(gateway, "mayar", "/bulk-status/update")) == 1
    reused = await _write(
        gateway, SET_STATUS, reviews=changes[:1], clientMutationId="hide-1"
    )
    assert _codes(reused) == [(["input", "clientMutationId"], "IDEMPOTENCY_KEY_REUSED")]
    public, hidden_count = await _product(gateway, "MAYAR")
    assert set(public) == set(before) - set(targets)
    assert hidden_count == count - 2
    hidden, _ = await _product(gateway, "MAYAR", ["HIDDEN"])
    assert {t: hidden[t]["status"] for t in targets} == dict.fromkeys(targets, "HIDDEN")
    shown = [{"reviewId": t, "status": "PUBLISHED"} for t in targets]
    await _write(gateway, SET_STATUS, reviews=shown)
    again, _ = await _product(gateway, "MAYAR")
    assert set(again) == set(before)


async def _some_ids(gateway: Gateway) -> dict[str, str]:
    found = {}
    for provider in ("TRUSTOO", "MAYAR", "ETRUSTED"):
        reviews, _ = await _product(gateway, provider)
        found[provider] = next(iter(reviews))
    return found


def _create_cases(gateway: Gateway) -> list[tuple[dict[str, Any], Any, str]]:
    t, m = partial(_trustoo, gateway), partial(_mayar, gateway)
    image = {"type": "IMAGE", "url": "https://cdn.example/a.jpg"}
    video = {"type": "VIDEO", "url": "https://cdn.example/c.mp4"}
    return [
        (t(rating=0), "rating", "INVALID_RATING"),
        (t(rating=6), "rating", "INVALID_RATING"),
        (t(provider="TRUSTPILOT"), "provider", "UNSUPPORTED_BY_PROVIDER"),
        (t(sku="NOPE-1"), "sku", "UNKNOWN_SKU"),
        (t(sku=_not_on(gateway, "trustoo")), "sku", "NOT_LISTED"),
        (t(authorName=None), "authorName", "REQUIRED"),
        (t(authorName=" "), "authorName", "REQUIRED"),
        (t(authorName="x" * 121), "authorName", "INVALID_LENGTH"),
        (t(title="x" * 301), "title", "INVALID_LENGTH"),
        (t(body="x" * 10_001), "body", "INVALID_LENGTH"),
        (t(authorEmail="nope@example"), "authorEmail", "INVALID_EMAIL"),
        (t(authorCountry="Germany"), "authorCountry", "INVALID_COUNTRY"),
        (t(createdAt="2999-01-01T00:00:00Z"), "createdAt", "INVALID_DATE"),
        (t(media=[image] * 11), "media", "TOO_MANY"),
        (t(media=[video, video]), "media", "TOO_MANY"),
        (t(media=[{**image, "url": "ftp://x/a"}]), "media.0.url", "INVALID_URL"),
        (m(sku=None), "sku", "UNSUPPORTED_BY_PROVIDER"),
        (m(sku=_not_on(gateway, "mayar")), "sku", "NOT_LISTED"),
        (m(authorEmail=None), "authorEmail", "REQUIRED"),
        (m(authorEmail="a@b"), "authorEmail", "INVALID_EMAIL"),
        (m(authorEmail="x" * 95 + "@b.example"), "authorEmail", "INVALID_LENGTH"),
        (m(body=""), "body", "INVALID_LENGTH"),
        (m(body="x" * 2001), "body", "INVALID_LENGTH"),
        (m(title="Nice"), "title", "UNSUPPORTED_BY_PROVIDER"),
        (m(authorName="Ana"), "authorName", "UNSUPPORTED_BY_PROVIDER"),
        (m(media=[image]), "media", "UNSUPPORTED_BY_PROVIDER"),
        (m(published=False), "published", "UNSUPPORTED_BY_PROVIDER"),
        (m(createdAt="2026-01-01T00:00:00Z"), "createdAt", "UNSUPPORTED_BY_PROVIDER"),
    ]


def _other_cases(ids: dict[str, str]) -> list[tuple[str, dict[str, Any], Any, str]]:
    mayar, trustoo = ids["MAYAR"], ids["TRUSTOO"]
    fake = [
        {"reviewId": review_id(Provider.MAYAR, ReviewKey(f"r-{i}")), "status": "HIDDEN"}
        for i in range(51)
    ]
    hide = {"reviewId": mayar, "status": "HIDDEN"}
    return [
        (UPDATE, {"reviewId": "nope", "rating": 2}, "reviewId", "INVALID_ID"),
        (
            UPDATE,
            {"reviewId": trustoo, "rating": 2},
            "reviewId",
            "UNSUPPORTED_BY_PROVIDER",
        ),
        (UPDATE, {"id": trustoo, "rating": 2}, "id", "UNSUPPORTED_BY_PROVIDER"),
        (UPDATE, {"reviewId": mayar}, None, "NOTHING_TO_UPDATE"),
        (UPDATE, {"reviewId": mayar, "rating": 9}, "rating", "INVALID_RATING"),
        (UPDATE, {"reviewId": mayar, "body": "x" * 2001}, "body", "INVALID_LENGTH"),
        (
            UPDATE,
            {"reviewId": mayar, "body": "ok", "authorEmail": "bad"},
            "authorEmail",
            "INVALID_EMAIL",
        ),
        (DELETE, {"reviewId": "nope"}, "reviewId", "INVALID_ID"),
        (DELETE, {"id": "nope"}, "id", "INVALID_ID"),
        (
            DELETE,
            {"reviewId": ids["ETRUSTED"]},
            "reviewId",
            "UNSUPPORTED_BY_PROVIDER",
        ),
        (SET_STATUS, {"reviews": []}, "reviews", "REQUIRED"),
        (SET_STATUS, {"reviews": fake}, "reviews", "TOO_MANY"),
        (
            SET_STATUS,
            {"reviews": [{**hide, "status": "PENDING"}]},
            "reviews.0.status",
            "UNSUPPORTED_BY_PROVIDER",
        ),
        (
            SET_STATUS,
            {"reviews": [hide, {**hide, "reviewId": trustoo}]},
            "reviews.1.reviewId",
            "UNSUPPORTED_BY_PROVIDER",
        ),
        (
            SET_STATUS,
            {"reviews": [hide, {**hide, "reviewId": "nope"}]},
            "reviews.1.reviewId",
            "INVALID_ID",
        ),
        (
            SET_STATUS,
            {"reviews": [hide, {**hide, "status": "ARCHIVED"}]},
            "reviews.1.reviewId",
            "DUPLICATE",
        ),
    ]


def _path(field: str | None) -> list[str] | None:
    return None if field is None else ["input", *field.split(".")]


async def test_bad_input_is_refused_before_any_call(gateway: Gateway) -> None:
    ids = await _some_ids(gateway)
    gateway.sandbox.log.clear()
    cases = [(CREATE, *case) for case in _create_cases(gateway)]
    for query, variables, field, code in cases + _other_cases(ids):
        payload = await _write(gateway, query, **variables)
        assert _codes(payload) == [(_path(field), code)], variables
    assert gateway.calls() == []


async def test_anonymous_callers_never_write(gateway: Gateway) -> None:
    ids = await _some_ids(gateway)
    gateway.sandbox.log.clear()
    hide = {"reviewId": ids["MAYAR"], "status": "HIDDEN"}
    for query, variables in [
        (CREATE, _trustoo(gateway)),
        (CREATE, _mayar(gateway)),
        (UPDATE, {"reviewId": ids["MAYAR"], "rating": 2}),
        (DELETE, {"reviewId": ids["TRUSTOO"]}),
        (SET_STATUS, {"reviews": [hide]}),
    ]:
        status, body = await gateway.query(query, {"input": variables})
        assert status == 200
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert gateway.calls() == []
