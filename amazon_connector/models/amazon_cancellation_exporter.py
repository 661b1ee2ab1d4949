from odoo import api, fields, models

from ..services import errors
from ..services.order_feed import (
    ACKNOWLEDGEMENT_FEED,
    XML_CONTENT_TYPE,
    Cancellation,
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

    def _run_locked(self, channel):
        feeds = self.env["amazon.feed"].search(
            [
                ("channel_id", "=", channel.id),
                ("feed_type", "=", ACKNOWLEDGEMENT_FEED),
                ("state", "in", ("prepared", "submitted")),
            ]
        )
        waiting = self._waiting_orders(channel)
        return self._export(channel, feeds, waiting) if feeds or waiting else None

    @api.model
    def _waiting_orders(self, channel):
        return self.env["sale.order"].search(
            [("amazon_channel_id", "=", channel.id), ("amazon_cancel_state", "=", "to_send")],
            order="id",
        )

    def _export(self, channel, feeds, waiting):
        log = self.env["amazon.sync.log"].create({"channel_id": channel.id, "kind": "cancellation"})
        self._commit()
        gateway = channel._get_gateway()
        counters = {"sent": 0, "failed": 0}
        try:
            for feed in feeds.filtered(lambda f: f.state == "prepared"):
                self._submit(gateway, feed, log)
            for feed in feeds.filtered(lambda f: f.state == "submitted"):
                for key, value in self._settle(gateway, feed, log).items():
                    counters[key] += value
            if waiting:
                self._submit_new(channel, gateway, waiting, log)
        except errors.AmazonError as error:
            return self._stop(channel, log, gateway, error, counters)
        channel._record_api_success()
        summary = self.env._(
            "%(sent)s cancellation(s) accepted by Amazon, %(failed)s refused.", **counters
        )
        if waiting:
            summary += " " + self.env._(
                "%(count)s order(s) submitted for cancellation.", count=len(waiting)
            )
        log.finish(summary=summary, call_counts=gateway.call_counts, **counters)
        self._commit()
        return log

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
            order.write(
                {
                    "amazon_cancel_state": "sent",
                    "amazon_cancel_feed_id": feed.id,
                    "amazon_cancel_message_ref": cancellation.message_id,
                    "amazon_cancel_message": False,
                }
            )
        self._commit()
        self._submit(gateway, feed, log)

    def _submit(self, gateway, feed, log):
        """createFeed for an uploaded document.

        A feed left *prepared* by an interrupted run is submitted again: Amazon's Feed does not
        say which document it came from, so a createFeed whose answer was lost can't be found.
        Sending the cancellation twice is harmless; the second report's "already cancelled"
        is checked against the order itself (see :meth:`_settle`).
        """
        marketplaces = feed.order_ids.amazon_marketplace_id.mapped("amazon_id")
        try:
            feed_ref = gateway.create_feed(ACKNOWLEDGEMENT_FEED, feed.document_ref, marketplaces)
        except errors.BadRequest as error:
            feed.write({"state": "fatal", "result_summary": str(error)})
            for order in feed.order_ids:
                order._amazon_cancellation_refused(str(error))
                log.add_message(str(error), amazon_ref=order.amazon_order_ref)
            self._commit()
            return
        feed.write(
            {"feed_ref": feed_ref, "state": "submitted", "submitted_date": fields.Datetime.now()}
        )
        self._commit()

    def _settle(self, gateway, feed, log):
        """Apply Amazon's processing report once the feed is processed; counts per outcome."""
        answer = gateway.get_feed(feed.feed_ref)
        status = answer.get("processingStatus")
        feed.processing_status = status
        if status in ("IN_QUEUE", "IN_PROGRESS"):
            return {}
        if status == "CANCELLED":
            feed.order_ids.write({"amazon_cancel_state": "to_send", "amazon_cancel_feed_id": False})
            feed.write({"state": "fatal", "result_summary": self.env._("Cancelled on Amazon.")})
            return {}
        report, document_error = None, None
        if answer.get("resultFeedDocumentId"):
            try:
                report = parse_processing_report(
                    gateway.download_feed_document(answer["resultFeedDocumentId"])
                )
            except ValueError as error:
                document_error = str(error)
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
        feed.write(
            {
                "state": "fatal" if document_error else "done",
                "processed_date": fields.Datetime.now(),
                "result_summary": document_error
                or self.env._(
                    "%(processed)s message(s) processed, %(successful)s successful.",
                    processed=report.processed if report else 0,
                    successful=report.successful if report else 0,
                ),
            }
        )
        self._commit()
        return counts

    def _cancelled_on_amazon(self, gateway, order):
        try:
            amazon_order = gateway.get_order(order.amazon_order_ref, included_data=("FULFILLMENT",))
        except (errors.BadRequest, errors.NotFound):
            return False
        return amazon_order.get("fulfillment", {}).get("fulfillmentStatus") == "CANCELLED"
