import math
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import float_round

from ..services.listings_feed import BUSINESS_AUDIENCE, CONSUMER_AUDIENCE, OfferChange, Price

FULFILMENTS = [
    ("merchant", "Merchant"),
    ("amazon", "Amazon (FBA)"),
    ("both", "Merchant and Amazon"),
]


class AmazonListing(models.Model):
    """The seller's offer of a SKU in one marketplace of a channel, and the Odoo product it sells.

    It is matched to a product by SKU (orders find their product through it) and, for a
    merchant-fulfilled offer, carries Odoo's stock to Amazon; with a pricelist on the
    marketplace, the price too. ``quantity_sent`` and ``price_sent`` are what Amazon last
    accepted (or had when the listing was imported): only a difference from them is sent.
    """

    _name = "amazon.listing"
    _inherit = ["amazon.sync.mixin", "amazon.channel.record"]
    _description = "Amazon Listing"
    _order = "channel_id, sku, marketplace_id"
    _rec_name = "sku"

    channel_id = fields.Many2one("amazon.channel", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="channel_id.company_id", store=True)
    marketplace_id = fields.Many2one(
        "amazon.marketplace", required=True, ondelete="restrict", index=True
    )
    currency_id = fields.Many2one(related="marketplace_id.currency_id")
    sku = fields.Char(string="SKU", required=True, index=True)
    asin = fields.Char(string="ASIN", index=True)
    product_id = fields.Many2one(
        "product.product",
        ondelete="cascade",
        index=True,
        help="Empty while no product of yours matches the SKU: link one, and orders, stock "
        "and prices follow it.",
    )
    product_type = fields.Char(
        help="Amazon's product type of the SKU, learnt from Amazon; every update names it."
    )
    fulfillment = fields.Selection(
        FULFILMENTS,
        string="Fulfilled By",
        default="merchant",
        required=True,
        help="Amazon-fulfilled (FBA) stock is Amazon's: Odoo never sends a quantity for it. A "
        "SKU fulfilled both ways gets only its merchant quantity, leaving the FBA offer as is.",
    )
    active = fields.Boolean(default=True)
    sync_stock = fields.Boolean(
        string="Send Stock", default=True, help="Send Odoo's quantity for this offer."
    )
    sync_price = fields.Boolean(
        string="Send Price",
        default=True,
        help="Send the price of the marketplace's pricelist (set on the channel).",
    )
    price_floor = fields.Monetary(
        string="Lowest Price",
        help="No price below this is ever sent: it is refused with a reason instead.",
    )
    price_ceiling = fields.Monetary(
        string="Highest Price",
        help="No price above this is ever sent (0: no ceiling).",
    )
    quantity_sent = fields.Integer(string="Quantity on Amazon", readonly=True, copy=False)
    quantity_date = fields.Datetime(string="Quantity Accepted On", readonly=True, copy=False)
    price_sent = fields.Monetary(string="Price on Amazon", readonly=True, copy=False)
    business_price_sent = fields.Monetary(
        string="Business Price on Amazon", readonly=True, copy=False
    )
    price_date = fields.Datetime(string="Price Accepted On", readonly=True, copy=False)
    update_ids = fields.One2many("amazon.listing.update", "listing_id", string="Updates Sent")
    tax_id = fields.Many2one(
        "account.tax",
        domain="[('type_tax_use', '=', 'sale'), ('company_id', '=', company_id)]",
        help="The sales tax of this SKU when it is not the product's own, e.g. a reduced rate "
        "for books or food. Like the product's tax, it is mapped by the order's fiscal "
        "position (One-Stop-Shop sales get the ship-to country's matching rate).",
    )

    _sql_constraints = [
        (
            "sku_uniq",
            "unique(channel_id, marketplace_id, sku)",
            "A SKU can be listed once per channel and marketplace.",
        ),
    ]

    def write(self, vals):
        """A product linked to one offer of a SKU is the SKU's product in every marketplace."""
        result = super().write(vals)
        if "product_id" in vals and not self.env.context.get("amazon_linking"):
            for listing in self:
                siblings = self.search(
                    [
                        ("channel_id", "=", listing.channel_id.id),
                        ("sku", "=", listing.sku),
                        ("product_id", "!=", listing.product_id.id),
                        ("id", "!=", listing.id),
                    ]
                )
                siblings.with_context(amazon_linking=True).write(
                    {"product_id": listing.product_id.id}
                )
            self.filtered("product_id")._amazon_mark_to_send()
        return result

    # -- matching orders to products -------------------------------------------------------------

    @api.model
    def _amazon_tax(self, channel, sku):
        """The tax chosen on the SKU's listing, if any."""
        if not sku:
            return self.env["account.tax"]
        return self.search(
            [("channel_id", "=", channel.id), ("sku", "=", sku), ("tax_id", "!=", False)], limit=1
        ).tax_id

    def _amazon_match(self, channel, sku, asin, marketplace):
        """SKU in the channel's listings, then a product's internal reference, then the ASIN.

        A product found by internal reference is recorded as the marketplace's listing, so the
        next order finds it directly and the admin sees the link.
        """
        domain = [("channel_id", "=", channel.id), ("product_id", "!=", False)]
        if sku:
            # An archived listing still says which product the SKU is (it is only no longer
            # synchronised); the offer of this marketplace is recorded once.
            known = self.with_context(active_test=False).search(
                [("channel_id", "=", channel.id), ("sku", "=", sku)]
            )
            if known.product_id:
                return known.product_id[:1]
            product = self._amazon_product_by_reference(channel, [sku]).get(sku)
            if product and marketplace in known.marketplace_id:
                known.filtered(lambda listing: listing.marketplace_id == marketplace).write(
                    {"product_id": product.id}
                )
                return product
            if product:
                self.create(
                    {
                        "channel_id": channel.id,
                        "marketplace_id": marketplace.id,
                        "sku": sku,
                        "asin": asin,
                        "product_id": product.id,
                    }
                )
                return product
        if asin and channel.match_by_asin:
            listing = self.search([*domain, ("asin", "=", asin)], limit=1)
            if listing:
                return listing.product_id
        return self.env["product.product"]

    @api.model
    def _amazon_product_by_reference(self, channel, skus):
        """{sku: product} for the products whose internal reference is one of ``skus``."""
        products = self.env["product.product"].search(
            [
                ("default_code", "in", list(skus)),
                ("company_id", "in", [channel.company_id.id, False]),
            ]
        )
        found = {}
        for product in products:
            found.setdefault(product.default_code, product)
        return found

    # -- what Amazon should have -----------------------------------------------------------------

    def _amazon_mark_to_send(self):
        """Queue these listings for the next stock and price export (never calls Amazon)."""
        todo = self.filtered(
            lambda listing: (
                listing.active
                and listing.product_id
                and listing.amazon_sync_state != "to_send"
                and (listing.sync_stock or listing.sync_price)
            )
        )
        if todo:
            todo.sudo()._amazon_sync_set("to_send")
        return todo

    @api.model
    def _amazon_mark_products(self, products, what="stock"):
        """Stock (``what="stock"``) or prices (``"price"``) of ``products`` changed: queue
        their listings, and the listings of kits made of them. A listing whose product just
        sold out asks for an export at once."""
        products = products.sudo()
        if not products:
            return self
        if "bom_line_ids" in products._fields:
            kits = (
                self.env["mrp.bom.line"]
                .sudo()
                .search([("product_id", "in", products.ids), ("bom_id.type", "=", "phantom")])
                .bom_id
            )
            products |= kits.product_id | kits.product_tmpl_id.product_variant_ids
        domain = [("product_id", "in", products.ids), ("channel_id.active", "=", True)]
        if what == "stock":
            domain += [("sync_stock", "=", True), ("fulfillment", "!=", "amazon")]
        else:
            domain += [("sync_price", "=", True)]
        marked = self.sudo().search(domain)._amazon_mark_to_send()
        if what == "stock":
            sold_out = marked.filtered(lambda listing: listing.quantity_sent > 0)
            quantities = sold_out._amazon_quantities()
            urgent = sold_out.filtered(lambda listing: quantities[listing.id] == 0)
            if urgent:
                urgent.channel_id._request_run("listing_export")
        return marked

    def _amazon_sends_stock(self):
        self.ensure_one()
        return self.sync_stock and self.fulfillment != "amazon" and self.channel_id.export_stock

    def _amazon_sends_price(self):
        self.ensure_one()
        return self.sync_price and bool(self._amazon_settings().pricelist_id)

    def _amazon_settings(self):
        self.ensure_one()
        return self.channel_id._marketplace_settings(self.marketplace_id)

    def _amazon_warehouse(self):
        self.ensure_one()
        return self._amazon_settings().warehouse_id or self.channel_id.warehouse_id

    def _amazon_quantities(self):
        """{listing id: quantity Odoo can promise for it}: free to sell in the warehouse the
        marketplace ships from (on hand minus what is already promised to customers), minus
        the channel's buffer, never below 0; kits count complete kits (Odoo's mrp does);
        an archived or unsellable product has 0."""
        quantities = {}
        by_warehouse = {}
        for listing in self:
            by_warehouse.setdefault(listing._amazon_warehouse(), self.browse())
            by_warehouse[listing._amazon_warehouse()] |= listing
        for warehouse, listings in by_warehouse.items():
            products = listings.product_id.with_context(
                warehouse_id=warehouse.id, active_test=False
            )
            stock = products._compute_quantities_dict(None, None, None)
            for listing in listings:
                product = listing.product_id
                if not product.active or not product.sale_ok:
                    quantities[listing.id] = 0
                    continue
                levels = stock.get(product.id, {})
                free = levels.get("qty_available", 0.0) - levels.get("outgoing_qty", 0.0)
                free = math.floor(float_round(free, precision_rounding=product.uom_id.rounding))
                quantities[listing.id] = max(free - listing.channel_id.stock_buffer, 0)
        return quantities

    def _amazon_prices(self):
        """{listing id: (consumer price, business price, refusal)}: prices in the
        marketplace's currency from its pricelists; a price outside the listing's floor and
        ceiling (or not above 0) is not sent and the refusal says why."""
        found = {}
        for listing in self:
            settings = listing._amazon_settings()
            currency = listing.currency_id
            prices, refusal = {}, None
            for audience, pricelist in (
                (CONSUMER_AUDIENCE, settings.pricelist_id),
                (
                    BUSINESS_AUDIENCE,
                    listing.channel_id.business_prices and settings.business_pricelist_id,
                ),
            ):
                if not pricelist:
                    continue
                amount = pricelist._get_product_price(listing.product_id, 1.0, currency=currency)
                amount = currency.round(amount)
                refusal = refusal or listing._amazon_price_refusal(amount, pricelist)
                prices[audience] = amount
            found[listing.id] = (
                prices.get(CONSUMER_AUDIENCE),
                prices.get(BUSINESS_AUDIENCE),
                refusal,
            )
        return found

    def _amazon_price_refusal(self, amount, pricelist):
        self.ensure_one()
        values = {
            "price": self._amazon_format(amount),
            "pricelist": pricelist.display_name,
            "floor": self._amazon_format(self.price_floor),
            "ceiling": self._amazon_format(self.price_ceiling),
        }
        if amount <= 0:
            return self.env._(
                "Price %(price)s from pricelist %(pricelist)s is not above zero: not sent. "
                "Check the pricelist.",
                **values,
            )
        if self.price_floor and amount < self.price_floor:
            return self.env._(
                "Price %(price)s from pricelist %(pricelist)s is below this listing's lowest "
                "price %(floor)s: not sent. Check the pricelist, or lower the lowest price.",
                **values,
            )
        if self.price_ceiling and amount > self.price_ceiling:
            return self.env._(
                "Price %(price)s from pricelist %(pricelist)s is above this listing's highest "
                "price %(ceiling)s: not sent. Check the pricelist, or raise the highest price.",
                **values,
            )
        return None

    def _amazon_format(self, amount):
        return f"{amount:.{self.currency_id.decimal_places}f} {self.currency_id.name}"

    def _amazon_changes(self):
        """What each listing needs on Amazon: {listing id: Change} for those that differ from
        what Amazon last accepted (a quantity, prices, or a refused price)."""
        stock_listings = self.filtered(lambda listing: listing._amazon_sends_stock())
        quantities = stock_listings._amazon_quantities()
        prices = self.filtered(lambda listing: listing._amazon_sends_price())._amazon_prices()
        changes = {}
        for listing in self:
            quantity = quantities.get(listing.id)
            if quantity is not None and listing.quantity_date and quantity == listing.quantity_sent:
                quantity = None
            price, business_price, refusal = prices.get(listing.id, (None, None, None))
            offers = []
            if not refusal:
                for audience, amount, sent in (
                    (CONSUMER_AUDIENCE, price, listing.price_sent),
                    (BUSINESS_AUDIENCE, business_price, listing.business_price_sent),
                ):
                    if amount is not None and (
                        not listing.price_date or listing.currency_id.compare_amounts(amount, sent)
                    ):
                        offers.append(
                            Price(
                                listing.marketplace_id.amazon_id,
                                listing.currency_id.name,
                                Decimal(str(amount)),
                                audience,
                            )
                        )
            if quantity is not None or offers or refusal:
                changes[listing.id] = OfferChange(quantity, tuple(offers), refusal)
        return changes
