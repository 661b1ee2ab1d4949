"""Sellers getMarketplaceParticipations and the Notifications subscribe flow, via sp_api."""

import httpx
import pytest
from sp_api.api import Notifications, Sellers
from sp_api.base import (
    SellingApiBadRequestException,
    SellingApiNotFoundException,
    SellingApiStateConflictException,
)

from . import modelcheck

QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:amazon-orders"


def test_marketplace_participations(sp_client):
    answer = sp_client(Sellers).get_marketplace_participation()
    modelcheck.validate(
        "sellers", "GetMarketplaceParticipationsResponse", {"payload": answer.payload}
    )
    by_country = {p["marketplace"]["countryCode"]: p for p in answer.payload}
    assert set(by_country) == {"DE", "FR"}
    germany = by_country["DE"]
    assert germany["marketplace"] == {
        "id": "A1PA6795UKMFR9",
        "name": "Amazon.de",
        "countryCode": "DE",
        "defaultCurrencyCode": "EUR",
        "defaultLanguageCode": "de_DE",
        "domainName": "amazon.de",
    }
    assert germany["participation"] == {
        "isParticipating": True,
        "hasSuspendedListings": False,
    }
    assert germany["storeName"] == "Test Shop"
    assert answer.rate_limit == "0.016"


@pytest.fixture
def notifications(sp_client):
    return sp_client(Notifications)


def test_subscribe_to_order_change(emulator, notifications):
    destination = notifications.create_destination(name="orders", arn=QUEUE_ARN)
    modelcheck.validate(
        "notifications", "CreateDestinationResponse", {"payload": destination.payload}
    )
    destination_id = destination.payload["destinationId"]
    assert destination.payload["resource"] == {"sqs": {"arn": QUEUE_ARN}}

    listed = notifications.get_destinations()
    modelcheck.validate("notifications", "GetDestinationsResponse", {"payload": listed.payload})
    assert [d["destinationId"] for d in listed.payload] == [destination_id]

    created = notifications.create_subscription("ORDER_CHANGE", destination_id=destination_id)
    modelcheck.validate("notifications", "CreateSubscriptionResponse", {"payload": created.payload})
    assert created.payload["destinationId"] == destination_id
    assert created.payload["payloadVersion"] == "1.0"
    subscription_id = created.payload["subscriptionId"]

    fetched = notifications.get_subscription("ORDER_CHANGE")
    modelcheck.validate("notifications", "GetSubscriptionResponse", {"payload": fetched.payload})
    assert fetched.payload == created.payload
    by_id = notifications.get_subscription_by_id("ORDER_CHANGE", subscription_id)
    assert by_id.payload == created.payload

    with pytest.raises(SellingApiStateConflictException):
        notifications.create_subscription("ORDER_CHANGE", destination_id=destination_id)

    notifications.delete_notification_subscription("ORDER_CHANGE", subscription_id)
    with pytest.raises(SellingApiNotFoundException):
        notifications.get_subscription("ORDER_CHANGE")
    auth = [r["body"]["grant_type"] for r in emulator.requests("lwa")]
    assert sorted(auth) == ["client_credentials", "refresh_token"]


def test_event_bridge_destination(notifications):
    answer = notifications.create_destination(
        name="bus", account_id="123456789012", region="eu-west-1"
    )
    modelcheck.validate("notifications", "CreateDestinationResponse", {"payload": answer.payload})
    bridge = answer.payload["resource"]["eventBridge"]
    assert (bridge["accountId"], bridge["region"]) == ("123456789012", "eu-west-1")


@pytest.mark.parametrize("arn", ["not-an-arn", "arn:aws:sns:eu-west-1:1:x"])
def test_invalid_destination_is_400(notifications, arn):
    with pytest.raises(SellingApiBadRequestException) as raised:
        notifications.create_destination(name="orders", arn=arn)
    assert raised.value.amzn_code == "InvalidInput"


def test_same_destination_twice_is_a_conflict(notifications):
    notifications.create_destination(name="orders", arn=QUEUE_ARN)
    with pytest.raises(SellingApiStateConflictException):
        notifications.create_destination(name="again", arn=QUEUE_ARN)


def test_subscription_needs_an_existing_destination_and_a_known_type(notifications):
    with pytest.raises(SellingApiBadRequestException, match="does not exist"):
        notifications.create_subscription("ORDER_CHANGE", destination_id="dest-404")
    destination_id = notifications.create_destination(name="q", arn=QUEUE_ARN).payload[
        "destinationId"
    ]
    with pytest.raises(SellingApiBadRequestException, match="notificationType"):
        notifications.create_subscription("ORDER_CHANGES", destination_id=destination_id)


def test_destinations_belong_to_the_application(emulator, notifications):
    notifications.create_destination(name="orders", arn=QUEUE_ARN)
    emulator.add_seller(
        "A3OTHERAPPSELLER",
        client_id="amzn1.application-oa2-client.other",
        client_secret="other-secret",
        refresh_token="Atzr|other-app",
    )
    form = {
        "grant_type": "client_credentials",
        "scope": "sellingpartnerapi::notifications",
        "client_id": "amzn1.application-oa2-client.other",
        "client_secret": "other-secret",
    }
    token = httpx.post(emulator.base_url + "/auth/o2/token", data=form).json()["access_token"]
    answer = httpx.get(
        emulator.base_url + "/notifications/v1/destinations",
        headers={"x-amz-access-token": token},
    )
    assert answer.json() == {"payload": []}


def test_delete_destination(notifications):
    destination_id = notifications.create_destination(name="q", arn=QUEUE_ARN).payload[
        "destinationId"
    ]
    assert notifications.get_destination(destination_id).payload["name"] == "q"
    notifications.delete_destination(destination_id)
    with pytest.raises(SellingApiNotFoundException):
        notifications.get_destination(destination_id)
