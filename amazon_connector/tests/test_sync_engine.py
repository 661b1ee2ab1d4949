"""The run template under faults: the scheduler retries by itself, runs resume where they
stopped, and a dead run leaves neither a "running" log nor a held lock behind."""

import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tools import config
from odoo.tools.translate import code_translations

from spapi_emulator.generator import generate_orders

from ..services import errors
from ..services.order_mapper import parse_datetime
from .common import CLIENT_ID, CLIENT_SECRET, EU_MARKETPLACES, SELLER_ID, AmazonEmulatorCase

# Runs in a separate Odoo process against the test database, with committed data: what a
# cron worker does. argv: config file, database, JSON parameters; prints one JSON line.
CHILD = textwrap.dedent(
    """
    import json, sys
    import odoo
    import psycopg2.errors
    from odoo.sql_db import db_connect
    from odoo.tools import config

    config.parse_config(["-c", sys.argv[1], "-d", sys.argv[2]])
    params = json.loads(sys.argv[3])
    registry = odoo.modules.registry.Registry(sys.argv[2])

    def environment(cr):
        return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"amazon_commit": True})

    def import_orders(cr, channel_id):
        env = environment(cr)
        log = env["amazon.order.importer"]._run(env["amazon.channel"].browse(channel_id))
        return log.state if log else None

    result = {}
    with registry.cursor() as cr:
        env = environment(cr)
        if params["step"] == "create":
            env["amazon.app"]._get().write(params.pop("app"))
            marketplaces = env["amazon.marketplace"].search(
                [("amazon_id", "in", params.pop("marketplaces"))])
            channel = env["amazon.channel"].create(
                dict(params["values"], marketplace_ids=[(6, 0, marketplaces.ids)]))
            result["channel_id"] = channel.id
        elif params["step"] == "import":
            result["state"] = import_orders(cr, params["channel_id"])
        elif params["step"] == "import_after_database_error":
            # Another transaction holds the channel's row: the run's first write that needs
            # it fails on the lock timeout, a database error that aborts its transaction.
            blocker = db_connect(sys.argv[2]).cursor()
            blocker.execute(
                "SELECT id FROM amazon_channel WHERE id = %s FOR UPDATE", [params["channel_id"]])
            # For the session (committed): a scheduled run starts again after a lock timeout
            # a few times, then fails with it.
            cr.execute("SET lock_timeout = '300ms'")
            cr.commit()
            try:
                result["first"] = import_orders(cr, params["channel_id"])
            except Exception as exc:
                result["first"] = type(exc).__name__
                cr.rollback()
            blocker.rollback()
            blocker.close()
            # The next run comes on another connection, as the next cron job would, while
            # the first connection stays open in the pool.
            with registry.cursor() as later:
                result["second"] = import_orders(later, params["channel_id"])
        elif params["step"] == "redact":
            channel = env["amazon.channel"].browse(params["channel_id"])
            channel.write(params["values"])
            log = env["amazon.pii.redactor"]._run(channel)
            result["orders"] = log.count_redacted_orders if log else 0
        elif params["step"] == "consume":
            # The notification consumer's scheduled run, dying where the test says: after an
            # order is built but before the commit, or after the commit but before the
            # messages are deleted (what a killed worker or a lost server does).
            import os
            from odoo.addons.amazon_connector.services.order_notifications import SqsQueue
            if params.get("die") == "before_commit":
                Importer = type(env["amazon.order.importer"])
                built = Importer._import_one
                def build_then_die(self, run, payload):
                    built(self, run, payload)
                    os._exit(9)
                Importer._import_one = build_then_die
            elif params.get("die") == "before_delete":
                SqsQueue.delete = lambda self, receipts: os._exit(9)
            if params.get("batch"):
                from odoo.addons.amazon_connector.services import order_notifications
                order_notifications.SQS_BATCH = params["batch"]
            # Another worker's transaction meets the run (a serialization failure) this many
            # times: right after a batch is committed and deleted, or when the run starts.
            meetings = {"left": params.get("meetings", 0)}
            def meet():
                if meetings["left"] > 0:
                    meetings["left"] -= 1
                    raise psycopg2.errors.SerializationFailure("another worker's transaction")
            if params.get("meet") == "after_delete":
                deleted = SqsQueue.delete
                def delete_then_meet(self, receipts):
                    failed = deleted(self, receipts)
                    meet()
                    return failed
                SqsQueue.delete = delete_then_meet
            elif params.get("meet") == "on_start":
                Schedule = type(env["amazon.sync.schedule"])
                started = Schedule._started
                def meet_then_start(self, shared=False):
                    meet()
                    return started(self, shared)
                Schedule._started = meet_then_start
            consumer = env["amazon.notification.consumer"]
            channel = env["amazon.channel"].browse(params["channel_id"])
            states = []
            for _run in range(params.get("runs", 1)):
                try:
                    log = consumer._run(channel)
                except psycopg2.errors.SerializationFailure as exc:
                    cr.rollback()
                    result["error"] = type(exc).__name__
                    break
                states.append(log.state if log else None)
            result["states"] = states
            result["meetings_left"] = meetings["left"]
        elif params["step"] == "set_param":
            env["ir.config_parameter"].set_param(params["key"], params["value"])
        elif params["step"] == "archive":
            env["amazon.channel"].browse(params["channel_id"]).active = False
        cr.commit()
    print("CHILD-RESULT " + json.dumps(result))
    """
)


