"""Orders v2026-01-01 searchOrders / getOrder through python-amazon-sp-api, checked on the model."""

from datetime import timedelta

import httpx
import pytest
import sp_api.auth.access_token_client as token_module
from sp_api.api import Orders
from sp_api.base import SellingApiBadRequestException, SellingApiNotFoundException

from spapi_emulator.clock import isoformat

from . import modelcheck
from .conftest import DE, FR, SELLER_ID

OTHER_SELLER = "A3OTHERSELLER9"
SEARCH = "/orders/2026-01-01/orders"


def order_id(n):
    return f"302-{n:07d}-{n:07d}"


@pytest.fixture
def orders_api(sp_client):
    return sp_client(Orders, version="2026-01-01")


@pytest.fixture
def seven_orders(emulator, make_order):
    """Seven orders created a minute apart on 2026-01-10 (ids 1..7), plus another seller's."""
    orders = [
        make_order(
            order_id(n),
            created=f"2026-01-10T10:0{n}:00Z",
            updated=f"2026-01-11T10:0{n}:00Z",
        )
        for n in range(1, 8)
    ]
    for order in orders:
        modelcheck.validate("orders", "Order", order)
    emulator.load_orders(SELLER_ID, orders)
    emulator.add_seller(OTHER_SELLER, marketplace_ids=[DE], refresh_token="Atzr|other")
    emulator.load_orders(OTHER_SELLER, [make_order(order_id(99), created="2026-01-10T10:30:00Z")])
    return [order["orderId"] for order in orders]


def search(orders_api, **kwargs):
    answer = orders_api.search_orders(**kwargs)
    modelcheck.validate("orders", "SearchOrdersResponse", answer.payload)
    return answer


def ids(answer):
    return [order["orderId"] for order in answer.payload["orders"]]


def test_search_returns_the_callers_orders_sorted_with_the_window_echoed(
    emulator, orders_api, seven_orders
):
    started = isoformat(emulator.clock.now())
    answer = search(orders_api, createdAfter="2026-01-10T10:02:00Z")
    assert ids(answer) == seven_orders[1:]  # at-or-after, and not the other seller's order
    assert answer.next_token is None
    assert "pagination" not in answer.payload
    assert started <= answer.payload["createdBefore"] <= isoformat(emulator.clock.now())
    assert answer.rate_limit == "0.0056"


def test_pagination_walks_every_order_once_and_page_size_may_change(orders_api, seven_orders):
    query = {
        "createdAfter": "2026-01-01T00:00:00Z",
        "createdBefore": "2026-01-10T10:05:30Z",
    }
    first = search(orders_api, maxResultsPerPage=2, **query)
    assert ids(first) == seven_orders[:2]
    assert first.payload["createdBefore"] == "2026-01-10T10:05:30Z"
    second = search(orders_api, maxResultsPerPage=1, paginationToken=first.next_token, **query)
    assert ids(second) == seven_orders[2:3]
    # A continuation may omit the parameters: the token carries the search.
    last = search(orders_api, paginationToken=second.next_token)
    assert ids(last) == seven_orders[3:5]
    assert last.next_token is None


def test_pagination_token_expires_after_24_hours(emulator, orders_api, seven_orders):
    first = search(orders_api, createdAfter="2026-01-01T00:00:00Z", maxResultsPerPage=3)
    emulator.clock.advance(24 * 3600 + 1)
    token_module.cache.clear()  # the access token expired too
    with pytest.raises(SellingApiBadRequestException) as raised:
        orders_api.search_orders(paginationToken=first.next_token)
    assert raised.value.amzn_code == "InvalidInput"
    assert "expired" in raised.value.message


def test_pagination_token_needs_the_same_parameters(orders_api, seven_orders):
    first = search(orders_api, createdAfter="2026-01-01T00:00:00Z", maxResultsPerPage=3)
    with pytest.raises(SellingApiBadRequestException, match="createdAfter"):
        orders_api.search_orders(
            createdAfter="2026-01-05T00:00:00Z", paginationToken=first.next_token
        )
    with pytest.raises(SellingApiBadRequestException, match="paginationToken is invalid"):
        orders_api.search_orders(paginationToken=first.next_token[:-1] + "x")


def test_pagination_token_is_the_sellers_own(emulator, orders_api, sp_client, seven_orders):
    first = search(orders_api, createdAfter="2026-01-01T00:00:00Z", maxResultsPerPage=3)
    other = sp_client(Orders, seller=emulator.sellers[OTHER_SELLER], version="2026-01-01")
    with pytest.raises(SellingApiBadRequestException, match="paginationToken is invalid"):
        other.search_orders(paginationToken=first.next_token)


