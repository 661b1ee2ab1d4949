from odoo import api, fields, models


class AmazonPackage(models.Model):
    """One package of a delivery as confirmed (or to be confirmed) to Amazon.

    Its id is the ``packageReferenceId`` sent to Amazon. The record is committed in state
    *sending* before the call, so a run killed during the call is resumed by asking Amazon
    whether it holds that reference, never by confirming the same units again.
    """

    _name = "amazon.package"
    _inherit = "amazon.sync.mixin"
    _description = "Amazon Shipment Package"
    _order = "picking_id, id"

    picking_id = fields.Many2one("stock.picking", required=True, ondelete="cascade", index=True)
    sale_id = fields.Many2one(related="picking_id.sale_id")
    stock_package_id = fields.Many2one(
        "stock.quant.package", string="Odoo Package", ondelete="set null"
    )
    tracking_number = fields.Char(readonly=True)
    carrier_code = fields.Char(string="Amazon Carrier Code", readonly=True)
    carrier_name = fields.Char(readonly=True, help="Sent with carrier code 'Other'.")
    shipping_method = fields.Char(readonly=True)
    item_quantities = fields.Json(readonly=True, help="Amazon order item id -> units.")
    items_summary = fields.Char(string="Items", compute="_compute_items_summary")
    # To send, sending (the call's outcome unknown), accepted or rejected.
    amazon_sync_state = fields.Selection(required=True, default="to_send")

    @api.depends("item_quantities", "picking_id.sale_id.order_line.amazon_sku")
    def _compute_items_summary(self):
        """Units per SKU, as the shipper packed them (Amazon knows them by order item id)."""
        for package in self:
            skus = {
                line.amazon_order_item_id: line.amazon_sku or line.product_id.display_name
                for line in package.picking_id.sale_id.order_line
                if line.amazon_order_item_id
            }
            package.items_summary = ", ".join(
                f"{quantity:g} × {skus.get(item_id, item_id)}"
                for item_id, quantity in sorted((package.item_quantities or {}).items())
            )

    def _amazon_reference(self):
        """Amazon's packageReferenceId: a positive number unique within the order."""
        self.ensure_one()
        return str(self.id)
