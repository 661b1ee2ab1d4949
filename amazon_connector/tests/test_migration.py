"""Upgrading from 18.0.1.4 (credentials in clear on each channel) to sealed credentials."""

import importlib.util
from pathlib import Path

from odoo.tests import tagged

from .common import CLIENT_ID, CLIENT_SECRET, AmazonEmulatorCase, copy_dump
from .test_credentials import connector_key

MIGRATION = Path(__file__).parents[1] / "migrations" / "18.0.1.5.0" / "post-migration.py"


def load_migration():
    spec = importlib.util.spec_from_file_location("amazon_connector_1_5_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install", "amazon_connector")
class TestCredentialsMigration(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.migration = load_migration()
        # The database as 18.0.1.4 left it: clear columns on the channel, no app credentials.
        self.env.flush_all()
        self.env.cr.execute(
            "ALTER TABLE amazon_channel ADD COLUMN lwa_client_id varchar, "
            "ADD COLUMN lwa_client_secret varchar, ADD COLUMN refresh_token varchar; "
            "UPDATE amazon_channel SET refresh_token_sealed = NULL; "
            "UPDATE amazon_app SET lwa_client_id = NULL, lwa_client_secret_sealed = NULL"
        )
        self.env.cr.execute(
            "UPDATE amazon_channel SET lwa_client_id = %s, lwa_client_secret = %s, "
            "refresh_token = %s WHERE id = %s",
            (CLIENT_ID, CLIENT_SECRET, "Atzr|from-1.4", self.channel.id),
        )
        self.env.invalidate_all()

    def clear_columns(self):
        self.env.cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'amazon_channel' AND column_name IN %s",
            (self.migration.CLEAR_COLUMNS,),
        )
        return {name for (name,) in self.env.cr.fetchall()}

    def test_credentials_move_to_the_app_and_are_sealed(self):
        self.assertIn(CLIENT_SECRET, copy_dump(self.env.cr), "the 1.4 database holds it")
        self.migration.migrate(self.env.cr, "18.0.1.4.0")
        self.env.invalidate_all()
        self.assertFalse(self.clear_columns())
        dump = copy_dump(self.env.cr)
        self.assertNotIn(CLIENT_SECRET, dump)
        self.assertNotIn("Atzr|from-1.4", dump)
        self.assertEqual(self.app.lwa_client_id, CLIENT_ID)
        credentials = self.channel._credentials()
        self.assertEqual(
            (credentials.client_secret, credentials.refresh_token),
            (CLIENT_SECRET, "Atzr|from-1.4"),
        )

    def test_without_a_key_the_upgrade_stops_before_changing_anything(self):
        with connector_key(None), self.assertRaises(RuntimeError) as stopped:
            self.migration.migrate(self.env.cr, "18.0.1.4.0")
        self.assertIn("no encryption key", str(stopped.exception))
        self.assertEqual(self.clear_columns(), set(self.migration.CLEAR_COLUMNS))
        self.assertIn(CLIENT_SECRET, copy_dump(self.env.cr))