def test_keyset_pagination_never_skips_an_order_that_changes_while_paging(
    emulator, orders_api, seven_orders
):
    emulator.clock.set_speed(0)
    window = {"lastUpdatedAfter": "2026-01-11T00:00:00Z", "maxResultsPerPage": 3}
    first = search(orders_api, **window)
    assert ids(first) == seven_orders[:3]
    emulator.clock.advance(1)
    emulator.touch(seven_orders[0])  # already returned: now past the frozen window end
    emulator.touch(seven_orders[4])  # not yet returned: leaves this search...
    rest = search(orders_api, paginationToken=first.next_token)
    rest_ids = ids(rest)
    while rest.next_token:
        rest = search(orders_api, paginationToken=rest.next_token)
        rest_ids += ids(rest)
    assert rest_ids == [seven_orders[i] for i in (3, 5, 6)]
    # ...and the next incremental search, from the echoed end, finds both changed orders.
    following = search(orders_api, lastUpdatedAfter=first.payload["lastUpdatedBefore"])
    assert ids(following) == [seven_orders[0], seven_orders[4]]


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({}, "Exactly one of createdAfter and lastUpdatedAfter"),
        ({"createdBefore": "2026-01-10T00:00:00Z"}, "Exactly one of createdAfter"),
        (
            {
                "createdAfter": "2026-01-01T00:00:00Z",
                "lastUpdatedAfter": "2026-01-01T00:00:00Z",
            },
            "cannot be combined",
        ),
        (
            {
                "createdAfter": "2026-01-01T00:00:00Z",
                "lastUpdatedBefore": "2026-01-02T00:00:00Z",
            },
            "cannot be combined",
        ),
        (
            {
                "createdAfter": "2026-01-05T00:00:00Z",
                "createdBefore": "2026-01-04T00:00:00Z",
            },
            "createdBefore must be equal to or after createdAfter",
        ),
        ({"createdAfter": "yesterday"}, "not a valid ISO 8601"),
        (
            {"createdAfter": "2026-01-01T00:00:00Z", "maxResultsPerPage": 0},
            "between 1 and 100",
        ),
        (
            {"createdAfter": "2026-01-01T00:00:00Z", "maxResultsPerPage": 101},
            "between 1 and 100",
        ),
        (
            {"createdAfter": "2026-01-01T00:00:00Z", "maxResultsPerPage": "x"},
            "between 1 and 100",
        ),
        (
            {
                "createdAfter": "2026-01-01T00:00:00Z",
                "fulfillmentStatuses": ["Shipped"],
            },
            "fulfillmentStatuses",
        ),
        (
            {"createdAfter": "2026-01-01T00:00:00Z", "fulfilledBy": ["MFN"]},
            "fulfilledBy",
        ),
        (
            {"createdAfter": "2026-01-01T00:00:00Z", "marketplaceIds": ["XX"]},
            "marketplaceIds",
        ),
        (
            {"createdAfter": "2026-01-01T00:00:00Z", "includedData": ["ITEMS"]},
            "includedData",
        ),
    ],
)
def test_invalid_searches_are_400_invalid_input(orders_api, params, fragment):
    with pytest.raises(SellingApiBadRequestException) as raised:
        orders_api.search_orders(**params)
    assert raised.value.amzn_code == "InvalidInput"
    assert fragment in raised.value.message
    modelcheck.validate("orders", "ErrorList", {"errors": raised.value.error})


def test_before_bound_must_be_two_minutes_old(emulator, orders_api, seven_orders):
    now = emulator.clock.now()
    recent = isoformat(now - timedelta(seconds=100))
    with pytest.raises(SellingApiBadRequestException, match="at least two minutes before"):
        orders_api.search_orders(lastUpdatedAfter="2026-01-01T00:00:00Z", lastUpdatedBefore=recent)
    old_enough = isoformat(now - timedelta(seconds=130))
    answer = search(
        orders_api,
        lastUpdatedAfter="2026-01-01T00:00:00Z",
        lastUpdatedBefore=old_enough,
    )
    assert ids(answer) == seven_orders
    assert answer.payload["lastUpdatedBefore"] == old_enough


def test_filters(emulator, orders_api, make_order, seven_orders):
    emulator.load_orders(
        SELLER_ID,
        [
            make_order(order_id(20), status="SHIPPED", marketplace_id=FR),
            make_order(order_id(21), status="SHIPPED", fulfilled_by="AMAZON"),
        ],
    )
    since = {"createdAfter": "2026-01-01T00:00:00Z"}
    shipped = search(orders_api, fulfillmentStatuses=["SHIPPED", "CANCELLED"], **since)
    assert ids(shipped) == [order_id(21)]  # sp_api adds the client's marketplace (DE) by default
    in_france = search(orders_api, marketplaceIds=[FR], **since)
    assert ids(in_france) == [order_id(20)]
    both = search(orders_api, marketplaceIds=[DE, FR], fulfillmentStatuses="SHIPPED", **since)
    assert ids(both) == [order_id(20), order_id(21)]
    by_amazon = search(orders_api, fulfilledBy=["AMAZON"], **since)
    assert ids(by_amazon) == [order_id(21)]


