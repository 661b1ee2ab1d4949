"""Feeds 2021-06-30 through the real server and python-amazon-sp-api, on emulated time."""

import gzip
import io
import json
import xml.etree.ElementTree as ET

import httpx
import jsonschema
import pytest
from sp_api.api import Feeds, Orders
from sp_api.base import SellingApiBadRequestException, SellingApiNotFoundException

from spapi_emulator.ops.feeds import REPORT_SCHEMA, process_due_feeds
from spapi_emulator.ops.listings import make_listing, price_of, quantity_of
from tests.emulator.conftest import SELLER_ID as SELLER
from tests.emulator.modelcheck import validate

DE = "A1PA6795UKMFR9"
JSON_TYPE = "application/json; charset=UTF-8"
UNSHIPPED_ID = "305-0000001-0000001"
SHIPPED_ID = "305-0000002-0000002"
ACCEPTED_ID = "305-0000003-0000003"
XML_TYPE = "text/xml; charset=UTF-8"


@pytest.fixture
def feeds(sp_client):
    return sp_client(Feeds)


@pytest.fixture
def listings(emulator):
    """Two listings of the test seller, 5 units each."""
    for sku in ("MUG-1", "MUG-2"):
        make_listing(
            emulator,
            SELLER,
            sku,
            "HOME",
            {"fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 5}]},
            [DE],
        )


def submit(feeds, feed_type, content, content_type=JSON_TYPE):
    """createFeedDocument + upload + createFeed; every answer checked against the model."""
    data = content if isinstance(content, bytes) else json.dumps(content).encode("utf-8")
    document = feeds.create_feed_document(io.BytesIO(data), content_type).payload
    validate("feeds", "CreateFeedDocumentResponse", document)
    feed = feeds.create_feed(feed_type, document["feedDocumentId"], marketplaceIds=[DE]).payload
    validate("feeds", "CreateFeedResponse", feed)
    return feed["feedId"]


def get_feed(feeds, feed_id):
    feed = feeds.get_feed(feed_id).payload
    validate("feeds", "Feed", feed)
    return feed


def result_document(feeds, feed):
    document = feeds._request(
        f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}",
        params={},
        add_marketplace=False,
    ).payload
    validate("feeds", "FeedDocument", document)
    return feeds.get_feed_result_document(feed["resultFeedDocumentId"])


def listings_feed(messages, seller_id=SELLER, **header):
    return {"header": {"sellerId": seller_id, "version": "2.0", **header}, "messages": messages}


def quantity_patch(quantity):
    return [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
        }
    ]


def expect_error(exception, call, *args, **kwargs):
    with pytest.raises(exception) as raised:
        call(*args, **kwargs)
    validate("feeds", "ErrorList", {"errors": raised.value.error})
    return raised.value


