"""reportReview (eTrusted veto): the reference for every write's behaviour."""

from typing import Any

from gateway.records import ReviewKey
from resolvers.ids import decode_review
from tests.graph.conftest import SERVER_KEY, Gateway

REPORT = """
mutation ($input: ReportReviewInput!) {
  reportReview(input: $input) {
    report { id ticketId reason createdAt }
    userErrors { field message code providerMessage }
    clientMutationId
  }
}
"""
REVIEWS = """
query ($sku: String!, $providers: [Provider!]) {
  product(sku: $sku) {
    reviews(first: 5, filter: {providers: $providers}) { edges { node { id } } }
  }
}
"""


async def _review_id(gateway: Gateway, provider: str) -> str:
    sku = gateway.sandbox.catalog.products[0].sku
    data = await gateway.data(REVIEWS, {"sku": sku, "providers": [provider]})
    return str(data["product"]["reviews"]["edges"][0]["node"]["id"])


def _input(review_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "reviewId": review_id,
        "reason": "ABUSIVE",
        "comment": "Insults our staff by name.",
        "reporterEmail": "moderation@sandbox-shop.example",
        **extra,
    }


def _vetos(gateway: Gateway) -> list[Any]:
    return [c for c in gateway.calls("etrusted") if c.path.endswith("/vetos")]


async def test_a_report_reaches_the_platform_once_per_key(gateway: Gateway) -> None:
    review_id = await _review_id(gateway, "ETRUSTED")
    variables = {"input": _input(review_id, clientMutationId="veto-1")}
    first = await gateway.data(REPORT, variables, key=SERVER_KEY)
    again = await gateway.data(REPORT, variables, key=SERVER_KEY)
    payload = first["reportReview"]
    assert payload["userErrors"] == []
    assert payload["report"]["reason"] == "ABUSIVE"
    assert len(payload["report"]["ticketId"]) == 6
    assert payload["clientMutationId"] == "veto-1"
    assert again == first
    assert [c.method for c in _vetos(gateway)] == ["POST"]
    reused = await gateway.data(
        REPORT,
        {"input": _input(review_id, clientMutationId="veto-1", comment="x")},
        key=SERVER_KEY,
    )
    assert reused["reportReview"]["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(_vetos(gateway)) == 1


async def test_the_platforms_refusal_is_a_user_error(gateway: Gateway) -> None:
    review_id = await _review_id(gateway, "ETRUSTED")
    await gateway.data(REPORT, {"input": _input(review_id)}, key=SERVER_KEY)
    second = await gateway.data(REPORT, {"input": _input(review_id)}, key=SERVER_KEY)
    errors = second["reportReview"]["userErrors"]
    assert second["reportReview"]["report"] is None
    # eTrusted refuses a second veto with a bare 400; reading the veto tells why.
    assert [e["code"] for e in errors] == ["ALREADY_REPORTED"]
    assert [c.method for c in _vetos(gateway)] == ["POST", "POST", "GET"]


async def test_bad_input_is_refused_before_any_call(gateway: Gateway) -> None:
    etrusted = await _review_id(gateway, "ETRUSTED")
    trustoo = await _review_id(gateway, "TRUSTOO")
    gateway.sandbox.log.clear()
    cases = [
        (_input(etrusted, reporterEmail=None), ["input", "reporterEmail"], "REQUIRED"),
        (
            _input(etrusted, reporterEmail="nope"),
            ["input", "reporterEmail"],
            "INVALID_EMAIL",
        ),
        (_input(etrusted, comment=""), ["input", "comment"], "REQUIRED"),
        (_input(etrusted, comment="x" * 4001), ["input", "comment"], "INVALID_LENGTH"),
        (_input("not-an-id"), ["input", "reviewId"], "INVALID_ID"),
        (_input(trustoo), ["input", "reviewId"], "UNSUPPORTED_BY_PROVIDER"),
    ]
    for variables, field, code in cases:
        data = await gateway.data(REPORT, {"input": variables}, key=SERVER_KEY)
        errors = data["reportReview"]["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], variables
    assert gateway.calls() == []


async def test_anonymous_callers_never_write(gateway: Gateway) -> None:
    review_id = await _review_id(gateway, "ETRUSTED")
    gateway.sandbox.log.clear()
    status, body = await gateway.query(REPORT, {"input": _input(review_id)})
    assert status == 200
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert gateway.calls() == []


async def test_the_veto_is_stored_at_the_platform(gateway: Gateway) -> None:
    review_id = await _review_id(gateway, "ETRUSTED")
    data = await gateway.data(REPORT, {"input": _input(review_id)}, key=SERVER_KEY)
    key: ReviewKey = decode_review(review_id).key
    creds = gateway.sandbox.catalog.credentials.etrusted
    async with gateway.http.post(
        gateway.sandbox.url("etrusted", 1) + "/oauth/token",
        data={
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "grant_type": "client_credentials",
        },
    ) as response:
        token = (await response.json())["access_token"]
    async with gateway.http.get(
        gateway.sandbox.url("etrusted") + f"/reviews/{key.id}/vetos",
        headers={"Authorization": f"Bearer {token}"},
    ) as response:
        veto = await response.json()
    assert veto["id"] == data["reportReview"]["report"]["id"]
    assert veto["reason"] == "ABUSIVE"
