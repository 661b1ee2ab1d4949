from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CLIENT_ID, CLIENT_SECRET, EU_MARKETPLACES, AmazonEmulatorCase


@tagged("post_install", "-at_install", "amazon_connector")
class TestChannelConnection(AmazonEmulatorCase):
    def test_marketplaces_loaded_from_reference_data(self):
        marketplaces = self.env["amazon.marketplace"].search([])
        self.assertEqual(len(marketplaces), 23)
        germany = marketplaces.filtered(lambda m: m.amazon_id == "A1PA6795UKMFR9")
        self.assertEqual(germany.country_id.code, "DE")
        self.assertEqual(germany.currency_id.name, "EUR")
        self.assertEqual(germany.region, "eu")
        self.assertEqual(
            marketplaces.filtered(lambda m: m.amazon_id == "A1F83G8C2ARO7P").country_id.code, "GB"
        )

    def test_connection_turns_channel_green(self):
        self.assertEqual(self.channel.state, "draft")
        calls_before = self.emulator.calls("getMarketplaceParticipations")
        result = self.channel.action_test_connection()
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(self.channel.state, "connected")
        self.assertFalse(self.channel.last_error)
        self.assertTrue(self.channel.last_success_date)
        self.assertEqual(self.emulator.calls("getMarketplaceParticipations"), calls_before + 1)
        self.assertEqual(
            sorted(self.channel.participating_marketplace_ids.mapped("amazon_id")),
            sorted(EU_MARKETPLACES),
        )
        # No marketplace was active yet: the participating ones are offered and preselected.
        self.assertEqual(
            sorted(self.channel.marketplace_ids.mapped("amazon_id")), sorted(EU_MARKETPLACES)
        )
        log = self.channel.sync_log_ids
        self.assertEqual(log.kind, "connection")
        self.assertEqual(log.state, "done")
        self.assertIn("getMarketplaceParticipations", log.api_calls)

    def test_revoked_authorisation_needs_reauthorisation(self):
        # A seller of its own, so revoking its token leaves the other tests' seller intact.
        self.emulator.add_seller(
            "A1REVOKED",
            "Revoked Shop",
            EU_MARKETPLACES,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            refresh_token="Atzr|to-be-revoked",
        )
        self.channel.write({"seller_id": "A1REVOKED", "refresh_token": "Atzr|to-be-revoked"})
        self.assertEqual(self.channel.action_test_connection()["params"]["type"], "success")
        self.emulator.revoke_refresh_token("Atzr|to-be-revoked")
        result = self.channel.action_test_connection()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertEqual(self.channel.state, "reauthorize")
        self.assertIn("no longer accepts this channel's authorisation", self.channel.last_error)
        self.assertEqual(self.channel.sync_log_ids.sorted("id")[-1].state, "failed")

    def test_wrong_client_secret_is_explained(self):
        self.app.lwa_client_secret = "not-the-secret"
        self.channel.action_test_connection()
        self.assertEqual(self.channel.state, "error")
        self.assertIn("client id or client secret", self.channel.last_error)

    def test_unreachable_endpoint_is_explained(self):
        # A port nothing listens on: connection refused, like a network outage.
        self.channel.lwa_token_url = "http://127.0.0.1:9/auth/o2/token"
        self.channel.action_test_connection()
        self.assertEqual(self.channel.state, "error")
        self.assertIn("could not be reached", self.channel.last_error)

    def test_missing_credentials_are_named(self):
        self.channel.refresh_token = False
        self.channel.action_test_connection()
        self.assertEqual(self.channel.state, "error")
        self.assertIn("Refresh Token", self.channel.last_error)

    def test_new_refresh_token_records_its_date(self):
        self.channel.refresh_token_date = False
        self.channel.refresh_token = "Atzr|another"
        self.assertTrue(self.channel.refresh_token_date)
        self.assertEqual(self.channel.state, "draft")


@tagged("post_install", "-at_install", "amazon_connector")
class TestChannelSecurity(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.amazon_user = new_test_user(
            self.env, login="amz_user", groups="base.group_user,amazon_connector.group_amazon_user"
        )
        self.amazon_manager = new_test_user(
            self.env,
            login="amz_manager",
            groups="base.group_user,amazon_connector.group_amazon_manager",
        )

    def test_user_cannot_read_refresh_token(self):
        channel = self.channel.with_user(self.amazon_user)
        self.assertEqual(channel.seller_id, self.channel.seller_id)  # may read the channel
        with self.assertRaises(AccessError):
            channel.read(["refresh_token"])
        with self.assertRaises(AccessError):
            self.app.with_user(self.amazon_user).read(["lwa_client_id"])

    def test_user_cannot_write_channel(self):
        with self.assertRaises(AccessError):
            self.channel.with_user(self.amazon_user).write({"name": "Renamed"})

    def test_only_managers_start_runs(self):
        channel = self.channel.with_user(self.amazon_user)
        for action in (
            channel.action_import_now,
            channel.action_rescan_now,
            channel.action_import_listings,
            channel.action_export_listings,
            channel.action_import_fba_inventory,
        ):
            with self.subTest(action=action.__name__), self.assertRaises(AccessError):
                action()
        schedules = self.channel.sync_schedule_ids.filtered("requested")
        self.assertFalse(schedules, "nothing was asked for")
        self.channel.with_user(self.amazon_manager).action_export_listings()
        requested = self.channel.sync_schedule_ids.filtered("requested")
        self.assertEqual(requested.mapped("kind"), ["listing_export"])

    def test_manager_writes_credentials_nobody_reads_them_back(self):
        channel = self.channel.with_user(self.amazon_manager)
        self.assertEqual(self.app.with_user(self.amazon_manager).lwa_client_id, CLIENT_ID)
        channel.write({"refresh_token": "Atzr|rotated"})
        self.assertTrue(channel.has_refresh_token)
        self.assertFalse(channel.refresh_token, "written, never shown again")
        self.assertFalse(self.app.with_user(self.amazon_manager).lwa_client_secret)
        with self.assertRaises(AccessError):
            channel.read(["refresh_token_sealed"])
        self.assertEqual(self.channel._credentials().refresh_token, "Atzr|rotated")

    def test_channels_of_other_companies_are_hidden(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        other = self.env["amazon.channel"].create(
            {"seller_id": "A2OTHER", "region": "na", "company_id": other_company.id}
        )
        visible = self.env["amazon.channel"].with_user(self.amazon_manager).search([])
        self.assertIn(self.channel, visible)
        self.assertNotIn(other, visible)
