from odoo import fields, models

LINE_KINDS = [
    ("item", "Item"),
    ("shipping", "Shipping"),
    ("gift_wrap", "Gift wrap"),
    ("discount", "Promotion"),
    ("other", "Other charge"),
]


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    amazon_order_item_id = fields.Char(string="Amazon Order Item ID", readonly=True, copy=False)
    amazon_asin = fields.Char(string="ASIN", readonly=True, copy=False)
    amazon_sku = fields.Char(string="Amazon SKU", readonly=True, copy=False)
    amazon_line_kind = fields.Selection(LINE_KINDS, readonly=True, copy=False)