def test_listings_feed_moves_through_statuses_and_applies_once(emulator, feeds, listings):
    price = [{"currency": "EUR", "our_price": [{"schedule": [{"value_with_tax": 9.5}]}]}]
    feed_id = submit(
        feeds,
        "JSON_LISTINGS_FEED",
        listings_feed(
            [
                {
                    "messageId": 1,
                    "sku": "MUG-1",
                    "operationType": "PATCH",
                    "productType": "HOME",
                    "patches": quantity_patch(12),
                },
                {
                    "messageId": 2,
                    "sku": "NO-SUCH",
                    "operationType": "PATCH",
                    "productType": "HOME",
                    "patches": quantity_patch(1),
                },
                {
                    "messageId": 3,
                    "sku": "MUG-1",
                    "operationType": "PARTIAL_UPDATE",
                    "productType": "HOME",
                    "attributes": {"purchasable_offer": price},
                },
                {
                    "messageId": 4,
                    "sku": "MUG-NEW",
                    "operationType": "UPDATE",
                    "productType": "HOME",
                    "attributes": {
                        "fulfillment_availability": [
                            {"fulfillment_channel_code": "DEFAULT", "quantity": 3}
                        ]
                    },
                },
                {
                    "messageId": 5,
                    "sku": "MUG-2",
                    "operationType": "PATCH",
                    "productType": "HOME",
                    "patches": quantity_patch(-1),
                },
                {"messageId": 6, "sku": "MUG-2", "operationType": "DELETE"},
                {"messageId": 7, "sku": "MUG-1", "operationType": "PATCH", "patches": []},
            ],
            report={"includedData": ["fulfillmentAvailability"], "apiVersion": "2021-08-01"},
        ),
    )
    assert get_feed(feeds, feed_id)["processingStatus"] == "IN_QUEUE"
    emulator.clock.advance(30)
    feed = get_feed(feeds, feed_id)
    assert feed["processingStatus"] == "IN_PROGRESS"
    assert "processingStartTime" in feed and "resultFeedDocumentId" not in feed
    assert quantity_of(emulator.listings[(SELLER, "MUG-1")]) == 5

    emulator.clock.advance(60)
    assert process_due_feeds(emulator) == [feed_id]
    assert process_due_feeds(emulator) == []
    stored_one = emulator.listings[(SELLER, "MUG-1")]
    assert quantity_of(stored_one) == 12
    assert str(price_of(stored_one, DE)[0]) == "9.5"
    assert quantity_of(emulator.listings[(SELLER, "MUG-NEW")]) == 3
    assert (SELLER, "MUG-2") not in emulator.listings

    stored_one["attributes"]["fulfillment_availability"][0]["quantity"] = 4
    feed = get_feed(feeds, feed_id)
    assert feed["processingStatus"] == "DONE"
    assert quantity_of(stored_one) == 4  # reading again did not apply the feed again

    report = json.loads(result_document(feeds, feed))
    jsonschema.Draft7Validator(REPORT_SCHEMA).validate(report)
    assert report["header"]["feedId"] == feed_id
    summary = report["summary"]
    assert (
        summary["messagesProcessed"],
        summary["messagesAccepted"],
        summary["messagesInvalid"],
    ) == (7, 4, 3)
    assert sorted({issue["messageId"] for issue in report["issues"]}) == [2, 5, 7]
    assert all(issue["severity"] == "ERROR" for issue in report["issues"])
    assert {(i["sku"], i["fulfillmentAvailability"][0]["quantity"]) for i in report["items"]} == {
        ("MUG-1", 12),
        ("MUG-NEW", 3),
    }


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"{not json", "not UTF-8 JSON"),
        (json.dumps({"header": {"sellerId": SELLER}, "messages": []}).encode(), "version"),
        (json.dumps(listings_feed([{"messageId": 1}], seller_id="A3SOMEONE")).encode(), "seller"),
    ],
)
def test_unreadable_listings_feed_is_fatal_and_changes_nothing(
    emulator, feeds, listings, content, fragment
):
    feed_id = submit(feeds, "JSON_LISTINGS_FEED", content)
    emulator.clock.advance(90)
    feed = get_feed(feeds, feed_id)
    assert feed["processingStatus"] == "FATAL"
    report = json.loads(result_document(feeds, feed))
    jsonschema.Draft7Validator(REPORT_SCHEMA).validate(report)
    assert report["summary"]["messagesProcessed"] == 0
    assert fragment in report["issues"][0]["message"]


def test_feed_without_uploaded_document_is_fatal(emulator, feeds):
    document = feeds.create_feed_document(None, JSON_TYPE).payload
    feed_id = feeds.create_feed(
        "JSON_LISTINGS_FEED", document["feedDocumentId"], marketplaceIds=[DE]
    ).payload["feedId"]
    emulator.clock.advance(90)
    assert get_feed(feeds, feed_id)["processingStatus"] == "FATAL"


