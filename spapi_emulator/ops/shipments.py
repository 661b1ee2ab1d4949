"""Orders v0 write operations: confirmShipment and updateShipmentStatus.

Amazon keeps one order record; the v0 write calls change it and the v2026-01-01 reads show the
result. So both handlers validate like Amazon, then write into the v2026 ``Order`` dict held in
``emu.orders``: a package in ``packages[]``, the items' ``fulfillment.quantityFulfilled`` /
``quantityUnfulfilled`` and the order's ``fulfillment.fulfillmentStatus``, then ``emu.touch``
so a ``lastUpdatedAfter`` search finds the order again.

``ship_in_seller_central`` makes the same change for a seller who ships from Seller Central
instead (control API ``POST /_emulator/orders/{orderId}/ship``, ``Emulator.ship_order``).
"""

import copy
import itertools

from .. import generator
from ..clock import isoformat, parse_datetime
from ..routing import ApiError, Response, route
from .sellers import MARKETPLACES

# Carrier codes as Amazon lists them for shipment confirmation (Seller Central's carrier list /
# amzn-base.xsd ``CarrierCode``). The value must match exactly; an unlisted carrier is sent as
# "Other" together with ``carrierName``.
CARRIER_CODES = frozenset(
    {
        "Amazon Shipping",
        "AFL/Fedex",
        "Aramex",
        "Australia Post",
        "Blue Dart",
        "BlueDart",
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
        "Hermes",
        "Hermes Logistik Gruppe",
        "India Post",
        "InPost",
        "Japan Post",
        "La Poste",
        "Lasership",
        "Newgistics",
        "Nippon Express",
        "NipponExpress",
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
        "SagawaExpress",
        "Seino",
        "TNT",
        "UPS",
        "UPS Mail Innovations",
        "UPSMI",
        "USPS",
        "Yamato Transport",
        "YamatoTransport",
        "Yodel",
        "Other",
    }
)

SHIPMENT_STATUSES = ("ReadyForPickup", "PickedUp", "RefusedPickup")
# Order states in which Amazon still expects the seller to ship.
SHIPPABLE_STATUSES = ("UNSHIPPED", "PARTIALLY_SHIPPED")


def invalid_input(message, details=""):
    return ApiError(400, "InvalidInput", message, details)


def seller_order(emu, req):
    """The caller's order, or Amazon's 404: another seller's order looks exactly like none."""
    order_id = req.path_params["orderId"]
    order = emu.orders.get(order_id)
    if order is None or emu.order_seller.get(order_id) != req.seller_id:
        raise ApiError(404, "NotFound", f"Order {order_id} was not found.", "")
    return order


def check_marketplace(order, marketplace_id):
    """Same answer as the model's sandbox example for an unknown marketplace."""
    if not isinstance(marketplace_id, str) or marketplace_id not in MARKETPLACES:
        raise invalid_input("Marketplace ID is not defined", "1001")
    if order["salesChannel"].get("marketplaceId") != marketplace_id:
        raise invalid_input(
            f"Marketplace ID {marketplace_id} does not match the order's marketplace "
            f"{order['salesChannel'].get('marketplaceId')}."
        )


def type_error(field):
    """Amazon's wording when a body field has the wrong JSON type."""
    return invalid_input(
        "The input you have submitted is not valid. Please check the fields with invalid "
        f"type [{field}]."
    )


def fulfilled_quantity(item):
    return item.get("fulfillment", {}).get("quantityFulfilled", 0)


def remaining_quantity(item):
    return item["quantityOrdered"] - fulfilled_quantity(item)


def check_fulfillable(order):
    """Reject what Amazon never lets a seller ship: AFN, cancelled, pending or shipped orders."""
    fulfillment = order.get("fulfillment", {})
    if fulfillment.get("fulfilledBy") == "AMAZON":
        raise invalid_input(
            "The order is fulfilled by Amazon (AFN); shipment confirmation is only for "
            "merchant-fulfilled orders."
        )
    status = fulfillment.get("fulfillmentStatus")
    if status == "CANCELLED":
        raise invalid_input("The order is cancelled and can't be shipped.")
    if status == "SHIPPED":
        raise invalid_input(
            "Failed to create package due to not finding a matching package or order already "
            "fulfilled."
        )
    if status not in SHIPPABLE_STATUSES:
        raise invalid_input(f"The order is in status {status} and is not ready for shipment.")


def parse_item_quantities(order, items, field):
    """Validate ``[{orderItemId, quantity}]`` against the order; return {itemId: quantity}."""
    pairs = []
    for index, entry in enumerate(items):
        if not isinstance(entry, dict):
            raise type_error(f"{field}[{index}]")
        item_id = entry.get("orderItemId")
        quantity = entry.get("quantity")
        if not isinstance(item_id, str):
            raise type_error(f"{field}[{index}].orderItemId")
        if not is_integer(quantity):
            raise type_error(f"{field}[{index}].quantity")
        pairs.append((item_id, quantity))
    return checked_quantities(order, pairs)


def is_integer(value):
    """A JSON integer: ``true``/``false`` arrive as bool, an int subclass, and are not."""
    return isinstance(value, int) and not isinstance(value, bool)


