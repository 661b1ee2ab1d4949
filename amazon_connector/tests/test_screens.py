"""What the screens show: how urgent each shipment is, the dashboard's figures and the lists
they open, the channel's smart buttons and tracked settings, readable feeds and logs."""

import json
from datetime import timedelta

from freezegun import freeze_time
from lxml import etree
from odoo import fields
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import SELLER_ID, AmazonEmulatorCase


@tagged("post_install", "-at_install", "amazon_connector")
class TestShippingUrgency(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.connect()
        self.env.user.tz = "Europe/Berlin"
        self.orders, _amazon = self.import_unshipped(count=5, seed=91)
        # 10:00 in Berlin: late, at risk, due today (20:00), tomorrow, and one already shipped.
        self.now = fields.Datetime.to_datetime("2026-12-04 09:00:00")
        self.late, self.at_risk, self.today, self.tomorrow, self.shipped = self.orders
        for order, hours in zip(self.orders, (-2, 3, 10, 30, -5), strict=True):
            order.amazon_latest_ship_date = self.now + timedelta(hours=hours)
        picking = self.shipped.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, amazon_shipped_on_amazon=True)._action_done()

    def urgency_of(self, records):
        records.invalidate_recordset(["amazon_ship_urgency"])
        return records.mapped("amazon_ship_urgency")

    def test_urgency_by_ship_by_in_the_users_day(self):
        with freeze_time(self.now):
            self.assertEqual(
                self.urgency_of(self.orders), ["late", "at_risk", "today", "later", False]
            )
            pickings = self.orders.picking_ids.sorted(lambda p: self.orders.ids.index(p.sale_id.id))
            self.assertEqual(
                self.urgency_of(pickings), ["late", "at_risk", "today", "later", False]
            )
            Order = self.env["sale.order"]
            scope = [("id", "in", self.orders.ids)]
            for urgency, expected in (
                ("late", self.late),
                ("at_risk", self.at_risk),
                ("today", self.today),
                ("later", self.tomorrow),
            ):
                self.assertEqual(
                    Order.search([*scope, ("amazon_ship_urgency", "=", urgency)]), expected
                )
            self.assertEqual(
                Order.search([*scope, ("amazon_ship_urgency", "=", False)]), self.shipped
            )
            self.assertEqual(
                Order.search([*scope, ("amazon_ship_urgency", "!=", False)]),
                self.orders - self.shipped,
            )
        # At 23:30 in Berlin the order due at 20:00 is late; tomorrow's (16:00) is not yet due.
        with freeze_time(self.now + timedelta(hours=13, minutes=30)):
            self.assertEqual(self.urgency_of(self.orders), ["late", "late", "late", "later", False])
        # Three hours before it, it is at risk.
        with freeze_time(self.now + timedelta(hours=27)):
            self.assertEqual(self.urgency_of(self.tomorrow), ["at_risk"])

    def test_dashboard_figures_are_the_counts_of_the_lists_they_open(self):
        with freeze_time(self.now):
            self.channel.invalidate_recordset()
            figures = {
                figure: self.channel[f"dashboard_{figure}"]
                for figure in ("to_ship", "due_today", "late", "at_risk")
            }
            self.assertEqual(figures, {"to_ship": 4, "due_today": 2, "late": 1, "at_risk": 1})
            for figure, count in figures.items():
                action = self.channel.with_context(dashboard_figure=figure).action_dashboard_open()
                shown = self.list_of(action)
                self.assertEqual(len(shown), count, figure)
            late = self.list_of(
                self.channel.with_context(dashboard_figure="late").action_dashboard_open()
            )
            self.assertEqual(late, self.late)
            waiting = self.list_of(
                self.channel.with_context(dashboard_figure="waiting_stock").action_dashboard_open()
            )
            self.assertEqual(len(waiting), self.channel.dashboard_waiting_stock)

    def list_of(self, action):
        """The records the list of ``action`` shows: its domain, its default filters."""
        model = self.env[action["res_model"]]
        domain = list(eval_domain(action.get("domain")))
        view = model.get_view(action["search_view_id"][0], "search")
        for key, value in action["context"].items():
            if not key.startswith("search_default_") or not value:
                continue
            name = key.removeprefix("search_default_")
            if name == "amazon_channel_id":
                domain.append(("amazon_channel_id", "=", value))
                continue
            domain += eval_domain(filter_domain(view["arch"], name))
        return model.search(domain)

    def test_prime_deliveries_are_starred_unless_the_channel_says_not(self):
        # A large pool: which generated orders are unshipped depends on the clock.
        generated = self.with_status(self.generated_orders(92, count=1000), "UNSHIPPED", "MERCHANT")
        prime = next(o for o in generated if "PRIME" in (o.get("programs") or ()))
        plain = next(
            o for o in generated if not set(o.get("programs") or ()) & {"PRIME", "PREMIUM"}
        )
        self.emulator.load_orders(SELLER_ID, [prime, plain])
        self.channel.import_high_water = False
        self.import_orders()
        self.assertEqual(self.odoo_order(prime["orderId"]).picking_ids.priority, "1")
        self.assertEqual(self.odoo_order(plain["orderId"]).picking_ids.priority, "0")

        self.channel.prime_priority = False
        other = next(
            o for o in generated if "PRIME" in (o.get("programs") or ()) and o is not prime
        )
        self.emulator.load_orders(SELLER_ID, [other])
        self.channel.import_high_water = False
        self.import_orders()
        self.assertEqual(self.odoo_order(other["orderId"]).picking_ids.priority, "0")


