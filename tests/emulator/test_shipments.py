"""confirmShipment / updateShipmentStatus through the real server and python-amazon-sp-api,
and the seller shipping from Seller Central (``POST /_emulator/orders/{orderId}/ship``)."""

import copy
import re

import httpx
import pytest
from sp_api.api import Orders, OrdersV0
from sp_api.base import SellingApiBadRequestException, SellingApiNotFoundException

from spapi_emulator.clock import isoformat
from spapi_emulator.routing import ApiError
from spapi_emulator.server import Emulator
from tests.emulator.modelcheck import validate

OTHER_SELLER = "A3OTHERSELLER"
DE = "A1PA6795UKMFR9"
FR = "A13V1IB3VIYZZH"


def make_order(
    order_id,
    items=(("IT-1", 2), ("IT-2", 1)),
    status="UNSHIPPED",
    fulfilled_by="MERCHANT",
    programs=(),
    marketplace_id=DE,
):
    """A small v2026-01-01 ``Order`` (valid against the model's definition)."""
    order = {
        "orderId": order_id,
        "createdTime": "2026-01-05T10:00:00Z",
        "lastUpdatedTime": "2026-01-05T10:00:00Z",
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": marketplace_id,
            "marketplaceName": "Amazon.de",
        },
        "fulfillment": {"fulfillmentStatus": status, "fulfilledBy": fulfilled_by},
        "orderItems": [
            {
                "orderItemId": item_id,
                "quantityOrdered": quantity,
                "product": {
                    "asin": "B0TEST0001",
                    "sellerSku": f"SKU-{item_id}",
                    "title": "Test product",
                },
                "fulfillment": {
                    "quantityFulfilled": 0,
                    "quantityUnfulfilled": quantity,
                },
            }
            for item_id, quantity in items
        ],
    }
    if programs:
        order["programs"] = list(programs)
    return order


def package(
    reference="1",
    items=(("IT-1", 2),),
    carrier="DHL",
    tracking="00340434161234567",
    **extra,
):
    detail = {
        "packageReferenceId": reference,
        "carrierCode": carrier,
        "trackingNumber": tracking,
        "shipDate": "2026-01-06T08:30:00Z",
        "orderItems": [
            {"orderItemId": item_id, "quantity": quantity} for item_id, quantity in items
        ],
    }
    detail.update(extra)
    return detail


@pytest.fixture
def orders_v0(sp_client):
    return sp_client(OrdersV0)


@pytest.fixture
def load(emulator, seller):
    """Load hand-built orders (checked against the model) for the test seller or another."""
    emulator.add_seller(OTHER_SELLER, marketplace_ids=[DE], refresh_token="Atzr|other-seller")

    def loader(*orders, seller_id=None):
        for order in orders:
            validate("orders", "Order", order)
        emulator.load_orders(seller_id or seller.seller_id, orders)
        return orders[0]["orderId"]

    return loader


def expect_error(call, exception, fragment, code="InvalidInput"):
    """The call fails like Amazon: status (exception class), error code, message, model shape."""
    with pytest.raises(exception) as raised:
        call()
    assert raised.value.amzn_code == code
    assert fragment in raised.value.message
    validate("ordersV0", "ConfirmShipmentErrorResponse", {"errors": raised.value.error})
    return raised.value


