import logging
import time

from odoo import fields, models

from ..services import errors
from ..services.order_mapper import order_reference
from ..services.order_notifications import NotificationError, parse_order_change
from .amazon_order_importer import INCLUDED_DATA, last_updated

_logger = logging.getLogger(__name__)

NOTIFICATION_TYPE = "ORDER_CHANGE"
# Long polling of each receive that may find the queue empty: short, because the channel's
# scheduled action comes back every minute and other channels wait for the worker meanwhile.
RECEIVE_WAIT_SECONDS = 1
# A message handed to a run stays hidden from other readers this long (seconds; system
# parameter amazon_connector.notification_visibility_timeout); one that is not deleted by then
# (its run died or paused) comes back by itself.
VISIBILITY_TIMEOUT = 120
# A run stops receiving after this long; the next minute's run carries on.
RUN_SECONDS = 45
# Waiting longer than this for the seller's getOrder budget pauses the run (see _paused).
MAX_BUDGET_WAIT = 5.0
# A change still unread this long after Amazon made it is read with the others waiting, a
# hundred orders a searchOrders call, rather than one getOrder each (see _catch_up).
CATCH_UP_AFTER_SECONDS = 60


class AmazonNotificationConsumer(models.AbstractModel):
    """Imports the orders Amazon says changed (ORDER_CHANGE notifications in the channel's SQS
    queue), each with one getOrder and the same mapping as the periodic import.

    Why nothing is lost: a message is deleted only once the order it names is committed (or
    found already as new in Odoo), so a run that dies leaves its messages to come back after
    VISIBILITY_TIMEOUT. Why nothing is doubled: a repeated message, or one older than what Odoo
    has, finds the sale order's last Amazon change at or after its own and is deleted without
    a call; two workers on one order meet at the order builder's lock.

    Several workers may read one queue at once (SQS hands each message to one reader), so the
    run is not exclusive per channel. When the seller's getOrder budget runs short, the run
    pauses and asks for the periodic import, which reads a hundred orders a call; changes left
    waiting over a minute are read a hundred at a time as well (:meth:`_catch_up`). The messages
    so covered are then found up to date and deleted.
    """

    _name = "amazon.notification.consumer"
    _inherit = "amazon.sync.runner"
    _description = "Amazon Order Notifications"
    _sync_kind = "notifications"
    _exclusive = False

    def _interval(self, channel):
        return 1

    def _serve_domain(self):
        return [
            *super()._serve_domain(),
            ("import_orders", "=", True),
            ("notifications_enabled", "=", True),
        ]

    def _gateway_options(self):
        return {"max_wait": MAX_BUDGET_WAIT}

    # -- the run --------------------------------------------------------------------------------

    def _pending(self, channel, **options):
        if channel.notification_state != "accepted":
            return {"subscribe": True}
        try:
            queue = channel._sqs_queue()
            messages = queue.receive(RECEIVE_WAIT_SECONDS, self._visibility_timeout())
        except (errors.AmazonError, errors.CredentialsUnavailable) as error:
            # The run template reports it on a log and retries later.
            return {"error": error}
        return messages and {"queue": queue, "messages": messages}

    def _process(self, run, work):
        if "error" in work:
            raise work["error"]
        if work.get("subscribe"):
            self._subscribe(run)
            queue = run.channel._sqs_queue()
            messages = queue.receive(RECEIVE_WAIT_SECONDS, self._visibility_timeout())
        else:
            queue, messages = work["queue"], work["messages"]
        deadline = time.monotonic() + RUN_SECONDS
        while messages:
            self._consume(run, queue, messages)
            if time.monotonic() > deadline:
                break
            messages = queue.receive(0, self._visibility_timeout())

    def _visibility_timeout(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("amazon_connector.notification_visibility_timeout")
        )
        return int(value or VISIBILITY_TIMEOUT)

    def _summary(self, run):
        return self.env._(
            "%(messages)s notification(s): %(new)s new, %(updated)s updated, %(cancelled)s "
            "cancelled, %(skipped)s unchanged, %(failed)s failed, %(stale)s already up to date, "
            "%(not_imported)s in a status the channel does not import, %(own_shipments)s "
            "shipped as Odoo confirmed.",
            messages=run.counts["messages"],
            new=run.counts["new"],
            updated=run.counts["updated"],
            cancelled=run.counts["cancelled"],
            skipped=run.counts["skipped"],
            failed=run.counts["failed"],
            stale=run.counts["stale"],
            not_imported=run.counts["not_imported"],
            own_shipments=run.counts["own_shipments"],
        )

    def _succeeded(self, run):
        self._ask_for_invoicing(run)

    def _paused(self, run, schedule, pause):
        # getOrder's budget is short: the periodic import reads what is waiting, a hundred
        # orders a call, and the messages left in the queue are then found up to date.
        run.channel._request_run("order_import")
        self._ask_for_invoicing(run)
        return super()._paused(run, schedule, pause)

    def _ask_for_invoicing(self, run):
        if run.channel.invoice_orders and (run.counts["new"] or run.counts["updated"]):
            run.channel._request_run("invoicing")

    # -- subscribing ----------------------------------------------------------------------------

    def _subscribe(self, run):
        """Make Amazon send this seller's ORDER_CHANGE to the channel's queue."""
        channel = run.channel
        queue = channel._sqs_queue()
        try:
            arn = queue.arn()
            name = arn.rsplit(":", 1)[-1]
            destination = run.gateway.sqs_destination(name, arn)
            subscription = run.gateway.subscribe(NOTIFICATION_TYPE, destination)
        except errors.AmazonError as error:
            channel.write(
                {
                    "notification_state": "rejected",
                    "notification_message": self.env["amazon.error"]._describe(error),
                }
            )
            self._commit()
            raise
        channel.write(
            {
                "notification_state": "accepted",
                "notification_message": False,
                "notification_destination_ref": destination,
                "notification_subscription_ref": subscription,
            }
        )
        run.log.add_message(
            self.env._(
                "Subscribed to Amazon's order notifications (subscription %(subscription)s, "
                "destination %(destination)s, queue %(queue)s).",
                subscription=subscription,
                destination=destination,
                queue=arn,
            ),
            level="info",
        )
        self._commit()

    # -- messages -------------------------------------------------------------------------------

    def _consume(self, run, queue, messages):
        """Import the orders one batch of messages names, commit, then delete the messages."""
        run.counts["messages"] += len(messages)
        changes, unusable = self._read(run, messages)
        known = self._last_changes(run.channel, list(changes))
        echoes = self._own_shipments(run.channel, [change for change, _r in changes.values()])
        done, to_read = list(unusable), []
        for order_id, (change, receipts) in changes.items():
            if order_id in known and known[order_id] and change.changed_at <= known[order_id]:
                # A repeat, or older than what Odoo has: nothing to read.
                run.counts["stale"] += 1
                done += receipts
            elif order_id in echoes:
                # Amazon says Shipped because Odoo confirmed every delivery of the order: the
                # summary says all there is to know.
                echoes[order_id].write(
                    {"amazon_status": "SHIPPED", "amazon_last_update": change.changed_at}
                )
                run.counts["own_shipments"] += 1
                done += receipts
            elif order_id not in known and self._not_imported(run.channel, change):
                # A new order in a status the channel does not import (Pending, most often):
                # its next change comes as a notification of its own.
                run.counts["not_imported"] += 1
                done += receipts
            else:
                to_read.append((change, receipts))
        to_read, caught_up = self._catch_up(run, to_read)
        done += caught_up
        for change, receipts in to_read:
            order_id = change.order_id
            try:
                payload = run.gateway.get_order(order_id, INCLUDED_DATA)
            except errors.NotFound:
                # Not readable yet, or never: the message comes back after its visibility
                # timeout, and the periodic import is the safety net.
                run.log.add_message(
                    self.env._(
                        "Amazon does not know this order (yet); its notification is read again "
                        "later."
                    ),
                    level="warning",
                    amazon_ref=order_id,
                )
                continue
            run.counts[self.env["amazon.order.importer"]._import_one(run, payload)] += 1
            done += receipts
        # Only what is committed may leave the queue.
        self._commit()
        if self.env.context.get("amazon_commit"):
            failed = queue.delete(done)
            if failed:
                _logger.info("SQS kept %s message(s); they come back and are no-ops", len(failed))

    def _not_imported(self, channel, change):
        """Whether the summary alone shows that the channel would not import this new order."""
        if not change.status or not change.fulfilled_by:
            return False
        action = channel._status_action(change.status, change.fulfilled_by)
        return action in ("skip", "cancel")

    def _catch_up(self, run, to_read):
        """Orders changing faster than getOrder's budget reads them one by one fall behind:
        once the oldest waiting change is older than CATCH_UP_AFTER_SECONDS, one searchOrders
        page reads the orders changed since it, up to now (a hundred, oldest change first:
        the waiting ones and those behind them in the queue), when the seller's searchOrders
        budget has a call to spare. They are applied like any other; the messages of the
        changes the page covers need no getOrder, here or when they come out of the queue.

        Returns the changes still to read one by one, and the receipts of those covered."""
        oldest = min((change.changed_at for change, _receipts in to_read), default=None)
        if not oldest or (fields.Datetime.now() - oldest).total_seconds() < CATCH_UP_AFTER_SECONDS:
            return to_read, []
        importer = self.env["amazon.order.importer"]
        try:
            payloads, _next_page = run.gateway.search_orders(
                **importer._search_params(run.channel, oldest)
            )
        except errors.BudgetExhausted:
            return to_read, []  # no call to spare: getOrder goes on meanwhile
        confirmations, read = [], {}
        for payload in payloads:
            run.counts[importer._import_one(run, payload, confirmations)] += 1
            read[order_reference(payload)] = last_updated(payload)
        importer._confirm_page(run, confirmations)
        run.log.add_message(
            self.env._(
                "Orders change faster than Amazon lets them be read one by one (a change from "
                "%(moment)s was still waiting): %(count)s order(s) changed since then were read "
                "with one search.",
                moment=oldest.strftime("%Y-%m-%d %H:%M:%S UTC"),
                count=len(payloads),
            ),
            level="info",
        )
        left, covered = [], []
        for change, receipts in to_read:
            moment = read.get(change.order_id)
            if moment and moment >= change.changed_at:
                covered += receipts
            else:
                left.append((change, receipts))
        return left, covered

    def _read(self, run, messages):
        """{order id: (its latest OrderChange, [receipts])} of the messages for this channel,
        and the receipts of messages that name nothing this channel can import."""
        channel = run.channel
        marketplaces = set(channel.marketplace_ids.mapped("amazon_id"))
        changes, unusable = {}, []
        for message in messages:
            try:
                change = parse_order_change(message.body)
            except NotificationError as error:
                run.log.add_message(self.env["amazon.error"]._describe(error), level="warning")
                unusable.append(message.receipt)
                continue
            if change.seller_id != channel.seller_id or (
                change.marketplace_id and change.marketplace_id not in marketplaces
            ):
                run.log.add_message(
                    self.env._(
                        "A notification for seller %(seller)s on marketplace %(marketplace)s "
                        "came to this channel's queue; it is not for this channel and is "
                        "dropped. Give each channel a queue of its own.",
                        seller=change.seller_id,
                        marketplace=change.marketplace_id,
                    ),
                    level="warning",
                    amazon_ref=change.order_id,
                )
                unusable.append(message.receipt)
                continue
            latest, receipts = changes.get(change.order_id, (change, []))
            if change.changed_at > latest.changed_at:
                latest = change
            changes[change.order_id] = (latest, [*receipts, message.receipt])
        return changes, unusable

    def _own_shipments(self, channel, changes):
        """{Amazon order id: sale order} of the changes to Shipped that echo Odoo's own
        shipment confirmations: merchant orders whose deliveries are all done and accepted by
        Amazon. Reading them would cost a getOrder each and change nothing else."""
        refs = [
            change.order_id
            for change in changes
            if change.status == "SHIPPED" and change.fulfilled_by == "MERCHANT"
        ]
        if not refs:
            return {}
        orders = self.env["sale.order"].search(
            [
                ("amazon_channel_id", "=", channel.id),
                ("amazon_order_ref", "in", refs),
                ("state", "=", "sale"),
                ("amazon_status", "!=", "SHIPPED"),
            ]
        )
        echoes = {}
        for order in orders:
            deliveries = order.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
            )
            if deliveries and all(
                p.state == "done" and p.amazon_sync_state == "accepted" for p in deliveries
            ):
                echoes[order.amazon_order_ref] = order
        return echoes

    def _last_changes(self, channel, order_ids):
        """Amazon's last change of each order Odoo has, by Amazon order id."""
        if not order_ids:
            return {}
        orders = self.env["sale.order"].search_read(
            [("amazon_channel_id", "=", channel.id), ("amazon_order_ref", "in", order_ids)],
            ["amazon_order_ref", "amazon_last_update"],
        )
        return {order["amazon_order_ref"]: order["amazon_last_update"] for order in orders}
