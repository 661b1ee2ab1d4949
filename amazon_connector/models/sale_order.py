from decimal import Decimal

from odoo import api, fields, models
from odoo.fields import Command

from ..services.order_feed import CANCEL_REASONS
from ..services.order_mapper import Line, MappingError, quantum, split_units
from .amazon_status_mapping import FULFILLED_BY, FULFILLMENT_STATUSES


class SaleOrder(models.Model):
    """Amazon's identity and facts on the sale order it became.

    ``amazon_order_ref`` is unique per channel at database level: the import can be
    interrupted and replayed without ever creating an order twice.
    """

    _inherit = "sale.order"

    amazon_channel_id = fields.Many2one("amazon.channel", readonly=True, index=True, copy=False)
    amazon_order_ref = fields.Char(string="Amazon Order ID", readonly=True, index=True, copy=False)
    amazon_marketplace_id = fields.Many2one(
        "amazon.marketplace", string="Marketplace", readonly=True, copy=False
    )
    amazon_fulfilled_by = fields.Selection(
        FULFILLED_BY, string="Fulfilled By", readonly=True, copy=False
    )
    amazon_status = fields.Selection(FULFILLMENT_STATUSES, readonly=True, copy=False, tracking=True)
    amazon_purchase_date = fields.Datetime(string="Purchased On", readonly=True, copy=False)
    amazon_last_update = fields.Datetime(
        readonly=True,
        copy=False,
        help="lastUpdatedTime of the version of the order last applied here.",
    )
    amazon_earliest_ship_date = fields.Datetime(string="Ship From", readonly=True, copy=False)
    amazon_latest_ship_date = fields.Datetime(string="Ship By", readonly=True, copy=False)
    amazon_earliest_delivery_date = fields.Datetime(
        string="Deliver From", readonly=True, copy=False
    )
    amazon_latest_delivery_date = fields.Datetime(string="Deliver By", readonly=True, copy=False)
    amazon_is_prime = fields.Boolean(string="Prime", readonly=True, copy=False)
    amazon_is_business = fields.Boolean(string="Business Order", readonly=True, copy=False)
    amazon_is_premium = fields.Boolean(string="Premium Shipping", readonly=True, copy=False)
    amazon_replaced_order_ref = fields.Char(
        string="Replacement Of",
        readonly=True,
        copy=False,
        help="The Amazon order this one replaces.",
    )
    amazon_ship_service_level = fields.Char(string="Shipping Service", readonly=True, copy=False)
    amazon_ship_service_category = fields.Char(
        string="Shipping Category", readonly=True, copy=False
    )
    amazon_gift_message = fields.Text(string="Gift Messages", readonly=True, copy=False)
    amazon_buyer_cancel_requested = fields.Boolean(
        string="Buyer Asked to Cancel",
        readonly=True,
        copy=False,
        help="The buyer asked Amazon to cancel this order: do not ship it before checking.",
    )
    amazon_buyer_cancel_reason = fields.Char(readonly=True, copy=False)
    amazon_cancel_state = fields.Selection(
        [
            ("to_send", "To send"),
            ("sent", "Sent, waiting for Amazon"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
        ],
        string="Cancellation on Amazon",
        readonly=True,
        copy=False,
        tracking=True,
    )
    amazon_cancel_reason = fields.Selection(
        CANCEL_REASONS, string="Cancellation Reason", readonly=True, copy=False
    )
    amazon_cancel_message = fields.Text(
        string="Amazon's Answer to the Cancellation", readonly=True, copy=False
    )
    amazon_cancel_feed_id = fields.Many2one("amazon.feed", readonly=True, copy=False, index=True)
    amazon_cancel_message_ref = fields.Integer(
        readonly=True, copy=False, help="Technical: MessageID of the order in its feed."
    )
    amazon_total = fields.Monetary(
        readonly=True,
        copy=False,
        help="The order total Amazon reported (grand total).",
    )

    _sql_constraints = [
        (
            "amazon_order_ref_uniq",
            "unique(amazon_channel_id, amazon_order_ref)",
            "This Amazon order has already been imported for this channel.",
        ),
    ]

    # -- import from Amazon ---------------------------------------------------------------------

    @api.model
    def _amazon_create(self, channel, data, action):
        """Create the sale order for a new Amazon order and take it as far as ``action`` says."""
        marketplace = channel._amazon_marketplace(data)
        buyer = self.env["res.partner"]._amazon_buyer(channel, data)
        delivery = self.env["res.partner"]._amazon_delivery(buyer, data)
        currency = channel._amazon_currency(data, marketplace)
        fba = data.fulfilled_by == "AMAZON"
        carrier = channel._amazon_carrier(data.service_level, marketplace)
        order = self.with_company(channel.company_id).create(
            {
                "partner_id": buyer.id,
                "partner_invoice_id": buyer.id,
                "partner_shipping_id": delivery.id,
                "company_id": channel.company_id.id,
                "warehouse_id": (channel._fba_warehouse() if fba else channel.warehouse_id).id,
                "pricelist_id": channel._amazon_pricelist(currency).id,
                "fiscal_position_id": False,
                "team_id": channel.team_id.id,
                "user_id": channel.user_id.id,
                "date_order": data.purchase_date,
                "client_order_ref": data.order_id,
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
                **self._amazon_tracked_values(data),
            }
        )
        unmatched = order._amazon_set_lines(channel, marketplace, data)
        if unmatched:
            order._amazon_flag(
                self.env._("Products to check"),
                self.env._(
                    "No product matches SKU(s) %(skus)s: the lines use a placeholder product. "
                    "Link the SKU to a product in the channel's listings and fix the lines.",
                    skus=", ".join(unmatched),
                ),
            )
        order._amazon_apply_action(action, data)
        return order

    @api.model
    def _amazon_tracked_values(self, data):
        """The order facts that change on Amazon over time."""
        return {
            "amazon_status": data.status,
            "amazon_last_update": data.last_updated,
            "amazon_total": float(data.grand_total) if data.has_prices else 0.0,
            "amazon_earliest_ship_date": data.ship_by[0],
            "amazon_latest_ship_date": data.ship_by[1],
            "amazon_earliest_delivery_date": data.deliver_by[0],
            "amazon_latest_delivery_date": data.deliver_by[1],
            "amazon_gift_message": "\n".join(data.gift_messages) or False,
            "amazon_buyer_cancel_requested": data.cancel_requested,
            "amazon_buyer_cancel_reason": data.cancel_reason or False,
        }

    def _amazon_set_lines(self, channel, marketplace, data):
        """(Re)build the lines from Amazon's charges; returns the SKUs without a product."""
        self.ensure_one()
        step = quantum(self.currency_id.name)
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
        commands = [Command.unlink(line.id) for line in self.order_line]
        for line in lines:
            if line.kind == "item":
                product = Listing._amazon_match(channel, line.sku, line.asin)
                if not product:
                    unmatched.append(line.sku or line.asin or "?")
                    product = self.env.ref("amazon_connector.product_amazon_unmatched")
            elif line.kind == "shipping":
                product = self.carrier_id.product_id or self.env.ref(
                    "amazon_connector.product_amazon_shipping"
                )
            else:
                product = self.env.ref(f"amazon_connector.product_amazon_{line.kind}")
            taxes, net_pricing = channel._amazon_taxes(line, marketplace, step)
            amount = line.amount - line.tax if net_pricing else line.amount
            for quantity, unit_price in split_units(amount, line.quantity, step):
                commands.append(
                    Command.create(
                        {
                            "product_id": product.id,
                            "name": self._amazon_line_name(line, product),
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
        self.write({"order_line": commands})
        if data.has_prices and self.currency_id.compare_amounts(
            self.amount_total, float(data.grand_total)
        ):
            raise MappingError(
                self.env._(
                    "Order %(order)s: Odoo computes a total of %(odoo)s but Amazon charged "
                    "%(amazon)s %(currency)s.",
                    order=data.order_id,
                    odoo=self.amount_total,
                    amazon=data.grand_total,
                    currency=self.currency_id.name,
                )
            )
        return unmatched

    @api.model
    def _amazon_line_name(self, line, product):
        if line.kind == "item":
            return f"[{line.sku}] {line.title}" if line.sku else (line.title or product.name)
        label = dict(self.env["sale.order.line"]._fields["amazon_line_kind"].selection)
        return f"{label.get(line.kind, product.name)}: {line.title}" if line.title else product.name

    def _amazon_apply_action(self, action, data):
        """Take a draft order as far as the status mapping says: confirm, or deliver."""
        self.ensure_one()
        if action not in ("confirm", "done") or self.state != "draft":
            return
        self.action_confirm()
        # Confirming stamps today's date; an Amazon order keeps the moment it was bought.
        self.date_order = data.purchase_date
        latest_ship = data.ship_by[1]
        pickings = self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        if latest_ship:
            pickings.write({"scheduled_date": latest_ship, "date_deadline": latest_ship})
        if action == "done":
            self._amazon_deliver_all()

    def _amazon_deliver_all(self):
        """Mark every open delivery done (goods Amazon shipped, or shipped outside Odoo)."""
        pickings = self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        for picking in pickings.with_context(amazon_shipped_on_amazon=True):
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
            picking.move_ids.picked = True
            picking.with_context(skip_sms=True, cancel_backorder=True)._action_done()

    def _amazon_goods_left(self):
        return any(
            p.state == "done" and p.picking_type_code == "outgoing" for p in self.picking_ids
        )

    def _amazon_flag(self, summary, note):
        """Ask a person to look at the order: an activity for the salesperson or the admin."""
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=note,
            user_id=(
                self.amazon_channel_id.user_id or self.user_id or self.env.ref("base.user_admin")
            ).id,
        )

    @api.model
    def _amazon_update(self, order, channel, data, action):
        """Apply a newer version of an imported order; older or equal versions change nothing."""
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
                order._amazon_set_lines(channel, channel._amazon_marketplace(data), data)
            order._amazon_apply_action(action, data)
        elif action == "done" and order.amazon_fulfilled_by == "AMAZON" and order.state == "sale":
            order._amazon_deliver_all()
        if data.status == "SHIPPED" and order.amazon_fulfilled_by == "MERCHANT":
            order.picking_ids._amazon_close_shipped_elsewhere()
        if data.status == "CANCELLED" and order.amazon_cancel_state in ("sent", "rejected"):
            # Amazon has the order cancelled: whatever the report said, the goal is reached.
            order._amazon_cancellation_accepted()
        order.write(self._amazon_tracked_values(data))
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

    # -- cancellation to Amazon ----------------------------------------------------------------

    def _amazon_cancellable_on_amazon(self):
        """Orders whose cancellation in Odoo must reach Amazon: merchant-fulfilled, not shipped
        on either side, on a channel that sends cancellations."""
        return self.filtered(
            lambda o: (
                o.amazon_channel_id.cancel_on_amazon
                and o.amazon_fulfilled_by == "MERCHANT"
                and o.amazon_status in ("PENDING", "UNSHIPPED")
                and o.state != "cancel"
                and not o._amazon_goods_left()
            )
        )

    def action_cancel(self):
        """Amazon orders first ask for Amazon's cancellation reason (see the wizard)."""
        to_amazon = self._amazon_cancellable_on_amazon()
        if to_amazon and not self.env.context.get("amazon_cancel_reason"):
            buyer_asked = any(to_amazon.mapped("amazon_buyer_cancel_requested"))
            return {
                "name": self.env._("Cancel on Amazon"),
                "type": "ir.actions.act_window",
                "res_model": "amazon.order.cancel",
                "view_mode": "form",
                "target": "new",
                "context": {
                    "default_order_ids": self.ids,
                    "default_reason": "BuyerCanceled" if buyer_asked else "NoInventory",
                },
            }
        return super().action_cancel()

    def _amazon_request_cancellation(self, reason):
        """Cancel in Odoo now; the next export run of the channel tells Amazon, batching every
        cancellation waiting into one acknowledgement feed (never from the user's request)."""
        to_amazon = self._amazon_cancellable_on_amazon()
        result = self.with_context(
            amazon_cancel_reason=reason, disable_cancel_warning=True
        ).action_cancel()
        to_amazon.filtered(lambda o: o.state == "cancel").write(
            {
                "amazon_cancel_state": "to_send",
                "amazon_cancel_reason": reason,
                "amazon_cancel_message": False,
            }
        )
        return result

    def _amazon_cancellation_accepted(self):
        self.write(
            {
                "amazon_cancel_state": "accepted",
                "amazon_cancel_message": False,
                "amazon_status": "CANCELLED",
            }
        )

    def _amazon_cancellation_refused(self, reason):
        self.ensure_one()
        self.write({"amazon_cancel_state": "rejected", "amazon_cancel_message": reason})
        self._amazon_flag(
            self.env._("Amazon refused the cancellation"),
            self.env._(
                "Amazon did not cancel order %(order)s: %(reason)s. The buyer still expects "
                "it; ship it or cancel it in Seller Central.",
                order=self.amazon_order_ref,
                reason=reason,
            ),
        )
