import logging

from odoo import models
from odoo.exceptions import UserError

from .amazon_sync_runner import CONCURRENCY_ERRORS

_logger = logging.getLogger(__name__)


class AmazonOrderInvoicer(models.AbstractModel):
    """Invoices the delivered orders of channels that invoice, as paid by Amazon.

    Amazon collects the buyer's money and pays the seller: each delivered order gets one posted
    invoice, dated as on Amazon (the day the goods left for merchant-fulfilled orders, the
    purchase day for Amazon-fulfilled ones), registered as paid in the channel's payment
    journal. No Amazon call: everything happens in Odoo.

    Why an order is never invoiced twice: only orders without any invoice are pending (an
    order credited after a cancellation has one), and each order is committed with its invoice
    and payment in scheduled runs. Deliveries validated in Odoo and order imports wake the
    run at once; the interval only catches what they did not.
    """

    _name = "amazon.order.invoicer"
    _inherit = "amazon.sync.runner"
    _description = "Amazon Order Invoicing"
    _sync_kind = "invoicing"
    _calls_amazon = False

    # -- scheduling -----------------------------------------------------------------------------

    def _interval(self, channel):
        return 60

    def _serve_domain(self):
        """Channels that invoice, whatever their connection: invoicing needs no Amazon."""
        return [("invoice_orders", "=", True)]

    # -- the run --------------------------------------------------------------------------------

    def _pending(self, channel):
        """The channel's delivered orders that have something to invoice and no invoice yet,
        nor a cancellation on Amazon."""
        if not channel.invoice_orders:
            return None
        orders = self.env["sale.order"].search(
            [
                ("amazon_channel_id", "=", channel.id),
                ("state", "=", "sale"),
                ("invoice_status", "=", "to invoice"),
                ("amazon_status", "!=", "CANCELLED"),
                ("invoice_ids", "=", False),
            ],
            order="id",
        )
        return orders.filtered(self._delivered)

    def _delivered(self, order):
        """Merchant-fulfilled: no delivery to the buyer left open, and goods shipped (a
        delivery done, or units shipped outside Odoo, as for an order imported as shipped).
        Amazon-fulfilled: the import delivered the order when Amazon shipped it."""
        if order.amazon_fulfilled_by == "AMAZON":
            return True
        deliveries = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        return (
            order.amazon_fulfilled_by == "MERCHANT"
            and all(p.state in ("done", "cancel") for p in deliveries)
            and (
                any(p.state == "done" for p in deliveries)
                or any(order.order_line.mapped("amazon_qty_shipped_elsewhere"))
            )
        )

    def _process(self, run, orders):
        for order in orders:
            run.counts[self._invoice_order(run, order)] += 1
            self._commit()

    def _summary(self, run):
        return self.env._(
            "%(invoiced)s order(s) invoiced and paid by Amazon, %(failed)s could not be invoiced.",
            invoiced=run.counts["new"],
            failed=run.counts["failed"],
        )

    # -- one order ------------------------------------------------------------------------------

    def _invoice_order(self, run, order):
        """Invoice one order in a savepoint; returns "new" or "failed" (logged, and tried
        again by the next run)."""
        try:
            with self.env.cr.savepoint():
                order._amazon_invoice(self._invoice_date(order))
        except UserError as error:
            reason = error.args[0]
        except Exception as error:
            if isinstance(error, CONCURRENCY_ERRORS) and self._starts_again():
                raise  # not this unit's fault: the run starts again from its last commit
            _logger.exception("Amazon order %s could not be invoiced", order.amazon_order_ref)
            reason = self.env._("Unexpected error, see the server log: %(error)s", error=error)
        else:
            return "new"
        run.log.add_message(
            self.env._(
                "Order %(order)s (%(sale)s) was not invoiced: %(reason)s",
                order=order.amazon_order_ref,
                sale=order.name,
                reason=reason,
            ),
            amazon_ref=order.amazon_order_ref,
        )
        return "failed"

    def _invoice_date(self, order):
        """Amazon's day for the invoice: when the goods left (the last delivery done, the ship
        date Amazon was told; for goods shipped outside Odoo, when Amazon last reported on the
        order) or, for Amazon-fulfilled orders, when the buyer ordered."""
        if order.amazon_fulfilled_by == "AMAZON":
            moment = order.amazon_purchase_date
        else:
            done = order.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing" and p.state == "done"
            )
            moment = max(done.mapped("date_done"), default=order.amazon_last_update)
        return order._amazon_local_date(moment)
