"""Connect with Amazon: Seller Central's consent (the emulator's page) in headless Chromium
through Odoo's HttpCase tooling, and the callback's refusals over real HTTP."""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from odoo import fields
from odoo.addons.amazon_connector.models.amazon_app import CALLBACK_PATH
from odoo.addons.amazon_connector.models.amazon_connect_failure import MAX_FAILURES
from odoo.addons.amazon_connector.models.amazon_connect_request import STATE_SCOPE
from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser, HttpCase, new_test_user
from odoo.tools.misc import hash_sign

from .common import CLIENT_ID, CLIENT_SECRET, SELLER_ID, AmazonEmulatorCase

APPLICATION_ID = "amzn1.sp.solution.test-connector"
CONSENT_PAGE_SHOWN = (
    "location.pathname === '/apps/authorize/consent' && !!document.getElementById('confirm')"
)


class AmazonConnectCase(AmazonEmulatorCase, HttpCase):
    """A channel not connected yet, the app registered for the consent workflow, and every EU
    marketplace's Seller Central served by the emulator."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        callback = self.base_url() + CALLBACK_PATH
        self.emulator.register_application(
            APPLICATION_ID, [callback], client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        )
        self.app.write({"application_id": APPLICATION_ID, "draft": True})
        self.env["amazon.marketplace"].search([("region", "=", "eu")]).write(
            {"seller_central_url": self.emulator.base_url}
        )
        self.channel.write({"seller_id": False, "refresh_token": False})

    # -- helpers ------------------------------------------------------------------------------

    def consent_url(self, channel=None, user=None):
        """What the Connect button sends the browser to (as the given user)."""
        channel = (channel or self.channel).with_user(user or self.env.ref("base.user_admin"))
        return channel.action_connect()["url"]

    def consent(self, consent_url, decision="confirm", seller_id=SELLER_ID):
        """The seller's answer on the consent page, as the emulator redirects: the callback
        URL with Amazon's parameters."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(consent_url).query).items()}
        response = self.url_open(
            self.emulator.base_url + "/apps/authorize/confirm",
            data={**query, "seller_id": seller_id, "decision": decision},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 302, response.text)
        return response.headers["Location"]

    def callback(self, url):
        """Open the callback as the browser would (the logged-in admin's session)."""
        return self.url_open(url, allow_redirects=False)

    def refusals(self):
        return self.env["amazon.connect.failure"].search([])


