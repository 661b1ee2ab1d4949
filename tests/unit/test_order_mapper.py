import copy
from decimal import Decimal

import pytest

from amazon_connector.services.order_mapper import (
    Address,
    Buyer,
    MappingError,
    ShippedPackage,
    parse_order,
    parse_packages,
    split_units,
)
from spapi_emulator.generator import generate_orders

ORDERS = generate_orders(seed=11, count=600, seller_id="A1TEST")


def first(where):
    """A copy of the first generated order matching ``where``."""
    return copy.deepcopy(next(o for o in ORDERS if where(o)))


def status(order):
    return order["fulfillment"]["fulfillmentStatus"]


def refusal(payload, **options):
    with pytest.raises(MappingError) as refused:
        parse_order(payload, **options)
    return refused.value


def breakdown(item, kind):
    return next(entry for entry in item["proceeds"]["breakdowns"] if entry["type"] == kind)


def test_every_generated_order_parses_and_adds_up_to_amazons_total():
    priced = 0
    for payload in ORDERS:
        data = parse_order(payload)
        if not data.has_prices:
            assert data.lines == []
            continue
        priced += 1
        total = sum(line.amount for line in data.lines) + (data.tax_total or 0)
        assert total == Decimal(payload["proceeds"]["grandTotal"]["amount"]), data.order_id
    assert priced > 300


def test_tax_lines_carry_amazons_tax_exactly():
    taxed = [
        o
        for o in ORDERS
        if any(
            b["type"] == "TAX"
            for i in o["orderItems"]
            for b in i.get("proceeds", {}).get("breakdowns", [])
        )
    ]
    assert taxed, "the generator must produce taxed (net price) orders"
    for payload in taxed:
        data = parse_order(payload)
        amazon_tax = sum(
            Decimal(b["subtotal"]["amount"])
            for i in payload["orderItems"]
            for b in i["proceeds"]["breakdowns"]
            if b["type"] == "TAX"
        )
        assert data.tax_total == amazon_tax
        for item, raw in zip(data.items, payload["orderItems"], strict=True):
            tax = next(b for b in raw["proceeds"]["breakdowns"] if b["type"] == "TAX")
            details = {
                d["subtype"]: Decimal(d["value"]["amount"]) for d in tax["detailedBreakdowns"]
            }
            assert item.tax == details
            # Every charge stays a line of its own, at Amazon's net amount.
            charges = {
                b["type"]: Decimal(b["subtotal"]["amount"])
                for b in raw["proceeds"]["breakdowns"]
                if b["type"] not in ("TAX", "DISCOUNT")
            }
            lines = [line for line in data.lines if line.order_item_id == item.order_item_id]
            assert {
                line.charge: line.amount for line in lines if line.kind != "discount"
            } == charges


def test_us_items_say_amazon_collects_their_tax():
    us = [
        o
        for o in ORDERS
        if o["salesChannel"]["marketplaceId"] == "ATVPDKIKX0DER" and o.get("proceeds")
    ]
    assert us
    collected = 0
    for payload in us:
        data = parse_order(payload)
        for item, raw in zip(data.items, payload["orderItems"], strict=True):
            facilitator = raw.get("tax", {}).get("taxCollections", [])
            assert item.tax_collected_by == (
                facilitator[0]["responsibleParty"] if facilitator else None
            )
            collected += bool(facilitator)
        assert data.tax_collected_by == next(
            (i.tax_collected_by for i in data.items if i.tax_collected_by), None
        )
    assert collected


def test_each_discount_is_a_line_of_its_own():
    both = [
        o
        for o in ORDERS
        if any(
            len(b.get("detailedBreakdowns", [])) == 2
            for i in o["orderItems"]
            for b in i.get("proceeds", {}).get("breakdowns", [])
            if b["type"] == "DISCOUNT"
        )
    ]
    assert both, "the generator gives items both an item and a shipping promotion"
    for payload in both:
        data = parse_order(payload)
        discounts = [line for line in data.lines if line.kind == "discount"]
        expected = [
            (i["orderItemId"], Decimal(d["value"]["amount"]))
            for i in payload["orderItems"]
            for b in i["proceeds"]["breakdowns"]
            if b["type"] == "DISCOUNT"
            for d in b["detailedBreakdowns"]
        ]
        assert sorted((line.order_item_id, line.amount) for line in discounts) == sorted(expected)


