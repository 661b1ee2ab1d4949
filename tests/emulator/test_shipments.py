"""confirmShipment / updateShipmentStatus through the real server and python-amazon-sp-api."""

import pytest
from sp_api.api import Orders, OrdersV0
from sp_api.base import SellingApiBadRequestException, SellingApiNotFoundException

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
