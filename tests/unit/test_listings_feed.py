"""Listings changes as feed messages and patches, through the gateway to the emulator over HTTP."""

import json
from decimal import Decimal

import pytest

from amazon_connector.services.gateway import Credentials, SpApiGateway
from amazon_connector.services.listings_feed import (
    FEED_MESSAGE_LIMIT,
    JSON_CONTENT_TYPE,
    LISTINGS_FEED,
    ListingChange,
    ListingsReportError,
    Price,
    fulfilment_of,
    listings_feed,
    offer_prices,
    parse_listings_report,
    patch_issues,
)
from amazon_connector.services.rate_limiter import RateLimiter
from spapi_emulator.ops import feeds as emulator_feeds
from spapi_emulator.ops.listings import price_of, quantity_of
from spapi_emulator.server import Emulator

SELLER = "A1LISTINGS"
DE, GB = "A1PA6795UKMFR9", "A1F83G8C2ARO7P"


@pytest.fixture
def emulator():
    emu = Emulator(seed=5)
    emu.start()
    emu.add_seller(
        SELLER,
        "Listings Shop",
        [DE, GB],
        client_id="ls-client",
        client_secret="ls-secret",
        refresh_token="Atzr|listings",
    )
    yield emu
    emu.stop()


def gateway(emu):
    return SpApiGateway(
        seller_key=SELLER,
        credentials=Credentials("ls-client", "ls-secret", "Atzr|listings"),
        region="eu",
        default_marketplace_id=DE,
        base_url=emu.base_url,
        lwa_url=f"{emu.base_url}/auth/o2/token",
        limiter=RateLimiter(),
        retry_delay=0.01,
    )


def test_feed_document_follows_amazons_schema():
    changes = [
        ListingChange("SKU-1", "BOTTLE", quantity=4),
        ListingChange(
            "SKU-2",
            "LAMP",
            prices=(Price(DE, "EUR", Decimal("19.99")), Price(GB, "GBP", Decimal("17.50"), "B2B")),
        ),
    ]
    document = json.loads(listings_feed(SELLER, changes))
    assert not list(emulator_feeds.ENVELOPE_VALIDATOR.iter_errors(document))
    for message in document["messages"]:
        assert not list(emulator_feeds.MESSAGE_VALIDATOR.iter_errors(message))
    first, second = document["messages"]
    assert first["messageId"] == 1 and second["messageId"] == 2
    assert first["patches"] == [
        {
            "op": "merge",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4}],
        }
    ]
    offers = second["patches"][0]["value"]
    assert [(o["marketplace_id"], o["currency"], o["audience"]) for o in offers] == [
        (DE, "EUR", "ALL"),
        (GB, "GBP", "B2B"),
    ]
    assert offers[0]["our_price"][0]["schedule"][0]["value_with_tax"] == 19.99


def test_feed_refuses_empty_and_oversized_batches():
    with pytest.raises(ValueError):
        listings_feed(SELLER, [])
    with pytest.raises(ValueError):
        listings_feed(SELLER, [ListingChange("S", "HOME", quantity=1)] * (FEED_MESSAGE_LIMIT + 1))


def test_report_is_read_per_message():
    report = parse_listings_report(
        json.dumps(
            {
                "header": {"sellerId": SELLER, "version": "2.0", "feedId": "1"},
                "issues": [
                    {"messageId": 2, "code": "90000900", "message": "bad", "severity": "ERROR"},
                    {"messageId": 3, "code": "1", "message": "note", "severity": "WARNING"},
                    {"code": "5001", "message": "whole feed", "severity": "ERROR"},
                ],
                "summary": {"messagesProcessed": 3, "messagesAccepted": 2},
            }
        ).encode()
    )
    assert (report.processed, report.accepted) == (3, 2)
    assert [i.message for i in report.errors_of(2)] == ["bad"]
    assert report.errors_of(3) == [] and [i.message for i in report.warnings_of(3)] == ["note"]
    assert [i.code for i in report.feed_errors] == ["5001"]
    with pytest.raises(ListingsReportError):
        parse_listings_report(b"<xml/>")


