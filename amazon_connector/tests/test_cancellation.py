"""Cancellations made in Odoo reach Amazon through the order acknowledgement feed."""

from datetime import timedelta

from odoo.tests import Form, tagged

from spapi_emulator.ops.feeds import process_due_feeds

from .common import AmazonEmulatorCase


@tagged("post_install", "-at_install")
class TestCancellationToAmazon(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.connect()
        self.emulator.feed_delays = (30, 90)

    def unshipped_orders(self, count, seed=5):
        return self.import_unshipped(count=count, seed=seed)

    def cancel(self, orders, reason):
        action = orders.action_cancel()
        self.assertEqual(action["res_model"], "amazon.order.cancel")
        wizard = Form(self.env["amazon.order.cancel"].with_context(**action["context"]))
        wizard.reason = reason
        wizard.save().action_confirm()

    def export(self):
        return self.env["amazon.cancellation.exporter"]._run(self.channel)

    def let_amazon_process(self):
        self.emulator.clock.advance(120)
        process_due_feeds(self.emulator)

    def test_cancellations_go_in_one_feed_and_come_back_accepted(self):
        orders, amazon = self.unshipped_orders(2)
        self.cancel(orders[0], "NoInventory")
        self.cancel(orders[1], "ShippingAddressUndeliverable")
        self.assertEqual(set(orders.mapped("state")), {"cancel"})
        self.assertEqual(set(orders.mapped("amazon_sync_state")), {"to_send"})
        self.assertFalse(self.emulator.calls("createFeed"), "nothing goes out in the request")

        log = self.export()
        self.assertEqual(self.emulator.calls("createFeed"), 1, "one feed for both orders")
        feed = orders.amazon_cancel_feed_id
        self.assertEqual(len(feed), 1)
        self.assertEqual(feed.amazon_sync_state, "waiting")
        self.assertEqual(set(orders.mapped("amazon_sync_state")), {"waiting"})
        self.assertIn("2 order(s) submitted", log.summary)

        self.export()  # Amazon is still processing: nothing changes
        self.assertEqual(feed.amazon_sync_state, "waiting")
        self.let_amazon_process()
        log = self.export()
        self.assertEqual(feed.amazon_sync_state, "accepted")
        self.assertEqual(set(orders.mapped("amazon_sync_state")), {"accepted"})
        self.assertEqual(set(orders.mapped("amazon_status")), {"CANCELLED"})
        self.assertEqual(log.count_sent, 2)
        for order in amazon:
            self.assertEqual(order["fulfillment"]["fulfillmentStatus"], "CANCELLED")
        reasons = {
            item["cancellation"]["cancellationExecution"]["cancelReason"]
            for item in amazon[1]["orderItems"]
        }
        self.assertEqual(reasons, {"ShippingAddressUndeliverable"})
        self.assertEqual(self.emulator.calls("createFeed"), 1)

    def test_a_feed_amazon_no_longer_knows_is_sent_again(self):
        orders, amazon = self.unshipped_orders(1, seed=8)
        self.cancel(orders, "NoInventory")
        self.export()
        lost = orders.amazon_cancel_feed_id
        with self.emulator.lock:
            self.emulator.feeds.clear()  # past Amazon's 90 days, or another Amazon
        log = self.export()
        self.assertEqual(log.state, "done", log.summary)
        self.assertEqual(lost.amazon_sync_state, "cancelled")
        self.assertEqual(self.emulator.calls("createFeed"), 2, "the order went again")
        self.let_amazon_process()
        self.export()
        self.assertEqual(orders.amazon_sync_state, "accepted")
        self.assertEqual(amazon[0]["fulfillment"]["fulfillmentStatus"], "CANCELLED")

    def test_refusal_is_shown_on_the_order(self):
        orders, amazon = self.unshipped_orders(2, seed=6)
        self.cancel(orders, "NoInventory")
        # The order shipped from Seller Central before the feed was processed.
        amazon[0]["fulfillment"]["fulfillmentStatus"] = "SHIPPED"
        self.export()
        self.let_amazon_process()
        log = self.export()
        refused, accepted = orders
        self.assertEqual(refused.amazon_sync_state, "rejected")
        self.assertIn("can't be cancelled", refused.amazon_sync_message)
        self.assertIn("Amazon refused the cancellation", refused.activity_ids.mapped("summary"))
        self.assertEqual(accepted.amazon_sync_state, "accepted")
        self.assertEqual(log.count_failed, 1)
        self.assertEqual(log.line_ids.amazon_ref, refused.amazon_order_ref)

    def test_interrupted_submission_is_resubmitted_and_settled_with_the_order(self):
        orders, amazon = self.unshipped_orders(1, seed=7)
        self.cancel(orders, "NoInventory")
        # createFeed goes through on Amazon's side but its answer is lost, and the retries
        # fail too: the run stops with the document uploaded and the feed unknown.
        self.emulator.faults.script("createFeed", ["lost_answer"] + ["reset"] * 10)
        log = self.export()
        self.assertEqual(log.state, "failed")
        feed = orders.amazon_cancel_feed_id
        self.assertEqual(feed.amazon_sync_state, "sending")
        self.emulator.faults.clear()
        self.emulator.reset_calls()
        self.export()
        self.assertEqual(feed.amazon_sync_state, "waiting")
        self.assertEqual(self.emulator.calls("createFeed"), 1, "the same document, once more")
        self.assertEqual(self.emulator.calls("createFeedDocument"), 0)
        self.let_amazon_process()
        self.export()
        # The second feed's report says "already cancelled"; Amazon's order says cancelled.
        self.assertEqual(self.emulator.calls("getOrder"), 1)
        self.assertEqual(orders.amazon_sync_state, "accepted")
        self.assertNotIn("Amazon refused the cancellation", orders.activity_ids.mapped("summary"))
        self.assertEqual(amazon[0]["fulfillment"]["fulfillmentStatus"], "CANCELLED")

    def test_buyer_request_preselects_buyer_cancelled_reason(self):
        orders, _amazon = self.unshipped_orders(1, seed=8)
        orders.amazon_buyer_cancel_requested = True
        action = orders.action_cancel()
        self.assertEqual(action["context"]["default_reason"], "BuyerCanceled")

    def test_orders_not_cancellable_on_amazon_cancel_in_odoo_only(self):
        orders, _amazon = self.unshipped_orders(1, seed=9)
        self.channel.cancel_on_amazon = False
        orders.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(orders.state, "cancel")
        self.assertFalse(orders.amazon_sync_state)
        self.assertIsNone(self.export())

    def test_import_of_the_cancelled_order_confirms_acceptance(self):
        orders, amazon = self.unshipped_orders(1, seed=10)
        self.cancel(orders, "NoInventory")
        self.export()
        orders.amazon_sync_state = "rejected"  # e.g. a report that was misread
        with self.emulator.lock:
            amazon[0]["fulfillment"]["fulfillmentStatus"] = "CANCELLED"
            amazon[0]["lastUpdatedTime"] = (
                self.emulator.clock.now() - timedelta(minutes=30)
            ).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.import_orders(rescan=True)
        self.assertEqual(orders.amazon_sync_state, "accepted")

    def test_feed_refused_as_a_whole_marks_its_orders_refused(self):
        orders, amazon = self.unshipped_orders(1, seed=12)
        self.cancel(orders, "NoInventory")
        self.emulator.feed_result_gzip = True  # Amazon may compress the report
        self.addCleanup(setattr, self.emulator, "feed_result_gzip", False)
        self.export()
        feed = orders.amazon_cancel_feed_id
        self.emulator.documents[feed.document_ref]["content"] = b"<AmazonEnvelope><broken"
        self.let_amazon_process()
        self.export()
        self.assertEqual(feed.amazon_sync_state, "rejected")
        self.assertIn("XML Parsing Fatal Error", feed.amazon_sync_message)
        self.assertEqual(orders.amazon_sync_state, "rejected")
        self.assertIn("XML Parsing Fatal Error", orders.amazon_sync_message)
        self.assertEqual(amazon[0]["fulfillment"]["fulfillmentStatus"], "UNSHIPPED")