def test_gzip_upload_and_gzip_result_document(emulator, feeds, listings):
    emulator.feed_result_gzip = True
    emulator.feed_delays = (5, 10)
    body = listings_feed(
        [
            {
                "messageId": 1,
                "sku": "MUG-1",
                "operationType": "PATCH",
                "productType": "HOME",
                "patches": quantity_patch(8),
            }
        ]
    )
    document = feeds.create_feed_document(None, JSON_TYPE).payload
    upload = httpx.put(
        document["url"],
        content=gzip.compress(json.dumps(body).encode()),
        headers={"Content-Type": JSON_TYPE, "Content-Encoding": "gzip"},
    )
    assert upload.status_code == 200
    feed_id = feeds.create_feed(
        "JSON_LISTINGS_FEED", document["feedDocumentId"], marketplaceIds=[DE]
    ).payload["feedId"]
    emulator.clock.advance(10)
    feed = get_feed(feeds, feed_id)
    assert feed["processingStatus"] == "DONE"
    assert quantity_of(emulator.listings[(SELLER, "MUG-1")]) == 8
    meta = feeds._request(
        f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}",
        params={},
        add_marketplace=False,
    ).payload
    assert meta["compressionAlgorithm"] == "GZIP"
    assert gzip.decompress(httpx.get(meta["url"]).content).startswith(b"{")
    report = json.loads(feeds.get_feed_result_document(feed["resultFeedDocumentId"]))
    assert report["summary"]["messagesAccepted"] == 1


def test_presigned_urls_expire_after_five_minutes(emulator, feeds):
    document = feeds.create_feed_document(None, JSON_TYPE).payload
    emulator.clock.advance(301)
    answer = httpx.put(document["url"], content=b"{}")
    assert answer.status_code == 403
    assert b"Request has expired" in answer.content
    assert (
        httpx.put(document["url"].replace("_upload/", "_upload/x"), content=b"").status_code == 404
    )


def ack_feed(*messages):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">'
        f"<Header><DocumentVersion>1.01</DocumentVersion>"
        f"<MerchantIdentifier>{SELLER}</MerchantIdentifier></Header>"
        "<MessageType>OrderAcknowledgement</MessageType>" + "".join(messages) + "</AmazonEnvelope>"
    ).encode()


def ack_message(message_id, order_id, status, items=(), merchant_order_id=None):
    item_xml = "".join(
        f"<Item><AmazonOrderItemCode>{code}</AmazonOrderItemCode>"
        + (f"<CancelReason>{reason}</CancelReason>" if reason else "")
        + "</Item>"
        for code, reason in items
    )
    merchant = (
        f"<MerchantOrderID>{merchant_order_id}</MerchantOrderID>" if merchant_order_id else ""
    )
    return (
        f"<Message><MessageID>{message_id}</MessageID><OrderAcknowledgement>"
        f"<AmazonOrderID>{order_id}</AmazonOrderID>{merchant}<StatusCode>{status}</StatusCode>"
        f"{item_xml}</OrderAcknowledgement></Message>"
    )


