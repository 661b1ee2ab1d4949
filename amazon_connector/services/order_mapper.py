"""Turn an Orders API v2026-01-01 order into plain values an Odoo sale order can be built from.

How money adds up (docs/money-model.md): each order item's ``proceeds.breakdowns`` holds
ITEM, SHIPPING, GIFT_WRAP, COD_FEE and OTHER (positive), DISCOUNT (negative, detailed per
ITEM/SHIPPING) and, where Amazon computed a tax on a net price, TAX (detailed per the charge it
taxes). The item's total is the sum of its breakdowns and the order's ``grandTotal`` is the
sum of its items (plus order-level charges such as DELIVERY_TIP). Where there is no TAX the
amounts are what the buyer paid, VAT included in VAT-inclusive marketplaces.

Every charge becomes a :class:`Line` carrying the amount as Amazon shows it (net where the item
has a TAX breakdown, what the buyer paid otherwise); the item keeps Amazon's tax per charge and
who collects it (the seller, or Amazon as marketplace facilitator), so the sale order can total
exactly what Amazon charged, on the company's own taxes.

Nothing is taken on trust: every field used is checked (type, bounds, sign, length, control
characters, known values), and whatever does not fit raises a :class:`MappingError` naming
the order and the field by its JSON path (``orderItems[2].quantityOrdered``), for any input.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import ROUND_DOWN, Decimal

from .errors import ServiceError

CHARGE_KINDS = {
    "ITEM": "item",
    "SHIPPING": "shipping",
    "GIFT_WRAP": "gift_wrap",
    "COD_FEE": "other",
    "OTHER": "other",
}
ORDER_LEVEL_KINDS = {"DELIVERY_TIP": "other"}
ITEM_BREAKDOWN_TYPES = (*CHARGE_KINDS, "TAX", "DISCOUNT")
ORDER_BREAKDOWN_TYPES = (*ITEM_BREAKDOWN_TYPES, *ORDER_LEVEL_KINDS)
DETAIL_SUBTYPES = (*CHARGE_KINDS, "DISCOUNT")
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "CLP", "KRW", "HUF"})
FACILITATOR = "MARKETPLACE_FACILITATOR"  # Amazon withholds and remits the item's tax

FULFILLMENT_STATUSES = (
    "PENDING_AVAILABILITY",
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
)
FULFILLED_BY = ("MERCHANT", "AMAZON")
CANCELLED_BY = ("BUYER", "MERCHANT", "AMAZON")
PACKAGE_STATUSES = ("PENDING", "IN_TRANSIT", "SHIPPED", "DELIVERED", "CANCELLED", "UNDELIVERABLE")
# Amazon has charged these orders: their amounts must be there (docs/money-model.md, rule 8),
# except for orders placed outside Amazon (Multi-Channel Fulfillment), which carry no money.
CHARGED_STATUSES = ("UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED")
VAT_REGISTRATION_TYPES = ("VAT", "BUSINESS")

# Sane bounds: far beyond any real order, well within what Odoo stores.
MAX_QUANTITY = 10_000
MAX_AMOUNT = Decimal(100_000_000)
EARLIEST_YEAR, LATEST_YEAR = 1995, 2100
ID_LENGTH = 100  # order, item, package ids, SKUs, codes
TEXT_LENGTH = 255  # names, address lines, tracking numbers...
LONG_TEXT_LENGTH = 2000  # titles, gift messages, cancellation reasons
SHOWN_LENGTH = 40  # how much of a value an error message quotes

AMOUNT = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]{1,4})?")
CURRENCY_CODE = re.compile(r"[A-Z]{3}")
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
# What PostgreSQL cannot store or a screen cannot show: C0/C1 control characters (NUL
# included) and lone UTF-16 surrogates. Multi-line text may keep tabs and line breaks.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_IN_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
BLANKS = re.compile(r"[\t\n\r]")

# Personal data as Amazon's "Access Orders PII" page lists it: kept only when the channel may.
PERSONAL_ADDRESS_FIELDS = ("name", "street", "street2", "zip", "phone")
PERSONAL_BUYER_FIELDS = ("name", "email")


class MappingError(ServiceError):
    """The order cannot be imported as it is; ``code`` and ``data`` say why (worded for a
    back-office user by models/amazon_error.py). ``data`` always has ``order`` (the order id
    as it may be shown, "?" when unreadable) and ``field`` (a JSON path)."""


@dataclass
class Line:
    kind: str  # item, shipping, gift_wrap, discount, other
    amount: Decimal  # as Amazon shows it: net when the item has a TAX breakdown, else gross
    charge: str  # Amazon's breakdown type (ITEM, SHIPPING, DISCOUNT, DELIVERY_TIP...)
    quantity: int = 1
    order_item_id: str | None = None
    sku: str | None = None
    asin: str | None = None
    title: str | None = None


@dataclass
class Address:
    name: str | None = None
    company: str | None = None
    street: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country_code: str | None = None
    phone: str | None = None
    address_type: str | None = None  # RESIDENTIAL, COMMERCIAL, PICKUP_POINT
    district: str | None = None


@dataclass
class Buyer:
    name: str | None = None
    email: str | None = None
    company: str | None = None
    purchase_order_number: str | None = None
    vat: str | None = None


@dataclass
class OrderItem:
    order_item_id: str
    sku: str | None
    asin: str | None
    title: str | None
    quantity: int
    cancel_requested: bool = False
    cancel_reason: str | None = None
    gift_message: str | None = None
    quantity_shipped: int = 0
    # Amazon's tax per charge type (ITEM, SHIPPING, ..., DISCOUNT: the tax taken off with the
    # discounts), None when the item has no TAX breakdown (its amounts are final).
    tax: dict | None = None
    # Who remits the item's tax when it is not the seller (marketplace facilitator).
    tax_collected_by: str | None = None
    tax_scheme: str | None = None  # Amazon's reporting scheme (UOSS, IOSS)

    @property
    def tax_total(self):
        return sum(self.tax.values(), Decimal(0)) if self.tax else Decimal(0)


@dataclass
class ShippedPackage:
    reference: str
    tracking_number: str | None
    carrier: str | None
    items: dict  # {orderItemId: units}
    status: str | None


@dataclass
class OrderData:
    order_id: str
    marketplace_id: str
    status: str
    fulfilled_by: str
    purchase_date: datetime
    last_updated: datetime
    currency: str | None
    grand_total: Decimal | None
    items: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    service_level: str | None = None
    ship_by: tuple = (None, None)
    deliver_by: tuple = (None, None)
    programs: frozenset = frozenset()
    replaced_order_id: str | None = None
    buyer: Buyer | None = None
    recipient: Address | None = None
    packages: list = field(default_factory=list)
    cancelled_by: str | None = None
    cancellation_reason: str | None = None

    @property
    def is_prime(self):
        return "PRIME" in self.programs

    @property
    def is_business(self):
        return "AMAZON_BUSINESS" in self.programs

    @property
    def is_premium(self):
        return "PREMIUM" in self.programs

    @property
    def gift_messages(self):
        return [item.gift_message for item in self.items if item.gift_message]

    @property
    def cancel_requested(self):
        return any(item.cancel_requested for item in self.items)

    @property
    def cancel_reason(self):
        return next((i.cancel_reason for i in self.items if i.cancel_requested), None)

    @property
    def has_prices(self):
        """Pending orders carry no money yet: their lines cannot be priced."""
        return self.grand_total is not None

    @property
    def tax_total(self):
        """Amazon's tax on the order, None when Amazon reported none (final amounts)."""
        taxed = [item for item in self.items if item.tax is not None]
        return sum((item.tax_total for item in taxed), Decimal(0)) if taxed else None

    @property
    def tax_collected_by(self):
        """Who remits the order's tax when Amazon does (marketplace facilitator), else None."""
        return next((i.tax_collected_by for i in self.items if i.tax_collected_by), None)


