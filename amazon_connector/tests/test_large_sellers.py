"""Large sellers: one rate budget per seller shared by every process, runs that pause within
Amazon's budget and go on by themselves, and one scheduled action per channel so that Odoo's
cron workers import different channels at once."""

import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import odoo
from odoo import fields
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tools import config

from ..models.amazon_rate_budget import _budget_cursor
from ..services.rate_limiter import SharedRateBudget
from .common import AmazonEmulatorCase
from .test_sync_engine import CommittedDataCase


@tagged("post_install", "-at_install", "amazon_connector")
class TestSharedRateBudget(AmazonEmulatorCase):
    """The budget lives in PostgreSQL: what one process spends, every other one sees."""

    def budgets(self):
        """Two budgets on their own connections: what two Odoo processes hold."""
        dbname = self.env.cr.dbname
        return (
            SharedRateBudget(lambda: _budget_cursor(dbname)),
            SharedRateBudget(lambda: _budget_cursor(dbname)),
        )

    def test_two_processes_spend_one_bucket(self):
        first, second = self.budgets()
        key = "eu:A1BUDGETSHARED"
        # getOrder: burst 30, 0.5 per second (Amazon's plan).
        waits = [(first if n % 2 else second).reserve(key, "getOrder") for n in range(30)]
        self.assertEqual(max(waits), 0.0, "the burst is shared, not doubled")
        # The 31st call waits for the bucket to refill (2 s, less what refilled while the
        # burst was spent), whichever process makes it; each further call 2 s more.
        later = first.reserve(key, "getOrder")
        self.assertGreater(later, 1.0)
        self.assertAlmostEqual(second.reserve(key, "getOrder") - later, 2.0, delta=0.2)
        # Another seller, another operation: budgets of their own.
        self.assertEqual(second.reserve("eu:A1OTHERSELLER", "getOrder"), 0.0)
        self.assertEqual(second.reserve(key, "searchOrders"), 0.0)

    def test_reported_rate_and_429_are_adopted_by_every_process(self):
        first, second = self.budgets()
        key = "eu:A1BUDGETRATE"
        first.update_rate(key, "getOrder", 5.0)
        first.drain(key, "getOrder")  # a 429 in the first process
        self.assertAlmostEqual(second.reserve(key, "getOrder"), 0.2, delta=0.05)
        second.refund(key, "getOrder")
        self.assertAlmostEqual(first.reserve(key, "getOrder"), 0.2, delta=0.05)
        self.assertEqual(
            self.stored(key), {"getOrder": (5.0, 30)}, "the rate Amazon reported is kept"
        )

    def test_the_channels_gateway_spends_the_shared_budget(self):
        self.connect()
        self.seed_orders(5)
        self.import_orders()
        key = f"eu:{self.channel.seller_id}"
        with _budget_cursor(self.env.cr.dbname) as cr:
            cr.execute(
                "SELECT tokens FROM amazon_rate_budget WHERE seller_key = %s AND operation = %s",
                [key, "searchOrders"],
            )
            (tokens,) = cr.fetchone()
        self.assertLess(tokens, 20, "the import's call was counted there (searchOrders' burst)")

    def stored(self, key):
        """The budget rows of a seller as every process sees them: {operation: (rate, burst)}."""
        with _budget_cursor(self.env.cr.dbname) as cr:
            cr.execute(
                "SELECT operation, rate, burst FROM amazon_rate_budget WHERE seller_key = %s",
                [key],
            )
            return {operation: (rate, burst) for operation, rate, burst in cr.fetchall()}


