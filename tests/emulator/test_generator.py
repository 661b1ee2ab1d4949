"""The order data generator: deterministic, valid against Amazon's model, money adds up.

Validation uses the vendored v2026-01-01 model directly, made strict (no properties the
model does not define), so a misspelt field fails here instead of in the addon.
"""

import copy
import json
import random
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from spapi_emulator import generator
from spapi_emulator.generator import (
    DEFAULT_MARKETPLACE_IDS,
    DEFAULT_NOW,
    MARKETPLACES,
    check_order_adds_up,
    evolve_orders,
    generate_orders,
    order_total,
)

MODEL = Path(generator.__file__).parent / "models" / "orders-api-model" / "orders_2026-01-01.json"
SELLER = "A2SELLERTEST01"
ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")
ARABIC = re.compile(r"[\u0600-\u06ff]")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ACCENTED = re.compile(r"[À-ÿ]")


def _strict(schema):
    """Forbid properties the model does not define, recursively."""
    if isinstance(schema, dict):
        if "properties" in schema:
            schema.setdefault("additionalProperties", False)
        for value in schema.values():
            _strict(value)
    elif isinstance(schema, list):
        for value in schema:
            _strict(value)
    return schema


def _order_validator():
    definitions = _strict(copy.deepcopy(json.loads(MODEL.read_text())["definitions"]))
    schema = {"$ref": "#/definitions/Order", "definitions": definitions}
    return jsonschema.Draft4Validator(schema)


VALIDATOR = _order_validator()


def validation_errors(order):
    return [
        f"{'/'.join(map(str, error.path))}: {error.message}"
        for error in VALIDATOR.iter_errors(order)
    ]


def amount(money):
    return Decimal(money["amount"])


@pytest.fixture(scope="module")
def orders():
    return generate_orders(seed=42, count=500, seller_id=SELLER)


def _money_orders(orders):
    return [order for order in orders if "proceeds" in order]


def _breakdown(entries, kind):
    return next((entry for entry in entries if entry["type"] == kind), None)


# ------------------------------------------------------------------------------------------
# Determinism and time


def test_same_arguments_give_identical_json_and_other_seeds_differ():
    first = json.dumps(generate_orders(7, 120, SELLER), ensure_ascii=False)
    again = json.dumps(generate_orders(7, 120, SELLER), ensure_ascii=False)
    other_seed = json.dumps(generate_orders(8, 120, SELLER), ensure_ascii=False)
    other_seller = json.dumps(generate_orders(7, 120, "A9OTHERSELLER"), ensure_ascii=False)
    assert first == again
    assert first != other_seed
    assert first != other_seller


def test_generation_does_not_touch_global_random_state():
    random.seed(1)
    expected = random.random()
    random.seed(1)
    generate_orders(3, 50, SELLER)
    assert random.random() == expected


def test_orders_fall_in_the_requested_window(orders):
    now = datetime(2025, 11, 20, 8, 30, tzinfo=UTC)
    recent = generate_orders(5, 200, SELLER, now=now, days=3)
    for order in recent + orders:
        reference = now if order in recent else DEFAULT_NOW
        days = 3 if order in recent else 30
        created = datetime.fromisoformat(order["createdTime"])
        updated = datetime.fromisoformat(order["lastUpdatedTime"])
        assert reference - timedelta(days=days) <= created <= updated <= reference
        for package in order.get("packages", []):
            assert created <= datetime.fromisoformat(package["shipTime"]) <= reference
    created_times = [order["createdTime"] for order in orders]
    assert created_times == sorted(created_times)


def test_500_orders_are_generated_fast():
    started = time.perf_counter()
    generate_orders(99, 500, SELLER)
    assert time.perf_counter() - started < 2.0


# ------------------------------------------------------------------------------------------
# Validity against the model


def test_every_order_validates_against_the_strict_model(orders):
    problems = {order["orderId"]: validation_errors(order) for order in orders}
    assert {order_id: errors for order_id, errors in problems.items() if errors} == {}


