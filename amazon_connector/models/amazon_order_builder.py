from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from odoo import api, fields, models
from odoo.fields import Command

from ..services.order_mapper import (
    Line,
    MappingError,
    OrderData,
    quantum,
    split_units,
)
from ..services.tax_rates import (
    TAX_EXCLUSIVE_COUNTRIES,
    is_statutory,
    matching_rate,
    statutory_rates,
    tax_country,
)

# A new order's creation, confirmation and deliveries leave no chatter message, tracking,
# follower or assignment e-mail each (an import creates thousands of orders; the sync log says
# what happened). Later changes are tracked as usual.
QUIET_CREATION = {"tracking_disable": True, "mail_create_nolog": True}

# Key space of the transaction-level advisory locks that keep two applications of one order
# apart ("AMZO"; the runs' channel locks use other keys).
ORDER_LOCK_NAMESPACE = 0x414D5A4F


@dataclass
class OrderBuild:
    """One Amazon order on its way into Odoo: the channel, the mapped order, and what the
    channel's configuration says about it, looked up once."""

    channel: Any
    data: OrderData
    marketplace: Any
    action: str  # what the status mapping says: skip, draft, confirm, done, cancel
    # What the sync log should tell about this order: (counter or None, message).
    notes: list
    # New orders to confirm together with the page's others, see _confirm (None: at once).
    confirmations: list | None = None


@dataclass
class TaxPlace:
    """Where an order's tax belongs and how its prices are given, decided once per order."""

    country: Any  # res.country whose tax applies
    region: str | None  # the ship-to region (Canada's provinces have their own rates)
    included: bool  # prices include tax (consumer prices in VAT marketplaces)
    exempt: Any  # the fiscal position's 0 % tax of an exempt business sale, else no tax


