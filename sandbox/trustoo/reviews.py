"""Review endpoints: list, detail, rating summary, create and delete."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from .context import json_object, required_int, state
from .envelope import invalid, not_found, respond
from .query import Query, array, descending, flag, int_array, integer, paging, text
from .review_input import parse_review
from .store import SOURCES, Review, TrustooStore
from .webhooks import CREATED, DELETED

Predicate = Callable[[Review], bool]


def _render(store: TrustooStore) -> Callable[[Review], object]:
    return lambda review: review.to_json(store.products.get(review.product_id))


def _keyword(word: str) -> Predicate:
    needle = word.casefold()
    return lambda r: any(needle in f.casefold() for f in (r.title, r.content, r.author))


def _published(query: Query, default_all: bool, param: bool) -> Predicate | None:
    wanted = flag(query, "is_published") if param else None
    if wanted is None:
        return None if default_all else (lambda r: r.is_published == 1)
    return lambda r: r.is_published == int(wanted)


def _criteria(query: Query, list_all: bool, param: bool) -> list[Predicate]:
    """The ``get_reviews`` filters; every one given must hold."""
    tests: list[Predicate] = []
    product_ids = set(int_array(query, "product_ids", 0))
    if product_ids:
        tests.append(lambda r: r.product_id in product_ids)
    store_only = flag(query, "is_store_review")
    if store_only is not None:
        tests.append(lambda r: (r.product_id == 0) == store_only)
    ratings = set(int_array(query, "ratings", 1, 5))
    if ratings:
        tests.append(lambda r: r.rating in ratings)
    sources = set(array(query, "sources"))
    if sources - set(SOURCES):
        raise invalid(f"sources must be among: {', '.join(SOURCES)}")
    if sources:
        tests.append(lambda r: r.source in sources)
    keyword = text(query, "keyword")
    if keyword:
        tests.append(_keyword(keyword))
    published = _published(query, list_all, param)
    return tests if published is None else [*tests, published]


async def get_reviews(request: web.Request) -> web.Response:
    """GET get_reviews: filtered, sorted by creation, paged."""
    st = state(request)
    settings = st.settings
    page = paging(request.query, settings.max_page_size)
    desc = descending(request.query)
    tests = _criteria(
        request.query, settings.list_unpublished, settings.is_published_filter
    )
    chosen = [r for r in st.store.reviews.values() if all(t(r) for t in tests)]
    field = settings.sort_field
    chosen.sort(key=lambda r: (getattr(r, field), r.id), reverse=desc)
    return respond(st.now(), page.body(chosen, _render(st.store)))


async def get_review(request: web.Request) -> web.Response:
    """GET get_review?id=: one review, published or not."""
    st = state(request)
    review_id = integer(request.query, "id", 1)
    if review_id is None:
        raise invalid("id is required")
    review = st.store.review(review_id)
    return respond(st.now(), _render(st.store)(review))


@dataclass(frozen=True, slots=True)
class _Scope:
    """Which reviews a ``get_rating`` call summarises."""

    test: Predicate | None
    """``None``: an unknown product (no reviews)."""


def _rating_scope(store: TrustooStore, query: Query) -> _Scope:
    # The flags win over the product, in the docs' parameter order reversed: the
    # docs' own sample sends product_id, product_handle=undefined and
    # is_store_rating=1 together and gets the store rating.
    if flag(query, "is_all_rating"):
        return _Scope(lambda r: True)
    if flag(query, "is_all_products_rating"):
        return _Scope(lambda r: r.product_id != 0)
    if flag(query, "is_store_rating"):
        return _Scope(lambda r: r.product_id == 0)
    product_id = integer(query, "product_id", 0)
    handle = text(query, "product_handle")
    if product_id is None and handle is None:
        raise invalid("product_id or product_handle is required")
    if product_id == 0:
        return _Scope(lambda r: r.product_id == 0)
    found = store.products.get(product_id) if product_id is not None else None
    if found is None and handle is not None:
        found = next((p for p in store.products.values() if p.handle == handle), None)
    if found is None:
        return _Scope(None)
    wanted = found.trustoo_product_id
    return _Scope(lambda r: r.product_id == wanted)


def rating_value(ratings: list[int], decimals: int) -> str:
    """The average as Trustoo prints it: a string, rounded, zeros trimmed."""
    if not ratings:
        return "0"
    average = round(sum(ratings) / len(ratings), decimals)
    return (
        f"{average:.{decimals}f}".rstrip("0").rstrip(".")
        if decimals
        else str(int(average))
    )


async def get_rating(request: web.Request) -> web.Response:
    """GET get_rating: average and star counts of published reviews in scope."""
    st = state(request)
    scope = _rating_scope(st.store, request.query)
    if scope.test is None and st.settings.unknown_product_rating_not_found:
        raise not_found("product not found")
    test = scope.test or (lambda r: False)
    ratings = [
        r.rating for r in st.store.reviews.values() if r.is_published and test(r)
    ]
    data: dict[str, object] = {
        "rating_value": rating_value(ratings, st.settings.rating_decimals),
        "review_count": len(ratings),
    }
    data |= {f"star{n}_count": ratings.count(n) for n in range(1, 6)}
    return respond(st.now(), data)


async def create_review(request: web.Request) -> web.Response:
    """POST create_review: validate, store, answer per ``create_review_response``."""
    st = state(request)
    now = st.now()
    given = parse_review(await json_object(request), now)
    product = st.store.products.get(given.product_id)
    if given.product_id and product is None:
        raise not_found(f"product {given.product_id} not found")
    texts = given.texts
    review = st.store.add_review(
        Review(
            id=st.store.next_review_id(),
            product_id=given.product_id,
            rating=given.rating,
            author=given.author,
            author_email=texts["author_email"],
            author_phone=texts["author_phone"],
            author_country=texts["author_country"],
            title=texts["title"],
            content=texts["content"],
            commented_at=given.commented_at,
            created_at=now,
            updated_at=now,
            source=given.source,
            item_type=texts["item_type"],
            order_id=given.order_id,
            tag=texts["tag"],
            media=given.media,
            reply=given.reply,
            is_verified=given.flags["is_verified"],
            is_featured=given.flags["is_featured"],
            is_published=given.flags["is_published"],
            is_top=given.flags["is_top"],
        )
    )
    st.webhooks.publish(CREATED, [review])
    if st.settings.create_review_response == "empty":
        return web.json_response({})
    return respond(now, review.to_json(product))


async def delete_review(request: web.Request) -> web.Response:
    """POST delete_review {id}: code 5 when there is no such review."""
    st = state(request)
    review = st.store.review(required_int(await json_object(request), "id"))
    st.store.delete_review(review.id)
    st.webhooks.publish(DELETED, [review])
    return respond(st.now(), None)
