"""Turn an Orders API v2026-01-01 order into plain values an Odoo sale order can be built from.

How money adds up (docs/money-model.md): each order item's ``proceeds.breakdowns`` holds
ITEM, SHIPPING, GIFT_WRAP, COD_FEE and OTHER (positive), DISCOUNT (negative, detailed per
ITEM/SHIPPING) and, where Amazon computed a tax on a net price, TAX (detailed per the charge it
taxes). The item's total is the sum of its breakdowns and the order's ``grandTotal`` is the
sum of its items (plus order-level charges such as DELIVERY_TIP). Where there is no TAX the
amounts are what the buyer paid, VAT included in VAT-inclusive marketplaces.

Every charge becomes a :class:`Line` carrying its gross amount (tax included) and Amazon's tax
on it when Amazon gave one, so the sale order can total exactly what Amazon charged.
"""

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import ServiceError

CHARGE_KINDS = {
    "ITEM": "item",
    "SHIPPING": "shipping",
    "GIFT_WRAP": "gift_wrap",
    "COD_FEE": "other",
    "OTHER": "other",
}
ORDER_LEVEL_KINDS = {"DELIVERY_TIP": "other"}
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "CLP", "KRW", "HUF"})


class MappingError(ServiceError):
    """The order cannot be imported as it is; ``code`` and ``data`` say why (worded for a
    back-office user by models/amazon_error.py)."""


@dataclass
class Line:
    kind: str  # item, shipping, gift_wrap, discount, other
    amount: Decimal  # what the buyer paid for the line, tax included
    tax: Decimal | None  # Amazon's tax on it; None when Amazon gave no TAX (gross prices)
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


@dataclass
class Buyer:
    name: str | None = None
    email: str | None = None
    company: str | None = None


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


def parse_datetime(value):
    """ISO 8601 from Amazon -> naive UTC datetime, as Odoo stores it."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MappingError("unreadable_date", value=value) from exc
    if moment.tzinfo:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _money(value, where, currency=None):
    if not isinstance(value, dict) or "amount" not in value:
        raise MappingError("amount_missing", where=where)
    try:
        amount = Decimal(str(value["amount"]))
    except InvalidOperation as exc:
        raise MappingError("not_an_amount", where=where, value=value["amount"]) from exc
    if currency and value.get("currencyCode") not in (None, currency):
        raise MappingError(
            "currency_mismatch",
            where=where,
            currency=value.get("currencyCode"),
            order_currency=currency,
        )
    return amount


def _details(entry, where, currency):
    return {
        detail.get("subtype"): _money(
            detail.get("value"), f"{where} {detail.get('subtype')}", currency
        )
        for detail in entry.get("detailedBreakdowns") or []
    }


def _window(window):
    window = window or {}
    return (
        parse_datetime(window.get("earliestDateTime")),
        parse_datetime(window.get("latestDateTime")),
    )


def _item_lines(item, parsed, currency):
    """The charges of one order item as lines: gross amount and Amazon's tax on each."""
    where = f"Item {parsed.order_item_id} ({parsed.sku or parsed.asin})"
    amounts, taxes, discounts = {}, {}, {}
    for entry in (item.get("proceeds") or {}).get("breakdowns") or []:
        kind = entry.get("type")
        subtotal = _money(entry.get("subtotal"), f"{where} {kind}", currency)
        if kind == "TAX":
            taxes = _details(entry, f"{where} TAX", currency)
            if sum(taxes.values(), Decimal(0)) != subtotal:
                # Without a usable split the whole tax belongs to the item price.
                taxes = {"ITEM": subtotal}
        elif kind == "DISCOUNT":
            discounts = _details(entry, f"{where} DISCOUNT", currency) or {"ITEM": subtotal}
        elif kind in CHARGE_KINDS:
            amounts[kind] = amounts.get(kind, Decimal(0)) + subtotal
        else:
            raise MappingError("unknown_charge", where=where, kind=kind)
    if "ITEM" not in amounts:
        raise MappingError("no_item_price", where=where)
    has_tax = bool(taxes)
    lines = []
    for kind, amount in amounts.items():
        tax = taxes.get(kind, Decimal(0)) if has_tax else None
        is_item = kind == "ITEM"
        lines.append(
            Line(
                kind=CHARGE_KINDS[kind],
                amount=amount + (tax or 0),
                tax=tax,
                quantity=parsed.quantity if is_item else 1,
                order_item_id=parsed.order_item_id,
                sku=parsed.sku,
                asin=parsed.asin,
                title=parsed.title if is_item else kind.replace("_", " ").title(),
            )
        )
    discount = sum(discounts.values(), Decimal(0))
    if discount:
        tax = taxes.get("DISCOUNT", Decimal(0)) if has_tax else None
        lines.append(
            Line(
                kind="discount",
                amount=discount + (tax or 0),
                tax=tax,
                order_item_id=parsed.order_item_id,
                sku=parsed.sku,
                asin=parsed.asin,
                title=", ".join(sorted(subtype.title() for subtype in discounts)),
            )
        )
    return lines


