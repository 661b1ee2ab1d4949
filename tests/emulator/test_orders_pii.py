"""Personal data in Orders v2026-01-01, as Amazon's "Access Orders PII" page lists it.

PII: buyer.buyerEmail, buyer.buyerName, the items' giftOption.giftMessage and
customization.customizedUrl, and the delivery address's name, addressLine1-3, postalCode, phone
and extendedFields. Everything else is served without the seller's grant.
"""

import copy

import pytest
from sp_api.api import Orders

from . import modelcheck
from .conftest import DE

ORDER_ID = "302-1000001-1000001"
WITH_PII = ["BUYER", "RECIPIENT", "FULFILLMENT"]


def business_order(order_id=ORDER_ID):
    """An order holding every PII field of the page and every non-PII neighbour."""
    order = {
        "orderId": order_id,
        "createdTime": "2026-01-10T10:00:00Z",
        "lastUpdatedTime": "2026-01-10T10:00:00Z",
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": DE,
            "marketplaceName": "Amazon.de",
        },
        "buyer": {
            "buyerName": "Erika Mustermann",
            "buyerEmail": "erika@marketplace.amazon.de",
            "buyerCompanyName": "Muster Werkzeuge GmbH",
            "buyerPurchaseOrderNumber": "PO-4711",
        },
        "recipient": {
            "deliveryAddress": {
                "name": "Erika Mustermann",
                "companyName": "Muster Werkzeuge GmbH",
                "addressLine1": "Heidestrasse 17",
                "addressLine2": "Hinterhaus",
                "addressLine3": "3. OG",
                "city": "Koeln",
                "districtOrCounty": "Porz",
                "stateOrRegion": "Nordrhein-Westfalen",
                "municipality": "Koeln",
                "postalCode": "51147",
                "countryCode": "DE",
                "phone": "+49 221 1234567",
                "extendedFields": {"streetName": "Heidestrasse", "streetNumber": "17"},
                "addressType": "COMMERCIAL",
            },
            "deliveryPreference": {"dropOffLocation": "Reception"},
        },
        "fulfillment": {"fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT"},
        "orderItems": [
            {
                "orderItemId": "IT-1",
                "quantityOrdered": 1,
                "product": {
                    "asin": "B000TEST01",
                    "sellerSku": "MUG-CUSTOM",
                    "customization": {"customizedUrl": "https://example.com/custom/IT-1.zip"},
                },
                "fulfillment": {
                    "quantityFulfilled": 0,
                    "quantityUnfulfilled": 1,
                    "packing": {
                        "giftOption": {
                            "giftMessage": "Alles Gute, Jörg!",
                            "giftWrapLevel": "PREMIUM",
                        }
                    },
                },
            },
            {
                "orderItemId": "IT-2",
                "quantityOrdered": 1,
                "product": {"asin": "B000TEST02", "sellerSku": "CARD"},
                "fulfillment": {
                    "quantityFulfilled": 0,
                    "quantityUnfulfilled": 1,
                    "packing": {"giftOption": {"giftMessage": "Für dich"}},
                },
            },
        ],
    }
    modelcheck.validate("orders", "Order", order)
    return order


@pytest.fixture
def seller_with(emulator, sp_client):
    """A seller whose app holds ``granted`` with ``orders`` loaded; returns its Orders client."""

    def make(granted, *orders):
        seller_id = "A3PII" + ("".join(sorted(granted)) or "NONE")
        emulator.add_seller(
            seller_id, marketplace_ids=[DE], granted_data=granted, refresh_token=f"Atzr|{seller_id}"
        )
        emulator.load_orders(seller_id, list(orders) or [business_order()])
        return sp_client(Orders, seller=emulator.sellers[seller_id], version="2026-01-01")

    return make


def get_order(api, order_id=ORDER_ID, included=WITH_PII):
    answer = api.get_order(order_id, includedData=included).payload
    modelcheck.validate("orders", "GetOrderResponse", answer)
    return answer["order"]


def test_without_grants_only_the_non_pii_fields_are_served(seller_with):
    order = get_order(seller_with(()))
    assert order["buyer"] == {
        "buyerCompanyName": "Muster Werkzeuge GmbH",
        "buyerPurchaseOrderNumber": "PO-4711",
    }
    assert order["recipient"] == {
        "deliveryAddress": {
            "companyName": "Muster Werkzeuge GmbH",
            "city": "Koeln",
            "districtOrCounty": "Porz",
            "stateOrRegion": "Nordrhein-Westfalen",
            "municipality": "Koeln",
            "countryCode": "DE",
            "addressType": "COMMERCIAL",
        },
        "deliveryPreference": {"dropOffLocation": "Reception"},
    }
    first, second = order["orderItems"]
    assert first["product"] == {"asin": "B000TEST01", "sellerSku": "MUG-CUSTOM"}
    assert first["fulfillment"]["packing"] == {"giftOption": {"giftWrapLevel": "PREMIUM"}}
    assert second["fulfillment"] == {"quantityFulfilled": 0, "quantityUnfulfilled": 1}


def test_objects_left_empty_are_omitted(seller_with):
    order = business_order()
    order["buyer"] = {"buyerName": "Erika Mustermann", "buyerEmail": "erika@example.com"}
    order["recipient"] = {"deliveryAddress": {"name": "Erika", "postalCode": "51147"}}
    shown = get_order(seller_with((), order))
    assert "buyer" not in shown
    assert "recipient" not in shown


@pytest.mark.parametrize(
    "granted, buyer_pii, address_pii",
    [
        (("BUYER",), True, False),
        (("RECIPIENT",), False, True),
        (("BUYER", "RECIPIENT"), True, True),
    ],
)
def test_each_grant_reveals_its_own_pii_and_either_reveals_the_items(
    seller_with, granted, buyer_pii, address_pii
):
    stored = business_order()
    order = get_order(seller_with(granted))
    assert ("buyerName" in order["buyer"]) is buyer_pii
    assert ("buyerEmail" in order["buyer"]) is buyer_pii
    assert ("addressLine1" in order["recipient"]["deliveryAddress"]) is address_pii
    assert ("postalCode" in order["recipient"]["deliveryAddress"]) is address_pii
    assert order["orderItems"] == stored["orderItems"]  # gift messages, customized URL
    if buyer_pii:
        assert order["buyer"] == stored["buyer"]
    if address_pii:
        assert order["recipient"] == stored["recipient"]


def test_search_serves_what_get_order_serves(seller_with):
    api = seller_with(())
    answer = api.search_orders(createdAfter="2026-01-01T00:00:00Z", includedData=WITH_PII).payload
    modelcheck.validate("orders", "SearchOrdersResponse", answer)
    (order,) = answer["orders"]
    assert order == get_order(api)
    assert set(order["buyer"]) == {"buyerCompanyName", "buyerPurchaseOrderNumber"}


def test_pii_needs_the_dataset_too(seller_with):
    order = get_order(seller_with(("BUYER", "RECIPIENT")), included=["FULFILLMENT"])
    assert "buyer" not in order and "recipient" not in order
    assert order["orderItems"][0]["fulfillment"]["packing"]["giftOption"]["giftMessage"]


def test_hiding_pii_never_changes_the_stored_order(emulator, seller_with):
    api = seller_with(())
    before = copy.deepcopy(emulator.orders[ORDER_ID])
    get_order(api)
    api.search_orders(createdAfter="2026-01-01T00:00:00Z", includedData=WITH_PII)
    assert emulator.orders[ORDER_ID] == before == business_order()
