from odoo import api, fields, models

# Odoo's packageReferenceIds: above any number Seller Central gives a package of one order.
REFERENCE_BASE = 1_000_000_000


class AmazonPackage(models.Model):
    """One package of a delivery as confirmed (or to be confirmed) to Amazon.

    Its ``reference`` is the ``packageReferenceId`` sent to Amazon. The record is committed in
    state *sending* before the call, so a run killed during the call is resumed by asking
    Amazon whether it holds that very package, never by confirming the same units again.

    Seller Central numbers the packages a seller confirms there 1, 2, 3... on each order, so
    Odoo's references start above a billion: they cannot collide with the seller's own.
    """

    _name = "amazon.package"
    _inherit = "amazon.sync.mixin"
    _description = "Amazon Shipment Package"
    _order = "picking_id, id"

    picking_id = fields.Many2one("stock.picking", required=True, ondelete="cascade", index=True)
    reference = fields.Char(
        string="Package Reference",
        readonly=True,
        copy=False,
        help="The packageReferenceId Amazon knows this package by.",
    )
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

    @api.model_create_multi
    def create(self, vals_list):
        packages = super().create(vals_list)
        for package in packages.filtered(lambda p: not p.reference):
            package.reference = str(REFERENCE_BASE + package.id)
        return packages

    def _amazon_matches(self, shipped):
        """Whether Amazon's ``shipped`` package (order_mapper.ShippedPackage) is this one: the
        same reference, tracking number, items and units. A package the seller confirmed in
        Seller Central under the same reference is not."""
        self.ensure_one()
        sent = {item: int(units) for item, units in (self.item_quantities or {}).items()}
        return (
            shipped.reference == self.reference
            and (shipped.tracking_number or "").strip() == (self.tracking_number or "").strip()
            and shipped.items == sent
        )