@tagged("post_install", "-at_install", "amazon_connector")
class TestBudgetPause(AmazonEmulatorCase):
    """A large backlog pages through within searchOrders' budget: the run pauses when the next
    page would wait too long, shows how far it got, and goes on by itself from there."""

    def setUp(self):
        super().setUp()
        self.connect(import_fba=True)
        self.key = f"eu:{self.channel.seller_id}"

    def spend_search_budget(self, leave):
        """searchOrders' bucket has ``leave`` calls left (other work spent the rest)."""
        budget = self.env["amazon.rate.budget"]._limiter()
        for _n in range(20 - leave):
            budget.reserve(self.key, "searchOrders")

    def test_backlog_pauses_within_the_budget_and_resumes_where_it_stopped(self):
        orders = self.seed_orders(250, seed=29)
        expected = self.expected_imports(orders)
        self.spend_search_budget(leave=2)
        importer = self.env["amazon.order.importer"].with_context(amazon_commit=False)
        importer._cron()
        log = self.channel.sync_log_ids.filtered(lambda entry: entry.kind == "order_import")
        self.assertEqual(log.state, "paused")
        self.assertIn("Paused within Amazon's budget for searchOrders", log.summary)
        self.assertEqual(self.emulator.calls("searchOrders"), 2, "no call into a certain 429")
        self.assertFalse([r for r in self.emulator.requests() if r["status"] == 429])
        self.assertEqual(self.channel.state, "connected", "a pause is not a failure")
        self.assertFalse(self.channel.sync_retry_note, "nobody is asked to act")
        self.assertFalse(self.channel.import_high_water, "the window is not done")
        self.assertTrue(self.channel.import_resume_after)
        self.assertTrue(0 < self.channel.import_progress < 100, self.channel.import_progress)
        schedule = self.channel._sync_schedule("order_import")
        # The next page may go once one token has come back: what the bucket lacks of a token,
        # at 0.0056 a second (up to 179 s).
        # The budget commits on a connection of its own: read it there (this test's snapshot
        # is older than the row).
        with _budget_cursor(self.env.cr.dbname) as cr:
            cr.execute(
                """SELECT tokens + (extract(epoch FROM clock_timestamp()) - refilled_at) * rate,
                          rate
                     FROM amazon_rate_budget
                    WHERE seller_key = %s AND operation = 'searchOrders'""",
                [self.key],
            )
            tokens, rate = cr.fetchone()
        self.assertLess(tokens, 1)
        wait = (schedule.retry_at - fields.Datetime.now()).total_seconds()
        self.assertAlmostEqual(wait, (1 - tokens) / rate, delta=5)
        self.assertGreater(wait, 0)
        importer._cron()
        self.assertEqual(self.emulator.calls("searchOrders"), 2, "not due before the budget")
        # The budget refills; the scheduler's next turn carries on from the committed page.
        self.env["amazon.rate.budget"]._limiter().reset()
        schedule.retry_at = fields.Datetime.now() - timedelta(seconds=1)
        importer._cron()
        done = self.channel.sync_log_ids.sorted("id")[-1]
        self.assertEqual(done.state, "done")
        self.assertEqual(set(self.imported_refs()), expected, "each order once, none missing")
        self.assertEqual(len(self.imported_refs()), len(expected))
        self.assertTrue(self.channel.import_high_water)
        self.assertFalse(self.channel.import_progress)
        self.assertEqual(self.channel.import_progress_done, 0)

    def imported_refs(self):
        return (
            self.env["sale.order"]
            .search([("amazon_channel_id", "=", self.channel.id)])
            .mapped("amazon_order_ref")
        )


