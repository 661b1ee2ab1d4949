"""Malformed stored orders: searchOrders and getOrder serve them as stored and never fail.

Tests of the addon load bad v2026 orders through ``POST /_emulator/orders`` to check that the
addon refuses them; Amazon returns what it holds, so the emulator must too, without a 500 and
without breaking the search for the other orders.
"""

from datetime import datetime

import httpx
import pytest

from .conftest import DE, SELLER_ID

SEARCH = "/orders/2026-01-01/orders"
EVERY_DATASET = (
    "BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX,PAYMENT,"
    "FULFILLMENT_ORDERS"
)
NO_GRANT_SELLER = "A3NOGRANTS"


def junk(make_order, n, **replaced):
    """``make_order``'s order with some parts replaced (``None`` removes the part)."""
    order = make_order(f"302-2000000-{n:07d}", created=f"2026-01-10T10:{n:02d}:00Z")
    for key, value in replaced.items():
        if value is None:
            del order[key]
        else:
            order[key] = value
    return order


JUNK = {
    "no optional parts": {
        "buyer": None,
        "recipient": None,
        "proceeds": None,
        "fulfillment": None,
        "orderItems": None,
    },
    "lists and strings for objects": {
        "buyer": ["Erika Mustermann"],
        "recipient": "Heidestrasse 17, Koeln",
        "proceeds": "19.99 EUR",
        "fulfillment": ["UNSHIPPED"],
        "orderItems": {"orderItemId": "IT-1"},
        "programs": "PRIME",
    },
    "junk inside": {
        "buyer": {"buyerName": 42, "buyerEmail": None},
        "recipient": {"deliveryAddress": ["Heidestrasse 17"], "deliveryPreference": 7},
        "proceeds": {"grandTotal": {"amount": 19.99, "currencyCode": ["EUR"]}},
        "fulfillment": {"fulfillmentStatus": ["SHIPPED"], "fulfilledBy": {"by": "MERCHANT"}},
        "orderItems": [
            "an item",
            None,
            17,
            {
                "orderItemId": 5,
                "quantityOrdered": "two",
                "product": "mug",
                "fulfillment": {"packing": {"giftOption": "Happy birthday"}},
            },
        ],
        "packages": {"packageReferenceId": 1},
    },
    "NUL characters and huge strings": {
        "buyer": {"buyerName": "Erika\u0000Mustermann", "buyerCompanyName": "x" * 1_000_000},
        "recipient": {"deliveryAddress": {"city": "K\u0000ln", "addressLine1": "y" * 100_000}},
    },
}


@pytest.fixture
def control(emulator):
    with httpx.Client(base_url=emulator.base_url, timeout=30) as client:
        yield client


@pytest.fixture
def raw_api(emulator, access_token):
    """GET on the SP-API with a seller's token, as a client that sends no marketplace filter;
    every dataset unless ``includedData`` is given."""
    emulator.add_seller(NO_GRANT_SELLER, marketplace_ids=[DE], refresh_token="Atzr|no-grants")
    tokens = {}

    def get(path, seller_id=SELLER_ID, includedData=EVERY_DATASET, **params):
        if seller_id not in tokens:
            tokens[seller_id] = access_token(emulator.sellers[seller_id])
        headers = {"x-amz-access-token": tokens[seller_id]}
        params["includedData"] = includedData
        return httpx.get(emulator.base_url + path, params=params, headers=headers, timeout=30)

    return get


def load(control, orders, seller_id=SELLER_ID):
    answer = control.post("/_emulator/orders", json={"seller_id": seller_id, "orders": orders})
    assert answer.status_code == 200, answer.text
    return answer.json()["orderIds"]


@pytest.mark.parametrize("replaced", JUNK.values(), ids=JUNK.keys())
def test_junk_is_served_as_stored_by_search_and_get_order(control, raw_api, make_order, replaced):
    good = make_order("302-2000000-0000001")
    bad = junk(make_order, 2, **replaced)
    load(control, [good, bad])

    search = raw_api(SEARCH, createdAfter="2026-01-01T00:00:00Z")
    assert search.status_code == 200
    assert search.json()["orders"] == [good, bad]
    got = raw_api(f"{SEARCH}/{bad['orderId']}")
    assert got.status_code == 200
    assert got.json() == {"order": bad}