@tagged("post_install", "-at_install", "amazon_connector")
class TestScheduler(AmazonEmulatorCase):
    """The scheduler (each capability's ``_cron``) brings a failed channel back by itself."""

    def setUp(self):
        super().setUp()
        self.connect(import_fba=True)
        self.importer = self.env["amazon.order.importer"].with_context(amazon_commit=False)

    def last_log(self):
        return self.channel.sync_log_ids.sorted("id")[-1:]

    def retry_time_comes(self, kind="order_import"):
        """What waiting until the retry moment does: the schedule's moment is now past."""
        schedule = self.channel._sync_schedule(kind)
        self.assertTrue(schedule.retry_at)
        schedule.retry_at = fields.Datetime.now() - timedelta(seconds=1)

    def imported_refs(self):
        return (
            self.env["sale.order"]
            .search([("amazon_channel_id", "=", self.channel.id)])
            .mapped("amazon_order_ref")
        )

    def window_orders(self):
        """The emulator's orders of the seller, in searchOrders' order."""
        return sorted(
            self.emulator.orders.values(), key=lambda o: (o["lastUpdatedTime"], o["orderId"])
        )

    def test_outage_mid_window_is_retried_by_the_scheduler_from_the_last_committed_page(self):
        orders = self.seed_orders(250, seed=17)
        expected = self.expected_imports(orders)
        # Pages 1 and 2 answer; page 3 keeps failing beyond the gateway's 6 retries.
        self.emulator.faults.script("searchOrders", ["none", "none"] + ["500"] * 7)
        self.importer._cron()
        failed = self.last_log()
        self.assertEqual(failed.state, "failed")
        self.assertIn("retrying at", failed.summary)
        schedule = self.channel._sync_schedule("order_import")
        self.assertEqual(schedule.failures, 1)
        self.assertGreater(schedule.retry_at, fields.Datetime.now())
        self.assertIn("Order import: retrying at", self.channel.sync_retry_note)
        self.assertIn("HTTP 500", self.channel.sync_retry_note)
        self.assertEqual(self.channel.state, "connected", "an outage is not the seller's fault")
        resume = self.channel.import_resume_after
        self.assertTrue(resume, "two pages were committed")

        # Before the retry moment the scheduler leaves the channel alone.
        calls = self.emulator.calls("searchOrders")
        self.importer._cron()
        self.assertEqual(self.emulator.calls("searchOrders"), calls)

        self.emulator.faults.clear()
        self.retry_time_comes()
        self.importer._cron()
        self.assertEqual(self.last_log().state, "done")
        # The retry read only what was not committed: orders changed at or after the last
        # moment of page 2, not the whole window again.
        remaining = [
            o for o in self.window_orders() if parse_datetime(o["lastUpdatedTime"]) >= resume
        ]
        self.assertEqual(
            self.emulator.calls("searchOrders") - calls, math.ceil(len(remaining) / 100)
        )
        imported = self.imported_refs()
        self.assertEqual(sorted(imported), sorted(expected), "0 lost, 0 duplicated")
        self.assertEqual(schedule.failures, 0)
        self.assertFalse(self.channel.sync_retry_note)
        self.assertFalse(self.channel.import_resume_after)

    def test_expired_pagination_token_goes_on_from_the_last_page_read(self):
        orders = self.seed_orders(250, seed=29)
        expected = self.expected_imports(orders)
        self.emulator.faults.script("searchOrders", ["none", "none", "expired_pagination_token"])
        log = self.import_orders()
        self.assertEqual(log.state, "done", log.line_ids.mapped("message"))
        self.assertIn("pagination token expired", " ".join(log.line_ids.mapped("message")))
        window = self.window_orders()
        restart = window[199]["lastUpdatedTime"]  # the last order of page 2
        remaining = [o for o in window if o["lastUpdatedTime"] >= restart]
        calls = self.emulator.calls("searchOrders")
        self.assertEqual(calls, 3 + math.ceil(len(remaining) / 100))
        self.assertLess(calls, 3 + math.ceil(len(window) / 100), "no page is read twice")
        self.assertEqual(sorted(self.imported_refs()), sorted(expected), "0 lost, 0 duplicated")

    def test_login_throttling_is_retried_by_the_scheduler(self):
        orders = self.seed_orders(40, seed=31)
        self.channel._get_gateway()._invalidate_token()  # the next call exchanges the token
        self.emulator.faults.script("lwa", ["429"] * 7)
        self.importer._cron()
        self.assertEqual(self.last_log().state, "failed")
        schedule = self.channel._sync_schedule("order_import")
        self.assertIn("asked to slow down", schedule.last_error)
        self.assertNotIn("refused", schedule.last_error)
        self.assertEqual(self.channel.state, "connected")
        self.emulator.faults.clear()
        self.retry_time_comes()
        self.importer._cron()
        self.assertEqual(self.last_log().state, "done")
        self.assertEqual(sorted(self.imported_refs()), sorted(self.expected_imports(orders)))

    def test_a_channel_in_error_is_still_served(self):
        orders = self.seed_orders(20, seed=37)
        self.channel.write({"state": "error", "last_error": "Amazon refused the request."})
        self.importer._cron()
        self.assertEqual(self.last_log().state, "done")
        self.assertEqual(self.channel.state, "connected")
        self.assertEqual(sorted(self.imported_refs()), sorted(self.expected_imports(orders)))

    def test_revoked_authorisation_waits_for_an_admin(self):
        self.seed_orders(10, seed=41)
        self.emulator.add_seller(
            "A1REVOKEDCRON",
            "Revoked",
            ["A1PA6795UKMFR9"],
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            refresh_token="Atzr|revoked-cron",
        )
        self.emulator.revoke_refresh_token("Atzr|revoked-cron")
        self.channel.write({"refresh_token": "Atzr|revoked-cron", "state": "connected"})
        self.importer._cron()
        schedule = self.channel._sync_schedule("order_import")
        self.assertEqual(self.channel.state, "reauthorize")
        self.assertFalse(schedule.retry_at)
        self.assertIn("until an administrator acts", self.channel.sync_retry_note)
        logs = len(self.channel.sync_log_ids)
        self.importer._cron()
        self.assertEqual(len(self.channel.sync_log_ids), logs, "no run until someone acts")

    def test_import_now_goes_at_once_whatever_the_schedule(self):
        self.seed_orders(10, seed=43)
        self.importer._cron()
        logs = len(self.channel.sync_log_ids)
        self.importer._cron()
        self.assertEqual(len(self.channel.sync_log_ids), logs, "not due for 15 minutes")
        self.channel.action_import_now()
        self.importer._cron()
        self.assertEqual(len(self.channel.sync_log_ids), logs + 1)
        self.assertFalse(self.channel._sync_schedule("order_import").requested)


