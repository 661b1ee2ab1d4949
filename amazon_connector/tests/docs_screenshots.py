"""The screenshots of docs/ and README, taken from the real screens of the demo database.

Not part of the test suite: ``scripts/screenshots`` builds the demo (``scripts/demo``), starts
its emulator and runs this against the demo database, with AMAZON_CONNECTOR_SCREENSHOTS set to
the directory that receives the pictures (docs/images). The walk goes through Odoo's HttpCase
in headless Chromium, the browser of the tours: everything it prepares (a delivery sent, an
order cancelled on Amazon, a failed import) happens in the test's transaction, so the demo
database is left as it was.
"""

import base64
import json
import os
from pathlib import Path
from unittest.mock import patch

import httpx
from odoo.tests import Form, HttpCase, tagged
from odoo.tests.common import ChromeBrowser

SIGNAL = "amazon_connector screenshot "

# Runs in the page: waits for each action's element (and clicks it), lets the screen settle,
# asks for the picture (SIGNAL), and waits until the test says it is taken.
SHOOT_JS = """
(async () => {
    const request = %(request)s;
    const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const shown = (selector, text) => [...document.querySelectorAll(selector)].find(
        (el) => el.getClientRects().length && (!text || el.textContent.includes(text))
    );
    const wait = async (find, what) => {
        for (let i = 0; i < 300; i++) {
            const found = find();
            if (found) {
                return found;
            }
            await pause(100);
        }
        throw new Error(`${request.name}: never shown: ${what}`);
    };
    for (const [kind, selector, text] of request.actions) {
        const element = await wait(() => shown(selector, text), `${selector} ${text || ""}`);
        if (kind === "click") {
            element.click();
        } else if (kind === "scroll") {
            element.scrollIntoView({ block: "start" });
        }
    }
    await pause(1000);  // fonts, transitions and the last RPCs
    let clip = null;
    if (request.clip) {
        const box = (await wait(() => shown(request.clip), request.clip)).getBoundingClientRect();
        clip = { x: box.x, y: box.y, width: box.width, height: box.height, scale: 1 };
    }
    console.log(%(signal)s + JSON.stringify({ name: request.name, clip }));
    await wait(() => document.body.dataset.amazonScreenshot === request.name, "the picture");
    console.log("test successful");
})().catch((error) => console.error(error.message));
"""


def screenshots_taken_into(directory):
    """Odoo's ChromeBrowser console handler, extended: SIGNAL asks for a picture, saved as
    <directory>/<name>.png; the page is told once it is written."""
    handle_console = ChromeBrowser._handle_console

    def handle(browser, type, args=None, stackTrace=None, **kw):
        first = args[0].get("value") if args else None
        if not (isinstance(first, str) and first.startswith(SIGNAL)):
            return handle_console(browser, type, args=args, stackTrace=stackTrace, **kw)
        request = json.loads(first[len(SIGNAL) :])
        params = {"format": "png"}
        if request["clip"]:
            params.update(clip=request["clip"], captureBeyondViewport=True)

        def save(future):
            picture = base64.b64decode(future.result()["data"])
            Path(directory, f"{request['name']}.png").write_bytes(picture)
            browser._websocket_send(
                "Runtime.evaluate",
                params={
                    "expression": "document.body.dataset.amazonScreenshot = "
                    + json.dumps(request["name"])
                },
            )

        future = browser._websocket_send("Page.captureScreenshot", params=params, with_future=True)
        future.add_done_callback(save)
        return None

    return patch.object(ChromeBrowser, "_handle_console", handle)


def click(selector, text=None):
    return ("click", selector, text)


def shown(selector, text=None):
    return ("wait", selector, text)


def scrolled_to(selector):
    return ("scroll", selector, None)


def tab(label):
    return click(".o_notebook .nav-link", label)


