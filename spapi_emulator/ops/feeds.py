"""Feeds API 2021-06-30, the presigned document URLs, and the two feed types the addon sends.

State (under ``emu.lock``):

* ``emu.documents[id]``: ``{feedDocumentId, sellerId, role ("input"|"result"), contentType,
  content (bytes or None until uploaded), compressed (bool), urlExpires (datetime)}``.
* ``emu.feeds[id]``: ``{feedId, sellerId, feedType, marketplaceIds, inputFeedDocumentId,
  feedOptions, createdTime (datetime), startAfter, doneAfter (seconds), cancelled,
  outcome (None, "DONE" or "FATAL"), resultFeedDocumentId}``.

A feed's ``processingStatus`` follows the emulated clock: IN_QUEUE until ``startAfter``
seconds after creation, IN_PROGRESS until ``doneAfter``, then DONE (or FATAL). The delays come
from ``emu.feed_delays`` (default 30 s and 90 s) when the feed is created. The feed is
processed once, when it is first seen due (any read, or :func:`process_due_feeds`): effects
are applied and the result document is built then. Set ``emu.feed_result_gzip = True`` to
serve result documents GZIP-compressed as Amazon may.
"""

import base64
import gzip
import json
import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import jsonschema

from ..clock import isoformat, parse_datetime
from ..routing import ApiError, Response, route
from . import listings

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "models" / "schemas" / "feeds"
DEFAULT_FEED_DELAYS = (30, 90)  # emulated seconds: IN_QUEUE -> IN_PROGRESS -> DONE
URL_LIFETIME = timedelta(minutes=5)  # Amazon's presigned URLs expire after 5 minutes
RETENTION = timedelta(days=90)  # getFeeds' default createdSince
PROCESSING_STATUSES = ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE")
LISTINGS_FEED = "JSON_LISTINGS_FEED"
ORDER_ACKNOWLEDGEMENT_FEED = "POST_ORDER_ACKNOWLEDGEMENT_DATA"
SUPPORTED_FEED_TYPES = (LISTINGS_FEED, ORDER_ACKNOWLEDGEMENT_FEED)
CANCEL_REASONS = frozenset(
    {
        "NoInventory",
        "ShippingAddressUndeliverable",
        "CustomerExchange",
        "BuyerCanceled",
        "GeneralAdjustment",
        "CarrierCreditDecision",
        "RiskAssessmentInformationNotValid",
        "CarrierCoverageFailure",
        "CustomerReturn",
        "MerchandiseNotReceived",
    }
)
# Amazon's feed result codes: 5001 is its "XML parsing fatal error"; 18028 ("the data you
# submitted is incomplete or invalid") stands in for every message-level rejection here.
XML_FATAL_CODE = "5001"
MESSAGE_ERROR_CODE = "18028"
CANCELLABLE_STATUSES = ("PENDING_AVAILABILITY", "PENDING", "UNSHIPPED")
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
XML_CONTENT_TYPE = "text/xml; charset=UTF-8"


def load_schema(name):
    return json.loads((SCHEMAS_DIR / name).read_text(encoding="utf-8"))


FEED_SCHEMA = load_schema("listings-feed-schema-v2.json")
MESSAGE_SCHEMA = load_schema("listings-feed-message-schema-v2.json")
REPORT_SCHEMA = load_schema("listings-feed-processing-report-schema-v2.json")
# The document schema without its per-message part: envelope errors make the feed FATAL,
# while a bad message only invalidates that message (checked with MESSAGE_SCHEMA).
ENVELOPE_SCHEMA = json.loads(json.dumps(FEED_SCHEMA))
del ENVELOPE_SCHEMA["properties"]["messages"]["items"]
ENVELOPE_VALIDATOR = jsonschema.Draft7Validator(ENVELOPE_SCHEMA)
MESSAGE_VALIDATOR = jsonschema.Draft7Validator(MESSAGE_SCHEMA)


def invalid_input(message):
    return ApiError(400, "InvalidInput", message)


def feed_delays(emu):
    return getattr(emu, "feed_delays", DEFAULT_FEED_DELAYS)