# -- showing values in messages ---------------------------------------------------------------


def shown(value):
    """A value as an error message may quote it: printable, one line, at most a few words."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int) and value.bit_length() > 128:
        # str() refuses integers of thousands of digits; the order of magnitude says enough.
        return f"{'-' if value < 0 else ''}1e{int(value.bit_length() * 0.30103)}"
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list | tuple):
        return "[…]"
    text = str(value)[: SHOWN_LENGTH * 4]
    text = CONTROL.sub("", BLANKS.sub(" ", text)).strip()
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def order_reference(payload):
    """The order's id as it may be shown and logged, or "?" when it can't be read."""
    order_id = payload.get("orderId") if isinstance(payload, dict) else None
    if isinstance(order_id, str | int) and not isinstance(order_id, bool):
        return shown(order_id) or "?"
    return "?"


def _kind(value):
    """The JSON type of a value, as amazon_error.py words it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list | tuple):
        return "list"
    return "unknown"


def _join(where, key):
    """The JSON path of ``key`` (a name, or an index in a list) inside ``where``."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def parse_datetime(value, order="?", path="?"):
    """ISO 8601 from Amazon -> naive UTC datetime, as Odoo stores it; None for no value."""
    if value is None or value == "":
        return None
    moment = _moment(value)
    if moment is None:
        raise MappingError("bad_date", order=order, field=path, value=shown(value))
    return moment


def _moment(value):
    """``value`` as a naive UTC datetime, if it is a date and time Amazon could have set."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):  # not ISO 8601; beyond year 1..9999 once in UTC
        return None
    return moment if EARLIEST_YEAR <= moment.year <= LATEST_YEAR else None