def checked_quantities(order, pairs):
    """{itemId: quantity} summed per item from (orderItemId, quantity) pairs, refused like
    Amazon when an item is unknown, a quantity not positive or more than is left to ship."""
    by_id = {item["orderItemId"]: item for item in order["orderItems"]}
    quantities = {}
    for item_id, quantity in pairs:
        if item_id not in by_id:
            raise invalid_input(
                "OrderItemId is invalid, please obtain the value through the getOrderItems API "
                "or Manage Orders page"
            )
        if quantity <= 0:
            raise invalid_input(f"Quantity for order item {item_id} must be a positive integer.")
        quantities[item_id] = quantities.get(item_id, 0) + quantity
    for item_id, quantity in quantities.items():
        left = remaining_quantity(by_id[item_id])
        if quantity > left:
            raise invalid_input(
                f"Quantity {quantity} for order item {item_id} exceeds the quantity left to "
                f"ship ({left})."
            )
    return quantities


def apply_fulfilled_quantities(order, quantities):
    """Count units as shipped and derive the order's fulfillment status from its items."""
    for item in order["orderItems"]:
        added = quantities.get(item["orderItemId"], 0)
        fulfillment = item.setdefault("fulfillment", {})
        fulfillment["quantityFulfilled"] = fulfilled_quantity(item) + added
        fulfillment["quantityUnfulfilled"] = remaining_quantity(item)
    fully_shipped = all(remaining_quantity(item) == 0 for item in order["orderItems"])
    order["fulfillment"]["fulfillmentStatus"] = "SHIPPED" if fully_shipped else "PARTIALLY_SHIPPED"


def read_package_detail(body):
    """Type-check the ConfirmShipmentRequest.packageDetail fields Amazon requires."""
    detail = body.get("packageDetail")
    if not isinstance(detail, dict):
        raise type_error("packageDetail")
    for field in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate"):
        if field not in detail:
            raise invalid_input(f"Missing required field: packageDetail.{field}.")
        if not isinstance(detail[field], str):
            raise type_error(f"packageDetail.{field}")
    if not isinstance(detail.get("orderItems"), list):
        raise type_error("packageDetail.orderItems")
    reference = detail["packageReferenceId"]
    if not reference.isdigit() or int(reference) <= 0:
        raise invalid_input("PackageReferenceId: is invalid, must be a positive numeric value.")
    for optional in ("carrierName", "shippingMethod", "shipFromSupplySourceId"):
        if optional in detail and not isinstance(detail[optional], str):
            raise type_error(f"packageDetail.{optional}")
    return detail


def carrier_of(detail):
    """The carrier name Amazon shows: the code, or carrierName for "Other"."""
    code = detail["carrierCode"]
    if code not in CARRIER_CODES:
        raise invalid_input(
            f"CarrierCode '{code}' is not valid. Use a carrier code from Amazon's list, or "
            "'Other' together with carrierName."
        )
    if code == "Other":
        name = (detail.get("carrierName") or "").strip()
        if not name:
            raise invalid_input("CarrierName is required when CarrierCode is 'Other'.")
        return name
    return code


def _payload(req) -> dict:
    """The JSON object body of a shipment call; anything else is Amazon's type error."""
    body = req.json()
    if not isinstance(body, dict):
        raise type_error("payload")
    return body


@route("POST", "/orders/v0/orders/{orderId}/shipmentConfirmation", "confirmShipment")
def confirm_shipment(emu, req):
    """Record one shipped package; 204 No Content like Amazon.

    A packageReferenceId already recorded on the order is refused with 400 instead of being
    counted twice: a retried call after a lost response must not ship the units again.
    """
    body = _payload(req)
    with emu.lock:
        order = seller_order(emu, req)
        check_marketplace(order, body.get("marketplaceId"))
        detail = read_package_detail(body)
        reference = detail["packageReferenceId"]
        if any(
            package.get("packageReferenceId") == reference for package in order.get("packages", [])
        ):
            raise invalid_input(
                f"PackageReferenceId {reference} has already been confirmed for order "
                f"{order['orderId']}; each package can be confirmed only once."
            )
        check_fulfillable(order)
        if not detail["trackingNumber"].strip():
            raise invalid_input("TrackingNumber must not be empty.")
        carrier = carrier_of(detail)
        try:
            ship_time = parse_datetime(detail["shipDate"])
        except ValueError as exc:
            raise invalid_input("Invalid Input", "shipDate must be an ISO 8601 date-time.") from exc
        if not detail["orderItems"]:
            raise invalid_input("packageDetail.orderItems must list at least one order item.")
        quantities = parse_item_quantities(order, detail["orderItems"], "packageDetail.orderItems")

        package = {
            "packageReferenceId": reference,
            "createdTime": isoformat(emu.clock.now()),
            "packageStatus": {"status": "SHIPPED"},
            "carrier": carrier,
            "shipTime": isoformat(ship_time),
            "trackingNumber": detail["trackingNumber"],
            "packageItems": [package_item(entry) for entry in detail["orderItems"]],
        }
        if detail.get("shippingMethod"):
            package["shippingService"] = detail["shippingMethod"]
        order.setdefault("packages", []).append(package)
        apply_fulfilled_quantities(order, quantities)
        emu.touch(order["orderId"])
    return Response(204, None)