def test_vat_inclusive_consumer_lines_have_no_amazon_tax():
    germany = [
        o
        for o in ORDERS
        if o["salesChannel"]["marketplaceId"] == "A1PA6795UKMFR9"
        and "AMAZON_BUSINESS" not in o.get("programs", [])
        and o.get("proceeds")
    ]
    assert germany
    for payload in germany:
        data = parse_order(payload)
        assert data.tax_total is None
        assert all(item.tax is None for item in data.items)


def test_inconsistent_total_is_refused_with_a_reason():
    payload = next(o for o in ORDERS if o.get("proceeds"))
    broken = {
        **payload,
        "proceeds": {
            **payload["proceeds"],
            "grandTotal": {
                "amount": str(Decimal(payload["proceeds"]["grandTotal"]["amount"]) + 1),
                "currencyCode": payload["proceeds"]["grandTotal"]["currencyCode"],
            },
        },
    }
    with pytest.raises(MappingError) as refused:
        parse_order(broken)
    assert refused.value.code == "total_mismatch"
    assert refused.value.data["order"] == payload["orderId"]
    assert refused.value.data["grand_total"] == broken["proceeds"]["grandTotal"]["amount"]


def test_missing_items_are_refused():
    payload = dict(ORDERS[0], orderItems=[])
    with pytest.raises(MappingError) as refused:
        parse_order(payload)
    assert (refused.value.code, refused.value.data) == (
        "no_items",
        {"order": payload["orderId"], "field": "orderItems"},
    )


# -- the parsed fields ------------------------------------------------------------------------


def test_shipped_units_come_from_the_items_fulfillment():
    payload = first(lambda o: status(o) == "PARTIALLY_SHIPPED")
    data = parse_order(payload)
    shipped = {
        i["orderItemId"]: i["fulfillment"]["quantityFulfilled"] for i in payload["orderItems"]
    }
    assert {item.order_item_id: item.quantity_shipped for item in data.items} == shipped
    assert 0 < sum(shipped.values()) < sum(item.quantity for item in data.items)
    for item in payload["orderItems"]:
        del item["fulfillment"]
    assert [item.quantity_shipped for item in parse_order(payload).items] == [0] * len(shipped)


def test_shipped_units_above_the_ordered_ones_are_refused():
    payload = first(lambda o: status(o) == "SHIPPED")
    item = payload["orderItems"][-1]
    item["fulfillment"]["quantityFulfilled"] = item["quantityOrdered"] + 1
    error = refusal(payload)
    assert error.code == "bad_quantity"
    assert error.data["field"] == (
        f"orderItems[{len(payload['orderItems']) - 1}].fulfillment.quantityFulfilled"
    )
    assert (error.data["low"], error.data["high"]) == (0, item["quantityOrdered"])


def test_business_buyer_with_purchase_order_and_vat_number():
    payload = first(lambda o: "buyerPurchaseOrderNumber" in o.get("buyer", {}))
    payload["tax"] = {
        "taxRegistrations": [
            {"entityType": "MERCHANT", "taxRegistrationType": "VAT", "taxRegistrationNumber": "M1"},
            {"entityType": "BUYER", "taxRegistrationType": "CPF", "taxRegistrationNumber": "C1"},
            {
                "entityType": "BUYER",
                "taxRegistrationType": "VAT",
                "taxRegistrationNumber": "DE123456789",
            },
        ]
    }
    buyer = parse_order(payload).buyer
    assert buyer.purchase_order_number == payload["buyer"]["buyerPurchaseOrderNumber"]
    assert buyer.company == payload["buyer"]["buyerCompanyName"]
    assert buyer.vat == "DE123456789"
    assert buyer.name == payload["buyer"]["buyerName"]