def test_the_strict_validator_rejects_unknown_and_mistyped_fields(orders):
    order = copy.deepcopy(_money_orders(orders)[0])
    order["orderItems"][0]["proceeds"]["proceedsTotal"]["amount"] = 12.5  # model: string
    order["fulfillment"]["fulfilmentStatus"] = "SHIPPED"  # misspelt
    assert len(validation_errors(order)) == 2


def test_ids_are_unique_and_well_formed(orders):
    order_ids = [order["orderId"] for order in orders]
    item_ids = [item["orderItemId"] for order in orders for item in order["orderItems"]]
    assert all(ORDER_ID.match(order_id) for order_id in order_ids)
    assert len(set(order_ids)) == len(order_ids)
    assert all(item_id.isdigit() for item_id in item_ids)
    assert len(set(item_ids)) == len(item_ids)


def test_marketplace_ids_restrict_the_marketplaces():
    chosen = ["A1PA6795UKMFR9", "A1VC38T7YXB528"]
    subset = generate_orders(1, 80, SELLER, marketplace_ids=chosen)
    assert {order["salesChannel"]["marketplaceId"] for order in subset} == set(chosen)
    with pytest.raises(ValueError):
        generate_orders(1, 5, SELLER, marketplace_ids=["NOT-A-MARKETPLACE"])


# ------------------------------------------------------------------------------------------
# Money adds up (docs/money-model.md), checked by the helper and directly


def test_check_order_adds_up_finds_no_problem(orders):
    assert {o["orderId"]: check_order_adds_up(o) for o in orders if check_order_adds_up(o)} == {}


def test_item_and_order_arithmetic_directly(orders):
    checked_items = 0
    for order in _money_orders(orders):
        currency = MARKETPLACES[order["salesChannel"]["marketplaceId"]]["currency"]
        decimals = 0 if currency == "JPY" else 2
        pattern = re.compile(r"^-?\d+$" if decimals == 0 else r"^-?\d+\.\d{2}$")
        type_sums = Counter()
        for item in order["orderItems"]:
            proceeds = item["proceeds"]
            breakdowns = proceeds["breakdowns"]
            for entry in breakdowns:
                assert pattern.match(entry["subtotal"]["amount"]), entry
                assert entry["subtotal"]["currencyCode"] == currency
                type_sums[entry["type"]] += amount(entry["subtotal"])
                if entry["type"] in ("TAX", "DISCOUNT") and "detailedBreakdowns" in entry:
                    details = entry["detailedBreakdowns"]
                    assert sum(amount(d["value"]) for d in details) == amount(entry["subtotal"])
                else:
                    assert "detailedBreakdowns" not in entry
                if entry["type"] == "DISCOUNT":
                    assert amount(entry["subtotal"]) < 0
                    assert all(amount(d["value"]) < 0 for d in entry["detailedBreakdowns"])
            unit = amount(item["product"]["price"]["unitPrice"])
            assert (
                amount(_breakdown(breakdowns, "ITEM")["subtotal"]) == unit * item["quantityOrdered"]
            )
            assert sum(amount(e["subtotal"]) for e in breakdowns) == amount(
                proceeds["proceedsTotal"]
            )
            checked_items += 1
        order_breakdowns = order["proceeds"]["breakdowns"]
        assert {e["type"]: amount(e["subtotal"]) for e in order_breakdowns} == dict(type_sums)
        grand_total = amount(order["proceeds"]["grandTotal"])
        assert grand_total == sum(amount(e["subtotal"]) for e in order_breakdowns)
        assert grand_total == sum(
            amount(i["proceeds"]["proceedsTotal"]) for i in order["orderItems"]
        )
        assert order_total(order) == grand_total
        for execution in order.get("payment", {}).get("paymentExecutions", []):
            assert amount(execution["paymentAmount"]) == grand_total
    assert checked_items > 500


