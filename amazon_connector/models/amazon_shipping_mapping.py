from odoo import api, fields, models

# Orders v2026-01-01 fulfillment.fulfillmentServiceLevel values.
SERVICE_LEVELS = [
    ("STANDARD", "Standard"),
    ("EXPEDITED", "Expedited"),
    ("PRIORITY", "Priority"),
    ("NEXT_DAY", "Next day"),
    ("SECOND_DAY", "Second day"),
    ("SAME_DAY", "Same day"),
    ("SCHEDULED", "Scheduled"),
    ("FREE_ECONOMY", "Free economy"),
]


class AmazonShippingMapping(models.Model):
    """Amazon shipping service level -> the delivery carrier set on the order, per channel.

    A row for a specific marketplace wins over a row for all marketplaces; with no matching
    row the channel's default carrier is used.
    """

    _name = "amazon.shipping.mapping"
    _inherit = "amazon.channel.record"
    _description = "Amazon Shipping Method Mapping"
    _order = "channel_id, service_level, marketplace_id, id"

    channel_id = fields.Many2one("amazon.channel", required=True, ondelete="cascade", index=True)
    service_level = fields.Selection(SERVICE_LEVELS, required=True)
    marketplace_id = fields.Many2one(
        "amazon.marketplace", help="Leave empty to apply to every marketplace of the channel."
    )
    carrier_id = fields.Many2one("delivery.carrier", required=True)

    _sql_constraints = [
        (
            "level_uniq",
            "unique(channel_id, service_level, marketplace_id)",
            "This service level is already mapped for this marketplace.",
        ),
    ]

    @api.model
    def _carrier_for(self, channel, service_level, marketplace):
        """The delivery carrier of an order shipped with Amazon's ``service_level``."""
        rows = channel.shipping_mapping_ids.filtered(lambda m: m.service_level == service_level)
        row = (
            rows.filtered(lambda m: m.marketplace_id == marketplace)[:1]
            or rows.filtered(lambda m: not m.marketplace_id)[:1]
        )
        return row.carrier_id or channel.default_carrier_id
