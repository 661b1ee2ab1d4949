from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def write(self, vals):
        result = super().write(vals)
        if "active" in vals:
            # An archived product is offered with 0 on Amazon; restored, with its stock.
            self.env["amazon.listing"]._amazon_mark_products(self)
        return result
