from odoo import fields, models


class AmazonChannelMarketplace(models.Model):
    """How a channel sells in one of its marketplaces: the pricelists its prices come from and
    the warehouse that ships there (the channel's, unless another is set)."""

    _name = "amazon.channel.marketplace"
    _inherit = "amazon.channel.record"
    _description = "Amazon Channel Marketplace"
    _order = "channel_id, marketplace_id"

    channel_id = fields.Many2one("amazon.channel", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="channel_id.company_id", store=True)
    marketplace_id = fields.Many2one("amazon.marketplace", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="marketplace_id.currency_id")
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Prices sent to Amazon for this marketplace, converted to its currency. Amazon "
        "shows them as they are: include VAT where buyers see prices with VAT (Europe, UK, "
        "Japan). Empty: prices are not sent.",
    )
    business_pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Amazon Business prices for this marketplace, when the channel sells to businesses.",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        help="The warehouse that ships orders of this marketplace, when not the channel's: "
        "its stock is what Amazon shows here.",
    )

    _sql_constraints = [
        (
            "channel_marketplace_uniq",
            "unique(channel_id, marketplace_id)",
            "A marketplace is set up once per channel.",
        ),
    ]

    def write(self, vals):
        result = super().write(vals)
        if {"pricelist_id", "business_pricelist_id", "warehouse_id"} & set(vals):
            self.env["amazon.listing"].search(
                [
                    ("channel_id", "in", self.channel_id.ids),
                    ("marketplace_id", "in", self.marketplace_id.ids),
                ]
            )._amazon_mark_to_send()
        return result