def test_confirm_partial_then_full_shipment_updates_the_v2026_order(
    emulator, sp_client, orders_v0, load
):
    order_id = load(make_order("302-0000001-0000001"))
    emulator.clock.advance(3600)

    result = orders_v0.confirm_shipment(
        order_id,
        marketplaceId=DE,
        packageDetail=package(shippingMethod="Paket", items=(("IT-1", 1),)),
    )

    assert result.payload == {"status_code": 204}
    order = emulator.orders[order_id]
    assert order["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"
    assert order["lastUpdatedTime"] != "2026-01-05T10:00:00Z"
    first = order["packages"][0]
    assert first["carrier"] == "DHL"
    assert first["trackingNumber"] == "00340434161234567"
    assert first["shipTime"] == "2026-01-06T08:30:00Z"
    assert first["shippingService"] == "Paket"
    assert first["packageItems"] == [{"orderItemId": "IT-1", "quantity": 1}]
    items = {item["orderItemId"]: item["fulfillment"] for item in order["orderItems"]}
    assert items["IT-1"] == {"quantityFulfilled": 1, "quantityUnfulfilled": 1}
    validate("orders", "Order", order)

    orders_v0.confirm_shipment(
        order_id,
        marketplaceId=DE,
        packageDetail=package(
            "2",
            items=(("IT-1", 1), ("IT-2", 1)),
            carrier="Other",
            carrierName="Kurier Nord",
        ),
    )

    answer = (
        sp_client(Orders, version="2026-01-01")
        .get_order(order_id, includedData=["FULFILLMENT", "PACKAGES"])
        .payload
    )
    validate("orders", "GetOrderResponse", answer)
    shown = answer["order"]
    assert shown["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert [p["carrier"] for p in shown["packages"]] == ["DHL", "Kurier Nord"]
    assert all(item["fulfillment"]["quantityUnfulfilled"] == 0 for item in shown["orderItems"])


def test_shipped_order_is_found_by_a_last_updated_search(emulator, sp_client, orders_v0, load):
    order_id = load(make_order("302-0000002-0000002", items=(("IT-1", 1),)))
    emulator.clock.advance(600)
    cursor = emulator.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    emulator.clock.advance(60)
    orders_v0.confirm_shipment(
        order_id, marketplaceId=DE, packageDetail=package(items=(("IT-1", 1),))
    )

    found = (
        sp_client(Orders, version="2026-01-01")
        .search_orders(lastUpdatedAfter=cursor, marketplaceIds=[DE], includedData=["FULFILLMENT"])
        .payload
    )
    validate("orders", "SearchOrdersResponse", found)
    assert [(o["orderId"], o["fulfillment"]["fulfillmentStatus"]) for o in found["orders"]] == [
        (order_id, "SHIPPED")
    ]


def test_same_package_reference_twice_is_refused_and_not_counted_twice(emulator, orders_v0, load):
    order_id = load(make_order("302-0000003-0000003"))
    orders_v0.confirm_shipment(
        order_id, marketplaceId=DE, packageDetail=package(items=(("IT-1", 1),))
    )

    expect_error(
        lambda: orders_v0.confirm_shipment(
            order_id, marketplaceId=DE, packageDetail=package(items=(("IT-1", 1),))
        ),
        SellingApiBadRequestException,
        "PackageReferenceId 1 has already been confirmed",
    )

    order = emulator.orders[order_id]
    assert len(order["packages"]) == 1
    assert order["orderItems"][0]["fulfillment"]["quantityFulfilled"] == 1


def test_unknown_order_and_another_sellers_order_are_not_found(emulator, orders_v0, load):
    load(make_order("302-0000004-0000004"), seller_id=OTHER_SELLER)
    for order_id in ("302-9999999-9999999", "302-0000004-0000004"):
        expect_error(
            lambda order_id=order_id: orders_v0.confirm_shipment(
                order_id, marketplaceId=DE, packageDetail=package()
            ),
            SellingApiNotFoundException,
            "was not found",
            code="NotFound",
        )
    assert "packages" not in emulator.orders["302-0000004-0000004"]


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"packageDetail": package()}, "Marketplace ID is not defined"),
        (
            {"marketplaceId": "1", "packageDetail": package()},
            "Marketplace ID is not defined",
        ),
        (
            {"marketplaceId": FR, "packageDetail": package()},
            "does not match the order's marketplace",
        ),
        (
            {"marketplaceId": DE, "packageDetail": package(items=(("IT-9", 1),))},
            "OrderItemId is invalid",
        ),
        (
            {"marketplaceId": DE, "packageDetail": package(items=(("IT-1", 3),))},
            "exceeds the quantity left to ship (2)",
        ),
        (
            {
                "marketplaceId": DE,
                "packageDetail": package(items=(("IT-1", 1), ("IT-1", 2))),
            },
            "exceeds the quantity left to ship (2)",
        ),
        (
            {"marketplaceId": DE, "packageDetail": package(items=(("IT-1", 0),))},
            "must be a positive integer",
        ),
        (
            {"marketplaceId": DE, "packageDetail": package(tracking="  ")},
            "TrackingNumber must not be empty",
        ),
        (
            {"marketplaceId": DE, "packageDetail": package(carrier="Fedex Ground")},
            "CarrierCode 'Fedex Ground' is not valid",
        ),
        (
            {"marketplaceId": DE, "packageDetail": package(carrier="Other")},
            "CarrierName is required when CarrierCode is 'Other'",
        ),
        (
            {"marketplaceId": DE, "packageDetail": package(reference="A1")},
            "PackageReferenceId: is invalid, must be a positive numeric value.",
        ),
        (
            {
                "marketplaceId": DE,
                "packageDetail": {**package(), "packageReferenceId": 1},
            },
            "invalid type [packageDetail.packageReferenceId]",
        ),
        (
            {"marketplaceId": DE, "packageDetail": package(shipDate="02/21/2022")},
            "Invalid Input",
        ),
        (
            {
                "marketplaceId": DE,
                "packageDetail": {k: v for k, v in package().items() if k != "trackingNumber"},
            },
            "Missing required field: packageDetail.trackingNumber",
        ),
    ],
)
def test_invalid_confirmations_answer_400_invalid_input(emulator, orders_v0, load, body, fragment):
    order_id = load(make_order("302-0000005-0000005"))
    expect_error(
        lambda: orders_v0.confirm_shipment(order_id, **body),
        SellingApiBadRequestException,
        fragment,
    )
    order = emulator.orders[order_id]
    assert "packages" not in order
    assert order["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"


@pytest.mark.parametrize(
    "order, fragment",
    [
        (make_order("302-0000006-0000006", status="CANCELLED"), "is cancelled"),
        (
            make_order("302-0000006-0000006", status="SHIPPED"),
            "order already fulfilled",
        ),
        (make_order("302-0000006-0000006", status="PENDING"), "not ready for shipment"),
        (
            make_order("302-0000006-0000006", fulfilled_by="AMAZON"),
            "fulfilled by Amazon",
        ),
    ],
)
def test_orders_that_cannot_be_shipped_are_refused(orders_v0, load, order, fragment):
    order_id = load(order)
    expect_error(
        lambda: orders_v0.confirm_shipment(
            order_id, marketplaceId=DE, packageDetail=package(items=(("IT-2", 1),))
        ),
        SellingApiBadRequestException,
        fragment,
    )


def test_error_answer_has_the_models_error_shape(emulator, orders_v0, load):
    order_id = load(make_order("302-0000007-0000007"))
    error = expect_error(
        lambda: orders_v0.update_shipment_status(
            order_id, marketplaceId="1", shipmentStatus="ReadyForPickup"
        ),
        SellingApiBadRequestException,
        "Marketplace ID is not defined",
    )
    assert error.error == [
        {
            "code": "InvalidInput",
            "message": "Marketplace ID is not defined",
            "details": "1001",
        }
    ]


def test_in_store_pickup_goes_ready_then_picked_up(emulator, orders_v0, load):
    order_id = load(make_order("302-0000008-0000008", programs=["IN_STORE_PICK_UP"]))

    expect_error(
        lambda: orders_v0.update_shipment_status(
            order_id, marketplaceId=DE, shipmentStatus="PickedUp"
        ),
        SellingApiBadRequestException,
        "requires the order to be ReadyForPickup first",
    )
    assert orders_v0.update_shipment_status(
        order_id, marketplaceId=DE, shipmentStatus="ReadyForPickup"
    ).payload == {"status_code": 204}
    orders_v0.update_shipment_status(order_id, marketplaceId=DE, shipmentStatus="PickedUp")

    order = emulator.orders[order_id]
    assert order["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert [i["fulfillment"]["quantityFulfilled"] for i in order["orderItems"]] == [
        2,
        1,
    ]
    expect_error(
        lambda: orders_v0.update_shipment_status(
            order_id, marketplaceId=DE, shipmentStatus="ReadyForPickup"
        ),
        SellingApiBadRequestException,
        "order already fulfilled",
    )


def test_refused_pickup_ships_nothing(emulator, orders_v0, load):
    order_id = load(make_order("302-0000009-0000009", programs=["IN_STORE_PICK_UP"]))
    orders_v0.update_shipment_status(order_id, marketplaceId=DE, shipmentStatus="ReadyForPickup")
    orders_v0.update_shipment_status(
        order_id,
        marketplaceId=DE,
        shipmentStatus="RefusedPickup",
        orderItems=[{"orderItemId": "IT-1", "quantity": 2}],
    )
    assert emulator.pickup_states[order_id] == "RefusedPickup"
    order = emulator.orders[order_id]
    validate("orders", "Order", order)
    assert order["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
    assert order["orderItems"][0]["fulfillment"]["quantityFulfilled"] == 0


@pytest.mark.parametrize(
    "order, status, fragment",
    [
        (
            make_order("302-0000010-0000010"),
            "ReadyForPickup",
            "not an in-store pickup order",
        ),
        (
            make_order("302-0000010-0000010", programs=["IN_STORE_PICK_UP"]),
            "Delivered",
            "Invalid shipmentStatus 'Delivered'",
        ),
        (
            make_order("302-0000010-0000010", programs=["IN_STORE_PICK_UP"], status="CANCELLED"),
            "ReadyForPickup",
            "is cancelled",
        ),
    ],
)
def test_update_shipment_status_validation(orders_v0, load, order, status, fragment):
    order_id = load(order)
    expect_error(
        lambda: orders_v0.update_shipment_status(order_id, marketplaceId=DE, shipmentStatus=status),
        SellingApiBadRequestException,
        fragment,
    )


# ------------------------------------------------------------------------------------------
# Seller Central: the seller ships without the SP-API (control API and Emulator.ship_order)


@pytest.fixture
def seller_central(emulator):
    """``POST /_emulator/orders/{orderId}/ship`` with ``body``."""

    def ship(order_id, **body):
        return httpx.post(f"{emulator.base_url}/_emulator/orders/{order_id}/ship", json=body)

    return ship


def test_seller_central_ships_part_then_the_rest(emulator, sp_client, load, seller_central):
    emulator.clock.set_speed(0)
    order_id = load(make_order("302-0000020-0000020"))
    now = isoformat(emulator.clock.now())

    first = seller_central(
        order_id, items={"IT-1": 1}, trackingNumber="00340434161234567", carrier="DHL"
    )

    assert first.status_code == 200
    assert first.json() == {
        "packageReferenceId": "1",
        "createdTime": now,
        "packageStatus": {"status": "SHIPPED"},
        "carrier": "DHL",
        "shipTime": now,
        "trackingNumber": "00340434161234567",
        "packageItems": [{"orderItemId": "IT-1", "quantity": 1}],
    }
    validate("orders", "OrderPackage", first.json())
    order = emulator.orders[order_id]
    assert order["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"
    assert order["lastUpdatedTime"] == now

    emulator.clock.advance(3600)
    rest = seller_central(order_id).json()  # no items: every unit still unshipped

    assert rest["packageReferenceId"] == "2"
    assert rest["shipTime"] == isoformat(emulator.clock.now())
    assert rest["packageItems"] == [
        {"orderItemId": "IT-1", "quantity": 1},
        {"orderItemId": "IT-2", "quantity": 1},
    ]
    german_formats = {"DHL": r"\d{20}", "Hermes": r"H\d{19}", "DPD": r"\d{14}"}
    assert re.fullmatch(german_formats[rest["carrier"]], rest["trackingNumber"])
    answer = (
        sp_client(Orders, version="2026-01-01")
        .get_order(order_id, includedData=["FULFILLMENT", "PACKAGES"])
        .payload
    )
    validate("orders", "GetOrderResponse", answer)
    shown = answer["order"]
    assert shown["packages"] == [first.json(), rest]
    assert shown["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert shown["lastUpdatedTime"] == rest["shipTime"]
    assert [item["fulfillment"] for item in shown["orderItems"]] == [
        {"quantityFulfilled": 2, "quantityUnfulfilled": 0},
        {"quantityFulfilled": 1, "quantityUnfulfilled": 0},
    ]


def test_seller_central_numbers_packages_with_the_smallest_unused_integer(
    emulator, orders_v0, load, seller_central
):
    order_id = load(make_order("302-0000021-0000021", items=(("IT-1", 3),)))
    orders_v0.confirm_shipment(
        order_id, marketplaceId=DE, packageDetail=package("2", items=(("IT-1", 1),))
    )

    assert seller_central(order_id, items={"IT-1": 1}).json()["packageReferenceId"] == "1"
    assert seller_central(order_id).json()["packageReferenceId"] == "3"
    # Seller Central's numbers are the order's references, for the SP-API too.
    expect_error(
        lambda: orders_v0.confirm_shipment(
            order_id, marketplaceId=DE, packageDetail=package("1", items=(("IT-1", 1),))
        ),
        SellingApiBadRequestException,
        "PackageReferenceId 1 has already been confirmed",
    )


@pytest.mark.parametrize(
    "order, body, fragment",
    [
        (make_order("302-0000022-0000022"), {"items": {"IT-1": 3}}, "left to ship (2)"),
        (make_order("302-0000022-0000022"), {"items": {"IT-9": 1}}, "OrderItemId is invalid"),
        (make_order("302-0000022-0000022"), {"items": {"IT-1": 0}}, "must be a positive"),
        (make_order("302-0000022-0000022"), {"items": {"IT-1": "1"}}, "type [items.IT-1]"),
        (
            make_order("302-0000022-0000022"),
            {"items": [{"orderItemId": "IT-1", "quantity": 1}]},
            "type [items]",
        ),
        (make_order("302-0000022-0000022"), {"items": {}}, "at least one order item"),
        (make_order("302-0000022-0000022"), {"trackingNumber": " "}, "must not be empty"),
        (make_order("302-0000022-0000022"), {"carrier": 5}, "type [carrier]"),
        (make_order("302-0000022-0000022", status="SHIPPED"), {}, "order already fulfilled"),
        (make_order("302-0000022-0000022", status="CANCELLED"), {}, "is cancelled"),
        (make_order("302-0000022-0000022", fulfilled_by="AMAZON"), {}, "fulfilled by Amazon"),
    ],
)
def test_seller_central_refuses_like_confirm_shipment(
    emulator, load, seller_central, order, body, fragment
):
    order_id = load(order)
    before = copy.deepcopy(emulator.orders[order_id])

    answer = seller_central(order_id, **body)

    assert answer.status_code == 400
    (error,) = answer.json()["errors"]
    assert error["code"] == "InvalidInput"
    assert fragment in error["message"]
    assert emulator.orders[order_id] == before


def test_seller_central_unknown_order_is_404(seller_central):
    answer = seller_central("302-9999999-9999999")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["code"] == "NotFound"


def test_emulator_ship_order_in_process_draws_from_the_emulators_seed():
    shipped = []
    for _ in range(2):
        emu = Emulator(seed=5)
        emu.add_seller("A1INPROCESS", marketplace_ids=[DE])
        emu.load_orders("A1INPROCESS", [make_order("302-0000023-0000023", items=(("IT-1", 3),))])
        shipped.append(
            (
                emu.ship_order("302-0000023-0000023", {"IT-1": 1}),
                emu.ship_order("302-0000023-0000023", {"IT-1": 1}, carrier="Hermes"),
                emu.ship_order("302-0000023-0000023", carrier="Kurier Nord"),
            )
        )
    (automatic, hermes, other), again = shipped
    assert [p["trackingNumber"] for p in (automatic, hermes, other)] == [
        p["trackingNumber"] for p in again
    ]
    assert re.fullmatch(r"H\d{19}", hermes["trackingNumber"])
    assert (other["carrier"], len(other["trackingNumber"])) == ("Kurier Nord", 12)
    with pytest.raises(ApiError) as raised:
        emu.ship_order("302-0000023-0000023")
    assert raised.value.status == 400