def new_document(emu, seller_id, role, content_type, content=None, compressed=False):
    document_id = "amzn1.tortuga.4.na." + str(uuid.UUID(int=emu.rng.getrandbits(128), version=4))
    emu.documents[document_id] = {
        "feedDocumentId": document_id,
        "sellerId": seller_id,
        "role": role,
        "contentType": content_type,
        "content": content,
        "compressed": compressed,
        "urlExpires": emu.clock.now() + URL_LIFETIME,
    }
    return emu.documents[document_id]


# ---------------------------------------------------------------- feed state over time
def feed_status(emu, feed):
    """The feed's processingStatus now; processes it the first time it is due."""
    if feed["cancelled"]:
        return "CANCELLED"
    elapsed = (emu.clock.now() - feed["createdTime"]).total_seconds()
    if elapsed < feed["startAfter"]:
        return "IN_QUEUE"
    if elapsed < feed["doneAfter"]:
        return "IN_PROGRESS"
    if feed["outcome"] is None:
        process_feed(emu, feed)
    return feed["outcome"]


def process_due_feeds(emu):
    """Process every feed whose time has come; returns the ids processed by this call."""
    processed = []
    with emu.lock:
        for feed in emu.feeds.values():
            if feed["outcome"] is None and feed_status(emu, feed) in ("DONE", "FATAL"):
                processed.append(feed["feedId"])
    return processed


def feed_view(emu, feed):
    """The ``Feed`` definition of the model."""
    status = feed_status(emu, feed)
    view = {
        "feedId": feed["feedId"],
        "feedType": feed["feedType"],
        "marketplaceIds": feed["marketplaceIds"],
        "createdTime": isoformat(feed["createdTime"]),
        "processingStatus": status,
    }
    if status in ("IN_PROGRESS", "DONE", "FATAL"):
        view["processingStartTime"] = isoformat(
            feed["createdTime"] + timedelta(seconds=feed["startAfter"])
        )
    if status in ("DONE", "FATAL"):
        view["processingEndTime"] = isoformat(
            feed["createdTime"] + timedelta(seconds=feed["doneAfter"])
        )
        if feed["resultFeedDocumentId"]:
            view["resultFeedDocumentId"] = feed["resultFeedDocumentId"]
    return view


def process_feed(emu, feed):
    """Apply the feed once and store its processing report as the result document."""
    document = emu.documents.get(feed["inputFeedDocumentId"])
    content = document["content"] if document else None
    if feed["feedType"] == LISTINGS_FEED:
        outcome, report = process_listings_feed(emu, feed, content)
        report_bytes, content_type = json.dumps(report).encode("utf-8"), JSON_CONTENT_TYPE
    else:
        outcome, report_bytes = process_order_acknowledgement(emu, feed, content)
        content_type = XML_CONTENT_TYPE
    compressed = bool(getattr(emu, "feed_result_gzip", False))
    if compressed:
        report_bytes = gzip.compress(report_bytes)
    result = new_document(emu, feed["sellerId"], "result", content_type, report_bytes, compressed)
    feed["resultFeedDocumentId"] = result["feedDocumentId"]
    feed["outcome"] = outcome


# ---------------------------------------------------------------- JSON_LISTINGS_FEED
def report_issue(message, message_id=None, sku=None, code=None, attribute=None, severity="ERROR"):
    """One entry of the processing report's ``issues`` (listings-feed-processing-report v2)."""
    found = {"severity": severity, "message": message}
    if isinstance(message_id, int) and not isinstance(message_id, bool) and message_id >= 1:
        found["messageId"] = message_id
    if isinstance(sku, str) and sku:
        found["sku"] = sku
    if code:
        found["code"] = code
    if attribute:
        found["attributeName"] = attribute
    return found


