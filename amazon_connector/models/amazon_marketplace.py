from odoo import api, fields, models

REGIONS = [("na", "North America"), ("eu", "Europe"), ("fe", "Far East")]


class AmazonMarketplace(models.Model):
    """A marketplace SP-API documents (Amazon.de, Amazon.com...): reference data, not per seller."""

    _name = "amazon.marketplace"
    _description = "Amazon Marketplace"
    _order = "region, name"

    name = fields.Char(required=True)
    amazon_id = fields.Char(string="Marketplace ID", required=True, index=True)
    country_id = fields.Many2one("res.country", required=True)
    domain = fields.Char(required=True)
    region = fields.Selection(REGIONS, required=True)
    seller_central_url = fields.Char(
        string="Seller Central URL",
        compute="_compute_seller_central_url",
        store=True,
        readonly=False,
        help="Where sellers of this marketplace sign in and authorise apps.",
    )
    currency_id = fields.Many2one(
        "res.currency", string="Default Currency", required=True, context={"active_test": False}
    )
    active = fields.Boolean(default=True)

    @api.depends("domain")
    def _compute_seller_central_url(self):
        for marketplace in self:
            marketplace.seller_central_url = marketplace.domain and (
                f"https://sellercentral.{marketplace.domain}"
            )

    _sql_constraints = [
        ("amazon_id_uniq", "unique(amazon_id)", "A marketplace ID can only be defined once."),
    ]
