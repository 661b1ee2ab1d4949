"""Shipment confirmation: validated deliveries reach the emulator's orders, exactly once."""

from datetime import timedelta

import httpx
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.sql_db import db_connect
from odoo.tests import Form, tagged

from .common import SELLER_ID, AmazonEmulatorCase


@tagged("post_install", "-at_install")
class TestShipmentConfirmation(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.connect()
        self.dhl = self.create_carrier("DHL Paket")
        self.mapping = self.env["amazon.carrier.mapping"].create(
            {"channel_id": self.channel.id, "carrier_id": self.dhl.id, "shipping_method": "Paket"}
        )

    # -- helpers ------------------------------------------------------------------------------

    def create_carrier(self, name):
        product = self.env["product.product"].create({"name": name, "type": "service"})
        return self.env["delivery.carrier"].create(
            {"name": name, "product_id": product.id, "delivery_type": "fixed"}
        )

    def unshipped(self, items=1, item_units=1, seed=3):
        """Import one unshipped MFN order with at least this many items, one of which has at
        least ``item_units`` units."""
        orders, amazon = self.import_unshipped(
            seed=seed,
            where=lambda o: (
                len(o["orderItems"]) >= items
                and max(i["quantityOrdered"] for i in o["orderItems"]) >= item_units
            ),
        )
        return orders, amazon[0]

    @staticmethod
    def item_of(move):
        return move.sale_line_id.amazon_order_item_id

    def deliver(self, picking, tracking, quantities=None, carrier=None, packages=None):
        """Validate ``picking`` with {item id: units} (everything by default); what is left
        goes to a backorder."""
        picking.write({"carrier_id": (carrier or self.dhl).id, "carrier_tracking_ref": tracking})
        for move in picking.move_ids:
            wanted = quantities.get(self.item_of(move), 0) if quantities else move.product_uom_qty
            move.quantity = wanted
            move.picked = bool(wanted)
        for item_id, package in (packages or {}).items():
            picking.move_line_ids.filtered(
                lambda ml, i=item_id: self.item_of(ml.move_id) == i
            ).result_package_id = package
        result = picking.with_context(skip_backorder=True).button_validate()
        self.assertEqual(picking.state, "done")
        return result

    def send(self):
        return self.env["amazon.shipment.exporter"]._run(self.channel)

    def ship_in_seller_central(self, order_id, items=None):
        """The seller ships units from Seller Central, without Odoo."""
        body = {"items": items} if items else {}
        answer = httpx.post(f"{self.emulator_url}/_emulator/orders/{order_id}/ship", json=body)
        answer.raise_for_status()
        return answer.json()

    def three_units_in_stock(self):
        """An unshipped MFN order whose one item has 3 units of a product with 10 in stock;
        returns (emulator order, its item, the product)."""
        amazon = next(
            o
            for o in self.with_status(self.seed_orders(60, seed=21), "UNSHIPPED", "MERCHANT")
            if len(o["orderItems"]) == 1
        )
        with self.emulator.lock:
            self.emulator.orders.clear()
            self.emulator.order_seller.clear()
        item = amazon["orderItems"][0]
        item["quantityOrdered"] = 3
        item["fulfillment"] = {"quantityFulfilled": 0, "quantityUnfulfilled": 3}
        self.emulator.load_orders(SELLER_ID, [amazon])
        product = self.env["product.product"].create(
            {
                "name": "Three-unit product",
                "type": "consu",
                "is_storable": True,
                "default_code": item["product"]["sellerSku"],
            }
        )
        self.env["stock.quant"]._update_available_quantity(
            product, self.channel.warehouse_id.lot_stock_id, 10
        )
        return self.amazon_order(amazon["orderId"]), item, product

    @staticmethod
    def item_lines(order):
        return order.order_line.filtered(lambda line: line.amazon_line_kind == "item")

    @staticmethod
    def demand(picking):
        return sum(
            picking.move_ids.filtered(lambda m: m.state != "cancel").mapped("product_uom_qty")
        )

    def touch(self, amazon, minutes_ago=30):
        """Amazon's lastUpdatedTime moves on, inside the import's window."""
        with self.emulator.lock:
            amazon["lastUpdatedTime"] = (
                self.emulator.clock.now() - timedelta(minutes=minutes_ago)
            ).strftime("%Y-%m-%dT%H:%M:%SZ")

    def delivery(self, order):
        return order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))

    # -- tests --------------------------------------------------------------------------------

    def test_validated_delivery_is_confirmed_with_items_carrier_and_tracking(self):
        self.channel.ship_from_supply_source_id = "SUPPLY-SOURCE-1"
        order, amazon = self.unshipped(items=2)
        picking = self.delivery(order)
        self.deliver(picking, "JJD000123")
        self.assertEqual(picking.amazon_sync_state, "to_send")
        self.assertFalse(self.emulator.calls("confirmShipment"), "nothing is sent at validation")

        log = self.send()
        self.assertEqual(log.count_sent, 1)
        self.assertEqual(picking.amazon_sync_state, "accepted")
        self.assertIn("JJD000123", picking.amazon_sync_message)
        self.assertEqual(amazon["fulfillment"]["fulfillmentStatus"], "SHIPPED")
        [package] = amazon["packages"]
        self.assertEqual(package["carrier"], "DHL")
        self.assertEqual(package["trackingNumber"], "JJD000123")
        self.assertEqual(package["shippingService"], "Paket")
        self.assertEqual(package["packageReferenceId"], picking.amazon_package_ids.reference)
        self.assertEqual(
            {i["orderItemId"]: i["quantity"] for i in package["packageItems"]},
            {i["orderItemId"]: i["quantityOrdered"] for i in amazon["orderItems"]},
        )
        [request] = self.emulator.requests("confirmShipment")
        detail = request["body"]["packageDetail"]
        self.assertEqual(detail["shipFromSupplySourceId"], "SUPPLY-SOURCE-1")
        self.assertEqual(detail["shipDate"], picking.date_done.strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.assertEqual(request["body"]["marketplaceId"], amazon["salesChannel"]["marketplaceId"])
        self.assertIsNone(self.send(), "a second run finds nothing to send")
        self.assertEqual(self.emulator.calls("confirmShipment"), 1)

    def test_partial_delivery_then_backorder(self):
        order, amazon = self.unshipped(item_units=2)
        item = max(amazon["orderItems"], key=lambda i: i["quantityOrdered"])
        first = self.delivery(order)
        self.deliver(first, "T-PART-1", {item["orderItemId"]: item["quantityOrdered"] - 1})
        self.send()
        self.assertEqual(first.amazon_sync_state, "accepted")
        self.assertEqual(amazon["fulfillment"]["fulfillmentStatus"], "PARTIALLY_SHIPPED")
        self.assertEqual(item["fulfillment"]["quantityUnfulfilled"], 1)

        backorder = self.delivery(order)
        self.assertEqual(backorder.backorder_id, first)
        self.deliver(backorder, "T-PART-2")
        self.send()
        self.assertEqual(backorder.amazon_sync_state, "accepted")
        self.assertEqual(amazon["fulfillment"]["fulfillmentStatus"], "SHIPPED")
        self.assertEqual(
            [p["trackingNumber"] for p in amazon["packages"]], ["T-PART-1", "T-PART-2"]
        )

    def test_two_packages_and_a_backorder_make_three_confirmations(self):
        order, amazon = self.unshipped(items=2, item_units=2)
        big, small = sorted(amazon["orderItems"], key=lambda i: -i["quantityOrdered"])[:2]
        Package = self.env["stock.quant.package"]
        pack_a, pack_b = Package.create({"name": "PACK-A"}), Package.create({"name": "PACK-B"})
        first = self.delivery(order)
        self.deliver(
            first,
            "TRACK-A, TRACK-B",
            {big["orderItemId"]: big["quantityOrdered"] - 1, small["orderItemId"]: 1},
            packages={big["orderItemId"]: pack_a, small["orderItemId"]: pack_b},
        )
        self.send()
        self.assertEqual(first.amazon_sync_state, "accepted", first.amazon_sync_message)
        backorder = self.delivery(order)
        self.deliver(backorder, "TRACK-C")
        self.send()

        self.assertEqual(self.emulator.calls("confirmShipment"), 3)
        sent = {
            p["trackingNumber"]: {i["orderItemId"]: i["quantity"] for i in p["packageItems"]}
            for p in amazon["packages"]
        }
        first_units = {big["orderItemId"]: big["quantityOrdered"] - 1, small["orderItemId"]: 1}
        rest = {
            i["orderItemId"]: i["quantityOrdered"] - first_units.get(i["orderItemId"], 0)
            for i in amazon["orderItems"]
            if i["quantityOrdered"] > first_units.get(i["orderItemId"], 0)
        }
        self.assertEqual(
            sent,
            {
                "TRACK-A": {big["orderItemId"]: big["quantityOrdered"] - 1},
                "TRACK-B": {small["orderItemId"]: 1},
                "TRACK-C": rest,
            },
        )
        self.assertEqual(amazon["fulfillment"]["fulfillmentStatus"], "SHIPPED")
        self.assertEqual(first.amazon_package_ids.mapped("stock_package_id"), pack_a | pack_b)

    def test_unknown_carrier_code_is_rejected_on_the_picking_and_can_be_resent(self):
        order, amazon = self.unshipped()
        picking = self.delivery(order)
        self.deliver(picking, "1Z999")
        # A code Amazon does not know (e.g. typed into the database by an import script).
        self.env.cr.execute(
            "UPDATE amazon_carrier_mapping SET amazon_carrier_code = 'Fedex Ground' WHERE id = %s",
            (self.mapping.id,),
        )
        self.mapping.invalidate_recordset()
        self.send()
        self.assertEqual(picking.amazon_sync_state, "rejected")
        self.assertIn("Carriers tab", picking.amazon_sync_message)
        self.assertIn("Fedex Ground", picking.amazon_sync_message)
        self.assertFalse(self.emulator.calls("confirmShipment"), "refused before calling Amazon")

        self.mapping.amazon_carrier_code = "FedEx"
        picking.action_amazon_send()
        self.assertTrue(picking.amazon_send_requested)
        self.send()
        self.assertEqual(picking.amazon_sync_state, "accepted")
        self.assertEqual(amazon["packages"][0]["carrier"], "FedEx")

    def test_amazon_rejections_land_on_the_picking(self):
        order, amazon = self.unshipped()
        picking = self.delivery(order)
        self.deliver(picking, "CANCELLED-1")
        amazon["fulfillment"]["fulfillmentStatus"] = "CANCELLED"  # the buyer won the race
        self.send()
        self.assertEqual(picking.amazon_sync_state, "rejected")
        self.assertIn("cancelled on Amazon", picking.amazon_sync_message)
        self.assertEqual(picking.amazon_package_ids.amazon_sync_state, "rejected")
        log = self.env["amazon.sync.log"].search([("kind", "=", "shipment")], limit=1)
        self.assertEqual(log.count_failed, 1)
        self.assertEqual(log.line_ids.amazon_ref, amazon["orderId"])

    def test_quantity_above_what_amazon_has_left_is_rejected(self):
        order, amazon = self.unshipped(item_units=2)
        item = max(amazon["orderItems"], key=lambda i: i["quantityOrdered"])
        self.assertGreater(item["quantityOrdered"], 1)
        # Seller Central confirmed the units meanwhile, without Odoo.
        item["fulfillment"] = {"quantityFulfilled": item["quantityOrdered"] - 1}
        amazon["fulfillment"]["fulfillmentStatus"] = "PARTIALLY_SHIPPED"
        picking = self.delivery(order)
        self.deliver(picking, "QTY-1")
        self.send()
        self.assertEqual(picking.amazon_sync_state, "rejected")
        self.assertIn("fewer units left to ship", picking.amazon_sync_message)

    def test_unmapped_carrier_is_listed_and_refused_without_a_call(self):
        order, _amazon = self.unshipped()
        colissimo = self.create_carrier("Colis Privé")
        picking = self.delivery(order)
        self.deliver(picking, "CP-1", carrier=colissimo)
        self.assertIn(colissimo, self.channel.unmapped_carrier_ids)
        self.assertNotIn(self.dhl, self.channel.unmapped_carrier_ids)
        self.send()
        self.assertEqual(picking.amazon_sync_state, "rejected")
        self.assertIn("has no Amazon carrier code", picking.amazon_sync_message)
        self.assertFalse(self.emulator.calls("confirmShipment"))

    def test_other_carrier_is_sent_with_its_name_and_marketplace_row_wins(self):
        order, amazon = self.unshipped()
        courier = self.create_carrier("Kurier Schmidt")
        mapping = self.env["amazon.carrier.mapping"].create(
            {"channel_id": self.channel.id, "carrier_id": courier.id}
        )
        self.assertEqual(mapping.amazon_carrier_code, "Other")
        self.assertEqual(mapping.amazon_carrier_name, "Kurier Schmidt")
        self.env["amazon.carrier.mapping"].create(
            {
                "channel_id": self.channel.id,
                "carrier_id": courier.id,
                "marketplace_id": order.amazon_marketplace_id.id,
                "amazon_carrier_code": "Other",
                "amazon_carrier_name": "Schmidt Express",
            }
        )
        picking = self.delivery(order)
        self.deliver(picking, "KS-1", carrier=courier)
        self.send()
        self.assertEqual(picking.amazon_sync_state, "accepted")
        self.assertEqual(amazon["packages"][0]["carrier"], "Schmidt Express")

    def test_missing_tracking_warns_or_blocks_as_the_channel_says(self):
        order, _amazon = self.unshipped(item_units=2)
        picking = self.delivery(order)
        result = self.deliver(picking, False)
        self.assertEqual(result["params"]["type"], "warning")
        self.send()
        self.assertEqual(picking.amazon_sync_state, "rejected")
        self.assertIn("no tracking number", picking.amazon_sync_message)
        self.assertFalse(self.emulator.calls("confirmShipment"))

        self.channel.shipment_require_tracking = True
        order2, _amazon2 = self.unshipped(seed=4)
        blocked = self.delivery(order2)
        with self.assertRaisesRegex(UserError, "needs a tracking number"):
            blocked.write({"carrier_id": self.dhl.id})
            blocked.button_validate()
        self.assertNotEqual(blocked.state, "done")

    def test_carrier_forgotten_at_validation_can_be_added_and_sent(self):
        order, amazon = self.unshipped()
        picking = self.delivery(order)
        self.deliver(picking, "NOCARRIER-1")
        picking.carrier_id = False
        self.send()
        self.assertEqual(picking.amazon_sync_state, "rejected")
        self.assertIn("no carrier", picking.amazon_sync_message)
        with Form(picking) as form:  # the form lets staff fix a refused delivery
            form.carrier_id = self.dhl
        picking.action_amazon_send()
        self.send()
        self.assertEqual(picking.amazon_sync_state, "accepted")
        self.assertEqual(amazon["packages"][0]["carrier"], "DHL")
        with Form(picking) as form, self.assertRaises(AssertionError):
            form.carrier_id = self.env["delivery.carrier"]  # confirmed: read-only again

    def test_only_the_last_step_of_a_three_step_delivery_is_sent(self):
        self.channel.warehouse_id.delivery_steps = "pick_pack_ship"
        order, amazon = self.unshipped()
        # Odoo 18 creates each step when the one before it is done.
        for _step in range(3):
            step = self.delivery(order)
            self.assertEqual(len(step), 1)
            self.assertFalse(step.amazon_sync_state)
            for move in step.move_ids:
                move.quantity = move.product_uom_qty
            step.move_ids.picked = True
            step.write({"carrier_id": self.dhl.id, "carrier_tracking_ref": "3STEP-1"})
            step.with_context(skip_backorder=True).button_validate()
            self.assertEqual(step.state, "done")
        steps = order.picking_ids
        self.assertEqual(len(steps), 3)
        self.assertFalse(self.delivery(order))
        last = steps.filtered(lambda p: p.location_dest_id.usage == "customer")
        self.assertEqual(last.amazon_sync_state, "to_send")
        self.assertFalse(any((steps - last).mapped("amazon_sync_state")))
        self.send()
        self.assertEqual(last.amazon_sync_state, "accepted")
        self.assertEqual(len(amazon["packages"]), 1)

    def test_throttling_storm_delays_but_loses_nothing(self):
        order, amazon = self.unshipped()
        picking = self.delivery(order)
        self.deliver(picking, "STORM-1")
        self.emulator.faults.script("confirmShipment", ["429"] * 3)
        log = self.send()
        self.assertEqual(picking.amazon_sync_state, "accepted")
        self.assertEqual(log.count_sent, 1)
        self.assertEqual(len(amazon["packages"]), 1)
        self.assertEqual(self.emulator.calls("confirmShipment"), 4)

    def test_throttling_beyond_retries_keeps_the_picking_to_send(self):
        order, amazon = self.unshipped()
        picking = self.delivery(order)
        self.deliver(picking, "STORM-2")
        self.emulator.faults.script("confirmShipment", ["429"] * 20)
        log = self.send()
        self.assertEqual(log.state, "failed")
        self.assertEqual(picking.amazon_sync_state, "to_send")
        self.assertFalse(amazon.get("packages"))
        self.emulator.faults.clear()
        self.send()
        self.assertEqual(picking.amazon_sync_state, "accepted")
        self.assertEqual(len(amazon["packages"]), 1)

    def test_lost_answer_is_not_confirmed_twice(self):
        """Amazon recorded the package but the answer never came back: the next run asks
        Amazon instead of confirming the units again."""
        order, amazon = self.unshipped()
        picking = self.delivery(order)
        self.deliver(picking, "LOST-1")
        # The first call is recorded but its answer lost; the retries never get through.
        self.emulator.faults.script("confirmShipment", ["lost_answer"] + ["reset"] * 10)
        log = self.send()
        self.assertEqual(log.state, "failed")
        self.assertEqual(picking.amazon_package_ids.amazon_sync_state, "sending")
        self.assertEqual(len(amazon["packages"]), 1, "Amazon kept the first attempt")
        self.emulator.faults.clear()
        self.emulator.reset_calls()
        self.send()
        self.assertEqual(picking.amazon_sync_state, "accepted")
        self.assertEqual(len(amazon["packages"]), 1)
        self.assertFalse(self.emulator.calls("confirmShipment"))
        self.assertEqual(self.emulator.calls("getOrder"), 1)

    def test_button_and_cron_never_run_together(self):
        order, amazon = self.unshipped()
        picking = self.delivery(order)
        self.deliver(picking, "LOCK-1")
        picking.action_amazon_send()
        with db_connect(self.env.cr.dbname).cursor() as other:
            other.execute("SELECT pg_try_advisory_lock(%s, %s)", (0x414D5A + 1, self.channel.id))
            self.assertTrue(other.fetchone()[0])
            self.assertIsNone(self.send(), "the run holding the channel goes alone")
            other.execute("SELECT pg_advisory_unlock(%s, %s)", (0x414D5A + 1, self.channel.id))
        self.send()
        self.send()
        self.assertEqual(self.emulator.calls("confirmShipment"), 1)
        self.assertEqual(len(amazon["packages"]), 1)

    def test_scheduler_keeps_the_channel_interval_and_the_button_goes_at_once(self):
        order, amazon = self.unshipped(item_units=2)
        first = self.delivery(order)
        item = max(amazon["orderItems"], key=lambda i: i["quantityOrdered"])
        self.deliver(first, "CRON-1", {item["orderItemId"]: 1})
        cron = self.env["amazon.shipment.exporter"].with_context(amazon_commit=False)
        cron._cron()
        self.assertEqual(first.amazon_sync_state, "accepted")
        self.assertTrue(self.channel._sync_schedule("shipment").last_attempt)

        backorder = self.delivery(order)
        self.deliver(backorder, "CRON-2")
        cron._cron()
        self.assertEqual(backorder.amazon_sync_state, "to_send", "not due for 5 minutes")
        backorder.action_amazon_send()
        cron._cron()
        self.assertEqual(backorder.amazon_sync_state, "accepted")
        self.assertEqual(self.emulator.calls("confirmShipment"), 2)

    def test_warehouse_worker_validates_and_sends_without_amazon_rights(self):
        order, amazon = self.unshipped()
        worker = self.env["res.users"].create(
            {
                "name": "Warehouse Worker",
                "login": "amazon-worker",
                "groups_id": [Command.set([self.env.ref("stock.group_stock_user").id])],
            }
        )
        picking = self.delivery(order).with_user(worker)
        self.deliver(picking, "WORKER-1")
        self.assertEqual(picking.amazon_sync_state, "to_send")
        picking.read(["amazon_channel_id", "amazon_sync_state", "amazon_package_ids"])
        picking.action_amazon_send()
        self.send()
        self.assertEqual(picking.amazon_sync_state, "accepted")
        self.assertEqual(len(amazon["packages"]), 1)
        with self.assertRaises(AccessError):
            picking.amazon_channel_id.read(["refresh_token"])

    def test_manual_sending_when_automatic_is_off(self):
        self.channel.shipment_auto_send = False
        order, amazon = self.unshipped()
        picking = self.delivery(order)
        self.deliver(picking, "MANUAL-1")
        self.assertIsNone(self.send())
        self.assertEqual(picking.amazon_sync_state, "to_send")
        picking.action_amazon_send()
        self.send()
        self.assertEqual(picking.amazon_sync_state, "accepted")
        self.assertFalse(picking.amazon_send_requested)
        self.assertEqual(len(amazon["packages"]), 1)

    def test_delivery_done_in_odoo_but_confirmed_in_seller_central_sends_nothing(self):
        """Labels bought in Seller Central: Amazon has the order shipped before Odoo sends the
        delivery validated in Odoo; its units are not counted twice."""
        self.channel.shipment_auto_send = False
        order, amazon = self.unshipped()
        picking = self.delivery(order)
        self.deliver(picking, "ELSEWHERE-1")
        self.assertEqual(picking.amazon_sync_state, "to_send")
        self.ship_in_seller_central(amazon["orderId"])
        self.touch(amazon)
        self.import_orders(rescan=True)
        self.assertEqual(order.amazon_status, "SHIPPED")
        self.assertEqual(picking.amazon_sync_state, "not_applicable")
        items = self.item_lines(order)
        self.assertFalse(any(items.mapped("amazon_qty_shipped_elsewhere")))
        self.assertEqual(items.mapped("qty_delivered"), items.mapped("product_uom_qty"))
        picking.amazon_send_requested = True
        self.assertIsNone(self.send())
        self.assertFalse(self.emulator.calls("confirmShipment"))

    def test_orders_imported_as_shipped_have_nothing_to_send(self):
        generated = self.seed_orders(40, seed=11)
        self.import_orders()
        shipped = self.odoo_order(self.first_with(generated, "SHIPPED", "MERCHANT")["orderId"])
        self.assertFalse(shipped.picking_ids, "Amazon shipped every unit: no delivery in Odoo")
        items = self.item_lines(shipped)
        self.assertEqual(items.mapped("qty_delivered"), items.mapped("product_uom_qty"))
        self.assertIsNone(self.send())

    def test_retry_after_a_lost_answer_is_recognised(self):
        order, amazon = self.unshipped()
        picking = self.delivery(order)
        self.deliver(picking, "LOST-2")
        self.emulator.faults.script("confirmShipment", ["lost_answer"])
        self.send()
        self.assertEqual(picking.amazon_sync_state, "accepted")
        self.assertEqual(len(amazon["packages"]), 1)
        self.assertEqual(self.emulator.calls("confirmShipment"), 2, "one retry, refused as known")
        self.assertEqual(self.emulator.calls("getOrder"), 1)

    # -- what Amazon already shipped, and whose package is whose --------------------------------

    def test_partially_shipped_order_ships_only_what_is_left(self):
        amazon, item, product = self.three_units_in_stock()
        self.ship_in_seller_central(amazon["orderId"], {item["orderItemId"]: 1})
        self.touch(amazon)
        self.assertEqual(amazon["fulfillment"]["fulfillmentStatus"], "PARTIALLY_SHIPPED")
        self.assertEqual([p["packageReferenceId"] for p in amazon["packages"]], ["1"])
        self.import_orders()
        order = self.odoo_order(amazon["orderId"])
        lines = self.item_lines(order)
        self.assertEqual(sum(lines.mapped("product_uom_qty")), 3)
        self.assertEqual(sum(lines.mapped("amazon_qty_shipped_elsewhere")), 1)
        picking = self.delivery(order)
        self.assertEqual(self.demand(picking), 2, "the delivery holds what is left")

        self.deliver(picking, "PART-2")
        self.send()
        self.assertEqual(picking.amazon_sync_state, "accepted")
        confirmations = self.emulator.requests("confirmShipment")
        self.assertEqual(len(confirmations), 1)
        self.assertEqual(
            confirmations[0]["body"]["packageDetail"]["orderItems"],
            [{"orderItemId": item["orderItemId"], "quantity": 2}],
        )
        self.assertEqual(amazon["fulfillment"]["fulfillmentStatus"], "SHIPPED")
        self.assertEqual(product.qty_available, 8, "only the units Odoo shipped left its stock")
        self.assertEqual(sum(lines.mapped("qty_delivered")), 3)

    def test_units_shipped_later_in_seller_central_leave_the_delivery(self):
        amazon, item, product = self.three_units_in_stock()
        self.import_orders()
        order = self.odoo_order(amazon["orderId"])
        picking = self.delivery(order)
        self.assertEqual(self.demand(picking), 3)

        self.ship_in_seller_central(amazon["orderId"], {item["orderItemId"]: 2})
        self.touch(amazon)
        self.import_orders(rescan=True)
        self.assertEqual(order.amazon_status, "PARTIALLY_SHIPPED")
        self.assertEqual(self.demand(picking), 1)

        self.ship_in_seller_central(amazon["orderId"])
        self.touch(amazon, minutes_ago=20)
        self.import_orders(rescan=True)
        self.assertEqual(order.amazon_status, "SHIPPED")
        self.assertEqual(picking.state, "cancel", "nothing is left to ship from Odoo")
        self.assertEqual(sum(self.item_lines(order).mapped("qty_delivered")), 3)
        self.assertEqual(product.qty_available, 10)
        self.assertIsNone(self.send())
        self.assertFalse(self.emulator.calls("confirmShipment"))

    def test_package_reference_never_collides_with_seller_central(self):
        amazon, item, _product = self.three_units_in_stock()
        self.ship_in_seller_central(amazon["orderId"], {item["orderItemId"]: 1})
        self.touch(amazon)
        self.import_orders()
        order = self.odoo_order(amazon["orderId"])
        picking = self.delivery(order)
        self.deliver(picking, "NEWREF-1")
        self.send()
        package = picking.amazon_package_ids
        self.assertEqual(package.amazon_sync_state, "accepted")
        self.assertNotEqual(package.reference, "1")
        self.assertEqual(
            [p["packageReferenceId"] for p in amazon["packages"]], ["1", package.reference]
        )

    def test_a_package_amazon_holds_under_someone_elses_contents_is_rejected(self):
        """A package whose answer was lost is recognised only if Amazon's package under its
        reference is this one: otherwise it is rejected with Amazon's reason, never sent."""
        amazon, item, _product = self.three_units_in_stock()
        self.import_orders()
        order = self.odoo_order(amazon["orderId"])
        picking = self.delivery(order)
        self.deliver(picking, "MINE-1", quantities={item["orderItemId"]: 2})
        self.ship_in_seller_central(amazon["orderId"], {item["orderItemId"]: 1})
        # A package of an older version that used Seller Central's numbering, its answer lost.
        self.env["amazon.package"].create(
            {
                "picking_id": picking.id,
                "reference": "1",
                "tracking_number": "MINE-1",
                "carrier_code": "DHL",
                "item_quantities": {item["orderItemId"]: 2},
                "amazon_sync_state": "sending",
            }
        )
        self.send()
        self.assertEqual(picking.amazon_sync_state, "rejected")
        self.assertEqual(picking.amazon_package_ids.amazon_sync_state, "rejected")
        self.assertIn("already been confirmed", picking.amazon_sync_message)
        self.assertEqual(len(amazon["packages"]), 1, "only Seller Central's package")
        self.assertEqual(self.emulator.calls("confirmShipment"), 1)

    def test_unmapped_carrier_warns_at_validation_or_blocks(self):
        order, _amazon = self.unshipped()
        courier = self.create_carrier("Colis Privé")
        picking = self.delivery(order)
        result = self.deliver(picking, "CP-2", carrier=courier)
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("an Amazon carrier code for Colis Privé", result["params"]["message"])

        self.channel.shipment_require_tracking = True
        order2, _amazon2 = self.unshipped(seed=4)
        blocked = self.delivery(order2)
        blocked.write({"carrier_id": courier.id, "carrier_tracking_ref": "CP-3"})
        with self.assertRaisesRegex(UserError, "an Amazon carrier code for Colis Privé"):
            blocked.button_validate()
        self.assertNotEqual(blocked.state, "done")

    def test_rejected_delivery_leaves_one_activity(self):
        order, _amazon = self.unshipped()
        picking = self.delivery(order)
        picking.user_id = self.env.user
        self.deliver(picking, False)
        self.send()
        self.assertEqual(picking.amazon_sync_state, "rejected")
        activity = picking.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.env.user)
        self.assertIn(order.amazon_order_ref, activity.note)
        picking.action_amazon_send()
        self.send()
        self.assertEqual(picking.amazon_sync_state, "rejected")
        self.assertEqual(len(picking.activity_ids), 1, "one activity, not one per attempt")