# -- reading checked fields -------------------------------------------------------------------


class _Reader:
    """Reads the fields of one order. Each method takes the object holding the field, the
    field's name and the object's JSON path, and gives the checked value (None when an
    optional field is absent) or raises a MappingError naming the order and the field."""

    def __init__(self, order):
        self.order = order  # the order id as it may be shown

    def expect(self, value, path, expected):
        """``value`` itself, when it is of the ``expected`` JSON type (object or list)."""
        if _kind(value) != expected:
            raise MappingError(
                "wrong_type", order=self.order, field=path, expected=expected, found=_kind(value)
            )
        return value

    def present(self, mapping, key, where, required):
        value = mapping.get(key)
        if value is None or value == "":
            if required:
                raise MappingError("field_missing", order=self.order, field=_join(where, key))
            return None
        return value

    def object(self, mapping, key, where, required=False):
        value = self.present(mapping, key, where, required)
        return None if value is None else self.expect(value, _join(where, key), "object")

    def objects(self, mapping, key, where, required=False):
        """The (path, object) pairs of a list of objects; [] when the list is absent."""
        value = self.present(mapping, key, where, required)
        return [] if value is None else self.entries(value, _join(where, key))

    def entries(self, value, path):
        """The (path, object) pairs of ``value``, which must be a list of objects."""
        self.expect(value, path, "list")
        return [
            (_join(path, index), self.expect(entry, _join(path, index), "object"))
            for index, entry in enumerate(value)
        ]

    def text(self, mapping, key, where, limit=TEXT_LENGTH, required=False, multiline=False):
        """A string of at most ``limit`` characters without control characters (but tabs and
        line breaks in ``multiline`` text)."""
        value = self.present(mapping, key, where, required)
        if value is None:
            return None
        path = _join(where, key)
        if not isinstance(value, str):
            raise MappingError(
                "wrong_type", order=self.order, field=path, expected="text", found=_kind(value)
            )
        if len(value) > limit:
            raise MappingError(
                "text_too_long", order=self.order, field=path, length=len(value), limit=limit
            )
        control = (CONTROL_IN_MULTILINE if multiline else CONTROL).search(value)
        if control:
            raise MappingError(
                "control_characters",
                order=self.order,
                field=path,
                value=shown(value),
                character=f"U+{ord(control.group()):04X}",
            )
        if not value.strip():
            if required:
                raise MappingError("field_missing", order=self.order, field=path)
            return None
        return value

    def identifier(self, mapping, key, where, required=False):
        return self.text(mapping, key, where, limit=ID_LENGTH, required=required)

    def code(self, mapping, key, where, pattern, name, required=False):
        """A code of a standard format: ``name`` is currency_code or country_code."""
        value = self.identifier(mapping, key, where, required)
        if value is not None and not pattern.fullmatch(value):
            raise MappingError(
                "bad_format",
                order=self.order,
                field=_join(where, key),
                value=shown(value),
                format=name,
            )
        return value

    def choice(self, mapping, key, where, allowed, required=False):
        value = self.identifier(mapping, key, where, required)
        if value is not None and value not in allowed:
            raise MappingError(
                "unknown_value",
                order=self.order,
                field=_join(where, key),
                value=shown(value),
                allowed=", ".join(allowed),
            )
        return value

    def quantity(self, mapping, key, where, low, high, required=False):
        """A whole number of units from ``low`` to ``high``."""
        value = self.present(mapping, key, where, required)
        if value is None:
            return None
        path = _join(where, key)
        if isinstance(value, dict | list):
            raise MappingError(
                "wrong_type", order=self.order, field=path, expected="number", found=_kind(value)
            )
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise MappingError(
                "bad_quantity",
                order=self.order,
                field=path,
                value=shown(value),
                low=low,
                high=high,
            )
        return value

    def date(self, mapping, key, where, required=False):
        value = self.present(mapping, key, where, required)
        return parse_datetime(value, self.order, _join(where, key))

    def money(self, mapping, key, where, currency, negative=False, required=False):
        """A Money object's amount: a decimal written as text, in the order's currency,
        zero or positive (zero or negative for discounts), within sane bounds."""
        value = self.object(mapping, key, where, required)
        if value is None:
            return None
        path = _join(where, key)
        amount = self.present(value, "amount", path, required=True)
        amount_path = f"{path}.amount"
        if not isinstance(amount, str):
            raise MappingError(
                "wrong_type",
                order=self.order,
                field=amount_path,
                expected="text",
                found=_kind(amount),
            )
        low, high = (-MAX_AMOUNT, Decimal(0)) if negative else (Decimal(0), MAX_AMOUNT)
        number = Decimal(amount) if AMOUNT.fullmatch(amount) else None
        if number is None or not low <= number <= high:
            raise MappingError(
                "bad_amount",
                order=self.order,
                field=amount_path,
                value=shown(amount),
                low=str(low),
                high=str(high),
            )
        code = self.code(value, "currencyCode", path, CURRENCY_CODE, "currency_code", True)
        if currency and code != currency:
            raise MappingError(
                "currency_mismatch",
                order=self.order,
                field=f"{path}.currencyCode",
                currency=code,
                order_currency=currency,
            )
        return number

    def unique(self, value, path, seen):
        """``value``, refused when ``seen`` already holds it; then remembered there."""
        if value in seen:
            raise MappingError("duplicate_value", order=self.order, field=path, value=shown(value))
        seen.add(value)
        return value


