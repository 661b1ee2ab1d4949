from odoo import api, fields, models


class AmazonListing(models.Model):
    """The seller's SKU (and its ASIN) on a channel, and the Odoo product it sells."""

    _name = "amazon.listing"
    _inherit = "amazon.channel.record"
    _description = "Amazon Listing"
    _order = "channel_id, sku"
    _rec_name = "sku"

    channel_id = fields.Many2one("amazon.channel", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="channel_id.company_id", store=True)
    sku = fields.Char(string="SKU", required=True, index=True)
    asin = fields.Char(string="ASIN", index=True)
    product_id = fields.Many2one("product.product", required=True, ondelete="cascade", index=True)
    active = fields.Boolean(default=True)
    tax_id = fields.Many2one(
        "account.tax",
        domain="[('type_tax_use', '=', 'sale'), ('company_id', '=', company_id)]",
        help="The sales tax of this SKU when it is not the product's own, e.g. a reduced rate "
        "for books or food. Like the product's tax, it is mapped by the order's fiscal "
        "position (One-Stop-Shop sales get the ship-to country's matching rate).",
    )

    _sql_constraints = [
        ("sku_uniq", "unique(channel_id, sku)", "A SKU can be listed once per channel."),
    ]

    @api.model
    def _amazon_tax(self, channel, sku):
        """The tax chosen on the SKU's listing, if any."""
        if not sku:
            return self.env["account.tax"]
        return self.search([("channel_id", "=", channel.id), ("sku", "=", sku)], limit=1).tax_id

    def _amazon_match(self, channel, sku, asin):
        """SKU in the channel's listings, then a product's internal reference, then the ASIN.

        A product found by internal reference is recorded as a listing, so the next order
        finds it directly and the admin sees the link.
        """
        domain = [("channel_id", "=", channel.id)]
        if sku:
            listing = self.search([*domain, ("sku", "=", sku)], limit=1)
            if listing:
                return listing.product_id
            product = self.env["product.product"].search(
                [
                    ("default_code", "=", sku),
                    ("company_id", "in", [channel.company_id.id, False]),
                ],
                limit=1,
            )
            if product:
                self.create(
                    {"channel_id": channel.id, "sku": sku, "asin": asin, "product_id": product.id}
                )
                return product
        if asin and channel.match_by_asin:
            listing = self.search([*domain, ("asin", "=", asin)], limit=1)
            if listing:
                return listing.product_id
        return self.env["product.product"]