def test_tax_follows_the_marketplace_pricing_basis(orders):
    """US/CA add sales tax; VAT marketplaces are gross without TAX unless Business-priced."""
    for order in _money_orders(orders):
        country = MARKETPLACES[order["salesChannel"]["marketplaceId"]]["country_code"]
        replacement = "associatedOrders" in order
        for item in order["orderItems"]:
            tax = _breakdown(item["proceeds"]["breakdowns"], "TAX")
            business = item["product"]["price"].get("priceDesignation") == "BUSINESS_PRICE"
            if country in ("US", "CA") or replacement:
                continue
            assert (tax is not None) == business, (order["orderId"], item)
            if business:  # net + VAT: the TAX on the item is the marketplace's VAT rate
                rate = Decimal(generator.VAT_RATES[country])
                item_amount = amount(_breakdown(item["proceeds"]["breakdowns"], "ITEM")["subtotal"])
                item_tax = next(
                    amount(d["value"]) for d in tax["detailedBreakdowns"] if d["subtype"] == "ITEM"
                )
                half_unit = (
                    generator.currency_quantum(item["proceeds"]["proceedsTotal"]["currencyCode"])
                    / 2
                )
                assert abs(item_tax - item_amount * rate) <= half_unit


def test_us_tax_is_marketplace_facilitator_and_ca_tax_is_not(orders):
    us_taxed = ca_taxed = 0
    for order in _money_orders(orders):
        country = MARKETPLACES[order["salesChannel"]["marketplaceId"]]["country_code"]
        for item in order["orderItems"]:
            has_tax = _breakdown(item["proceeds"]["breakdowns"], "TAX") is not None
            collections = item.get("tax", {}).get("taxCollections", [])
            if country == "US":
                us_taxed += has_tax
                assert bool(collections) == has_tax
                assert all(c["model"] == "MARKETPLACE_FACILITATOR" for c in collections)
            elif country == "CA":
                ca_taxed += has_tax
                assert not collections
    assert us_taxed > 20 and ca_taxed > 5


def test_check_order_adds_up_reports_broken_money(orders):
    order = copy.deepcopy(next(o for o in _money_orders(orders) if len(o["orderItems"]) > 1))
    order["orderItems"][0]["proceeds"]["proceedsTotal"]["amount"] = "1.00"
    order["proceeds"]["grandTotal"]["amount"] = "0.01"
    problems = check_order_adds_up(order)
    assert any("proceedsTotal" in problem for problem in problems)
    assert any("grandTotal" in problem for problem in problems)
    pending = copy.deepcopy(order)
    pending["fulfillment"]["fulfillmentStatus"] = "PENDING"
    assert any("money present" in problem for problem in check_order_adds_up(pending))


def test_doc_worked_examples():
    """The numbers in docs/money-model.md are what the generator's money builder produces."""
    charges, proceeds = generator._Charges, generator._item_proceeds
    bottle = proceeds(
        charges(
            item=Decimal("47.98"),
            shipping=Decimal("3.99"),
            gift_wrap=Decimal("7.98"),
            item_discount=Decimal("4.80"),
        ),
        "EUR",
    )
    mugs = proceeds(
        charges(item=Decimal("26.99"), shipping=Decimal("3.99"), item_discount=Decimal("2.70")),
        "EUR",
    )
    assert (bottle["proceedsTotal"]["amount"], mugs["proceedsTotal"]["amount"]) == (
        "55.15",
        "28.28",
    )
    assert _breakdown(bottle["breakdowns"], "TAX") is None
    mat = proceeds(
        charges(
            item=Decimal("59.98"),
            shipping=Decimal("5.99"),
            item_discount=Decimal("9.00"),
            tax_rate=Decimal("0.1035"),
        ),
        "USD",
    )
    thermometer = proceeds(
        charges(
            item=Decimal("17.99"),
            shipping=Decimal("5.99"),
            item_discount=Decimal("2.70"),
            tax_rate=Decimal("0.1035"),
        ),
        "USD",
    )
    assert [
        d["value"]["amount"] for d in _breakdown(mat["breakdowns"], "TAX")["detailedBreakdowns"]
    ] == ["6.21", "0.62", "-0.93"]
    assert (mat["proceedsTotal"]["amount"], thermometer["proceedsTotal"]["amount"]) == (
        "62.87",
        "23.48",
    )
    business = proceeds(charges(item=Decimal("67.05"), tax_rate=Decimal("0.19")), "EUR")
    assert business["proceedsTotal"]["amount"] == "79.79"
    product = generator.CATALOGUE_BY_SKU
    assert [
        product[sku].price(currency)
        for sku, currency in (
            ("WB750-SGE", "EUR"),
            ("MUG4-WHT", "EUR"),
            ("BPK40-BLK", "EUR"),
            ("YOGA6-PRP", "USD"),
            ("THERMO", "USD"),
        )
    ] == [Decimal("23.99"), Decimal("26.99"), Decimal("83.99"), Decimal("29.99"), Decimal("17.99")]


