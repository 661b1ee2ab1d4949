from odoo import api, models


class ProductPricelistItem(models.Model):
    _inherit = "product.pricelist.item"

    @api.model_create_multi
    def create(self, vals_list):
        items = super().create(vals_list)
        items._amazon_mark_prices()
        return items

    def write(self, vals):
        if "pricelist_id" in vals:  # the rule leaves its pricelist: those prices change too
            self._amazon_mark_prices()
        result = super().write(vals)
        self._amazon_mark_prices()
        return result

    def unlink(self):
        self._amazon_mark_prices()
        return super().unlink()

    def _amazon_mark_prices(self):
        """Queue the prices of every listing sold with one of these rules' pricelists."""
        pricelists = self.pricelist_id
        if not pricelists:
            return
        settings = (
            self.env["amazon.channel.marketplace"]
            .sudo()
            .search(
                [
                    "|",
                    ("pricelist_id", "in", pricelists.ids),
                    ("business_pricelist_id", "in", pricelists.ids),
                ]
            )
        )
        for setting in settings:
            self.env["amazon.listing"].sudo().search(
                [
                    ("channel_id", "=", setting.channel_id.id),
                    ("marketplace_id", "=", setting.marketplace_id.id),
                    ("sync_price", "=", True),
                ]
            )._amazon_mark_to_send()
