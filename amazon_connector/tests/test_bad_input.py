"""Malformed orders from Amazon, over HTTP through the emulator: each one is refused with a
readable reason on the sync log, naming the order and the field, and the run goes on."""

import copy
import random
from datetime import timedelta
from decimal import Decimal

from odoo.tests import tagged

from spapi_emulator.clock import isoformat
from spapi_emulator.fuzz import MUTATIONS, mutate

from ..services.order_mapper import order_reference
from .common import SELLER_ID, AmazonEmulatorCase

# Mutation (spapi_emulator/fuzz.py) -> the field its log line must name.
BAD_ORDERS = {
    "order_id_nul": "orderId",
    "quantity_fractional": ".quantityOrdered",
    "quantity_huge": ".quantityOrdered",
    "amount_huge": ".subtotal.amount",
    "amount_infinite": ".subtotal.amount",
    "discount_positive": ".subtotal.amount",
    "duplicate_item_copy": ".orderItemId",
    "title_1mb": ".product.title",
    "sku_nul": ".product.sellerSku",
    "buyer_name_nul": "buyer.buyerName",
    "proceeds_missing_all": "proceeds.grandTotal",
    "currency_malformed_total": "proceeds.grandTotal.currencyCode",
    "status_unknown": "fulfillment.fulfillmentStatus",
    "shipped_above_ordered": ".fulfillment.quantityFulfilled",
    "created_time_bad": "createdTime",
    "product_as_list": ".product",
    "order_items_empty": "orderItems",
}


