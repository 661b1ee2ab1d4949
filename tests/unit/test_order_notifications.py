"""Reading Amazon's ORDER_CHANGE notification (the shape of the official schema's example)."""

import json
from datetime import datetime

import pytest

from amazon_connector.services.order_notifications import NotificationError, parse_order_change


def notification(**summary):
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": "2026-12-03T10:00:05Z",
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": "A3TH9S8BH6GOGM",
                "AmazonOrderId": "903-1671087-0812628",
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {
                    "TimeOfOrderChange": "2026-12-03T10:00:00Z",
                    "ChangeReason": "Order status changed",
                },
                "Summary": {
                    "MarketplaceId": "A1PA6795UKMFR9",
                    "OrderStatus": "Unshipped",
                    "FulfillmentType": "MFN",
                    **summary,
                },
            }
        },
        "NotificationMetadata": {"NotificationId": "d4a9e2b6-0001"},
    }


def test_summary_status_and_fulfilment_read_in_the_orders_api_vocabulary():
    change = parse_order_change(json.dumps(notification()))
    assert change.order_id == "903-1671087-0812628"
    assert change.seller_id == "A3TH9S8BH6GOGM"
    assert change.marketplace_id == "A1PA6795UKMFR9"
    assert change.changed_at == datetime(2026, 12, 3, 10, 0, 0)
    assert (change.status, change.fulfilled_by) == ("UNSHIPPED", "MERCHANT")
    assert change.change_type == "OrderStatusChange"
    assert change.notification_id == "d4a9e2b6-0001"


@pytest.mark.parametrize(
    ("summary_status", "fulfilment", "status", "fulfilled_by"),
    [
        ("Pending", "AFN", "PENDING", "AMAZON"),
        ("Canceled", "MFN", "CANCELLED", "MERCHANT"),
        ("PartiallyShipped", "MFN", "PARTIALLY_SHIPPED", "MERCHANT"),
        # No match: the order is read rather than guessed.
        ("InvoiceUnconfirmed", "MFN", "", "MERCHANT"),
        ("Shipped", None, "SHIPPED", ""),
    ],
)
def test_statuses_without_a_sure_match_stay_empty(summary_status, fulfilment, status, fulfilled_by):
    body = notification(OrderStatus=summary_status, FulfillmentType=fulfilment)
    change = parse_order_change(json.dumps(body))
    assert (change.status, change.fulfilled_by) == (status, fulfilled_by)


def test_time_of_change_falls_back_on_event_time():
    body = notification()
    body["Payload"]["OrderChangeNotification"]["OrderChangeTrigger"]["TimeOfOrderChange"] = None
    assert parse_order_change(json.dumps(body)).changed_at == datetime(2026, 12, 3, 10, 0, 5)


@pytest.mark.parametrize(
    ("spoil", "code", "field"),
    [
        (lambda b: "not json {", "notification_not_json", None),
        (lambda b: {**b, "NotificationType": "ANY_OFFER_CHANGED"}, "notification_other_type", None),
        (
            lambda b: {**b, "Payload": {}},
            "notification_field_missing",
            "Payload.OrderChangeNotification",
        ),
        (
            lambda b: b["Payload"]["OrderChangeNotification"].pop("AmazonOrderId") and b,
            "notification_field_missing",
            "AmazonOrderId",
        ),
        (
            lambda b: (
                b["Payload"]["OrderChangeNotification"]["OrderChangeTrigger"].update(
                    TimeOfOrderChange="yesterday"
                )
                or b
            ),
            "notification_field_invalid",
            "TimeOfOrderChange",
        ),
    ],
)
def test_unusable_messages_are_refused_with_what_is_wrong(spoil, code, field):
    spoilt = spoil(notification())
    with pytest.raises(NotificationError) as refused:
        parse_order_change(spoilt if isinstance(spoilt, str) else json.dumps(spoilt))
    assert refused.value.code == code
    assert refused.value.data.get("field") == field