class CommittedDataCase(AmazonEmulatorCase):
    """Runs in real Odoo processes (the CHILD script), on committed data."""

    def child(self, step, background=False, **params):
        command = [
            sys.executable,
            "-c",
            CHILD,
            config.rcfile,
            self.env.cr.dbname,
            json.dumps(dict(params, step=step)),
        ]
        if background:
            # Output to files, not pipes: a child whose pipe nobody reads while the test waits
            # for another would block on its next log line.
            output = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the cleanup
            self.addCleanup(output.close)
            worker = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
            worker.output = output
            return worker
        run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        lines = [line for line in run.stdout.splitlines() if line.startswith("CHILD-RESULT ")]
        self.assertTrue(lines, f"the child failed:\n{run.stderr[-3000:]}")
        return json.loads(lines[-1].split(" ", 1)[1])

    def finish(self, worker, timeout=300):
        """Wait for a background child; returns its exit code (negative: killed by a signal)."""
        return worker.wait(timeout=timeout)

    def output_of(self, worker):
        """What a background child printed (stdout and stderr), the last 3,000 characters."""
        worker.output.seek(0)
        return worker.output.read().decode(errors="replace")[-3000:]

    def committed_channel(self, seller_id, seed=47, granted_data=(), count=60, **values):
        """A channel of its own seller, committed (the test's transaction can't hold it)."""
        token = f"Atzr|{seller_id}"
        self.emulator.add_seller(
            seller_id,
            seller_id,
            EU_MARKETPLACES,
            granted_data=granted_data,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            refresh_token=token,
        )
        orders = generate_orders(
            seed=seed,
            count=count,
            seller_id=seller_id,
            marketplace_ids=EU_MARKETPLACES,
            now=self.emulator.clock.now() - timedelta(hours=1),
            days=20,
        )
        self.emulator.load_orders(seller_id, orders)
        channel_id = self.child(
            "create",
            marketplaces=EU_MARKETPLACES,
            app={"lwa_client_id": CLIENT_ID, "lwa_client_secret": CLIENT_SECRET},
            values={
                "seller_id": seller_id,
                "region": "eu",
                "refresh_token": token,
                "api_base_url": self.emulator_url,
                "lwa_token_url": f"{self.emulator_url}/auth/o2/token",
                "state": "connected",
                "import_fba": True,
                **values,
            },
        )["channel_id"]
        self.addCleanup(self.child, "archive", channel_id=channel_id)
        return channel_id, self.expected_imports(orders)

    def pg_dump(self):
        """``pg_dump --data-only`` of the test database: committed data, as anyone with a
        backup would read it."""
        binary = shutil.which("pg_dump")
        if not binary:
            self.skipTest("pg_dump is not installed")
        command = [binary, "--data-only", "--no-owner", "-d", self.env.cr.dbname]
        for option, key in (("-h", "db_host"), ("-p", "db_port"), ("-U", "db_user")):
            if config.get(key):
                command += [option, str(config[key])]
        env = dict(os.environ)
        if config.get("db_password"):
            env["PGPASSWORD"] = config["db_password"]
        run = subprocess.run(
            command, capture_output=True, text=True, timeout=300, check=False, env=env
        )
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        return run.stdout

    def committed(self, query, params):
        """What other connections see: committed rows only."""
        with db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()

    def logs(self, channel_id):
        return self.committed(
            "SELECT state FROM amazon_sync_log WHERE channel_id = %s ORDER BY id", [channel_id]
        )

    def imported(self, channel_id):
        rows = self.committed(
            "SELECT amazon_order_ref FROM sale_order WHERE amazon_channel_id = %s", [channel_id]
        )
        return sorted(ref for (ref,) in rows)


