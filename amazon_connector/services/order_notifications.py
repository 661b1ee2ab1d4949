"""Amazon's ORDER_CHANGE notifications, read from the seller's Amazon SQS queue.

:class:`SqsQueue` receives, deletes and describes messages of one queue with boto3, turning
AWS failures into the typed errors of :mod:`.errors`. :func:`parse_order_change` reads one
message body (Notifications v1, ORDER_CHANGE payload version 1.0) into an :class:`OrderChange`,
or refuses it with a :class:`NotificationError` that names what is wrong. Odoo-free.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from . import errors
from .order_mapper import MappingError, parse_datetime

# SQS gives at most 10 messages a receive and takes at most 10 deletions a batch.
SQS_BATCH = 10
_AWS_HOST = re.compile(r"^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$")
_ACCESS_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "InvalidSecurity",
}
_MISSING_CODES = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}
# The notification's Summary speaks the order statuses of Orders v0; the fulfilment statuses of
# Orders v2026-01-01 they stand for (docs/sync-model.md). InvoiceUnconfirmed has no match: an
# order in it is read.
SUMMARY_STATUSES = {
    "PendingAvailability": "PENDING_AVAILABILITY",
    "Pending": "PENDING",
    "Unshipped": "UNSHIPPED",
    "PartiallyShipped": "PARTIALLY_SHIPPED",
    "Shipped": "SHIPPED",
    "Canceled": "CANCELLED",
    "Unfulfillable": "UNFULFILLABLE",
}
SUMMARY_FULFILMENT = {"MFN": "MERCHANT", "AFN": "AMAZON"}


class NotificationError(ValueError):
    """A message that is not an ORDER_CHANGE notification this connector can act on."""

    def __init__(self, code, **data):
        super().__init__(code)
        self.code = code
        self.data = data


@dataclass(frozen=True)
class OrderChange:
    notification_id: str
    seller_id: str
    order_id: str
    marketplace_id: str
    changed_at: datetime  # OrderChangeTrigger.TimeOfOrderChange, else EventTime
    status: str  # the v2026-01-01 fulfilment status, "" when the summary gives none we know
    fulfilled_by: str  # MERCHANT or AMAZON, "" when the summary does not say
    change_type: str  # OrderStatusChange, BuyerRequestedChange, DeliveryTipChange


def parse_order_change(body):
    """The ORDER_CHANGE notification in an SQS message body."""
    try:
        message = json.loads(body)
    except (TypeError, ValueError):
        raise NotificationError("notification_not_json") from None
    if not isinstance(message, dict):
        raise NotificationError("notification_not_json")
    kind = message.get("NotificationType")
    if kind != "ORDER_CHANGE":
        raise NotificationError("notification_other_type", notification_type=kind)
    change = (message.get("Payload") or {}).get("OrderChangeNotification")
    if not isinstance(change, dict):
        raise NotificationError(
            "notification_field_missing", field="Payload.OrderChangeNotification"
        )
    for name in ("SellerId", "AmazonOrderId"):
        if not isinstance(change.get(name), str) or not change[name]:
            raise NotificationError("notification_field_missing", field=name)
    summary = change.get("Summary") or {}
    trigger = change.get("OrderChangeTrigger") or {}
    moment = trigger.get("TimeOfOrderChange") or message.get("EventTime")
    try:
        changed_at = parse_datetime(moment)
    except MappingError:
        raise NotificationError(
            "notification_field_invalid", field="TimeOfOrderChange", value=moment
        ) from None
    if changed_at is None:
        raise NotificationError("notification_field_missing", field="TimeOfOrderChange")
    metadata = message.get("NotificationMetadata") or {}
    return OrderChange(
        notification_id=metadata.get("NotificationId") or "",
        seller_id=change["SellerId"],
        order_id=change["AmazonOrderId"],
        marketplace_id=summary.get("MarketplaceId") or "",
        changed_at=changed_at,
        status=SUMMARY_STATUSES.get(summary.get("OrderStatus"), ""),
        fulfilled_by=SUMMARY_FULFILMENT.get(summary.get("FulfillmentType"), ""),
        change_type=change.get("OrderChangeType") or "",
    )


@dataclass(frozen=True)
class QueueMessage:
    receipt: str
    body: str


class SqsQueue:
    """One Amazon SQS queue, reached with the seller's AWS access key.

    The endpoint is the queue URL's own host (a local SQS-compatible server in tests), and the
    region comes from an AWS queue URL (``sqs.<region>.amazonaws.com``) or ``region``.
    """

    def __init__(self, queue_url, access_key_id, secret_access_key, region=None, timeout=30):
        parts = urlsplit(queue_url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc or not parts.path.strip("/"):
            raise errors.BadRequest("queue_url_invalid", queue_url=queue_url)
        match = _AWS_HOST.match(parts.hostname or "")
        self.queue_url = queue_url
        self._client = boto3.session.Session().client(
            "sqs",
            endpoint_url=f"{parts.scheme}://{parts.netloc}",
            region_name=(match and match.group(1)) or region or "us-east-1",
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(
                connect_timeout=timeout,
                read_timeout=timeout + 20,  # a long poll holds the answer up to 20 s
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )

    def __repr__(self):  # never print the key, even in a traceback's locals
        return f"SqsQueue({self.queue_url!r})"

    def arn(self):
        answer = self._call(
            "get_queue_attributes", QueueUrl=self.queue_url, AttributeNames=["QueueArn"]
        )
        return answer["Attributes"]["QueueArn"]

    def receive(self, wait_seconds=1, visibility_timeout=300):
        """Up to 10 messages, waiting up to ``wait_seconds`` for the first (long polling);
        each stays hidden from other readers for ``visibility_timeout`` seconds."""
        answer = self._call(
            "receive_message",
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=SQS_BATCH,
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=visibility_timeout,
        )
        return [
            QueueMessage(message["ReceiptHandle"], message.get("Body") or "")
            for message in answer.get("Messages") or []
        ]

    def delete(self, receipts):
        """Delete messages by receipt handle; returns the receipts SQS did not delete."""
        receipts = list(receipts)
        failed = []
        for start in range(0, len(receipts), SQS_BATCH):
            batch = receipts[start : start + SQS_BATCH]
            answer = self._call(
                "delete_message_batch",
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": receipt}
                    for index, receipt in enumerate(batch)
                ],
            )
            failed += [batch[int(entry["Id"])] for entry in answer.get("Failed") or []]
        return failed

    def _call(self, method, **params):
        host = urlsplit(self.queue_url).netloc
        try:
            return getattr(self._client, method)(**params)
        except EndpointConnectionError as exc:
            raise errors.NetworkError("unreachable", host=host) from exc
        except ClientError as exc:
            error = exc.response.get("Error") or {}
            code = error.get("Code") or ""
            facts = {
                "status": exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
                "amazon_code": code,
                "amazon_message": error.get("Message") or None,
                "queue_url": self.queue_url,
            }
            if code in _ACCESS_CODES:
                # The service's own AccessDenied (an error code, worded by amazon.error), not
                # Odoo's: nothing to translate here.
                raise errors.AccessDenied(  # pylint: disable=translation-required
                    "queue_access_denied", **facts
                ) from exc
            if code in _MISSING_CODES:
                raise errors.BadRequest("queue_not_found", **facts) from exc
            if (facts["status"] or 500) >= 500:
                raise errors.TransientError("queue_failed", **facts) from exc
            raise errors.BadRequest("queue_refused", **facts) from exc
        except BotoCoreError as exc:
            raise errors.TransientError("queue_failed", queue_url=self.queue_url) from exc
