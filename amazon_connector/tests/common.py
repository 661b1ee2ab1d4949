"""Shared set-up for the Odoo suite: a real SP-API emulator over HTTP, a channel pointed at it."""

import io
from datetime import datetime, timedelta
from decimal import Decimal

from odoo.tests.common import TransactionCase

from spapi_emulator.clock import isoformat
from spapi_emulator.generator import generate_orders
from spapi_emulator.server import Emulator

SELLER_ID = "A1SELLERTEST"
CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "test-client-secret"
REFRESH_TOKEN = "Atzr|test-refresh-token"
EU_MARKETPLACES = ["A1PA6795UKMFR9", "A1F83G8C2ARO7P", "A13V1IB3VIYZZH"]  # DE, GB, FR


def copy_dump(cr):
    """Every user table as ``pg_dump --data-only`` writes it (COPY blocks), read through
    ``cr``: what the transaction holds, uncommitted rows included."""
    cr.execute(
        """
        SELECT table_name, string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
          FROM information_schema.columns
         WHERE table_schema = 'public'
           AND table_name IN (SELECT tablename FROM pg_tables WHERE schemaname = 'public')
         GROUP BY table_name
        """
    )
    out = io.StringIO()
    for table, names in cr.fetchall():
        out.write(f"COPY public.{table} ({names}) FROM stdin;\n")
        cr.copy_expert(f'COPY "{table}" TO STDOUT', out)
        out.write("\\.\n")
    return out.getvalue()


IMPORTED_ACTIONS = {
    ("UNSHIPPED", "MERCHANT"),
    ("PARTIALLY_SHIPPED", "MERCHANT"),
    ("SHIPPED", "MERCHANT"),
    ("SHIPPED", "AMAZON"),
}


class AmazonEmulatorCase(TransactionCase):
    """Starts one emulator per test class; each test gets a channel connected to it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = Emulator(seed=7)
        cls.emulator_url = cls.emulator.start(port=0)
        cls.addClassCleanup(cls.emulator.stop)
        cls.emulator.add_seller(
            SELLER_ID,
            "Test Shop EU",
            EU_MARKETPLACES,
            granted_data=("BUYER", "RECIPIENT"),
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            refresh_token=REFRESH_TOKEN,
        )

    def setUp(self):
        super().setUp()
        self.app = self.env["amazon.app"]._get()
        self.app.write({"lwa_client_id": CLIENT_ID, "lwa_client_secret": CLIENT_SECRET})
        self.channel = self.env["amazon.channel"].create(
            {
                "seller_id": SELLER_ID,
                "region": "eu",
                "refresh_token": REFRESH_TOKEN,
                "api_base_url": self.emulator_url,
                "lwa_token_url": f"{self.emulator_url}/auth/o2/token",
            }
        )

        # Each test starts with an empty Amazon and full rate-limit buckets.
        with self.emulator.lock:
            self.emulator.orders.clear()
            self.emulator.order_seller.clear()
        self.emulator.faults.clear()
        self.emulator.refill_buckets()
        self.emulator.reset_calls()
        # ...and so does Odoo's side: every test is a fresh process as far as pacing goes.
        self.env["amazon.rate.budget"]._limiter().reset()
        # Retries after transient failures wait milliseconds, not seconds, in tests.
        self.env["ir.config_parameter"].sudo().set_param("amazon_connector.retry_delay", "0.01")

    # -- helpers ------------------------------------------------------------------------------

    def seed_orders(self, count, seed=1, marketplace_ids=None, **kwargs):
        """Generated orders, last changed at least an hour ago (inside the import window)."""
        orders = generate_orders(
            seed=seed,
            count=count,
            seller_id=SELLER_ID,
            marketplace_ids=marketplace_ids or EU_MARKETPLACES,
            now=self.emulator.clock.now() - timedelta(hours=1),
            days=kwargs.pop("days", 20),
            **kwargs,
        )
        self.emulator.load_orders(SELLER_ID, orders)
        return orders

    def generated_orders(self, seed, count=150):
        """Orders of every kind to pick from (not loaded into the emulator)."""
        return generate_orders(
            seed=seed,
            count=count,
            seller_id=SELLER_ID,
            marketplace_ids=EU_MARKETPLACES,
            now=self.emulator.clock.now() - timedelta(hours=1),
            days=20,
        )

    def import_unshipped(self, count=1, seed=3, where=lambda order: True):
        """Load ``count`` generated unshipped MFN orders matching ``where`` alone into the
        emulator and import them; returns (sale orders, the emulator's orders)."""
        generated = self.generated_orders(seed)
        chosen = [o for o in self.with_status(generated, "UNSHIPPED", "MERCHANT") if where(o)]
        chosen = chosen[:count]
        self.assertEqual(len(chosen), count, "the generator has enough such orders")
        self.emulator.load_orders(SELLER_ID, chosen)
        self.channel.import_high_water = False  # earlier imports of the test don't hide them
        self.import_orders()
        orders = self.env["sale.order"].browse([self.odoo_order(o["orderId"]).id for o in chosen])
        self.assertEqual(set(orders.mapped("state")), {"sale"})
        return orders, [self.amazon_order(o["orderId"]) for o in chosen]

    def connect(self, marketplace_ids=None, **values):
        self.channel.write(dict({"state": "connected"}, **values))
        self.channel.marketplace_ids = self.env["amazon.marketplace"].search(
            [("amazon_id", "in", marketplace_ids or EU_MARKETPLACES)]
        )

    def import_orders(self, rescan=False):
        return self.env["amazon.order.importer"]._run(self.channel, rescan=rescan)

    def amazon_order(self, order_id):
        return self.emulator.orders[order_id]

    def odoo_order(self, order_id):
        return self.env["sale.order"].search(
            [("amazon_channel_id", "=", self.channel.id), ("amazon_order_ref", "=", order_id)]
        )

    def cancel_on_amazon(self, order_id, minutes_ago=3):
        """Amazon cancels the order (or changes it again once cancelled) ``minutes_ago``:
        three or more falls inside the next import's window. Returns that moment."""
        with self.emulator.lock:
            order = self.emulator.orders[order_id]
            order["fulfillment"]["fulfillmentStatus"] = "CANCELLED"
            order.pop("proceeds", None)
            for item in order["orderItems"]:
                item.pop("proceeds", None)
            order["lastUpdatedTime"] = isoformat(
                self.emulator.clock.now() - timedelta(minutes=minutes_ago)
            )
            return datetime.strptime(order["lastUpdatedTime"], "%Y-%m-%dT%H:%M:%SZ")

    @staticmethod
    def grand_total(order):
        return Decimal(order["proceeds"]["grandTotal"]["amount"])

    @staticmethod
    def with_status(orders, status, fulfilled_by):
        """Generated orders in this status and fulfilment channel."""
        return [
            o
            for o in orders
            if o["fulfillment"]["fulfillmentStatus"] == status
            and o["fulfillment"]["fulfilledBy"] == fulfilled_by
        ]

    def first_with(self, orders, status, fulfilled_by):
        return self.with_status(orders, status, fulfilled_by)[0]

    @staticmethod
    def expected_imports(orders, fba=True):
        """Orders the default status mapping imports."""
        return {
            o["orderId"]
            for o in orders
            if (o["fulfillment"]["fulfillmentStatus"], o["fulfillment"]["fulfilledBy"])
            in IMPORTED_ACTIONS
            and (fba or o["fulfillment"]["fulfilledBy"] == "MERCHANT")
        }
