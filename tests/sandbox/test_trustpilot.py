import base64
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest

from sandbox.catalog import ANCHOR, build_catalog
from sandbox.server import RunningSandbox, run_simulators
from sandbox.trustpilot import (
    TrustpilotSettings,
    TrustpilotStore,
    build_store,
)
from sandbox.trustpilot.store import attribute_name

CREDS = build_catalog(1).credentials.trustpilot
BU = CREDS.business_unit_id
KEY = {"apikey": CREDS.api_key}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
PUBLIC_REVIEW_FIELDS = {
    "id",
    "createdAt",
    "stars",
    "content",
    "consumer",
    "language",
    "attributeRatings",
    "attachments",
}
PRIVATE_REVIEW_FIELDS = PUBLIC_REVIEW_FIELDS | {
    "updatedAt",
    "businessUnitId",
    "product",
    "referenceId",
    "locale",
    "redirectUri",
    "state",
    "hasModerationHistory",
    "conversationId",
}
STAR_FIELDS = ("oneStar", "twoStars", "threeStars", "fourStars", "fiveStars")


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(ANCHOR + timedelta(days=3))


@pytest.fixture
def store() -> TrustpilotStore:
    return build_store(build_catalog(1), 1)


@pytest.fixture
def settings() -> TrustpilotSettings:
    return TrustpilotSettings()


@pytest.fixture
async def tp(
    clock: FakeClock, settings: TrustpilotSettings
) -> AsyncIterator[RunningSandbox]:
    async with run_simulators(
        providers={"trustpilot"}, clock=clock, settings={"trustpilot": settings}
    ) as running:
        yield running


@pytest.fixture
def base(tp: RunningSandbox) -> str:
    return tp.url("trustpilot")


def basic(key: str = CREDS.api_key, secret: str = CREDS.api_secret) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


async def get_json(
    http: aiohttp.ClientSession, url: str, status: int = 200, **kwargs: Any
) -> Any:
    async with http.get(url, **kwargs) as resp:
        assert resp.status == status, await resp.text()
        return await resp.json()


async def send(
    http: aiohttp.ClientSession, method: str, url: str, status: int, **kwargs: Any
) -> Any:
    async with http.request(method, url, **kwargs) as resp:
        assert resp.status == status, await resp.text()
        return await resp.json() if resp.content_type == "application/json" else None


async def grant(
    http: aiohttp.ClientSession, base: str, status: int = 200, **form: str
) -> Any:
    url = f"{base}/v1/oauth/oauth-business-users-for-applications/accesstoken"
    return await send(
        http, "POST", url, status, data=form, headers={"Authorization": basic()}
    )


async def bearer(http: aiohttp.ClientSession, base: str) -> dict[str, str]:
    body = await grant(
        http,
        base,
        grant_type="password",
        username=CREDS.username,
        password=CREDS.password,
    )
    return {"Authorization": f"Bearer {body['access_token']}", **KEY}


def assert_fault(body: Any) -> None:
    assert isinstance(body["fault"]["faultstring"], str)
    assert isinstance(body["fault"]["detail"]["errorcode"], str)


def busiest_sku(store: TrustpilotStore) -> str:
    return max(store.by_sku, key=lambda s: len(store.product_reviews([s])))


async def walk(
    http: aiohttp.ClientSession, url: str, headers: dict[str, str], field: str
) -> list[dict[str, Any]]:
    """Follow next-page links from ``url``; return every item seen."""
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        body = await get_json(http, next_url, headers=headers)
        items.extend(body[field])
        rels = {link["rel"]: link["href"] for link in body["links"]}
        assert rels["self"]
        next_url = rels.get("next-page")
    return items


# --- seeded data -------------------------------------------------------------


def test_store_is_deterministic_and_covers_every_listed_product() -> None:
    catalog = build_catalog(1)
    store = build_store(catalog, 1)
    assert store == build_store(catalog, 1)
    assert store != build_store(catalog, 2)
    listed = {p.sku for p in catalog.on("trustpilot")}
    assert set(store.by_sku) == listed
    for sku in listed:
        reviews = store.by_sku[sku]
        assert any(r.state == "published" for r in reviews)
        p = catalog.by_sku(sku)
        assert p is not None
        assert len(reviews) == max(3, round(45 * p.popularity))
    states = {r.state for r in store.reviews.values()}
    assert states == {"published", "unpublished", "underModeration", "archived"}
    assert store.imported
    assert set(store.imported) <= listed
    assert any(r.attachments for r in store.reviews.values())
    authors = {c.author_type for v in store.conversations.values() for c in v.comments}
    assert authors == {"businessUser", "consumer"}
    assert {c.state for c in store.conversations.values()} == {"public", "private"}


