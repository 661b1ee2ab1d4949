"""Stock and prices on Amazon follow Odoo: listing import, stock and price export, FBA stock."""

import json
from datetime import timedelta
from decimal import Decimal

from odoo.tests import tagged

from spapi_emulator.generator import generate_orders
from spapi_emulator.ops.feeds import process_due_feeds
from spapi_emulator.ops.listings import make_listing, price_of, quantity_of

from .common import SELLER_ID, AmazonEmulatorCase

DE, GB, FR = "A1PA6795UKMFR9", "A1F83G8C2ARO7P", "A13V1IB3VIYZZH"


@tagged("post_install", "-at_install")
class TestListings(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        with self.emulator.lock:
            self.emulator.listings.clear()
            self.emulator.fba_inventory.clear()
            self.emulator.feeds.clear()
        self.emulator.feed_delays = (30, 90)
        self.warehouse = self.channel.warehouse_id
        self.Listing = self.env["amazon.listing"]

    # -- helpers ----------------------------------------------------------------------------

    def products_for(self, skus):
        """Stock-tracked products whose internal reference is the SKU."""
        products = self.env["product.product"].create(
            [{"name": f"Product {sku}", "default_code": sku, "is_storable": True} for sku in skus]
        )
        return {product.default_code: product for product in products}

    def put_stock(self, quantities, location=None):
        """Set on-hand quantities as an inventory adjustment (stock moves done)."""
        location = location or self.warehouse.lot_stock_id
        quants = (
            self.env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                [
                    {"product_id": p.id, "location_id": location.id, "inventory_quantity": q}
                    for p, q in quantities.items()
                ]
            )
        )
        quants._apply_inventory()

    def on_amazon(self, sku):
        return self.emulator.listings[(SELLER_ID, sku)]

    def import_listings(self):
        return self.env["amazon.listing.importer"]._run(self.channel)

    def export(self):
        return self.env["amazon.listing.exporter"]._run(self.channel)

    def let_amazon_process(self):
        self.emulator.clock.advance(150)
        process_due_feeds(self.emulator)

    def feed_documents(self):
        """The JSON documents of the listings feeds created, in order."""
        feeds = sorted(self.emulator.feeds.values(), key=lambda f: f["createdTime"])
        return [
            json.loads(self.emulator.documents[f["inputFeedDocumentId"]]["content"])
            for f in feeds
            if f["feedType"] == "JSON_LISTINGS_FEED"
        ]

    def merchant_quantity(self, sku):
        return quantity_of(self.on_amazon(sku))

    def single_item_order(self, seed):
        """A generated unshipped merchant-fulfilled order of Amazon.de with one item."""
        orders = generate_orders(
            seed=seed,
            count=80,
            seller_id=SELLER_ID,
            marketplace_ids=[DE],
            now=self.emulator.clock.now() - timedelta(hours=1),
            days=5,
        )
        return next(
            o
            for o in self.with_status(orders, "UNSHIPPED", "MERCHANT")
            if len(o["orderItems"]) == 1
        )

    def list_on_amazon(self, sku, quantity, marketplace_ids=(DE,), product_type="HOME"):
        """A merchant-fulfilled offer of ``sku`` on Amazon."""
        make_listing(
            self.emulator,
            SELLER_ID,
            sku,
            product_type,
            {
                "fulfillment_availability": [
                    {"fulfillment_channel_code": "DEFAULT", "quantity": quantity}
                ]
            },
            list(marketplace_ids),
        )

    # -- the import -------------------------------------------------------------------------

    def test_import_matches_by_sku_and_keeps_the_unmatched(self):
        self.connect(marketplace_ids=[DE, GB])
        skus = self.emulator.seed_listings(SELLER_ID, seed=3, count=40, marketplace_ids=[DE, GB])
        matched = skus[:30]
        self.products_for(matched)
        log = self.import_listings()
        self.assertEqual(log.state, "done", log.summary)
        listings = self.Listing.search([("channel_id", "=", self.channel.id)])
        self.assertEqual(len(listings), 80, "one listing per SKU and marketplace")
        self.assertEqual(set(listings.filtered("product_id").mapped("sku")), set(matched))
        unmatched = listings.filtered(lambda listing: not listing.product_id)
        self.assertEqual(set(unmatched.mapped("sku")), set(skus[30:]))
        self.assertEqual(
            set(log.line_ids.filtered(lambda line: line.level == "warning").mapped("amazon_ref")),
            set(skus[30:]),
        )
        for listing in listings:
            amazon = self.on_amazon(listing.sku)
            self.assertEqual(listing.product_type, amazon["productType"])
            self.assertEqual(listing.asin, amazon["asin"])
            channels = {
                e["fulfillment_channel_code"]
                for e in amazon["attributes"]["fulfillment_availability"]
            }
            expected = "merchant" if channels == {"DEFAULT"} else "amazon"
            self.assertEqual(listing.fulfillment, expected, listing.sku)
            if expected == "merchant":
                self.assertEqual(listing.quantity_sent, quantity_of(amazon))
            price = price_of(amazon, listing.marketplace_id.amazon_id)
            self.assertAlmostEqual(listing.price_sent, float(price[0]))
        # Linking a product on one marketplace's offer links the SKU's other offers.
        product = self.env["product.product"].create({"name": "Linked", "is_storable": True})
        de_offer = unmatched.filtered(lambda listing: listing.marketplace_id.amazon_id == DE)[0]
        de_offer.product_id = product
        siblings = unmatched.filtered(lambda listing: listing.sku == de_offer.sku)
        self.assertEqual(siblings.product_id, product)
        # A second import changes nothing and creates nothing.
        again = self.import_listings()
        self.assertEqual((again.count_new, again.count_updated), (0, 0))

    def test_orders_link_unmatched_listings_and_still_find_archived_ones(self):
        self.connect()
        order = self.single_item_order(seed=22)
        sku = order["orderItems"][0]["product"]["sellerSku"]
        self.list_on_amazon(sku, 3)
        self.import_listings()
        listing = self.Listing.search([("sku", "=", sku)])
        self.assertFalse(listing.product_id, "no product had the SKU yet")
        product = self.products_for([sku])[sku]
        self.emulator.load_orders(SELLER_ID, [order])
        self.import_orders()
        self.assertIn(product, self.odoo_order(order["orderId"]).order_line.product_id)
        self.assertEqual(self.Listing.search([("sku", "=", sku)]), listing, "linked, not doubled")
        self.assertEqual(listing.product_id, product)
        listing.action_archive()
        de = listing.marketplace_id
        self.assertEqual(self.Listing._amazon_match(self.channel, sku, None, de), product)
        self.assertEqual(
            self.Listing.with_context(active_test=False).search_count([("sku", "=", sku)]), 1
        )

    def test_an_interrupted_import_carries_on_where_it_stopped(self):
        self.connect(marketplace_ids=[DE])
        self.emulator.set_rate_limit("searchListingsItems", 50, 50)
        skus = self.emulator.seed_listings(SELLER_ID, seed=12, count=1200, fba_share=0.3)
        # Amazon fails for good after 30 pages (600 listings).
        self.emulator.faults.script("searchListingsItems", ["none"] * 30 + ["503"] * 10)
        stopped = self.import_listings()
        self.assertEqual(stopped.state, "failed", stopped.summary)
        self.assertEqual(stopped.count_new, 600)
        self.assertTrue(self.channel.listing_import_resume)
        self.emulator.faults.clear()
        self.emulator.reset_calls()
        resumed = self.import_listings()
        self.assertEqual(resumed.state, "done", resumed.summary)
        self.assertLess(self.emulator.calls("searchListingsItems"), 35, "not from the start")
        self.assertFalse(self.channel.listing_import_resume)
        listings = self.Listing.search([("channel_id", "=", self.channel.id)])
        self.assertEqual(sorted(listings.mapped("sku")), sorted(skus), "each SKU once")

    # -- stock ------------------------------------------------------------------------------

    def test_2000_listings_300_changed_go_in_one_feed(self):
        self.connect(marketplace_ids=[DE])
        self.emulator.set_rate_limit("searchListingsItems", 50, 50)
        skus = self.emulator.seed_listings(
            SELLER_ID, seed=11, count=2000, marketplace_ids=[DE], fba_share=0.3, dual_share=0.2
        )
        products = self.products_for(skus)
        merchant = [s for s in skus if self.merchant_quantity(s) is not None]
        fba_only = [s for s in skus if self.merchant_quantity(s) is None]
        dual = [
            s
            for s in merchant
            if len(self.on_amazon(s)["attributes"]["fulfillment_availability"]) > 1
        ]
        self.assertTrue(fba_only and dual)
        self.put_stock({products[s]: self.merchant_quantity(s) for s in merchant})

        log = self.import_listings()
        self.assertEqual(log.count_new, 2000, log.summary)
        self.assertGreater(self.emulator.calls("searchListingsItems"), 100, "two searches")
        first = self.export()
        self.assertEqual(first.count_skipped, 2000, first.summary)
        self.assertEqual(self.emulator.calls("createFeed"), 0, "Amazon already had it all")

        changed = merchant[:300]
        self.assertTrue(set(dual) & set(changed))
        self.put_stock(
            {
                **{products[s]: self.merchant_quantity(s) + 5 for s in changed},
                **{products[s]: 40 for s in fba_only[:20]},  # FBA SKUs' own stock moves too
            }
        )
        # The seller closed three of these offers in Seller Central meanwhile.
        closed = [s for s in changed if s not in dual][:3]
        kept = [s for s in changed if s not in closed]
        fba_before = {s: self.on_amazon(s)["attributes"]["fulfillment_availability"] for s in dual}
        with self.emulator.lock:
            for sku in closed:
                del self.emulator.listings[(SELLER_ID, sku)]

        self.export()
        self.assertEqual(self.emulator.calls("createFeed"), 1)
        self.assertEqual(self.emulator.calls("patchListingsItem"), 0)
        (document,) = self.feed_documents()
        self.assertEqual(len(document["messages"]), 300)
        self.assertEqual({m["sku"] for m in document["messages"]}, set(changed))
        self.assertFalse({m["sku"] for m in document["messages"]} & set(fba_only))
        waiting = self.Listing.search([("amazon_sync_state", "=", "waiting")])
        self.assertEqual(len(waiting), 300)

        self.let_amazon_process()
        settled = self.export()
        self.assertEqual((settled.count_sent, settled.count_failed), (297, 3), settled.summary)
        for sku in kept:
            self.assertEqual(self.merchant_quantity(sku), products[sku].qty_available)
            listing = self.Listing.search([("sku", "=", sku)])
            self.assertEqual(listing.amazon_sync_state, "accepted")
            self.assertEqual(listing.quantity_sent, products[sku].qty_available)
        for sku in closed:
            listing = self.Listing.search([("sku", "=", sku)])
            self.assertEqual(listing.amazon_sync_state, "rejected")
            self.assertIn("closed or deleted in Seller Central", listing.amazon_sync_message)
            self.assertIn("SKU_NOT_FOUND", listing.amazon_sync_message)
            self.assertEqual(listing.update_ids.amazon_sync_state, "rejected")
        # The FBA half of SKUs sold both ways kept its stock on Amazon.
        for sku in set(dual) & set(kept):
            after = self.on_amazon(sku)["attributes"]["fulfillment_availability"]
            fba = [e for e in fba_before[sku] if e["fulfillment_channel_code"] != "DEFAULT"]
            self.assertTrue(fba)
            for entry in fba:
                self.assertIn(entry, after)

    def test_a_large_export_shows_its_progress_while_it_works(self):
        """2,300 listings: worked out in three chunks, then sent; the progress goes to Odoo's
        scheduled-action progress and to the channel, and ends with the run."""
        self.connect(marketplace_ids=[DE])
        self.emulator.set_rate_limit("searchListingsItems", 50, 50)
        skus = self.emulator.seed_listings(
            SELLER_ID, seed=12, count=2300, marketplace_ids=[DE], fba_share=0
        )
        products = self.products_for(skus)
        self.put_stock({products[s]: self.merchant_quantity(s) for s in skus})
        self.import_listings()
        cron = self.channel.cron_id
        exporter = self.env["amazon.listing.exporter"]

        def export_as_cron():
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            log = exporter.with_context(ir_cron_progress_id=progress.id)._run(self.channel)
            return log, (progress.done, progress.remaining)

        log, progress = export_as_cron()
        self.assertEqual(log.count_skipped, 2300, log.summary)
        self.assertEqual(progress, (4600, 0), "each listing worked out and found in step")

        self.put_stock({products[s]: self.merchant_quantity(s) + 5 for s in skus})
        # Amazon fails createFeedDocument beyond the gateway's retries: the run stops once
        # every listing is worked out, before any is sent.
        self.emulator.faults.script("createFeedDocument", ["500"] * 7)
        log, progress = export_as_cron()
        self.assertEqual(log.state, "failed", log.summary)
        self.assertEqual(progress, (2300, 2300), "worked out, not sent")
        self.assertEqual(self.channel.listing_export_progress, 0, "it ends with the run")

        self.emulator.faults.clear()
        log, progress = export_as_cron()
        self.assertEqual(progress, (4600, 0), "worked out, then recorded in the feed")
        self.assertEqual(self.emulator.calls("createFeed"), 1, log.summary)
        (document,) = self.feed_documents()
        self.assertEqual(len(document["messages"]), 2300)
        waiting = self.Listing.search([("amazon_sync_state", "=", "waiting")])
        self.assertEqual(len(waiting), 2300)
        self.assertEqual(
            sorted(waiting.update_ids.mapped("message_ref")), list(range(1, 2301)), "one each"
        )
        self.assertEqual(self.channel.listing_export_progress, 0)

    def test_progress_chunks_never_split_a_sku(self):
        self.connect(marketplace_ids=[DE, FR])
        skus = [f"SKU-{n:04d}" for n in range(600)]
        products = self.products_for(skus)
        marketplaces = self.channel.marketplace_ids
        listings = self.Listing.create(
            [
                {
                    "channel_id": self.channel.id,
                    "sku": sku,
                    "marketplace_id": marketplace.id,
                    "product_id": products[sku].id,
                }
                for sku in skus
                for marketplace in marketplaces
            ]
        ).sorted(lambda listing: (listing.sku, listing.id))
        chunks = list(self.env["amazon.listing.exporter"]._chunks_by_sku(listings))
        self.assertEqual([len(chunk) for chunk in chunks], [1000, 200])
        self.assertEqual(sum(chunks, self.Listing), listings)
        # Shifted by one offer, the 1,000th and 1,001st are SKU-0500's two: they stay together.
        shifted = listings[1:]
        chunks = list(self.env["amazon.listing.exporter"]._chunks_by_sku(shifted))
        self.assertEqual([len(chunk) for chunk in chunks], [1001, 198])
        self.assertEqual(chunks[0][-2:].mapped("sku"), ["SKU-0500", "SKU-0500"])
        self.assertNotEqual(chunks[0][-1].sku, chunks[1][0].sku)

    def test_the_last_unit_sold_goes_to_zero_within_one_run(self):
        self.connect()
        order = self.single_item_order(seed=21)
        item = order["orderItems"][0]
        sku, units = item["product"]["sellerSku"], item["quantityOrdered"]
        product = self.products_for([sku])[sku]
        self.put_stock({product: units})
        self.list_on_amazon(sku, units)
        self.import_listings()
        self.export()
        self.assertEqual(self.emulator.calls("patchListingsItem"), 0)
        self.emulator.load_orders(SELLER_ID, [order])
        self.emulator.reset_calls()
        self.import_orders()
        sale = self.odoo_order(order["orderId"])
        self.assertEqual(sale.state, "sale")
        listing = self.Listing.search([("sku", "=", sku)])
        self.assertEqual(listing.amazon_sync_state, "to_send")
        self.assertTrue(self.channel._sync_schedule("listing_export").requested, "urgent run")
        self.assertEqual(
            self.emulator.calls("patchListingsItem"), 0, "not in the user's transaction"
        )

        self.export()
        self.assertEqual(self.merchant_quantity(sku), 0)
        self.assertEqual(self.emulator.calls("patchListingsItem"), 1)
        self.assertEqual(self.emulator.calls("createFeed"), 0)
        self.assertEqual(listing.amazon_sync_state, "accepted")
        self.assertEqual((listing.quantity_sent, listing.update_ids.via), (0, "patch"))

    def test_buffer_archived_and_unsellable_products(self):
        self.connect(marketplace_ids=[DE], stock_buffer=2)
        skus = self.emulator.seed_listings(SELLER_ID, seed=5, count=12, fba_share=0)
        products = self.products_for(skus)
        self.put_stock({products[s]: 10 for s in skus})
        self.import_listings()
        self.export()
        self.let_amazon_process()
        self.export()
        self.assertEqual({self.merchant_quantity(s) for s in skus}, {8}, "10 minus the buffer")
        products[skus[0]].action_archive()
        products[skus[1]].sale_ok = False
        self.put_stock({products[skus[2]]: 1})  # below the buffer: 0, never negative
        self.export()
        self.let_amazon_process()
        self.export()
        self.assertEqual([self.merchant_quantity(s) for s in skus[:4]], [0, 0, 0, 8])

    def test_marketplaces_shipped_from_another_warehouse_get_its_stock(self):
        self.connect(marketplace_ids=[DE, GB])
        uk_warehouse = self.env["stock.warehouse"].create({"name": "Coventry", "code": "COV"})
        gb = self.channel.marketplace_ids.filtered(lambda m: m.amazon_id == GB)
        self.channel.marketplace_setting_ids = [
            (0, 0, {"marketplace_id": gb.id, "warehouse_id": uk_warehouse.id})
        ]
        skus = self.emulator.seed_listings(
            SELLER_ID, seed=9, count=4, marketplace_ids=[DE, GB], fba_share=0
        )
        products = self.products_for(skus)
        self.put_stock(dict.fromkeys(products.values(), 30))
        self.put_stock(dict.fromkeys(products.values(), 6), uk_warehouse.lot_stock_id)
        self.import_listings()
        self.export()
        documents = self.feed_documents()
        self.assertEqual(len(documents), 2, "one feed per warehouse")
        feeds = sorted(
            (f for f in self.emulator.feeds.values() if f["feedType"] == "JSON_LISTINGS_FEED"),
            key=lambda f: f["createdTime"],
        )
        sent = {}
        for feed, document in zip(feeds, documents, strict=True):
            (marketplace,) = feed["marketplaceIds"]
            for message in document["messages"]:
                (patch,) = message["patches"]
                sent[(message["sku"], marketplace)] = patch["value"][0]["quantity"]
        self.assertEqual(sent, {**{(s, DE): 30 for s in skus}, **{(s, GB): 6 for s in skus}})

    def test_a_feed_amazon_no_longer_knows_is_sent_again(self):
        self.connect(marketplace_ids=[DE])
        skus = self.emulator.seed_listings(SELLER_ID, seed=6, count=5, fba_share=0)
        products = self.products_for(skus)
        self.put_stock(dict.fromkeys(products.values(), 17))
        self.import_listings()
        self.export()
        lost = self.env["amazon.feed"].search([("feed_type", "=", "JSON_LISTINGS_FEED")])
        self.assertEqual(lost.amazon_sync_state, "waiting")
        with self.emulator.lock:
            self.emulator.feeds.clear()  # e.g. past Amazon's 90 days, or another Amazon
        log = self.export()
        self.assertEqual(log.state, "done", log.summary)
        self.assertEqual(lost.amazon_sync_state, "cancelled")
        self.assertEqual(self.emulator.calls("createFeed"), 2, "its listings went again")
        self.let_amazon_process()
        self.export()
        self.assertEqual({self.merchant_quantity(s) for s in skus}, {17})

    def test_a_kit_follows_its_scarcest_component(self):
        self.connect(marketplace_ids=[DE])
        bolts, plates, kit = self.env["product.product"].create(
            [
                {"name": "Bolt", "is_storable": True},
                {"name": "Plate", "is_storable": True},
                {"name": "Shelf kit", "default_code": "SHELF-KIT"},
            ]
        )
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": kit.product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [
                    (0, 0, {"product_id": bolts.id, "product_qty": 4}),
                    (0, 0, {"product_id": plates.id, "product_qty": 2}),
                ],
            }
        )
        self.put_stock({bolts: 40, plates: 7})  # 10 kits of bolts, 3 of plates
        self.list_on_amazon("SHELF-KIT", 0)
        self.import_listings()
        self.export()
        self.let_amazon_process()
        self.export()
        self.assertEqual(self.merchant_quantity("SHELF-KIT"), 3)
        self.put_stock({bolts: 9})  # now bolts are scarcest: 2 kits
        listing = self.Listing.search([("sku", "=", "SHELF-KIT")])
        self.assertEqual(listing.amazon_sync_state, "to_send", "a component's move marks the kit")
        self.export()
        self.let_amazon_process()
        self.export()
        self.assertEqual(self.merchant_quantity("SHELF-KIT"), 2)

    # -- prices -----------------------------------------------------------------------------

    def test_pricelist_change_sends_prices_per_marketplace_and_respects_the_floor(self):
        self.connect(marketplace_ids=[DE, GB])
        gbp = self.env.ref("base.GBP")
        gbp.active = True
        eur = self.env.ref("base.EUR")
        skus = self.emulator.seed_listings(
            SELLER_ID, seed=8, count=3, marketplace_ids=[DE, GB], fba_share=0
        )
        products = self.products_for(skus)
        self.put_stock({p: self.merchant_quantity(s) for s, p in products.items()})
        pricelists = self.env["product.pricelist"].create(
            [
                {"name": "Amazon DE", "currency_id": eur.id},
                {"name": "Amazon UK", "currency_id": gbp.id},
            ]
        )
        business = self.env["product.pricelist"].create(
            {"name": "Amazon Business DE", "currency_id": eur.id}
        )
        marketplaces = {m.amazon_id: m for m in self.channel.marketplace_ids}
        self.channel.business_prices = True
        self.channel.marketplace_setting_ids = [
            (
                0,
                0,
                {
                    "marketplace_id": marketplaces[DE].id,
                    "pricelist_id": pricelists[0].id,
                    "business_pricelist_id": business.id,
                },
            ),
            (0, 0, {"marketplace_id": marketplaces[GB].id, "pricelist_id": pricelists[1].id}),
        ]

        def fixed(pricelist, amounts):
            self.env["product.pricelist.item"].create(
                [
                    {
                        "pricelist_id": pricelist.id,
                        "applied_on": "0_product_variant",
                        "product_id": products[sku].id,
                        "compute_price": "fixed",
                        "fixed_price": amount,
                    }
                    for sku, amount in amounts.items()
                ]
            )

        fixed(pricelists[0], dict.fromkeys(skus, 24.90))
        fixed(pricelists[1], dict.fromkeys(skus, 21.50))
        fixed(business, dict.fromkeys(skus, 20.50))
        self.import_listings()
        self.export()
        self.let_amazon_process()
        self.export()
        for sku in skus:
            self.assertEqual(price_of(self.on_amazon(sku), DE), (Decimal("24.9"), "EUR"))
            self.assertEqual(price_of(self.on_amazon(sku), GB), (Decimal("21.5"), "GBP"))
            b2b = [
                (o["currency"], o["our_price"][0]["schedule"][0]["value_with_tax"])
                for o in self.on_amazon(sku)["attributes"]["purchasable_offer"]
                if o.get("audience") == "B2B"
            ]
            self.assertEqual(b2b, [("EUR", 20.5)], "the business price, in DE only")

        floored = self.Listing.search(
            [("sku", "=", skus[2]), ("marketplace_id.amazon_id", "=", GB)]
        )
        floored.price_floor = 15.0
        calls_before = self.emulator.calls("createFeed")
        pricelists[1].item_ids.filtered(
            lambda i: i.product_id == products[skus[2]]
        ).fixed_price = 0.01
        pricelists[0].item_ids.write({"fixed_price": 26.00})
        pricelists[1].item_ids.filtered(lambda i: i.product_id != products[skus[2]]).write(
            {"fixed_price": 23.00}
        )
        self.export()
        self.assertEqual(self.emulator.calls("createFeed"), calls_before + 1)
        document = self.feed_documents()[-1]
        offers = {
            (m["sku"], o["marketplace_id"]): (
                o["currency"],
                o["our_price"][0]["schedule"][0]["value_with_tax"],
            )
            for m in document["messages"]
            for p in m["patches"]
            if p["path"] == "/attributes/purchasable_offer"
            for o in p["value"]
        }
        self.assertEqual(offers[(skus[0], DE)], ("EUR", 26.0))
        self.assertEqual(offers[(skus[0], GB)], ("GBP", 23.0))
        self.assertNotIn((skus[2], GB), offers, "nothing is sent for a price below the floor")
        self.assertEqual(floored.amazon_sync_state, "rejected")
        self.assertIn("below this listing's lowest price", floored.amazon_sync_message)
        self.let_amazon_process()
        self.export()
        self.assertEqual(price_of(self.on_amazon(skus[1]), GB), (Decimal("23.0"), "GBP"))
        self.assertEqual(price_of(self.on_amazon(skus[2]), DE), (Decimal("26.0"), "EUR"))
        self.assertEqual(
            price_of(self.on_amazon(skus[2]), GB), (Decimal("21.5"), "GBP"), "unchanged"
        )
        self.assertEqual(floored.amazon_sync_state, "rejected")

    # -- FBA stock --------------------------------------------------------------------------

    def test_fba_stock_lands_in_the_fba_warehouse_only(self):
        self.connect(marketplace_ids=[DE, FR], import_fba_inventory=True)
        skus = self.emulator.seed_listings(SELLER_ID, seed=4, count=15, fba_share=1)
        products = self.products_for(skus)
        self.put_stock(dict.fromkeys(products.values(), 7))
        self.emulator.set_fba_inventory(SELLER_ID, skus[0], fulfillable=12, channel="AMAZON_EU")
        log = self.env["amazon.fba.inventory"]._run(self.channel)
        self.assertEqual(log.state, "done", log.summary)
        fba_location = self.channel.fba_warehouse_id.lot_stock_id
        self.assertTrue(fba_location)
        own_location = self.warehouse.lot_stock_id
        for sku, product in products.items():
            record = self.emulator.fba_inventory[(SELLER_ID, sku, "AMAZON_EU")]
            details = record["details"]
            expected = (
                details["fulfillableQuantity"]
                + details["reservedQuantity"]["totalReservedQuantity"]
                + details["researchingQuantity"]["totalResearchingQuantity"]
                + details["unfulfillableQuantity"]["totalUnfulfillableQuantity"]
            )
            self.assertEqual(
                product.with_context(location=fba_location.id).qty_available, expected, sku
            )
            self.assertEqual(product.with_context(location=own_location.id).qty_available, 7)
        self.assertEqual(self.emulator.calls("patchListingsItem"), 0)
        self.assertEqual(self.emulator.calls("createFeed"), 0)
        again = self.env["amazon.fba.inventory"]._run(self.channel)
        self.assertEqual((again.count_updated, again.count_skipped), (0, 15))