def test_order_acknowledgement_cancels_unshipped_and_fails_for_shipped(
    emulator, seller, feeds, sp_client, make_order
):
    unshipped = make_order(UNSHIPPED_ID)
    shipped = make_order(SHIPPED_ID, status="SHIPPED")
    accepted = make_order(ACCEPTED_ID)
    for order in (unshipped, shipped, accepted):
        validate("orders", "Order", order)
    emulator.load_orders(seller.seller_id, [unshipped, shipped, accepted])
    cursor = emulator.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    feed_id = submit(
        feeds,
        "POST_ORDER_ACKNOWLEDGEMENT_DATA",
        ack_feed(
            ack_message(1, UNSHIPPED_ID, "Failure", [(f"{UNSHIPPED_ID}-1", "NoInventory")]),
            ack_message(2, SHIPPED_ID, "Failure", [(f"{SHIPPED_ID}-1", "NoInventory")]),
            ack_message(3, ACCEPTED_ID, "Success", merchant_order_id="SO-42"),
            ack_message(4, UNSHIPPED_ID, "Failure", [(f"{UNSHIPPED_ID}-1", "NoInventory")]),
            ack_message(5, ACCEPTED_ID, "Failure", [(f"{ACCEPTED_ID}-1", "Tired")]),
            ack_message(6, ACCEPTED_ID, "Success", [("NOT-AN-ITEM", None)]),
        ),
        XML_TYPE,
    )
    emulator.clock.advance(90)
    feed = get_feed(feeds, feed_id)
    assert feed["processingStatus"] == "DONE"

    cancelled = emulator.orders[UNSHIPPED_ID]
    assert cancelled["fulfillment"]["fulfillmentStatus"] == "CANCELLED"
    assert cancelled["orderItems"][0]["cancellation"] == {
        "cancellationExecution": {"cancelledBy": "MERCHANT", "cancelReason": "NoInventory"}
    }
    validate("orders", "Order", cancelled)
    assert emulator.orders[SHIPPED_ID]["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert emulator.orders[ACCEPTED_ID]["orderAliases"] == [
        {"aliasId": "SO-42", "aliasType": "SELLER_ORDER_ID"}
    ]

    report = ET.fromstring(result_document(feeds, feed).encode())
    summary = report.find("Message/ProcessingReport/ProcessingSummary")
    counts = [summary.find(name).text for name in ("MessagesProcessed", "MessagesSuccessful")]
    assert [*counts, summary.find("MessagesWithError").text] == ["6", "2", "4"]
    results = {
        result.find("MessageID").text: result
        for result in report.findall("Message/ProcessingReport/Result")
    }
    assert sorted(results) == ["2", "4", "5", "6"]
    shipped_result = results["2"]
    assert shipped_result.find("ResultCode").text == "Error"
    assert shipped_result.find("ResultMessageCode").text == "18028"
    assert "already shipped" in shipped_result.find("ResultDescription").text
    assert shipped_result.find("AdditionalInfo/AmazonOrderID").text == SHIPPED_ID
    assert "already cancelled" in results["4"].find("ResultDescription").text
    assert "CancelReason 'Tired' is invalid" in results["5"].find("ResultDescription").text
    assert "'NOT-AN-ITEM' is not an item" in results["6"].find("ResultDescription").text

    found = (
        sp_client(Orders, version="2026-01-01")
        .search_orders(lastUpdatedAfter=cursor, includedData=["FULFILLMENT", "CANCELLATION"])
        .payload
    )
    validate("orders", "SearchOrdersResponse", found)
    statuses = {o["orderId"]: o["fulfillment"]["fulfillmentStatus"] for o in found["orders"]}
    assert statuses == {UNSHIPPED_ID: "CANCELLED", ACCEPTED_ID: "UNSHIPPED"}


def test_malformed_acknowledgement_feed_is_fatal(emulator, feeds):
    feed_id = submit(
        feeds, "POST_ORDER_ACKNOWLEDGEMENT_DATA", b"<AmazonEnvelope><Header>", XML_TYPE
    )
    emulator.clock.advance(90)
    feed = get_feed(feeds, feed_id)
    assert feed["processingStatus"] == "FATAL"
    report = ET.fromstring(result_document(feeds, feed).encode())
    result = report.find("Message/ProcessingReport/Result")
    assert (result.find("MessageID").text, result.find("ResultMessageCode").text) == ("0", "5001")