@tagged("post_install", "-at_install", "amazon_connector")
class TestBadInput(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.connect(import_fba=True)

    def replace_on_amazon(self, original, changed):
        """Amazon now holds ``changed`` instead of ``original`` (their ids may differ)."""
        with self.emulator.lock:
            self.emulator.orders.pop(original["orderId"])
            self.emulator.order_seller.pop(original["orderId"])
        self.emulator.load_orders(SELLER_ID, [changed])

    def test_bad_orders_are_logged_by_name_and_field_and_the_good_ones_import(self):
        orders = self.seed_orders(60, seed=12)
        importable = sorted(
            (o for o in orders if o["orderId"] in self.expected_imports(orders)),
            key=lambda o: o["orderId"],
        )
        rng = random.Random(12)
        bad = {}  # label -> (original, malformed)
        for label in BAD_ORDERS:
            mutation = MUTATIONS[label]
            self.assertEqual((mutation.outcome, mutation.servable), ("refused", True), label)
            taken = {original["orderId"] for original, _ in bad.values()}
            original = next(
                o for o in importable if o["orderId"] not in taken and mutation.applies(o)
            )
            bad[label] = (original, mutate(original, label, rng))
            self.replace_on_amazon(*bad[label])
        self.assertIn("\x00", bad["order_id_nul"][1]["orderId"])

        log = self.import_orders()

        self.assertEqual(log.state, "partial", "the run itself succeeds")
        self.assertEqual(log.count_failed, len(BAD_ORDERS), log.line_ids.mapped("message"))
        spoiled = {original["orderId"] for original, _ in bad.values()}
        good = {o["orderId"] for o in importable} - spoiled
        imported = self.env["sale.order"].search([("amazon_channel_id", "=", self.channel.id)])
        self.assertEqual(set(imported.mapped("amazon_order_ref")), good)
        self.assertEqual(log.count_new, len(good))
        self.assertTrue(self.channel.import_high_water, "the window is done")
        for line in log.line_ids:
            self.assertNotIn("\x00", line.message + (line.amazon_ref or ""))
        for label, (_original, malformed) in bad.items():
            reference = order_reference(malformed)
            lines = log.line_ids.filtered(lambda line, ref=reference: line.amazon_ref == ref)
            self.assertEqual(len(lines), 1, f"{label}: {log.line_ids.mapped('amazon_ref')}")
            message = lines.message
            self.assertIn(f"order {reference}", message, label)
            self.assertIn(BAD_ORDERS[label], message, label)
            self.assertNotIn("Unexpected error", message, label)
            self.assertIn("read again when Amazon changes the order", message, label)
        nul_line = log.line_ids.filtered(
            lambda line: line.amazon_ref == order_reference(bad["order_id_nul"][1])
        )
        self.assertIn("control character (U+0000)", nul_line.message)
        quantity_line = log.line_ids.filtered(
            lambda line: line.amazon_ref == bad["quantity_fractional"][1]["orderId"]
        )
        self.assertIn("is 2.7; a quantity must be a whole number of units", quantity_line.message)

    def test_a_refused_order_is_imported_once_amazon_corrects_it(self):
        orders = self.seed_orders(20, seed=14)
        target = self.first_with(orders, "UNSHIPPED", "MERCHANT")
        self.emulator.load_orders(
            SELLER_ID, [mutate(target, "quantity_fractional", random.Random(1))]
        )
        first = self.import_orders()
        self.assertEqual(first.count_failed, 1)
        refused = first.line_ids.filtered(lambda line: line.level == "error")
        self.assertEqual(refused.amazon_ref, target["orderId"])
        self.assertFalse(self.odoo_order(target["orderId"]))

        # Unchanged on Amazon, it is not read again by the next incremental run...
        second = self.import_orders()
        self.assertEqual((second.count_failed, second.count_new), (0, 0))
        self.assertFalse(second.line_ids)

        # ...until Amazon changes it: it comes back in the lastUpdatedTime window.
        corrected = copy.deepcopy(target)
        corrected["lastUpdatedTime"] = isoformat(self.emulator.clock.now() - timedelta(minutes=4))
        self.emulator.load_orders(SELLER_ID, [corrected])
        third = self.import_orders()
        self.assertEqual((third.state, third.count_new, third.count_failed), ("done", 1, 0))
        sale = self.odoo_order(target["orderId"])
        self.assertEqual(sale.state, "sale")
        self.assertEqual(
            Decimal(str(sale.amount_total)).quantize(Decimal("0.01")),
            self.grand_total(target).quantize(Decimal("0.01")),
        )

    def test_an_order_odoo_cannot_confirm_is_refused_alone_and_its_page_is_confirmed(self):
        # A page's new orders are confirmed together; one that Odoo refuses to confirm (here a
        # rule another module put on stock moves) is refused alone, as a bad order is.
        orders = self.seed_orders(40, seed=23)
        expected = self.expected_imports(orders)
        target = self.first_with(orders, "UNSHIPPED", "MERCHANT")
        sku = "ENGRAVED-MUG"  # a SKU of this order alone
        with self.emulator.lock:
            self.amazon_order(target["orderId"])["orderItems"][0]["product"]["sellerSku"] = sku
        product = self.env["product.product"].create(
            {"name": "Engraved mug", "default_code": sku, "type": "consu"}
        )
        self.env.cr.execute(
            "ALTER TABLE stock_move ADD CONSTRAINT no_engraved_mug CHECK (product_id <> %s)",
            [product.id],
        )

        log = self.import_orders()

        self.assertEqual(log.state, "partial")
        self.assertEqual((log.count_new, log.count_failed), (len(expected) - 1, 1))
        refused = log.line_ids.filtered(lambda line: line.level == "error")
        self.assertEqual(refused.amazon_ref, target["orderId"])
        self.assertIn("no_engraved_mug", refused.message)
        self.assertFalse(self.odoo_order(target["orderId"]), "read again once Amazon changes it")
        imported = self.env["sale.order"].search([("amazon_channel_id", "=", self.channel.id)])
        self.assertEqual(set(imported.mapped("amazon_order_ref")), expected - {target["orderId"]})
        self.assertEqual(set(imported.mapped("state")), {"sale"})
        shipped = imported.filtered(lambda order: order.amazon_status == "SHIPPED")
        self.assertTrue(shipped)
        self.assertTrue(
            all(p.state == "done" for p in shipped.picking_ids), "delivered as Amazon shipped"
        )
