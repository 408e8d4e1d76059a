import base64
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from sandbox.catalog import build_catalog
from sandbox.control import FaultSettings
from sandbox.etrusted import EtrustedSettings, EtrustedStore, build_store
from sandbox.etrusted.model import Review
from sandbox.server import RunningSandbox, run_simulators

SEED = 1
CATALOG = build_catalog(SEED)
CREDS = CATALOG.credentials.etrusted
START = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
FORM = {
    "client_id": CREDS.client_id,
    "client_secret": CREDS.client_secret,
    "grant_type": "client_credentials",
    "audience": "https://api.etrusted.com",
}


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Env:
    running: RunningSandbox
    http: aiohttp.ClientSession
    clock: FakeClock
    headers: dict[str, str]

    @property
    def api(self) -> str:
        return self.running.url("etrusted")

    @property
    def login(self) -> str:
        return self.running.url("etrusted", 1)

    async def get(self, path: str, **params: str) -> tuple[int, Any]:
        async with self.http.get(
            self.api + path, params=params, headers=self.headers
        ) as response:
            raw = await response.read()
            return response.status, (await response.json() if raw else raw)

    async def follow(self, url: str) -> Any:
        async with self.http.get(url, headers=self.headers) as response:
            assert response.status == 200
            return await response.json()

    async def send(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        async with self.http.request(
            method, self.api + path, json=body, headers=self.headers
        ) as response:
            raw = await response.read()
            return response.status, (await response.json() if raw else raw)


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    clock = FakeClock()
    async with (
        run_simulators(providers={"etrusted"}, clock=clock) as running,
        aiohttp.ClientSession() as http,
    ):
        login = running.url("etrusted", 1)
        async with http.post(login + "/oauth/token", data=FORM) as response:
            token = (await response.json())["access_token"]
        yield Env(running, http, clock, {"Authorization": f"Bearer {token}"})


STORE = build_store(CATALOG, SEED)
"""The test's own copy of the served data (tests never write to it)."""


@pytest.fixture
def store() -> EtrustedStore:
    return STORE


def statement(r: Review) -> bool:
    return r.rating is None or not r.comment


def newest_first(reviews: list[Review]) -> list[str]:
    ordered = sorted(reviews, key=lambda r: (r.submitted_at, r.id), reverse=True)
    return [r.id for r in ordered]


async def walk(env: Env, path: str, **params: str) -> list[dict[str, Any]]:
    """Follow cursor.after to the end, checking each page's envelope."""
    items: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        query = dict(params, **({"after": after} if after else {}))
        status, body = await env.get(path, **query)
        assert status == 200
        assert body["totalElements"] == 0
        assert body["paging"]["count"] == len(body["items"])
        items += body["items"]
        after = body["paging"]["cursor"].get("after")
        if after is None:
            assert "next" not in body["paging"]["links"]
            return items
        assert body["paging"]["cursor"]["after"] == body["items"][-1]["id"]


# --- login host -------------------------------------------------------------


async def test_token_endpoint_answers_keycloak_token_json(env: Env) -> None:
    async with env.http.post(env.login + "/oauth/token", data=FORM) as response:
        assert response.status == 200
        body = await response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == EtrustedSettings().token_lifetime_s == 300
    assert body["scope"]
    assert len(body["access_token"].split(".")) == 3


async def test_token_endpoint_accepts_http_basic_client_auth(env: Env) -> None:
    pair = f"{CREDS.client_id}:{CREDS.client_secret}".encode()
    basic = {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    form = {"grant_type": "client_credentials"}
    async with env.http.post(
        env.login + "/oauth/token", data=form, headers=basic
    ) as response:
        assert response.status == 200
        token = (await response.json())["access_token"]
    env.headers = {"Authorization": f"Bearer {token}"}
    assert (await env.get("/channels"))[0] == 200


BAD_TOKEN_FORMS = [
    ({**FORM, "client_secret": "wrong"}, 401, "invalid_client"),
    ({**FORM, "client_id": "someone-else"}, 401, "invalid_client"),
    ({**FORM, "grant_type": "password"}, 400, "unsupported_grant_type"),
    ({k: v for k, v in FORM.items() if k != "grant_type"}, 400, "invalid_request"),
]


async def test_token_endpoint_rejects_bad_requests_like_keycloak(env: Env) -> None:
    for form, status, error in BAD_TOKEN_FORMS:
        async with env.http.post(env.login + "/oauth/token", data=form) as response:
            assert response.status == status, form
            body = await response.json()
        assert body["error"] == error, form
        assert body["error_description"]


# --- API auth -----------------------------------------------------------------


async def test_api_answers_bare_401_without_a_live_token(env: Env) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic abc"},
    ):
        async with env.http.get(env.api + "/reviews", headers=headers) as response:
            assert response.status == 401, headers
            assert await response.read() == b""


async def test_tokens_expire_by_the_injected_clock(env: Env) -> None:
    lifetime = EtrustedSettings().token_lifetime_s
    env.clock.now = START + timedelta(seconds=lifetime - 1)
    assert (await env.get("/channels"))[0] == 200
    env.clock.now = START + timedelta(seconds=lifetime)
    assert await env.get("/channels") == (401, b"")


# --- reviews list ---------------------------------------------------------------


async def test_list_walks_every_review_once_newest_first(
    env: Env, store: EtrustedStore
) -> None:
    items = await walk(env, "/reviews", count="250")
    expected = newest_first([r for r in store.reviews if not statement(r)])
    assert [i["id"] for i in items] == expected
    status, count = await env.get("/reviews/count")
    assert status == 200
    assert count["totalElements"] == count["count"] == len(items)
    assert count["accountId"] == CREDS.account_id
    assert count["channelList"] == list(CREDS.channel_ids)


async def test_default_page_size_and_links_repeat_the_filters(env: Env) -> None:
    status, body = await env.get("/reviews", rating="5", type="PRODUCT_REVIEW")
    assert status == 200
    assert len(body["items"]) == EtrustedSettings().default_count
    next_link = body["paging"]["links"]["next"]
    assert "rating=5" in next_link
    assert "type=PRODUCT_REVIEW" in next_link
    assert next_link.endswith("after=" + body["items"][-1]["id"])
    second = await env.follow(next_link)
    assert second["items"][0]["id"] not in {i["id"] for i in body["items"]}
    prev_link = second["paging"]["links"]["previous"]
    back = await env.follow(prev_link)
    assert [i["id"] for i in back["items"]] == [i["id"] for i in body["items"]]


async def test_last_page_is_exactly_where_the_reviews_end(env: Env) -> None:
    sku = CATALOG.on("etrusted")[0].sku
    total = (await env.get("/reviews/count", sku=sku))[1]["count"]
    assert total >= 3
    status, full = await env.get("/reviews", sku=sku, count=str(total))
    assert status == 200
    assert len(full["items"]) == total
    assert "after" not in full["paging"]["cursor"]
    assert "next" not in full["paging"]["links"]
    short = (await env.get("/reviews", sku=sku, count=str(total - 1)))[1]
    assert short["paging"]["cursor"]["after"] == full["items"][-2]["id"]
    rest = await env.follow(short["paging"]["links"]["next"])
    assert [i["id"] for i in rest["items"]] == [full["items"][-1]["id"]]
    assert "after" not in rest["paging"]["cursor"]


async def test_before_cursor_returns_the_newer_neighbours(env: Env) -> None:
    everything = await walk(env, "/reviews", count="1000")
    pivot = everything[30]["id"]
    status, body = await env.get("/reviews", before=pivot, count="10")
    assert status == 200
    assert [i["id"] for i in body["items"]] == [i["id"] for i in everything[20:30]]
    assert body["paging"]["cursor"]["after"] == everything[29]["id"]


def _has_sku(r: Review, skus: set[str]) -> bool:
    return r.product is not None and r.product.sku in skus


FILTERS: list[tuple[dict[str, str], Callable[[Review], bool]]] = [
    (
        {"channels": CREDS.channel_ids[1]},
        lambda r: r.channel_id == CREDS.channel_ids[1],
    ),
    ({"rating": "1, 2"}, lambda r: r.rating in (1.0, 2.0)),
    ({"status": "MODERATION,REJECTED"}, lambda r: r.state != "APPROVED"),
    ({"type": "SERVICE_REVIEW"}, lambda r: r.product is None),
    ({"hasReply": "true"}, lambda r: r.reply is not None),
    ({"hasReply": "false"}, lambda r: r.reply is None),
    ({"sku": "APP-1000,OUT-1028"}, lambda r: _has_sku(r, {"APP-1000", "OUT-1028"})),
    (
        {"submittedAfter": "2026-06-01T00:00:00.000Z"},
        lambda r: r.submitted_at > datetime(2026, 6, 1, tzinfo=UTC),
    ),
    (
        {"submittedBefore": "2025-06-01T00:00:00.000+0000"},
        lambda r: r.submitted_at < datetime(2025, 6, 1, tzinfo=UTC),
    ),
]


async def test_filters_select_what_the_store_holds(
    env: Env, store: EtrustedStore
) -> None:
    for params, keep in FILTERS:
        items = await walk(env, "/reviews", count="1000", **params)
        wanted = [r for r in store.reviews if keep(r) and not statement(r)]
        expected = newest_first(wanted)
        assert expected, params
        assert [i["id"] for i in items] == expected, params
        count = (await env.get("/reviews/count", **params))[1]["count"]
        assert count == len(expected), params


async def test_statements_are_ignored_by_default(
    env: Env, store: EtrustedStore
) -> None:
    statements = [r for r in store.reviews if statement(r)]
    assert statements
    all_count = (await env.get("/reviews/count", ignoreStatements="false"))[1]["count"]
    default_count = (await env.get("/reviews/count"))[1]["count"]
    assert all_count == len(store.reviews)
    assert all_count - default_count == len(statements)
    items = await walk(env, "/reviews", count="1000", ignoreStatements="false")
    kinds = {i["id"]: i["feedbackType"] for i in items}
    assert {kinds[r.id] for r in statements} == {"STATEMENT"}
    assert any(i["rating"] is None for i in items)


async def test_query_matches_order_reference_and_email(
    env: Env, store: EtrustedStore
) -> None:
    target = store.reviews[5]
    by_ref = (await env.get("/reviews", query=target.transaction_reference))[1]
    assert [i["id"] for i in by_ref["items"]] == [target.id]
    email = target.customer.email.upper()
    by_mail = (await env.get("/reviews", query=email))[1]
    assert target.id in [i["id"] for i in by_mail["items"]]


async def test_order_by_sorts_descending_on_that_date(env: Env) -> None:
    for order in ("updatedAt", "editedAt", "lastEditedAt"):
        field = "updatedAt" if order == "updatedAt" else "editedAt"
        items = await walk(env, "/reviews", count="1000", orderBy=order)
        dates = [i[field] for i in items if field in i]
        assert dates, order
        assert dates == sorted(dates, reverse=True), order
        # Never-edited reviews come after every edited one.
        assert all(field in i for i in items[: len(dates)]), order


async def test_unknown_order_by_falls_back_to_submitted_at(env: Env) -> None:
    status, body = await env.get("/reviews", orderBy="rating", count="50")
    assert status == 200
    dates = [i["submittedAt"] for i in body["items"]]
    assert dates == sorted(dates, reverse=True)


TIMESTAMPS = (
    "2026-01-01T00:00:00.000Z",
    "2026-01-01T00:00:00.000+0000",
    "2026-01-01T01:00:00+01:00",
    "2026-01-01T00:00:00",
)
BAD_PARAMS: list[dict[str, str]] = [
    {"count": "0"},
    {"count": "1001"},
    {"count": "ten"},
    {"rating": "6"},
    {"rating": "good"},
    {"status": "PUBLISHED"},
    {"type": "SHOP_REVIEW"},
    {"hasReply": "maybe"},
    {"ignoreStatements": "yes"},
    {"submittedAfter": "last tuesday"},
    {"submittedBefore": "2026-13-01T00:00:00.000Z"},
    {"additionalInformation": "VETO,PHOTOS"},
    {"after": "rev-00000000-0000-4000-8000-000000000000"},
]


async def test_submitted_after_accepts_documented_and_plain_iso(
    env: Env, store: EtrustedStore
) -> None:
    cut = datetime(2026, 1, 1, tzinfo=UTC)
    expected = sum(
        1 for r in store.reviews if r.submitted_at > cut and not statement(r)
    )
    for value in TIMESTAMPS:
        status, body = await env.get("/reviews/count", submittedAfter=value)
        assert (status, body["count"]) == (200, expected), value


async def test_bad_parameters_are_a_bare_400(env: Env) -> None:
    for params in BAD_PARAMS:
        assert await env.get("/reviews", **params) == (400, b""), params
        if "additionalInformation" not in params:  # not a parameter of the minimal list
            assert await env.get("/reviews-minimal", **params) == (400, b""), params


async def test_foreign_channels_are_forbidden(env: Env) -> None:
    foreign = "chl-00000000-0000-4000-8000-000000000000"
    assert await env.get("/reviews", channels=foreign) == (403, b"")
    assert await env.get("/reviews/count", channels=foreign) == (403, b"")
    aggregate = f"/channels/{foreign}/service-reviews/aggregate-rating"
    assert await env.get(aggregate) == (403, b"")
    assert await env.get(f"/channels/{foreign}/customer-reviews") == (403, b"")


# --- review shape -----------------------------------------------------------------


def _pick(store: EtrustedStore, test: Callable[[Review], bool]) -> Review:
    return next(r for r in store.reviews if test(r))


async def test_single_review_has_the_documented_shape(
    env: Env, store: EtrustedStore
) -> None:
    review = _pick(store, lambda r: r.product is not None and r.reply is not None)
    status, body = await env.get(f"/reviews/{review.id}")
    assert status == 200
    assert body["_object"] == "CustomerReview"
    assert body["id"] == review.id
    assert body["accountRef"] == CREDS.account_id
    assert body["channelRef"] in CREDS.channel_ids
    assert body["inviteRef"].startswith("inv-")
    assert isinstance(body["rating"], float)
    assert 1.0 <= body["rating"] <= 5.0
    for name in ("createdAt", "updatedAt", "submittedAt"):
        assert TIMESTAMP.match(body[name])
    assert body["feedbackType"] == "REVIEW"
    assert body["state"] in ("APPROVED", "MODERATION")
    assert body["type"] == "PRODUCT_REVIEW"
    assert body["verificationType"] in ("VERIFIED", "UNDEFINED")
    assert set(body["reply"]) == {
        "createdAt",
        "updatedAt",
        "comment",
        "sendNotification",
    }
    assert set(body["customer"]) >= {"firstName", "lastName", "fullName", "email"}
    assert set(body["transaction"]) == {"reference", "date"}
    assert body["event"]["id"].startswith("evt-")
    assert body["questionnaire"]["id"].startswith("qre-")
    assert re.match(r"^[a-z]{2}_[A-Z]{2}$", body["questionnaire"]["locale"])
    assert body["questionnaire"]["templateRef"].startswith("qrt-")
    assert isinstance(body["hasAttachments"], bool)
    product = CATALOG.by_sku(body["product"]["sku"])
    assert product is not None
    assert body["product"]["id"].startswith("prt-")
    assert body["product"]["gtin"] == product.gtin
    assert body["product"]["mpn"] == product.mpn
    assert body["product"]["name"] == product.name
    assert body["product"]["url"] == product.url
    assert body["product"]["imageUrl"] == product.image_url
    assert body["product"]["brand"] == product.brand


async def test_service_reviews_have_no_product(env: Env, store: EtrustedStore) -> None:
    review = _pick(store, lambda r: r.product is None)
    body = (await env.get(f"/reviews/{review.id}"))[1]
    assert body["type"] == "SERVICE_REVIEW"
    assert "product" not in body


async def test_edited_reviews_carry_the_original(
    env: Env, store: EtrustedStore
) -> None:
    review = _pick(store, lambda r: r.edited_at is not None and r.original is not None)
    body = (await env.get(f"/reviews/{review.id}"))[1]
    assert TIMESTAMP.match(body["editedAt"])
    assert set(body["originalReview"]) >= {"rating", "title", "comment"}
    assert "originalReview" in body["additionalInformation"]


async def test_lists_add_additional_information_only_when_asked(
    env: Env, store: EtrustedStore
) -> None:
    review = _pick(store, lambda r: r.veto is not None and r.images != ())
    params = {"query": review.transaction_reference}
    plain = (await env.get("/reviews", **params))[1]["items"][0]
    assert "additionalInformation" not in plain
    assert plain["hasAttachments"] is True
    asked = (await env.get("/reviews", additionalInformation="[VETO]", **params))[1]
    info = asked["items"][0]["additionalInformation"]
    assert set(info) == {"veto"}
    assert set(info["veto"]) == {"createdAt", "comment", "reason", "ticketId"}
    both = await env.get("/reviews", additionalInformation="VETO,ATTACHMENTS", **params)
    images = both[1]["items"][0]["additionalInformation"]["attachments"]["images"]
    assert len(images) == len(review.images)
    assert images[0]["id"].startswith("atc-")
    assert images[0]["urlOriginal"].endswith(images[0]["pathOriginal"])


async def test_minimal_list_pages_the_same_reviews_with_fewer_fields(env: Env) -> None:
    full = await walk(env, "/reviews", count="500", type="SERVICE_REVIEW")
    minimal = await walk(env, "/reviews-minimal", count="500", type="SERVICE_REVIEW")
    assert [i["id"] for i in minimal] == [i["id"] for i in full]
    assert set(minimal[0]) == {
        "id",
        "accountRef",
        "channelRef",
        "rating",
        "title",
        "comment",
        "submittedAt",
        "state",
        "type",
    }


async def test_unknown_review_is_a_bare_404(env: Env) -> None:
    missing = "rev-00000000-0000-4000-8000-000000000000"
    assert await env.get(f"/reviews/{missing}") == (404, b"")
    assert await env.get(f"/reviews/{missing}/vetos") == (404, b"")
    assert await env.send("DELETE", f"/reviews/{missing}/reply") == (404, b"")


# --- writes -------------------------------------------------------------------------


async def test_reply_save_and_delete_change_later_reads(
    env: Env, store: EtrustedStore
) -> None:
    review = _pick(store, lambda r: r.reply is None and r.state == "APPROVED")
    path = f"/reviews/{review.id}/reply"
    body = {"comment": "Thanks for your order!", "sendNotification": True}
    status, reply = await env.send("POST", path, body)
    assert status == 200
    assert reply["comment"] == body["comment"]
    assert reply["createdAt"] == "2026-11-20T12:00:00.000Z"
    read = (await env.get(f"/reviews/{review.id}"))[1]
    assert read["reply"] == reply
    assert read["updatedAt"] == reply["updatedAt"]
    replied = await walk(env, "/reviews", count="1000", hasReply="true")
    assert review.id in {i["id"] for i in replied}
    assert await env.send("DELETE", path) == (204, b"")
    assert "reply" not in (await env.get(f"/reviews/{review.id}"))[1]
    assert await env.send("DELETE", path) == (404, b"")


async def test_reply_update_keeps_its_creation_time(
    env: Env, store: EtrustedStore
) -> None:
    review = _pick(store, lambda r: r.reply is not None and r.state == "APPROVED")
    assert review.reply is not None
    env.clock.now = START + timedelta(minutes=1)
    status, reply = await env.send(
        "POST", f"/reviews/{review.id}/reply", {"comment": "Updated answer"}
    )
    assert status == 200
    assert reply["updatedAt"] == "2026-11-20T12:01:00.000Z"
    assert reply["createdAt"] != reply["updatedAt"]
    assert reply["sendNotification"] is False


BAD_REPLIES: list[Any] = [
    None,
    [],
    {"comment": ""},
    {"sendNotification": True},
    {"comment": "x", "sendNotification": "yes"},
]


async def test_invalid_replies_are_a_bare_400(env: Env, store: EtrustedStore) -> None:
    review = _pick(store, lambda r: r.state == "APPROVED" and r.reply is None)
    for body in BAD_REPLIES:
        status = await env.send("POST", f"/reviews/{review.id}/reply", body)
        assert status == (400, b""), body
    assert "reply" not in (await env.get(f"/reviews/{review.id}"))[1]


async def test_rejected_reviews_cannot_be_replied_to(
    env: Env, store: EtrustedStore
) -> None:
    review = _pick(store, lambda r: r.state == "REJECTED")
    body = {"comment": "Hello"}
    assert await env.send("POST", f"/reviews/{review.id}/reply", body) == (400, b"")


async def test_veto_is_created_once_and_then_readable(
    env: Env, store: EtrustedStore
) -> None:
    review = _pick(store, lambda r: r.veto is None)
    path = f"/reviews/{review.id}/vetos"
    assert await env.get(path) == (404, b"")
    body = {
        "comment": "Never ordered here.",
        "reason": "UNTRUTHFUL",
        "vetoReporterEmail": "merchant@sandbox-shop.example",
    }
    status, veto = await env.send("POST", path, body)
    assert status == 200
    assert veto["id"].startswith("vet-")
    assert re.match(r"^\d{6}$", veto["ticketId"])
    assert (veto["comment"], veto["reason"]) == (body["comment"], body["reason"])
    assert veto["createdAt"] == veto["updatedAt"] == "2026-11-20T12:00:00.000Z"
    assert await env.get(path) == (200, veto)
    read = await env.get(f"/reviews/{review.id}", additionalInformation="VETO")
    assert read[1]["additionalInformation"]["veto"]["ticketId"] == veto["ticketId"]
    assert await env.send("POST", path, body) == (400, b"")


BAD_VETOS: list[Any] = [
    {"reason": "UNTRUTHFUL", "vetoReporterEmail": "a@b.example"},
    {"comment": "x", "reason": "BORING", "vetoReporterEmail": "a@b.example"},
    {"comment": "x", "reason": "ABUSIVE"},
    {"comment": "x", "reason": "ABUSIVE", "vetoReporterEmail": "not-an-email"},
    "not an object",
]


async def test_invalid_vetos_are_a_bare_400(env: Env, store: EtrustedStore) -> None:
    review = _pick(store, lambda r: r.veto is None)
    for body in BAD_VETOS:
        status = await env.send("POST", f"/reviews/{review.id}/vetos", body)
        assert status == (400, b""), body
    assert await env.get(f"/reviews/{review.id}/vetos") == (404, b"")


async def test_inappropriate_image_is_an_accepted_veto_reason(
    env: Env, store: EtrustedStore
) -> None:
    review = _pick(store, lambda r: r.veto is None and r.images != ())
    body = {
        "comment": "Shows a stranger.",
        "reason": "INAPPROPRIATE_IMAGE",
        "vetoReporterEmail": "merchant@sandbox-shop.example",
    }
    assert (await env.send("POST", f"/reviews/{review.id}/vetos", body))[0] == 200


# --- channels, aggregate, deprecated family --------------------------------------


async def test_channels_list_the_account_channels(env: Env) -> None:
    status, channels = await env.get("/channels")
    assert status == 200
    assert [c["id"] for c in channels] == list(CREDS.channel_ids)
    assert [c["name"] for c in channels] == list(CREDS.channel_names)
    assert {c["accountRef"] for c in channels} == {CREDS.account_id}


async def test_aggregate_rating_counts_verified_approved_service_reviews(
    env: Env, store: EtrustedStore
) -> None:
    channel = CREDS.channel_ids[0]
    status, body = await env.get(
        f"/channels/{channel}/service-reviews/aggregate-rating"
    )
    assert status == 200
    assert set(body) == {"7days", "30days", "90days", "365days", "overall"}
    counted = [
        r.rating
        for r in store.reviews
        if r.channel_id == channel
        and r.product is None
        and r.state == "APPROVED"
        and r.verified
        and r.rating is not None
    ]
    overall = body["overall"]
    assert overall["count"] == len(counted)
    assert overall["rating"] == round(sum(counted) / len(counted), 2)
    assert sum(overall["distribution"].values()) == len(counted)
    assert overall["period"]["calculatedAt"] == "2026-11-20T12:00:00.000Z"
    year_start = datetime(2025, 11, 20, tzinfo=UTC)
    in_year = [
        r
        for r in store.reviews
        if r.channel_id == channel
        and r.product is None
        and r.state == "APPROVED"
        and r.verified
        and r.rating is not None
        and r.submitted_at >= year_start
    ]
    assert body["365days"]["count"] == len(in_year)
    assert body["365days"]["period"]["start"] == "2025-11-20T00:00:00.000Z"
    assert body["365days"]["period"]["end"] == "2026-11-20T23:59:59.999Z"
    counts = [body[p]["count"] for p in ("7days", "30days", "90days", "365days")]
    assert counts == sorted(counts)


async def test_deprecated_channel_list_matches_the_new_list(env: Env) -> None:
    channel = CREDS.channel_ids[1]
    old = await walk(env, f"/channels/{channel}/customer-reviews", count="300")
    new = await walk(env, "/reviews", count="300", channels=channel)
    assert old == new


async def test_deprecated_single_review_and_veto_check_the_channel(
    env: Env, store: EtrustedStore
) -> None:
    review = _pick(store, lambda r: r.veto is None)
    other = next(c for c in CREDS.channel_ids if c != review.channel_id)
    own_path = f"/channels/{review.channel_id}/customer-reviews/{review.id}"
    assert (await env.get(own_path))[1]["id"] == review.id
    assert await env.get(f"/channels/{other}/customer-reviews/{review.id}") == (
        404,
        b"",
    )
    body = {"comment": "Fake.", "reason": "ABUSIVE", "channelName": "Sandbox Shop"}
    status, veto = await env.send("POST", own_path + "/vetos", body)
    assert status == 200
    assert await env.get(f"/reviews/{review.id}/vetos") == (200, veto)


# --- faults and the seeded data ---------------------------------------------------


async def test_injected_faults_use_each_hosts_own_error_shape(env: Env) -> None:
    env.running.sandbox.controls["etrusted"].apply(FaultSettings(error_rate=1.0))
    assert await env.get("/reviews") == (503, b"")
    async with env.http.post(env.login + "/oauth/token", data=FORM) as response:
        assert response.status == 503
        assert "error" in await response.json()


def test_store_is_deterministic() -> None:
    first = build_store(CATALOG, SEED)
    second = build_store(CATALOG, SEED)
    assert [r.id for r in first.reviews] == [r.id for r in second.reviews]
    assert first.reviews[0] == second.reviews[0]
    assert [r.id for r in build_store(CATALOG, 2).reviews] != [
        r.id for r in first.reviews
    ]


def test_every_listed_product_has_a_published_review(store: EtrustedStore) -> None:
    published = {
        r.product.sku
        for r in store.reviews
        if r.product is not None and r.state == "APPROVED" and not statement(r)
    }
    assert published == {p.sku for p in CATALOG.on("etrusted")}
    skus = {r.product.sku for r in store.reviews if r.product is not None}
    assert skus <= {p.sku for p in CATALOG.on("etrusted")}


def test_seeded_mix_has_every_kind_of_review(store: EtrustedStore) -> None:
    reviews = store.reviews
    service = [r for r in reviews if r.product is None]
    assert len(service) >= 300
    other_states = sum(1 for r in reviews if r.state != "APPROVED") / len(reviews)
    assert 0.04 <= other_states <= 0.11
    replied = sum(1 for r in reviews if r.reply is not None) / len(reviews)
    assert 0.15 <= replied <= 0.35
    media = sum(1 for r in reviews if r.images) / len(reviews)
    assert 0.08 <= media <= 0.16
    assert any(r.veto for r in reviews)
    assert any(statement(r) for r in reviews)
    assert sum(1 for r in reviews if r.verified) / len(reviews) > 0.85
    assert len({r.locale for r in reviews}) >= 4
