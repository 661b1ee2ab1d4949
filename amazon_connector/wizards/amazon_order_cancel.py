from odoo import fields, models

from ..services.order_feed import CANCEL_REASONS


class AmazonOrderCancel(models.TransientModel):
    """Asks for the reason Amazon requires before an unshipped Amazon order is cancelled."""

    _name = "amazon.order.cancel"
    _description = "Cancel Amazon Order"

    order_ids = fields.Many2many("sale.order", string="Orders", required=True)
    reason = fields.Selection(
        CANCEL_REASONS,
        required=True,
        default="NoInventory",
        help="Sent to Amazon with the cancellation. Amazon counts seller cancellations other "
        "than at the buyer's request against the seller's cancellation rate.",
    )
    buyer_requested = fields.Boolean(compute="_compute_buyer_requested")

    def _compute_buyer_requested(self):
        for wizard in self:
            wizard.buyer_requested = any(wizard.order_ids.mapped("amazon_buyer_cancel_requested"))

    def action_confirm(self):
        self.ensure_one()
        return self.order_ids._amazon_request_cancellation(self.reason)
