from odoo import api, fields, models

from ..services.order_feed import CANCEL_REASONS
from .amazon_status_mapping import FULFILLED_BY, FULFILLMENT_STATUSES


class SaleOrder(models.Model):
    """Amazon's identity and facts on the sale order it became.

    ``amazon_order_ref`` is unique per channel at database level: the import can be
    interrupted and replayed without ever creating an order twice.
    """

    _name = "sale.order"
    _inherit = ["sale.order", "amazon.sync.mixin", "amazon.ship.by.mixin"]
    _amazon_live_fields = ("amazon_sync_state", "amazon_status")

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
    amazon_flags = fields.Char(
        string="Amazon Service",
        compute="_compute_amazon_flags",
        help="Prime, Premium shipping and Business orders: the buyer paid for a promise.",
    )
    amazon_replaced_order_ref = fields.Char(
        string="Replacement Of",
        readonly=True,
        copy=False,
        help="The Amazon order this one replaces.",
    )
    amazon_ship_service_level = fields.Char(
        string="Shipping Service Code", readonly=True, copy=False
    )
    amazon_ship_service_label = fields.Char(
        string="Shipping Service",
        compute="_compute_amazon_ship_service_label",
        help="Amazon's shipping service level for this order.",
    )
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
    # The cancellation sent to Amazon: to send, waiting (in a feed Amazon has not processed
    # yet), accepted or rejected (see amazon.sync.mixin).
    amazon_sync_state = fields.Selection(string="Cancellation on Amazon", tracking=True)
    amazon_cancel_reason = fields.Selection(
        CANCEL_REASONS, string="Cancellation Reason", readonly=True, copy=False
    )
    amazon_cancel_feed_id = fields.Many2one("amazon.feed", readonly=True, copy=False, index=True)
    amazon_cancel_message_ref = fields.Integer(
        readonly=True, copy=False, help="Technical: MessageID of the order in its feed."
    )
    amazon_total = fields.Monetary(
        readonly=True,
        copy=False,
        help="The order total Amazon reported (grand total). A cancelled order keeps the "
        "last total Amazon gave, since Amazon sends no amounts once an order is cancelled.",
    )
    amazon_cancelled_by = fields.Selection(
        [("BUYER", "Buyer"), ("MERCHANT", "Seller"), ("AMAZON", "Amazon")],
        readonly=True,
        copy=False,
        help="Who cancelled the order on Amazon.",
    )
    amazon_cancelled_reason = fields.Char(
        string="Amazon's Cancellation Reason", readonly=True, copy=False
    )
    amazon_tax_total = fields.Monetary(
        string="Tax (Amazon)",
        readonly=True,
        copy=False,
        help="The tax Amazon reported on the order (0 where prices include VAT: Amazon then "
        "gives no tax amount, and Odoo computes it at the statutory rate).",
    )
    amazon_tax_collected_by = fields.Char(
        string="Tax Remitted By",
        readonly=True,
        copy=False,
        help="Who remits the order's tax when it is not the seller: Amazon, as marketplace "
        "facilitator. That tax is booked on a clearing account, outside the tax report.",
    )
    amazon_amount_difference = fields.Monetary(
        string="Difference to Amazon",
        readonly=True,
        copy=False,
        help="Booked on its own line so that the order totals what the buyer paid, where "
        "Odoo's rounding of the statutory taxes could not give Amazon's cents.",
    )
    amazon_buyer_vat = fields.Char(
        string="Buyer VAT Number",
        readonly=True,
        copy=False,
        help="The business buyer's VAT registration, as Amazon gave it.",
    )
    amazon_pii_redacted = fields.Boolean(
        string="Personal Data Redacted",
        readonly=True,
        copy=False,
        index=True,
        help="The buyer's personal data on this order, its contacts, deliveries and messages was "
        "replaced by 'REDACTED (Amazon)' (Amazon's Data Protection Policy); later versions of "
        "the order from Amazon never bring it back.",
    )
    amazon_pii_redacted_date = fields.Datetime(
        string="Personal Data Redacted On", readonly=True, copy=False
    )

    _sql_constraints = [
        (
            "amazon_order_ref_uniq",
            "unique(amazon_channel_id, amazon_order_ref)",
            "This Amazon order has already been imported for this channel.",
        ),
    ]

    @api.depends("amazon_is_prime", "amazon_is_premium", "amazon_is_business")
    def _compute_amazon_flags(self):
        for order in self:
            flags = [
                label
                for flag, label in (
                    (order.amazon_is_prime, self.env._("Prime")),
                    (order.amazon_is_premium, self.env._("Premium")),
                    (order.amazon_is_business, self.env._("Business")),
                )
                if flag
            ]
            order.amazon_flags = " · ".join(flags) or False

    @api.depends("amazon_ship_service_level")
    def _compute_amazon_ship_service_label(self):
        labels = dict(
            self.env["amazon.shipping.mapping"]
            ._fields["service_level"]
            ._description_selection(self.env)
        )
        for order in self:
            level = order.amazon_ship_service_level
            order.amazon_ship_service_label = labels.get(level, level) if level else False

    def _amazon_to_ship_domain(self):
        return [
            ("amazon_fulfilled_by", "=", "MERCHANT"),
            ("state", "=", "sale"),
            ("delivery_status", "in", ("pending", "started", "partial")),
        ]

    # -- what the import does to an order --------------------------------------------------------

    def _amazon_deliver_all(self):
        """Mark every open delivery done (goods Amazon shipped, or shipped outside Odoo)."""
        pickings = self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        if not pickings:
            return
        for move in pickings.move_ids:
            move.quantity = move.product_uom_qty
        pickings.move_ids.picked = True
        pickings.with_context(
            amazon_shipped_on_amazon=True, skip_sms=True, cancel_backorder=True
        )._action_done()

    def _amazon_record_shipped_elsewhere(self, shipped):
        """Amazon reports ``shipped`` {order item id: units shipped}. The units beyond those
        Odoo delivered itself shipped outside Odoo (Seller Central) and leave the open
        delivery. Units Odoo delivered but Seller Central confirmed are not counted twice."""
        self.ensure_one()
        item_lines = self.order_line.filtered(
            lambda line: line.amazon_line_kind == "item" and line.amazon_order_item_id
        )
        for item_id, units in shipped.items():
            lines = item_lines.filtered(lambda x, i=item_id: x.amazon_order_item_id == i)
            by_odoo = {
                line: line.qty_delivered - line.amazon_qty_shipped_elsewhere for line in lines
            }
            elsewhere = max(units - sum(by_odoo.values()), 0)
            for line in lines:
                share = min(elsewhere, max(line.product_uom_qty - by_odoo[line], 0))
                elsewhere -= share
                if share != line.amazon_qty_shipped_elsewhere:
                    line._amazon_set_shipped_elsewhere(share)

    def _amazon_goods_left(self):
        return any(
            p.state == "done" and p.picking_type_code == "outgoing" for p in self.picking_ids
        )

    def _amazon_flag(self, summary, note):
        """Ask a person to look at the order: an activity for the salesperson or the admin.

        Shown in their activities, without an assignment e-mail per order (an import may flag
        hundreds, and several workers would all write the assignee's partner at once)."""
        self.with_context(mail_activity_quick_update=True).activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=note,
            user_id=(
                self.amazon_channel_id.user_id or self.user_id or self.env.ref("base.user_admin")
            ).id,
        )

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
        cancelled = to_amazon.filtered(lambda o: o.state == "cancel")
        cancelled._amazon_sync_set("to_send")
        cancelled.amazon_cancel_reason = reason
        return result

    def _amazon_cancellation_accepted(self):
        self._amazon_sync_set("accepted")
        self.amazon_status = "CANCELLED"

    def _amazon_cancellation_refused(self, reason):
        self.ensure_one()
        self._amazon_sync_set("rejected", reason)
        self._amazon_flag(
            self.env._("Amazon refused the cancellation"),
            self.env._(
                "Amazon did not cancel order %(order)s: %(reason)s. The buyer still expects "
                "it; ship it or cancel it in Seller Central.",
                order=self.amazon_order_ref,
                reason=reason,
            ),
        )

    # -- invoices paid by Amazon ---------------------------------------------------------------

    def _prepare_invoice(self):
        """An Amazon order is invoiced in its channel's sales journal, when the channel has one."""
        values = super()._prepare_invoice()
        journal = self.amazon_channel_id.invoice_journal_id
        if journal and not self.journal_id:
            values["journal_id"] = journal.id
        return values

    def _amazon_local_date(self, moment):
        """The day a UTC ``moment`` falls on where the company is (else where the user is)."""
        self.ensure_one()
        tz = self.company_id.partner_id.tz or self.env.user.tz or "UTC"
        return fields.Date.context_today(self.with_context(tz=tz), moment)

    def _amazon_invoice(self, invoice_date):
        """Invoice what the order has to invoice, dated ``invoice_date``, post the invoice and
        register it as paid by Amazon; returns the invoice."""
        self.ensure_one()
        order = self.with_company(self.company_id)
        invoice = order._create_invoices(final=True)
        invoice.invoice_date = invoice_date
        invoice.action_post()
        order._amazon_register_payment(invoice, invoice_date)
        return invoice

    def _amazon_register_payment(self, moves, date):
        """Register ``moves`` (invoices, or credit notes to refund) as paid by Amazon for what
        is left to pay on them, in the channel's payment journal on ``date``; returns the
        moves that had something left to pay (a free replacement order has nothing)."""
        self.ensure_one()
        to_pay = moves.filtered(lambda m: not m.currency_id.is_zero(m.amount_residual))
        if to_pay:
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=to_pay.ids
            ).create(
                {"journal_id": self.amazon_channel_id.payment_journal_id.id, "payment_date": date}
            )._create_payments()
        return to_pay

    def _amazon_credit_invoices(self, date):
        """Reverse the invoicing of cancelled orders of channels that invoice: each posted
        customer invoice not credited yet gets a posted credit note dated ``date``, and draft
        invoices are cancelled. Returns the credit notes (none the second time: an invoice
        with a posted credit note is not credited again).

        The channel's choice, whoever cancels: like Odoo's own invoicing from an order, it runs
        with the rights to do the accounting (a salesperson may cancel an invoiced order).
        """
        credit_notes = self.env["account.move"]
        for order in self.filtered(lambda o: o.amazon_channel_id.invoice_orders):
            credit_notes |= order.sudo().with_company(order.company_id)._amazon_credit_order(date)
        return credit_notes

    def _amazon_credit_order(self, date):
        """Credit the order's posted invoices not credited yet: each credit note first settles
        what was still owed on its invoice, and what Amazon had paid is registered as refunded
        by Amazon."""
        self.ensure_one()
        self.invoice_ids.filtered(lambda m: m.state == "draft").button_cancel()
        invoices = self.invoice_ids.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "posted"
                and not m.reversal_move_ids.filtered(lambda r: r.state == "posted")
            )
        )
        if not invoices:
            return invoices
        credit_notes = invoices._reverse_moves(
            [
                {
                    "date": date,
                    "invoice_date": date,
                    "ref": self.env._(
                        "Reversal of: %(invoice)s (order %(order)s cancelled)",
                        invoice=invoice.name,
                        order=self.amazon_order_ref,
                    ),
                }
                for invoice in invoices
            ],
            cancel=False,
        )
        credit_notes.action_post()
        for invoice, credit_note in zip(invoices, credit_notes, strict=True):
            if invoice.payment_state not in ("paid", "in_payment"):
                (invoice.line_ids | credit_note.line_ids).filtered(
                    lambda line: line.account_type == "asset_receivable" and not line.reconciled
                ).reconcile()
        refunds = self._amazon_register_payment(credit_notes, date)
        note = self.env._(
            "Order cancelled: credit note(s) %(credit_notes)s reverse invoice(s) %(invoices)s.",
            credit_notes=", ".join(credit_notes.mapped("name")),
            invoices=", ".join(invoices.mapped("name")),
        )
        if refunds:
            note += " " + self.env._(
                "Amazon's refund is registered in %(journal)s.",
                journal=self.amazon_channel_id.payment_journal_id.name,
            )
        self.message_post(body=note)
        return credit_notes

    def _action_cancel(self):
        """A cancelled Amazon order that was invoiced gets its credit note (see
        :meth:`_amazon_credit_invoices`), dated the day it is cancelled."""
        for order in self.filtered("amazon_channel_id"):
            order._amazon_credit_invoices(order._amazon_local_date(fields.Datetime.now()))
        return super()._action_cancel()
