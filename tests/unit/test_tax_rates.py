"""Which country's tax applies, and which statutory rate reproduces what Amazon charged."""

from decimal import Decimal

import pytest

from amazon_connector.services.tax_rates import (
    charge_tax,
    is_statutory,
    matching_rate,
    reproduces,
    statutory_rates,
    tax_country,
    tax_name,
)
from spapi_emulator.generator import generate_orders

CENT = Decimal("0.01")


@pytest.mark.parametrize(
    ("company", "ship_to", "marketplace", "expected"),
    [
        ("DE", "FR", "FR", "FR"),  # One-Stop-Shop distance sale: the ship-to country
        ("DE", "FR", "DE", "FR"),  # bought on amazon.de, delivered in France
        ("DE", "DE", "DE", "DE"),  # domestic
        ("DE", "GB", "GB", "GB"),  # outside the EU: the marketplace's country
        ("US", "DE", "DE", "DE"),
        ("US", "FR", "DE", "DE"),  # a seller outside the EU: no OSS, the marketplace's
        ("DE", "JP", "JP", "JP"),
    ],
)
def test_tax_country(company, ship_to, marketplace, expected):
    assert tax_country(company, ship_to, marketplace) == expected


def test_statutory_rates_put_the_usual_rate_first():
    assert statutory_rates("DE") == [Decimal(19), Decimal(7)]
    assert statutory_rates("FR")[0] == Decimal(20)
    assert statutory_rates("US") == []
    quebec = statutory_rates("CA", "QC")
    assert quebec[0] == Decimal("14.975")
    assert set(quebec) == {Decimal(r) for r in ("5", "11", "12", "13", "14", "14.975", "15")}
    assert statutory_rates("CA", "XX")[0] == Decimal(5)  # unknown province: the rates only
    assert is_statutory("FR", 5.5) and not is_statutory("FR", 20.1)


def test_plain_names():
    assert tax_name("GB", Decimal("20")) == "VAT 20% (GB)"
    assert tax_name("JP", Decimal("10.0")) == "Consumption tax 10% (JP)"
    assert tax_name("CA", Decimal("14.975")) == "GST + QST 14.975% (CA)"
    assert tax_name("CA", Decimal("13")) == "HST 13% (CA)"


def test_charge_tax_rounds_half_up_away_from_zero():
    assert charge_tax(Decimal("59.98"), Decimal("10.35"), CENT) == Decimal("6.21")
    assert charge_tax(Decimal("-9.00"), Decimal("10.35"), CENT) == Decimal("-0.93")
    assert charge_tax(Decimal("2.50"), Decimal("19"), CENT) == Decimal("0.48")  # 0.475
    assert charge_tax(Decimal("1000"), Decimal("10"), Decimal(1)) == Decimal(100)


def test_the_rate_that_reproduces_every_charge_is_found_among_the_statutory_ones():
    # 19.99 at 7 % = 1.40 and 4.99 at 7 % = 0.35: the German standard rate does not give it.
    charges = [([Decimal("19.99")], Decimal("1.40")), ([Decimal("4.99")], Decimal("0.35"))]
    assert not reproduces(Decimal(19), charges, CENT)
    assert matching_rate(statutory_rates("DE"), charges, CENT) == Decimal(7)
    # Both discounts of an item share one tax detail: each is rounded on its own.
    discounts = [([Decimal("-0.05"), Decimal("-0.05")], Decimal("-0.02"))]
    assert reproduces(Decimal(19), discounts, CENT)  # -0.0095 -> -0.01, twice
    assert matching_rate([Decimal(20)], [([Decimal("10.00")], Decimal("1.99"))], CENT) is None


def test_generated_taxes_are_reproduced_by_a_statutory_rate():
    """The emulator computes taxes as Amazon does; a statutory rate finds every one again."""
    found = 0
    orders = generate_orders(
        seed=4, count=300, seller_id="A1TEST", business_share=0.3,
        marketplace_ids=["A1PA6795UKMFR9", "A13V1IB3VIYZZH", "A2EUQ1WTGCTBG2"],
    )  # fmt: skip
    for order in orders:
        country = {"A1PA6795UKMFR9": "DE", "A13V1IB3VIYZZH": "FR", "A2EUQ1WTGCTBG2": "CA"}[
            order["salesChannel"]["marketplaceId"]
        ]
        region = order.get("recipient", {}).get("deliveryAddress", {}).get("stateOrRegion")
        for item in order["orderItems"]:
            entries = {b["type"]: b for b in item.get("proceeds", {}).get("breakdowns", [])}
            if "TAX" not in entries:
                continue
            details = {
                d["subtype"]: Decimal(d["value"]["amount"])
                for d in entries["TAX"]["detailedBreakdowns"]
            }
            charges = [
                ([Decimal(entries[kind]["subtotal"]["amount"])], tax)
                for kind, tax in details.items()
                if kind != "DISCOUNT"
            ]
            if "DISCOUNT" in details:
                bases = [
                    Decimal(d["value"]["amount"]) for d in entries["DISCOUNT"]["detailedBreakdowns"]
                ]
                charges.append((bases, details["DISCOUNT"]))
            rate = matching_rate(statutory_rates(country, region), charges, CENT)
            assert rate == statutory_rates(country, region)[0], (order["orderId"], region)
            found += 1
    assert found > 20