# -- the order --------------------------------------------------------------------------------


def parse_order(payload, personal_data=True):
    """Parse and check one order; raises :class:`MappingError` saying why it can't be.

    With ``personal_data`` False the result holds none of the buyer's personal data (Amazon's
    "Access Orders PII"): no buyer name or e-mail, no recipient name, street, postal code or
    phone, no gift message. Buyer company, PO and VAT numbers and the address's city,
    district, region, country, type and company name are kept.
    """
    reader = _Reader(order_reference(payload))
    reader.expect(payload, "order", "object")
    order_id = reader.identifier(payload, "orderId", "", required=True)
    sales_channel = reader.object(payload, "salesChannel", "", required=True)
    fulfillment = reader.object(payload, "fulfillment", "", required=True)
    status = reader.choice(
        fulfillment, "fulfillmentStatus", "fulfillment", FULFILLMENT_STATUSES, required=True
    )
    channel_name = reader.text(sales_channel, "channelName", "salesChannel")
    data = OrderData(
        order_id=order_id,
        marketplace_id=reader.identifier(
            sales_channel, "marketplaceId", "salesChannel", required=True
        ),
        status=status,
        fulfilled_by=reader.choice(fulfillment, "fulfilledBy", "fulfillment", FULFILLED_BY)
        or "MERCHANT",
        purchase_date=reader.date(payload, "createdTime", "", required=True),
        last_updated=reader.date(payload, "lastUpdatedTime", "", required=True),
        currency=None,
        grand_total=None,
        service_level=reader.text(fulfillment, "fulfillmentServiceLevel", "fulfillment"),
        ship_by=_window(reader, fulfillment, "shipByWindow"),
        deliver_by=_window(reader, fulfillment, "deliverByWindow"),
        programs=frozenset(_programs(reader, payload)),
        replaced_order_id=_replaced_order(reader, payload),
        buyer=_parse_buyer(reader, payload, personal_data),
        recipient=_parse_address(reader, payload, personal_data),
    )
    proceeds = reader.object(payload, "proceeds", "") or {}
    charged = status in CHARGED_STATUSES and channel_name != "NON_AMAZON"
    if "grandTotal" in proceeds or charged:
        grand_total = reader.object(proceeds, "grandTotal", "proceeds")
        if grand_total is None:
            raise MappingError(
                "proceeds_missing", order=reader.order, field="proceeds.grandTotal", status=status
            )
        data.currency = reader.code(
            grand_total,
            "currencyCode",
            "proceeds.grandTotal",
            CURRENCY_CODE,
            "currency_code",
            required=True,
        )
        data.grand_total = reader.money(proceeds, "grandTotal", "proceeds", data.currency)

    raw_items = reader.objects(payload, "orderItems", "", required=True)
    if not raw_items:
        raise MappingError("no_items", order=reader.order, field="orderItems")
    item_ids, executions = set(), []
    for where, raw_item in raw_items:
        item = _parse_item(reader, raw_item, where, status, personal_data)
        reader.unique(item.order_item_id, f"{where}.orderItemId", item_ids)
        data.items.append(item)
        executions.append(_cancellation_execution(reader, raw_item, where))
        if data.has_prices:
            data.lines.extend(_item_lines(reader, raw_item, where, item, data))
    data.cancelled_by, data.cancellation_reason = next(
        (execution for execution in executions if execution), (None, None)
    )

    data.packages = _read_packages(reader, payload.get("packages"))
    for index, package in enumerate(data.packages):
        for position, item_id in enumerate(package.items):
            if item_id not in item_ids:
                raise MappingError(
                    "unknown_item",
                    order=reader.order,
                    field=f"packages[{index}].packageItems[{position}].orderItemId",
                    value=shown(item_id),
                )
    if data.has_prices:
        data.lines.extend(_order_level_lines(reader, proceeds, data.currency))
        lines_total = sum((line.amount for line in data.lines), Decimal(0)) + (data.tax_total or 0)
        if lines_total != data.grand_total:
            raise MappingError(
                "total_mismatch",
                order=reader.order,
                field="proceeds.grandTotal",
                lines_total=str(lines_total),
                grand_total=str(data.grand_total),
                currency=data.currency,
            )
    return data