@tagged("post_install", "-at_install", "amazon_connector")
class TestDeadRuns(CommittedDataCase):
    """Runs that die (killed worker, database error) in real Odoo processes, on committed data."""

    def test_killed_run_leaves_no_running_log_once_the_next_run_starts(self):
        channel_id, expected = self.committed_channel("A1KILLEDRUN")
        # searchOrders holds the connection without answering: the run waits there.
        self.emulator.faults.timeout_delay = 60
        self.emulator.faults.script("searchOrders", ["timeout"])
        worker = self.child("import", background=True, channel_id=channel_id)
        deadline = time.monotonic() + 120
        while self.logs(channel_id) != [("running",)] and time.monotonic() < deadline:
            self.assertIsNone(worker.poll(), self.output_of(worker))
            time.sleep(0.2)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        self.assertEqual(self.logs(channel_id), [("running",)], "what a killed run leaves")
        self.emulator.faults.clear()
        self.assertEqual(self.child("import", channel_id=channel_id)["state"], "done")
        self.assertEqual(self.logs(channel_id), [("interrupted",), ("done",)])
        self.assertEqual(self.imported(channel_id), sorted(expected))

    def test_run_dying_on_a_database_error_releases_its_lock(self):
        channel_id, expected = self.committed_channel("A1DBERRORRUN")
        result = self.child("import_after_database_error", channel_id=channel_id)
        self.assertEqual(result["first"], "LockNotAvailable")
        self.assertEqual(result["second"], "done", "the next run of the channel imports")
        self.assertEqual(self.imported(channel_id), sorted(expected))
        self.assertNotIn(("running",), self.logs(channel_id))