# ------------------------------------------------------------------------------------------
# The mix contains every case the addon must handle


def test_statuses_fulfilment_and_currencies(orders):
    statuses = Counter(order["fulfillment"]["fulfillmentStatus"] for order in orders)
    assert set(statuses) == {
        "PENDING_AVAILABILITY",
        "PENDING",
        "UNSHIPPED",
        "PARTIALLY_SHIPPED",
        "SHIPPED",
        "CANCELLED",
        "UNFULFILLABLE",
    }
    assert statuses["SHIPPED"] > len(orders) / 3  # most orders of the last 30 days shipped
    assert Counter(o["fulfillment"]["fulfilledBy"] for o in orders).keys() == {"AMAZON", "MERCHANT"}
    currencies = {MARKETPLACES[o["salesChannel"]["marketplaceId"]]["currency"] for o in orders}
    assert {"USD", "EUR", "GBP", "JPY", "CAD", "AED"} <= currencies
    assert {o["salesChannel"]["marketplaceId"] for o in orders} == set(DEFAULT_MARKETPLACE_IDS)
    levels = {order["fulfillment"]["fulfillmentServiceLevel"] for order in orders}
    assert {
        "STANDARD",
        "EXPEDITED",
        "NEXT_DAY",
        "SECOND_DAY",
        "FREE_ECONOMY",
        "SCHEDULED",
    } <= levels
    programs = {program for order in orders for program in order.get("programs", [])}
    assert {"PRIME", "AMAZON_BUSINESS", "PREMIUM", "PREORDER"} <= programs


def test_money_features_are_present(orders):
    entries = [
        entry
        for order in _money_orders(orders)
        for item in order["orderItems"]
        for entry in item["proceeds"]["breakdowns"]
    ]
    kinds = Counter(entry["type"] for entry in entries)
    assert {"ITEM", "SHIPPING", "GIFT_WRAP", "COD_FEE", "DISCOUNT", "TAX"} <= set(kinds)
    discount_subtypes = {
        d["subtype"] for e in entries if e["type"] == "DISCOUNT" for d in e["detailedBreakdowns"]
    }
    tax_subtypes = {
        d["subtype"] for e in entries if e["type"] == "TAX" for d in e["detailedBreakdowns"]
    }
    assert discount_subtypes == {"ITEM", "SHIPPING"}
    assert {"ITEM", "SHIPPING", "DISCOUNT"} <= tax_subtypes
    items = [item for order in _money_orders(orders) for item in order["orderItems"]]
    assert any(item.get("promotion", {}).get("breakdowns") for item in items)
    gifts = [
        item["fulfillment"]["packing"]["giftOption"]
        for item in items
        if "packing" in item["fulfillment"]
    ]
    assert any("giftWrapLevel" in gift for gift in gifts)
    assert any("giftWrapLevel" not in gift for gift in gifts)  # message only, no wrap
    assert any(item.get("expense", {}).get("pointsCost") for item in items)
    assert any(
        item["product"]["price"].get("priceDesignation") == "BUSINESS_PRICE" for item in items
    )


