"""Shipment confirmations for Orders v0 confirmShipment, built and explained without Odoo.

A confirmation is one package: its items and quantities, the carrier as Amazon knows it and a
tracking number. Amazon checks the carrier code against its own list, so the list lives here
and the carrier mapping screen offers exactly these values.
"""

import re
from dataclasses import dataclass, field

from .errors import ServiceError

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


class ShipmentError(ServiceError):
    """A package that can't be confirmed as it stands; ``code`` and ``data`` say what to fix."""


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
        raise ShipmentError("invalid_carrier_code", carrier_code=carrier.code)
    if carrier.code == OTHER_CARRIER and not carrier.name.strip():
        raise ShipmentError("carrier_name_required")
    tracking = (package.tracking_number or "").strip()
    if not tracking:
        raise ShipmentError("tracking_required")
    if not package.reference.isdigit() or int(package.reference) <= 0:
        raise ShipmentError("invalid_package_reference", reference=package.reference)
    items = []
    for item_id, quantity in sorted(package.items.items()):
        if quantity != int(quantity) or quantity <= 0:
            raise ShipmentError("fractional_units", item=item_id, quantity=quantity)
        items.append({"orderItemId": item_id, "quantity": int(quantity)})
    if not items:
        raise ShipmentError("package_empty")
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


# Amazon's confirmShipment refusals, recognised by their text: what the shipper should do
# about each is worded by models/amazon_error.py under the same code.
_REFUSALS = (
    (r"carrier ?code .* is not valid|carriercode", "amazon_invalid_carrier_code"),
    (r"carriername is required", "amazon_carrier_name_required"),
    (r"exceeds the quantity left to ship", "amazon_quantity_exceeds"),
    (r"is cancelled", "amazon_order_cancelled"),
    (r"already fulfilled|not finding a matching package", "amazon_already_shipped"),
    (r"trackingnumber must not be empty|tracking", "amazon_tracking_required"),
    (r"orderitemid is invalid", "amazon_invalid_order_item"),
)


def refusal_code(amazon_message):
    """The code of a confirmShipment refusal, from Amazon's message."""
    lowered = (amazon_message or "").lower()
    for pattern, code in _REFUSALS:
        if re.search(pattern, lowered):
            return code
    return "amazon_shipment_refused"
