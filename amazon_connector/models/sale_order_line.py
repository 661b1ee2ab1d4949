from odoo import api, fields, models

LINE_KINDS = [
    ("item", "Item"),
    ("shipping", "Shipping"),
    ("gift_wrap", "Gift wrap"),
    ("discount", "Promotion"),
    ("other", "Other charge"),
    ("collected_tax", "Tax collected by Amazon"),
    ("sales_tax", "Sales tax"),
    ("difference", "Difference to Amazon"),
]


class SaleOrderLine(models.Model):
    """Amazon's order item on a sale order line, and the units Amazon shipped without Odoo.

    Units a seller ships from Seller Central (or any tool other than Odoo) count as delivered
    and are never procured, shipped or confirmed again: the delivery holds only what is left.
    """

    _inherit = "sale.order.line"

    amazon_order_item_id = fields.Char(string="Amazon Order Item ID", readonly=True, copy=False)
    amazon_asin = fields.Char(string="ASIN", readonly=True, copy=False)
    amazon_sku = fields.Char(string="Amazon SKU", readonly=True, copy=False)
    amazon_line_kind = fields.Selection(LINE_KINDS, readonly=True, copy=False)
    amazon_qty_shipped_elsewhere = fields.Float(
        string="Shipped Outside Odoo",
        digits="Product Unit of Measure",
        readonly=True,
        copy=False,
        help="Units Amazon reports as shipped that Odoo did not confirm (shipped from Seller "
        "Central or another tool). They count as delivered and leave no stock from Odoo.",
    )

    @api.depends("amazon_qty_shipped_elsewhere")
    def _compute_qty_delivered(self):
        result = super()._compute_qty_delivered()
        for line in self.filtered("amazon_qty_shipped_elsewhere"):
            if line.qty_delivered_method == "stock_move":
                line.qty_delivered += line.amazon_qty_shipped_elsewhere
        return result

    def _get_qty_procurement(self, previous_product_uom_qty=False):
        """Units shipped outside Odoo are already on their way: nothing to procure for them."""
        return (
            super()._get_qty_procurement(previous_product_uom_qty)
            + self.amazon_qty_shipped_elsewhere
        )

    def _amazon_set_shipped_elsewhere(self, units):
        """Record that ``units`` of the line shipped outside Odoo, taking what is new out of the
        open delivery (its demand shrinks; a move left with nothing is cancelled)."""
        self.ensure_one()
        added = units - self.amazon_qty_shipped_elsewhere
        self.amazon_qty_shipped_elsewhere = units
        if added <= 0 or self.state != "sale":
            return
        open_moves = self.move_ids.filtered(
            lambda m: m.state not in ("done", "cancel") and m.location_dest_id.usage == "customer"
        )
        for move in open_moves.sorted("id", reverse=True):
            if added <= 0:
                break
            taken = min(added, move.product_uom_qty)
            added -= taken
            for step in move | move._amazon_open_origins():
                step._amazon_reduce_demand(taken)
