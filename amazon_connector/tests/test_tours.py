"""The daily paths, walked in a real browser (headless Chromium through Odoo's HttpCase): the
tours are in static/tests/tours/."""

from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo import fields, sql_db
from odoo.tests import HttpCase, tagged

from .common import CLIENT_ID, CLIENT_SECRET, EU_MARKETPLACES, SELLER_ID, AmazonEmulatorCase


@tagged("post_install", "-at_install", "amazon_connector")
class TestTours(AmazonEmulatorCase, HttpCase):
    def setUp(self):
        super().setUp()
        self.connect()
        self.channel.name = "Tour Shop"

    def test_dashboard_tour(self):
        orders, _amazon = self.import_unshipped(count=4, seed=96)
        now = fields.Datetime.now()
        for order, hours in zip(orders, (-3, -1, 1, 72), strict=True):
            order.amazon_latest_ship_date = now + timedelta(hours=hours)
        self.assertEqual((self.channel.dashboard_late, self.channel.dashboard_to_ship), (2, 4))
        self.start_tour("/odoo", "amazon_dashboard_tour", login="admin")

    def tour_order(self, order_id, seed):
        """An unshipped merchant order of Amazon's, imported, with an order id the tour knows."""
        order = self.with_status(self.generated_orders(seed), "UNSHIPPED", "MERCHANT")[0]
        order["orderId"] = order_id
        self.emulator.load_orders(SELLER_ID, [order])
        self.channel.import_high_water = False
        self.import_orders()
        sale = self.odoo_order(order_id)
        self.assertEqual(sale.state, "sale")
        return sale

    def test_delivery_validated_in_the_browser_is_sent_to_amazon(self):
        sale = self.tour_order("028-1111111-1111111", seed=97)
        product = self.env["product.product"].create({"name": "Tour Parcel", "type": "service"})
        carrier = self.env["delivery.carrier"].create(
            {"name": "Tour Parcel", "product_id": product.id, "delivery_type": "fixed"}
        )
        self.env["amazon.carrier.mapping"].create(
            {"channel_id": self.channel.id, "carrier_id": carrier.id, "shipping_method": "Paket"}
        )
        self.start_tour("/odoo", "amazon_delivery_validate_tour", login="admin")
        self.env.invalidate_all()
        picking = sale.picking_ids
        self.assertEqual(
            (picking.state, picking.carrier_id, picking.carrier_tracking_ref),
            ("done", carrier, "JJD0099887766"),
        )
        self.assertEqual(picking.amazon_sync_state, "to_send")
        self.emulator.clock.advance(60)
        self.env["amazon.shipment.exporter"]._run(self.channel)
        self.assertEqual(picking.amazon_sync_state, "accepted")
        self.start_tour("/odoo", "amazon_delivery_sent_tour", login="admin")

    def test_status_mapping_edited_in_the_browser(self):
        self.start_tour("/odoo", "amazon_status_mapping_tour", login="admin")
        self.env.invalidate_all()
        mapping = self.channel.status_mapping_ids.filtered(
            lambda m: (m.fulfillment_status, m.fulfilled_by) == ("PENDING", "MERCHANT")
        )
        self.assertEqual(mapping.action, "quotation")

    def test_order_cancelled_on_amazon_through_the_wizard(self):
        sale = self.tour_order("028-2222222-2222222", seed=98)
        with bus_notifications_delivered():
            self.start_tour("/odoo", "amazon_cancel_order_tour", login="admin")
        self.env.invalidate_all()
        self.assertEqual(sale.state, "cancel")
        # The tour saw "To send" after the wizard, then Amazon's answer arrive on the open
        # order by itself.
        self.assertEqual(
            (sale.amazon_cancel_reason, sale.amazon_sync_state), ("CustomerExchange", "accepted")
        )

    def test_channel_set_up_and_tested_in_the_browser(self):
        self.emulator.add_seller(
            "A1TOURSETUP",
            "Tour Setup Shop",
            EU_MARKETPLACES,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            refresh_token="Atzr|tour-setup-token",
        )
        # Where this database's channels find Amazon: the emulator (a default, as an
        # integrator would set for a sandbox).
        defaults = self.env["ir.default"]
        defaults.set("amazon.channel", "api_base_url", self.emulator_url)
        defaults.set("amazon.channel", "lwa_token_url", f"{self.emulator_url}/auth/o2/token")
        self.start_tour("/odoo?debug=1", "amazon_channel_setup_tour", login="admin")
        self.env.invalidate_all()
        channel = self.env["amazon.channel"].search([("seller_id", "=", "A1TOURSETUP")])
        self.assertEqual((channel.name, channel.state), ("Tour Setup Shop", "connected"))
        self.assertTrue(channel.has_refresh_token)


@contextmanager
def bus_notifications_delivered():
    """Odoo's test cursor drops post-commit hooks, so the bus never tells the browser what a
    request committed; here each request's commit runs them, as a real commit does."""
    commit = sql_db.TestCursor.commit

    def commit_and_run_hooks(cursor):
        cursor.flush()
        cursor.postcommit.run()
        commit(cursor)

    with patch.object(sql_db.TestCursor, "commit", commit_and_run_hooks):
        yield
