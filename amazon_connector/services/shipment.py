"""Shipment confirmations for Orders v0 confirmShipment, built and explained without Odoo.

A confirmation is one package: its items and quantities, the carrier as Amazon knows it and a
tracking number. Amazon checks the carrier code against its own list, so the list lives here
and the carrier mapping screen offers exactly these values.
"""

import re
from dataclasses import dataclass, field

# Amazon's shipment-confirmation carrier codes (Seller Central's carrier list, the
# ``CarrierCode`` values of amzn-base.xsd). A carrier that is not on the list is sent as
# "Other" together with its name.
OTHER_CARRIER = "Other"
CARRIER_CODES = (
    "Amazon Shipping",
    "AFL/Fedex",
    "Aramex",
    "Australia Post",
    "Blue Dart",
    "BRT",
    "Canada Post",
    "Chronopost",
    "City Link",
    "Colissimo",
    "Correos",
    "DHL",
    "DHL eCommerce",
    "DHL Global Mail",
    "DPD",
    "DTDC",
    "Delhivery",
    "Deutsche Post",
    "Evri",
    "Fastway",
    "FedEx",
    "FedEx SmartPost",
    "GLS",
    "GO!",
    "Hermes Logistik Gruppe",
    "India Post",
    "InPost",
    "Japan Post",
    "La Poste",
    "Lasership",
    "Nippon Express",
    "OnTrac",
    "OSM",
    "Parcelforce",
    "PostNL",
    "Poste Italiane",
    "Purolator",
    "Royal Mail",
    "SDA",
    "SEUR",
    "Sagawa Express",
    "Seino",
    "TNT",
    "UPS",
    "UPS Mail Innovations",
    "USPS",
    "Yamato Transport",
    "Yodel",
    OTHER_CARRIER,
)


class ShipmentError(ValueError):
    """A package that can't be confirmed as it stands; the message says what to fix."""


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str = ""
    shipping_method: str = ""


@dataclass
class Package:
    """One package to confirm: {order item id: units} and its tracking number."""

    reference: str
    tracking_number: str
    items: dict = field(default_factory=dict)


def package_detail(package, carrier, ship_date, supply_source_id=None):
    """The ``packageDetail`` of a ConfirmShipmentRequest; raises ShipmentError if incomplete."""
    if carrier.code not in CARRIER_CODES:
        raise ShipmentError(
            f"'{carrier.code}' is not one of Amazon's carrier codes: on the channel's "
            "Carriers tab, choose one from the list, or 'Other' with the carrier's name."
        )
    if carrier.code == OTHER_CARRIER and not carrier.name.strip():
        raise ShipmentError(
            "Carrier code 'Other' needs the carrier's name: fill it in on the channel's "
            "Carriers tab."
        )
    tracking = (package.tracking_number or "").strip()
    if not tracking:
        raise ShipmentError(
            "The delivery has no tracking number: enter it, then press 'Send to Amazon'."
        )
    if not package.reference.isdigit() or int(package.reference) <= 0:
        raise ShipmentError(f"Package reference {package.reference!r} must be a positive number.")
    items = []
    for item_id, quantity in sorted(package.items.items()):
        if quantity != int(quantity) or quantity <= 0:
            raise ShipmentError(
                f"Order item {item_id}: Amazon takes whole units only, not {quantity}."
            )
        items.append({"orderItemId": item_id, "quantity": int(quantity)})
    if not items:
        raise ShipmentError("The package holds no Amazon order item.")
    detail = {
        "packageReferenceId": package.reference,
        "carrierCode": carrier.code,
        "trackingNumber": tracking,
        "shipDate": ship_date.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "orderItems": items,
    }
    if carrier.code == OTHER_CARRIER:
        detail["carrierName"] = carrier.name.strip()
    if carrier.shipping_method:
        detail["shippingMethod"] = carrier.shipping_method
    if supply_source_id:
        detail["shipFromSupplySourceId"] = supply_source_id
    return detail


def split_tracking_numbers(reference):
    """Odoo's carrier connectors store one number per package, comma separated."""
    return [number.strip() for number in re.split(r"[,;\s]+", reference or "") if number.strip()]


# Amazon's confirmShipment answers, and what the shipper should do about them.
_REJECTION_HINTS = (
    (
        r"carrier ?code .* is not valid|carriercode",
        "Amazon does not accept this carrier code: fix the carrier's row in the channel's "
        "Carriers tab, then send again.",
    ),
    (
        r"carriername is required",
        "Amazon needs the carrier's name for carrier code 'Other': fill it in on the "
        "channel's Carriers tab, then send again.",
    ),
    (
        r"exceeds the quantity left to ship",
        "Amazon counts fewer units left to ship than this delivery: another delivery or "
        "Seller Central already confirmed some. Check the order on Amazon.",
    ),
    (
        r"is cancelled",
        "The order is cancelled on Amazon: do not ship it, or contact the buyer if it left.",
    ),
    (
        r"already fulfilled|not finding a matching package",
        "Amazon already has this order as shipped (confirmed elsewhere).",
    ),
    (
        r"trackingnumber must not be empty|tracking",
        "Amazon needs a tracking number: enter it on the delivery, then send again.",
    ),
    (
        r"orderitemid is invalid",
        "An order line no longer matches an Amazon order item: check the order's lines.",
    ),
)


def explain_rejection(message):
    """Amazon's message preceded by what to do, in a shipper's words when we know them."""
    lowered = (message or "").lower()
    for pattern, hint in _REJECTION_HINTS:
        if re.search(pattern, lowered):
            return f"{hint} (Amazon: {message})"
    return f"Amazon refused the shipment confirmation: {message}"