def _parse_item(item):
    product = item.get("product") or {}
    fulfillment = item.get("fulfillment") or {}
    request = (item.get("cancellation") or {}).get("cancellationRequest") or {}
    gift = ((fulfillment.get("packing") or {}).get("giftOption")) or {}
    try:
        quantity = int(item["quantityOrdered"])
    except (KeyError, TypeError, ValueError) as exc:
        raise MappingError("no_quantity", item=item.get("orderItemId")) from exc
    if not item.get("orderItemId"):
        raise MappingError("no_item_id")
    return OrderItem(
        order_item_id=str(item["orderItemId"]),
        sku=product.get("sellerSku"),
        asin=product.get("asin"),
        title=product.get("title"),
        quantity=quantity,
        cancel_requested=bool(request),
        cancel_reason=request.get("cancelReason"),
        gift_message=gift.get("giftMessage"),
    )


def _parse_address(recipient):
    address = (recipient or {}).get("deliveryAddress")
    if not address:
        return None
    lines2 = [address.get("addressLine2"), address.get("addressLine3")]
    return Address(
        name=address.get("name"),
        company=address.get("companyName"),
        street=address.get("addressLine1"),
        street2=", ".join(part for part in lines2 if part) or None,
        city=address.get("city") or address.get("municipality"),
        state=address.get("stateOrRegion"),
        zip=address.get("postalCode"),
        country_code=address.get("countryCode"),
        phone=address.get("phone"),
    )


def _parse_buyer(buyer):
    if not buyer:
        return None
    return Buyer(
        name=buyer.get("buyerName"),
        email=buyer.get("buyerEmail"),
        company=buyer.get("buyerCompanyName"),
    )


def parse_order(payload):
    """Parse and check one order; raises :class:`MappingError` saying why it can't be."""
    order_id = payload.get("orderId")
    if not order_id:
        raise MappingError("no_order_id")
    fulfillment = payload.get("fulfillment") or {}
    sales_channel = payload.get("salesChannel") or {}
    status = fulfillment.get("fulfillmentStatus")
    if not status:
        raise MappingError("no_status", order=order_id)
    proceeds = payload.get("proceeds") or {}
    grand_total = proceeds.get("grandTotal")
    currency = grand_total.get("currencyCode") if grand_total else None
    associated = payload.get("associatedOrders") or []
    data = OrderData(
        order_id=order_id,
        marketplace_id=sales_channel.get("marketplaceId"),
        status=status,
        fulfilled_by=fulfillment.get("fulfilledBy") or "MERCHANT",
        purchase_date=parse_datetime(payload.get("createdTime")),
        last_updated=parse_datetime(payload.get("lastUpdatedTime") or payload.get("createdTime")),
        currency=currency,
        grand_total=_money(grand_total, f"Order {order_id} total") if grand_total else None,
        service_level=fulfillment.get("fulfillmentServiceLevel"),
        ship_by=_window(fulfillment.get("shipByWindow")),
        deliver_by=_window(fulfillment.get("deliverByWindow")),
        programs=frozenset(payload.get("programs") or ()),
        replaced_order_id=next(
            (
                a.get("orderId")
                for a in associated
                if a.get("associationType") == "REPLACEMENT_ORIGINAL_ID"
            ),
            None,
        ),
        buyer=_parse_buyer(payload.get("buyer")),
        recipient=_parse_address(payload.get("recipient")),
    )
    if not data.marketplace_id:
        raise MappingError("no_marketplace", order=order_id)
    for raw_item in payload.get("orderItems") or []:
        item = _parse_item(raw_item)
        data.items.append(item)
        if data.has_prices:
            data.lines.extend(_item_lines(raw_item, item, currency))
    if not data.items:
        raise MappingError("no_items", order=order_id)
    if data.has_prices:
        for entry in proceeds.get("breakdowns") or []:
            if entry.get("type") in ORDER_LEVEL_KINDS:
                data.lines.append(
                    Line(
                        kind=ORDER_LEVEL_KINDS[entry["type"]],
                        amount=_money(
                            entry.get("subtotal"), f"Order {order_id} {entry['type']}", currency
                        ),
                        tax=None,
                        title=entry["type"].replace("_", " ").title(),
                    )
                )
        lines_total = sum((line.amount for line in data.lines), Decimal(0))
        if lines_total != data.grand_total:
            raise MappingError(
                "total_mismatch",
                order=order_id,
                lines_total=str(lines_total),
                grand_total=str(data.grand_total),
                currency=currency,
            )
    return data


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


def reproducing_rate(net, tax, step):
    """The simplest percentage that gives back Amazon's ``tax`` on ``net`` both ways.

    Tried with 0 to 4 decimals; the tax is then found again whether Odoo computes it on
    the net amount or extracts it from the gross one (price-included taxes).
    """
    if not net or not tax:
        return None
    exact = tax / net * 100
    gross = net + tax
    for digits in range(5):
        rate = exact.quantize(Decimal(1).scaleb(-digits))
        if not rate:
            continue
        factor = rate / 100
        on_net = (net * factor).quantize(step, rounding=ROUND_HALF_UP)
        from_gross = gross - (gross / (1 + factor)).quantize(step, rounding=ROUND_HALF_UP)
        if on_net == tax and from_gross == tax:
            return rate
    return exact.quantize(Decimal("0.0001"))