def package_item(entry):
    item = {"orderItemId": entry["orderItemId"], "quantity": entry["quantity"]}
    codes = entry.get("transparencyCodes")
    if codes:
        item["transparencyCodes"] = list(codes)
    return item


def pickup_states(emu):
    """order_id -> last accepted ShipmentStatus; not part of the v2026 Order, so kept aside."""
    states = getattr(emu, "pickup_states", None)
    if states is None:
        states = emu.pickup_states = {}
    return states


@route("POST", "/orders/v0/orders/{orderId}/shipment", "updateShipmentStatus")
def update_shipment_status(emu, req):
    """In-store pickup orders: ReadyForPickup, then PickedUp or RefusedPickup.

    PickedUp counts the picked-up units (all remaining units when orderItems is omitted) as
    fulfilled, exactly as a shipment confirmation would. Only orders in Amazon's
    ``IN_STORE_PICK_UP`` program are eligible.
    """
    body = _payload(req)
    with emu.lock:
        order = seller_order(emu, req)
        check_marketplace(order, body.get("marketplaceId"))
        status = body.get("shipmentStatus")
        if status not in SHIPMENT_STATUSES:
            raise invalid_input(
                f"Invalid shipmentStatus {status!r}; expected one of "
                f"{', '.join(SHIPMENT_STATUSES)}."
            )
        if "IN_STORE_PICK_UP" not in order.get("programs", []):
            raise invalid_input(
                "The order is not an in-store pickup order; its shipment status can't be updated."
            )
        check_fulfillable(order)
        items = body.get("orderItems")
        if items is not None and not isinstance(items, list):
            raise type_error("orderItems")
        states = pickup_states(emu)
        previous = states.get(order["orderId"])
        if status in ("PickedUp", "RefusedPickup") and previous != "ReadyForPickup":
            raise invalid_input(
                f"Shipment status {status} requires the order to be ReadyForPickup first."
            )
        if status == "PickedUp":
            if items:
                quantities = parse_item_quantities(order, items, "orderItems")
            else:
                quantities = {
                    item["orderItemId"]: remaining_quantity(item) for item in order["orderItems"]
                }
            apply_fulfilled_quantities(order, quantities)
        elif items:
            parse_item_quantities(order, items, "orderItems")
        states[order["orderId"]] = status
        emu.touch(order["orderId"])
    return Response(204, None)


def ship_in_seller_central(emu, order_id, items=None, tracking_number=None, carrier=None):
    """What a seller shipping the order from Seller Central does; returns the new package.

    ``items`` maps orderItemId -> units (default: every unit still unshipped); the checks and
    400 answers are confirmShipment's. The package gets Seller Central's own numbering as
    ``packageReferenceId`` (the smallest positive integer not used on the order yet), the
    carrier and tracking number given (else one of the marketplace's usual carriers and a
    number in its format), status SHIPPED and ship time now. Call it under ``emu.lock``.
    """
    order = emu.orders.get(order_id)
    if order is None:
        raise ApiError(404, "NotFound", f"Order {order_id} was not found.")
    check_fulfillable(order)
    if items is None:
        quantities = {
            item["orderItemId"]: remaining_quantity(item)
            for item in order["orderItems"]
            if remaining_quantity(item) > 0
        }
    else:
        if not isinstance(items, dict):
            raise type_error("items")
        if not items:
            raise invalid_input("items must list at least one order item.")
        for item_id, units in items.items():
            if not is_integer(units):
                raise type_error(f"items.{item_id}")
        quantities = checked_quantities(order, items.items())
    for field, value in (("carrier", carrier), ("trackingNumber", tracking_number)):
        if value is None:
            continue
        if not isinstance(value, str):
            raise type_error(field)
        if not value.strip():
            raise invalid_input(f"{field} must not be empty.")
    marketplace = generator.MARKETPLACES.get(order["salesChannel"].get("marketplaceId"), {})
    carrier, generated_number = generator.carrier_with_tracking_number(
        emu.rng, marketplace.get("country_code"), carrier
    )
    now = isoformat(emu.clock.now())
    package = {
        "packageReferenceId": next_package_reference(order),
        "createdTime": now,
        "packageStatus": {"status": "SHIPPED"},
        "carrier": carrier,
        "shipTime": now,
        "trackingNumber": tracking_number or generated_number,
        "packageItems": [
            {"orderItemId": item_id, "quantity": units} for item_id, units in quantities.items()
        ],
    }
    order.setdefault("packages", []).append(package)
    apply_fulfilled_quantities(order, quantities)
    emu.touch(order_id)
    return copy.deepcopy(package)


def next_package_reference(order):
    """Seller Central's numbering: the smallest positive integer not yet a reference here."""
    used = {package.get("packageReferenceId") for package in order.get("packages", [])}
    return str(next(n for n in itertools.count(1) if str(n) not in used))
