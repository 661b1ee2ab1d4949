"""POST_ORDER_ACKNOWLEDGEMENT_DATA: the XML feed that cancels orders, and its processing report.

Amazon has no API call that cancels a seller-fulfilled order; the order acknowledgement feed
with ``StatusCode`` Failure does, with a reason per item. Several orders go in one feed (one
message each) because createFeed allows about one call every two minutes.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .errors import ServiceError

ACKNOWLEDGEMENT_FEED = "POST_ORDER_ACKNOWLEDGEMENT_DATA"
XML_CONTENT_TYPE = "text/xml; charset=UTF-8"

# Amazon's cancellation reasons for the order acknowledgement feed, with the words staff read.
CANCEL_REASONS = [
    ("NoInventory", "Out of stock"),
    ("ShippingAddressUndeliverable", "Shipping address undeliverable"),
    ("CustomerExchange", "Customer exchange"),
    ("BuyerCanceled", "Buyer cancelled"),
    ("GeneralAdjustment", "General adjustment"),
    ("CarrierCreditDecision", "Carrier credit decision"),
    ("RiskAssessmentInformationNotValid", "Risk assessment information not valid"),
    ("CarrierCoverageFailure", "Carrier coverage failure"),
    ("CustomerReturn", "Customer return"),
    ("MerchandiseNotReceived", "Merchandise not received"),
]


class FeedError(ServiceError):
    """Amazon's processing report could not be read."""


@dataclass(frozen=True)
class Cancellation:
    message_id: int
    order_id: str
    reason: str
    item_ids: tuple


@dataclass(frozen=True)
class ProcessingReport:
    processed: int
    successful: int
    errors: dict  # message id -> Amazon's description (0: the whole document)


def cancellation_feed(merchant_id, cancellations):
    """The feed document (UTF-8 bytes): one OrderAcknowledgement Failure per order."""
    reasons = {code for code, _label in CANCEL_REASONS}
    root = ET.Element(
        "AmazonEnvelope",
        {
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:noNamespaceSchemaLocation": "amzn-envelope.xsd",
        },
    )
    header = ET.SubElement(root, "Header")
    ET.SubElement(header, "DocumentVersion").text = "1.01"
    ET.SubElement(header, "MerchantIdentifier").text = merchant_id
    ET.SubElement(root, "MessageType").text = "OrderAcknowledgement"
    for cancellation in cancellations:
        if cancellation.reason not in reasons:
            raise ValueError(f"{cancellation.reason!r} is not an Amazon cancellation reason.")
        message = ET.SubElement(root, "Message")
        ET.SubElement(message, "MessageID").text = str(cancellation.message_id)
        ack = ET.SubElement(message, "OrderAcknowledgement")
        ET.SubElement(ack, "AmazonOrderID").text = cancellation.order_id
        ET.SubElement(ack, "StatusCode").text = "Failure"
        for item_id in cancellation.item_ids:
            item = ET.SubElement(ack, "Item")
            ET.SubElement(item, "AmazonOrderItemCode").text = item_id
            ET.SubElement(item, "CancelReason").text = cancellation.reason
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def parse_processing_report(document):
    """Read Amazon's XML ProcessingReport; errors are keyed by the MessageID they concern."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError as exc:
        raise FeedError("report_not_xml", error=str(exc)) from exc
    report = root.find("Message/ProcessingReport")
    if report is None:
        raise FeedError("report_missing")
    summary = report.find("ProcessingSummary")

    def number(tag):
        found = summary.find(tag) if summary is not None else None
        return int(found.text) if found is not None and (found.text or "").isdigit() else 0

    errors = {}
    for result in report.findall("Result"):
        if (result.findtext("ResultCode") or "").strip() != "Error":
            continue
        raw_id = (result.findtext("MessageID") or "0").strip()
        message_id = int(raw_id) if raw_id.isdigit() else 0
        description = (result.findtext("ResultDescription") or "").strip()
        errors[message_id] = "; ".join(filter(None, [errors.get(message_id), description]))
    return ProcessingReport(number("MessagesProcessed"), number("MessagesSuccessful"), errors)
