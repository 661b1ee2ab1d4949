"""Shipment confirmations and the cancellation feed, built by the service layer and checked
against Amazon's models and the emulator over real HTTP."""

from datetime import datetime, timedelta, timezone

import pytest

from amazon_connector.services import errors
from amazon_connector.services.gateway import _FeedsClient
from amazon_connector.services.order_feed import (
    ACKNOWLEDGEMENT_FEED,
    XML_CONTENT_TYPE,
    Cancellation,
    cancellation_feed,
    parse_processing_report,
)
from amazon_connector.services.shipment import (
    CARRIER_CODES,
    Carrier,
    Package,
    ShipmentError,
    package_detail,
    refusal_code,
    split_tracking_numbers,
)
from spapi_emulator.generator import generate_orders
from spapi_emulator.ops import shipments
from spapi_emulator.ops.feeds import process_due_feeds
from tests.emulator.modelcheck import validate

from .test_gateway import SELLER, emulator, gateway  # noqa: F401  (fixture)

SHIP_DATE = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)


def detail(**overrides):
    carrier = overrides.pop("carrier", Carrier("DHL", shipping_method="Paket"))
    package = Package(
        overrides.pop("reference", "42"),
        overrides.pop("tracking", "JJD0001"),
        overrides.pop("items", {"111": 2.0, "222": 1.0}),
    )
    return package_detail(package, carrier, SHIP_DATE, **overrides)


def test_package_detail_is_a_valid_confirm_shipment_request():
    body = {"marketplaceId": "A1PA6795UKMFR9", "packageDetail": detail(supply_source_id="SS-1")}
    validate("ordersV0", "ConfirmShipmentRequest", body)
    assert body["packageDetail"] == {
        "packageReferenceId": "42",
        "carrierCode": "DHL",
        "trackingNumber": "JJD0001",
        "shipDate": "2026-11-20T09:30:00Z",
        "shippingMethod": "Paket",
        "shipFromSupplySourceId": "SS-1",
        "orderItems": [
            {"orderItemId": "111", "quantity": 2},
            {"orderItemId": "222", "quantity": 1},
        ],
    }


def test_other_carrier_goes_with_its_name():
    body = detail(carrier=Carrier("Other", name="Kurier Schmidt"))
    assert (body["carrierCode"], body["carrierName"]) == ("Other", "Kurier Schmidt")
    assert "shippingMethod" not in body


@pytest.mark.parametrize(
    "overrides, code, data",
    [
        (
            {"carrier": Carrier("DHL Express Germany")},
            "invalid_carrier_code",
            {"carrier_code": "DHL Express Germany"},
        ),
        ({"carrier": Carrier("Other")}, "carrier_name_required", {}),
        ({"tracking": "  "}, "tracking_required", {}),
        ({"items": {"111": 1.5}}, "fractional_units", {"item": "111", "quantity": 1.5}),
        ({"items": {}}, "package_empty", {}),
        ({"reference": "PKG-1"}, "invalid_package_reference", {"reference": "PKG-1"}),
    ],
)
def test_incomplete_packages_are_refused_before_calling_amazon(overrides, code, data):
    with pytest.raises(ShipmentError) as refused:
        detail(**overrides)
    assert (refused.value.code, refused.value.data) == (code, data)


def test_every_carrier_code_offered_is_one_amazon_accepts():
    # The emulator's list stands for Amazon's; the addon keeps its own copy on purpose, so a
    # typo on either side shows up here instead of as rejected shipments.
    assert set(CARRIER_CODES) <= shipments.CARRIER_CODES


def test_tracking_numbers_split_like_odoos_carrier_connectors_write_them():
    assert split_tracking_numbers("A1, B2,C3") == ["A1", "B2", "C3"]
    assert split_tracking_numbers(False) == []


def test_amazons_refusals_are_recognised_by_their_text():
    message = "Quantity 3 for order item 1 exceeds the quantity left to ship (1)."
    assert refusal_code(message) == "amazon_quantity_exceeds"
    assert refusal_code("The order 123 is cancelled.") == "amazon_order_cancelled"
    assert refusal_code("Something new") == "amazon_shipment_refused"


def test_cancellation_feed_round_trip_through_the_emulator(emulator):  # noqa: F811
    orders = [
        o
        for o in generate_orders(
            seed=4,
            count=80,
            seller_id=SELLER,
            marketplace_ids=["A1PA6795UKMFR9"],
            now=datetime.now(timezone.utc) - timedelta(hours=1),
        )
        if o["fulfillment"]["fulfillmentStatus"] in ("UNSHIPPED", "SHIPPED")
        and o["fulfillment"]["fulfilledBy"] == "MERCHANT"
    ]
    unshipped = next(o for o in orders if o["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED")
    shipped = next(o for o in orders if o["fulfillment"]["fulfillmentStatus"] == "SHIPPED")
    emulator.load_orders(SELLER, [unshipped, shipped])
    document = cancellation_feed(
        SELLER,
        [
            Cancellation(
                n, o["orderId"], "NoInventory", tuple(i["orderItemId"] for i in o["orderItems"])
            )
            for n, o in enumerate((unshipped, shipped), start=1)
        ],
    )
    gw = gateway(emulator)
    document_id = gw.upload_feed_document(document, XML_CONTENT_TYPE)
    feed_id = gw.create_feed(ACKNOWLEDGEMENT_FEED, document_id, ["A1PA6795UKMFR9"])
    emulator.clock.advance(120)
    process_due_feeds(emulator)
    feed = gw.get_feed(feed_id)
    assert feed["processingStatus"] == "DONE"
    report = parse_processing_report(gw.download_feed_document(feed["resultFeedDocumentId"]))
    assert (report.processed, report.successful) == (2, 1)
    assert list(report.errors) == [2]
    assert "can't be cancelled" in report.errors[2]
    assert emulator.orders[unshipped["orderId"]]["fulfillment"]["fulfillmentStatus"] == "CANCELLED"


def test_unknown_cancellation_reason_never_leaves_odoo():
    with pytest.raises(ValueError, match="not an Amazon cancellation reason"):
        cancellation_feed(SELLER, [Cancellation(1, "111-1", "Changed my mind", ("1",))])


def test_expired_upload_url_is_a_clear_error(emulator):  # noqa: F811
    gw = gateway(emulator)
    answer = gw.call("createFeedDocument", _FeedsClient, "create_feed_document", None, "text/xml")
    emulator.clock.advance(600)
    with pytest.raises(errors.BadRequest) as refused:
        gw._transfer("PUT", answer.payload["url"], b"<x/>", {"Content-Type": XML_CONTENT_TYPE})
    assert refused.value.code == "document_refused"
    assert refused.value.data == {"method": "PUT", "status": 403}