def test_a_buyer_is_made_of_any_of_its_fields():
    payload = first(lambda o: status(o) == "SHIPPED" and "buyer" in o)
    payload["buyer"] = {}
    assert parse_order(payload).buyer is None
    payload["tax"] = {
        "taxRegistrations": [
            {
                "entityType": "BUYER",
                "taxRegistrationType": "BUSINESS",
                "taxRegistrationNumber": "GB987",
            }
        ]
    }
    assert parse_order(payload).buyer == Buyer(vat="GB987")
    del payload["tax"]
    payload["buyer"] = {"buyerPurchaseOrderNumber": "PO-1"}
    assert parse_order(payload).buyer == Buyer(purchase_order_number="PO-1")


def test_address_type_and_district():
    payload = first(lambda o: "recipient" in o and status(o) == "UNSHIPPED")
    address = payload["recipient"]["deliveryAddress"]
    address["districtOrCounty"] = "Greater London"
    recipient = parse_order(payload).recipient
    assert recipient.address_type == address["addressType"]
    assert recipient.district == "Greater London"
    assert recipient.city == address["city"]
    assert recipient.country_code == address["countryCode"]


def test_packages_of_a_shipped_merchant_order():
    payload = first(lambda o: len(o.get("packages", ())) > 0 and len(o["orderItems"]) > 1)
    data = parse_order(payload)
    expected = [
        ShippedPackage(
            reference=p["packageReferenceId"],
            tracking_number=p["trackingNumber"],
            carrier=p["carrier"],
            items={i["orderItemId"]: i["quantity"] for i in p["packageItems"]},
            status=p["packageStatus"]["status"],
        )
        for p in payload["packages"]
    ]
    assert data.packages == expected
    assert parse_packages(payload["packages"], payload["orderId"]) == expected
    assert parse_packages(None, payload["orderId"]) == []
    assert parse_order(first(lambda o: o["fulfillment"]["fulfilledBy"] == "AMAZON")).packages == []


@pytest.mark.parametrize(
    ("packages", "code", "path"),
    [
        ({"1": {}}, "wrong_type", "packages"),
        ([None], "wrong_type", "packages[0]"),
        ([{"packageItems": []}], "field_missing", "packages[0].packageReferenceId"),
        (
            [{"packageReferenceId": "1", "packageItems": [{"orderItemId": "A", "quantity": 0}]}],
            "bad_quantity",
            "packages[0].packageItems[0].quantity",
        ),
        (
            [{"packageReferenceId": "1", "packageStatus": {"status": "LOST"}}],
            "unknown_value",
            "packages[0].packageStatus.status",
        ),
        (
            [{"packageReferenceId": "1"}, {"packageReferenceId": "1"}],
            "duplicate_value",
            "packages[1].packageReferenceId",
        ),
        (
            [{"packageReferenceId": "1", "trackingNumber": "1Z\x00"}],
            "control_characters",
            "packages[0].trackingNumber",
        ),
    ],
)
def test_junk_packages_are_refused_by_name(packages, code, path):
    with pytest.raises(MappingError) as refused:
        parse_packages(packages, "302-1234567-1234567")
    assert refused.value.code == code
    assert refused.value.data["order"] == "302-1234567-1234567"
    assert refused.value.data["field"] == path


def test_a_package_item_must_be_an_item_of_the_order():
    payload = first(lambda o: len(o.get("packages", ())) > 0)
    payload["packages"][0]["packageItems"][0]["orderItemId"] = "00000000000000"
    error = refusal(payload)
    assert (error.code, error.data["field"]) == (
        "unknown_item",
        "packages[0].packageItems[0].orderItemId",
    )


def test_who_cancelled_and_why_come_from_the_first_cancelled_item():
    payload = first(lambda o: status(o) == "CANCELLED" and len(o["orderItems"]) > 1)
    execution = payload["orderItems"][0]["cancellation"]["cancellationExecution"]
    payload["orderItems"][1]["cancellation"]["cancellationExecution"] = {
        "cancelledBy": "AMAZON",
        "cancelReason": "a later item's reason",
    }
    data = parse_order(payload)
    assert (data.cancelled_by, data.cancellation_reason) == (
        execution["cancelledBy"],
        execution["cancelReason"],
    )
    assert parse_order(first(lambda o: status(o) == "SHIPPED")).cancelled_by is None


