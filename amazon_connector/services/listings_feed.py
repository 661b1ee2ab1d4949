"""Stock and prices as Amazon takes them: Listings Items JSON patches, the JSON_LISTINGS_FEED
document that carries them in bulk, and its processing report.

One :class:`ListingChange` is what one SKU needs on Amazon for the marketplaces of one feed
(or one patchListingsItem call): the merchant-fulfilled quantity and the prices per marketplace
that changed since Amazon last accepted them. Each becomes one feed message.

Two choices, where Amazon's prose is open (see docs/sync-model.md):

* Quantities are sent with JSON Patch ``merge`` on ``fulfillment_availability`` for the
  ``DEFAULT`` (merchant) channel only: ``replace`` would drop an ``AMAZON_EU`` entry of a SKU
  that is both merchant- and Amazon-fulfilled and zero the FBA offer.
* Prices are ``purchasable_offer`` entries tagged with their ``marketplace_id`` and
  ``audience`` (``ALL`` for consumers, ``B2B`` for Amazon Business), also merged, so one
  marketplace's price never overwrites another's. ``value_with_tax`` is the price the buyer
  sees, as the models' own examples use it.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import ServiceError

LISTINGS_FEED = "JSON_LISTINGS_FEED"
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
# listings-feed-schema-v2.json: messages maxItems.
FEED_MESSAGE_LIMIT = 25000
MERCHANT_CHANNEL = "DEFAULT"
CONSUMER_AUDIENCE = "ALL"
BUSINESS_AUDIENCE = "B2B"


class ListingsReportError(ServiceError):
    """Amazon's processing report of a listings feed could not be read."""


@dataclass(frozen=True)
class Price:
    marketplace_id: str
    currency: str
    amount: Decimal
    audience: str = CONSUMER_AUDIENCE


@dataclass(frozen=True)
class OfferChange:
    """What one offer (a SKU in one marketplace) needs: a quantity (None: unchanged), its
    changed prices, and why a price was refused (nothing is sent for a refused price)."""

    quantity: int | None
    prices: tuple
    refusal: str | None = None


@dataclass(frozen=True)
class ListingChange:
    """What one SKU needs on Amazon: a quantity (None: unchanged) and changed prices."""

    sku: str
    product_type: str
    quantity: int | None = None
    prices: tuple = field(default=())

    def patches(self):
        patches = []
        if self.quantity is not None:
            patches.append(
                {
                    "op": "merge",
                    "path": "/attributes/fulfillment_availability",
                    "value": [
                        {"fulfillment_channel_code": MERCHANT_CHANNEL, "quantity": self.quantity}
                    ],
                }
            )
        if self.prices:
            patches.append(
                {
                    "op": "merge",
                    "path": "/attributes/purchasable_offer",
                    "value": [
                        {
                            "marketplace_id": price.marketplace_id,
                            "currency": price.currency,
                            "audience": price.audience,
                            "our_price": [{"schedule": [{"value_with_tax": float(price.amount)}]}],
                        }
                        for price in self.prices
                    ],
                }
            )
        return patches


def listings_feed(seller_id, changes):
    """The JSON_LISTINGS_FEED document (UTF-8 bytes): message ``i`` is ``changes[i - 1]``."""
    if not changes:
        raise ValueError("A listings feed needs at least one change.")
    if len(changes) > FEED_MESSAGE_LIMIT:
        raise ValueError(f"A listings feed holds at most {FEED_MESSAGE_LIMIT} messages.")
    document = {
        "header": {"sellerId": seller_id, "version": "2.0"},
        "messages": [
            {
                "messageId": index,
                "sku": change.sku,
                "operationType": "PATCH",
                "productType": change.product_type,
                "patches": change.patches(),
            }
            for index, change in enumerate(changes, start=1)
        ],
    }
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class Issue:
    """One of Amazon's issues about a message (or the whole feed: ``message_id`` 0)."""

    message_id: int
    code: str
    message: str
    severity: str
    attribute: str | None = None


@dataclass(frozen=True)
class ListingsReport:
    processed: int
    accepted: int
    issues: tuple  # of Issue

    def errors_of(self, message_id):
        return [i for i in self.issues if i.message_id == message_id and i.severity == "ERROR"]

    def warnings_of(self, message_id):
        return [i for i in self.issues if i.message_id == message_id and i.severity == "WARNING"]

    @property
    def feed_errors(self):
        """Errors about the whole document (no messageId): nothing in it was applied."""
        return self.errors_of(0)


def _issue(found, message_id, attribute):
    """An Issue from Amazon's JSON (the feed report's or patchListingsItem's shape)."""
    return Issue(
        message_id=message_id if isinstance(message_id, int) else 0,
        code=str(found.get("code") or ""),
        message=str(found.get("message") or ""),
        severity=str(found.get("severity") or "ERROR"),
        attribute=attribute,
    )


def parse_listings_report(document):
    """Read the JSON processing report (listings-feed-processing-report-schema-v2)."""
    try:
        report = json.loads(document.decode("utf-8") if isinstance(document, bytes) else document)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ListingsReportError("report_not_json", error=str(exc)) from exc
    if not isinstance(report, dict) or not isinstance(report.get("summary"), dict):
        raise ListingsReportError("report_missing")
    issues = [
        _issue(found, found.get("messageId"), found.get("attributeName"))
        for found in report.get("issues") or []
        if isinstance(found, dict)
    ]
    summary = report["summary"]
    return ListingsReport(
        processed=int(summary.get("messagesProcessed") or 0),
        accepted=int(summary.get("messagesAccepted") or 0),
        issues=tuple(issues),
    )


def patch_issues(answer):
    """patchListingsItem's answer as (accepted, [Issue]) for message 1."""
    issues = [
        _issue(found, 1, (found.get("attributeNames") or [None])[0])
        for found in (answer.get("issues") or [])
        if isinstance(found, dict)
    ]
    accepted = answer.get("status") == "ACCEPTED" and not any(i.severity == "ERROR" for i in issues)
    return accepted, issues


def fulfilment_of(availability):
    """'merchant', 'amazon' or 'both' from a listing's fulfillmentAvailability, and the
    merchant quantity (None when the SKU has no merchant offer)."""
    codes = {entry.get("fulfillmentChannelCode") for entry in availability or ()}
    merchant = MERCHANT_CHANNEL in codes
    amazon = any(code and code != MERCHANT_CHANNEL for code in codes)
    quantity = next(
        (
            entry.get("quantity")
            for entry in availability or ()
            if entry.get("fulfillmentChannelCode") == MERCHANT_CHANNEL
        ),
        None,
    )
    if merchant and amazon:
        return "both", quantity
    if amazon:
        return "amazon", None
    return "merchant", quantity


def offer_prices(offers):
    """{(marketplace id, audience): Decimal amount} from a listing's ``offers``."""
    prices = {}
    for offer in offers or ():
        price = offer.get("price") or {}
        audience = (offer.get("audience") or {}).get("value") or (
            BUSINESS_AUDIENCE if offer.get("offerType") == "B2B" else CONSUMER_AUDIENCE
        )
        try:
            prices[(offer.get("marketplaceId"), audience)] = Decimal(str(price["amount"]))
        except (KeyError, ArithmeticError, ValueError):
            continue
    return prices
