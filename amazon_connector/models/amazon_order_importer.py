import logging
from datetime import timedelta

from odoo import api, fields, models

from ..services import errors
from ..services.order_mapper import MappingError, parse_order

_logger = logging.getLogger(__name__)

# Amazon writes orders a little late: re-read this much before the high-water mark.
OVERLAP = timedelta(minutes=5)
# searchOrders refuses a "before" bound less than two minutes in the past.
BEFORE_MARGIN = timedelta(minutes=2, seconds=30)
PAGE_SIZE = 100
ALWAYS_INCLUDED = ["PROCEEDS", "PROMOTION", "CANCELLATION", "FULFILLMENT", "PACKAGES", "TAX"]
PERSONAL_DATA = ["BUYER", "RECIPIENT"]


class AmazonOrderImporter(models.AbstractModel):
    """Imports a channel's orders from searchOrders (v2026-01-01), page by page, exactly once.

    Why it is safe to interrupt: every order is written in its own savepoint and, in scheduled
    runs, each page is committed before the next is read; the channel's high-water mark moves
    only once the whole window is committed, and replaying a window finds each order by its
    unique Amazon id and applies it only if Amazon changed it since.
    """

    _name = "amazon.order.importer"
    _inherit = "amazon.sync.runner"
    _description = "Amazon Order Import"
    _sync_kind = "order_import"

    # -- entry points ---------------------------------------------------------------------------

    def _run_locked(self, channel, rescan=False):
        now = fields.Datetime.now()
        log = self.env["amazon.sync.log"].create({"channel_id": channel.id, "kind": "order_import"})
        channel.write({"last_import_attempt": now, "import_requested": False})
        self._commit()
        gateway = channel._get_gateway()
        window = self._window(channel, now, rescan)
        counters = dict.fromkeys(("new", "updated", "cancelled", "skipped", "failed"), 0)
        try:
            for page in self._pages(channel, gateway, window):
                for payload in page:
                    outcome = self._import_one(channel, payload, log)
                    counters[outcome] += 1
                self._commit()
        except errors.AmazonError as error:
            return self._stop(channel, log, gateway, error, counters)
        values = {"last_import_date": now}
        if rescan:
            values["last_rescan_date"] = now
        else:
            values["import_high_water"] = window["before"]
        channel.write(values)
        channel._record_api_success()
        summary = self.env._(
            "%(new)s new, %(updated)s updated, %(cancelled)s cancelled, %(skipped)s skipped, "
            "%(failed)s failed.",
            **counters,
        )
        if rescan:
            prefix = self.env._("Rescan of the last %(days)s days: ", days=channel.rescan_days)
            summary = prefix + summary
            if counters["new"]:
                summary += " " + self.env._(
                    "%(count)s order(s) had been missed and are now imported.",
                    count=counters["new"],
                )
        log.finish(summary=summary, call_counts=gateway.call_counts, **counters)
        self._commit()
        return log

    # -- window and pages -----------------------------------------------------------------------

    @api.model
    def _window(self, channel, now, rescan):
        """The lastUpdated window of this run: [after, before]."""
        before = now - BEFORE_MARGIN
        floor = now - timedelta(days=channel.max_order_age_days or 30)
        if rescan:
            after = now - timedelta(days=channel.rescan_days or 7)
        elif channel.import_high_water:
            after = channel.import_high_water - OVERLAP
        else:
            after = floor
        after = max(after, floor)
        if channel.ignore_orders_before:
            after = max(after, channel.ignore_orders_before)
        return {"after": min(after, before), "before": before}

    @api.model
    def _pages(self, channel, gateway, window):
        params = {
            "lastUpdatedAfter": _iso(window["after"]),
            "lastUpdatedBefore": _iso(window["before"]),
            "marketplaceIds": channel.marketplace_ids.mapped("amazon_id"),
            "maxResultsPerPage": PAGE_SIZE,
            "includedData": ALWAYS_INCLUDED
            + (PERSONAL_DATA if channel.personal_data_access else []),
        }
        if not channel.import_fba:
            params["fulfilledBy"] = ["MERCHANT"]
        while True:
            orders, next_token = gateway.search_orders(**params)
            yield orders
            if not next_token:
                return
            params["paginationToken"] = next_token

    # -- one order ------------------------------------------------------------------------------

    @api.model
    def _import_one(self, channel, payload, log):
        """Apply one Amazon order in a savepoint; a bad one is logged and the run goes on."""
        order_ref = payload.get("orderId") or "?"
        try:
            with self.env.cr.savepoint():
                return self._apply(channel, parse_order(payload))
        except MappingError as error:
            log.add_message(str(error), amazon_ref=order_ref)
        except Exception as error:
            _logger.exception("Amazon order %s could not be imported", order_ref)
            log.add_message(
                self.env._("Unexpected error, see the server log: %(error)s", error=error),
                amazon_ref=order_ref,
            )
        return "failed"

    @api.model
    def _apply(self, channel, data):
        SaleOrder = self.env["sale.order"]
        existing = SaleOrder.search(
            [("amazon_channel_id", "=", channel.id), ("amazon_order_ref", "=", data.order_id)],
            limit=1,
        )
        action = channel._status_action(data.status, data.fulfilled_by)
        if existing:
            return SaleOrder._amazon_update(existing, channel, data, action)
        if data.fulfilled_by == "AMAZON" and not channel.import_fba:
            return "skipped"
        if action in ("skip", "cancel") or not self._wanted(channel, data):
            return "skipped"
        SaleOrder._amazon_create(channel, data, action)
        return "new"

    @api.model
    def _wanted(self, channel, data):
        if channel.ignore_orders_before and data.purchase_date < channel.ignore_orders_before:
            return False
        oldest = fields.Datetime.now() - timedelta(days=channel.max_order_age_days or 30)
        return data.purchase_date >= oldest


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
