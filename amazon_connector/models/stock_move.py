from odoo import models
from odoo.tools import float_compare


class StockMove(models.Model):
    _inherit = "stock.move"

    def _amazon_open_origins(self):
        """The open moves upstream of this one (pick, pack) that carry the same goods."""
        origins = self.env["stock.move"]
        todo = self.move_orig_ids
        while todo:
            todo = todo.filtered(lambda m: m.state not in ("done", "cancel")) - origins
            origins |= todo
            todo = todo.move_orig_ids
        return origins

    def _amazon_reduce_demand(self, units):
        """Take ``units`` (in the sale line's unit) out of the move's demand; cancel it at 0."""
        self.ensure_one()
        units = self.sale_line_id.product_uom._compute_quantity(units, self.product_uom)
        remaining = self.product_uom_qty - units
        if float_compare(remaining, 0, precision_rounding=self.product_uom.rounding) <= 0:
            self._action_cancel()
            return
        self._do_unreserve()
        self.product_uom_qty = remaining
        self._action_assign()

    # -- stock on Amazon follows these moves ----------------------------------------------------

    def _action_confirm(self, merge=True, merge_into=False):
        moves = super()._action_confirm(merge=merge, merge_into=merge_into)
        self.env["amazon.listing"]._amazon_mark_products(self.product_id)
        return moves

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        self.env["amazon.listing"]._amazon_mark_products(self.product_id)
        return moves

    def _action_cancel(self):
        result = super()._action_cancel()
        self.env["amazon.listing"]._amazon_mark_products(self.product_id)
        return result
