"""Malformed Orders API v2026-01-01 orders, made from valid ones, for testing what reads them.

``malformed_orders(valid_orders, seed, count)`` returns ``count`` (label, payload) pairs: each
payload is a copy of one of ``valid_orders`` (``generator.generate_orders``) with one thing
wrong, named by its label, a key of :data:`MUTATIONS`. Same arguments, same output.

What each label's :class:`Mutation` says:

* ``outcome``: ``"refused"`` when a careful reader must refuse the order (it breaks a field an
  importer uses: a quantity, an amount, an id, a status...), ``"accepted"`` when it must not
  (the change touches only what an importer has no use for, or is legitimate: Unicode text,
  an absent optional field), ``"either"`` for random junk dropped anywhere;
* ``codes``: the ``MappingError`` codes of ``amazon_connector/services/order_mapper.py`` that
  name the fault, for refused ones;
* ``servable``: whether the emulator can still serve the order from searchOrders. Every
  mutation keeps ``orderId``, ``salesChannel.marketplaceId``, ``createdTime``,
  ``lastUpdatedTime`` and the ``orderItems`` list of objects usable unless it is about them.
"""

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

CHARGED_STATUSES = ("UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED")
MEGABYTE = 1_000_000
# The paths the emulator needs to store and serve an order, and the items list itself.
SERVING_PATHS = (
    ("orderId",),
    ("salesChannel",),
    ("salesChannel", "marketplaceId"),
    ("createdTime",),
    ("lastUpdatedTime",),
    ("orderItems",),
)


@dataclass(frozen=True)
class Mutation:
    label: str
    outcome: str  # refused, accepted or either
    codes: frozenset  # MappingError codes expected when refused
    applies: Callable  # order -> whether this mutation makes sense on it
    apply: Callable  # (payload, rng) -> the mutated payload
    servable: bool = True


MUTATIONS: dict[str, Mutation] = {}


def malformed_orders(valid_orders, seed, count) -> list[tuple[str, dict]]:
    """``count`` (label, payload) pairs, going through every mutation in turn, each applied
    to a valid order it makes sense on, picked at random."""
    rng = random.Random(seed)
    candidates = {
        label: [order for order in valid_orders if mutation.applies(order)]
        for label, mutation in MUTATIONS.items()
    }
    labels = [label for label, orders in candidates.items() if orders]
    if not labels:
        raise ValueError("no valid order to mutate")
    result = []
    for index in range(count):
        label = labels[index % len(labels)]
        result.append((label, mutate(rng.choice(candidates[label]), label, rng)))
    return result


def mutate(order, label, rng):
    """A copy of ``order`` with the ``label`` mutation applied (``rng``: random.Random)."""
    return MUTATIONS[label].apply(copy.deepcopy(order), rng)


# -- which orders a mutation makes sense on ---------------------------------------------------


def _any(order):
    return True


def _status(order):
    return order["fulfillment"]["fulfillmentStatus"]


def _priced(order):
    return "grandTotal" in order.get("proceeds", {})


def _charged(order):
    return _status(order) in CHARGED_STATUSES and order["salesChannel"]["channelName"] == "AMAZON"


def _not_cancelled(order):
    return _status(order) != "CANCELLED"


def _cancelled(order):
    return _status(order) == "CANCELLED"


def _several_items(order):
    return len(order["orderItems"]) > 1


def _with_packages(order):
    return bool(order.get("packages"))


def _with_buyer(order):
    return "buyer" in order


def _with_address(order):
    return "deliveryAddress" in order.get("recipient", {})


# -- where a mutation acts --------------------------------------------------------------------


def _item(payload, rng):
    return rng.choice(payload["orderItems"])


def _entry(item, kind):
    return next(e for e in item["proceeds"]["breakdowns"] if e["type"] == kind)


def _currency(payload):
    return payload["proceeds"]["grandTotal"]["currencyCode"]


def _money(payload, amount):
    return {"amount": amount, "currencyCode": _currency(payload)}