def test_items_repeat_skus_and_vary_in_count_and_quantity(orders):
    counts = Counter(len(order["orderItems"]) for order in orders)
    quantities = Counter(i["quantityOrdered"] for o in orders for i in o["orderItems"])
    skus = Counter(i["product"]["sellerSku"] for o in orders for i in o["orderItems"])
    assert set(counts) == {1, 2, 3, 4}
    assert set(quantities) >= {1, 2, 3} and max(quantities) <= 3
    assert 40 <= len(skus) <= len(generator.CATALOGUE) and skus.most_common(1)[0][1] > 5
    for order in orders:  # one product id -> one ASIN and title family everywhere
        for item in order["orderItems"]:
            product = generator.CATALOGUE_BY_SKU[item["product"]["sellerSku"]]
            assert item["product"]["asin"] == product.asin


def test_addresses_scripts_and_missing_optional_fields(orders):
    addresses = [o["recipient"]["deliveryAddress"] for o in orders if "recipient" in o]
    text = [" ".join(str(value) for value in address.values()) for address in addresses]
    assert any(JAPANESE.search(value) for value in text)
    assert any(ARABIC.search(value) for value in text)
    assert any(ACCENTED.search(value) for value in text)
    assert any(value.isascii() for value in text)
    for field in ("addressLine2", "phone", "companyName", "stateOrRegion", "postalCode"):
        assert any(field in address for address in addresses), field
        assert any(field not in address for address in addresses), field
    assert {address["addressType"] for address in addresses} == {
        "RESIDENTIAL",
        "COMMERCIAL",
        "PICKUP_POINT",
    }


def test_buyers_and_fba_privacy(orders):
    for order in orders:
        fba = order["fulfillment"]["fulfilledBy"] == "AMAZON"
        buyer = order.get("buyer", {})
        address = order.get("recipient", {}).get("deliveryAddress", {})
        domain = MARKETPLACES[order["salesChannel"]["marketplaceId"]]["domain"]
        if fba:  # phone suppressed for FBA; buyer email only for FBM (model descriptions)
            assert "phone" not in address and "buyerEmail" not in buyer
        elif order["salesChannel"]["channelName"] == "AMAZON":
            assert re.fullmatch(rf"[a-z0-9]+@marketplace\.{re.escape(domain)}", buyer["buyerEmail"])
        if "AMAZON_BUSINESS" in order.get("programs", []) and buyer:
            assert buyer["buyerCompanyName"]


VAT_NUMBER = {
    "DE": r"DE\d{9}",
    "GB": r"GB\d{9}",
    "FR": r"FR\d{11}",
    "IT": r"IT\d{11}",
    "ES": r"ESB\d{8}",
    "IE": r"IE\d{7}[A-Z]{2}",
    "BE": r"BE0\d{9}",
    "NL": r"NL\d{9}B\d{2}",
    "SE": r"SE\d{10}01",
    "PL": r"PL\d{10}",
}


def _vat_orders():
    """Generated orders of every EU/GB marketplace, with their country."""
    by_country = {row["country_code"]: mid for mid, row in MARKETPLACES.items()}
    orders = generate_orders(6, 1500, SELLER, marketplace_ids=[by_country[c] for c in VAT_NUMBER])
    orders += generate_orders(42, 500, SELLER)
    return [
        (order, MARKETPLACES[order["salesChannel"]["marketplaceId"]]["country_code"])
        for order in orders
    ]


def test_business_buyers_in_vat_countries_mostly_give_their_vat_number():
    eligible = with_number = 0
    numbers = {}
    for order, country in _vat_orders():
        business = "AMAZON_BUSINESS" in order.get("programs", []) and "buyer" in order
        if not (business and country in VAT_NUMBER):
            assert "tax" not in order, order["orderId"]
            continue
        eligible += 1
        if "tax" not in order:
            continue
        with_number += 1
        (registration,) = order["tax"]["taxRegistrations"]
        company = order["buyer"]["buyerCompanyName"]
        assert registration == {
            "entityType": "BUYER",
            "legalName": company,
            "taxRegistrationType": "VAT",
            "taxRegistrationNumber": registration["taxRegistrationNumber"],
        }
        assert re.fullmatch(VAT_NUMBER[country], registration["taxRegistrationNumber"])
        numbers.setdefault((country, company), set()).add(registration["taxRegistrationNumber"])
    assert eligible > 100
    assert 0.6 < with_number / eligible < 0.9
    assert {country for country, _ in numbers} == set(VAT_NUMBER)
    assert all(len(found) == 1 for found in numbers.values())  # one number per company
    assert len({n for found in numbers.values() for n in found}) == len(numbers)


