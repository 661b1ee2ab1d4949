"""Orders within a minute: Amazon's ORDER_CHANGE notifications in a real SQS queue (moto's
server, ``AMAZON_TEST_SQS_ENDPOINT``, started by scripts/test), published by the emulator when
an order changes, read by the consumer, one getOrder per changed order."""

import json
import os
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import boto3
from odoo.tests import tagged

from ..models.amazon_sync_runner import CONCURRENCY_ATTEMPTS
from .common import SELLER_ID, AmazonEmulatorCase
from .test_sync_engine import CommittedDataCase

ENDPOINT_VARIABLE = "AMAZON_TEST_SQS_ENDPOINT"


class SqsCase:
    """A queue of its own per test on the SQS server, and the emulator publishing to it."""

    @classmethod
    def sqs_endpoint(cls):
        endpoint = os.environ.get(ENDPOINT_VARIABLE)
        if not endpoint:
            raise AssertionError(
                f"{ENDPOINT_VARIABLE} is not set: scripts/test starts an SQS server (moto) and "
                "sets it; to run these tests by hand, start one with scripts/sqs_server.py."
            )
        return endpoint

    def sqs(self):
        return boto3.session.Session().client(
            "sqs",
            endpoint_url=self.sqs_endpoint(),
            region_name="us-east-1",  # the region the consumer assumes off AWS hosts
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def new_queue(self):
        name = f"amazon-orders-{uuid.uuid4().hex[:12]}"
        url = self.sqs().create_queue(QueueName=name)["QueueUrl"]
        self.addCleanup(self.sqs().delete_queue, QueueUrl=url)
        self.emulator.set_sqs_endpoint(self.sqs_endpoint())
        return url

    def queue_counts(self, url):
        """(visible, in flight) messages of a queue."""
        attributes = self.sqs().get_queue_attributes(
            QueueUrl=url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
            ],
        )["Attributes"]
        return (
            int(attributes["ApproximateNumberOfMessages"]),
            int(attributes["ApproximateNumberOfMessagesNotVisible"]),
        )

    def notification_values(self, queue_url):
        return {
            "notifications_enabled": True,
            "sqs_queue_url": queue_url,
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }


@tagged("post_install", "-at_install", "amazon_connector")
class TestNotificationPath(SqsCase, AmazonEmulatorCase):
    """In the test's transaction: nothing is committed, so no message is deleted either."""

    def setUp(self):
        super().setUp()
        with self.emulator.lock:  # a seller account that subscribed to nothing yet
            self.emulator.subscriptions.clear()
            self.emulator.destinations.clear()
        self.queue_url = self.new_queue()
        self.connect(import_fba=True, **self.notification_values(self.queue_url))
        self.consumer = self.env["amazon.notification.consumer"]

    def unshipped_order(self, seed=61):
        """An unshipped merchant order that changed just now (one left waiting over a minute
        would be read with a search, see _catch_up)."""
        order = self.first_with(self.generated_orders(seed), "UNSHIPPED", "MERCHANT")
        order["lastUpdatedTime"] = self.emulator.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        return order

    def test_subscribes_then_a_changed_order_becomes_a_sale_order_with_one_get_order(self):
        log = self.consumer._run(self.channel)
        self.assertEqual(log.state, "done")
        self.assertEqual(self.channel.notification_state, "accepted")
        self.assertIn("Subscribed to Amazon's order notifications", log.line_ids.message)
        subscriptions = [
            s for s in self.emulator.subscriptions.values() if s["seller_id"] == SELLER_ID
        ]
        self.assertEqual([s["type"] for s in subscriptions], ["ORDER_CHANGE"])
        destination = self.emulator.destinations[subscriptions[0]["destinationId"]]
        self.assertTrue(
            destination["resource"]["sqs"]["arn"].endswith(self.queue_url.split("/")[-1])
        )
        self.assertEqual(
            self.channel.sudo().notification_subscription_ref, subscriptions[0]["subscriptionId"]
        )
        # The polling import now runs as a safety net only.
        importer = self.env["amazon.order.importer"]
        self.assertEqual(importer._interval(self.channel), 60)

        order = self.unshipped_order()
        self.emulator.reset_calls()
        self.emulator.load_orders(SELLER_ID, [order])
        self.assertEqual(self.queue_counts(self.queue_url)[0], 1, "Amazon sent one message")
        log = self.consumer._run(self.channel)
        self.assertEqual((log.state, log.count_new), ("done", 1), log.summary)
        sale = self.odoo_order(order["orderId"])
        self.assertEqual(sale.state, "sale")
        self.assertEqual(self.emulator.calls("getOrder"), 1)
        self.assertEqual(self.emulator.calls("searchOrders"), 0)

    def test_another_queue_moves_the_subscription_to_it(self):
        self.consumer._run(self.channel)
        former = self.channel.sudo().notification_subscription_ref
        new_url = self.new_queue()
        self.channel.sqs_queue_url = new_url
        self.assertEqual(self.channel.notification_state, "waiting")
        log = self.consumer._run(self.channel)
        self.assertEqual(log.state, "done", log.summary)
        self.assertEqual(self.channel.notification_state, "accepted")
        (subscription,) = [
            s for s in self.emulator.subscriptions.values() if s["seller_id"] == SELLER_ID
        ]
        self.assertNotEqual(subscription["subscriptionId"], former)
        destination = self.emulator.destinations[subscription["destinationId"]]
        self.assertTrue(destination["resource"]["sqs"]["arn"].endswith(new_url.split("/")[-1]))
        self.emulator.load_orders(SELLER_ID, [self.unshipped_order(seed=67)])
        self.assertEqual(self.queue_counts(new_url)[0], 1, "Amazon sends to the new queue")
        self.assertEqual(self.queue_counts(self.queue_url)[0], 0)

    def test_repeated_and_stale_messages_change_nothing(self):
        self.consumer._run(self.channel)  # subscribes
        order = self.unshipped_order(seed=62)
        self.emulator.load_orders(SELLER_ID, [order])
        self.consumer._run(self.channel)
        sale = self.odoo_order(order["orderId"])
        self.assertTrue(sale)
        body = json.loads(self.emulator.sent_notifications(order["orderId"])[-1])
        stale = json.loads(json.dumps(body))
        trigger = stale["Payload"]["OrderChangeNotification"]["OrderChangeTrigger"]
        trigger["TimeOfOrderChange"] = "2020-01-01T00:00:00Z"
        stale["EventTime"] = "2020-01-01T00:00:00Z"
        for message in (body, body, stale):  # SQS delivers at least once; Amazon out of order
            self.sqs().send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(message))
        self.emulator.reset_calls()
        written = sale.write_date
        log = self.consumer._run(self.channel)
        self.assertEqual(log.count_new + log.count_updated, 0)
        self.assertIn("3 notification(s)", log.summary)
        self.assertIn("1 already up to date", log.summary)
        self.assertEqual(self.emulator.calls(), 0, "no call for what Odoo already has")
        self.assertEqual(sale.write_date, written)
        self.assertEqual(len(self.odoo_order(order["orderId"])), 1)

    def test_a_later_change_updates_the_order(self):
        self.consumer._run(self.channel)
        order = self.unshipped_order(seed=63)
        self.emulator.load_orders(SELLER_ID, [order])
        self.consumer._run(self.channel)
        self.emulator.clock.advance(60)
        self.emulator.ship_order(order["orderId"], tracking_number="1Z999")
        self.emulator.reset_calls()
        log = self.consumer._run(self.channel)
        self.assertEqual(log.count_updated, 1, log.summary)
        self.assertEqual(self.odoo_order(order["orderId"]).amazon_status, "SHIPPED")
        self.assertEqual(self.emulator.calls("getOrder"), 1)

    def test_the_shipped_echo_of_odoos_own_confirmation_costs_no_call(self):
        self.consumer._run(self.channel)
        order = self.unshipped_order(seed=68)
        self.emulator.load_orders(SELLER_ID, [order])
        self.consumer._run(self.channel)
        sale = self.odoo_order(order["orderId"])
        product = self.env["product.product"].create({"name": "DHL", "type": "service"})
        carrier = self.env["delivery.carrier"].create(
            {"name": "DHL", "product_id": product.id, "delivery_type": "fixed"}
        )
        self.env["amazon.carrier.mapping"].create(
            {"channel_id": self.channel.id, "carrier_id": carrier.id, "shipping_method": "Paket"}
        )
        picking = sale.picking_ids
        picking.write({"carrier_id": carrier.id, "carrier_tracking_ref": "JJD000777"})
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True).button_validate()
        self.emulator.clock.advance(60)
        self.env["amazon.shipment.exporter"]._run(self.channel)
        self.assertEqual(picking.amazon_sync_state, "accepted")
        self.assertEqual(self.queue_counts(self.queue_url)[0], 1, "Amazon says Shipped")
        self.emulator.reset_calls()
        log = self.consumer._run(self.channel)
        self.assertEqual(self.emulator.calls(), 0, "nothing to read: Odoo shipped it")
        self.assertEqual(sale.amazon_status, "SHIPPED")
        self.assertIn("1 shipped as Odoo confirmed", log.summary)
        # Shipped in Seller Central instead, the same notification is read.
        other = self.unshipped_order(seed=69)
        self.emulator.load_orders(SELLER_ID, [other])
        self.consumer._run(self.channel)
        self.emulator.clock.advance(60)
        self.emulator.ship_order(other["orderId"], tracking_number="1Z997")
        self.emulator.reset_calls()
        self.consumer._run(self.channel)
        self.assertEqual(self.emulator.calls("getOrder"), 1)

    def test_a_new_order_in_a_status_the_channel_does_not_import_costs_no_call(self):
        self.consumer._run(self.channel)
        order = self.first_with(self.generated_orders(65), "PENDING", "MERCHANT")
        self.emulator.reset_calls()
        self.emulator.load_orders(SELLER_ID, [order])
        log = self.consumer._run(self.channel)
        self.assertEqual(self.emulator.calls("getOrder"), 0, "the summary says it is Pending")
        self.assertFalse(self.odoo_order(order["orderId"]))
        self.assertIn("1 in a status the channel does not import", log.summary)

    def test_changes_left_waiting_are_read_together_with_one_search(self):
        self.consumer._run(self.channel)
        orders = self.with_status(self.generated_orders(66), "UNSHIPPED", "MERCHANT")[:6]
        fresh, late = orders[0], orders[1:]
        now = datetime.now(UTC)
        fresh["lastUpdatedTime"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        for minutes, order in enumerate(late):
            moment = now - timedelta(minutes=10 - minutes)
            order["lastUpdatedTime"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.emulator.load_orders(SELLER_ID, [fresh])
        self.emulator.reset_calls()
        self.consumer._run(self.channel)
        self.assertTrue(self.odoo_order(fresh["orderId"]))
        self.assertEqual(
            (self.emulator.calls("getOrder"), self.emulator.calls("searchOrders")),
            (1, 0),
            "a change read within a minute costs one getOrder",
        )
        self.emulator.load_orders(SELLER_ID, late)
        self.emulator.reset_calls()
        log = self.consumer._run(self.channel)
        self.assertEqual(self.emulator.calls("searchOrders"), 1)
        self.assertEqual(self.emulator.calls("getOrder"), 0, "the search covered every one")
        self.assertEqual(log.count_new, len(late), log.summary)
        for order in late:
            self.assertEqual(len(self.odoo_order(order["orderId"])), 1)
        self.assertIn("were read with one search", " ".join(log.line_ids.mapped("message")))
        (search,) = self.emulator.requests("searchOrders")
        self.assertNotIn("lastUpdatedBefore", search["query"], "up to now")

    def test_messages_that_are_not_for_this_channel_are_logged_not_fatal(self):
        self.consumer._run(self.channel)
        order = self.unshipped_order(seed=64)
        self.emulator.load_orders(SELLER_ID, [order])
        body = json.loads(self.emulator.sent_notifications(order["orderId"])[-1])
        foreign = json.loads(json.dumps(body))
        foreign["Payload"]["OrderChangeNotification"]["SellerId"] = "A1SOMEONEELSE"
        for text in (
            "not json",
            json.dumps({"NotificationType": "ANY_OFFER_CHANGED"}),
            json.dumps(foreign),
        ):
            self.sqs().send_message(QueueUrl=self.queue_url, MessageBody=text)
        log = self.consumer._run(self.channel)
        self.assertEqual(log.count_new, 1, "the good message still imports its order")
        messages = log.line_ids.mapped("message")
        self.assertTrue(any("not an Amazon notification" in m for m in messages), messages)
        self.assertTrue(any("ANY_OFFER_CHANGED" in m for m in messages), messages)
        self.assertTrue(any("A1SOMEONEELSE" in m for m in messages), messages)

    def test_a_queue_that_does_not_exist_is_said_on_the_channel_and_retried(self):
        self.channel.sqs_queue_url = self.queue_url + "-missing"
        log = self.consumer._run(self.channel)
        self.assertEqual(log.state, "failed")
        self.assertEqual(self.channel.notification_state, "rejected")
        self.assertIn("no SQS queue", self.channel.notification_message)
        self.assertTrue(self.channel._sync_schedule("notifications").retry_at)
        self.assertFalse(
            [s for s in self.emulator.subscriptions.values() if s["seller_id"] == SELLER_ID]
        )

    def test_secret_key_is_sealed_and_unreadable(self):
        stored = self.channel.sudo().aws_secret_access_key_sealed
        self.assertTrue(stored.startswith("sealed1:"), "encrypted at rest")
        self.assertNotIn("testing", stored)
        self.assertFalse(self.channel.sudo().aws_secret_access_key, "write-only")
        self.assertTrue(self.channel.sudo().has_aws_secret)


@tagged("post_install", "-at_install", "amazon_connector")
class TestNotificationsCommitted(SqsCase, CommittedDataCase):
    """Real Odoo processes on committed data: a message leaves the queue only after its order
    is committed, whatever dies when; four processes on one seller share one budget."""

    def notified_channel(self, seller_id, count=0):
        queue_url = self.new_queue()
        channel_id, _expected = self.committed_channel(
            seller_id, count=count, **self.notification_values(queue_url)
        )
        self.child("set_param", key="amazon_connector.notification_visibility_timeout", value="2")
        self.addCleanup(
            self.child,
            "set_param",
            key="amazon_connector.notification_visibility_timeout",
            value="",
        )
        self.assertEqual(self.child("consume", channel_id=channel_id)["states"], ["done"])
        return channel_id, queue_url

    def orders_of(self, seller_id, seed, count):
        generated = self.generated_orders(seed, count=max(60, count * 12))
        chosen = self.with_status(generated, "UNSHIPPED", "MERCHANT")[:count]
        # Changed just now, as a notification's order is: read one by one with getOrder (a
        # change left waiting over a minute would be read with a search, see _catch_up).
        now = self.emulator.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        for order in chosen:
            order["orderId"] = order["orderId"][:-3] + seller_id[-3:]
            order["lastUpdatedTime"] = now
        self.assertEqual(len(chosen), count)
        return chosen

    def test_never_deleted_before_its_order_is_committed(self):
        seller = "A1NOTIFYKILL"
        channel_id, queue_url = self.notified_channel(seller)
        (order,) = self.orders_of(seller, 71, 1)
        self.emulator.load_orders(seller, [order])
        self.assertEqual(self.queue_counts(queue_url), (1, 0))
        # Killed after the order was built, before the commit: nothing in Odoo, and the
        # message is still in the queue.
        died = self.child_exit("consume", channel_id=channel_id, die="before_commit")
        self.assertEqual(died, 9)
        self.assertEqual(self.imported(channel_id), [])
        self.assertEqual(sum(self.queue_counts(queue_url)), 1, "the message was not deleted")
        time.sleep(2.5)  # its visibility timeout
        self.assertEqual(self.child("consume", channel_id=channel_id)["states"], ["done"])
        self.assertEqual(self.imported(channel_id), [order["orderId"]])
        self.assertEqual(self.queue_counts(queue_url), (0, 0), "deleted once committed")

        # Killed after the commit, before the deletion: the message comes back, and is a
        # no-op (no call, no second order).
        self.emulator.clock.advance(60)
        self.emulator.ship_order(order["orderId"], tracking_number="1Z998")
        died = self.child_exit("consume", channel_id=channel_id, die="before_delete")
        self.assertEqual(died, 9)
        self.assertEqual(
            self.committed(
                "SELECT amazon_status FROM sale_order WHERE amazon_order_ref = %s",
                [order["orderId"]],
            ),
            [("SHIPPED",)],
        )
        time.sleep(2.5)
        self.emulator.reset_calls()
        self.assertEqual(self.child("consume", channel_id=channel_id)["states"], ["done"])
        self.assertEqual(self.emulator.calls("getOrder"), 0, "already up to date")
        self.assertEqual(self.queue_counts(queue_url), (0, 0))
        self.assertEqual(self.imported(channel_id), [order["orderId"]])

    def test_a_run_that_keeps_meeting_other_workers_goes_on_while_it_gets_work_done(self):
        seller = "A1NOTIFYMEET"
        channel_id, queue_url = self.notified_channel(seller)
        orders = self.orders_of(seller, 73, 8)
        self.emulator.load_orders(seller, orders)
        # One message a batch, and another worker's transaction meets the run after each of
        # its first 7 batches (more than CONCURRENCY_ATTEMPTS): each attempt committed one
        # order, so the run starts again each time and ends with all of them.
        result = self.child(
            "consume", channel_id=channel_id, batch=1, meet="after_delete", meetings=7
        )
        self.assertEqual(result["states"], ["done"])
        self.assertEqual(result["meetings_left"], 0)
        self.assertEqual(self.imported(channel_id), sorted(o["orderId"] for o in orders))
        self.assertEqual(self.queue_counts(queue_url), (0, 0))
        states = Counter(state for (state,) in self.logs(channel_id))
        self.assertEqual(states["interrupted"], 7, states)

        # Meetings before anything is committed: the run gives up after CONCURRENCY_ATTEMPTS
        # attempts, and the next minute's run is the one to try again.
        result = self.child("consume", channel_id=channel_id, meet="on_start", meetings=99)
        self.assertEqual(result.get("error"), "SerializationFailure")
        self.assertEqual(99 - result["meetings_left"], CONCURRENCY_ATTEMPTS)

    def test_four_processes_on_one_seller_share_its_budget_and_create_each_order_once(self):
        seller = "A1FOURWORKERS"
        channel_id, queue_url = self.notified_channel(seller)
        # getOrder at 10 calls a second (burst 30, Amazon's), more than each process alone
        # would stay under, and enough to read every order well within the minute after which
        # waiting changes are searched for instead: the connector learns the rate from Amazon's
        # x-amzn-RateLimit-Limit header.
        self.emulator.set_rate_limit("getOrder", 10, 30)
        self.addCleanup(self.emulator.set_rate_limit, "getOrder", 0.5, 30)
        orders = self.orders_of(seller, 72, 120)
        self.emulator.load_orders(seller, orders)
        # Each change also comes twice (SQS delivers at least once).
        for order in orders[:20]:
            self.emulator.resend_notifications(order["orderId"])
        self.emulator.reset_calls()
        workers = [
            self.child("consume", background=True, channel_id=channel_id, runs=3) for _n in range(4)
        ]
        for worker in workers:
            self.assertEqual(self.finish(worker), 0, self.output_of(worker))
        self.assertEqual(self.queue_counts(queue_url), (0, 0), "every message dealt with")
        imported = Counter(
            ref
            for (ref,) in self.committed(
                "SELECT amazon_order_ref FROM sale_order WHERE amazon_channel_id = %s",
                [channel_id],
            )
        )
        self.assertEqual(set(imported), {o["orderId"] for o in orders})
        self.assertEqual(max(imported.values()), 1, "each order once")
        statuses = Counter(r["status"] for r in self.emulator.requests("getOrder"))
        calls = sum(statuses.values())
        self.assertGreaterEqual(calls, len(orders))
        self.assertLessEqual(statuses[429], calls * 0.01, statuses)
        logs = self.committed(
            "SELECT count(*) FROM amazon_sync_log WHERE channel_id = %s AND kind = 'notifications'"
            " AND count_new > 0",
            [channel_id],
        )
        self.assertGreaterEqual(logs[0][0], 2, "more than one process imported")

    def child_exit(self, step, **params):
        code = self.finish(self.child(step, background=True, **params))
        return -code if code < 0 else code
