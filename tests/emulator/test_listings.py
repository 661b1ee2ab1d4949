"""patchListingsItem / getListingsItem through the real server and python-amazon-sp-api."""

import pytest
from sp_api.api import ListingsItems
from sp_api.base import (
    SellingApiBadRequestException,
    SellingApiForbiddenException,
    SellingApiNotFoundException,
)

from spapi_emulator.ops.listings import make_listing, price_of, quantity_of
from tests.emulator.conftest import SELLER_ID as SELLER
from tests.emulator.modelcheck import validate

DE = "A1PA6795UKMFR9"
FR = "A13V1IB3VIYZZH"
UK = "A1F83G8C2ARO7P"


def quantity_patch(quantity, op="replace"):
    return {
        "op": op,
        "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
    }


def price_patch(amount, currency="EUR", marketplace_id=DE):
    return {
        "op": "replace",
        "path": "/attributes/purchasable_offer",
        "value": [
            {
                "marketplace_id": marketplace_id,
                "currency": currency,
                "our_price": [{"schedule": [{"value_with_tax": amount}]}],
            }
        ],
    }


@pytest.fixture
def listing(emulator):
    return make_listing(
        emulator,
        SELLER,
        "MUG/BLUE 01",
        "HOME",
        {
            "item_name": [{"value": "Blue mug", "language_tag": "de_DE", "marketplace_id": DE}],
            "condition_type": [{"value": "new_new", "marketplace_id": DE}],
            "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}],
        },
        [DE],
        asin="B0MUG00001",
    )


@pytest.fixture
def client(sp_client):
    return sp_client(ListingsItems)


def patch(client, sku, patches, product_type="HOME", seller_id=SELLER, **kwargs):
    """patchListingsItem; the answer must fit the model's ListingsItemSubmissionResponse."""
    answer = client.patch_listings_item(
        seller_id,
        sku,
        marketplaceIds=[DE],
        body={"productType": product_type, "patches": patches},
        **kwargs,
    ).payload
    validate("listings", "ListingsItemSubmissionResponse", answer)
    return answer


def get(client, sku, marketplace_id=DE, **kwargs):
    """getListingsItem; the answer must fit the model's Item."""
    item = client.get_listings_item(SELLER, sku, marketplaceIds=[marketplace_id], **kwargs).payload
    validate("listings", "Item", item)
    return item


def expect_error(exception, code, call, *args, **kwargs):
    with pytest.raises(exception) as raised:
        call(*args, **kwargs)
    assert raised.value.amzn_code == code
    validate("listings", "ErrorList", {"errors": raised.value.error})


def test_quantity_and_price_round_trip(emulator, client, listing):
    answer = patch(client, "MUG/BLUE 01", [quantity_patch(7), price_patch(12.5)])

    assert answer["status"] == "ACCEPTED"
    assert answer["sku"] == "MUG/BLUE 01"
    assert answer["issues"] == []
    stored = emulator.listings[(SELLER, "MUG/BLUE 01")]
    assert quantity_of(stored) == 7
    assert str(price_of(stored, DE)[0]) == "12.5"

    item = get(
        client,
        "MUG/BLUE 01",
        includedData=["summaries", "attributes", "offers", "fulfillmentAvailability", "issues"],
    )
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 7}]
    assert item["offers"][0]["price"] == {"currencyCode": "EUR", "amount": "12.5"}
    assert item["offers"][0]["offerType"] == "B2C"
    summary = item["summaries"][0]
    assert summary["status"] == ["BUYABLE", "DISCOVERABLE"]
    assert (summary["asin"], summary["itemName"], summary["conditionType"]) == (
        "B0MUG00001",
        "Blue mug",
        "new_new",
    )
    assert item["attributes"]["purchasable_offer"][0]["currency"] == "EUR"


def test_default_included_data_is_summaries_only(client, listing):
    item = get(client, "MUG/BLUE 01")
    assert set(item) == {"sku", "summaries"}
    assert item["summaries"][0]["status"] == ["DISCOVERABLE"]


