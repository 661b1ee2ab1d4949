from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..services.shipment import CARRIER_CODES, OTHER_CARRIER, Carrier


class AmazonCarrierMapping(models.Model):
    """Odoo delivery carrier -> the carrier Amazon is told about in a shipment confirmation.

    Amazon accepts only its own carrier codes; any other carrier is sent as "Other" with its
    name. A row for a marketplace wins over the row for all marketplaces, because the same
    Odoo carrier can be a different company in another country.
    """

    _name = "amazon.carrier.mapping"
    _inherit = "amazon.channel.record"
    _description = "Amazon Carrier Mapping"
    _order = "channel_id, carrier_id, marketplace_id, id"

    channel_id = fields.Many2one("amazon.channel", required=True, ondelete="cascade", index=True)
    carrier_id = fields.Many2one("delivery.carrier", string="Odoo Carrier", required=True)
    marketplace_id = fields.Many2one(
        "amazon.marketplace", help="Leave empty to apply to every marketplace of the channel."
    )
    amazon_carrier_code = fields.Selection(
        [(code, code) for code in CARRIER_CODES],
        required=True,
        compute="_compute_amazon_carrier",
        store=True,
        readonly=False,
        precompute=True,
    )
    amazon_carrier_name = fields.Char(
        string="Carrier Name",
        compute="_compute_amazon_carrier",
        store=True,
        readonly=False,
        precompute=True,
        help="Required with carrier code 'Other': the name the buyer sees on Amazon.",
    )
    shipping_method = fields.Char(
        help="Service sent to Amazon with the tracking number, e.g. 'Paket' or 'Express 12'.",
    )

    _sql_constraints = [
        (
            "carrier_uniq",
            "unique(channel_id, carrier_id, marketplace_id)",
            "This carrier is already mapped for this marketplace.",
        ),
    ]

    @api.depends("carrier_id")
    def _compute_amazon_carrier(self):
        """Suggest the code the Odoo carrier's name contains ('DHL Paket' -> 'DHL'), else
        'Other' with the carrier's name; the admin confirms or corrects it."""
        by_length = sorted(CARRIER_CODES, key=len, reverse=True)
        for mapping in self:
            name = mapping.carrier_id.name or ""
            code = mapping.amazon_carrier_code
            if not code and mapping.carrier_id:
                code = next(
                    (c for c in by_length if c != OTHER_CARRIER and c.lower() in name.lower()),
                    OTHER_CARRIER,
                )
            mapping.amazon_carrier_code = code
            mapping.amazon_carrier_name = mapping.amazon_carrier_name or (
                name if code == OTHER_CARRIER else False
            )

    @api.constrains("amazon_carrier_code", "amazon_carrier_name")
    def _check_other_has_name(self):
        for mapping in self:
            if mapping.amazon_carrier_code == OTHER_CARRIER and not mapping.amazon_carrier_name:
                raise ValidationError(
                    self.env._(
                        "Carrier %(carrier)s: Amazon needs the carrier's name with code 'Other'.",
                        carrier=mapping.carrier_id.display_name,
                    )
                )

    @api.model
    def _find(self, channel, carrier, marketplace):
        """The row that tells Amazon about this Odoo carrier; a marketplace's own row wins."""
        rows = channel.carrier_mapping_ids.filtered(lambda m: m.carrier_id == carrier)
        return (
            rows.filtered(lambda m: m.marketplace_id == marketplace)[:1]
            or rows.filtered(lambda m: not m.marketplace_id)[:1]
        )

    def _as_carrier(self):
        self.ensure_one()
        return Carrier(
            code=self.amazon_carrier_code,
            name=self.amazon_carrier_name or "",
            shipping_method=self.shipping_method or "",
        )