@pytest.mark.parametrize("replaced", JUNK.values(), ids=JUNK.keys())
def test_junk_never_breaks_filters_or_pii_hiding(control, raw_api, make_order, replaced):
    good = make_order("302-2000000-0000001", status="SHIPPED")
    bad = junk(make_order, 2, **replaced)
    load(control, [good, bad], seller_id=NO_GRANT_SELLER)

    search = raw_api(
        SEARCH,
        seller_id=NO_GRANT_SELLER,
        createdAfter="2026-01-01T00:00:00Z",
        fulfillmentStatuses="SHIPPED",
        fulfilledBy="MERCHANT",
        marketplaceIds=DE,
    )
    assert search.status_code == 200
    assert [order["orderId"] for order in search.json()["orders"]] == [good["orderId"]]
    got = raw_api(f"{SEARCH}/{bad['orderId']}", seller_id=NO_GRANT_SELLER)
    assert got.status_code == 200
    assert got.json()["order"]["orderId"] == bad["orderId"]


def test_junk_on_a_pii_path_is_served_as_stored_without_the_grant(control, raw_api, make_order):
    bad = junk(
        make_order,
        3,
        buyer=["Erika Mustermann"],
        recipient={"deliveryAddress": "Heidestrasse 17, 51147 Koeln"},
    )
    load(control, [bad], seller_id=NO_GRANT_SELLER)
    order = raw_api(
        f"{SEARCH}/{bad['orderId']}", seller_id=NO_GRANT_SELLER, includedData="BUYER,RECIPIENT"
    ).json()["order"]
    assert order["buyer"] == ["Erika Mustermann"]
    assert order["recipient"] == {"deliveryAddress": "Heidestrasse 17, 51147 Koeln"}


@pytest.mark.parametrize(
    "unusable",
    [
        {"createdTime": "yesterday"},
        {"createdTime": 1767002400},
        {"createdTime": None},
        {"createdTime": "\u00002026-01-10T10:00:00Z"},
        {"orderId": 302},
    ],
    ids=["not a date", "a number", "null", "NUL character", "number as orderId"],
)
def test_orders_with_unusable_search_keys_are_skipped_not_fatal(
    control, raw_api, make_order, unusable
):
    first, last = make_order("302-2000000-0000001"), make_order("302-2000000-0000003")
    bad = {**make_order("302-2000000-0000002"), **unusable}
    load(control, [first, bad, last])

    search = raw_api(SEARCH, createdAfter="2026-01-01T00:00:00Z", maxResultsPerPage=1)
    assert search.status_code == 200
    second = raw_api(SEARCH, paginationToken=search.json()["pagination"]["nextToken"])
    assert [search.json()["orders"], second.json()["orders"]] == [[first], [last]]
    if isinstance(bad["orderId"], str):  # getOrder still answers what is stored
        assert raw_api(f"{SEARCH}/{bad['orderId']}").json() == {"order": bad}


def test_a_missing_window_time_skips_the_order_for_that_window_only(control, raw_api, make_order):
    order = make_order("302-2000000-0000001")
    del order["lastUpdatedTime"]
    load(control, [order])
    by_update = raw_api(SEARCH, lastUpdatedAfter="2026-01-01T00:00:00Z")
    by_creation = raw_api(SEARCH, createdAfter="2026-01-01T00:00:00Z")
    assert (by_update.status_code, by_update.json()["orders"]) == (200, [])
    assert by_creation.json()["orders"] == [order]


def test_values_json_cannot_hold_are_refused_at_load(emulator, make_order):
    order = make_order("302-2000000-0000001")
    order["createdTime"] = datetime(2026, 1, 10)
    with pytest.raises(TypeError):
        emulator.load_orders(SELLER_ID, [order])
    assert "302-2000000-0000001" not in emulator.orders