@tagged("post_install", "-at_install", "amazon_connector")
class TestChannelScheduledAction(AmazonEmulatorCase):
    """Each channel has a scheduled action of its own, which runs what is due for it."""

    def test_channel_gets_its_own_scheduled_action(self):
        cron = self.channel.sudo().cron_id
        self.assertTrue(cron.active)
        self.assertEqual(cron.code, f"model._cron_run_channel({self.channel.id})")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "minutes"))
        self.assertIn(self.channel.name, cron.name)
        self.channel.active = False
        self.assertFalse(cron.active, "an archived channel's action sleeps")
        self.channel.active = True
        self.assertTrue(cron.active)

    def test_import_now_wakes_only_this_channels_action(self):
        self.connect()
        other = self.channel.copy({"seller_id": "A1OTHERCHANNEL", "name": "Other"})
        triggers = self.env["ir.cron.trigger"]
        self.channel.action_import_now()
        woken = triggers.search([("cron_id", "in", (self.channel | other).sudo().cron_id.ids)])
        self.assertEqual(woken.cron_id, self.channel.sudo().cron_id)
        self.assertTrue(self.channel._sync_schedule("order_import").requested)

    def test_channel_action_runs_its_due_work_and_no_other_channels(self):
        self.connect()
        self.seed_orders(12, seed=31)
        other = self.channel.copy({"seller_id": "A1OTHERCHANNEL", "name": "Other"})
        other.write({"state": "connected"})
        self.env["amazon.channel"].with_context(amazon_commit=False)._cron_run_channel(
            self.channel.id
        )
        kinds = self.channel.sync_log_ids.mapped("kind")
        self.assertIn("order_import", kinds)
        self.assertTrue(
            self.env["sale.order"].search([("amazon_channel_id", "=", self.channel.id)])
        )
        self.assertFalse(other.sync_log_ids, "another channel's action runs that one")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@tagged("post_install", "-at_install", "amazon_connector")
class TestParallelChannels(CommittedDataCase):
    """A real Odoo server with two cron workers and twenty channels: both workers import at
    once, every channel is imported, and a slow channel holds nobody but itself."""

    def test_twenty_channels_two_cron_workers(self):
        slow, slow_expected = self.committed_channel("A1PARALLEL00", seed=100, count=400)
        fast = {}
        for number in range(1, 20):
            channel_id, expected = self.committed_channel(
                f"A1PARALLEL{number:02d}", seed=100 + number, count=12
            )
            fast[channel_id] = expected
        odoo_bin = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
        server_log = Path(config["data_dir"]) / f"parallel-{self.env.cr.dbname}.log"
        dbname = self.env.cr.dbname
        server = subprocess.Popen(
            [
                sys.executable,
                str(odoo_bin),
                "-c",
                config.rcfile,
                "-d",
                dbname,
                f"--db-filter=^{dbname}$",
                "--max-cron-threads=2",
                "--workers=0",
                f"--http-port={free_port()}",
                f"--gevent-port={free_port()}",
                f"--logfile={server_log}",
            ],
        )
        self.addCleanup(server.wait, 30)
        self.addCleanup(server.terminate)
        channels = [slow, *fast]
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            self.assertIsNone(server.poll(), f"the server stopped, see {server_log}")
            # Wake the cron workers (they also wake by themselves every minute).
            with db_connect("postgres").cursor() as cr:
                cr.execute("NOTIFY cron_trigger, %s", [dbname])
            if len(self.import_logs(channels)) == len(channels):
                break
            time.sleep(1)
        logs = self.import_logs(channels)
        self.assertEqual(len(logs), len(channels), f"every channel imported, see {server_log}")
        for channel_id, expected in [(slow, slow_expected), *fast.items()]:
            self.assertEqual(self.imported(channel_id), sorted(expected))
        slow_started, slow_ended = logs[slow]
        during = [
            channel_id
            for channel_id, (started, ended) in logs.items()
            if channel_id != slow and slow_started <= started and ended <= slow_ended
        ]
        # With one worker, or one action walking the channels in turn, no other channel could
        # be imported while the slow one ran.
        self.assertGreaterEqual(
            len(during), 3, f"other channels were imported during the slow one: {logs}"
        )

    def import_logs(self, channel_ids):
        rows = self.committed(
            """SELECT channel_id, started, ended FROM amazon_sync_log
                WHERE kind = 'order_import' AND state = 'done' AND channel_id = ANY(%s)""",
            [list(channel_ids)],
        )
        return {channel_id: (started, ended) for channel_id, started, ended in rows}
