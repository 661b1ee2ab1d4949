from odoo import models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def write(self, vals):
        result = super().write(vals)
        Listing = self.env["amazon.listing"]
        if {"list_price", "currency_id"} & set(vals):
            Listing._amazon_mark_products(self.product_variant_ids, what="price")
        if {"active", "sale_ok", "is_storable"} & set(vals):
            Listing._amazon_mark_products(self.with_context(active_test=False).product_variant_ids)
        return result
