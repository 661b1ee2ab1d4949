from odoo import fields, models

from ..services import errors
from ..services.order_feed import (
    ACKNOWLEDGEMENT_FEED,
    XML_CONTENT_TYPE,
    Cancellation,
    FeedError,
    cancellation_feed,
    parse_processing_report,
)


class AmazonCancellationExporter(models.AbstractModel):
    """Tells Amazon about orders cancelled in Odoo, in one acknowledgement feed per run.

    A run first settles what earlier runs left: feeds uploaded but not confirmed as created,
    then feeds Amazon may have processed; only then does it submit the orders waiting.
    """

    _name = "amazon.cancellation.exporter"
    _inherit = "amazon.sync.runner"
    _description = "Amazon Cancellation Feed"
    _sync_kind = "cancellation"

    # -- scheduling -----------------------------------------------------------------------------

    def _interval(self, channel):
        return channel.export_interval or 5

    # -- the run --------------------------------------------------------------------------------

    def _pending(self, channel):
        """Feeds earlier runs left to settle, and the orders waiting to be sent."""
        feeds = self.env["amazon.feed"].search(
            [
                ("channel_id", "=", channel.id),
                ("feed_type", "=", ACKNOWLEDGEMENT_FEED),
                ("amazon_sync_state", "in", ("sending", "waiting")),
            ]
        )
        waiting = self._waiting(channel)
        return {"feeds": feeds, "waiting": waiting} if feeds or waiting else None

    def _waiting(self, channel):
        return self.env["sale.order"].search(
            [("amazon_channel_id", "=", channel.id), ("amazon_sync_state", "=", "to_send")],
            order="id",
        )

    def _process(self, run, work):
        feeds = work["feeds"]
        for feed in feeds.filtered(lambda f: f.amazon_sync_state == "sending"):
            self._submit(run.gateway, feed, run.log)
        for feed in feeds.filtered(lambda f: f.amazon_sync_state == "waiting"):
            run.counts.update(self._settle(run.gateway, feed, run.log))
        # Waiting now: settling may have put back the orders of a feed Amazon dropped.
        waiting = self._waiting(run.channel)
        run.options["submitted"] = len(waiting)
        if waiting:
            self._submit_new(run.channel, run.gateway, waiting, run.log)

    def _summary(self, run):
        summary = self.env._(
            "%(sent)s cancellation(s) accepted by Amazon, %(failed)s refused.",
            sent=run.counts["sent"],
            failed=run.counts["failed"],
        )
        if run.options["submitted"]:
            summary += " " + self.env._(
                "%(count)s order(s) submitted for cancellation.", count=run.options["submitted"]
            )
        return summary

    def _submit_new(self, channel, gateway, orders, log):
        cancellations = [
            Cancellation(
                message_id=index,
                order_id=order.amazon_order_ref,
                reason=order.amazon_cancel_reason,
                item_ids=tuple(
                    dict.fromkeys(
                        item for item in order.order_line.mapped("amazon_order_item_id") if item
                    )
                ),
            )
            for index, order in enumerate(orders, start=1)
        ]
        document = cancellation_feed(channel.seller_id, cancellations)
        document_ref = gateway.upload_feed_document(document, XML_CONTENT_TYPE)
        feed = self.env["amazon.feed"].create(
            {
                "channel_id": channel.id,
                "feed_type": ACKNOWLEDGEMENT_FEED,
                "document_ref": document_ref,
            }
        )
        for cancellation, order in zip(cancellations, orders, strict=True):
            order._amazon_sync_set("waiting")
            order.write(
                {
                    "amazon_cancel_feed_id": feed.id,
                    "amazon_cancel_message_ref": cancellation.message_id,
                }
            )
        self._commit()
        self._submit(gateway, feed, log)

    def _submit(self, gateway, feed, log):
        """createFeed for an uploaded document.

        A feed left *sending* by an interrupted run is submitted again: Amazon's Feed does not
        say which document it came from, so a createFeed whose answer was lost can't be found.
        Sending the cancellation twice is harmless; the second report's "already cancelled"
        is checked against the order itself (see :meth:`_settle`).
        """
        marketplaces = feed.order_ids.amazon_marketplace_id.mapped("amazon_id")
        try:
            feed_ref = gateway.create_feed(ACKNOWLEDGEMENT_FEED, feed.document_ref, marketplaces)
        except errors.BadRequest as error:
            message = self.env["amazon.error"]._describe(error)
            feed._amazon_sync_set("rejected", message)
            for order in feed.order_ids:
                order._amazon_cancellation_refused(message)
                log.add_message(message, amazon_ref=order.amazon_order_ref)
            self._commit()
            return
        feed.write({"feed_ref": feed_ref, "submitted_date": fields.Datetime.now()})
        feed._amazon_sync_set("waiting")
        self._commit()

    def _settle(self, gateway, feed, log):
        """Apply Amazon's processing report once the feed is processed; counts per outcome."""
        try:
            answer = gateway.get_feed(feed.feed_ref)
        except errors.NotFound:
            # Amazon no longer knows the feed (it keeps them 90 days): its orders go again
            # rather than waiting for ever; cancelling twice is harmless.
            answer = {"processingStatus": "CANCELLED"}
        status = answer.get("processingStatus")
        feed.processing_status = status
        if status in ("IN_QUEUE", "IN_PROGRESS"):
            return {}
        if status == "CANCELLED":
            orders = feed.order_ids
            orders.amazon_cancel_feed_id = False
            orders._amazon_sync_set("to_send")
            feed._amazon_sync_set(
                "cancelled",
                self.env._("Amazon dropped the feed unprocessed; its orders go in the next one."),
            )
            return {}
        report, document_error = None, None
        if answer.get("resultFeedDocumentId"):
            try:
                report = parse_processing_report(
                    gateway.download_feed_document(answer["resultFeedDocumentId"])
                )
            except FeedError as error:
                document_error = self.env["amazon.error"]._describe(error)
        if status == "FATAL" and not document_error:
            document_error = (report and report.errors.get(0)) or self.env._(
                "Amazon refused the whole feed."
            )
        counts = {"sent": 0, "failed": 0}
        for order in feed.order_ids:
            error = document_error or (
                report and report.errors.get(order.amazon_cancel_message_ref)
            )
            if error and self._cancelled_on_amazon(gateway, order):
                error = None  # e.g. a resubmitted feed: the first one did the job
            if error:
                order._amazon_cancellation_refused(error)
                log.add_message(error, amazon_ref=order.amazon_order_ref)
                counts["failed"] += 1
            else:
                order._amazon_cancellation_accepted()
                counts["sent"] += 1
        feed._amazon_sync_set(
            "rejected" if document_error else "accepted",
            document_error
            or self.env._(
                "%(processed)s message(s) processed, %(successful)s successful.",
                processed=report.processed if report else 0,
                successful=report.successful if report else 0,
            ),
        )
        self._commit()
        return counts

    def _cancelled_on_amazon(self, gateway, order):
        try:
            amazon_order = gateway.get_order(order.amazon_order_ref, included_data=("FULFILLMENT",))
        except (errors.BadRequest, errors.NotFound):
            return False
        return amazon_order.get("fulfillment", {}).get("fulfillmentStatus") == "CANCELLED"