@tagged("post_install", "-at_install", "amazon_connector")
class TestErrorWording(AmazonEmulatorCase):
    """Every error code a user can read is worded in their language."""

    ADDON = Path(__file__).resolve().parents[1]

    def raised_codes(self):
        """Each code the service layer and the models raise, read from the source."""
        codes = set()
        pattern = re.compile(
            r"(?:Error|Throttled|Revoked|Rejected|Denied|Expired|NotFound|"
            r'Request)\(\s*"([a-z_]+)"'
        )
        for path in list((self.ADDON / "services").glob("*.py")) + list(
            (self.ADDON / "models").glob("*.py")
        ):
            codes.update(pattern.findall(path.read_text()))
        codes.update(
            re.findall(
                r'"(amazon_[a-z_]+)"\)', (self.ADDON / "services" / "shipment.py").read_text()
            )
        )
        codes.add("amazon_shipment_refused")
        return codes

    def test_every_code_is_worded_through_translation(self):
        codes = self.raised_codes()
        self.assertGreater(len(codes), 40)
        self.env["res.lang"]._activate_lang("fr_FR")
        key = ("amazon_connector", "fr_FR")

        class Marked(dict):
            def get(self, source, default=None):
                return f"[fr] {source}"

        saved = code_translations.python_translations.get(key)
        code_translations.python_translations[key] = Marked()
        try:
            wording = self.env["amazon.error"].with_context(lang="fr_FR")
            untranslated = {}
            for code in sorted(codes):
                error = errors.ServiceError(code, status=500, host="h", order="O-1")
                text = wording._describe(error)
                if not text.startswith("[fr] ") or text.startswith("[fr] Unexpected error"):
                    untranslated[code] = text
            self.assertFalse(untranslated, "codes without a translated sentence")
            # Amazon's own words are kept, inside a translated sentence.
            refused = errors.BadRequest("refused", amazon_message="Invalid marketplace")
            self.assertEqual(
                wording._describe(refused),
                "[fr] [fr] Amazon refused the request. (Amazon: Invalid marketplace)",
            )
        finally:
            if saved is None:
                code_translations.python_translations.pop(key, None)
            else:
                code_translations.python_translations[key] = saved

    def test_english_wording_names_the_facts(self):
        wording = self.env["amazon.error"]
        unreachable = errors.NetworkError("unreachable", host="sellingpartnerapi-eu.amazon.com")
        self.assertEqual(
            wording._describe(unreachable),
            "Amazon could not be reached at sellingpartnerapi-eu.amazon.com (network down or "
            "wrong address).",
        )
        self.assertIn(
            SELLER_ID, wording._describe(errors.ServiceError("no_items", order=SELLER_ID))
        )