def eval_domain(text):
    return safe_eval(text or "[]") if isinstance(text, str) else (text or [])


def filter_domain(arch, name):
    (node,) = etree.fromstring(arch).xpath(f"//filter[@name='{name}']")
    return node.get("domain")


@tagged("post_install", "-at_install", "amazon_connector")
class TestReadableRecords(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.connect()

    def test_an_order_with_an_unknown_sku_is_named_on_the_import_log(self):
        _orders, (amazon,) = self.import_unshipped(count=1, seed=93)
        log = self.env["amazon.sync.log"].search(
            [("channel_id", "=", self.channel.id), ("kind", "=", "order_import")], limit=1
        )
        (line,) = log.line_ids.filtered(lambda x: x.amazon_ref == amazon["orderId"])
        self.assertEqual(line.level, "warning")
        for item in amazon["orderItems"]:
            self.assertIn(item["product"]["sellerSku"], line.message)
        self.assertEqual(log.count_difference, 0, "not an amount difference")
        self.assertRegex(log.api_calls_summary, r"(?m)^searchOrders: [1-9]\d*$")
        self.assertNotIn("{", log.api_calls_summary)

    def test_feeds_say_what_they_carry(self):
        feed = self.env["amazon.feed"].create(
            {
                "channel_id": self.channel.id,
                "feed_type": "POST_ORDER_ACKNOWLEDGEMENT_DATA",
                "document_ref": "amzn1.tortuga.doc.1",
            }
        )
        self.assertEqual(feed.display_name, "Order cancellations feed (not submitted yet)")
        feed.feed_ref = "50001"
        self.assertEqual(feed.display_name, "Order cancellations feed 50001")

    def test_channel_counts_its_records_and_tracks_its_settings(self):
        orders, _amazon = self.import_unshipped(count=2, seed=94)
        self.channel.invalidate_recordset()
        self.assertEqual(self.channel.order_count, 2)
        self.assertEqual(self.channel.delivery_count, len(orders.picking_ids))
        action = self.channel.action_view_orders()
        self.assertEqual(action["context"]["search_default_amazon_channel_id"], self.channel.id)
        before = len(self.channel.message_ids)
        self.channel.write({"cancel_on_amazon": False, "state": "error"})
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking is written when the transaction commits
        tracked = self.channel.message_ids[: len(self.channel.message_ids) - before]
        changed = tracked.tracking_value_ids.field_id.mapped("name")
        self.assertIn("cancel_on_amazon", changed)
        self.assertIn("state", changed)

    def test_a_change_of_amazon_state_is_announced_to_the_connectors_users(self):
        orders, _amazon = self.import_unshipped(count=2, seed=95)
        pickings = orders.picking_ids
        self.env.cr.precommit.run()

        def announced():
            self.env.flush_all()
            self.env.cr.precommit.run()  # what a commit does
            messages = self.env["bus.bus"].search([]).mapped("message")
            self.env["bus.bus"].search([]).unlink()
            return [
                json.loads(message)
                for message in messages
                if json.loads(message)["type"] == "amazon_connector.changed"
            ]

        self.env["bus.bus"].search([]).unlink()
        pickings.write({"carrier_tracking_ref": "JJD1"})
        self.assertEqual(announced(), [], "nothing to announce")
        for picking in pickings:  # one write per delivery, as a run does
            picking.write({"amazon_sync_state": "rejected"})
        sent = announced()
        users = self.env.ref("amazon_connector.group_amazon_user").users
        self.assertEqual(len(sent), len(users), "once per user for the transaction")
        self.assertEqual(
            sent[0]["payload"], {"model": "stock.picking", "ids": sorted(pickings.ids)}
        )