def parse_packages(raw_packages, order_id):
    """The packages of an order (its ``packages`` as getOrder gives them), checked as
    :func:`parse_order` checks an order; raises :class:`MappingError` on anything else."""
    return _read_packages(_Reader(order_reference({"orderId": order_id})), raw_packages)


def _read_packages(reader, raw_packages):
    if raw_packages is None:
        return []
    packages, references = [], set()
    for where, raw in reader.entries(raw_packages, "packages"):
        reference = reader.identifier(raw, "packageReferenceId", where, required=True)
        reader.unique(reference, f"{where}.packageReferenceId", references)
        status = reader.object(raw, "packageStatus", where)
        items, item_ids = {}, set()
        for item_where, item in reader.objects(raw, "packageItems", where):
            item_id = reader.identifier(item, "orderItemId", item_where, required=True)
            reader.unique(item_id, f"{item_where}.orderItemId", item_ids)
            items[item_id] = reader.quantity(
                item, "quantity", item_where, low=1, high=MAX_QUANTITY, required=True
            )
        packages.append(
            ShippedPackage(
                reference=reference,
                tracking_number=reader.text(raw, "trackingNumber", where),
                carrier=reader.text(raw, "carrier", where),
                items=items,
                status=None
                if status is None
                else reader.choice(
                    status, "status", f"{where}.packageStatus", PACKAGE_STATUSES, required=True
                ),
            )
        )
    return packages


