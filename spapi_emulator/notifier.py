"""ORDER_CHANGE notifications, delivered as Amazon does to the subscribed SQS queues.

When an order changes (loaded, shipped, cancelled, acknowledged...) and its seller has an
ORDER_CHANGE subscription whose destination is an SQS queue, the emulator sends the
notification (Notifications v1, ORDER_CHANGE payload 1.0, the shape of the model's
``OrderChangeNotification.json``) to that queue on the SQS-compatible server given with
``Emulator.set_sqs_endpoint`` (moto's server in tests). The queue is the one the destination's
ARN names (account and queue name), reached on that server. Delivery is synchronous: when the
change's call returns, the message is in the queue. An undeliverable message (no such queue) is
dropped and counted, as Amazon drops what it cannot deliver.

The Summary speaks Orders v0's vocabulary (``Unshipped``, ``MFN``), as Amazon's does.
"""

import json
import threading
import uuid
from collections import Counter, defaultdict

from .clock import isoformat

# Orders v2026-01-01 fulfilment statuses as the notification's Summary names them (v0).
SUMMARY_STATUS = {
    "PENDING_AVAILABILITY": "PendingAvailability",
    "PENDING": "Pending",
    "UNSHIPPED": "Unshipped",
    "PARTIALLY_SHIPPED": "PartiallyShipped",
    "SHIPPED": "Shipped",
    "CANCELLED": "Canceled",
    "UNFULFILLABLE": "Unfulfillable",
}
SUMMARY_FULFILMENT = {"MERCHANT": "MFN", "AMAZON": "AFN"}
SUMMARY_PROGRAMS = {"BUSINESS": "Business", "PRIME": "Prime", "PREMIUM": "Premium"}


def order_change_notification(order, seller_id, subscription, application_id, now, reason):
    """The ORDER_CHANGE notification of ``order`` (a v2026-01-01 Order) as it is now."""
    fulfillment = order.get("fulfillment") or {}
    changed_at = order.get("lastUpdatedTime") or isoformat(now)
    items = []
    shipped = unshipped = 0
    for item in order.get("orderItems") or []:
        quantities = item.get("fulfillment") or {}
        done = quantities.get("quantityFulfilled") or 0
        left = quantities.get("quantityUnfulfilled") or 0
        shipped += done
        unshipped += left
        items.append(
            {
                "OrderItemId": item.get("orderItemId"),
                "SellerSKU": (item.get("product") or {}).get("sellerSku"),
                "SupplySourceId": None,
                "OrderItemStatus": "Shipped" if done and not left else "Unshipped",
                "Quantity": item.get("quantityOrdered"),
                "QuantityShipped": done,
            }
        )
    window = fulfillment.get("shipByWindow") or {}
    summary = {
        "MarketplaceId": (order.get("salesChannel") or {}).get("marketplaceId"),
        "OrderStatus": SUMMARY_STATUS.get(fulfillment.get("fulfillmentStatus"), "Pending"),
        "PurchaseDate": order.get("createdTime"),
        "DestinationPostalCode": None,  # Amazon leaves it out without the buyer's address
        "FulfillmentType": SUMMARY_FULFILMENT.get(fulfillment.get("fulfilledBy"), "MFN"),
        "OrderType": "StandardOrder",
        "NumberOfItemsShipped": shipped,
        "NumberOfItemsUnshipped": unshipped,
        "OrderPrograms": [
            SUMMARY_PROGRAMS[p] for p in order.get("programs") or [] if p in SUMMARY_PROGRAMS
        ],
        "OrderItems": items,
    }
    if window.get("earliestDateTime"):
        summary["EarliestShipDate"] = window["earliestDateTime"]
    if window.get("latestDateTime"):
        summary["LatestShipDate"] = window["latestDateTime"]
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": changed_at,
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": seller_id,
                "AmazonOrderId": order["orderId"],
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {"TimeOfOrderChange": changed_at, "ChangeReason": reason},
                "Summary": summary,
            }
        },
        "NotificationMetadata": {
            "ApplicationId": application_id,
            "SubscriptionId": subscription["subscriptionId"],
            "PublishTime": isoformat(now),
            "NotificationId": str(uuid.uuid4()),
        },
    }


def queue_url(endpoint, arn):
    """The queue an SQS ARN (``arn:aws:sqs:region:account:name``) names, on ``endpoint``."""
    parts = arn.split(":")
    return f"{endpoint.rstrip('/')}/{parts[4]}/{parts[5]}"


def queue_region(arn):
    return arn.split(":")[3]


class Notifier:
    """Sends each order change to the SQS queues its seller subscribed, and remembers what it
    sent (``sent``: order id -> message bodies) for tests and benchmarks."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.endpoint = None
        self.sent = defaultdict(list)
        self.counts = Counter()
        self._clients = {}  # region -> boto3 SQS client
        self._lock = threading.Lock()

    def set_endpoint(self, endpoint):
        with self._lock:
            self.endpoint = endpoint or None
            self._clients = {}

    def order_changed(self, order_id, reason="Order status changed"):
        """Publish the order's ORDER_CHANGE to every SQS destination subscribed for it."""
        if not self.endpoint:
            return
        emu = self.emulator
        seller_id = emu.order_seller[order_id]
        for subscription in list(emu.subscriptions.values()):
            if subscription["seller_id"] != seller_id or subscription["type"] != "ORDER_CHANGE":
                continue
            destination = emu.destinations.get(subscription["destinationId"])
            if not destination or "sqs" not in destination["resource"]:
                continue
            message = order_change_notification(
                emu.orders[order_id],
                seller_id,
                subscription,
                application_id=f"amzn1.sp.solution.{subscription['client_id']}",
                now=emu.clock.now(),
                reason=reason,
            )
            arn = destination["resource"]["sqs"]["arn"]
            self.send(order_id, arn, json.dumps(message))

    def resend(self, order_id):
        """Deliver the order's last notification once more (SQS delivers at least once)."""
        for arn, body in self.sent.get(order_id, [])[-1:]:
            self.send(order_id, arn, body, remember=False)

    def send(self, order_id, arn, body, remember=True):
        """Send one message to the queue ``arn`` names (in its region, as SQS keeps queues)."""
        try:
            self.client(queue_region(arn)).send_message(
                QueueUrl=queue_url(self.endpoint, arn), MessageBody=body
            )
        except Exception:  # noqa: BLE001 - Amazon drops what it cannot deliver; counted
            self.counts["undeliverable"] += 1
            return
        self.counts["sent"] += 1
        if remember:
            self.sent[order_id].append((arn, body))

    def client(self, region):
        with self._lock:
            if region not in self._clients:
                import boto3  # only when notifications are delivered

                self._clients[region] = boto3.session.Session().client(
                    "sqs",
                    endpoint_url=self.endpoint,
                    region_name=region,
                    aws_access_key_id="emulator",
                    aws_secret_access_key="emulator",
                )
            return self._clients[region]