def test_cancelled_items_may_have_no_units_left_but_others_may_not():
    cancelled = first(lambda o: status(o) == "CANCELLED")
    cancelled["orderItems"][0]["quantityOrdered"] = 0
    assert parse_order(cancelled).items[0].quantity == 0
    unshipped = first(lambda o: status(o) == "UNSHIPPED")
    unshipped["orderItems"][0]["quantityOrdered"] = 0
    assert refusal(unshipped).code == "bad_quantity"


# -- personal data ----------------------------------------------------------------------------


def test_without_personal_data_only_the_non_personal_part_is_kept():
    payload = first(
        lambda o: (
            status(o) == "UNSHIPPED"
            and o.get("buyer", {}).get("buyerCompanyName")
            and o["recipient"]["deliveryAddress"].get("phone")
        )
    )
    address = payload["recipient"]["deliveryAddress"]
    address.update(addressLine2="Floor 2", districtOrCounty="Mitte", stateOrRegion="Berlin")
    packing = payload["orderItems"][0].setdefault("fulfillment", {}).setdefault("packing", {})
    packing["giftOption"] = {"giftMessage": "Happy birthday, Anna!"}
    payload["buyer"]["buyerPurchaseOrderNumber"] = "PO-7"
    payload["tax"] = {
        "taxRegistrations": [
            {"entityType": "BUYER", "taxRegistrationType": "VAT", "taxRegistrationNumber": "DE1"}
        ]
    }

    full = parse_order(payload)
    assert full.buyer.name and full.buyer.email
    assert full.recipient.name and full.recipient.street and full.recipient.street2
    assert full.recipient.zip and full.recipient.phone
    assert full.gift_messages == ["Happy birthday, Anna!"]

    private = parse_order(payload, personal_data=False)
    assert private.buyer == Buyer(
        company=payload["buyer"]["buyerCompanyName"], purchase_order_number="PO-7", vat="DE1"
    )
    assert private.recipient == Address(
        company=address.get("companyName"),
        city=address["city"],
        district="Mitte",
        state="Berlin",
        country_code=address["countryCode"],
        address_type=address["addressType"],
    )
    assert private.gift_messages == []
    assert [item.gift_message for item in private.items] == [None] * len(private.items)
    # Everything else is the same order.
    assert private.lines == full.lines
    assert private.order_id == full.order_id


def test_a_consumer_without_personal_data_has_no_buyer():
    payload = first(lambda o: status(o) == "SHIPPED" and "buyerCompanyName" not in o["buyer"])
    assert parse_order(payload).buyer.name
    assert parse_order(payload, personal_data=False).buyer is None


# -- money: signs, bounds, presence -----------------------------------------------------------


def test_discounts_and_the_tax_on_them_are_negative():
    payload = first(
        lambda o: any(
            d["subtype"] == "DISCOUNT"
            for i in o["orderItems"]
            for b in i.get("proceeds", {}).get("breakdowns", [])
            if b["type"] == "TAX"
            for d in b.get("detailedBreakdowns", [])
        )
    )
    index, item = next(
        (n, i)
        for n, i in enumerate(payload["orderItems"])
        if any(b["type"] == "DISCOUNT" for b in i["proceeds"]["breakdowns"])
    )
    discount = breakdown(item, "DISCOUNT")
    assert Decimal(discount["subtotal"]["amount"]) < 0
    assert any(line.kind == "discount" and line.amount < 0 for line in parse_order(payload).lines)

    position = item["proceeds"]["breakdowns"].index(discount)
    discount["subtotal"]["amount"] = discount["subtotal"]["amount"].lstrip("-")
    error = refusal(payload)
    assert error.code == "bad_amount"
    assert error.data["field"] == (
        f"orderItems[{index}].proceeds.breakdowns[{position}].subtotal.amount"
    )
    assert (error.data["low"], error.data["high"]) == ("-100000000", "0")

    discount["subtotal"]["amount"] = "-" + discount["subtotal"]["amount"]
    tax = breakdown(item, "TAX")
    detail = next(d for d in tax["detailedBreakdowns"] if d["subtype"] == "DISCOUNT")
    detail["value"]["amount"] = detail["value"]["amount"].lstrip("-")
    assert refusal(payload).data["field"].endswith(".value.amount")


