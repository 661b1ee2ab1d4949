from odoo import api, fields, models

FULFILLMENT_STATUSES = [
    ("PENDING_AVAILABILITY", "Pending availability (pre-order)"),
    ("PENDING", "Pending (payment not authorised)"),
    ("UNSHIPPED", "Unshipped"),
    ("PARTIALLY_SHIPPED", "Partially shipped"),
    ("SHIPPED", "Shipped"),
    ("CANCELLED", "Cancelled"),
    ("UNFULFILLABLE", "Unfulfillable"),
]
FULFILLED_BY = [("MERCHANT", "Merchant (FBM)"), ("AMAZON", "Amazon (FBA)")]
ACTIONS = [
    ("skip", "Skip"),
    ("quotation", "Import as quotation"),
    ("confirm", "Import and confirm"),
    ("done", "Import as done"),
    ("cancel", "Cancel the existing order"),
]
# (status, fulfilled by) -> action; anything not listed is skipped.
DEFAULT_ACTIONS = {
    ("UNSHIPPED", "MERCHANT"): "confirm",
    ("PARTIALLY_SHIPPED", "MERCHANT"): "confirm",
    ("SHIPPED", "MERCHANT"): "done",
    ("CANCELLED", "MERCHANT"): "cancel",
    ("SHIPPED", "AMAZON"): "done",
    ("CANCELLED", "AMAZON"): "cancel",
}


class AmazonStatusMapping(models.Model):
    """What Odoo does with an order in a given Amazon status, per channel and fulfilment."""

    _name = "amazon.status.mapping"
    _inherit = "amazon.channel.record"
    _description = "Amazon Order Status Mapping"
    _order = "channel_id, fulfilled_by, sequence, id"

    channel_id = fields.Many2one("amazon.channel", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(compute="_compute_sequence", store=True)
    fulfillment_status = fields.Selection(
        FULFILLMENT_STATUSES, string="Amazon Status", required=True
    )
    fulfilled_by = fields.Selection(FULFILLED_BY, required=True)
    action = fields.Selection(ACTIONS, required=True, default="skip")

    _sql_constraints = [
        (
            "status_uniq",
            "unique(channel_id, fulfillment_status, fulfilled_by)",
            "Each Amazon status can be mapped once per fulfilment channel.",
        ),
    ]

    @api.depends("fulfillment_status")
    def _compute_sequence(self):
        order = [value for value, _label in FULFILLMENT_STATUSES]
        for mapping in self:
            mapping.sequence = (
                order.index(mapping.fulfillment_status) if mapping.fulfillment_status else 0
            )

    @api.model
    def _default_values(self, channel):
        return [
            {
                "channel_id": channel.id,
                "fulfillment_status": status,
                "fulfilled_by": fulfilled_by,
                "action": DEFAULT_ACTIONS.get((status, fulfilled_by), "skip"),
            }
            for fulfilled_by, _label in FULFILLED_BY
            for status, _status_label in FULFILLMENT_STATUSES
        ]