def _window(reader, fulfillment, key):
    window = reader.object(fulfillment, key, "fulfillment") or {}
    where = f"fulfillment.{key}"
    return (
        reader.date(window, "earliestDateTime", where),
        reader.date(window, "latestDateTime", where),
    )


def _programs(reader, payload):
    value = reader.present(payload, "programs", "", required=False)
    if value is None:
        return []
    by_index = dict(enumerate(reader.expect(value, "programs", "list")))
    return [reader.identifier(by_index, index, "programs", required=True) for index in by_index]


def _replaced_order(reader, payload):
    """The original order a replacement order was sent for."""
    replaced = None
    for where, association in reader.objects(payload, "associatedOrders", ""):
        kind = reader.identifier(association, "associationType", where)
        order_id = reader.identifier(association, "orderId", where)
        if kind == "REPLACEMENT_ORIGINAL_ID" and replaced is None:
            replaced = order_id
    return replaced


def _buyer_vat(reader, payload):
    """The buyer's VAT (or business) registration number from the order's tax data."""
    tax = reader.object(payload, "tax", "") or {}
    vat = None
    for where, registration in reader.objects(tax, "taxRegistrations", "tax"):
        entity = reader.identifier(registration, "entityType", where)
        kind = reader.identifier(registration, "taxRegistrationType", where)
        number = reader.text(registration, "taxRegistrationNumber", where)
        if entity == "BUYER" and kind in VAT_REGISTRATION_TYPES and number and vat is None:
            vat = number
    return vat


def _parse_buyer(reader, payload, personal_data):
    buyer = reader.object(payload, "buyer", "") or {}
    values = {
        "name": reader.text(buyer, "buyerName", "buyer"),
        "email": reader.text(buyer, "buyerEmail", "buyer"),
        "company": reader.text(buyer, "buyerCompanyName", "buyer"),
        "purchase_order_number": reader.text(buyer, "buyerPurchaseOrderNumber", "buyer"),
        "vat": _buyer_vat(reader, payload),
    }
    if not personal_data:
        values.update(dict.fromkeys(PERSONAL_BUYER_FIELDS))
    return Buyer(**values) if any(values.values()) else None


def _parse_address(reader, payload, personal_data):
    recipient = reader.object(payload, "recipient", "") or {}
    address = reader.object(recipient, "deliveryAddress", "recipient")
    if address is None:
        return None
    where = "recipient.deliveryAddress"
    line2, line3 = (reader.text(address, key, where) for key in ("addressLine2", "addressLine3"))
    city, municipality = (reader.text(address, key, where) for key in ("city", "municipality"))
    values = {
        "name": reader.text(address, "name", where),
        "company": reader.text(address, "companyName", where),
        "street": reader.text(address, "addressLine1", where),
        "street2": ", ".join(part for part in (line2, line3) if part) or None,
        "city": city or municipality,
        "district": reader.text(address, "districtOrCounty", where),
        "state": reader.text(address, "stateOrRegion", where),
        "zip": reader.text(address, "postalCode", where),
        "country_code": reader.code(address, "countryCode", where, COUNTRY_CODE, "country_code"),
        "phone": reader.text(address, "phone", where),
        "address_type": reader.identifier(address, "addressType", where),
    }
    if not personal_data:
        values.update(dict.fromkeys(PERSONAL_ADDRESS_FIELDS))
    return Address(**values) if any(values.values()) else None