def listings_report(feed, issues, processed=0, accepted=0, report_header=None, items=None):
    report = {
        "header": {"sellerId": feed["sellerId"], "version": "2.0", "feedId": feed["feedId"]},
        "issues": issues,
        "summary": {
            "errors": sum(1 for i in issues if i["severity"] == "ERROR"),
            "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
            "messagesProcessed": processed,
            "messagesAccepted": accepted,
            "messagesInvalid": processed - accepted,
        },
    }
    if report_header:
        report["header"]["report"] = report_header
        report["summary"]["itemSummary"] = {
            "items": len(items),
            "errors": sum(
                1 for item in items for i in item.get("issues", []) if i["severity"] == "ERROR"
            ),
            "warnings": sum(
                1 for item in items for i in item.get("issues", []) if i["severity"] == "WARNING"
            ),
        }
        report["items"] = items
    return report


def schema_message(error):
    """A readable line for a JSON Schema error, with the JSON path it concerns."""
    best = jsonschema.exceptions.best_match([error])
    where = "/".join(str(part) for part in best.absolute_path)
    return f"{where}: {best.message}" if where else best.message


def process_listings_feed(emu, feed, content):
    """Validate the document, then apply each valid message to ``emu.listings``.

    Returns ("DONE" or "FATAL", report dict). A document that is not JSON, breaks the envelope
    schema or names another seller is FATAL and nothing is applied.
    """
    try:
        document = json.loads((content or b"").decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        reason = "no document was uploaded" if not content else f"it is not UTF-8 JSON: {exc}"
        return "FATAL", listings_report(
            feed, [report_issue(f"The feed document could not be read: {reason}.")]
        )
    envelope_errors = [
        report_issue(schema_message(error)) for error in ENVELOPE_VALIDATOR.iter_errors(document)
    ]
    if envelope_errors:
        return "FATAL", listings_report(feed, envelope_errors)
    if document["header"]["sellerId"] != feed["sellerId"]:
        return "FATAL", listings_report(
            feed,
            [
                report_issue(
                    f"header.sellerId '{document['header']['sellerId']}' is not the seller who "
                    "submitted the feed."
                )
            ],
        )

    issues, accepted_skus, seen_ids = [], [], set()
    for message in document["messages"]:
        message_id = message.get("messageId") if isinstance(message, dict) else None
        sku = message.get("sku") if isinstance(message, dict) else None
        errors = list(MESSAGE_VALIDATOR.iter_errors(message))
        if errors:
            issues.extend(report_issue(schema_message(e), message_id, sku) for e in errors)
            continue
        if message_id in seen_ids:
            issues.append(
                report_issue(f"messageId {message_id} is used more than once.", message_id, sku)
            )
            continue
        seen_ids.add(message_id)
        problems = apply_listings_message(emu, feed, message)
        if problems:
            issues.extend(
                report_issue(
                    p["message"], message_id, sku, p["code"], (p.get("attributeNames") or [None])[0]
                )
                for p in problems
            )
        else:
            accepted_skus.append(sku)

    report_header = document["header"].get("report")
    items = None
    if report_header:
        items = []
        for sku in dict.fromkeys(accepted_skus):
            listing = emu.listings.get((feed["sellerId"], sku))
            if listing:
                items.append(
                    listings.listing_view(
                        listing, feed["marketplaceIds"], report_header["includedData"]
                    )
                )
    processed = len(document["messages"])
    accepted = len(accepted_skus)
    return "DONE", listings_report(feed, issues, processed, accepted, report_header, items)


def apply_listings_message(emu, feed, message):
    """Apply one schema-valid message; return Listings issues (nothing applied if any)."""
    key = (feed["sellerId"], message["sku"])
    listing = emu.listings.get(key)
    operation = message["operationType"]
    marketplace_ids = feed["marketplaceIds"]
    if listing is None and operation != "UPDATE":
        return [
            listings.issue(
                f"SKU '{message['sku']}' has no listing; {operation} needs an existing listing.",
                listings.SKU_NOT_FOUND_CODE,
            )
        ]
    if listing and operation != "DELETE" and message["productType"] != listing["productType"]:
        return [
            listings.issue(
                f"productType '{message['productType']}' does not match the listing's product type "
                f"'{listing['productType']}'.",
                attribute="product_type",
            )
        ]
    if operation == "DELETE":
        del emu.listings[key]
        return []
    if operation == "PATCH":
        problems = listings.check_patches(message["patches"], marketplace_ids)
    else:
        problems = listings.check_attributes(message["attributes"], marketplace_ids)
    if problems:
        return problems
    if operation == "UPDATE" and listing is None:
        listings.make_listing(
            emu,
            feed["sellerId"],
            message["sku"],
            message["productType"],
            message["attributes"],
            marketplace_ids,
        )
        return []
    if operation == "UPDATE":
        listing["attributes"] = dict(message["attributes"])
    elif operation == "PARTIAL_UPDATE":
        listing["attributes"].update(message["attributes"])
    else:
        listings.apply_patches(listing, message["patches"])
    listings.touch_listing(emu, listing, marketplace_ids)
    return []


# ---------------------------------------------------------------- POST_ORDER_ACKNOWLEDGEMENT_DATA
def xml_report(feed, results, processed, successful):
    """Amazon's XML ProcessingReport envelope."""
    root = ET.Element(
        "AmazonEnvelope",
        {
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:noNamespaceSchemaLocation": "amzn-envelope.xsd",
        },
    )
    header = ET.SubElement(root, "Header")
    ET.SubElement(header, "DocumentVersion").text = "1.02"
    ET.SubElement(header, "MerchantIdentifier").text = feed["sellerId"]
    ET.SubElement(root, "MessageType").text = "ProcessingReport"
    message = ET.SubElement(root, "Message")
    ET.SubElement(message, "MessageID").text = "1"
    report = ET.SubElement(message, "ProcessingReport")
    ET.SubElement(report, "DocumentTransactionID").text = feed["feedId"]
    ET.SubElement(report, "StatusCode").text = "Complete"
    summary = ET.SubElement(report, "ProcessingSummary")
    ET.SubElement(summary, "MessagesProcessed").text = str(processed)
    ET.SubElement(summary, "MessagesSuccessful").text = str(successful)
    ET.SubElement(summary, "MessagesWithError").text = str(len(results))
    ET.SubElement(summary, "MessagesWithWarning").text = "0"
    for message_id, code, description, order_id in results:
        result = ET.SubElement(report, "Result")
        ET.SubElement(result, "MessageID").text = str(message_id)
        ET.SubElement(result, "ResultCode").text = "Error"
        ET.SubElement(result, "ResultMessageCode").text = code
        ET.SubElement(result, "ResultDescription").text = description
        if order_id:
            info = ET.SubElement(result, "AdditionalInfo")
            ET.SubElement(info, "AmazonOrderID").text = order_id
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def fatal_xml(feed, description):
    return "FATAL", xml_report(feed, [(0, XML_FATAL_CODE, description, None)], 0, 0)


def text_of(element, path):
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def process_order_acknowledgement(emu, feed, content):
    """Parse the AmazonEnvelope; each OrderAcknowledgement message succeeds or fails alone."""
    if not content:
        return fatal_xml(feed, "No feed document was uploaded.")
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        return fatal_xml(feed, f"XML Parsing Fatal Error: {exc}")
    if root.tag != "AmazonEnvelope":
        return fatal_xml(feed, f"The root element is {root.tag}, expected AmazonEnvelope.")
    if not text_of(root, "Header/MerchantIdentifier"):
        return fatal_xml(feed, "Header/MerchantIdentifier is missing.")
    if text_of(root, "MessageType") != "OrderAcknowledgement":
        return fatal_xml(feed, "MessageType must be OrderAcknowledgement for this feed type.")
    messages = root.findall("Message")
    if not messages:
        return fatal_xml(feed, "The envelope contains no Message.")
    results = []
    for message in messages:
        raw_id = text_of(message, "MessageID")
        message_id = int(raw_id) if raw_id.isdigit() and int(raw_id) > 0 else 0
        order_id = text_of(message, "OrderAcknowledgement/AmazonOrderID")
        error = acknowledge(emu, feed, message, message_id)
        if error:
            results.append((message_id, MESSAGE_ERROR_CODE, error, order_id or None))
    successful = len(messages) - len(results)
    return "DONE", xml_report(feed, results, len(messages), successful)


def acknowledge(emu, feed, message, message_id):
    """Apply one acknowledgement; return an error description, or None on success."""
    if not message_id:
        return "MessageID must be a positive integer."
    ack = message.find("OrderAcknowledgement")
    if ack is None:
        return "The message has no OrderAcknowledgement."
    order_id = text_of(ack, "AmazonOrderID")
    order = emu.orders.get(order_id)
    if not order_id or order is None or emu.order_seller.get(order_id) != feed["sellerId"]:
        return f"AmazonOrderID '{order_id}' was not found for this seller."
    status_code = text_of(ack, "StatusCode")
    if status_code not in ("Success", "Failure"):
        return f"StatusCode '{status_code}' is invalid; expected Success or Failure."
    item_ids = {item["orderItemId"] for item in order["orderItems"]}
    reasons = {}
    for item in ack.findall("Item"):
        item_code = text_of(item, "AmazonOrderItemCode")
        if item_code not in item_ids:
            return f"AmazonOrderItemCode '{item_code}' is not an item of order {order_id}."
        reason = text_of(item, "CancelReason")
        if reason and reason not in CANCEL_REASONS:
            return f"CancelReason '{reason}' is invalid."
        if reason:
            reasons[item_code] = reason
    status = order["fulfillment"]["fulfillmentStatus"]
    if status == "CANCELLED":
        return f"Order {order_id} is already cancelled."
    if status_code == "Success":
        if reasons:
            return (
                "CancelReason with StatusCode Success (item-level cancellation) is not "
                "supported by the emulator; send StatusCode Failure to cancel the order."
            )
        merchant_order_id = text_of(ack, "MerchantOrderID")
        if merchant_order_id:
            aliases = [
                a for a in order.get("orderAliases", []) if a.get("aliasType") != "SELLER_ORDER_ID"
            ]
            alias = {"aliasId": merchant_order_id, "aliasType": "SELLER_ORDER_ID"}
            order["orderAliases"] = [*aliases, alias]
            emu.touch(order_id)
        return None
    if order["fulfillment"].get("fulfilledBy") == "AMAZON":
        return f"Order {order_id} is fulfilled by Amazon and can't be cancelled by the seller."
    if status not in CANCELLABLE_STATUSES:
        return f"Order {order_id} can't be cancelled: it is {status} (items already shipped)."
    default_reason = next(iter(reasons.values()), None)
    for item in order["orderItems"]:
        execution = {"cancelledBy": "MERCHANT"}
        reason = reasons.get(item["orderItemId"], default_reason)
        if reason:
            execution["cancelReason"] = reason
        item.setdefault("cancellation", {})["cancellationExecution"] = execution
        item.setdefault("fulfillment", {})["quantityUnfulfilled"] = 0
    order["fulfillment"]["fulfillmentStatus"] = "CANCELLED"
    emu.touch(order_id)
    return None


# ---------------------------------------------------------------- API operations
def seller_feed(emu, req):
    feed = emu.feeds.get(req.path_params["feedId"])
    if feed is None or feed["sellerId"] != req.seller_id:
        raise ApiError(404, "NotFound", f"Feed {req.path_params['feedId']} was not found.")
    return feed


@route("POST", "/feeds/2021-06-30/documents", "createFeedDocument")
def create_feed_document(emu, req):
    body = req.json()
    content_type = body.get("contentType") if isinstance(body, dict) else None
    if not isinstance(content_type, str) or not content_type.strip():
        raise invalid_input("contentType is required.")
    document = new_document(emu, req.seller_id, "input", content_type)
    url = f"{emu.base_url}/_upload/{document['feedDocumentId']}"
    return Response(201, {"feedDocumentId": document["feedDocumentId"], "url": url})


@route("POST", "/feeds/2021-06-30/feeds", "createFeed")
def create_feed(emu, req):
    body = req.json()
    if not isinstance(body, dict):
        raise invalid_input("The body must be a CreateFeedSpecification.")
    feed_type = body.get("feedType")
    document_id = body.get("inputFeedDocumentId")
    marketplace_ids = body.get("marketplaceIds")
    options = body.get("feedOptions", {})
    if not isinstance(feed_type, str) or not isinstance(document_id, str):
        raise invalid_input("feedType and inputFeedDocumentId are required.")
    if (
        not isinstance(marketplace_ids, list)
        or not 1 <= len(marketplace_ids) <= 25
        or not all(isinstance(m, str) for m in marketplace_ids)
    ):
        raise invalid_input("marketplaceIds must list 1 to 25 marketplace ids.")
    if not isinstance(options, dict) or not all(isinstance(v, str) for v in options.values()):
        raise invalid_input("feedOptions values must be strings.")
    if feed_type not in SUPPORTED_FEED_TYPES:
        raise invalid_input(
            f"Feed type {feed_type} is not supported by the emulator "
            f"(supported: {', '.join(SUPPORTED_FEED_TYPES)}).",
        )
    allowed = emu.sellers[req.seller_id].marketplace_ids
    unknown = [m for m in marketplace_ids if m not in allowed]
    if unknown:
        raise invalid_input(f"The seller does not participate in {', '.join(unknown)}.")
    document = emu.documents.get(document_id)
    if document is None or document["sellerId"] != req.seller_id or document["role"] != "input":
        raise invalid_input(f"Invalid inputFeedDocumentId {document_id}.")
    start_after, done_after = feed_delays(emu)
    feed_id = emu.new_id("5000")
    emu.feeds[feed_id] = {
        "feedId": feed_id,
        "sellerId": req.seller_id,
        "feedType": feed_type,
        "marketplaceIds": list(marketplace_ids),
        "inputFeedDocumentId": document_id,
        "feedOptions": dict(options),
        "createdTime": emu.clock.now(),
        "startAfter": start_after,
        "doneAfter": done_after,
        "cancelled": False,
        "outcome": None,
        "resultFeedDocumentId": None,
    }
    return Response(202, {"feedId": feed_id})


@route("GET", "/feeds/2021-06-30/feeds/{feedId}", "getFeed")
def get_feed(emu, req):
    return feed_view(emu, seller_feed(emu, req))


@route("DELETE", "/feeds/2021-06-30/feeds/{feedId}", "cancelFeed")
def cancel_feed(emu, req):
    """Only an IN_QUEUE feed can be cancelled (model description); 200 with no body."""
    feed = seller_feed(emu, req)
    status = feed_status(emu, feed)
    if status != "IN_QUEUE":
        raise invalid_input(
            f"Feed {feed['feedId']} is {status}; only IN_QUEUE feeds can be cancelled.",
        )
    feed["cancelled"] = True
    return Response(200, None)


FILTER_PARAMS = (
    "feedTypes",
    "marketplaceIds",
    "pageSize",
    "processingStatuses",
    "createdSince",
    "createdUntil",
)


def encode_token(state):
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def decode_token(token):
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError as exc:
        raise invalid_input("nextToken is invalid.") from exc
    if not isinstance(state, dict) or "offset" not in state:
        raise invalid_input("nextToken is invalid.")
    return state


def feeds_query(emu, req):
    """getFeeds' filters, validated as the model says (or restored from nextToken)."""
    token = req.arg("nextToken")
    if token:
        if any(req.query.get(name) for name in FILTER_PARAMS if name != "marketplaceIds"):
            raise invalid_input("nextToken must be sent as the only parameter.")
        return decode_token(token)
    feed_types = req.arg_list("feedTypes")
    if not 1 <= len(feed_types) <= 10:
        raise invalid_input("feedTypes (1 to 10) or nextToken is required.")
    marketplace_ids = req.arg_list("marketplaceIds")
    if len(marketplace_ids) > 10:
        raise invalid_input("marketplaceIds accepts at most 10 values.")
    statuses = req.arg_list("processingStatuses")
    bad = [s for s in statuses if s not in PROCESSING_STATUSES]
    if bad:
        raise invalid_input(f"Invalid processingStatuses: {', '.join(bad)}.")
    try:
        page_size = int(req.arg("pageSize", "10"))
    except ValueError:
        page_size = 0
    if not 1 <= page_size <= 100:
        raise invalid_input("pageSize must be between 1 and 100.")
    now = emu.clock.now()
    try:
        since = parse_datetime(req.arg("createdSince")) if req.arg("createdSince") else None
        until = parse_datetime(req.arg("createdUntil")) if req.arg("createdUntil") else None
    except ValueError as exc:
        raise invalid_input("createdSince/createdUntil must be ISO 8601.") from exc
    return {
        "feedTypes": feed_types,
        "marketplaceIds": marketplace_ids,
        "processingStatuses": statuses,
        "pageSize": page_size,
        "createdSince": isoformat(since or now - RETENTION),
        "createdUntil": isoformat(until) if until else None,
        "offset": 0,
    }


@route("GET", "/feeds/2021-06-30/feeds", "getFeeds")
def get_feeds(emu, req):
    query = feeds_query(emu, req)
    since = parse_datetime(query["createdSince"])
    until = parse_datetime(query["createdUntil"]) if query["createdUntil"] else None
    found = []
    for feed in sorted(emu.feeds.values(), key=lambda f: f["createdTime"], reverse=True):
        if feed["sellerId"] != req.seller_id or feed["feedType"] not in query["feedTypes"]:
            continue
        if feed["createdTime"] < since or (until and feed["createdTime"] > until):
            continue
        if query["marketplaceIds"] and not set(query["marketplaceIds"]) & set(
            feed["marketplaceIds"]
        ):
            continue
        view = feed_view(emu, feed)
        if (
            query["processingStatuses"]
            and view["processingStatus"] not in query["processingStatuses"]
        ):
            continue
        found.append(view)
    offset, size = query["offset"], query["pageSize"]
    answer = {"feeds": found[offset : offset + size]}
    if offset + size < len(found):
        answer["nextToken"] = encode_token({**query, "offset": offset + size})
    return answer


@route("GET", "/feeds/2021-06-30/documents/{feedDocumentId}", "getFeedDocument")
def get_feed_document(emu, req):
    document = emu.documents.get(req.path_params["feedDocumentId"])
    if document is None or document["sellerId"] != req.seller_id:
        raise ApiError(
            404, "NotFound", f"Feed document {req.path_params['feedDocumentId']} was not found."
        )
    document["urlExpires"] = emu.clock.now() + URL_LIFETIME
    answer = {
        "feedDocumentId": document["feedDocumentId"],
        "url": f"{emu.base_url}/_download/{document['feedDocumentId']}",
    }
    if document["compressed"]:
        answer["compressionAlgorithm"] = "GZIP"
    return answer


# ---------------------------------------------------------------- presigned URLs (S3 stand-in)
def s3_error(status, code, message):
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
        f"<Message>{message}</Message></Error>"
    )
    return Response(status, body, content_type="application/xml")


