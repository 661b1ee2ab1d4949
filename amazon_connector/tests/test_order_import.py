import copy
import math
from decimal import Decimal

from odoo.sql_db import db_connect
from odoo.tests import tagged

from .common import SELLER_ID, AmazonEmulatorCase


@tagged("post_install", "-at_install", "amazon_connector")
class TestOrderImport(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.connect(import_fba=True)

    def test_500_orders_exact_totals_exactly_once(self):
        marketplaces = [
            "A1PA6795UKMFR9",
            "A1F83G8C2ARO7P",
            "A13V1IB3VIYZZH",
            "APJ6JRA9NG5V4",
            "A1RKKUPIHCS9HS",
        ]  # DE, GB, FR, IT, ES
        self.connect(marketplace_ids=marketplaces, import_fba=True)
        orders = self.seed_orders(520, seed=3, marketplace_ids=marketplaces)
        log = self.import_orders()
        self.assertEqual(log.state, "done", log.line_ids.mapped("message"))
        expected = self.expected_imports(orders)
        imported = self.env["sale.order"].search([("amazon_channel_id", "=", self.channel.id)])
        self.assertEqual(set(imported.mapped("amazon_order_ref")), expected)
        self.assertGreaterEqual(len(expected), 300)
        self.assertEqual(log.count_new, len(expected))
        by_ref = {o["orderId"]: o for o in orders}
        currencies, marketplaces = set(), set()
        for sale in imported:
            amazon = by_ref[sale.amazon_order_ref]
            self.assertEqual(
                Decimal(str(sale.amount_total)).quantize(Decimal("0.01")),
                self.grand_total(amazon).quantize(Decimal("0.01")),
                sale.amazon_order_ref,
            )
            self.assertEqual(
                sale.currency_id.name, amazon["proceeds"]["grandTotal"]["currencyCode"]
            )
            currencies.add(sale.currency_id.name)
            marketplaces.add(sale.amazon_marketplace_id.amazon_id)
        self.assertGreaterEqual(len(marketplaces), 3)
        self.assertEqual(currencies, {"EUR", "GBP"})
        # The read path: searchOrders pages only, nothing per order.
        self.assertEqual(self.emulator.calls("searchOrders"), math.ceil(len(orders) / 100))
        self.assertEqual(self.emulator.calls("getOrder"), 0)

        second = self.import_orders()
        self.assertEqual(second.count_new, 0)
        self.assertEqual(
            self.env["sale.order"].search_count([("amazon_channel_id", "=", self.channel.id)]),
            len(expected),
        )

    def test_order_facts_and_lines(self):
        orders = self.seed_orders(80, seed=5)
        self.import_orders()
        amazon = self.first_with(orders, "UNSHIPPED", "MERCHANT")
        sale = self.odoo_order(amazon["orderId"])
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.amazon_status, "UNSHIPPED")
        self.assertEqual(sale.client_order_ref, amazon["orderId"])
        self.assertEqual(sale.date_order.strftime("%Y-%m-%dT%H:%M:%SZ"), amazon["createdTime"])
        item_ids = {i["orderItemId"] for i in amazon["orderItems"]}
        self.assertEqual(
            set(
                sale.order_line.filtered(lambda line: line.amazon_line_kind == "item").mapped(
                    "amazon_order_item_id"
                )
            ),
            item_ids,
        )
        ordered = sum(i["quantityOrdered"] for i in amazon["orderItems"])
        self.assertEqual(
            sum(
                sale.order_line.filtered(lambda line: line.amazon_line_kind == "item").mapped(
                    "product_uom_qty"
                )
            ),
            ordered,
        )
        picking = sale.picking_ids
        self.assertEqual(len(picking), 1)
        latest = amazon["fulfillment"]["shipByWindow"]["latestDateTime"]
        self.assertEqual(picking.scheduled_date.strftime("%Y-%m-%dT%H:%M:%SZ"), latest)
        # No product has these SKUs: placeholder product and an activity for a person.
        self.assertIn(
            self.env.ref("amazon_connector.product_amazon_unmatched"),
            sale.order_line.product_id,
        )
        self.assertTrue(sale.activity_ids.filtered(lambda a: a.summary == "Products to check"))

    def test_taxes_as_amazon_charged_them(self):
        orders = self.seed_orders(120, seed=31)
        self.import_orders()
        imported = {
            o["orderId"]: o for o in orders if o["orderId"] in self.expected_imports(orders)
        }
        checked_gross = checked_net = 0
        for sale in self.env["sale.order"].search([("amazon_channel_id", "=", self.channel.id)]):
            amazon = imported[sale.amazon_order_ref]
            breakdowns = [b for i in amazon["orderItems"] for b in i["proceeds"]["breakdowns"]]
            amazon_tax = sum(
                Decimal(b["subtotal"]["amount"]) for b in breakdowns if b["type"] == "TAX"
            )
            if amazon_tax:  # a Business order: net prices, Amazon computed the tax
                odoo_tax = Decimal(str(sale.amount_tax)).quantize(Decimal("0.01"))
                self.assertEqual(odoo_tax, amazon_tax, sale.amazon_order_ref)
                self.assertFalse(any(sale.order_line.tax_id.mapped("price_include")))
                checked_net += 1
            elif sale.amazon_marketplace_id.country_id.code == "DE":
                # A seller whose chart has no German VAT: the statutory rate, created once
                # with a plain name, filed under the company's own country without tags.
                taxes = sale.order_line.tax_id
                self.assertEqual(taxes.mapped("name"), ["VAT 19% (DE) (incl.)"])
                self.assertTrue(taxes.price_include)
                self.assertEqual(taxes.tax_group_id.name, "VAT 19%")
                self.assertEqual(taxes.amazon_tax_country_id.code, "DE")
                self.assertEqual(taxes.country_id, self.env.company.account_fiscal_country_id)
                self.assertFalse(taxes.invoice_repartition_line_ids.tag_ids)
                checked_gross += 1
        self.assertTrue(checked_gross)
        self.assertTrue(checked_net)

    def test_products_matched_by_listing_then_internal_reference(self):
        orders = self.seed_orders(40, seed=9)
        priced = self.with_status(orders, "UNSHIPPED", "MERCHANT")
        first_sku = priced[0]["orderItems"][0]["product"]["sellerSku"]
        other_skus = {i["product"]["sellerSku"] for o in priced for i in o["orderItems"]} - {
            first_sku
        }
        listed = self.env["product.product"].create({"name": "Listed product"})
        self.env["amazon.listing"].create(
            {
                "channel_id": self.channel.id,
                "marketplace_id": self.channel.marketplace_ids[:1].id,
                "sku": first_sku,
                "product_id": listed.id,
            }
        )
        by_code = {
            sku: self.env["product.product"].create({"name": sku, "default_code": sku})
            for sku in other_skus
        }
        self.import_orders()
        for amazon in priced:
            sale = self.odoo_order(amazon["orderId"])
            for line in sale.order_line.filtered(lambda line: line.amazon_line_kind == "item"):
                expected = listed if line.amazon_sku == first_sku else by_code[line.amazon_sku]
                self.assertEqual(line.product_id, expected)
            self.assertFalse(sale.activity_ids)
        # Products found by internal reference are now listings of the channel.
        self.assertEqual(set(self.channel.listing_ids.mapped("sku")), {first_sku} | other_skus)

    def test_cancelled_on_amazon_before_shipping_cancels_order(self):
        orders = self.seed_orders(60, seed=13)
        self.import_orders()
        amazon = self.first_with(orders, "UNSHIPPED", "MERCHANT")
        sale = self.odoo_order(amazon["orderId"])
        self.assertEqual(sale.state, "sale")
        self.cancel_on_amazon(amazon["orderId"])
        log = self.import_orders()
        self.assertEqual(log.count_cancelled, 1)
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(sale.amazon_status, "CANCELLED")
        self.assertEqual(set(sale.picking_ids.mapped("state")), {"cancel"})

    def test_cancelled_after_shipping_flags_order_for_a_person(self):
        orders = self.seed_orders(60, seed=13)
        self.import_orders()
        amazon = self.first_with(orders, "UNSHIPPED", "MERCHANT")
        sale = self.odoo_order(amazon["orderId"])
        sale._amazon_deliver_all()  # the warehouse shipped it
        self.assertEqual(sale.picking_ids.state, "done")
        self.cancel_on_amazon(amazon["orderId"])
        log = self.import_orders()
        self.assertEqual(log.count_cancelled, 0)
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.amazon_status, "CANCELLED")
        self.assertTrue(
            sale.activity_ids.filtered(lambda a: a.summary == "Cancelled on Amazon after shipping")
        )

    def test_fba_orders_arrive_done_from_amazon_warehouse(self):
        orders = self.seed_orders(120, seed=21, fba_share=0.5)
        self.import_orders()
        fba = self.with_status(orders, "SHIPPED", "AMAZON")
        self.assertTrue(fba)
        own_stock = self.channel.warehouse_id.lot_stock_id
        for amazon in fba:
            sale = self.odoo_order(amazon["orderId"])
            self.assertEqual(sale.warehouse_id, self.channel.fba_warehouse_id)
            self.assertEqual(set(sale.picking_ids.mapped("state")), {"done"})
            self.assertNotEqual(sale.picking_ids.location_id, own_stock)

    def test_fba_orders_skipped_unless_enabled(self):
        self.channel.import_fba = False
        orders = self.seed_orders(80, seed=21, fba_share=0.5)
        self.import_orders()
        imported = self.env["sale.order"].search([("amazon_channel_id", "=", self.channel.id)])
        self.assertEqual(
            set(imported.mapped("amazon_order_ref")), self.expected_imports(orders, fba=False)
        )
        request = self.emulator.requests("searchOrders")[0]
        self.assertIn("MERCHANT", str(request["query"].get("fulfilledBy")))

    def test_personal_data_only_when_enabled(self):
        self.seed_orders(40, seed=2)
        self.import_orders()
        imported = self.env["sale.order"].search([("amazon_channel_id", "=", self.channel.id)])
        self.assertTrue(imported)
        self.assertFalse(any(imported.partner_id.mapped("email")))
        self.assertFalse(any(imported.partner_shipping_id.mapped("street")))

        self.channel.write({"personal_data_access": True, "import_high_water": False})
        with self.emulator.lock:
            self.emulator.orders.clear()
        fresh = self.seed_orders(40, seed=4)
        self.import_orders()
        amazon = next(
            o
            for o in fresh
            if o["orderId"] in self.expected_imports(fresh) and o.get("buyer", {}).get("buyerEmail")
        )
        sale = self.odoo_order(amazon["orderId"])
        self.assertEqual(sale.partner_id.email, amazon["buyer"]["buyerEmail"])
        address = amazon["recipient"]["deliveryAddress"]
        self.assertEqual(sale.partner_shipping_id.street, address["addressLine1"])
        self.assertEqual(sale.partner_shipping_id.country_id.code, address["countryCode"])

    def test_bad_order_is_logged_and_the_others_import(self):
        orders = self.seed_orders(30, seed=8)
        target = next(o for o in orders if o["orderId"] in self.expected_imports(orders))
        broken = copy.deepcopy(target)
        broken["proceeds"]["grandTotal"]["amount"] = str(self.grand_total(target) + 1)
        self.emulator.load_orders(SELLER_ID, [broken])
        log = self.import_orders()
        self.assertEqual(log.state, "partial")
        self.assertEqual(log.count_failed, 1)
        self.assertEqual(log.count_new, len(self.expected_imports(orders)) - 1)
        message = log.line_ids.filtered(lambda line: line.amazon_ref == target["orderId"])
        self.assertIn("add up to", message.message)
        self.assertFalse(self.odoo_order(target["orderId"]))

    def test_interrupted_run_resumes_to_the_same_orders(self):
        orders = self.seed_orders(350, seed=17)
        expected = self.expected_imports(orders)
        # Page 1 answers; page 2 keeps failing until the run gives up, as in an outage.
        self.emulator.faults.script("searchOrders", ["none"] + ["503"] * 10)
        first = self.import_orders()
        self.assertEqual(first.state, "failed")
        self.assertFalse(self.channel.import_high_water)
        partial = self.env["sale.order"].search_count([("amazon_channel_id", "=", self.channel.id)])
        self.assertGreater(partial, 0)
        self.assertLess(partial, len(expected))
        self.emulator.faults.clear()
        second = self.import_orders()
        self.assertEqual(second.state, "done")
        imported = self.env["sale.order"].search([("amazon_channel_id", "=", self.channel.id)])
        self.assertEqual(sorted(imported.mapped("amazon_order_ref")), sorted(expected))
        self.assertEqual(second.count_new, len(expected) - partial)

    def test_throttling_waits_and_loses_nothing(self):
        orders = self.seed_orders(250, seed=19)
        # Amazon's clock runs 50x: the 429's rate header tells the client to wait ~4 s, not
        # three minutes, and pagination tokens (24 h emulated) still outlive the run.
        self.emulator.clock.set_speed(50)
        self.emulator.faults.script("searchOrders", ["429", "429", "429"])
        log = self.import_orders()
        self.emulator.clock.set_speed(1)
        self.assertEqual(log.state, "done")
        imported = self.env["sale.order"].search([("amazon_channel_id", "=", self.channel.id)])
        self.assertEqual(set(imported.mapped("amazon_order_ref")), self.expected_imports(orders))

    def test_revoked_authorisation_stops_and_tells_admin(self):
        self.seed_orders(10, seed=1)
        self.emulator.add_seller(
            "A1REVOKEDIMPORT",
            "Revoked",
            ["A1PA6795UKMFR9"],
            client_id="amzn1.application-oa2-client.test",
            client_secret="test-client-secret",
            refresh_token="Atzr|revoked-import",
        )
        self.emulator.revoke_refresh_token("Atzr|revoked-import")
        self.channel.write({"refresh_token": "Atzr|revoked-import", "state": "connected"})
        log = self.import_orders()
        self.assertEqual(log.state, "failed")
        self.assertEqual(self.channel.state, "reauthorize")
        self.assertTrue(self.channel.activity_ids)

    def test_second_run_on_a_locked_channel_is_skipped(self):
        with db_connect(self.env.cr.dbname).cursor() as other:
            other.execute("SELECT pg_try_advisory_lock(%s, %s)", (0x414D5A, self.channel.id))
            self.assertTrue(other.fetchone()[0])
            self.assertIsNone(self.import_orders())
            other.execute("SELECT pg_advisory_unlock(%s, %s)", (0x414D5A, self.channel.id))
        self.assertTrue(self.import_orders())

    def test_ignore_orders_before_and_window(self):
        orders = self.seed_orders(60, seed=23)
        expected = self.expected_imports(orders)
        cutoff = sorted(o["createdTime"] for o in orders if o["orderId"] in expected)[
            len(expected) // 2
        ]
        self.channel.ignore_orders_before = cutoff.replace("T", " ").replace("Z", "")
        self.import_orders()
        imported = self.env["sale.order"].search([("amazon_channel_id", "=", self.channel.id)])
        self.assertTrue(imported)
        self.assertTrue(
            all(s.amazon_purchase_date >= self.channel.ignore_orders_before for s in imported)
        )
        self.assertLess(len(imported), len(expected))
        request = self.emulator.requests("searchOrders")[0]["query"]
        before = str(request.get("lastUpdatedBefore"))
        self.assertTrue(before)

    def test_rescan_imports_what_the_incremental_run_missed(self):
        self.seed_orders(30, seed=27)
        self.import_orders()
        # Orders Amazon wrote late: last changed well behind the high-water mark.
        late = self.seed_orders(40, seed=28, days=2)
        late_ids = self.expected_imports(late)
        self.assertTrue(late_ids)
        with self.emulator.lock:
            for order in late:
                stored = self.emulator.orders[order["orderId"]]
                stored["lastUpdatedTime"] = stored["createdTime"]
        incremental = self.import_orders()
        self.assertEqual(incremental.count_new, 0)
        rescan = self.import_orders(rescan=True)
        self.assertEqual(rescan.count_new, len(late_ids))
        self.assertIn("had been missed", rescan.summary)
        self.assertTrue(all(self.odoo_order(ref) for ref in late_ids))