def _parse_item(reader, raw, where, status, personal_data):
    product = reader.object(raw, "product", where, required=True)
    product_where = f"{where}.product"
    fulfillment = reader.object(raw, "fulfillment", where) or {}
    fulfillment_where = f"{where}.fulfillment"
    packing = reader.object(fulfillment, "packing", fulfillment_where) or {}
    gift = reader.object(packing, "giftOption", f"{fulfillment_where}.packing") or {}
    cancellation = reader.object(raw, "cancellation", where) or {}
    request = reader.object(cancellation, "cancellationRequest", f"{where}.cancellation") or {}
    # Amazon may report the items of a cancelled order with no units left.
    least = 0 if status == "CANCELLED" else 1
    quantity = reader.quantity(
        raw, "quantityOrdered", where, low=least, high=MAX_QUANTITY, required=True
    )
    gift_message = reader.text(
        gift,
        "giftMessage",
        f"{fulfillment_where}.packing.giftOption",
        limit=LONG_TEXT_LENGTH,
        multiline=True,
    )
    return OrderItem(
        order_item_id=reader.identifier(raw, "orderItemId", where, required=True),
        sku=reader.identifier(product, "sellerSku", product_where),
        asin=reader.identifier(product, "asin", product_where),
        title=reader.text(product, "title", product_where, limit=LONG_TEXT_LENGTH, multiline=True),
        quantity=quantity,
        quantity_shipped=reader.quantity(
            fulfillment, "quantityFulfilled", fulfillment_where, low=0, high=quantity
        )
        or 0,
        cancel_requested=bool(request),
        cancel_reason=reader.text(
            request,
            "cancelReason",
            f"{where}.cancellation.cancellationRequest",
            limit=LONG_TEXT_LENGTH,
            multiline=True,
        ),
        gift_message=gift_message if personal_data else None,
    )


def _cancellation_execution(reader, raw, where):
    """(cancelled by, reason) of an item Amazon cancelled, else None."""
    cancellation = reader.object(raw, "cancellation", where) or {}
    execution_where = f"{where}.cancellation.cancellationExecution"
    execution = reader.object(cancellation, "cancellationExecution", f"{where}.cancellation")
    if not execution:
        return None
    return (
        reader.choice(execution, "cancelledBy", execution_where, CANCELLED_BY),
        reader.text(
            execution, "cancelReason", execution_where, limit=LONG_TEXT_LENGTH, multiline=True
        ),
    )


def _details(reader, entry, where, currency, kind):
    """A TAX or DISCOUNT entry's amounts per subtype. Discounts and the tax on discounts are
    zero or negative, everything else zero or positive."""
    details, subtypes = {}, set()
    for detail_where, detail in reader.objects(entry, "detailedBreakdowns", where):
        subtype = reader.choice(detail, "subtype", detail_where, DETAIL_SUBTYPES, required=True)
        reader.unique(subtype, f"{detail_where}.subtype", subtypes)
        negative = kind == "DISCOUNT" or subtype == "DISCOUNT"
        details[subtype] = reader.money(
            detail, "value", detail_where, currency, negative=negative, required=True
        )
    return details