def _item_entry(payload, rng, kind, amount, details=None):
    """An item's ``kind`` breakdown, added with ``amount`` when the item has none."""
    item = _item(payload, rng)
    breakdowns = item["proceeds"]["breakdowns"]
    entry = next((e for e in breakdowns if e["type"] == kind), None)
    if entry is None:
        entry = {"type": kind, "subtotal": _money(payload, amount)}
        breakdowns.append(entry)
    if details is not None:
        entry["detailedBreakdowns"] = details
    return entry


def _package(payload, rng):
    return rng.choice(payload["packages"])


def _nodes(value, path=()):
    """Every (path, value) in a payload, outer first."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _nodes(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _nodes(child, (*path, index))


def random_junk(rng, depth=0):
    """A random JSON-like value, nested junk included."""
    simple = [
        None,
        True,
        False,
        0,
        -1,
        2.7,
        10**40,
        -(10**12),
        float("inf"),
        float("nan"),
        "",
        " ",
        "\x00",
        "junk",
        "é\u200d🍎",
        "9" * 5000,
    ]
    if depth < 3 and rng.random() < 0.3:
        if rng.random() < 0.5:
            return [random_junk(rng, depth + 1) for _ in range(rng.randint(0, 3))]
        return {rng.choice(["a", "amount", "type", ""]): random_junk(rng, depth + 1)}
    return rng.choice(simple)


# -- the mutations ----------------------------------------------------------------------------


def _register(label, apply, outcome="refused", codes=(), applies=_any, servable=True):
    MUTATIONS[label] = Mutation(label, outcome, frozenset(codes), applies, apply, servable)


def _edit(label, edit, codes=(), outcome="refused", applies=_any, servable=True):
    """A mutation changing the payload in place with ``edit(payload, rng)``."""

    def apply(payload, rng):
        edit(payload, rng)
        return payload

    _register(label, apply, outcome, codes, applies, servable)


def _set_item(key, value):
    def edit(payload, rng):
        _item(payload, rng)[key] = value(rng) if callable(value) else value

    return edit


def _delete_item_key(key):
    def edit(payload, rng):
        _item(payload, rng).pop(key, None)

    return edit


def _set_product(key, value):
    def edit(payload, rng):
        _item(payload, rng)["product"][key] = value

    return edit


def _set_shipped(value):
    def edit(payload, rng):
        item = _item(payload, rng)
        fulfillment = item.setdefault("fulfillment", {})
        fulfillment["quantityFulfilled"] = value(item) if callable(value) else value

    return edit


def _set_item_amount(value, kind="ITEM"):
    def edit(payload, rng):
        _entry(_item(payload, rng), kind)["subtotal"]["amount"] = (
            value(rng) if callable(value) else value
        )

    return edit


def _set_item_money(transform):
    def edit(payload, rng):
        entry = _entry(_item(payload, rng), "ITEM")
        entry["subtotal"] = transform(entry["subtotal"])

    return edit


def _set_root(key, value):
    def edit(payload, rng):
        payload[key] = value(rng) if callable(value) else value

    return edit


def _delete_root(key):
    def edit(payload, rng):
        payload.pop(key, None)

    return edit


def _set_fulfillment(key, value):
    def edit(payload, rng):
        payload["fulfillment"][key] = value

    return edit


def _insert(text, rng, inserted):
    position = rng.randint(0, len(text))
    return text[:position] + inserted + text[position:]


def _with_character(character):
    return lambda rng, text: _insert(text, rng, character)


def _edit_text(path_of, change):
    """Change a text field at ``path_of(payload, rng)`` = (holder, key) with change(rng, text)."""

    def edit(payload, rng):
        holder, key = path_of(payload, rng)
        holder[key] = change(rng, holder.get(key) or "text")

    return edit


def _sku(payload, rng):
    return _item(payload, rng)["product"], "sellerSku"


def _title(payload, rng):
    return _item(payload, rng)["product"], "title"


def _item_id(payload, rng):
    return _item(payload, rng), "orderItemId"


def _order_id(payload, rng):
    return payload, "orderId"


def _buyer_name(payload, rng):
    return payload["buyer"], "buyerName"


def _city(payload, rng):
    return payload["recipient"]["deliveryAddress"], "city"


def _address_line(payload, rng):
    return payload["recipient"]["deliveryAddress"], "addressLine1"


def _gift_message(payload, rng):
    item = _item(payload, rng)
    packing = item.setdefault("fulfillment", {}).setdefault("packing", {})
    return packing.setdefault("giftOption", {}), "giftMessage"


def _tracking_number(payload, rng):
    return _package(payload, rng), "trackingNumber"


def _vat(payload, rng):
    registration = {
        "entityType": "BUYER",
        "taxRegistrationType": "VAT",
        "taxRegistrationNumber": "DE123456789",
    }
    payload.setdefault("tax", {}).setdefault("taxRegistrations", []).append(registration)
    return registration, "taxRegistrationNumber"


# Quantities: whole units from 1 (0 for cancelled items) to 10,000.
for _label, _value, _codes in (
    ("quantity_negative", lambda rng: -rng.randint(1, 100), "bad_quantity"),
    ("quantity_fractional", 2.7, "bad_quantity"),
    ("quantity_huge", 10**12, "bad_quantity"),
    ("quantity_as_text", "2", "bad_quantity"),
    ("quantity_boolean", True, "bad_quantity"),
    ("quantity_null", None, "field_missing"),
    ("quantity_as_list", lambda rng: [1], "wrong_type"),
):
    _edit(_label, _set_item("quantityOrdered", _value), {_codes})
_edit("quantity_zero", _set_item("quantityOrdered", 0), {"bad_quantity"}, applies=_not_cancelled)
_edit("quantity_missing", _delete_item_key("quantityOrdered"), {"field_missing"})
_edit(
    "cancelled_quantity_zero",
    _set_item("quantityOrdered", 0),
    outcome="accepted",
    applies=_cancelled,
)
_edit(
    "shipped_above_ordered",
    _set_shipped(lambda item: item["quantityOrdered"] + 1),
    {"bad_quantity"},
)
_edit("shipped_negative", _set_shipped(-1), {"bad_quantity"})
_edit("shipped_fractional", _set_shipped(0.5), {"bad_quantity"})


def _package_units(payload, rng):
    rng.choice(_package(payload, rng)["packageItems"])["quantity"] = rng.choice((0, -1, 1.5))


_edit("package_units_bad", _package_units, {"bad_quantity"}, applies=_with_packages)

# Money: amounts are decimals written as text, within bounds, with Amazon's signs.
_edit("charge_negative", _set_item_amount("-5.00"), {"bad_amount"}, applies=_priced)
# Who collects an item's tax decides where it is booked: it must be readable.
_edit("item_tax_as_text", _set_item("tax", "included"), {"wrong_type"}, applies=_priced)
_edit(
    "tax_collections_as_object",
    _set_item("tax", {"taxCollections": {"model": "MARKETPLACE_FACILITATOR"}}),
    {"wrong_type"},
    applies=_priced,
)
_edit(
    "tax_collector_control_characters",
    _set_item(
        "tax",
        {
            "taxCollections": [
                {"model": "MARKETPLACE_FACILITATOR", "responsibleParty": "Amazon\x00 Inc."}
            ]
        },
    ),
    {"control_characters"},
    applies=_priced,
)
_edit("amount_huge", _set_item_amount("1" + "0" * 30), {"bad_amount"}, applies=_priced)
_edit("amount_above_bounds", _set_item_amount("100000000.01"), {"bad_amount"}, applies=_priced)
_edit(
    "amount_infinite",
    _set_item_amount(lambda rng: rng.choice(("Infinity", "-Infinity", "inf"))),
    {"bad_amount"},
    applies=_priced,
)
_edit(
    "amount_nan",
    _set_item_amount(lambda rng: rng.choice(("NaN", "sNaN", "nan"))),
    {"bad_amount"},
    applies=_priced,
)
_edit(
    "amount_not_numeric",
    _set_item_amount(
        lambda rng: rng.choice(("12,50", "abc", "1e5", " 5.00", "5.00 EUR", "0x10", "١٢", "1.2.3"))
    ),
    {"bad_amount"},
    applies=_priced,
)
_edit(
    "amount_as_number",
    _set_item_amount(lambda rng: rng.choice((12.5, 12, 1e30))),
    {"wrong_type"},
    applies=_priced,
)
_edit("amount_empty", _set_item_amount(""), {"field_missing"}, applies=_priced)
_edit(
    "amount_missing",
    _set_item_money(lambda money: {"currencyCode": money["currencyCode"]}),
    {"field_missing"},
    applies=_priced,
)
_edit(
    "currency_missing",
    _set_item_money(lambda money: {"amount": money["amount"]}),
    {"field_missing"},
    applies=_priced,
)
_edit("money_null", _set_item_money(lambda money: None), {"field_missing"}, applies=_priced)
_edit("money_as_list", _set_item_money(lambda money: [money]), {"wrong_type"}, applies=_priced)
_edit(
    "currency_malformed_item",
    _set_item_money(lambda money: dict(money, currencyCode="eur")),
    {"bad_format"},
    applies=_priced,
)


def _other_currency(money):
    return dict(money, currencyCode="USD" if money["currencyCode"] != "USD" else "EUR")


_edit(
    "currency_mismatch",
    _set_item_money(_other_currency),
    {"currency_mismatch"},
    applies=_priced,
)


def _total_currency(payload, rng):
    payload["proceeds"]["grandTotal"]["currencyCode"] = rng.choice(("EURO", "eu", "€", "E1R"))


_edit("currency_malformed_total", _total_currency, {"bad_format"}, applies=_priced)


def _positive_discount(payload, rng):
    entry = _item_entry(payload, rng, "DISCOUNT", "1.00")
    entry["subtotal"]["amount"] = "1.00"


def _positive_discount_detail(payload, rng):
    _item_entry(
        payload,
        rng,
        "DISCOUNT",
        "-1.00",
        details=[{"subtype": "ITEM", "value": _money(payload, "1.00")}],
    )


def _negative_tax(payload, rng):
    entry = _item_entry(payload, rng, "TAX", "-1.00")
    entry["subtotal"]["amount"] = "-1.00"
    entry.pop("detailedBreakdowns", None)


def _positive_tax_on_discount(payload, rng):
    _item_entry(
        payload,
        rng,
        "TAX",
        "0.00",
        details=[{"subtype": "DISCOUNT", "value": _money(payload, "0.50")}],
    )


def _unknown_detail_subtype(payload, rng):
    _item_entry(
        payload,
        rng,
        "TAX",
        "0.00",
        details=[{"subtype": "MYSTERY", "value": _money(payload, "0.00")}],
    )


_edit("discount_positive", _positive_discount, {"bad_amount"}, applies=_priced)
_edit("discount_detail_positive", _positive_discount_detail, {"bad_amount"}, applies=_priced)
_edit("tax_negative", _negative_tax, {"bad_amount"}, applies=_priced)
_edit("tax_on_discount_positive", _positive_tax_on_discount, {"bad_amount"}, applies=_priced)
_edit("detail_subtype_unknown", _unknown_detail_subtype, {"unknown_value"}, applies=_priced)


def _grand_total(amount):
    def edit(payload, rng):
        payload["proceeds"]["grandTotal"]["amount"] = amount

    return edit


def _total_plus_one(payload, rng):
    total = payload["proceeds"]["grandTotal"]
    total["amount"] = str(Decimal(total["amount"]) + 1)


def _order_breakdown(kind, amount):
    def edit(payload, rng):
        payload["proceeds"].setdefault("breakdowns", []).append(
            {"type": kind, "subtotal": _money(payload, amount)}
        )

    return edit


_edit("grand_total_negative", _grand_total("-10.00"), {"bad_amount"}, applies=_priced)
_edit("grand_total_huge", _grand_total("9" * 31), {"bad_amount"}, applies=_priced)
_edit("total_mismatch", _total_plus_one, {"total_mismatch"}, applies=_priced)
_edit(
    "delivery_tip_negative",
    _order_breakdown("DELIVERY_TIP", "-1.00"),
    {"bad_amount"},
    applies=_priced,
)
_edit(
    "order_breakdown_unknown",
    _order_breakdown("MYSTERY", "0.00"),
    {"unknown_value"},
    applies=_priced,
)


def _breakdown_type(change):
    def edit(payload, rng):
        item = _item(payload, rng)
        breakdowns = item["proceeds"]["breakdowns"]
        change(breakdowns, _entry(item, "ITEM"))

    return edit


_edit(
    "breakdown_type_unknown",
    _breakdown_type(lambda breakdowns, entry: entry.update(type="BONUS")),
    {"unknown_value"},
    applies=_priced,
)
_edit(
    "breakdown_type_duplicate",
    _breakdown_type(lambda breakdowns, entry: breakdowns.append(copy.deepcopy(entry))),
    {"duplicate_value"},
    applies=_priced,
)
_edit(
    "breakdown_type_missing",
    _breakdown_type(lambda breakdowns, entry: entry.pop("type")),
    {"field_missing"},
    applies=_priced,
)
_edit(
    "item_price_missing",
    _breakdown_type(lambda breakdowns, entry: breakdowns.remove(entry)),
    {"field_missing"},
    applies=_priced,
)
_edit(
    "breakdown_entry_null",
    _breakdown_type(lambda breakdowns, entry: breakdowns.append(None)),
    {"wrong_type"},
    applies=_priced,
)
_edit(
    "breakdowns_as_object",
    _set_item("proceeds", lambda rng: {"breakdowns": {"type": "ITEM"}}),
    {"wrong_type"},
    applies=_priced,
)


# Proceeds: an order Amazon has charged carries its amounts.
def _drop_all_proceeds(payload, rng):
    payload.pop("proceeds", None)
    for item in payload["orderItems"]:
        item.pop("proceeds", None)


_edit("proceeds_missing_order", _delete_root("proceeds"), {"proceeds_missing"}, applies=_charged)
_edit("proceeds_missing_all", _drop_all_proceeds, {"proceeds_missing"}, applies=_charged)
_edit(
    "proceeds_missing_item",
    _delete_item_key("proceeds"),
    {"proceeds_missing"},
    applies=_priced,
)
_edit("proceeds_as_list", _set_root("proceeds", []), {"wrong_type"})


# Duplicates.
def _copy_item(payload, rng):
    payload["orderItems"].append(copy.deepcopy(_item(payload, rng)))


def _same_item_id(payload, rng):
    first, second = rng.sample(payload["orderItems"], 2)
    second["orderItemId"] = first["orderItemId"]


def _copy_package(payload, rng):
    payload["packages"].append(copy.deepcopy(_package(payload, rng)))


def _copy_package_item(payload, rng):
    items = _package(payload, rng)["packageItems"]
    items.append(copy.deepcopy(items[0]))


_edit("duplicate_item_copy", _copy_item, {"duplicate_value"})
_edit("duplicate_item_id", _same_item_id, {"duplicate_value"}, applies=_several_items)
_edit("duplicate_package", _copy_package, {"duplicate_value"}, applies=_with_packages)
_edit("duplicate_package_item", _copy_package_item, {"duplicate_value"}, applies=_with_packages)

# Text: sane lengths, no NUL or other control characters.
_TEXT_MUTATIONS = (
    ("title_1mb", _title, lambda rng, text: "x" * MEGABYTE, "text_too_long", _any),
    ("sku_long", _sku, lambda rng, text: "S" * 500, "text_too_long", _any),
    ("buyer_name_long", _buyer_name, lambda rng, text: "N" * 5000, "text_too_long", _with_buyer),
    ("address_long", _address_line, lambda rng, text: "A" * 5000, "text_too_long", _with_address),
    ("gift_message_long", _gift_message, lambda rng, text: "G" * 5000, "text_too_long", _any),
    ("order_id_nul", _order_id, _with_character("\x00"), "control_characters", _any),
    ("order_id_escape", _order_id, _with_character("\x1b[31m"), "control_characters", _any),
    ("order_id_surrogate", _order_id, _with_character("\ud800"), "control_characters", _any),
    ("item_id_nul", _item_id, _with_character("\x00"), "control_characters", _any),
    ("item_id_newline", _item_id, _with_character("\n"), "control_characters", _any),
    ("sku_nul", _sku, _with_character("\x00"), "control_characters", _any),
    ("sku_bell", _sku, _with_character("\x07"), "control_characters", _any),
    ("title_nul", _title, _with_character("\x00"), "control_characters", _any),
    ("title_escape", _title, _with_character("\x1b"), "control_characters", _any),
    ("title_c1_control", _title, _with_character("\x85"), "control_characters", _any),
    ("title_surrogate", _title, _with_character("\udfff"), "control_characters", _any),
    ("buyer_name_nul", _buyer_name, _with_character("\x00"), "control_characters", _with_buyer),
    ("city_control", _city, _with_character("\x0b"), "control_characters", _with_address),
    (
        "tracking_nul",
        _tracking_number,
        _with_character("\x00"),
        "control_characters",
        _with_packages,
    ),
    ("vat_nul", _vat, _with_character("\x00"), "control_characters", _any),
)
for _label, _where, _change, _code, _applies in _TEXT_MUTATIONS:
    _edit(_label, _edit_text(_where, _change), {_code}, applies=_applies)

# Values from Amazon's lists.
_edit("status_unknown", _set_fulfillment("fulfillmentStatus", "SHIPPED_MAYBE"), {"unknown_value"})
_edit("status_lowercase", _set_fulfillment("fulfillmentStatus", "shipped"), {"unknown_value"})
_edit("status_as_number", _set_fulfillment("fulfillmentStatus", 3), {"wrong_type"})
_edit(
    "status_missing",
    lambda payload, rng: payload["fulfillment"].pop("fulfillmentStatus"),
    {"field_missing"},
)
_edit("fulfilled_by_unknown", _set_fulfillment("fulfilledBy", "PARTNER"), {"unknown_value"})


def _cancelled_by(payload, rng):
    _item(payload, rng)["cancellation"] = {
        "cancellationExecution": {"cancelledBy": "ROBOT", "cancelReason": "No reason"}
    }


def _package_status(payload, rng):
    _package(payload, rng)["packageStatus"] = {"status": "LOST_IN_SPACE"}


_edit("cancelled_by_unknown", _cancelled_by, {"unknown_value"})
_edit("package_status_unknown", _package_status, {"unknown_value"}, applies=_with_packages)

# Dates.
_BAD_DATES = (
    "yesterday",
    "2026-13-45T00:00:00Z",
    "2026-02-30T10:00:00Z",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "2026-03-01T10:00:00+25:00",
)
_edit(
    "created_time_bad", _set_root("createdTime", lambda rng: rng.choice(_BAD_DATES)), {"bad_date"}
)
_edit("created_time_number", _set_root("createdTime", 1_700_000_000), {"bad_date"})
_edit("created_time_missing", _delete_root("createdTime"), {"field_missing"})
_edit(
    "last_updated_bad",
    _set_root("lastUpdatedTime", lambda rng: rng.choice(_BAD_DATES)),
    {"bad_date"},
    servable=False,
)
_edit(
    "last_updated_missing",
    _delete_root("lastUpdatedTime"),
    {"field_missing"},
    servable=False,
)


def _ship_by(payload, rng):
    window = payload["fulfillment"].setdefault("shipByWindow", {})
    window["latestDateTime"] = rng.choice(_BAD_DATES)


_edit("ship_by_bad", _ship_by, {"bad_date"})
_edit("deliver_by_as_text", _set_fulfillment("deliverByWindow", "tomorrow"), {"wrong_type"})


# Wrong types and missing fields, level by level.
def _whole_order(value):
    def apply(payload, rng):
        return value(payload) if callable(value) else value

    return apply


for _label, _value in (
    ("order_as_list", lambda payload: [payload]),
    ("order_as_text", "order"),
    ("order_null", None),
    ("order_as_number", 42),
):
    _register(_label, _whole_order(_value), codes={"wrong_type"}, servable=False)

for _label, _edit_function, _code in (
    ("order_id_number", _set_root("orderId", 12345678), "wrong_type"),
    ("order_id_missing", _delete_root("orderId"), "field_missing"),
    ("order_id_empty", _set_root("orderId", ""), "field_missing"),
    ("order_items_as_object", _set_root("orderItems", {}), "wrong_type"),
    ("order_items_null", _set_root("orderItems", None), "field_missing"),
    ("order_items_missing", _delete_root("orderItems"), "field_missing"),
    ("item_as_list", lambda payload, rng: payload["orderItems"].append([]), "wrong_type"),
    ("item_as_text", lambda payload, rng: payload["orderItems"].append("item"), "wrong_type"),
    ("item_null", lambda payload, rng: payload["orderItems"].insert(0, None), "wrong_type"),
    ("sales_channel_as_text", _set_root("salesChannel", "AMAZON"), "wrong_type"),
    ("sales_channel_missing", _delete_root("salesChannel"), "field_missing"),
    (
        "marketplace_missing",
        lambda payload, rng: payload["salesChannel"].pop("marketplaceId"),
        "field_missing",
    ),
    (
        "marketplace_as_number",
        lambda payload, rng: payload["salesChannel"].update(marketplaceId=7),
        "wrong_type",
    ),
    ("fulfillment_as_list", _set_root("fulfillment", []), "wrong_type"),
):
    _edit(_label, _edit_function, {_code}, servable=False)

for _label, _edit_function, _code, _applies in (
    ("order_items_empty", _set_root("orderItems", []), "no_items", _any),
    ("fulfillment_missing", _delete_root("fulfillment"), "field_missing", _any),
    ("item_id_missing", _delete_item_key("orderItemId"), "field_missing", _any),
    ("item_id_number", _set_item("orderItemId", 123), "wrong_type", _any),
    ("product_missing", _delete_item_key("product"), "field_missing", _any),
    ("product_as_list", _set_item("product", lambda rng: []), "wrong_type", _any),
    ("product_as_text", _set_item("product", "product"), "wrong_type", _any),
    ("item_fulfillment_as_list", _set_item("fulfillment", lambda rng: []), "wrong_type", _any),
    ("cancellation_as_list", _set_item("cancellation", lambda rng: []), "wrong_type", _any),
    ("sku_as_number", _set_product("sellerSku", 12345), "wrong_type", _any),
    ("title_as_list", _set_product("title", ["a", "b"]), "wrong_type", _any),
    ("asin_as_object", _set_product("asin", {"asin": "B0"}), "wrong_type", _any),
    ("buyer_as_list", _set_root("buyer", lambda rng: ["buyer"]), "wrong_type", _any),
    (
        "buyer_name_number",
        lambda payload, rng: payload["buyer"].update(buyerName=42),
        "wrong_type",
        _with_buyer,
    ),
    ("recipient_as_text", _set_root("recipient", "home"), "wrong_type", _any),
    (
        "address_as_list",
        lambda payload, rng: payload["recipient"].update(deliveryAddress=[]),
        "wrong_type",
        _with_address,
    ),
    (
        "country_code_malformed",
        lambda payload, rng: payload["recipient"]["deliveryAddress"].update(
            countryCode=rng.choice(("Germany", "de", "D"))
        ),
        "bad_format",
        _with_address,
    ),
    (
        "postal_code_number",
        lambda payload, rng: payload["recipient"]["deliveryAddress"].update(postalCode=12345),
        "wrong_type",
        _with_address,
    ),
    ("programs_as_text", _set_root("programs", "PRIME"), "wrong_type", _any),
    ("programs_with_object", _set_root("programs", lambda rng: [{"p": 1}]), "wrong_type", _any),
    (
        "programs_with_null",
        _set_root("programs", lambda rng: ["PRIME", None]),
        "field_missing",
        _any,
    ),
    (
        "associated_orders_junk",
        _set_root("associatedOrders", lambda rng: [1, 2]),
        "wrong_type",
        _any,
    ),
    (
        "tax_registrations_as_text",
        _set_root("tax", lambda rng: {"taxRegistrations": "DE1"}),
        "wrong_type",
        _any,
    ),
    ("packages_as_object", _set_root("packages", lambda rng: {"1": {}}), "wrong_type", _any),
    (
        "package_items_as_text",
        lambda payload, rng: _package(payload, rng).update(packageItems="all"),
        "wrong_type",
        _with_packages,
    ),
    (
        "package_reference_missing",
        lambda payload, rng: _package(payload, rng).pop("packageReferenceId"),
        "field_missing",
        _with_packages,
    ),
    (
        "package_item_unknown",
        lambda payload, rng: _package(payload, rng)["packageItems"][0].update(
            orderItemId="99999999999999"
        ),
        "unknown_item",
        _with_packages,
    ),
):
    _edit(_label, _edit_function, {_code}, applies=_applies)


# Changes a careful reader must accept: nothing an importer uses is wrong.
def _unused_fields_junk(payload, rng):
    payload["orderAliases"] = 42
    payload["payment"] = "cash"
    payload["fulfillmentOrders"] = {"a": None}
    payload.setdefault("recipient", {})["deliveryPreference"] = 5
    item = _item(payload, rng)
    item["measurement"] = "heavy"
    item["expense"] = []
    item["promotion"] = 7
    item["product"]["condition"] = []
    item["product"]["price"] = "free"


def _extra_fields(payload, rng):
    payload["someNewField"] = [1, {"x": None}]
    for item in payload["orderItems"]:
        item["anotherNewField"] = {"nested": [True, 2.5]}


def _unicode_text(payload, rng):
    item = _item(payload, rng)
    item["product"]["title"] = "Äpfel – 東京 🍎\u200d مرحبا\tbio"
    packing = item.setdefault("fulfillment", {}).setdefault("packing", {})
    packing.setdefault("giftOption", {})["giftMessage"] = "Alles Gute!\r\nZum Geburtstag 🎂"


def _optional_texts_removed(payload, rng):
    product = _item(payload, rng)["product"]
    for key in ("sellerSku", "asin", "title"):
        product.pop(key, None)


for _label, _edit_function in (
    ("unused_fields_junk", _unused_fields_junk),
    ("extra_fields", _extra_fields),
    ("unicode_text", _unicode_text),
    ("optional_texts_removed", _optional_texts_removed),
    ("buyer_removed", _delete_root("buyer")),
    ("recipient_removed", _delete_root("recipient")),
    ("fulfilled_by_removed", lambda payload, rng: payload["fulfillment"].pop("fulfilledBy")),
):
    _edit(_label, _edit_function, outcome="accepted")


# Random junk anywhere but where the emulator needs it: refused or accepted, never a crash.
def _junk_anywhere(payload, rng):
    nodes = [
        path
        for path, _value in _nodes(payload)
        if path and path not in SERVING_PATHS and not (path[0] == "orderItems" and len(path) == 2)
    ]
    *parents, last = rng.choice(nodes)
    holder = payload
    for key in parents:
        holder = holder[key]
    holder[last] = random_junk(rng)


_edit("junk_anywhere", _junk_anywhere, outcome="either", servable=False)
_edit("junk_anywhere_again", _junk_anywhere, outcome="either", servable=False)
