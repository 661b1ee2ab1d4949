import logging
from datetime import timedelta

from odoo import api, fields, models

from ..services import errors
from ..services.order_mapper import MappingError, order_reference, parse_datetime, parse_order
from .amazon_order_builder import QUIET_CREATION
from .amazon_sync_runner import CONCURRENCY_ERRORS

_logger = logging.getLogger(__name__)

# Amazon writes orders a little late: re-read this much before the high-water mark.
OVERLAP = timedelta(minutes=5)
# searchOrders refuses a "before" bound less than two minutes in the past.
BEFORE_MARGIN = timedelta(minutes=2, seconds=30)
PAGE_SIZE = 100
# BUYER and RECIPIENT even when the channel keeps no personal data: their other part (the
# business buyer's name and PO number, the delivery city, region and country) is needed, and
# parse_order drops the personal part unless the channel may keep it.
INCLUDED_DATA = [
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
]
# What searchOrders answers (400) for a pagination token older than 24 hours.
EXPIRED_TOKEN_TEXT = "paginationtoken has expired"
# How often each channel looks back for orders the incremental import missed.
RESCAN_EVERY = timedelta(days=1)
# Searches started again after expired tokens, within one run, before the run gives up.
MAX_RESTARTS = 3


class AmazonOrderImporter(models.AbstractModel):
    """Imports a channel's orders from searchOrders (v2026-01-01), page by page, exactly once.

    Why it is safe to interrupt: every order is written in its own savepoint and, in scheduled
    runs, each page is committed before the next is read; the channel's high-water mark moves
    only once the whole window is committed, and replaying a window finds each order by its
    unique Amazon id and applies it only if Amazon changed it since.

    Why a stopped window does not start over: after each committed page the channel keeps the
    point up to which every order Amazon changed is committed (``import_resume_after``), as
    long as the pages came in lastUpdatedTime order. An expired pagination token, or the next
    run after an outage, searches again from that point instead of from the window's start.
    """

    _name = "amazon.order.importer"
    _inherit = "amazon.sync.runner"
    _description = "Amazon Order Import"
    _sync_kind = "order_import"

    # -- scheduling -----------------------------------------------------------------------------

    def _interval(self, channel):
        if channel._notifications_flow():
            # Notifications bring each change within a minute: polling is the safety net.
            return channel.notification_import_interval or 60
        return channel.import_interval or 15

    def _serve_domain(self):
        return [*super()._serve_domain(), ("import_orders", "=", True)]

    @api.model
    def _cron(self, channels=None, **options):
        result = super()._cron(channels, **options)
        self._cron_rescan(channels)
        return result

    @api.model
    def _cron_rescan(self, channels=None):
        """Once a day per channel (or when asked): look back ``rescan_days`` for orders the
        incremental import missed. A rescan the budget paused goes on where it stopped."""
        now = fields.Datetime.now()
        runner = self.with_context(amazon_commit=self.env.context.get("amazon_commit", True))
        scope = [] if channels is None else [("id", "in", channels.ids)]
        for channel in self.env["amazon.channel"].search(self._serve_domain() + scope):
            schedule = channel._sync_schedule("order_import")
            if schedule.retry_at and now < schedule.retry_at:
                continue  # paused for the budget, or failed: not before its moment
            last = channel.last_rescan_date or channel.last_import_date
            if channel.rescan_requested or (last and now - last >= RESCAN_EVERY):
                runner._run(channel, rescan=True)

    # -- the run --------------------------------------------------------------------------------

    def _pending(self, channel, rescan=False):
        """The lastUpdated window of this run: [after, before]. There is always one."""
        now = fields.Datetime.now()
        before = now - BEFORE_MARGIN
        floor = now - timedelta(days=channel.max_order_age_days or 30)
        rescan_from = now - timedelta(days=channel.rescan_days or 7)
        if rescan:
            after = channel.rescan_resume_after or rescan_from
        elif channel.import_resume_after:
            after = channel.import_resume_after
        elif channel.import_high_water:
            after = channel.import_high_water - OVERLAP
        else:
            after = floor
        # Where the window began before any pause, for the progress shown on the channel.
        if rescan:
            origin = rescan_from
        elif channel.import_high_water:
            origin = min(after, channel.import_high_water - OVERLAP)
        else:
            origin = floor
        after, origin = (
            self._bounded(channel, moment, floor, before) for moment in (after, origin)
        )
        return {"after": after, "origin": min(origin, after), "before": before, "started": now}

    @api.model
    def _bounded(self, channel, moment, floor, before):
        moment = max(moment, floor)
        if channel.ignore_orders_before:
            moment = max(moment, channel.ignore_orders_before)
        return min(moment, before)

    def _process(self, run, window):
        channel, rescan = run.channel, run.options.get("rescan", False)
        run.options["window"] = window
        for page in self._pages(run, window):
            confirmations = []
            for payload in page:
                run.counts[self._import_one(run, payload, confirmations)] += 1
            self._confirm_page(run, confirmations)
            resume = "rescan_resume_after" if rescan else "import_resume_after"
            channel[resume] = window.get("committed_up_to")
            self._show_progress(run, window, len(page))
            self._commit()
            if self.env.context.get("amazon_commit"):
                # A committed page's records leave the cache: a backlog of thousands of orders
                # is imported in the memory of one page.
                self.env.invalidate_all()

    def _show_progress(self, run, window, orders):
        """How far a window has come (the share of its time span read), on the channel and on
        Odoo's scheduled-action progress, so a long backlog shows it is moving."""
        channel = run.channel
        done = channel.import_progress_done + orders
        reached = window.get("committed_up_to")
        span = (window["before"] - window["origin"]).total_seconds()
        share = (reached - window["origin"]).total_seconds() / span if reached and span else 0
        share = min(max(share, 0.0), 1.0)
        remaining = round(done * (1 - share) / share) if share else 0
        self._report_progress(
            run,
            done,
            remaining,
            import_progress=round(share * 100, 1),
            import_progress_done=done,
        )

    def _succeeded(self, run):
        window = run.options["window"]
        values = {"last_import_date": window["started"], "import_progress": 0}
        values["import_progress_done"] = 0
        if run.options.get("rescan"):
            values.update(
                last_rescan_date=window["started"],
                rescan_resume_after=False,
                rescan_requested=False,
            )
        else:
            values.update(import_high_water=window["before"], import_resume_after=False)
        run.channel.write(values)
        if run.channel.invoice_orders and (run.counts["new"] or run.counts["updated"]):
            # Orders Amazon shipped may now have something to invoice.
            run.channel._request_run("invoicing")

    def _summary(self, run):
        counts = {k: run.counts[k] for k in ("new", "updated", "cancelled", "skipped", "failed")}
        summary = self.env._(
            "%(new)s new, %(updated)s updated, %(cancelled)s cancelled, %(skipped)s skipped, "
            "%(failed)s failed.",
            **counts,
        )
        if run.counts["difference"]:
            summary += " " + self.env._(
                "%(count)s order(s) booked with a difference to Amazon's total.",
                count=run.counts["difference"],
            )
        if run.options.get("rescan"):
            prefix = self.env._("Rescan of the last %(days)s days: ", days=run.channel.rescan_days)
            summary = prefix + summary
            if counts["new"]:
                summary += " " + self.env._(
                    "%(count)s order(s) had been missed and are now imported.",
                    count=counts["new"],
                )
        return summary

    # -- pages ----------------------------------------------------------------------------------

    @api.model
    def _pages(self, run, window):
        """searchOrders pages of the window. ``window["committed_up_to"]`` follows the pages
        given out: every order changed before it has been given out (None once the pages stop
        coming in lastUpdatedTime order, then nothing can be skipped on a restart)."""
        params = self._search_params(run.channel, window["after"], window["before"])
        window["committed_up_to"] = window["after"]
        in_order = True
        restarts = 0
        while True:
            try:
                orders, next_token = run.gateway.search_orders(**params)
            except errors.BadRequest as error:
                if "paginationToken" not in params or not _expired_token(error):
                    raise
                restarts += 1
                if restarts > MAX_RESTARTS:
                    raise
                restart = window["committed_up_to"] or window["after"]
                # The token outlived Amazon's 24 hours: search again from the point every
                # order before which has been read, not from the window's start.
                run.log.add_message(
                    self.env._(
                        "Amazon's pagination token expired; the search goes on from %(moment)s.",
                        moment=restart,
                    ),
                    level="info",
                )
                params.pop("paginationToken")
                params["lastUpdatedAfter"] = _iso(restart)
                continue
            moments = [last_updated(order) for order in orders]
            in_order = in_order and _follows(moments, window["committed_up_to"])
            if not in_order:
                window["committed_up_to"] = None
            elif moments:
                # Orders changed at the page's last moment may go on on the next page: the
                # point to restart from is that moment (searchOrders' bounds are inclusive).
                window["committed_up_to"] = moments[-1]
            yield orders
            if not next_token:
                return
            params["paginationToken"] = next_token

    @api.model
    def _search_params(self, channel, after, before=None):
        """searchOrders parameters for the channel's orders changed from ``after`` to
        ``before`` (None: up to now)."""
        params = {
            "lastUpdatedAfter": _iso(after),
            "marketplaceIds": channel.marketplace_ids.mapped("amazon_id"),
            "maxResultsPerPage": PAGE_SIZE,
            "includedData": INCLUDED_DATA,
        }
        if before:
            params["lastUpdatedBefore"] = _iso(before)
        if not channel.import_fba:
            params["fulfilledBy"] = ["MERCHANT"]
        return params

    # -- one order ------------------------------------------------------------------------------

    @api.model
    def _import_one(self, run, payload, confirmations=None):
        """Apply one Amazon order in a savepoint; a bad one is logged and the run goes on.

        Whatever Amazon sent, parse_order either maps it or refuses it with a MappingError
        naming the order and the field; a refused order is read again once Amazon changes
        it, since it then comes back in the lastUpdatedTime window of the next run. Given a
        list ``confirmations``, a new order to confirm joins it (see :meth:`_confirm_page`).
        """
        order_ref = order_reference(payload)
        wording = self.env["amazon.error"]
        try:
            data = parse_order(payload, personal_data=run.channel.personal_data_access)
        except MappingError as error:
            run.log.add_message(
                wording._describe(error)
                + " "
                + self.env._(
                    "This version of the order is not applied; it is read again when Amazon "
                    "changes the order."
                ),
                amazon_ref=order_ref,
            )
            return "failed"
        notes = []
        waiting = None if confirmations is None else []
        # What the run wrote before this order meets other workers' transactions here, where
        # the run can start again from its last commit, rather than when the savepoint below
        # flushes it: a failure there aborts the transaction, not just this order.
        self.env.flush_all()
        try:
            with self.env.cr.savepoint():
                outcome = self.env["amazon.order.builder"]._apply(run.channel, data, notes, waiting)
        except MappingError as error:
            self._log_refused(run, order_ref, error)
            return "failed"
        except Exception as error:
            if isinstance(error, CONCURRENCY_ERRORS) and self._starts_again():
                raise  # not this unit's fault: the run starts again from its last commit
            _logger.exception("Amazon order %s could not be imported", order_ref)
            self._log_refused(run, order_ref, error)
            return "failed"
        for counter, note in notes:
            run.log.add_message(note, level="warning", amazon_ref=order_ref)
            run.counts[counter] += 1
        if waiting:
            confirmations.extend(waiting)
        return outcome

    @api.model
    def _confirm_page(self, run, confirmations):
        """Confirm (and deliver, where the mapping says done) the page's new orders together.

        Should that fail, each is confirmed on its own: one that still fails is refused like
        any bad order (its draft removed, so it is read again when Amazon changes it) and the
        others go on."""
        if not confirmations:
            return
        builder = self.env["amazon.order.builder"].with_context(**QUIET_CREATION)
        self.env.flush_all()
        try:
            with self.env.cr.savepoint():
                builder._confirm(confirmations)
            return
        except Exception as error:
            if isinstance(error, CONCURRENCY_ERRORS) and self._starts_again():
                raise
        for order, build in confirmations:
            try:
                with self.env.cr.savepoint():
                    builder._confirm([(order, build)])
            except Exception as error:
                if isinstance(error, CONCURRENCY_ERRORS) and self._starts_again():
                    raise
                if not isinstance(error, MappingError):
                    _logger.exception("Amazon order %s could not be confirmed", order.name)
                self._log_refused(run, build.data.order_id, error)
                with self.env.cr.savepoint():
                    order.exists().unlink()
                run.counts["new"] -= 1
                run.counts["failed"] += 1

    @api.model
    def _log_refused(self, run, order_ref, error):
        """Word why an order was not applied, on the run's log."""
        if isinstance(error, MappingError):
            message = self.env["amazon.error"]._describe(error)
        else:
            message = self.env._("Unexpected error, see the server log: %(error)s", error=error)
        run.log.add_message(message, amazon_ref=order_ref)


def _follows(moments, previous):
    """Whether a page's lastUpdatedTimes are known, ascending, and not before ``previous``."""
    if None in moments or moments != sorted(moments):
        return False
    return not moments or previous is None or moments[0] >= previous


def _expired_token(error):
    return EXPIRED_TOKEN_TEXT in error.amazon_message.lower()


def last_updated(payload):
    """An order payload's lastUpdatedTime, or None when it has none that parses."""
    if not isinstance(payload, dict):
        return None
    try:
        return parse_datetime(payload.get("lastUpdatedTime"))
    except MappingError:
        return None


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