def test_without_included_data_only_basic_information_is_returned(orders_api, seven_orders):
    (order, *_) = search(orders_api, createdAfter="2026-01-01T00:00:00Z").payload["orders"]
    assert set(order) == {
        "orderId",
        "createdTime",
        "lastUpdatedTime",
        "programs",
        "salesChannel",
        "orderItems",
    }
    assert set(order["orderItems"][0]) == {"orderItemId", "quantityOrdered", "product"}


def test_included_data_adds_datasets(orders_api, seven_orders):
    answer = search(
        orders_api,
        createdAfter="2026-01-01T00:00:00Z",
        includedData=["FULFILLMENT", "PROCEEDS", "BUYER", "RECIPIENT"],
    )
    order = answer.payload["orders"][0]
    assert order["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
    assert order["proceeds"]["grandTotal"] == {"amount": "19.99", "currencyCode": "EUR"}
    assert order["buyer"]["buyerName"] == "Erika Mustermann"
    assert order["recipient"]["deliveryAddress"]["addressLine1"] == "Heidestrasse 17"
    assert order["recipient"]["deliveryPreference"] == {"addressInstruction": "Ring twice"}
    item = order["orderItems"][0]
    assert set(item) == {
        "orderItemId",
        "quantityOrdered",
        "product",
        "proceeds",
        "fulfillment",
    }


def test_get_order_returns_items_inline(orders_api, seven_orders):
    answer = orders_api.get_order(seven_orders[0], includedData="FULFILLMENT")
    modelcheck.validate("orders", "GetOrderResponse", answer.payload)
    order = answer.payload["order"]
    assert order["orderId"] == seven_orders[0]
    assert order["orderItems"][0]["product"]["sellerSku"] == "SKU-1"
    assert order["fulfillment"]["fulfilledBy"] == "MERCHANT"
    assert answer.rate_limit == "0.5"


@pytest.mark.parametrize("wanted", [order_id(99), "999-0000000-0000000"])
def test_get_order_of_another_seller_or_unknown_is_404(orders_api, seven_orders, wanted):
    with pytest.raises(SellingApiNotFoundException) as raised:
        orders_api.get_order(wanted)
    assert raised.value.amzn_code == "NotFound"


def test_raw_repeated_and_comma_separated_lists_mean_the_same(
    emulator, access_token, seven_orders, make_order
):
    emulator.load_orders(SELLER_ID, [make_order(order_id(30), status="SHIPPED")])
    headers = {"x-amz-access-token": access_token()}
    base = "?createdAfter=2026-01-01T00:00:00Z&"
    comma = httpx.get(
        emulator.base_url + SEARCH + base + "fulfillmentStatuses=SHIPPED,PENDING",
        headers=headers,
    )
    repeated = httpx.get(
        emulator.base_url
        + SEARCH
        + base
        + "fulfillmentStatuses=SHIPPED&fulfillmentStatuses=PENDING",
        headers=headers,
    )
    assert comma.json()["orders"] == repeated.json()["orders"]
    assert [o["orderId"] for o in comma.json()["orders"]] == [order_id(30)]


def test_three_hundred_generated_orders_page_through_with_sp_api(emulator, orders_api):
    emulator.seed_orders(SELLER_ID, seed=7, count=300, marketplace_ids=[DE])
    assert len(emulator.orders) == 300
    since = isoformat(emulator.clock.now() - timedelta(days=400))
    answer = search(orders_api, createdAfter=since, includedData=["FULFILLMENT", "BUYER"])
    seen = ids(answer)
    pages = 1
    while answer.next_token:
        answer = search(orders_api, createdAfter=since, paginationToken=answer.next_token)
        seen += ids(answer)
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(emulator.orders)
    assert len(set(seen)) == 300
    created = [emulator.orders[i]["createdTime"] for i in seen]
    assert created == sorted(created)


def test_business_buyers_vat_registration_comes_with_tax(emulator, orders_api):
    emulator.seed_orders(SELLER_ID, seed=3, count=400)
    business = next(order for order in emulator.orders.values() if "tax" in order)
    order_id = business["orderId"]

    with_tax = orders_api.get_order(order_id, includedData=["TAX", "BUYER"]).payload
    without = orders_api.get_order(order_id, includedData=["BUYER"]).payload

    modelcheck.validate("orders", "GetOrderResponse", with_tax)
    (registration,) = with_tax["order"]["tax"]["taxRegistrations"]
    assert registration["entityType"] == "BUYER"
    assert registration["taxRegistrationType"] == "VAT"
    assert registration["legalName"] == with_tax["order"]["buyer"]["buyerCompanyName"]
    assert registration["taxRegistrationNumber"][:2] in ("DE", "FR")
    assert "tax" not in without["order"]