def test_pending_orders_have_no_money_or_address(orders):
    pending = [
        o
        for o in orders
        if o["fulfillment"]["fulfillmentStatus"] in ("PENDING", "PENDING_AVAILABILITY")
    ]
    assert pending
    for order in pending:
        assert "proceeds" not in order and "recipient" not in order
        assert "deliverByWindow" not in order["fulfillment"]
        for item in order["orderItems"]:
            assert "price" not in item["product"] and "proceeds" not in item
            assert "packing" not in item["fulfillment"]


def test_replacement_orders_reference_an_earlier_shipped_order(orders):
    by_id = {order["orderId"]: order for order in orders}
    replacements = [order for order in orders if "associatedOrders" in order]
    assert replacements
    for order in replacements:
        association = order["associatedOrders"][0]
        assert association["associationType"] == "REPLACEMENT_ORIGINAL_ID"
        original = by_id[association["orderId"]]
        assert original["createdTime"] < order["createdTime"]
        assert original["salesChannel"] == order["salesChannel"]
        assert [i["product"]["sellerSku"] for i in original["orderItems"]] == [
            i["product"]["sellerSku"] for i in order["orderItems"]
        ]
        assert amount(order["proceeds"]["grandTotal"]) == 0


def test_packages_match_shipped_quantities(orders):
    shipped_fbm = [
        o
        for o in orders
        if o["fulfillment"]["fulfilledBy"] == "MERCHANT"
        and o["fulfillment"]["fulfillmentStatus"] in ("SHIPPED", "PARTIALLY_SHIPPED")
    ]
    assert shipped_fbm
    for order in shipped_fbm:
        packed = Counter()
        for package in order["packages"]:
            assert package["trackingNumber"] and package["carrier"]
            for entry in package["packageItems"]:
                packed[entry["orderItemId"]] += entry["quantity"]
        for item in order["orderItems"]:
            assert packed[item["orderItemId"]] == item["fulfillment"]["quantityFulfilled"]
    partial = [
        o for o in shipped_fbm if o["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"
    ]
    for order in partial:
        assert (
            0
            < sum(i["fulfillment"]["quantityFulfilled"] for i in order["orderItems"])
            < sum(i["quantityOrdered"] for i in order["orderItems"])
        )
    assert all("packages" not in o for o in orders if o["fulfillment"]["fulfilledBy"] == "AMAZON")


def test_fbm_windows_and_cancellation_data(orders):
    for order in orders:
        fulfillment = order["fulfillment"]
        status = fulfillment["fulfillmentStatus"]
        if fulfillment["fulfilledBy"] == "MERCHANT" and status in (
            "UNSHIPPED",
            "PARTIALLY_SHIPPED",
            "SHIPPED",
        ):
            ship_by, deliver_by = fulfillment["shipByWindow"], fulfillment["deliverByWindow"]
            assert (
                ship_by["earliestDateTime"]
                <= ship_by["latestDateTime"]
                <= deliver_by["earliestDateTime"]
                <= deliver_by["latestDateTime"]
            )
        if status == "CANCELLED":
            assert all(
                item["cancellation"]["cancellationExecution"]["cancelledBy"]
                in ("BUYER", "AMAZON", "MERCHANT")
                for item in order["orderItems"]
            )
    assert any(
        "cancellationRequest" in item.get("cancellation", {})
        for order in orders
        if order["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
        for item in order["orderItems"]
    )


# ------------------------------------------------------------------------------------------
# Evolution


ALLOWED = {
    ("PENDING_AVAILABILITY", "PENDING"),
    ("PENDING", "UNSHIPPED"),
    ("PENDING", "CANCELLED"),
    ("UNSHIPPED", "CANCELLED"),
    ("UNSHIPPED", "UNSHIPPED"),
    ("UNSHIPPED", "SHIPPED"),
    ("PARTIALLY_SHIPPED", "SHIPPED"),
}


def test_evolve_orders_changes_orders_realistically():
    orders = generate_orders(11, 400, SELLER)
    before = {order["orderId"]: copy.deepcopy(order) for order in orders}
    now = DEFAULT_NOW + timedelta(hours=2)
    changed = evolve_orders(orders, random.Random(3), now, 80)
    assert len(changed) == len(set(changed)) == 80
    transitions = Counter()
    for order in orders:
        old = before[order["orderId"]]
        if order["orderId"] not in changed:
            assert order == old
            continue
        assert order["lastUpdatedTime"] == "2026-03-02T14:00:00Z"
        assert order["createdTime"] == old["createdTime"]
        old_status = old["fulfillment"]["fulfillmentStatus"]
        new_status = order["fulfillment"]["fulfillmentStatus"]
        transitions[old_status, new_status] += 1
        assert (old_status, new_status) in ALLOWED
        assert validation_errors(order) == []
        assert check_order_adds_up(order) == []
        if (old_status, new_status) == ("PENDING", "UNSHIPPED"):
            assert order["proceeds"]["grandTotal"] and order["recipient"]["deliveryAddress"]
            assert all("price" in item["product"] for item in order["orderItems"])
        if new_status == "SHIPPED":  # only Amazon ships by itself
            assert order["fulfillment"]["fulfilledBy"] == "AMAZON" and "packages" not in order
        if (old_status, new_status) == ("UNSHIPPED", "UNSHIPPED"):
            assert order["fulfillment"]["fulfilledBy"] == "MERCHANT"
            assert (
                sum(
                    "cancellationRequest" in item.get("cancellation", {})
                    for item in order["orderItems"]
                )
                == 1
            )
            assert all(
                item.get("cancellation", {})
                .get("cancellationRequest", {})
                .get("requester", "BUYER")
                == "BUYER"
                for item in order["orderItems"]
            )
        if new_status == "CANCELLED":
            assert {
                item["cancellation"]["cancellationExecution"]["cancelledBy"]
                for item in order["orderItems"]
            } <= {"BUYER", "AMAZON"}
    assert {
        ("PENDING", "UNSHIPPED"),
        ("UNSHIPPED", "CANCELLED"),
        ("UNSHIPPED", "UNSHIPPED"),
        ("UNSHIPPED", "SHIPPED"),
    } <= set(transitions)


def test_evolve_orders_is_deterministic_for_a_seeded_rng():
    now = DEFAULT_NOW + timedelta(minutes=30)
    first, second = generate_orders(4, 200, SELLER), generate_orders(4, 200, SELLER)
    ids_first = evolve_orders(first, random.Random(9), now, 25)
    ids_second = evolve_orders(second, random.Random(9), now, 25)
    assert ids_first == ids_second
    assert json.dumps(first, ensure_ascii=False) == json.dumps(second, ensure_ascii=False)
    third = generate_orders(4, 200, SELLER)
    assert evolve_orders(third, random.Random(10), now, 25) != ids_first


def test_evolving_until_nothing_moves_keeps_everything_consistent():
    orders = generate_orders(21, 150, SELLER)
    now = DEFAULT_NOW
    for _ in range(40):
        now += timedelta(hours=1)
        if not evolve_orders(orders, random.Random(now.timestamp()), now, 10):
            break
    else:
        pytest.fail("orders kept changing: FBM orders must wait for the seller")
    statuses = {
        o["fulfillment"]["fulfillmentStatus"]
        for o in orders
        if o["fulfillment"]["fulfilledBy"] == "AMAZON"
    }
    assert not statuses & {"PENDING", "PENDING_AVAILABILITY", "UNSHIPPED", "PARTIALLY_SHIPPED"}
    for order in orders:
        assert validation_errors(order) == [] and check_order_adds_up(order) == []
        assert order["createdTime"] <= order["lastUpdatedTime"] <= generator.iso(now)
