from odoo import fields, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    """The delivery of an Amazon order, and whether Amazon has learnt that it shipped.

    Validating the last outgoing step of a merchant-fulfilled Amazon order only marks it
    *to send*: the shipment run (cron or the "Send to Amazon" button, which triggers it) calls
    Amazon later, outside the user's transaction.
    """

    _name = "stock.picking"
    _inherit = ["stock.picking", "amazon.sync.mixin", "amazon.ship.by.mixin"]
    _amazon_live_fields = ("amazon_sync_state",)

    amazon_channel_id = fields.Many2one(
        "amazon.channel", related="sale_id.amazon_channel_id", store=True, index=True
    )
    amazon_order_ref = fields.Char(related="sale_id.amazon_order_ref", string="Amazon Order ID")
    amazon_buyer_cancel_requested = fields.Boolean(related="sale_id.amazon_buyer_cancel_requested")
    amazon_latest_ship_date = fields.Datetime(
        related="sale_id.amazon_latest_ship_date", string="Ship By", store=True, index=True
    )
    amazon_flags = fields.Char(related="sale_id.amazon_flags", string="Amazon Service")
    # To send, accepted, rejected, or nothing to send (see amazon.sync.mixin).
    amazon_sync_state = fields.Selection(string="Amazon Shipment", tracking=True)
    amazon_send_requested = fields.Boolean(
        copy=False, readonly=True, help="Technical: 'Send to Amazon' was pressed."
    )
    amazon_package_ids = fields.One2many(
        "amazon.package", "picking_id", string="Amazon Packages", readonly=True
    )

    def _amazon_to_ship_domain(self):
        return [
            ("amazon_channel_id", "!=", False),
            ("picking_type_code", "=", "outgoing"),
            ("state", "not in", ("draft", "done", "cancel")),
            ("sale_id.amazon_fulfilled_by", "=", "MERCHANT"),
        ]

    def _amazon_is_shipment_step(self):
        """The step Amazon must hear about: goods leaving for the buyer of an MFN order."""
        self.ensure_one()
        order = self.sale_id
        return bool(
            order.amazon_channel_id
            and order.amazon_fulfilled_by == "MERCHANT"
            and self.picking_type_code == "outgoing"
            and self.location_dest_id.usage == "customer"
        )

    def _amazon_missing_shipping_info(self):
        """What Amazon would lack to accept the confirmation (carrier connectors that create
        the shipment get their tracking number during validation, so it is not asked for)."""
        self.ensure_one()
        carrier = self.carrier_id
        missing = []
        if not carrier:
            missing.append(self.env._("a carrier"))
        elif not self.env["amazon.carrier.mapping"]._find(
            self.amazon_channel_id, carrier, self.sale_id.amazon_marketplace_id
        ):
            missing.append(
                self.env._(
                    "an Amazon carrier code for %(carrier)s "
                    "(Sales > Configuration > Amazon > Carriers)",
                    carrier=carrier.name,
                )
            )
        connector_tracks = (
            carrier.delivery_type not in ("fixed", "base_on_rule")
            and carrier.integration_level == "rate_and_ship"
        )
        if not self.carrier_tracking_ref and not (self.state != "done" and connector_tracks):
            missing.append(self.env._("a tracking number"))
        return missing

    def button_validate(self):
        amazon = self.filtered(lambda p: p.state != "done" and p._amazon_is_shipment_step())
        blocked = [
            (picking, missing)
            for picking in amazon
            if picking.amazon_channel_id.shipment_require_tracking
            and (missing := picking._amazon_missing_shipping_info())
        ]
        if blocked:
            raise UserError(
                "\n".join(
                    self.env._(
                        "%(picking)s (Amazon order %(order)s) needs %(missing)s before it can be "
                        "validated: Amazon requires them to confirm the shipment.",
                        picking=picking.name,
                        order=picking.amazon_order_ref,
                        missing=self.env._(" and ").join(missing),
                    )
                    for picking, missing in blocked
                )
            )
        result = super().button_validate()
        if result is not True:
            return result
        lacking = amazon.filtered(
            lambda p: p.amazon_sync_state == "to_send" and p._amazon_missing_shipping_info()
        )
        if not lacking:
            return result
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Amazon needs more to confirm this shipment"),
                "message": "\n".join(
                    self.env._(
                        "%(picking)s needs %(missing)s, then 'Send to Amazon'. Until then Amazon "
                        "sees the order as unshipped.",
                        picking=picking.name,
                        missing=self.env._(" and ").join(picking._amazon_missing_shipping_info()),
                    )
                    for picking in lacking
                ),
                "type": "warning",
                "sticky": True,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _action_done(self):
        result = super()._action_done()
        shipped_on_amazon = self.env.context.get("amazon_shipped_on_amazon")
        for picking in self.filtered(
            lambda p: p.state == "done" and not p.amazon_sync_state and p._amazon_is_shipment_step()
        ):
            if shipped_on_amazon or picking.sale_id.amazon_status == "SHIPPED":
                picking._amazon_sync_set(
                    "not_applicable",
                    self.env._("Amazon already has the order as shipped; nothing to send."),
                )
            else:
                picking.amazon_sync_state = "to_send"
        if not shipped_on_amazon:
            # Deliveries the import marks done wake the invoicing when the import ends.
            self._amazon_request_invoicing()
        return result

    def _amazon_request_invoicing(self):
        """Deliveries to the buyer just done: wake the invoicing of channels that invoice."""
        channels = self.filtered(
            lambda p: (
                p.state == "done"
                and p.picking_type_code == "outgoing"
                and p.amazon_channel_id.invoice_orders
            )
        ).amazon_channel_id
        if channels:
            channels._request_run("invoicing")

    def _amazon_shipment_rejected(self, reason):
        """A person must act on a refused shipment: an activity on the delivery, once."""
        self.ensure_one()
        summary = self.env._("Amazon refused the shipment")
        if self.activity_ids.filtered(lambda a: a.summary == summary):
            return
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=self.env._(
                "Amazon did not accept the shipment of order %(order)s: %(reason)s Fix the "
                "delivery, then press 'Send to Amazon'; until then the buyer sees the order as "
                "unshipped.",
                order=self.amazon_order_ref,
                reason=reason,
            ),
            user_id=(
                self.user_id
                or self.amazon_channel_id.user_id
                or self.sale_id.user_id
                or self.env.ref("base.user_admin")
            ).id,
        )

    def _amazon_sync_values(self, state, message):
        # Whatever Amazon answered, the request to send is dealt with.
        return dict(super()._amazon_sync_values(state, message), amazon_send_requested=False)

    def action_amazon_send(self):
        """Queue the deliveries and start the shipment run at once, in the background."""
        pickings = self.filtered(
            lambda p: (
                p.state == "done"
                and p.amazon_channel_id
                and p.amazon_sync_state in ("to_send", "rejected")
            )
        )
        if not pickings:
            raise UserError(
                self.env._(
                    "Only validated deliveries of Amazon orders that are waiting or were "
                    "rejected can be sent to Amazon."
                )
            )
        pickings.write({"amazon_sync_state": "to_send", "amazon_send_requested": True})
        pickings.amazon_channel_id._wake("shipment")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Sending to Amazon"),
                "message": self.env._(
                    "The shipment confirmation is on its way; Amazon's answer appears on the "
                    "delivery in a moment."
                ),
                "type": "info",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _amazon_close_shipped_elsewhere(self):
        """Amazon says the order shipped without us: its open deliveries have nothing to send.

        Packages already in flight keep their state: the shipment run settles them with Amazon.
        """
        pickings = self.filtered(
            lambda p: (
                p.state != "cancel"
                and p.amazon_sync_state in (False, "to_send", "rejected")
                and p._amazon_is_shipment_step()
                and not p.amazon_package_ids.filtered(
                    lambda pkg: pkg.amazon_sync_state in ("sending", "accepted")
                )
            )
        )
        pickings._amazon_sync_set(
            "not_applicable",
            self.env._("Amazon reports the order as shipped outside Odoo; nothing was sent."),
        )
        return pickings