class AmazonOrderBuilder(models.AbstractModel):
    """The one place that turns an Amazon order into a sale order, or brings one up to date.

    Given the channel and the mapped order (``services/order_mapper.OrderData``), it decides
    whether the order is wanted, creates it with its customer, warehouse, pricelist, carrier and
    lines (Amazon's amounts and taxes to the cent), takes it as far as the status mapping says,
    and applies later versions of the same order.
    """

    _name = "amazon.order.builder"
    _description = "Amazon Order Builder"

    @api.model
    def _apply(self, channel, data, notes=None, confirmations=None):
        """Create or update the sale order of ``data``; returns the outcome to count: new,
        updated, cancelled or skipped. Warnings for the sync log are added to ``notes``.
        Given a list ``confirmations``, a new order to confirm is added to it as
        ``(order, build)`` instead of being confirmed: the caller confirms them together
        (:meth:`_confirm`).

        Several processes may apply the same order at once (the polling import, notification
        consumers on other workers): the first holds the order's lock until its transaction
        ends, and the others then find its sale order and apply only what is newer."""
        self.env.cr.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
            (ORDER_LOCK_NAMESPACE, f"{channel.id}:{data.order_id}"),
        )
        existing = self.env["sale.order"].search(
            [("amazon_channel_id", "=", channel.id), ("amazon_order_ref", "=", data.order_id)],
            limit=1,
        )
        build = OrderBuild(
            channel,
            data,
            self._marketplace(data),
            channel._status_action(data.status, data.fulfilled_by),
            notes if notes is not None else [],
            confirmations,
        )
        if existing:
            return self._update(existing, build)
        if data.fulfilled_by == "AMAZON" and not channel.import_fba:
            return "skipped"
        if build.action in ("skip", "cancel") or not self._wanted(build):
            return "skipped"
        self.with_context(**QUIET_CREATION)._create(build)
        return "new"

    @api.model
    def _wanted(self, build):
        channel, data = build.channel, build.data
        if channel.ignore_orders_before and data.purchase_date < channel.ignore_orders_before:
            return False
        oldest = fields.Datetime.now() - timedelta(days=channel.max_order_age_days or 30)
        return data.purchase_date >= oldest

    # -- a new order ----------------------------------------------------------------------------

    @api.model
    def _create(self, build):
        """Create the sale order for a new Amazon order and take it as far as the mapping says."""
        channel, data, marketplace = build.channel, build.data, build.marketplace
        Partner = self.env["res.partner"]
        buyer = Partner._amazon_buyer(channel, data)
        delivery = Partner._amazon_delivery(channel, data, buyer)
        currency = self._currency(data, marketplace)
        invoice_partner = delivery if buyer.amazon_placeholder else buyer
        fiscal_position = (
            self.env["account.fiscal.position"]
            .with_company(channel.company_id)
            ._get_fiscal_position(invoice_partner, delivery)
        )
        fba = data.fulfilled_by == "AMAZON"
        carrier = self.env["amazon.shipping.mapping"]._carrier_for(
            channel, data.service_level, marketplace
        )
        order = (
            self.env["sale.order"]
            .with_company(channel.company_id)
            .create(
                {
                    "partner_id": buyer.id,
                    # The placeholder has no address: the order's own delivery address says
                    # at least which country the sale went to.
                    "partner_invoice_id": invoice_partner.id,
                    "partner_shipping_id": delivery.id,
                    "company_id": channel.company_id.id,
                    "warehouse_id": (
                        self._fba_warehouse(channel) if fba else channel.warehouse_id
                    ).id,
                    "pricelist_id": self._pricelist(channel, currency).id,
                    # Odoo's own choice for this customer and address (One-Stop-Shop
                    # positions map the seller's taxes to the ship-to country's).
                    "fiscal_position_id": fiscal_position.id,
                    "team_id": channel.team_id.id,
                    "user_id": channel.user_id.id,
                    "date_order": data.purchase_date,
                    "client_order_ref": (data.buyer and data.buyer.purchase_order_number)
                    or data.order_id,
                    "amazon_buyer_vat": data.buyer and data.buyer.vat,
                    "origin": self.env._("Amazon %(marketplace)s", marketplace=marketplace.name),
                    "carrier_id": carrier.id,
                    "amazon_channel_id": channel.id,
                    "amazon_order_ref": data.order_id,
                    "amazon_marketplace_id": marketplace.id,
                    "amazon_fulfilled_by": data.fulfilled_by,
                    "amazon_purchase_date": data.purchase_date,
                    "amazon_is_prime": data.is_prime,
                    "amazon_is_business": data.is_business,
                    "amazon_is_premium": data.is_premium,
                    "amazon_replaced_order_ref": data.replaced_order_id,
                    "amazon_ship_service_level": data.service_level,
                    **self._tracked_values(data),
                }
            )
        )
        unmatched = self._set_lines(order, build)
        self._record_shipped_elsewhere(order, data)
        if unmatched:
            message = self.env._(
                "No product matches SKU(s) %(skus)s: the lines use a placeholder product. "
                "Link the SKU to a product in the channel's listings and fix the lines.",
                skus=", ".join(unmatched),
            )
            order._amazon_flag(self.env._("Products to check"), message)
            build.notes.append(("unmatched", message))
        if build.confirmations is None:
            self._apply_action(order, build)
        elif build.action in ("confirm", "done"):
            build.confirmations.append((order, build))
        return order

    @api.model
    def _tracked_values(self, data):
        """The order facts that change on Amazon over time (a cancelled order comes without
        amounts: the total Amazon last gave stays)."""
        values = {
            "amazon_status": data.status,
            "amazon_last_update": data.last_updated,
            "amazon_earliest_ship_date": data.ship_by[0],
            "amazon_latest_ship_date": data.ship_by[1],
            "amazon_earliest_delivery_date": data.deliver_by[0],
            "amazon_latest_delivery_date": data.deliver_by[1],
            "amazon_gift_message": "\n".join(data.gift_messages) or False,
            "amazon_buyer_cancel_requested": data.cancel_requested,
            "amazon_buyer_cancel_reason": data.cancel_reason or False,
            "amazon_cancelled_by": data.cancelled_by or False,
            "amazon_cancelled_reason": data.cancellation_reason or False,
        }
        if data.has_prices:
            values["amazon_total"] = float(data.grand_total)
            values["amazon_tax_total"] = float(data.tax_total or 0)
            values["amazon_tax_collected_by"] = data.tax_collected_by or False
        return values

    @api.model
    def _record_shipped_elsewhere(self, order, data):
        """Units Amazon shipped without Odoo (Seller Central) are never shipped again."""
        if order.amazon_fulfilled_by != "MERCHANT":
            return
        order._amazon_record_shipped_elsewhere(
            {
                item.order_item_id: item.quantity
                if data.status == "SHIPPED"
                else item.quantity_shipped
                for item in data.items
            }
        )

    @api.model
    def _set_lines(self, order, build):
        """(Re)build the order's lines from Amazon's charges; returns the SKUs without a product.

        Every line carries the company's tax for it (see :meth:`_item_taxes`); all lines of the
        order are priced the same way, tax included or excluded, as Amazon gave them. Should
        Odoo's total still differ from what the buyer paid, the difference is booked on a line
        of its own (never more than a cent or so per line: anything else refuses the order).
        """
        data = build.data
        step = quantum(order.currency_id.name)
        Tax = self.env["account.tax"]
        commands = [Command.unlink(line.id) for line in order.order_line]
        unmatched = []
        if not data.has_prices:  # a pending order: its items, not priced yet
            for item in data.items:
                product = self._item_product(build, item.sku, item.asin, unmatched)
                line = Line(
                    kind="item",
                    amount=Decimal(0),
                    charge="ITEM",
                    quantity=item.quantity,
                    order_item_id=item.order_item_id,
                    sku=item.sku,
                    asin=item.asin,
                    title=item.title,
                )
                commands += self._line_commands(order, line, product, Tax, step)
            order.write({"order_line": commands})
            return unmatched
        place = self._tax_place(order, build)
        for item in data.items:
            product = self._item_product(build, item.sku, item.asin, unmatched)
            commands += self._item_commands(order, build, place, item, product, step)
        for line in data.lines:
            if line.order_item_id is None:  # an order-level charge (delivery tip): untaxed
                product = self.env.ref(f"amazon_connector.product_amazon_{line.kind}")
                commands += self._line_commands(order, line, product, Tax, step)
        order.write({"order_line": commands, "amazon_amount_difference": 0.0})
        self._book_difference(order, build, step)
        return unmatched

    @api.model
    def _item_commands(self, order, build, place, item, product, step):
        """The lines of one order item: a line per charge, each with the item's taxes, and the
        line carrying a tax amount as Amazon gave it where there is one."""
        Tax = self.env["account.tax"]
        lines = [line for line in build.data.lines if line.order_item_id == item.order_item_id]
        taxes, untaxed, tax_line = self._item_taxes(order, build, place, item, lines, product, step)
        commands = []
        for line in lines:
            line_taxes = Tax if line.charge in untaxed else taxes
            amount = line.amount
            if line_taxes and not place.included and item.tax is None:
                # A gross amount in an order priced net (it mixes items Amazon taxed with
                # ones it did not): the net at the statutory rate.
                amount = (amount / (1 + Decimal(str(line_taxes.amount)) / 100)).quantize(
                    step, rounding=ROUND_HALF_UP
                )
            commands += self._line_commands(
                order,
                replace(line, amount=amount),
                self._charge_product(order, line, product),
                line_taxes,
                step,
            )
        if tax_line:
            kind, tax = tax_line
            line = Line(
                kind=kind,
                amount=item.tax_total,
                charge="TAX",
                order_item_id=item.order_item_id,
                sku=item.sku,
                asin=item.asin,
                title=item.sku or item.title,
            )
            product = self.env.ref("amazon_connector.product_amazon_sales_tax")
            commands += self._line_commands(order, line, product, tax, step)
        return commands

    @api.model
    def _item_product(self, build, sku, asin, unmatched):
        product = self.env["amazon.listing"]._amazon_match(
            build.channel, sku, asin, build.marketplace
        )
        if not product:
            unmatched.append(sku or asin or "?")
            product = self.env.ref("amazon_connector.product_amazon_unmatched")
        return product

    @api.model
    def _charge_product(self, order, line, item_product):
        if line.kind == "item":
            return item_product
        if line.kind == "shipping":
            return order.carrier_id.product_id or self.env.ref(
                "amazon_connector.product_amazon_shipping"
            )
        return self.env.ref(f"amazon_connector.product_amazon_{line.kind}")

    @api.model
    def _line_commands(self, order, line, product, taxes, step):
        """Create commands for one charge: one line per unit price, to the cent."""
        return [
            Command.create(
                {
                    "product_id": product.id,
                    "name": self._line_name(line, product),
                    "product_uom_qty": quantity,
                    "price_unit": float(unit_price),
                    "discount": 0.0,
                    "tax_id": [Command.set(taxes.ids)],
                    "is_delivery": line.kind == "shipping",
                    "amazon_order_item_id": line.order_item_id,
                    "amazon_sku": line.sku,
                    "amazon_asin": line.asin,
                    "amazon_line_kind": line.kind,
                }
            )
            for quantity, unit_price in split_units(line.amount, line.quantity, step)
        ]

    @api.model
    def _book_difference(self, order, build, step):
        """Amazon's cents win: a remaining difference goes on a line of its own."""
        data = build.data
        currency = order.currency_id
        difference = data.grand_total - Decimal(str(order.amount_total)).quantize(step)
        if not difference:
            return
        if abs(difference) > step * max(len(order.order_line), 1):
            raise MappingError(
                "odoo_total_mismatch",
                order=data.order_id,
                odoo=order.amount_total,
                amazon=str(data.grand_total),
                currency=currency.name,
            )
        line = Line(kind="difference", amount=difference, charge="DIFFERENCE", title=data.order_id)
        product = self.env.ref("amazon_connector.product_amazon_difference")
        order.write(
            {
                "order_line": self._line_commands(
                    order, line, product, self.env["account.tax"], step
                ),
                "amazon_amount_difference": float(difference),
            }
        )
        build.notes.append(
            (
                "difference",
                self.env._(
                    "Odoo's taxes give %(odoo)s %(currency)s where the buyer paid %(amazon)s: "
                    "the difference of %(difference)s is booked on its own line of the order. "
                    "Check the company's tax rounding (per line) and the taxes of the order.",
                    odoo=currency.round(order.amount_total - float(difference)),
                    amazon=data.grand_total,
                    difference=difference,
                    currency=currency.name,
                ),
            ),
        )

    @api.model
    def _line_name(self, line, product):
        if line.kind == "item":
            return f"[{line.sku}] {line.title}" if line.sku else (line.title or product.name)
        label = dict(self.env["sale.order.line"]._fields["amazon_line_kind"].selection)
        return f"{label.get(line.kind, product.name)}: {line.title}" if line.title else product.name

    @api.model
    def _apply_action(self, order, build):
        """Take a draft order as far as the status mapping says: confirm, or deliver."""
        if build.action in ("confirm", "done") and order.state == "draft":
            self._confirm([(order, build)])

    @api.model
    def _confirm(self, entries):
        """Confirm the draft orders of ``entries`` [(order, build)] and deliver those the
        mapping says are done, in one go: Odoo's stock rules, moves and validations then run
        once for a whole page of orders instead of once per order."""
        orders = self.env["sale.order"].browse([order.id for order, _build in entries])
        orders.action_confirm()
        for order, build in entries:
            # Confirming stamps today's date; an Amazon order keeps the moment it was bought.
            order.date_order = build.data.purchase_date
            latest_ship = build.data.ship_by[1]
            pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
            values = (
                {"scheduled_date": latest_ship, "date_deadline": latest_ship} if latest_ship else {}
            )
            if build.channel.prime_priority and (build.data.is_prime or build.data.is_premium):
                values["priority"] = "1"  # the warehouse picks it first
            if values:
                pickings.write(values)
        done = [order.id for order, build in entries if build.action == "done"]
        if done:
            orders.browse(done)._amazon_deliver_all()

    # -- a later version of an imported order ---------------------------------------------------

    @api.model
    def _update(self, order, build):
        """Apply a newer version of an imported order; older or equal versions change nothing."""
        data, action = build.data, build.action
        if order.amazon_last_update and data.last_updated <= order.amazon_last_update:
            return "skipped"
        was_requested = order.amazon_buyer_cancel_requested
        result = "updated"
        if action == "cancel" and order.state != "cancel":
            # An invoiced order is credited on the day Amazon cancelled it.
            order._amazon_credit_invoices(order._amazon_local_date(data.last_updated))
            if order._amazon_goods_left():
                order._amazon_flag(
                    self.env._("Cancelled on Amazon after shipping"),
                    self.env._(
                        "Amazon reports order %(order)s as cancelled, but goods have already "
                        "left the warehouse. Check the return or refund with the buyer; the order "
                        "and its deliveries were not changed (an invoice, if any, was credited).",
                        order=data.order_id,
                    ),
                )
            else:
                order._action_cancel()
                result = "cancelled"
        elif order.state == "draft" and action in ("confirm", "done"):
            if data.has_prices:
                self._set_lines(order, build)
            self._update_delivery_address(order, build)
            self._record_shipped_elsewhere(order, data)
            self._apply_action(order, build)
        elif action == "done" and order.amazon_fulfilled_by == "AMAZON" and order.state == "sale":
            order._amazon_deliver_all()
        if order.state == "sale":
            self._update_delivery_address(order, build)
            self._record_shipped_elsewhere(order, data)
        if data.status == "SHIPPED" and order.amazon_fulfilled_by == "MERCHANT":
            order.picking_ids._amazon_close_shipped_elsewhere()
        if data.status == "CANCELLED" and order.amazon_sync_state in ("waiting", "rejected"):
            # Amazon has the order cancelled: whatever the report said, the goal is reached.
            order._amazon_cancellation_accepted()
        values = self._tracked_values(data)
        if order.amazon_pii_redacted:
            del values["amazon_gift_message"]  # redacted: Amazon's copy never comes back
        order.write(values)
        if data.cancel_requested and not was_requested and order.state != "cancel":
            order._amazon_flag(
                self.env._("Buyer asked to cancel"),
                self.env._(
                    "The buyer asked Amazon to cancel this order (%(reason)s). Do not ship it; "
                    "cancel it in Odoo to tell Amazon.",
                    reason=data.cancel_reason or "-",
                ),
            )
        return result

    @api.model
    def _update_delivery_address(self, order, build):
        """Follow Amazon's delivery address (given once the order is paid, changeable by the
        buyer until it ships) on the order and on the deliveries not yet done; never once the
        order's personal data was redacted."""
        if order._amazon_goods_left() or order.amazon_pii_redacted:
            return
        delivery = self.env["res.partner"]._amazon_delivery(
            build.channel, build.data, order.partner_id
        )
        if delivery != order.partner_shipping_id:
            order.partner_shipping_id = delivery
            order.picking_ids.filtered(
                lambda p: p.state not in ("done", "cancel") and p.picking_type_code == "outgoing"
            ).partner_id = delivery

    # -- what the order is booked in ------------------------------------------------------------

    @api.model
    def _marketplace(self, data):
        marketplace = (
            self.env["amazon.marketplace"]
            .with_context(active_test=False)
            .search([("amazon_id", "=", data.marketplace_id)], limit=1)
        )
        if not marketplace:
            raise MappingError(
                "unknown_marketplace", order=data.order_id, marketplace=data.marketplace_id
            )
        return marketplace

    @api.model
    def _currency(self, data, marketplace):
        currency = marketplace.currency_id
        if data.currency and data.currency != currency.name:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", data.currency)], limit=1)
            )
            if not currency:
                raise MappingError("unknown_currency", order=data.order_id, currency=data.currency)
        if not currency.active:
            currency.sudo().active = True
        return currency

    @api.model
    def _pricelist(self, channel, currency):
        """A pricelist in the order's currency (Odoo takes the order currency from it)."""
        Pricelist = self.env["product.pricelist"]
        pricelist = Pricelist.search(
            [
                ("currency_id", "=", currency.id),
                ("company_id", "in", [channel.company_id.id, False]),
            ],
            limit=1,
        )
        return pricelist or Pricelist.sudo().create(
            {
                "name": self.env._("Amazon %(currency)s", currency=currency.name),
                "currency_id": currency.id,
                "company_id": channel.company_id.id,
            }
        )

    # -- taxes ----------------------------------------------------------------------------------

    @api.model
    def _tax_place(self, order, build):
        data, marketplace = build.data, build.marketplace
        recipient = data.recipient
        ship_to = (recipient and recipient.country_code) or marketplace.country_id.code
        code = tax_country(
            order.company_id.account_fiscal_country_id.code, ship_to, marketplace.country_id.code
        )
        country = self.env["res.country"].search([("code", "=", code)], limit=1)
        # A business buyer Amazon charged no tax, whom the order's fiscal position exempts
        # (an intra-Community supply to a VAT number, an export): the position's 0 % tax.
        exempt = self.env["account.tax"]
        if data.is_business and not data.tax_total:
            exempt = order.fiscal_position_id.map_tax(
                order.company_id.account_sale_tax_id
            ).filtered(lambda tax: tax.amount_type == "percent" and not tax.amount)[:1]
        included = (
            not exempt
            and data.tax_total is None
            and marketplace.country_id.code not in TAX_EXCLUSIVE_COUNTRIES
        )
        return TaxPlace(
            country or marketplace.country_id, recipient and recipient.state, included, exempt
        )

    @api.model
    def _item_taxes(self, order, build, place, item, lines, product, step):
        """(taxes of the item's lines, charges Amazon left untaxed, (kind, tax) of a line that
        carries Amazon's tax amount itself, or None) for one order item.

        The seller's tax is the company's tax for the product (:meth:`_expected_tax`); where
        Amazon reports the tax it charged, the rate must reproduce it on every charge: if the
        expected rate does not, the statutory rate of the country that does is taken.

        Tax that Amazon collects as marketplace facilitator goes on a line of its own, on a
        clearing account with no report tags (or, when Amazon gave no amount, VAT at the
        statutory rate on that clearing account).
        """
        Tax = self.env["account.tax"]
        company, country = order.company_id, place.country
        charges = self._taxed_charges(item, lines)
        untaxed = {line.charge for line in lines} - {charge for charge, _bases, _tax in charges}
        if item.tax_collected_by:
            if item.tax is not None:
                tax = Tax._amazon_amount_tax(company, country, collected_by_amazon=True)
                return Tax, untaxed, ("collected_tax", tax) if item.tax_total else None
            if not place.included:
                return Tax, untaxed, None
            _expected, rate = self._expected_tax(order, build, item, product, country)
            return Tax._amazon_collected_tax(company, country, rate), set(), None
        if place.exempt:
            return place.exempt, set(), None
        if item.tax is None:
            if build.channel.included_vat == "none" or (
                not place.included and country.code in TAX_EXCLUSIVE_COUNTRIES
            ):
                return Tax, set(), None
            expected, rate = self._expected_tax(order, build, item, product, country)
            if rate is None:
                return Tax, set(), None
            return self._seller_tax(order, country, rate, place.included, expected), set(), None
        if not item.tax_total:
            return Tax, untaxed, None
        expected, rate = self._expected_tax(order, build, item, product, country, place.region)
        candidates = [rate] if rate is not None else []
        candidates += statutory_rates(country.code, place.region)
        matching = matching_rate(candidates, [(bases, tax) for _c, bases, tax in charges], step)
        if matching is None and rate is None:
            # No statutory rate of this country gives Amazon's amount (e.g. US sales tax,
            # which depends on the city): the seller's tax at Amazon's very amount.
            tax = Tax._amazon_amount_tax(company, country, collected_by_amazon=False)
            return Tax, untaxed, ("sales_tax", tax)
        rate = rate if matching is None else matching
        return self._seller_tax(order, country, rate, False, expected), untaxed, None

    @api.model
    def _taxed_charges(self, item, lines):
        """(charge, bases, Amazon's tax) for each charge of the item that Amazon taxed; both
        discounts of an item share Amazon's one DISCOUNT tax."""
        taxes = item.tax or {}
        charges = []
        for charge in dict.fromkeys(line.charge for line in lines):
            bases = [line.amount for line in lines if line.charge == charge]
            tax = taxes.get(charge, Decimal(0))
            if item.tax is None or tax or not any(bases):
                charges.append((charge, bases, tax))
        return charges

    @api.model
    def _expected_tax(self, order, build, item, product, country, region=None):
        """(tax, rate): what the company's own configuration gives the item in ``country``.

        The listing's or product's tax (else the company's default), mapped by the order's
        fiscal position, when it is a statutory rate of ``country`` and belongs to it (a tax of
        that country, or the One-Stop-Shop tax that the position for that country maps to);
        otherwise no tax and the country's usual statutory rate (None for a country without
        one, like the United States).
        """
        taxes = (
            self.env["amazon.listing"]._amazon_tax(build.channel, item.sku)
            or product.taxes_id.filtered(lambda t: t.company_id == order.company_id)
            or order.company_id.account_sale_tax_id
        )
        mapped = order.fiscal_position_id.map_tax(taxes).filtered(
            lambda t: t.amount_type == "percent"
        )[:1]
        if (
            mapped
            and country in (mapped.country_id, order.fiscal_position_id.country_id)
            and is_statutory(country.code, mapped.amount)
        ):
            return mapped, Decimal(str(mapped.amount))
        rates = statutory_rates(country.code, region)
        return self.env["account.tax"], rates[0] if rates else None

    @api.model
    def _seller_tax(self, order, country, rate, included, expected):
        """The company's tax at ``rate``: the expected one if it has that rate, else one the
        fiscal position maps to in that country, else any of the country's."""
        Tax = self.env["account.tax"]
        position = order.fiscal_position_id
        preferred = expected.filtered(lambda t: t.amount == float(rate))
        if not preferred and position.country_id == country:
            preferred = position.tax_ids.tax_dest_id.filtered(
                lambda t: t.amount_type == "percent" and t.amount == float(rate)
            )[:1]
        if preferred:
            return Tax._amazon_in_mode(preferred, included, country)
        return Tax._amazon_seller_tax(order.company_id, country, rate, included)

    @api.model
    def _fba_warehouse(self, channel):
        """Amazon's fulfilment centres as a warehouse apart from the seller's own stock."""
        if not channel.fba_warehouse_id:
            Warehouse = self.env["stock.warehouse"].sudo()
            warehouse = Warehouse.search(
                [("code", "=", "FBA"), ("company_id", "=", channel.company_id.id)], limit=1
            ) or Warehouse.create(
                {
                    "name": self.env._("Amazon FBA"),
                    "code": "FBA",
                    "company_id": channel.company_id.id,
                }
            )
            channel.fba_warehouse_id = warehouse
        return channel.fba_warehouse_id