# --- auth --------------------------------------------------------------------


async def test_public_endpoints_need_the_api_key(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    sku = busiest_sku(store)
    url = f"{base}/v1/product-reviews/business-units/{BU}/reviews?sku={sku}"
    assert_fault(await get_json(http, url, 401))
    assert_fault(await get_json(http, url, 401, headers={"apikey": "wrong"}))
    by_query = await get_json(http, f"{url}&apikey={CREDS.api_key}")
    by_header = await get_json(http, url, headers=KEY)
    assert by_query["productReviews"] == by_header["productReviews"]


async def test_an_unknown_business_unit_is_not_found(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    sku = busiest_sku(store)
    other = "0" * 24
    url = f"{base}/v1/product-reviews/business-units/{other}?sku={sku}"
    assert_fault(await get_json(http, url, 404, headers=KEY))
    private = f"{base}/v1/private/product-reviews/business-units/{other}/reviews"
    assert_fault(await get_json(http, private, 404, headers=await bearer(http, base)))


async def test_client_credentials_grant_has_no_refresh_token(
    http: aiohttp.ClientSession, base: str, settings: TrustpilotSettings
) -> None:
    body = await grant(http, base, grant_type="client_credentials")
    assert "refresh_token" not in body
    assert body["expires_in"] == str(settings.access_token_ttl_s)
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    url = f"{base}/v1/private/product-reviews/business-units/{BU}/reviews"
    assert (await get_json(http, url, headers=headers))["total"] > 0


async def test_password_grant_refreshes_and_rotates_the_refresh_token(
    http: aiohttp.ClientSession, base: str
) -> None:
    first = await grant(
        http,
        base,
        grant_type="password",
        username=CREDS.username,
        password=CREDS.password,
    )
    assert isinstance(first["expires_in"], str)
    assert isinstance(first["refresh_token"], str)
    refresh_url = f"{base}/v1/oauth/oauth-business-users-for-applications/refresh"
    second = await send(
        http,
        "POST",
        refresh_url,
        200,
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        headers={"Authorization": basic()},
    )
    assert second["access_token"] != first["access_token"]
    reused = await grant(
        http,
        base,
        400,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
    )
    assert reused["ErrorCode"] == "invalid_grant"
    third = await grant(
        http, base, grant_type="refresh_token", refresh_token=second["refresh_token"]
    )
    assert third["refresh_token"] != second["refresh_token"]


async def test_token_endpoint_rejects_bad_requests(
    http: aiohttp.ClientSession, base: str
) -> None:
    url = f"{base}/v1/oauth/oauth-business-users-for-applications/accesstoken"
    form = {"grant_type": "client_credentials"}
    wrong = {"Authorization": basic(secret="nope")}
    body = await send(http, "POST", url, 401, data=form, headers=wrong)
    assert body["ErrorCode"] == "invalid_client"
    assert (await send(http, "POST", url, 401, data=form))["ErrorCode"]
    bad_password = {"grant_type": "password", "username": CREDS.username}
    bad_password["password"] = "wrong"
    await grant(http, base, 401, **bad_password)
    await grant(http, base, 400, grant_type="password", username=CREDS.username)
    await grant(http, base, 400, grant_type="implicit")
    await grant(http, base, 400)
    as_json = {"Authorization": basic()}
    await send(http, "POST", url, 415, json=form, headers=as_json)


async def test_expired_and_unknown_tokens_are_401(
    http: aiohttp.ClientSession,
    base: str,
    clock: FakeClock,
    settings: TrustpilotSettings,
) -> None:
    headers = await bearer(http, base)
    url = f"{base}/v1/private/product-reviews/business-units/{BU}/summaries"
    await get_json(http, url, headers=headers)
    clock.advance(settings.access_token_ttl_s - 1)
    await get_json(http, url, headers=headers)
    clock.advance(1)
    body = await get_json(http, url, 401, headers=headers)
    assert "expired" in body["fault"]["faultstring"].lower()
    assert_fault(await get_json(http, url, 401, headers={"Authorization": "Bearer x"}))
    assert_fault(await get_json(http, url, 401, headers=KEY))
    fresh = await bearer(http, base)
    await get_json(http, url, 401, headers={**fresh, "apikey": "wrong"})


# --- public product reviews --------------------------------------------------


async def test_paging_walks_every_published_review_once_newest_first(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    sku = busiest_sku(store)
    url = f"{base}/v1/product-reviews/business-units/{BU}/reviews?sku={sku}&perPage=7"
    items = await walk(http, url, KEY, "productReviews")
    expected = store.product_reviews([sku])
    assert [r["id"] for r in items] == [r.id for r in expected]
    stamps = [r["createdAt"] for r in items]
    assert stamps == sorted(stamps, reverse=True)
    summary = await get_json(
        http, f"{base}/v1/product-reviews/business-units/{BU}?sku={sku}", headers=KEY
    )
    assert summary["numberOfReviews"]["total"] == len(items)
    past_end = await get_json(http, f"{url}&page=1000", headers=KEY)
    assert past_end["productReviews"] == []
    rels = {link["rel"] for link in past_end["links"]}
    assert rels == {"self", "prev-page"}


async def test_public_reviews_have_the_public_shape_only(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    skus = ",".join(store.by_sku)
    url = f"{base}/v1/product-reviews/business-units/{BU}/reviews?sku={skus}"
    body = await get_json(http, f"{url}&perPage=100", headers=KEY)
    assert set(body) == {"productReviews", "links"}
    assert len(body["productReviews"]) == 100
    for item in body["productReviews"]:
        assert set(item) == PUBLIC_REVIEW_FIELDS
        assert set(item["consumer"]) == {"id", "displayName"}
        assert TIMESTAMP.match(item["createdAt"])
        review = store.reviews[item["id"]]
        assert review.state == "published"
        assert item["stars"] == review.stars
        assert review.consumer.email not in str(item)
        assert review.reference_id not in str(item)
    default = await get_json(http, url, headers=KEY)
    assert len(default["productReviews"]) == 20


async def test_product_url_selects_the_same_reviews_as_the_sku(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    first, second = list(store.products)[:2]
    root = f"{base}/v1/product-reviews/business-units/{BU}/reviews"
    page = {"perPage": "100"}
    by_sku = await get_json(http, root, params={**page, "sku": first}, headers=KEY)
    url = store.products[first].url
    by_url = await get_json(http, root, params={**page, "productUrl": url}, headers=KEY)
    assert by_sku["productReviews"] == by_url["productReviews"]
    both = await get_json(
        http, root, params={**page, "productUrl": url, "sku": second}, headers=KEY
    )
    expected = store.product_reviews([first, second])[:100]
    assert [r["id"] for r in both["productReviews"]] == [r.id for r in expected]


async def test_stars_and_language_filter_reviews(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    skus = list(store.by_sku)
    root = f"{base}/v1/product-reviews/business-units/{BU}/reviews"
    params = {"sku": ",".join(skus), "stars": "1,2", "language": "de", "perPage": "100"}
    items = await walk(http, f"{root}?{_query(params)}", KEY, "productReviews")
    expected = store.product_reviews(skus, language="de", stars={1, 2})
    assert [r["id"] for r in items] == [r.id for r in expected]
    assert {r["stars"] for r in items} <= {1, 2}
    assert {r["language"] for r in items} == {"de"}


def _query(params: dict[str, str]) -> str:
    return "&".join(f"{k}={v}" for k, v in params.items())


async def test_attribute_ids_and_locale_shape_attribute_ratings(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    review = next(
        r
        for r in store.product_reviews(list(store.by_sku))
        if len(r.attribute_ratings) >= 2
    )
    wanted = review.attribute_ratings[1][0]
    root = f"{base}/v1/product-reviews/business-units/{BU}/reviews"
    params = {"sku": review.sku, "perPage": "100", "locale": "da-DK"}
    items = await walk(http, f"{root}?{_query(params)}", KEY, "productReviews")
    ratings = next(r for r in items if r["id"] == review.id)["attributeRatings"]
    assert [(a["attributeId"], a["rating"]) for a in ratings] == list(
        review.attribute_ratings
    )
    assert ratings[0]["attributeName"] == attribute_name(
        ratings[0]["attributeId"], "da"
    )
    params["attributeIds"] = wanted
    items = await walk(http, f"{root}?{_query(params)}", KEY, "productReviews")
    narrowed = next(r for r in items if r["id"] == review.id)["attributeRatings"]
    assert [a["attributeId"] for a in narrowed] == [wanted]


@pytest.mark.parametrize(
    "query",
    [
        "perPage=5",
        "sku=&productUrl=",
        "sku={sku}&perPage=0",
        "sku={sku}&perPage=101",
        "sku={sku}&perPage=ten",
        "sku={sku}&page=0",
        "sku={sku}&page=2147483648",
        "sku={sku}&stars=6",
        "sku={sku}&stars=0,5",
    ],
)
async def test_public_reviews_reject_bad_parameters(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore, query: str
) -> None:
    query = query.format(sku=busiest_sku(store))
    url = f"{base}/v1/product-reviews/business-units/{BU}/reviews?{query}"
    assert_fault(await get_json(http, url, 400, headers=KEY))


# --- summaries ---------------------------------------------------------------


async def test_summary_sums_the_skus_and_matches_batch_summaries(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    skus = list(store.by_sku)[:3]
    root = f"{base}/v1/product-reviews/business-units/{BU}"
    combined = await get_json(http, f"{root}?sku={','.join(skus)}", headers=KEY)
    assert {link["rel"] for link in combined["links"]} == {"self"}
    batch = await send(
        http,
        "POST",
        f"{root}/batch-summaries",
        200,
        json={"skus": [*skus, "NOPE-1"]},
        headers=KEY,
    )
    summaries = batch["summaries"]
    assert [s["sku"] for s in summaries] == [*skus, "NOPE-1"]
    assert summaries[-1]["numberOfReviews"]["total"] == 0
    for field in ("total", *STAR_FIELDS):
        assert combined["numberOfReviews"][field] == sum(
            s["numberOfReviews"][field] for s in summaries
        )
    for s in summaries[:-1]:
        stars = [r.stars for r in store.product_reviews([s["sku"]])]
        assert s["numberOfReviews"]["total"] == len(stars)
        assert s["starsAverage"] == round(sum(stars) / len(stars), 1)
    assert_fault(await get_json(http, root, 400, headers=KEY))


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ('{"skus": ["A"]}', "text/plain", 415),
        ('{"skus": ["A"]', "application/json", 400),
        ('["A"]', "application/json", 400),
        ('{"skus": []}', "application/json", 400),
        ('{"skus": "A"}', "application/json", 400),
        ('{"skus": [1]}', "application/json", 400),
        (json.dumps({"skus": ["A"] * 101}), "application/json", 400),
    ],
)
async def test_batch_endpoints_reject_bad_bodies(
    http: aiohttp.ClientSession, base: str, body: str, content_type: str, status: int
) -> None:
    headers = {**KEY, "Content-Type": content_type}
    for path in ("batch-summaries", "attribute-summaries"):
        url = f"{base}/v1/product-reviews/business-units/{BU}/{path}"
        assert_fault(await send(http, "POST", url, status, data=body, headers=headers))


async def test_attribute_summaries_count_attribute_ratings(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    sku = busiest_sku(store)
    url = f"{base}/v1/product-reviews/business-units/{BU}/attribute-summaries"
    body = await send(
        http, "POST", url, 200, json={"skus": [sku], "locale": "de-DE"}, headers=KEY
    )
    (summary,) = body["summaries"]
    assert summary["sku"] == sku
    given: dict[str, list[int]] = {}
    for review in store.product_reviews([sku]):
        for attribute_id, rating in review.attribute_ratings:
            given.setdefault(attribute_id, []).append(rating)
    assert {a["id"] for a in summary["attributes"]} == set(given)
    for attribute in summary["attributes"]:
        ratings = given[attribute["id"]]
        assert attribute["type"] == "range_1to5"
        assert attribute["name"] == attribute_name(attribute["id"], "de")
        assert attribute["totalOccurrences"] == len(ratings)
        assert attribute["occurrences"]["five"] == ratings.count(5)
        assert attribute["average"] == round(sum(ratings) / len(ratings), 2)


# --- imported reviews ----------------------------------------------------------


async def test_imported_reviews_page_and_summarise(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    skus = list(store.imported)
    root = f"{base}/v1/product-reviews/business-units/{BU}"
    url = f"{root}/imported-reviews?sku={','.join(skus)}&perPage=3"
    items = await walk(http, url, KEY, "productReviews")
    expected = store.imported_reviews(skus)
    assert len(items) == len(expected)
    assert [(r["content"], r["stars"]) for r in items] == [
        (r.content, r.stars) for r in expected
    ]
    for item in items:
        assert set(item) == {"createdAt", "stars", "content", "consumer", "language"}
        assert set(item["consumer"]) == {"name"}
    summary = await get_json(
        http, f"{root}/imported-reviews-summaries?sku={','.join(skus)}", headers=KEY
    )
    assert summary["numberOfReviews"]["total"] == len(items)
    assert summary["numberOfReviews"]["fiveStars"] == sum(
        1 for r in items if r["stars"] == 5
    )
    published = await get_json(http, f"{root}?sku={','.join(skus)}", headers=KEY)
    assert published["numberOfReviews"] != summary["numberOfReviews"]
    await get_json(http, f"{root}/imported-reviews", 400, headers=KEY)
    await get_json(http, f"{root}/imported-reviews-summaries", 400, headers=KEY)
    await get_json(http, f"{url}&stars=9", 400, headers=KEY)


# --- private product reviews ---------------------------------------------------


async def test_private_reviews_filter_by_state_and_report_total(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    headers = await bearer(http, base)
    url = f"{base}/v1/private/product-reviews/business-units/{BU}/reviews"
    default = await get_json(http, url, headers=headers)
    published = [r for r in store.reviews.values() if r.state == "published"]
    assert default["total"] == len(published)
    hidden = "unpublished,underModeration,archived"
    items = await walk(
        http, f"{url}?state={hidden}&perPage=100", headers, "productReviews"
    )
    expected = store.product_reviews(list(store.products), states=hidden.split(","))
    assert [r["id"] for r in items] == [r.id for r in expected]
    assert {r["state"] for r in items} == set(hidden.split(","))
    for item in items:
        assert set(item) == PRIVATE_REVIEW_FIELDS
        review = store.reviews[item["id"]]
        assert item["consumer"] == {
            "id": review.consumer.id,
            "email": review.consumer.email,
            "name": review.consumer.name,
        }
        assert item["product"]["sku"] == review.sku
        assert item["businessUnitId"] == BU
        assert TIMESTAMP.match(item["updatedAt"])
    await get_json(http, f"{url}?state=deleted", 400, headers=headers)
    await get_json(http, f"{url}?perPage=101", 400, headers=headers)
    await get_json(http, url, 401, headers=KEY)


async def test_private_review_by_id(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    headers = await bearer(http, base)
    review = next(r for r in store.reviews.values() if r.state == "archived")
    url = f"{base}/v1/private/product-reviews/{review.id}"
    body = await get_json(http, url, headers=headers)
    assert body["id"] == review.id
    assert body["state"] == "archived"
    assert body["referenceId"] == review.reference_id
    assert body["conversationId"] == review.conversation_id
    await get_json(
        http, f"{base}/v1/private/product-reviews/{'f' * 24}", 404, headers=headers
    )
    await get_json(http, url, 401)


async def test_private_summaries_page_over_every_sku(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    headers = await bearer(http, base)
    url = f"{base}/v1/private/product-reviews/business-units/{BU}/summaries"
    everything = await get_json(http, url, headers=headers)
    assert [s["sku"] for s in everything["summaries"]] == sorted(store.products)
    paged = await walk(http, f"{url}?perPage=4", headers, "summaries")
    assert paged == everything["summaries"]
    for summary in paged:
        assert summary["numberOfReviews"]["total"] == len(
            store.product_reviews([summary["sku"]])
        )
    await get_json(http, f"{url}?perPage=1000", headers=headers)
    await get_json(http, f"{url}?perPage=1001", 400, headers=headers)
    await get_json(http, f"{url}?perPage=0", 400, headers=headers)


async def test_invitation_links_take_products_or_product_ids(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    headers = await bearer(http, base)
    url = f"{base}/v1/private/product-reviews/business-units/{BU}/invitation-links"
    sku = next(iter(store.products))
    p = store.products[sku]
    product = {"productUrl": p.url, "name": p.name, "sku": sku, "brand": p.brand}
    common = {
        "consumer": {"email": "jane@mail.example", "name": "Jane Doe"},
        "referenceId": "ORD-1",
        "locale": "en-US",
        "redirectUri": "https://sandbox-shop.example/thanks",
    }
    by_product = await send(
        http, "POST", url, 201, json={**common, "products": [product]}, headers=headers
    )
    assert by_product["reviewUrl"].endswith(by_product["reviewLinkId"])
    ids = [store.product_ids[sku]]
    by_id = await send(
        http, "POST", url, 201, json={**common, "productIds": ids}, headers=headers
    )
    assert by_id["reviewLinkId"] != by_product["reviewLinkId"]
    for bad in (
        {**common, "products": [product], "productIds": ids},
        common,
        {**common, "productIds": ["0" * 24]},
        {**common, "products": [{"sku": sku}]},
        {**common, "consumer": {"name": "x"}, "productIds": ids},
        {**common, "referenceId": None, "productIds": ids},
    ):
        assert_fault(await send(http, "POST", url, 400, json=bad, headers=headers))
    await send(http, "POST", url, 415, data="x", headers=headers)
    await send(http, "POST", url, 401, json={**common, "productIds": ids}, headers=KEY)


# --- conversations -------------------------------------------------------------


async def new_conversation(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore, headers: Any
) -> tuple[str, str]:
    """Create a conversation on a review without one: (review id, conversation id)."""
    review = next(
        r
        for r in store.product_reviews(list(store.products))
        if r.conversation_id is None
    )
    create = f"{base}/v1/private/product-reviews/{review.id}/create-conversation"
    body = await send(http, "POST", create, 200, headers=headers)
    return review.id, body["conversationId"]


async def test_create_conversation_issues_one_id_per_review(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    headers = await bearer(http, base)
    review_id, cid = await new_conversation(http, base, store, headers)
    create = f"{base}/v1/private/product-reviews/{review_id}/create-conversation"
    again = await send(http, "POST", create, 200, headers=headers)
    assert again["conversationId"] == cid
    detail = await get_json(
        http, f"{base}/v1/private/product-reviews/{review_id}", headers=headers
    )
    assert detail["conversationId"] == cid
    conversation = await get_json(
        http, f"{base}/v1/private/conversations/{cid}", headers=headers
    )
    assert conversation["sourceId"] == review_id
    assert conversation["source"] == "Product reviews"
    assert conversation["state"] == "public"
    assert conversation["comments"] == []
    await send(http, "POST", create.replace(review_id, "f" * 24), 404, headers=headers)
    await send(http, "POST", create, 401, headers=KEY)


async def test_comments_are_added_read_and_edited(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore, clock: FakeClock
) -> None:
    headers = await bearer(http, base)
    _, cid = await new_conversation(http, base, store, headers)
    private_url = f"{base}/v1/private/conversations/{cid}"
    body = {"content": "Thanks!", "integrationId": "IB1"}
    posted = await send(
        http, "POST", f"{private_url}/comments", 201, json=body, headers=headers
    )
    assert posted["author"] == {"id": store.business_user_id, "type": "businessUser"}
    assert posted["createdAt"] == clock.now.strftime("%Y-%m-%dT%H:%M:%S")
    comment_url = f"{private_url}/comments/{posted['commentId']}"
    assert await get_json(http, comment_url, headers=headers) == posted
    edited = await send(
        http, "PUT", comment_url, 200, json={"content": "Thank you!"}, headers=headers
    )
    assert edited == {**posted, "content": "Thank you!"}
    await send(http, "PUT", comment_url, 415, data="x", headers=headers)
    public = await get_json(http, f"{base}/v1/conversations/{cid}", headers=KEY)
    assert set(public) == {"id", "businessUnitId", "consumerId", "comments"}
    assert public["comments"] == [edited]


async def test_a_private_conversation_is_hidden_from_the_public_endpoint(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    headers = await bearer(http, base)
    _, cid = await new_conversation(http, base, store, headers)
    private_url = f"{base}/v1/private/conversations/{cid}"
    public_url = f"{base}/v1/conversations/{cid}"
    state_url = f"{private_url}/state"
    await send(http, "POST", state_url, 204, json={"state": "private"}, headers=headers)
    assert_fault(await get_json(http, public_url, 404, headers=KEY))
    hidden = await get_json(http, private_url, headers=headers)
    assert hidden["state"] == "private"
    await send(http, "POST", state_url, 204, json={"state": "public"}, headers=headers)
    await get_json(http, public_url, headers=KEY)
    await send(http, "POST", state_url, 400, json={"state": "open"}, headers=headers)
    await send(http, "POST", state_url, 415, data="state=public", headers=headers)


async def test_comment_writes_validate_and_only_edit_business_comments(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    headers = await bearer(http, base)
    conversation = next(
        c
        for c in store.conversations.values()
        if any(x.author_type == "consumer" for x in c.comments)
    )
    consumer_comment = next(
        x for x in conversation.comments if x.author_type == "consumer"
    )
    root = f"{base}/v1/private/conversations/{conversation.id}"
    seeded = await get_json(http, root, headers=headers)
    assert [c["commentId"] for c in seeded["comments"]] == [
        c.id for c in conversation.comments
    ]
    assert seeded["comments"][1]["author"] == {
        "id": conversation.consumer_id,
        "type": "consumer",
    }
    url = f"{root}/comments/{consumer_comment.id}"
    await send(http, "PUT", url, 403, json={"content": "x"}, headers=headers)
    await send(http, "POST", f"{root}/comments", 400, json={}, headers=headers)
    await send(
        http, "POST", f"{root}/comments", 400, json={"content": " "}, headers=headers
    )
    await get_json(http, f"{root}/comments/{'a' * 24}", 404, headers=headers)
    missing = f"{base}/v1/private/conversations/{'a' * 24}"
    await get_json(http, missing, 404, headers=headers)
    await get_json(http, f"{base}/v1/conversations/{'a' * 24}", 404, headers=KEY)
    await get_json(http, root, 401, headers=KEY)


async def test_seeded_private_conversations_are_not_public(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    private = next(c for c in store.conversations.values() if c.state == "private")
    public = next(c for c in store.conversations.values() if c.state == "public")
    await get_json(http, f"{base}/v1/conversations/{private.id}", 404, headers=KEY)
    body = await get_json(http, f"{base}/v1/conversations/{public.id}", headers=KEY)
    assert [c["content"] for c in body["comments"]] == [
        c.content for c in public.comments
    ]
    await get_json(http, f"{base}/v1/conversations/{public.id}", 401)


@pytest.mark.parametrize(
    "settings", [TrustpilotSettings(existing_conversation="conflict")]
)
async def test_second_create_conversation_can_be_a_conflict(
    http: aiohttp.ClientSession, base: str, store: TrustpilotStore
) -> None:
    headers = await bearer(http, base)
    review = next(r for r in store.reviews.values() if r.conversation_id)
    url = f"{base}/v1/private/product-reviews/{review.id}/create-conversation"
    assert_fault(await send(http, "POST", url, 409, headers=headers))


# --- misc ----------------------------------------------------------------------


async def test_business_unit_find_answers_the_sandbox_unit(
    http: aiohttp.ClientSession, base: str
) -> None:
    url = f"{base}/v1/business-units/find"
    params = {"name": CREDS.business_unit_name}
    body = await get_json(http, url, params=params, headers=KEY)
    assert body["id"] == BU
    assert body["name"]["identifying"] == CREDS.business_unit_name
    await get_json(http, url, 404, params={"name": "elsewhere.example"}, headers=KEY)
    await get_json(http, url, 400, headers=KEY)
    await get_json(http, url, 401, params=params)


async def test_unknown_paths_and_injected_faults_use_the_fault_envelope(
    http: aiohttp.ClientSession, base: str, tp: RunningSandbox
) -> None:
    assert_fault(await get_json(http, f"{base}/v1/nothing-here", 404, headers=KEY))
    faults = {"trustpilot": {"errorRate": 1.0, "errorStatus": 503}}
    await send(http, "PUT", f"{tp.base_url}/_sandbox/faults", 200, json=faults)
    url = f"{base}/v1/business-units/find?name={CREDS.business_unit_name}"
    assert_fault(await get_json(http, url, 503, headers=KEY))
    logged = tp.log.entries("trustpilot")
    assert logged[-1].path == "/v1/business-units/find"
    assert logged[-1].status == 503