@tagged("post_install", "-at_install", "-standard", "amazon_connector_docs")
class DocsScreenshots(HttpCase):
    def setUp(self):
        super().setUp()
        self.directory = os.environ.get("AMAZON_CONNECTOR_SCREENSHOTS")
        if not self.directory:
            self.skipTest("scripts/screenshots sets AMAZON_CONNECTOR_SCREENSHOTS")
        self.channel = self.env["amazon.channel"].search([], order="id", limit=1)
        self.assertEqual(self.channel.state, "connected", "the demo's channel, connected")
        self.emulator_url = self.channel.api_base_url
        # Failed calls are retried at once here: the walk shows a retry, it does not wait it.
        self.env["ir.config_parameter"].set_param("amazon_connector.retry_delay", "0.01")
        screenshots = screenshots_taken_into(self.directory)
        screenshots.start()
        self.addCleanup(screenshots.stop)

    def shoot(self, name, url, actions=(), clip=None, height=900):
        self.browser_size = f"1400,{height}"
        request = {"name": name, "actions": actions, "clip": clip}
        code = SHOOT_JS % {"request": json.dumps(request), "signal": json.dumps(SIGNAL)}
        self.browser_js(url, code, login="admin", timeout=60)
        self.assertTrue(Path(self.directory, f"{name}.png").exists(), name)

    @staticmethod
    def action_url(xmlid, record=None):
        return f"/odoo/action-amazon_connector.{xmlid}" + (f"/{record.id}" if record else "")

    def emulator(self, path, payload):
        httpx.post(f"{self.emulator_url}/_emulator/{path}", json=payload).raise_for_status()

    def orders(self, domain=(), order="amazon_latest_ship_date"):
        return self.env["sale.order"].search(
            [("amazon_channel_id", "=", self.channel.id), *domain], order=order
        )

    def deliver(self, picking, tracking):
        picking.write(
            {
                "carrier_id": picking.carrier_id.id or self.channel.default_carrier_id.id,
                "carrier_tracking_ref": tracking,
            }
        )
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.with_context(skip_backorder=True).button_validate()

    def test_docs_screenshots(self):
        channel, form = self.channel, ".o_form_view .o_form_sheet_bg"
        unshipped = self.orders(
            [("amazon_status", "=", "UNSHIPPED"), ("amazon_fulfilled_by", "=", "MERCHANT")]
        )
        self.assertGreaterEqual(len(unshipped), 4, "the demo has orders to ship")

        # -- the back office's morning --------------------------------------------------------
        self.shoot(
            "amazon-dashboard",
            self.action_url("action_amazon_dashboard"),
            [shown(".o_amazon_dashboard .o_kanban_record")],
        )
        self.shoot(
            "amazon-orders", self.action_url("action_amazon_sale_orders"), [shown(".o_data_row")]
        )
        french = self.orders([("amazon_marketplace_id.amazon_id", "=", "A13V1IB3VIYZZH")])
        lines = max(french, key=lambda order: (len(order.order_line), order.id))
        self.shoot(
            "sale-order-lines",
            self.action_url("action_amazon_sale_orders", lines),
            [shown(".o_field_one2many .o_data_row")],
            height=1000,
        )
        business = self.orders([("amazon_is_business", "=", True)])[:1] or unshipped[:1]
        self.shoot(
            "sale-order-amazon-tab",
            self.action_url("action_amazon_sale_orders", business),
            [tab("Amazon"), shown("div[name='amazon_order_ref']")],
        )

        # -- shipping: one delivery accepted, one refused for its missing tracking number ----
        accepted, rejected, cancelled, asked = unshipped[:4]
        self.deliver(accepted.picking_ids, "JJD000390007812")
        self.deliver(rejected.picking_ids, False)
        self.env["amazon.shipment.exporter"]._run(channel)
        self.assertEqual(accepted.picking_ids.amazon_sync_state, "accepted")
        self.assertEqual(rejected.picking_ids.amazon_sync_state, "rejected")
        self.shoot(
            "amazon-deliveries", self.action_url("action_amazon_pickings"), [shown(".o_data_row")]
        )
        self.shoot(
            "picking-amazon-tab",
            self.action_url("action_amazon_pickings", accepted.picking_ids),
            [tab("Amazon"), shown(".o_notebook .o_field_one2many")],
        )
        self.shoot(
            "picking-rejected",
            self.action_url("action_amazon_pickings", rejected.picking_ids),
            [shown(".alert-warning")],
            height=520,
        )

        # -- cancelling on Amazon: the wizard, then Amazon's answer -----------------------
        self.shoot(
            "cancel-wizard",
            self.action_url("action_amazon_sale_orders", asked),
            [click(".o_form_statusbar button[name='action_cancel']"), shown(".modal-content")],
            clip=".modal-content",
        )
        action = cancelled.action_cancel()
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
        wizard.reason = "NoInventory"
        wizard.save().action_confirm()
        self.env["amazon.cancellation.exporter"]._run(channel)
        self.emulator("clock", {"advance": 150})
        self.env["amazon.cancellation.exporter"]._run(channel)
        self.assertEqual(cancelled.amazon_sync_state, "accepted")
        self.shoot(
            "sale-order-cancellation",
            self.action_url("action_amazon_sale_orders", cancelled),
            [tab("Amazon"), shown("div[name='amazon_order_ref']")],
            height=1000,
        )

        # -- the channel, tab by tab ---------------------------------------------------------
        channel_url = self.action_url("action_amazon_channel", channel)
        self.shoot("channel-form", channel_url, [shown(form)])
        self.shoot(
            "channel-credentials",
            channel_url + "?debug=1",
            [tab("Credentials"), shown("div[name='api_base_url']")],
            height=1000,
        )
        for name, label in (
            ("channel-marketplaces-tab", "Marketplaces"),
            ("channel-orders-tab", "Orders"),
            ("channel-shipments-tab", "Shipments"),
            ("channel-stock-prices", "Stock"),
            ("channel-data-protection", "Data Protection"),
        ):
            self.shoot(
                name,
                channel_url,
                [tab(label), shown(".o_notebook .tab-pane.active"), scrolled_to(".o_notebook")],
            )
        self.shoot(
            "status-mapping",
            self.action_url("action_amazon_status_mapping"),
            [click(".o_group_header"), shown(".o_data_row")],
        )
        self.shoot(
            "carrier-mapping",
            self.action_url("action_amazon_carrier_mapping"),
            [shown(".o_data_row")],
            height=450,
        )

        # -- listings: the demo's stock export, accepted by Amazon ----------------------------
        self.shoot("listings", self.action_url("action_amazon_listing"), [shown(".o_data_row")])
        sent = self.env["amazon.listing"].search(
            [("channel_id", "=", channel.id), ("update_ids", "!=", False)], order="sku", limit=1
        )
        self.shoot(
            "listing-form",
            self.action_url("action_amazon_listing", sent),
            [shown(".o_field_one2many .o_data_row")],
            height=950,
        )

        # -- logs ------------------------------------------------------------------------------
        imported = self.env["amazon.sync.log"].search(
            [("channel_id", "=", channel.id), ("kind", "=", "order_import")], order="id", limit=1
        )
        self.shoot(
            "sync-log",
            self.action_url("action_amazon_sync_log", imported),
            [tab("API calls"), shown(".o_notebook .tab-pane.active")],
        )

        # -- the app and connecting -------------------------------------------------------------
        self.shoot(
            "amazon-app",
            "/odoo/action-amazon_connector.action_amazon_app",
            [shown("div[name='lwa_client_id']")],
            height=760,
        )
        consent = channel.action_connect()["url"]
        self.shoot("consent-page", consent, [shown("body")], height=520)
        self.shoot(
            "connect-refused",
            "/amazon_connector/oauth/callback?state=altered&spapi_oauth_code=ANY"
            f"&selling_partner_id={channel.seller_id}",
            [shown("main")],
            height=420,
        )
        self.shoot(
            "connection-attempts",
            self.action_url("action_amazon_connect_request"),
            [shown(".o_data_row")],
            height=400,
        )
        self.shoot(
            "refused-callbacks",
            self.action_url("action_amazon_connect_failure"),
            [shown(".o_data_row")],
            height=320,
        )

        # -- buyers' personal data: redacted on schedule ------------------------------------
        # The demo's orders were imported minutes ago, so none is due yet: switching the
        # channel's personal data off purges them all, as it does for an admin.
        channel.personal_data_access = False
        log = self.env["amazon.pii.redactor"]._run(channel)
        self.assertTrue(log, "the channel keeps no personal data now")
        self.shoot(
            "redaction-log",
            self.action_url("action_amazon_sync_log", log),
            [shown(".o_form_view")],
            height=700,
        )
        redacted = self.orders([("amazon_pii_redacted", "=", True)], order="id")[:1]
        self.shoot(
            "redacted-order",
            self.action_url("action_amazon_sale_orders", redacted),
            [tab("Amazon"), shown("div[name='amazon_pii_redacted_date']")],
        )

        # -- an outage: Amazon fails the import, the scheduler retries by itself ------------
        self.emulator("faults", {"operation": "searchOrders", "script": ["500"] * 7})
        self.env["amazon.order.importer"]._run(channel)
        self.emulator("faults", {"clear": True})
        self.assertIn("retrying at", channel.sync_retry_note)
        self.shoot("channel-retrying", channel_url, [shown(".alert-info")], height=820)
