from collections import defaultdict

from odoo import models
from odoo.tools import float_compare

from ..services.fba_inventory import network_marketplaces, units_in_centres


class AmazonFbaInventory(models.AbstractModel):
    """Brings Amazon's FBA stock into the channel's FBA warehouse, for records and valuation.

    For each fulfilment network of the channel's marketplaces, getInventorySummaries pages
    through every FBA SKU; the units in Amazon's centres of each matched product become the
    quantity of the FBA warehouse's stock location (an inventory adjustment, so valuation
    follows). The seller's own warehouses are never touched, and no quantity goes to Amazon.
    """

    _name = "amazon.fba.inventory"
    _inherit = "amazon.sync.runner"
    _description = "Amazon FBA Stock Import"
    _sync_kind = "fba_inventory"

    def _interval(self, channel):
        return channel.fba_inventory_interval or 60

    def _serve_domain(self):
        return [*super()._serve_domain(), ("import_fba_inventory", "=", True)]

    def _pending(self, channel):
        if not channel.import_fba_inventory:
            return None
        networks = network_marketplaces(
            (m.country_id.code, m.amazon_id) for m in channel.marketplace_ids
        )
        return networks or None

    def _process(self, run, networks):
        units = defaultdict(int)
        for marketplace_id in networks.values():
            token = None
            while True:
                summaries, token = run.gateway.inventory_summaries(marketplace_id, token)
                for summary in summaries:
                    units[summary["sellerSku"]] += units_in_centres(summary)
                if not token:
                    break
        self._apply(run, units)

    def _summary(self, run):
        return self.env._(
            "%(updated)s product(s) changed in the FBA warehouse, %(skipped)s unchanged; "
            "%(failed)s SKU(s) without a stock-tracked product.",
            updated=run.counts["updated"],
            skipped=run.counts["skipped"],
            failed=run.counts["failed"],
        )

    def _apply(self, run, units):
        channel = run.channel
        Listing = self.env["amazon.listing"]
        listings = Listing.search([("channel_id", "=", channel.id), ("product_id", "!=", False)])
        products = {listing.sku: listing.product_id for listing in listings}
        products.update(Listing._amazon_product_by_reference(channel, set(units) - set(products)))
        location = self.env["amazon.order.builder"]._fba_warehouse(channel).lot_stock_id
        wanted = defaultdict(int)
        for sku, quantity in units.items():
            product = products.get(sku)
            if not product or not product.is_storable:
                run.log.add_message(
                    self.env._(
                        "FBA SKU %(sku)s has no stock-tracked product: link a product on its "
                        "listing (or track the product's stock) to count it.",
                        sku=sku,
                    ),
                    level="warning",
                    amazon_ref=sku,
                )
                run.counts["failed"] += 1
                continue
            wanted[product] += quantity
        Quant = self.env["stock.quant"].sudo()
        held = defaultdict(float)
        for quant in Quant.search([("location_id", "=", location.id)]):
            held[quant.product_id] += quant.quantity
        # A product Amazon no longer reports holds nothing there any more.
        for product in held:
            if product not in wanted and product in products.values():
                wanted[product] = 0
        changed = [
            p
            for p, q in wanted.items()
            if float_compare(held.get(p, 0.0), q, precision_rounding=p.uom_id.rounding)
        ]
        run.counts["skipped"] += len(wanted) - len(changed)
        if not changed:
            return
        quants = Quant.with_context(inventory_mode=True).create(
            [
                {"product_id": p.id, "location_id": location.id, "inventory_quantity": wanted[p]}
                for p in changed
            ]
        )
        quants.with_context(
            inventory_name=self.env._("Amazon FBA stock (%(channel)s)", channel=channel.name)
        )._apply_inventory()
        run.counts["updated"] += len(changed)