def _item_lines(reader, raw, where, item, data):
    """The charges of one order item as lines; Amazon's tax per charge goes on the item."""
    proceeds = reader.object(raw, "proceeds", where)
    if proceeds is None:
        raise MappingError(
            "proceeds_missing", order=reader.order, field=f"{where}.proceeds", status=data.status
        )
    currency = data.currency
    amounts, taxes, discounts, kinds = {}, None, {}, set()
    for entry_where, entry in reader.objects(proceeds, "breakdowns", f"{where}.proceeds"):
        kind = reader.choice(entry, "type", entry_where, ITEM_BREAKDOWN_TYPES, required=True)
        reader.unique(kind, f"{entry_where}.type", kinds)
        subtotal = reader.money(
            entry, "subtotal", entry_where, currency, negative=kind == "DISCOUNT", required=True
        )
        if kind == "TAX":
            taxes = _details(reader, entry, entry_where, currency, kind)
            if sum(taxes.values(), Decimal(0)) != subtotal:
                # Without a usable split the whole tax belongs to the item price.
                taxes = {"ITEM": subtotal}
        elif kind == "DISCOUNT":
            discounts = _details(reader, entry, entry_where, currency, kind) or {"ITEM": subtotal}
        else:
            amounts[kind] = subtotal
    if "ITEM" not in amounts:
        raise MappingError(
            "field_missing", order=reader.order, field=f"{where}.proceeds.breakdowns[type=ITEM]"
        )
    item.tax = taxes
    item.tax_collected_by, item.tax_scheme = _tax_collection(reader, raw, where)
    lines = []
    for kind, amount in amounts.items():
        is_item = kind == "ITEM"
        lines.append(
            Line(
                kind=CHARGE_KINDS[kind],
                amount=amount,
                charge=kind,
                quantity=item.quantity if is_item else 1,
                order_item_id=item.order_item_id,
                sku=item.sku,
                asin=item.asin,
                title=item.title if is_item else kind.replace("_", " ").title(),
            )
        )
    # One line per discount: Amazon rounds the tax of each discount on its own.
    for subtype, discount in sorted(discounts.items()):
        if discount:
            lines.append(
                Line(
                    kind="discount",
                    amount=discount,
                    charge="DISCOUNT",
                    order_item_id=item.order_item_id,
                    sku=item.sku,
                    asin=item.asin,
                    title=subtype.replace("_", " ").title(),
                )
            )
    return lines


def _tax_collection(reader, raw, where):
    """(who remits the item's tax if Amazon does, Amazon's reporting scheme)."""
    tax_where = f"{where}.tax"
    tax = reader.object(raw, "tax", where) or {}
    collected_by = None
    for collection_where, collection in reader.objects(tax, "taxCollections", tax_where):
        if reader.identifier(collection, "model", collection_where) == FACILITATOR:
            collected_by = reader.text(collection, "responsibleParty", collection_where) or "Amazon"
    scheme = next(
        (
            reader.identifier(breakdown, "reportingScheme", breakdown_where)
            for breakdown_where, breakdown in reader.objects(
                tax, "taxCalculationBreakdowns", tax_where
            )
        ),
        None,
    )
    return collected_by, scheme


def _order_level_lines(reader, proceeds, currency):
    """Charges that belong to no item (a delivery tip); the other order-level breakdowns
    repeat the items' sums and are only checked."""
    lines, kinds = [], set()
    for where, entry in reader.objects(proceeds, "breakdowns", "proceeds"):
        kind = reader.choice(entry, "type", where, ORDER_BREAKDOWN_TYPES, required=True)
        reader.unique(kind, f"{where}.type", kinds)
        amount = reader.money(
            entry, "subtotal", where, currency, negative=kind == "DISCOUNT", required=True
        )
        if kind in ORDER_LEVEL_KINDS:
            lines.append(
                Line(
                    kind=ORDER_LEVEL_KINDS[kind],
                    amount=amount,
                    charge=kind,
                    title=kind.replace("_", " ").title(),
                )
            )
    return lines


def quantum(currency):
    return Decimal(1) if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")


def split_units(amount, quantity, step):
    """Split ``amount`` for ``quantity`` units into (quantity, unit price) groups, to the cent.

    10.00 for 3 units gives [(2, 3.33), (1, 3.34)]: every unit price is a whole number of
    ``step`` and the groups add up to ``amount`` exactly.
    """
    if quantity <= 1:
        return [(quantity, amount)]
    base = (amount / quantity).quantize(step, rounding=ROUND_DOWN)
    remainder = int((amount - base * quantity) / step)
    groups = [(quantity - remainder, base), (remainder, base + step)]
    return [(qty, unit) for qty, unit in groups if qty]