@pytest.mark.parametrize(
    ("kind", "amount"),
    [("ITEM", "-0.01"), ("SHIPPING", "-3.99"), ("TAX", "-1.00"), ("ITEM", "100000000.01")],
)
def test_charges_and_taxes_are_zero_or_positive_and_bounded(kind, amount):
    payload = first(
        lambda o: (
            any(
                b["type"] == "TAX"
                for b in o["orderItems"][0].get("proceeds", {}).get("breakdowns", [])
            )
            and any(b["type"] == "SHIPPING" for b in o["orderItems"][0]["proceeds"]["breakdowns"])
        )
    )
    breakdown(payload["orderItems"][0], kind)["subtotal"]["amount"] = amount
    error = refusal(payload)
    assert (error.code, error.data["value"]) == ("bad_amount", amount)


def test_free_replacement_orders_have_zero_amounts():
    payload = first(lambda o: "associatedOrders" in o and o.get("proceeds"))
    data = parse_order(payload)
    assert data.replaced_order_id == payload["associatedOrders"][0]["orderId"]
    assert data.grand_total == 0


@pytest.mark.parametrize("amount", ["Infinity", "NaN", "1e5", "1" + "0" * 30, "12,50", "abc"])
def test_amounts_must_be_plain_decimals(amount):
    payload = first(lambda o: status(o) == "SHIPPED" and o.get("proceeds"))
    payload["proceeds"]["grandTotal"]["amount"] = amount
    error = refusal(payload)
    assert (error.code, error.data["field"]) == ("bad_amount", "proceeds.grandTotal.amount")


def test_charged_orders_need_their_amounts_unlike_pending_or_mcf_ones():
    unshipped = first(lambda o: status(o) == "UNSHIPPED")
    del unshipped["proceeds"]
    for item in unshipped["orderItems"]:
        del item["proceeds"]
    error = refusal(unshipped)
    assert (error.code, error.data["field"], error.data["status"]) == (
        "proceeds_missing",
        "proceeds.grandTotal",
        "UNSHIPPED",
    )
    one_item = first(lambda o: status(o) == "SHIPPED" and len(o["orderItems"]) > 1)
    del one_item["orderItems"][1]["proceeds"]
    assert refusal(one_item).data["field"] == "orderItems[1].proceeds"

    pending = first(lambda o: status(o) == "PENDING")
    assert not parse_order(pending).has_prices
    mcf = first(lambda o: status(o) == "UNFULFILLABLE")
    mcf["fulfillment"]["fulfillmentStatus"] = "SHIPPED"
    assert mcf["salesChannel"]["channelName"] == "NON_AMAZON"
    assert not parse_order(mcf).has_prices


# -- how refusals name the order, the field and the value ------------------------------------


def test_fractional_quantity_is_refused_naming_order_item_and_value():
    payload = first(lambda o: len(o["orderItems"]) > 2 and status(o) == "SHIPPED")
    payload["orderItems"][2]["quantityOrdered"] = 2.7
    error = refusal(payload)
    assert error.code == "bad_quantity"
    assert error.data == {
        "order": payload["orderId"],
        "field": "orderItems[2].quantityOrdered",
        "value": "2.7",
        "low": 1,
        "high": 10000,
    }


def test_a_nul_in_the_order_id_is_refused_with_a_printable_order_name():
    payload = first(lambda o: status(o) == "SHIPPED")
    order_id = payload["orderId"]
    payload["orderId"] = order_id[:3] + "\x00" + order_id[3:]
    error = refusal(payload, personal_data=False)
    assert (error.code, error.data["field"], error.data["character"]) == (
        "control_characters",
        "orderId",
        "U+0000",
    )
    assert error.data["order"] == error.data["value"] == order_id