def test_validation_preview_validates_without_applying(emulator, client, listing):
    answer = patch(client, "MUG/BLUE 01", [quantity_patch(9)], mode="VALIDATION_PREVIEW")
    assert answer["status"] == "VALID"
    assert quantity_of(emulator.listings[(SELLER, "MUG/BLUE 01")]) == 0

    answer = patch(client, "MUG/BLUE 01", [quantity_patch(-1)], mode="VALIDATION_PREVIEW")
    assert answer["status"] == "INVALID"


@pytest.mark.parametrize(
    "patches, attribute",
    [
        ([quantity_patch(-3)], "fulfillment_availability"),
        ([quantity_patch("5")], "fulfillment_availability"),
        ([price_patch(0)], "purchasable_offer.our_price"),
        ([price_patch(10, currency="euro")], "purchasable_offer"),
        ([price_patch(10, marketplace_id=FR)], "purchasable_offer"),
        (
            [
                {
                    "op": "replace",
                    "path": "/attributes/purchasable_offer",
                    "value": [{"currency": "EUR"}],
                }
            ],
            "purchasable_offer.our_price",
        ),
    ],
)
def test_invalid_values_answer_invalid_with_issues(emulator, client, listing, patches, attribute):
    answer = patch(client, "MUG/BLUE 01", patches)
    assert answer["status"] == "INVALID"
    assert answer["issues"][0]["severity"] == "ERROR"
    assert answer["issues"][0]["attributeNames"] == [attribute]
    assert quantity_of(emulator.listings[(SELLER, "MUG/BLUE 01")]) == 0


def test_delete_op_removes_the_price(emulator, client, listing):
    patch(client, "MUG/BLUE 01", [price_patch(9.99)])
    answer = patch(
        client,
        "MUG/BLUE 01",
        [{"op": "delete", "path": "/attributes/purchasable_offer"}],
    )
    assert answer["status"] == "ACCEPTED"
    assert price_of(emulator.listings[(SELLER, "MUG/BLUE 01")], DE) is None


def test_unknown_sku_and_wrong_product_type_are_invalid(client, listing):
    answer = patch(client, "NO-SUCH-SKU", [quantity_patch(1)])
    assert (answer["status"], answer["issues"][0]["code"]) == (
        "INVALID",
        "SKU_NOT_FOUND",
    )
    answer = patch(client, "MUG/BLUE 01", [quantity_patch(1)], product_type="SHOES")
    assert answer["status"] == "INVALID"
    assert "does not match" in answer["issues"][0]["message"]


def test_another_sellers_id_in_the_path_is_forbidden(emulator, client, listing):
    emulator.add_seller("A3OTHERSELLER", marketplace_ids=[DE])
    make_listing(emulator, "A3OTHERSELLER", "MUG/BLUE 01", "HOME", {})
    expect_error(
        SellingApiForbiddenException,
        "Unauthorized",
        patch,
        client,
        "MUG/BLUE 01",
        [quantity_patch(1)],
        seller_id="A3OTHERSELLER",
    )
    assert emulator.listings[("A3OTHERSELLER", "MUG/BLUE 01")]["attributes"] == {}


def test_request_level_errors(client, listing):
    body = {"productType": "HOME", "patches": []}
    expect_error(
        SellingApiBadRequestException,
        "InvalidInput",
        client.patch_listings_item,
        SELLER,
        "MUG/BLUE 01",
        marketplaceIds=[DE],
        body=body,
    )
    expect_error(SellingApiBadRequestException, "InvalidInput", get, client, "MUG/BLUE 01", UK)
    expect_error(
        SellingApiBadRequestException,
        "InvalidInput",
        get,
        client,
        "MUG/BLUE 01",
        includedData=["everything"],
    )


def test_get_unknown_sku_or_marketplace_is_not_found(client, listing):
    expect_error(SellingApiNotFoundException, "NOT_FOUND", get, client, "NO-SUCH-SKU")
    expect_error(SellingApiNotFoundException, "NOT_FOUND", get, client, "MUG/BLUE 01", FR)
