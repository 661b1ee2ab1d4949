"""The seller's credentials: sealed at rest with a key outside the database, reminders before
Amazon expires them, and a revoked authorisation that stops the channel until it reconnects."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from unittest.mock import patch

from freezegun import freeze_time
from odoo.addons.amazon_connector.models.amazon_order_importer import OVERLAP
from odoo.addons.amazon_connector.services.credential_box import (
    CONFIG_OPTION,
    ENVIRONMENT_VARIABLE,
    SEALED_PREFIX,
    CredentialBox,
    generate_key,
)
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import new_test_user
from odoo.tools import config

from .common import (
    CLIENT_ID,
    CLIENT_SECRET,
    EU_MARKETPLACES,
    SELLER_ID,
    AmazonEmulatorCase,
    copy_dump,
)
from .test_sync_engine import CommittedDataCase

REAUTHORISE = "amazon_connector.mail_activity_type_reauthorise"
ROTATE_SECRET = "amazon_connector.mail_activity_type_rotate_secret"


@contextmanager
def connector_key(value):
    """Odoo's configuration holding ``value`` as the connector's key (None: no key at all)."""
    environment = {k: v for k, v in os.environ.items() if k != ENVIRONMENT_VARIABLE}
    with (
        patch.dict(config.options, {CONFIG_OPTION: value}),
        patch.dict(os.environ, environment, clear=True),
    ):
        yield


@tagged("post_install", "-at_install", "amazon_connector")
class TestExpiryReminders(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.manager, self.other_manager = (
            new_test_user(
                self.env,
                login=login,
                groups="base.group_user,amazon_connector.group_amazon_manager",
                notification_type="email",
            )
            for login in ("amz_reminded", "amz_also_reminded")
        )
        self.channel.user_id = self.manager

    def remind_on(self, day):
        with freeze_time(day):
            self.env["amazon.channel"]._cron_expiry_reminders()

    def activities(self, record, xmlid):
        return record.activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref(xmlid))

    def emails(self, record, user):
        return self.env["mail.notification"].search(
            [
                ("res_partner_id", "=", user.partner_id.id),
                # not the activity's own "assigned to you" mail: the reminder message
                ("mail_message_id.message_type", "!=", "user_notification"),
                ("notification_type", "=", "email"),
                ("mail_message_id.model", "=", record._name),
                ("mail_message_id.res_id", "=", record.id),
            ]
        )

    def test_reauthorisation_reminded_30_and_7_days_before_once_each(self):
        self.channel.refresh_token_date = datetime(2026, 1, 10, 9, 0)
        self.assertEqual(self.channel.authorisation_expiry_date, date(2027, 1, 10))
        seen = []
        for day in ("2026-12-10", "2026-12-11", "2026-12-12", "2027-01-02", "2027-01-03",
                    "2027-01-04", "2027-01-09"):  # fmt: skip
            self.remind_on(day)
            seen.append(len(self.activities(self.channel, REAUTHORISE)))
        self.assertEqual(seen, [0, 1, 1, 1, 2, 2, 2])
        reminders = self.activities(self.channel, REAUTHORISE)
        self.assertEqual(reminders.user_id, self.manager)
        self.assertIn("2027-01-10", reminders[0].note)
        for manager in (self.manager, self.other_manager):
            self.assertEqual(len(self.emails(self.channel, manager)), 2, manager.login)
        # Reconnecting is what the reminders ask for: they are done, and the next year's come.
        self.channel.refresh_token = "Atzr|renewed"
        self.assertFalse(self.activities(self.channel, REAUTHORISE))
        self.assertFalse(self.channel.authorisation_reminder)

    def test_secret_rotation_reminded_once_each_whatever_the_number_of_channels(self):
        self.env["amazon.channel"].create(
            {"seller_id": "A2SECONDSHOP", "region": "eu", "refresh_token": "Atzr|second"}
        )
        with freeze_time("2026-06-01"):
            self.app.lwa_client_secret = CLIENT_SECRET
        self.assertEqual(self.app.secret_expiry_date, date(2026, 11, 28))
        self.assertEqual(self.channel.secret_expiry_date, date(2026, 11, 28))
        seen = []
        for day in ("2026-10-28", "2026-10-29", "2026-11-01", "2026-11-21", "2026-11-27"):
            self.remind_on(day)
            seen.append(len(self.activities(self.app, ROTATE_SECRET)))
        self.assertEqual(seen, [0, 1, 1, 2, 2])
        for manager in (self.manager, self.other_manager):
            self.assertEqual(len(self.emails(self.app, manager)), 2, manager.login)
        self.assertFalse(self.activities(self.channel, ROTATE_SECRET))
        # A new secret is entered: nothing else changes, the to-dos are done.
        with freeze_time("2026-11-27"):
            self.app.lwa_client_secret = CLIENT_SECRET
        self.assertFalse(self.activities(self.app, ROTATE_SECRET))
        self.assertEqual(self.app.secret_expiry_date, date(2027, 5, 26))
        self.channel.action_test_connection()
        self.assertEqual(self.channel.state, "connected")


@tagged("post_install", "-at_install", "amazon_connector")
class TestRevokedAuthorisation(AmazonEmulatorCase):
    def carrier(self):
        product = self.env["product.product"].create({"name": "DHL Paket", "type": "service"})
        return self.env["delivery.carrier"].create(
            {"name": "DHL Paket", "product_id": product.id, "delivery_type": "fixed"}
        )

    def test_revoked_authorisation_stops_with_one_activity_and_reconnecting_keeps_everything(
        self,
    ):
        importer = self.env["amazon.order.importer"].with_context(amazon_commit=False)
        first = self.seed_orders(15, seed=71)
        token = self.emulator.grant_refresh_token(SELLER_ID, CLIENT_ID)
        self.channel.write({"refresh_token": token})
        self.connect(import_fba=True)
        carrier = self.env["amazon.carrier.mapping"].create(
            {"channel_id": self.channel.id, "carrier_id": self.carrier().id}
        )
        self.env["amazon.listing"].create(
            {
                "channel_id": self.channel.id,
                "marketplace_id": self.channel.marketplace_ids[0].id,
                "sku": "SKU-KEPT",
                "product_id": self.env["product.product"].create({"name": "Kept"}).id,
            }
        )
        importer._cron()
        high_water = self.channel.import_high_water
        self.assertTrue(high_water)
        imported = self.env["sale.order"].search([("amazon_channel_id", "=", self.channel.id)])
        self.assertEqual(set(imported.mapped("amazon_order_ref")), self.expected_imports(first))
        kept = {
            "status mappings": sorted(self.channel.status_mapping_ids.ids),
            "carrier mappings": carrier.ids,
            "listings": self.env["amazon.listing"]
            .search([("channel_id", "=", self.channel.id)])
            .ids,
            "marketplaces": sorted(self.channel.marketplace_ids.ids),
        }

        self.emulator.revoke_refresh_token(token)
        # Access tokens already issued keep working until they expire: this one now has.
        self.emulator.faults.script("searchOrders", ["expired_token"])
        self.channel.action_import_now()
        importer._cron()
        self.channel.action_import_now()  # someone presses again: still one to-do
        importer._cron()
        self.assertEqual(self.channel.state, "reauthorize")
        self.assertEqual(len(self.channel.activity_ids.activity_type_id), 1)
        self.assertEqual(self.channel.activity_ids.activity_type_id, self.env.ref(REAUTHORISE))
        logs = len(self.channel.sync_log_ids)
        importer._cron()
        self.assertEqual(len(self.channel.sync_log_ids), logs, "no run until it reconnects")

        # The seller authorises again (Connect with Amazon's code exchange).
        self.emulator.add_authorization_code("ANreconnect", SELLER_ID, client_id=CLIENT_ID)
        self.assertIsNone(self.channel._authorise_with_code("ANreconnect", SELLER_ID))
        self.assertEqual(self.channel.state, "connected")
        self.assertFalse(self.channel.activity_ids)
        self.assertEqual(self.channel.import_high_water, high_water)
        self.assertEqual(
            {
                "status mappings": sorted(self.channel.status_mapping_ids.ids),
                "carrier mappings": carrier.exists().ids,
                "listings": self.env["amazon.listing"]
                .search([("channel_id", "=", self.channel.id)])
                .ids,
                "marketplaces": sorted(self.channel.marketplace_ids.ids),
            },
            kept,
        )
        # The next run starts from where the last one before the revocation ended.
        self.emulator.reset_calls()
        self.channel.action_import_now()
        importer._cron()
        self.assertEqual(self.channel.sync_log_ids.sorted("id")[-1].state, "done")
        query = self.emulator.requests("searchOrders")[0]["query"]
        self.assertEqual(
            query["lastUpdatedAfter"][0][:19],
            (high_water - OVERLAP).isoformat(),
        )


@tagged("post_install", "-at_install", "amazon_connector")
class TestCredentialsAtRest(AmazonEmulatorCase):
    def test_database_holds_credentials_sealed_only(self):
        self.channel.refresh_token = "Atzr|sealed-at-rest"
        self.env.flush_all()
        dump = copy_dump(self.env.cr)
        self.assertIn(SELLER_ID, dump)  # the dump really holds the channel's row
        self.assertIn(SEALED_PREFIX, dump)
        for secret in (CLIENT_SECRET, "Atzr|sealed-at-rest", "sealed-at-rest"):
            self.assertNotIn(secret, dump)
        self.assertEqual(self.channel._credentials().refresh_token, "Atzr|sealed-at-rest")

    def test_without_the_key_nothing_runs_and_the_reason_is_plain(self):
        self.seed_orders(5, seed=73)
        self.connect()
        with connector_key(None):
            log = self.import_orders()
            with self.assertRaises(UserError) as refused:
                self.channel.refresh_token = "Atzr|cannot-be-sealed"
        self.assertEqual(log.state, "failed")
        self.assertIn("no encryption key", log.summary + " ".join(log.line_ids.mapped("message")))
        self.assertIn("amazon_connector_key", str(refused.exception))
        self.assertNotIn("Traceback", log.summary)
        self.assertEqual(self.emulator.calls("searchOrders"), 0)
        self.assertFalse(
            self.env["sale.order"].search([("amazon_channel_id", "=", self.channel.id)])
        )
        # The key is back (Odoo restarted with it): the scheduler carries on by itself.
        self.channel._sync_schedule("order_import").retry_at = False
        self.env["amazon.order.importer"].with_context(amazon_commit=False)._cron()
        self.assertEqual(self.channel.sync_log_ids.sorted("id")[-1].state, "done")

    def test_another_key_is_named_as_the_cause(self):
        self.connect()
        with connector_key(generate_key()):
            log = self.import_orders()
        self.assertEqual(log.state, "failed")
        text = log.summary + " ".join(log.line_ids.mapped("message"))
        self.assertIn("does not open the stored credentials", text)

    def test_rotation_reseals_everything_with_the_new_key(self):
        old_key = config.get(CONFIG_OPTION) or os.environ[ENVIRONMENT_VARIABLE]
        new_key = generate_key()
        vault = self.env["amazon.credential.vault"]
        with connector_key(f"{new_key},{old_key}"):
            self.assertGreaterEqual(vault._reseal_all(), 2)
            self.assertEqual(vault._reseal_all(), 0, "a second run has nothing to do")
        with connector_key(new_key):
            self.channel.action_test_connection()
            self.assertEqual(self.channel.state, "connected")
            self.assertTrue(self.emulator.calls("getMarketplaceParticipations"))
            self.assertEqual(self.channel._credentials().client_secret, CLIENT_SECRET)
        with connector_key(old_key), self.assertRaises(Exception) as refused:
            self.channel._credentials()
        self.assertEqual(refused.exception.code, "encryption_key_wrong")

    def test_credentials_appear_in_no_message_export_or_log(self):
        self.channel.refresh_token = "Atzr|never-shown"
        self.app.lwa_client_secret = "amzn1.oa2-cs.v1.never-shown"
        self.connect()
        self.env.flush_all()
        texts = [
            " ".join(self.env["mail.message"].search([]).mapped("body")),
            " ".join(
                str(v)
                for v in self.env["mail.tracking.value"]
                .search([])
                .read(["old_value_char", "new_value_char", "old_value_text", "new_value_text"])
            ),
            json.dumps(
                self.channel.export_data(
                    [name for name, f in self.channel._fields.items() if f.exportable]
                ),
                default=str,
            ),
            json.dumps(self.app.export_data(list(self.app.fields_get())), default=str),
            " ".join(self.env["amazon.sync.log"].search([]).mapped("summary")),
        ]
        for text in texts:
            self.assertNotIn("never-shown", text)


@tagged("post_install", "-at_install", "amazon_connector")
class TestCommittedCredentials(CommittedDataCase):
    """pg_dump and the key command on credentials committed by a real Odoo process."""

    def channel_with_secret(self, marker, secret=CLIENT_SECRET):
        channel_id = self.child(
            "create",
            marketplaces=EU_MARKETPLACES,
            app={"lwa_client_id": CLIENT_ID, "lwa_client_secret": secret},
            values={
                "seller_id": f"A1DUMP{marker[:8].upper()}",
                "region": "eu",
                "refresh_token": f"Atzr|dump-{marker}",
            },
        )["channel_id"]
        self.addCleanup(self.child, "archive", channel_id=channel_id)
        return channel_id

    def committed_token(self, channel_id):
        query = "SELECT refresh_token_sealed FROM amazon_channel WHERE id = %s"
        return self.committed(query, [channel_id])[0][0]

    def key_command(self, action, keys=None):
        """``odoo-bin amazon_connector_key <action>`` with a configuration holding ``keys``."""
        rcfile = Path(tempfile.mkdtemp()) / "odoo.conf"
        self.addCleanup(shutil.rmtree, rcfile.parent)
        lines = Path(config.rcfile).read_text().splitlines()
        rcfile.write_text(
            "\n".join(
                f"{CONFIG_OPTION} = {keys}" if line.startswith(CONFIG_OPTION) else line
                for line in lines
            )
        )
        run = subprocess.run(
            [sys.executable, "-m", "odoo", f"--addons-path={config['addons_path']}",
             "amazon_connector_key", action, "-c", str(rcfile), "-d", self.env.cr.dbname],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        return run.stdout

    def test_key_command_rotates_the_committed_credentials(self):
        old_key = config[CONFIG_OPTION]
        channel_id = self.channel_with_secret(uuid.uuid4().hex)
        sealed = self.committed_token(channel_id)
        new_key = self.key_command("generate").strip()
        self.assertEqual(CredentialBox([new_key]).open(CredentialBox([new_key]).seal("x")), "x")
        output = self.key_command("rotate", f"{new_key},{old_key}")
        self.assertIn("re-encrypted with the first key", output)
        rotated = self.committed_token(channel_id)
        self.assertNotEqual(rotated, sealed)
        token = CredentialBox([new_key]).open(rotated)
        self.assertTrue(token.startswith("Atzr|dump-"))
        # ...and back, so that the rest of the suite finds what it sealed.
        self.key_command("rotate", f"{old_key},{new_key}")
        self.assertEqual(CredentialBox([old_key]).open(self.committed_token(channel_id)), token)

    def test_pg_dump_holds_no_client_secret_or_refresh_token_in_clear(self):
        marker = uuid.uuid4().hex
        seller_id = f"A1DUMP{marker[:8].upper()}"
        secret = f"amzn1.oa2-cs.v1.dump-{marker}"
        refresh_token = f"Atzr|dump-{marker}"
        self.channel_with_secret(marker, secret=secret)
        dump = self.pg_dump()
        self.assertIn(seller_id, dump)  # the committed channel is in the dump...
        self.assertIn(SEALED_PREFIX, dump)
        self.assertNotIn(marker, dump)  # ...but neither its refresh token nor the secret
        self.assertNotIn(secret, dump)
        self.assertNotIn(refresh_token, dump)