def test_cancel_feed_only_while_in_queue(emulator, feeds, listings):
    body = listings_feed([{"messageId": 1, "sku": "MUG-1", "operationType": "DELETE"}])
    feed_id = submit(feeds, "JSON_LISTINGS_FEED", body)
    assert feeds.cancel_feed(feed_id).payload == {"status_code": 200}
    emulator.clock.advance(120)
    assert get_feed(feeds, feed_id)["processingStatus"] == "CANCELLED"
    assert (SELLER, "MUG-1") in emulator.listings

    running = submit(feeds, "JSON_LISTINGS_FEED", body)
    emulator.clock.advance(40)
    error = expect_error(SellingApiBadRequestException, feeds.cancel_feed, running)
    assert "only IN_QUEUE feeds can be cancelled" in error.message
    expect_error(SellingApiNotFoundException, feeds.cancel_feed, "123")


def test_get_feeds_filters_and_pages(emulator, feeds, listings):
    body = listings_feed([{"messageId": 1, "sku": "MUG-1", "operationType": "DELETE"}])
    old = submit(feeds, "JSON_LISTINGS_FEED", body)
    emulator.clock.advance(100)
    newer = [submit(feeds, "JSON_LISTINGS_FEED", body) for _ in range(2)]

    first = feeds.get_feeds(feedTypes=["JSON_LISTINGS_FEED"], pageSize=2)
    validate("feeds", "GetFeedsResponse", {**first.payload, "nextToken": first.next_token})
    assert [f["feedId"] for f in first.payload["feeds"]] == newer[::-1]
    rest = feeds.get_feeds(nextToken=first.next_token)
    validate("feeds", "GetFeedsResponse", rest.payload)
    assert [f["feedId"] for f in rest.payload["feeds"]] == [old]
    assert rest.next_token is None

    done = feeds.get_feeds(feedTypes=["JSON_LISTINGS_FEED"], processingStatuses=["DONE"]).payload
    assert [f["feedId"] for f in done["feeds"]] == [old]
    other = feeds.get_feeds(feedTypes=["POST_ORDER_ACKNOWLEDGEMENT_DATA"]).payload
    assert other["feeds"] == []
    expect_error(SellingApiBadRequestException, feeds.get_feeds)
    expect_error(
        SellingApiBadRequestException,
        feeds.get_feeds,
        feedTypes=["JSON_LISTINGS_FEED"],
        processingStatuses=["BAD_VALUE"],
    )


def test_create_feed_and_read_errors(emulator, feeds):
    document = feeds.create_feed_document(None, JSON_TYPE).payload["feedDocumentId"]
    error = expect_error(
        SellingApiBadRequestException,
        feeds.create_feed,
        "POST_PRODUCT_DATA",
        document,
        marketplaceIds=[DE],
    )
    assert "not supported by the emulator" in error.message
    expect_error(
        SellingApiBadRequestException,
        feeds.create_feed,
        "JSON_LISTINGS_FEED",
        "amzn1.tortuga.4.na.unknown",
        marketplaceIds=[DE],
    )
    expect_error(
        SellingApiBadRequestException,
        feeds.create_feed,
        "JSON_LISTINGS_FEED",
        document,
        marketplaceIds=["ATVPDKIKX0DER"],
    )
    expect_error(SellingApiNotFoundException, feeds.get_feed, "5000999999")
    expect_error(
        SellingApiNotFoundException, feeds.get_feed_result_document, "amzn1.tortuga.4.na.nothing"
    )


def test_another_sellers_feed_is_not_found(emulator, feeds, sp_client):
    other = emulator.add_seller("A3OTHERSELLER", marketplace_ids=[DE], refresh_token="Atzr|other")
    document = feeds.create_feed_document(None, JSON_TYPE).payload["feedDocumentId"]
    feed_id = feeds.create_feed("JSON_LISTINGS_FEED", document, marketplaceIds=[DE]).payload[
        "feedId"
    ]
    intruder = sp_client(Feeds, seller=other)
    expect_error(SellingApiNotFoundException, intruder.get_feed, feed_id)
    expect_error(
        SellingApiBadRequestException,
        intruder.create_feed,
        "JSON_LISTINGS_FEED",
        document,
        marketplaceIds=[DE],
    )