def test_fulfilment_and_prices_from_a_listing():
    assert fulfilment_of([{"fulfillmentChannelCode": "DEFAULT", "quantity": 3}]) == ("merchant", 3)
    assert fulfilment_of([{"fulfillmentChannelCode": "AMAZON_EU", "quantity": 9}]) == (
        "amazon",
        None,
    )
    both = [
        {"fulfillmentChannelCode": "AMAZON_EU", "quantity": 9},
        {"fulfillmentChannelCode": "DEFAULT", "quantity": 2},
    ]
    assert fulfilment_of(both) == ("both", 2)
    prices = offer_prices(
        [
            {"marketplaceId": DE, "price": {"amount": "10.50"}, "audience": {"value": "ALL"}},
            {"marketplaceId": DE, "offerType": "B2B", "price": {"amount": "9.00"}},
        ]
    )
    assert prices == {(DE, "ALL"): Decimal("10.50"), (DE, "B2B"): Decimal("9.00")}


def test_search_patch_and_feed_through_the_gateway(emulator):
    emulator.seed_listings(SELLER, seed=1, count=30, marketplace_ids=[DE, GB], fba_share=0.3)
    gw = gateway(emulator)
    items, token, total = gw.search_listings_items(
        SELLER, [DE, GB], ["summaries", "fulfillmentAvailability"], sortBy="sku", sortOrder="ASC"
    )
    assert total == 30 and len(items) == 20 and token
    rest, token, _ = gw.search_listings_items(
        SELLER,
        [DE, GB],
        ["summaries", "fulfillmentAvailability"],
        page_token=token,
        sortBy="sku",
        sortOrder="ASC",
    )
    assert len(rest) == 10 and token is None
    merchant = next(
        i for i in items + rest if fulfilment_of(i["fulfillmentAvailability"])[0] == "merchant"
    )
    sku, product_type = merchant["sku"], merchant["summaries"][0]["productType"]

    change = ListingChange(sku, product_type, quantity=0, prices=(Price(DE, "EUR", Decimal("7")),))
    accepted, issues = patch_issues(
        gw.patch_listings_item(SELLER, sku, [DE], product_type, change.patches())
    )
    assert accepted and not issues
    listing = emulator.listings[(SELLER, sku)]
    assert quantity_of(listing) == 0
    assert price_of(listing, DE) == (Decimal("7"), "EUR")
    assert price_of(listing, GB)[1] == "GBP"  # merge kept the other marketplace's price

    accepted, issues = patch_issues(
        gw.patch_listings_item(SELLER, "NO-SUCH-SKU", [DE], "HOME", change.patches())
    )
    assert not accepted and issues[0].code == "SKU_NOT_FOUND"

    document = listings_feed(SELLER, [ListingChange(sku, product_type, quantity=12)])
    document_ref = gw.upload_feed_document(document, JSON_CONTENT_TYPE)
    feed_id = gw.create_feed(LISTINGS_FEED, document_ref, [DE])
    emulator.clock.advance(200)
    feed = gw.get_feed(feed_id)
    assert feed["processingStatus"] == "DONE"
    report = parse_listings_report(gw.download_feed_document(feed["resultFeedDocumentId"]))
    assert (report.processed, report.accepted) == (1, 1)
    assert quantity_of(emulator.listings[(SELLER, sku)]) == 12


def test_inventory_summaries_page_through(emulator):
    emulator.seed_listings(SELLER, seed=3, count=150, marketplace_ids=[DE], fba_share=1)
    emulator.set_rate_limit("getInventorySummaries", 100, 100)
    gw = gateway(emulator)
    found, token = gw.inventory_summaries(DE)
    while token:
        page, token = gw.inventory_summaries(DE, token)
        found.extend(page)
    assert (
        len({s["sellerSku"] for s in found})
        == len(found)
        == len({key[1] for key in emulator.fba_inventory})
    )
    assert "fulfillableQuantity" in found[0]["inventoryDetails"]