def presigned_document(emu, req):
    """The document behind a presigned URL, or the S3-style error to answer."""
    document = emu.documents.get(req.path_params["documentId"])
    if document is None:
        return None, s3_error(404, "NoSuchKey", "The specified key does not exist.")
    if emu.clock.now() > document["urlExpires"]:
        return None, s3_error(403, "AccessDenied", "Request has expired")
    return document, None


@route("PUT", "/_upload/{documentId}", "uploadFeedDocument", auth="none")
def upload_feed_document(emu, req):
    """Store the uploaded bytes (gunzipped when Content-Encoding says gzip)."""
    document, error = presigned_document(emu, req)
    if error:
        return error
    if document["role"] != "input":
        return s3_error(403, "AccessDenied", "Access Denied")
    content = req.body
    if "gzip" in req.headers.get("content-encoding", "").lower():
        try:
            content = gzip.decompress(content)
        except (OSError, EOFError):
            return s3_error(400, "InvalidRequest", "The body is not valid gzip data.")
    document["content"] = content
    return Response(200, b"")


@route("GET", "/_download/{documentId}", "downloadFeedDocument", auth="none")
def download_feed_document(emu, req):
    document, error = presigned_document(emu, req)
    if error:
        return error
    if document["content"] is None:
        return s3_error(404, "NoSuchKey", "The specified key does not exist.")
    # Like S3, the stored content type is sent even for GZIP bytes; the charset tells clients
    # how to decode the text once decompressed.
    return Response(200, document["content"], content_type=document["contentType"])
