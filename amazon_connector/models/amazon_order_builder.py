from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from odoo import api, fields, models
from odoo.fields import Command

from ..services.order_mapper import (
    Line,
    MappingError,
    OrderData,
    quantum,
    reproducing_rate,
    split_units,
)
from ..services.tax_rates import standard_vat_rate


@dataclass
class OrderBuild:
    """One Amazon order on its way into Odoo: the channel, the mapped order, and what the
    channel's configuration says about it, looked up once."""

    channel: Any
    data: OrderData
    marketplace: Any
    action: str  # what the status mapping says: skip, draft, confirm, done, cancel


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
    def _apply(self, channel, data):
        """Create or update the sale order of ``data``; returns the outcome to count: new,
        updated, cancelled or skipped."""
        existing = self.env["sale.order"].search(
            [("amazon_channel_id", "=", channel.id), ("amazon_order_ref", "=", data.order_id)],
            limit=1,
        )
        build = OrderBuild(
            channel,
            data,
            self._marketplace(data),
            channel._status_action(data.status, data.fulfilled_by),
        )
        if existing:
            return self._update(existing, build)
        if data.fulfilled_by == "AMAZON" and not channel.import_fba:
            return "skipped"
        if build.action in ("skip", "cancel") or not self._wanted(build):
            return "skipped"
        self._create(build)
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
                    "partner_invoice_id": (delivery if buyer.amazon_placeholder else buyer).id,
                    "partner_shipping_id": delivery.id,
                    "company_id": channel.company_id.id,
                    "warehouse_id": (
                        self._fba_warehouse(channel) if fba else channel.warehouse_id
                    ).id,
                    "pricelist_id": self._pricelist(channel, currency).id,
                    "fiscal_position_id": False,
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
            order._amazon_flag(
                self.env._("Products to check"),
                self.env._(
                    "No product matches SKU(s) %(skus)s: the lines use a placeholder product. "
                    "Link the SKU to a product in the channel's listings and fix the lines.",
                    skus=", ".join(unmatched),
                ),
            )
        self._apply_action(order, build)
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
        """(Re)build the order's lines from Amazon's charges; returns the SKUs without a product."""
        channel, data = build.channel, build.data
        step = quantum(order.currency_id.name)
        lines = (
            data.lines
            if data.has_prices
            else [
                Line(
                    kind="item",
                    amount=Decimal(0),
                    tax=None,
                    quantity=item.quantity,
                    order_item_id=item.order_item_id,
                    sku=item.sku,
                    asin=item.asin,
                    title=item.title,
                )
                for item in data.items
            ]
        )
        Listing = self.env["amazon.listing"]
        unmatched = []
        commands = [Command.unlink(line.id) for line in order.order_line]
        for line in lines:
            if line.kind == "item":
                product = Listing._amazon_match(channel, line.sku, line.asin)
                if not product:
                    unmatched.append(line.sku or line.asin or "?")
                    product = self.env.ref("amazon_connector.product_amazon_unmatched")
            elif line.kind == "shipping":
                product = order.carrier_id.product_id or self.env.ref(
                    "amazon_connector.product_amazon_shipping"
                )
            else:
                product = self.env.ref(f"amazon_connector.product_amazon_{line.kind}")
            taxes, net_pricing = self._taxes(build, line, step)
            amount = line.amount - line.tax if net_pricing else line.amount
            for quantity, unit_price in split_units(amount, line.quantity, step):
                commands.append(
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
                )
        order.write({"order_line": commands})
        if data.has_prices and order.currency_id.compare_amounts(
            order.amount_total, float(data.grand_total)
        ):
            raise MappingError(
                "odoo_total_mismatch",
                order=data.order_id,
                odoo=order.amount_total,
                amazon=str(data.grand_total),
                currency=order.currency_id.name,
            )
        return unmatched

    @api.model
    def _line_name(self, line, product):
        if line.kind == "item":
            return f"[{line.sku}] {line.title}" if line.sku else (line.title or product.name)
        label = dict(self.env["sale.order.line"]._fields["amazon_line_kind"].selection)
        return f"{label.get(line.kind, product.name)}: {line.title}" if line.title else product.name

    @api.model
    def _apply_action(self, order, build):
        """Take a draft order as far as the status mapping says: confirm, or deliver."""
        if build.action not in ("confirm", "done") or order.state != "draft":
            return
        order.action_confirm()
        # Confirming stamps today's date; an Amazon order keeps the moment it was bought.
        order.date_order = build.data.purchase_date
        latest_ship = build.data.ship_by[1]
        pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        if latest_ship:
            pickings.write({"scheduled_date": latest_ship, "date_deadline": latest_ship})
        if build.action == "done":
            order._amazon_deliver_all()

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
            if order._amazon_goods_left():
                order._amazon_flag(
                    self.env._("Cancelled on Amazon after shipping"),
                    self.env._(
                        "Amazon reports order %(order)s as cancelled, but goods have already "
                        "left the warehouse. Check the return or refund with the buyer; the order "
                        "was not changed.",
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
        order.write(self._tracked_values(data))
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
        buyer until it ships) on the order and on the deliveries not yet done."""
        if order._amazon_goods_left():
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

    @api.model
    def _taxes(self, build, line, step):
        """(taxes, net pricing) that make Odoo find Amazon's amounts to the cent.

        A line Amazon taxed on a net price whose units divide evenly is priced net with a
        tax excluded from the price: Odoo then computes Amazon's very tax amount. Any other
        line is priced at what the buyer paid with the tax included, so the total is exact
        (a split line's tax may then differ from Amazon's by a cent; see docs/sync-model.md).
        """
        channel = build.channel
        Tax = self.env["account.tax"]
        if line.tax is not None:
            net = line.amount - line.tax
            rate = reproducing_rate(net, line.tax, step)
            net_pricing = len(split_units(net, line.quantity, step)) == 1
        else:
            rate = standard_vat_rate(build.marketplace.country_id.code)
            rate = rate if channel.included_vat == "standard" else None
            net_pricing = False
        if not rate:
            return Tax, False
        return Tax._amazon_tax(channel.company_id, rate, included=not net_pricing), net_pricing

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
