from odoo import fields, models

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
    currency_id = fields.Many2one(
        "res.currency", string="Default Currency", required=True, context={"active_test": False}
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("amazon_id_uniq", "unique(amazon_id)", "A marketplace ID can only be defined once."),
    ]
