from decimal import Decimal

import pytest

from amazon_connector.services.order_mapper import (
    MappingError,
    parse_order,
    reproducing_rate,
    split_units,
)
from spapi_emulator.generator import generate_orders

ORDERS = generate_orders(seed=11, count=600, seller_id="A1TEST")


def test_every_generated_order_parses_and_adds_up_to_amazons_total():
    priced = 0
    for payload in ORDERS:
        data = parse_order(payload)
        if not data.has_prices:
            assert data.lines == []
            continue
        priced += 1
        total = sum(line.amount for line in data.lines)
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
        assert sum(line.tax for line in data.lines if line.tax is not None) == amazon_tax


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
        assert all(line.tax is None for line in parse_order(payload).lines)


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
    assert (refused.value.code, refused.value.data) == ("no_items", {"order": payload["orderId"]})


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


@pytest.mark.parametrize(
    ("net", "tax", "rate"),
    [
        ("100.00", "19.00", "19"),
        ("3.33", "0.63", "19"),
        ("10.00", "0.89", "8.9"),
        ("123.99", "6.20", "5"),
    ],
)
def test_reproducing_rate_prefers_simple_rates(net, tax, rate):
    assert reproducing_rate(Decimal(net), Decimal(tax), Decimal("0.01")) == Decimal(rate)
