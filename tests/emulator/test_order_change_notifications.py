"""ORDER_CHANGE notifications delivered to a real SQS-compatible server (moto's, started by
scripts/test at $AMAZON_TEST_SQS_ENDPOINT): what Amazon sends when an order changes, valid
against the model's OrderChangeNotification schema."""

import json
import os
import uuid

import boto3
import jsonschema
import pytest
from sp_api.api import Notifications

from . import modelcheck
from .conftest import DE, SELLER_ID

ENDPOINT_VARIABLE = "AMAZON_TEST_SQS_ENDPOINT"
SCHEMA = json.loads(
    (
        modelcheck.MODELS_DIR / "schemas" / "notifications" / "OrderChangeNotification.json"
    ).read_text()
)


@pytest.fixture
def sqs():
    endpoint = os.environ.get(ENDPOINT_VARIABLE)
    assert endpoint, f"{ENDPOINT_VARIABLE} is not set: scripts/test starts moto's SQS server"
    client = boto3.session.Session().client(
        "sqs",
        endpoint_url=endpoint,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.endpoint = endpoint
    return client


@pytest.fixture
def queue(sqs):
    url = sqs.create_queue(QueueName=f"orders-{uuid.uuid4().hex[:10]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    yield url, arn
    sqs.delete_queue(QueueUrl=url)


def subscribe(sp_client, arn):
    notifications = sp_client(Notifications)
    destination = notifications.create_destination(name="orders", arn=arn)
    notifications.create_subscription(
        "ORDER_CHANGE", destination_id=destination.payload["destinationId"]
    )


@pytest.fixture
def subscribed(emulator, sp_client, sqs, queue):
    """The queue's URL, once the seller subscribed ORDER_CHANGE to it and the emulator
    delivers to the SQS server."""
    url, arn = queue
    emulator.set_sqs_endpoint(sqs.endpoint)
    subscribe(sp_client, arn)
    return url


def received(sqs, url):
    answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return [json.loads(m["Body"]) for m in answer.get("Messages", [])]


def test_a_loaded_order_is_notified_to_the_subscribed_queue(emulator, sqs, subscribed, make_order):
    emulator.load_orders(SELLER_ID, [make_order("028-1000001-0000001")])
    (message,) = received(sqs, subscribed)
    jsonschema.validate(message, SCHEMA)
    change = message["Payload"]["OrderChangeNotification"]
    assert change["SellerId"] == SELLER_ID
    assert change["AmazonOrderId"] == "028-1000001-0000001"
    assert change["OrderChangeTrigger"]["TimeOfOrderChange"] == "2026-01-10T10:00:00Z"
    assert message["EventTime"] == "2026-01-10T10:00:00Z"
    summary = change["Summary"]
    assert (summary["OrderStatus"], summary["FulfillmentType"], summary["MarketplaceId"]) == (
        "Unshipped",
        "MFN",
        DE,
    )
    assert summary["OrderItems"][0]["SellerSKU"] == "SKU-1"
    assert summary["NumberOfItemsUnshipped"] == 1
    assert emulator.sent_notifications("028-1000001-0000001") == [json.dumps(message)]


def test_a_shipment_is_notified_with_its_new_status_and_time(emulator, sqs, subscribed, make_order):
    emulator.load_orders(SELLER_ID, [make_order("028-1000002-0000002")])
    emulator.clock.advance(90)
    emulator.ship_order("028-1000002-0000002", tracking_number="1Z1")
    first, second = received(sqs, subscribed) + received(sqs, subscribed)
    shipped = second["Payload"]["OrderChangeNotification"]
    assert shipped["Summary"]["OrderStatus"] == "Shipped"
    assert shipped["Summary"]["NumberOfItemsShipped"] == 1
    assert (
        shipped["OrderChangeTrigger"]["TimeOfOrderChange"]
        > first["Payload"]["OrderChangeNotification"]["OrderChangeTrigger"]["TimeOfOrderChange"]
    )
    jsonschema.validate(second, SCHEMA)


def test_only_subscribed_sellers_are_notified_and_a_resend_repeats_the_message(
    emulator, sp_client, sqs, queue, make_order
):
    url, _arn = queue
    emulator.set_sqs_endpoint(sqs.endpoint)
    emulator.load_orders(SELLER_ID, [make_order("028-1000003-0000003")])
    assert received(sqs, url) == [], "no subscription, no notification"
    assert emulator.notification_counts() == {"sent": 0, "undeliverable": 0}
    subscribe(sp_client, _arn)
    emulator.touch("028-1000003-0000003")
    emulator.resend_notifications("028-1000003-0000003")
    messages = received(sqs, url) + received(sqs, url)
    assert len(messages) == 2
    assert messages[0] == messages[1], "the same notification, id included"
    assert emulator.notification_counts()["sent"] == 2


def test_a_deleted_queue_drops_the_notification_and_counts_it(emulator, sp_client, sqs, make_order):
    url = sqs.create_queue(QueueName=f"gone-{uuid.uuid4().hex[:10]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    emulator.set_sqs_endpoint(sqs.endpoint)
    subscribe(sp_client, arn)
    sqs.delete_queue(QueueUrl=url)
    emulator.load_orders(SELLER_ID, [make_order("028-1000004-0000004")])
    assert emulator.notification_counts() == {"sent": 0, "undeliverable": 1}
    assert emulator.sent_notifications("028-1000004-0000004") == []