def test_long_values_are_refused_and_shown_truncated():
    payload = first(lambda o: status(o) == "SHIPPED")
    payload["orderItems"][0]["product"]["title"] = "x" * 1_000_000
    error = refusal(payload)
    assert (error.code, error.data["length"], error.data["limit"]) == (
        "text_too_long",
        1_000_000,
        2000,
    )
    payload["orderItems"][0]["product"]["title"] = "Valid"
    payload["orderItems"][0]["quantityOrdered"] = "\x1b[31m" + "9" * 200
    shown = refusal(payload).data["value"]
    assert len(shown) == 40 and shown.endswith("…") and "\x1b" not in shown


def test_duplicate_item_ids_are_refused():
    payload = first(lambda o: status(o) == "SHIPPED")
    payload["orderItems"].append(copy.deepcopy(payload["orderItems"][0]))
    error = refusal(payload)
    last = len(payload["orderItems"]) - 1
    assert (error.code, error.data["field"], error.data["value"]) == (
        "duplicate_value",
        f"orderItems[{last}].orderItemId",
        payload["orderItems"][0]["orderItemId"],
    )


@pytest.mark.parametrize(
    ("payload", "code", "field", "order"),
    [
        (None, "wrong_type", "order", "?"),
        ([], "wrong_type", "order", "?"),
        ({}, "field_missing", "orderId", "?"),
        ({"orderId": {"id": 1}}, "wrong_type", "orderId", "?"),
        ({"orderId": 7}, "wrong_type", "orderId", "7"),
        ({"orderId": "1", "salesChannel": []}, "wrong_type", "salesChannel", "1"),
    ],
)
def test_anything_that_is_not_an_order_is_refused(payload, code, field, order):
    error = refusal(payload)
    assert (error.code, error.data["field"], error.data["order"]) == (code, field, order)


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (
            lambda o: o["fulfillment"].update(fulfillmentStatus="DONE"),
            "unknown_value",
            "fulfillment.fulfillmentStatus",
        ),
        (
            lambda o: o["fulfillment"].update(fulfilledBy="PARTNER"),
            "unknown_value",
            "fulfillment.fulfilledBy",
        ),
        (lambda o: o.update(createdTime="2026-02-30T10:00:00Z"), "bad_date", "createdTime"),
        (lambda o: o.update(lastUpdatedTime="9999-01-01T00:00:00Z"), "bad_date", "lastUpdatedTime"),
        (
            lambda o: o["proceeds"]["grandTotal"].update(currencyCode="eur"),
            "bad_format",
            "proceeds.grandTotal.currencyCode",
        ),
        (
            lambda o: o["recipient"]["deliveryAddress"].update(countryCode="Germany"),
            "bad_format",
            "recipient.deliveryAddress.countryCode",
        ),
    ],
)
def test_enums_dates_and_codes_are_checked(change, code, field):
    payload = first(lambda o: status(o) == "SHIPPED" and "recipient" in o)
    change(payload)
    error = refusal(payload)
    assert (error.code, error.data["field"]) == (code, field)


@pytest.mark.parametrize(
    ("amount", "quantity", "expected"),
    [
        ("10.00", 3, [(2, "3.33"), (1, "3.34")]),
        ("9.99", 3, [(3, "3.33")]),
        ("0.01", 2, [(1, "0.00"), (1, "0.01")]),
        ("7", 1, [(1, "7")]),
    ],
)
def test_split_units_is_exact(amount, quantity, expected):
    groups = split_units(Decimal(amount), quantity, Decimal("0.01"))
    assert [(q, str(u)) for q, u in groups] == expected
    assert sum(q * u for q, u in groups) == Decimal(amount)


def test_split_units_in_yen():
    groups = split_units(Decimal("1000"), 3, Decimal(1))
    assert sum(q * u for q, u in groups) == Decimal(1000)
    assert all(u == u.to_integral_value() for _, u in groups)