@tagged("post_install", "-at_install", "amazon_connector")
class TestConnectInBrowser(AmazonConnectCase):
    """The whole workflow in a real browser: channel form, consent page, callback."""

    def drive(self, browser, script):
        browser._websocket_request("Runtime.evaluate", params={"expression": script})

    def wait_for(self, browser, condition, what):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if browser._wait_ready(condition, timeout=5):
                    return
            except Exception:  # noqa: BLE001 - a page being replaced answers nothing
                time.sleep(0.2)
        self.fail(f"the browser never showed {what}")

    def settle(self, browser):
        """Leave the page and let its last requests end: they share the test's database
        cursor, which the test may only use again once they are done."""
        browser.navigate_to("about:blank", wait_stop=True)
        self._wait_remaining_requests()

    def confirm_on_seller_central(self, browser):
        """The seller's part: choose the selling account on the consent page and confirm."""
        self.wait_for(browser, CONSENT_PAGE_SHOWN, "Seller Central's consent page")
        self.drive(
            browser,
            f"document.querySelector('select[name=seller_id]').value = '{SELLER_ID}';"
            "document.getElementById('confirm').click()",
        )

    def browser(self, login):
        browser = ChromeBrowser(self, headless=True)
        self.addCleanup(browser.stop)
        self.authenticate(login, login, browser=browser)
        self.cr.flush()
        self.cr.clear()
        return browser

    def test_connect_from_the_channel_form(self):
        names = ",".join(
            sorted(
                self.env["amazon.marketplace"]
                .search([("amazon_id", "in", self.emulator.sellers[SELLER_ID].marketplace_ids)])
                .mapped("name")
            )
        )
        browser = self.browser("admin")
        browser.navigate_to(
            f"{self.base_url()}/odoo/action-amazon_connector.action_amazon_channel/"
            f"{self.channel.id}",
            wait_stop=True,
        )
        self.wait_for(
            browser, "!!document.querySelector('button[name=action_connect]')", "the channel"
        )
        self.drive(browser, "document.querySelector('button[name=action_connect]').click()")
        self.confirm_on_seller_central(browser)
        self.wait_for(
            browser,
            "location.pathname.startsWith('/odoo/') && "
            "(document.querySelector('.o_field_widget[name=state]') || {}).textContent"
            " === 'Connected'",
            "the channel connected",
        )
        # ...with the seller's marketplaces, as Amazon listed them, active on the form (the
        # tab after the credentials, in the order an admin sets up).
        self.drive(
            browser, "document.querySelector('.o_notebook .nav-link[name=marketplaces]').click()"
        )
        self.wait_for(
            browser,
            "[...document.querySelectorAll('.o_field_widget[name=marketplace_ids] .o_tag')]"
            f".map(tag => tag.textContent.trim()).sort().join(',') === '{names}'",
            f"the channel's marketplaces {names}",
        )
        self.settle(browser)
        self.channel.invalidate_recordset()
        self.assertEqual(self.channel.seller_id, SELLER_ID)
        self.assertEqual(self.channel.state, "connected")
        self.assertTrue(self.channel.has_refresh_token)
        self.assertTrue(self.channel.authorisation_expiry_date)

    def test_visitor_connects_through_a_copied_link(self):
        wizard = self.env["amazon.connect.link"].browse(
            self.channel.action_copy_connect_link()["res_id"]
        )
        self.assertIn("/amazon_connector/connect/", wizard.link)
        browser = self.browser(None)  # no Odoo session: a seller without a login
        browser.navigate_to(wizard.link, wait_stop=True)
        self.confirm_on_seller_central(browser)
        self.wait_for(
            browser,
            "(document.querySelector('.o_amazon_connect_message') || {}).textContent"
            f".includes('{SELLER_ID} is now connected')",
            "the thank-you page",
        )
        self.settle(browser)
        self.channel.invalidate_recordset()
        self.assertEqual((self.channel.seller_id, self.channel.state), (SELLER_ID, "connected"))
        # The link is spent: opening it again leads nowhere.
        response = self.url_open(wizard.link, allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.assertIn("no longer valid", response.text)


@tagged("post_install", "-at_install", "amazon_connector")
class TestConnectRefusals(AmazonConnectCase):
    def setUp(self):
        super().setUp()
        self.authenticate("admin", "admin")

    def assert_refused(self, response, words):
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn(words, response.text)
        self.channel.invalidate_recordset()
        self.assertFalse(self.channel.has_refresh_token)
        self.assertNotEqual(self.channel.state, "connected")

    def test_completed_consent_connects_and_redirects_to_the_channel(self):
        response = self.callback(self.consent(self.consent_url()))
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"action_amazon_channel/{self.channel.id}", response.headers["Location"])
        self.channel.invalidate_recordset()
        self.assertEqual((self.channel.seller_id, self.channel.state), (SELLER_ID, "connected"))
        self.assertFalse(self.refusals())
        request = self.env["amazon.connect.request"].search([], limit=1)
        self.assertEqual(request.amazon_sync_state, "accepted")
        self.assertIn(SELLER_ID, request.amazon_sync_message)

    def test_consent_url_is_seller_centrals_with_a_signed_state(self):
        url = urlsplit(self.consent_url())
        query = parse_qs(url.query)
        self.assertEqual(f"{url.scheme}://{url.netloc}", self.emulator.base_url)
        self.assertEqual(url.path, "/apps/authorize/consent")
        self.assertEqual(query["application_id"], [APPLICATION_ID])
        self.assertEqual(query["version"], ["beta"])
        self.assertEqual(query["redirect_uri"], [self.base_url() + CALLBACK_PATH])
        self.app.draft = False
        self.assertNotIn("version=", self.consent_url())

    def test_forged_state_is_refused(self):
        response = self.callback(
            f"{CALLBACK_PATH}?"
            + urlencode(
                {"state": "forged", "selling_partner_id": SELLER_ID, "spapi_oauth_code": "X"}
            )
        )
        self.assert_refused(response, "not valid")
        self.assertEqual(self.refusals().reason, "invalid")

    def test_tampered_state_is_refused(self):
        callback = self.consent(self.consent_url())
        query = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}
        request = self.env["amazon.connect.request"].search([], limit=1)
        # The same payload for another request id, signed with a key that is not the database's.
        query["state"] = hash_sign(
            self.env(su=True),
            "another.scope",
            {"request": request.id, "nonce": request.nonce},
            expiration=timedelta(minutes=5),
        )
        self.assert_refused(self.callback(f"{CALLBACK_PATH}?{urlencode(query)}"), "not valid")

    def test_replayed_answer_is_refused(self):
        callback = self.consent(self.consent_url())
        self.assertEqual(self.callback(callback).status_code, 303)
        self.channel.write({"refresh_token": False, "seller_id": False, "state": "draft"})
        self.assert_refused(self.callback(callback), "already used")
        self.assertEqual(self.refusals().reason, "used")

    def test_expired_state_is_refused(self):
        callback = self.consent(self.consent_url())
        request = self.env["amazon.connect.request"].search([], limit=1)
        request.expires_at = fields.Datetime.now() - timedelta(seconds=1)
        self.assert_refused(self.callback(callback), "expired")
        self.assertEqual(request.amazon_sync_state, "rejected")

    def test_requests_nobody_completed_say_so_and_old_ones_go(self):
        self.consent_url()
        self.consent_url()
        expired, pending = self.env["amazon.connect.request"].search([], order="id")
        expired.expires_at = fields.Datetime.now() - timedelta(seconds=1)
        self.env["amazon.connect.request"]._gc_requests()
        self.assertEqual(expired.amazon_sync_state, "rejected")
        self.assertIn("expired", expired.amazon_sync_message)
        self.assertEqual(pending.amazon_sync_state, "waiting")
        self.env.cr.execute(
            "UPDATE amazon_connect_request SET create_date = now() - interval '31 days' "
            "WHERE id = %s",
            [expired.id],
        )
        self.env["amazon.connect.request"]._gc_requests()
        self.assertFalse(expired.exists())
        self.assertTrue(pending.exists())

    def test_signature_past_its_expiry_is_refused(self):
        callback = self.consent(self.consent_url())
        query = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}
        request = self.env["amazon.connect.request"].search([], limit=1)
        query["state"] = hash_sign(
            self.env(su=True),
            STATE_SCOPE,
            {"request": request.id, "nonce": request.nonce},
            expiration=timedelta(seconds=-1),
        )
        self.assert_refused(self.callback(f"{CALLBACK_PATH}?{urlencode(query)}"), "not valid")

    def test_another_users_state_is_refused(self):
        colleague = new_test_user(
            self.env,
            login="amz_colleague",
            groups="base.group_user,amazon_connector.group_amazon_manager",
        )
        callback = self.consent(self.consent_url(user=colleague))
        self.assert_refused(self.callback(callback), "Another user started")
        self.assertEqual(self.refusals().reason, "other_user")

    def test_second_use_of_a_code_fails_cleanly(self):
        first = self.consent(self.consent_url())
        self.assertEqual(self.callback(first).status_code, 303)
        code = parse_qs(urlsplit(first).query)["spapi_oauth_code"][0]
        self.channel.write({"refresh_token": False, "state": "draft"})
        # A fresh, valid state, but the code Amazon already exchanged.
        second = self.consent(self.consent_url())
        query = {k: v[0] for k, v in parse_qs(urlsplit(second).query).items()}
        query["spapi_oauth_code"] = code
        response = self.callback(f"{CALLBACK_PATH}?{urlencode(query)}")
        self.assert_refused(response, "valid five minutes and only once")
        self.assertNotIn("Traceback", response.text)

    def test_code_older_than_five_minutes_is_refused_in_words(self):
        callback = self.consent(self.consent_url())
        self.emulator.clock.advance(6 * 60)  # the admin left the browser tab on Amazon
        response = self.callback(callback)
        self.assert_refused(response, "valid five minutes and only once")
        self.assertIn("valid five minutes", self.refusals().message)

    def test_code_given_to_another_app_is_refused_in_words(self):
        self.emulator.register_application(
            "amzn1.sp.solution.other", [self.base_url() + CALLBACK_PATH],
            client_id="amzn1.application-oa2-client.other", client_secret="other-secret",
        )  # fmt: skip
        callback = self.consent(self.consent_url())  # consent to the app the code is for...
        # ...while this database's app was switched to another one in the meantime.
        self.app.write(
            {
                "lwa_client_id": "amzn1.application-oa2-client.other",
                "lwa_client_secret": "other-secret",
            }
        )
        self.assert_refused(self.callback(callback), "only for the app the seller authorised")

    def test_declined_consent_is_explained(self):
        response = self.callback(self.consent(self.consent_url(), decision="cancel"))
        self.assert_refused(response, "declined in Seller Central")
        self.assertIn("declined", self.channel.message_ids[0].body)

    def test_consent_of_another_seller_is_refused_for_a_connected_channel(self):
        self.channel.seller_id = "A9SOMEONEELSE"
        self.assert_refused(
            self.callback(self.consent(self.consent_url())), "but this channel is for seller"
        )

    def test_failed_callbacks_from_one_address_are_rate_limited(self):
        for _attempt in range(MAX_FAILURES):
            self.assertEqual(self.callback(f"{CALLBACK_PATH}?state=guess").status_code, 400)
        # Now even a genuine answer from that address waits.
        response = self.callback(self.consent(self.consent_url()))
        self.assertEqual(response.status_code, 429)
        self.assertIn("15 minutes", response.text)
        self.assertEqual(len(self.refusals()), MAX_FAILURES)

    def test_connect_needs_the_app_set_up(self):
        self.app.application_id = False
        with self.assertRaisesRegex(Exception, "Application ID"):
            self.channel.action_connect()
